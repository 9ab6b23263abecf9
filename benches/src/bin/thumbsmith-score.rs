//! Scores avatars against the exact reference of their source:
//!
//! ```text
//! thumbsmith-score [--size S] SOURCE OUTPUT...
//! ```
//!
//! prints `{"source": …, "reference_ms": …, "scores": {"OUTPUT": score | {"error": …}}}`.

use std::time::Instant;

use serde_json::{json, Map, Value};
use thumbsmith_benches::{decode_output, reference_avatar, ssimulacra2, AVATAR_SIZE};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut size = AVATAR_SIZE;
    if args.first().map(String::as_str) == Some("--size") && args.len() > 1 {
        size = args[1].parse().unwrap_or_else(|_| usage());
        args.drain(..2);
    }
    let Some((source, outputs)) = args.split_first() else {
        usage()
    };
    let input = std::fs::read(source).unwrap_or_else(|e| fail(&format!("{source}: {e}")));
    let started = Instant::now();
    let reference =
        reference_avatar(&input, size, size).unwrap_or_else(|e| fail(&format!("{source}: {e}")));
    let reference_ms = started.elapsed().as_secs_f64() * 1e3;
    let mut scores = Map::new();
    for output in outputs {
        let score = std::fs::read(output)
            .map_err(|e| e.to_string())
            .and_then(|bytes| decode_output(&bytes))
            .and_then(|image| ssimulacra2(&reference, &image));
        scores.insert(
            output.clone(),
            match score {
                Ok(s) => json!(s),
                Err(e) => json!({"error": e}),
            },
        );
    }
    println!(
        "{}",
        json!({"source": source, "reference_ms": reference_ms, "scores": Value::Object(scores)})
    );
}

fn usage() -> ! {
    eprintln!("usage: thumbsmith-score [--size S] SOURCE OUTPUT...");
    std::process::exit(2)
}

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    std::process::exit(1)
}
