//! The instrument checked on the committed fixtures: the reference gets orientation and colour
//! right, the score tells a good avatar from a wrong one, and the runner and scorer binaries work
//! (the fast part of `make -C benches test`; the full comparison is `make bench-compare`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;
use thumbsmith_benches::{decode_output, reference_avatar, source_image, ssimulacra2, FloatImage};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures")
        .join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(fixture(name)).expect("fixture")
}

fn max_difference(a: &FloatImage, b: &FloatImage) -> f32 {
    assert_eq!((a.width, a.height), (b.width, b.height));
    a.pixels
        .iter()
        .zip(&b.pixels)
        .flat_map(|(p, q)| (0..3).map(move |c| (p[c] - q[c]).abs()))
        .fold(0.0, f32::max)
}

#[test]
fn every_exif_orientation_comes_out_upright() {
    // orient-N.png store the same scene transformed losslessly, with the tag that undoes it.
    let upright = source_image(&read("orient-1.png")).unwrap();
    for n in 2..=8 {
        let image = source_image(&read(&format!("orient-{n}.png"))).unwrap();
        assert_eq!(max_difference(&upright, &image), 0.0, "orient-{n}.png");
    }
}

#[test]
fn wide_gamut_profiles_and_cmyk_become_the_srgb_patches() {
    let srgb = source_image(&read("patches.png")).unwrap();
    for (name, tolerance) in [
        ("patches-adobergb.png", 2.5 / 255.0),
        ("patches-prophotorgb.png", 2.5 / 255.0),
        ("patches-widegamutrgb.png", 2.5 / 255.0),
        // JPEG q100 with 4:4:4 adds a little; the naive CMYK round trip through ImageMagick's
        // own naive formula is exact up to rounding.
        ("patches-adobergb.jpg", 6.0 / 255.0),
        ("patches-cmyk.jpg", 6.0 / 255.0),
    ] {
        let converted = source_image(&read(name)).unwrap();
        let diff = max_difference(&srgb, &converted);
        assert!(diff <= tolerance, "{name}: off by {}", diff * 255.0);
    }
}

#[test]
fn alpha_is_flattened_on_white() {
    let image = source_image(&read("alpha.png")).unwrap();
    let gray = source_image(&read("gray-alpha.png")).unwrap();
    for image in [image, gray] {
        assert!(image
            .pixels
            .iter()
            .flatten()
            .all(|v| (0.0..=1.0).contains(v)));
    }
}

#[test]
fn the_score_ranks_a_good_avatar_above_wrong_ones() {
    let input = read("exif-6.jpg");
    let reference = reference_avatar(&input, 256, 256).unwrap();
    let avatar = |options: thumbsmith::Options| {
        let out = thumbsmith::process(&input, &options).unwrap();
        decode_output(&out.data).unwrap()
    };
    let good = ssimulacra2(&reference, &avatar(thumbsmith::Options::avatar(256))).unwrap();
    let sideways = ssimulacra2(
        &reference,
        &avatar(thumbsmith::Options {
            auto_orient: false,
            ..thumbsmith::Options::avatar(256)
        }),
    )
    .unwrap();
    let coarse = ssimulacra2(
        &reference,
        &avatar(thumbsmith::Options {
            quality: 5,
            ..thumbsmith::Options::avatar(256)
        }),
    )
    .unwrap();
    assert!(good > 60.0, "q80 avatar scores {good}");
    assert!(sideways < good - 30.0, "sideways {sideways} vs {good}");
    assert!(coarse < good - 20.0, "q5 {coarse} vs {good}");
    // The reference against itself is the top of the scale.
    assert!(ssimulacra2(&reference, &reference).unwrap() > 99.9);
}

fn runner() -> Command {
    Command::new(env!("CARGO_BIN_EXE_thumbsmith-runner"))
}

#[test]
fn runner_times_each_run_and_the_scorer_scores_its_outputs() {
    let out = std::env::temp_dir().join(format!("thumbsmith-runner-smoke-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let files = [
        fixture("photo.jpg"),
        fixture("scene.png"),
        fixture("text.txt"),
    ];
    let result = runner()
        .args(["--runs", "3", "--threads", "2", "--out"])
        .arg(&out)
        .args(&files)
        .output()
        .unwrap();
    assert!(result.status.success(), "{result:?}");
    let report: Value = serde_json::from_slice(&result.stdout).unwrap();
    assert_eq!(report["threads"], 2);
    assert_eq!(report["jobs"], 6, "3 runs × 2 good files");
    assert!(report["jobs_per_s"].as_f64().unwrap() > 0.0);
    let reported = report["files"].as_array().unwrap();
    for file in &reported[..2] {
        assert_eq!(file["ms"].as_array().unwrap().len(), 3, "{file}");
        assert_eq!(
            (file["width"].as_u64(), file["height"].as_u64()),
            (Some(512), Some(512))
        );
        assert!(file["bytes"].as_u64().unwrap() > 1000);
    }
    assert!(
        reported[2]["error"]
            .as_str()
            .unwrap()
            .contains("unsupported"),
        "{}",
        reported[2]
    );

    for source in ["photo.jpg", "scene.png"] {
        let output = out.join(Path::new(source).with_extension("jpg"));
        let scored = Command::new(env!("CARGO_BIN_EXE_thumbsmith-score"))
            .arg(fixture(source))
            .arg(&output)
            .output()
            .unwrap();
        assert!(scored.status.success(), "{scored:?}");
        let scored: Value = serde_json::from_slice(&scored.stdout).unwrap();
        let score = scored["scores"][output.to_str().unwrap()].as_f64().unwrap();
        assert!((50.0..100.0).contains(&score), "{source}: {score}");
    }
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn runner_serves_the_compare_protocol() {
    use std::io::{BufRead, BufReader, Write};
    let mut child = runner()
        .arg("--serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let saved = std::env::temp_dir().join(format!("thumbsmith-serve-{}.jpg", std::process::id()));
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut ask = |request: String| -> Value {
        writeln!(stdin, "{request}").unwrap();
        serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap()
    };
    let photo = fixture("photo.jpg");
    let loaded = ask(serde_json::json!({"op": "load", "path": photo}).to_string());
    assert!(loaded["bytes"].as_u64().unwrap() > 1000, "{loaded}");
    let run = ask(r#"{"op":"run"}"#.into());
    assert!(run["ms"].as_f64().unwrap() > 0.0, "{run}");
    assert_eq!(run["bytes"], loaded["bytes"], "the job is deterministic");
    let ok = ask(serde_json::json!({"op": "save", "path": saved}).to_string());
    assert_eq!(ok["ok"], true);
    assert_eq!(
        std::fs::metadata(&saved).unwrap().len(),
        run["bytes"].as_u64().unwrap()
    );
    let bad = ask(serde_json::json!({"op": "load", "path": fixture("empty.bin")}).to_string());
    assert!(bad["error"].as_str().is_some(), "{bad}");
    writeln!(stdin, r#"{{"op":"quit"}}"#).unwrap();
    assert!(child.wait().unwrap().success());
    std::fs::remove_file(saved).unwrap();
}

#[test]
fn runner_once_and_idle_exit_cleanly() {
    for mode in ["--once", "--idle"] {
        let status = runner()
            .arg(mode)
            .arg(fixture("photo.jpg"))
            .status()
            .unwrap();
        assert!(status.success(), "{mode}");
    }
    let status = runner()
        .arg("--once")
        .arg(fixture("truncated.jpg"))
        .status()
        .unwrap();
    assert!(
        !status.success(),
        "a failing job must fail the one-shot run"
    );
}
