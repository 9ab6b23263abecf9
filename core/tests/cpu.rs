//! One switch for every kernel: `THUMBSMITH_CPU` really changes the level this crate, its JPEG
//! decoder and encoder and fast_image_resize run at, and every level gives the same bytes for
//! the avatar job (and a few jobs that reach the other kernels) on every fixture.
//!
//! The level is chosen once per process, so each level runs in a child process: this test
//! binary again, with the variable set and `REPORT` naming the file the child writes.

mod common;

use std::process::{Command, Output};

use common::*;
use thumbsmith::cpu::{self, Cpu, Override};

/// Where a child writes its report.
const REPORT: &str = "THUMBSMITH_TEST_CPU_REPORT";

/// The avatar job, and jobs through the flattening, subsampling and PNG/WebP kernels.
const JOBS: [&str; 5] = [
    r#"{"width": 64, "height": 64}"#,
    r#"{"width": 200, "height": 120, "quality": 90, "chroma_subsampling": "4:4:4"}"#,
    r##"{"width": 96, "height": 96, "smart_subsample": true, "background": "#2a9d8f"}"##,
    r#"{"width": 33, "height": 47, "fit": "contain", "format": "png", "kernel": "mitchell"}"#,
    r#"{"width": 50, "format": "webp", "lossless": true, "kernel": "catmull-rom"}"#,
];

/// This process's level, then one line per fixture and job: the output's digest or the error.
fn report() -> String {
    let mut lines = vec![format!("{:?} {:?}", cpu::level(), cpu::resize_extensions())];
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_type().unwrap().is_file())
        .map(|entry| entry.file_name().into_string().unwrap())
        .filter(|name| !name.ends_with(".json") && !name.ends_with(".sh"))
        .collect();
    names.sort();
    for name in &names {
        for job in JOBS {
            let result = thumbsmith::process(&fixture(name), &options(job));
            let outcome = match result {
                Ok(output) => {
                    use sha2::Digest;
                    let digest = sha2::Sha256::digest(&output.data);
                    digest
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<String>()
                }
                Err(error) => format!("error: {error}"),
            };
            lines.push(format!("{name} {job}: {outcome}"));
        }
    }
    lines.join("\n")
}

/// This test binary running `test` alone with `THUMBSMITH_CPU=value`, its report written to
/// `report`.
fn child(test: &str, value: &str, report: &std::path::Path) -> Output {
    Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--test-threads=1"])
        .env(cpu::OVERRIDE_VARIABLE, value)
        .env(REPORT, report)
        .output()
        .unwrap()
}

#[test]
fn every_level_gives_the_same_bytes() {
    if let Some(path) = std::env::var_os(REPORT) {
        std::fs::write(path, report()).unwrap();
        return;
    }
    let dir = std::env::temp_dir().join(format!("thumbsmith-cpu-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |value: &str| {
        let path = dir.join(value);
        let output = child("every_level_gives_the_same_bytes", value, &path);
        assert!(output.status.success(), "{value}: {output:?}");
        let report = std::fs::read_to_string(&path).unwrap();
        let (level, jobs) = report.split_once('\n').unwrap();
        (level.to_owned(), jobs.to_owned())
    };
    let (native, portable, avx2) = (run("native"), run("portable"), run("avx2"));
    std::fs::remove_dir_all(&dir).unwrap();

    // The level line is "<level> <fast_image_resize's extensions>".
    let detected = Cpu::detect();
    let (native_level, native_extensions) = native.0.split_once(' ').unwrap();
    assert_eq!(native_level, format!("{detected:?}"));
    if detected != Cpu::Portable {
        // fast_image_resize finds at least the AVX2 that `detected` found.
        assert_eq!(native_extensions, "Avx2");
    }
    assert_eq!(portable.0, "Portable None");
    let capped = detected.capped(Override::Avx2);
    assert_eq!(avx2.0, format!("{capped:?} {native_extensions}"));
    assert!(native.1.lines().count() > 100, "{}", native.1);
    for (name, other) in [("portable", &portable.1), ("avx2", &avx2.1)] {
        for (a, b) in native.1.lines().zip(other.lines()) {
            assert_eq!(a, b, "native vs {name}");
        }
        assert_eq!(native.1.lines().count(), other.lines().count());
    }
}

/// A value that is none of the documented ones stops the first job, naming the variable,
/// rather than leaving the level as detected.
#[test]
fn an_unknown_value_is_refused() {
    let path = std::env::temp_dir().join(format!("thumbsmith-cpu-typo-{}", std::process::id()));
    let output = child("every_level_gives_the_same_bytes", "portible", &path);
    let stderr = String::from_utf8_lossy(&output.stderr) + String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stderr}");
    assert!(
        stderr.contains(r#"THUMBSMITH_CPU="portible": expected `native`, `avx2` or `portable`"#),
        "{stderr}"
    );
    assert!(!path.exists());
}
