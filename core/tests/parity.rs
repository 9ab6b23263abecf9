//! Defaults parity: the expected output of each shared case, written by this test and checked
//! byte for byte by the Python, Node and wasm bindings (they read tests/fixtures/parity.json).
//! `THUMBSMITH_BLESS=1 cargo test --test parity` rewrites the expectations after an intended change.

mod common;

use common::*;
use serde_json::{json, Value};

#[test]
fn shared_cases_match_their_recorded_outputs() {
    let dir = fixtures_dir();
    let cases: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("parity.cases.json")).unwrap())
            .unwrap();
    let mut results = Vec::new();
    for case in &cases {
        let input = fixture(case["input"].as_str().unwrap());
        let options = thumbsmith::Options::from_value(case["options"].clone()).unwrap();
        let out = thumbsmith::process(&input, &options).unwrap();
        use sha2::Digest;
        let sha256: String = sha2::Sha256::digest(&out.data)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut result = serde_json::to_value(&out).unwrap();
        let map = result.as_object_mut().unwrap();
        map.insert("sha256".into(), json!(sha256));
        map.insert("bytes".into(), json!(out.data.len()));
        results.push(json!({"name": case["name"], "input": case["input"], "options": case["options"], "expected": result}));
    }
    let path = dir.join("parity.json");
    let fresh = serde_json::to_string_pretty(&results).unwrap() + "\n";
    if std::env::var_os("THUMBSMITH_BLESS").is_some() || !path.exists() {
        std::fs::write(&path, &fresh).unwrap();
    }
    let recorded = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        recorded, fresh,
        "outputs changed: review, then THUMBSMITH_BLESS=1 cargo test --test parity"
    );
}
