//! The command-line tool as a user runs it: `thumbsmith plan`.
#![cfg(feature = "cli")]

mod common;

use std::process::Command;

use common::*;

fn thumbsmith(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_thumbsmith"))
        .args(args)
        .output()
        .expect("the thumbsmith binary runs")
}

#[test]
fn plan_prints_the_plan_of_the_thumbnail_job() {
    let photo = fixtures_dir().join("exif-6.jpg");
    let photo = photo.to_str().unwrap();
    let out = thumbsmith(&["plan", photo, "--size", "48", "--format", "png"]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    let expected = thumbsmith::plan(
        &fixture("exif-6.jpg"),
        &options(r#"{"width": 48, "height": 48, "format": "png"}"#),
    )
    .unwrap();
    assert_eq!(text, format!("{photo}\n{expected}\n"));
    assert!(text.contains("EXIF 6"), "{text}");

    let out = thumbsmith(&["plan", photo, "--size", "48", "--format", "png", "--json"]);
    assert!(out.status.success(), "{out:?}");
    let mut json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["file"], photo);
    json.as_object_mut().unwrap().remove("file");
    assert_eq!(json, serde_json::to_value(&expected).unwrap());
}

#[test]
fn plan_refuses_what_the_thumbnail_job_refuses() {
    let photo = fixtures_dir().join("photo.jpg");
    let out = thumbsmith(&[
        "plan",
        photo.to_str().unwrap(),
        "--size",
        "48",
        "--options",
        r#"{"max_input_pixels": 100}"#,
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("max_input_pixels"), "{stderr}");
    let out = thumbsmith(&["plan", photo.to_str().unwrap(), "--fit", "sideways"]);
    assert_eq!(out.status.code(), Some(2));
}
