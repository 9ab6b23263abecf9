//! One criterion group per pipeline stage, so a regression shows where it happened:
//! decode (per format), orient (per orientation), colour (ICC → sRGB), resize (per kernel) and
//! encode (per format). Inputs are a realistic 2560×1600 photo made from the committed fixture
//! (no corpus needed), so the numbers are comparable from machine to machine.
//!
//! `cargo bench -p thumbsmith-benches --bench stages [-- FILTER]`, e.g. `-- resize/`.
//! Baseline JPEG decoding is measured at full size (zune-jpeg) and to planes at every N/8 (the
//! DCT-domain shrink-on-load `process` uses when the output is at most half the window).

use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use thumbsmith::stages::{self, Raster};
use thumbsmith::{Format, Kernel, Options};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/tests/fixtures");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).expect("fixture")
}

/// The photo fixture enlarged to 2560×1600 and encoded as `json` asks: a stand-in for a
/// phone-sized input that needs nothing outside the repository.
fn large(json: &str) -> Vec<u8> {
    let base = r#"{"width": 2560, "height": 1600, "kernel": "catmull-rom""#;
    let options = Options::from_json(&format!("{base}, {json}}}")).expect("options");
    thumbsmith::process(&fixture("photo.jpg"), &options)
        .expect("large input")
        .data
}

fn configure(group: &mut BenchmarkGroup<'_, WallTime>) {
    group
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
}

fn decode(c: &mut Criterion) {
    let inputs = [
        ("jpeg-baseline", large(r#""quality": 90"#)),
        (
            "jpeg-progressive",
            large(r#""quality": 90, "progressive": true"#),
        ),
        ("png", large(r#""format": "png""#)),
        ("webp-lossy", large(r#""format": "webp""#)),
        (
            "webp-lossless",
            large(r#""format": "webp", "lossless": true"#),
        ),
    ];
    let mut group = c.benchmark_group("decode");
    configure(&mut group);
    for (name, bytes) in &inputs {
        group.bench_function(*name, |b| {
            b.iter(|| stages::decode(std::hint::black_box(bytes)))
        });
    }
    // Shrink-on-load benched on a single-scan file with the standard tables, as cameras write:
    // the same photo through the core's encoder (thumbsmith-jpeg-encoder), 4:2:0, q90.
    let photo = stages::decode(&inputs[0].1).expect("decode").0;
    let mut single_scan = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut single_scan, 90);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    encoder
        .encode(
            &photo.data,
            photo.width as u16,
            photo.height as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("encode");
    let baseline = &single_scan;
    // The full-size decoder (zune-jpeg, to RGB) and the planar one the pipeline uses for such
    // files, at each scale (planes, no colour conversion).
    group.bench_function("jpeg-baseline-single-scan", |b| {
        b.iter(|| stages::decode(std::hint::black_box(baseline)))
    });
    for eighths in (1..=8).rev() {
        let planes = stages::decode_jpeg_planes(baseline, eighths).expect("decode");
        assert!(planes.is_some(), "the fast path takes the baseline input");
        group.bench_function(
            format!("jpeg-baseline-single-scan-planes-{eighths}/8"),
            |b| b.iter(|| stages::decode_jpeg_planes(std::hint::black_box(baseline), eighths)),
        );
    }
}

fn decoded() -> Raster {
    stages::decode(&large(r#""quality": 90"#))
        .expect("decode")
        .0
}

fn orient(c: &mut Criterion) {
    let raster = decoded();
    let mut group = c.benchmark_group("orient");
    configure(&mut group);
    for orientation in [2u8, 3, 6, 8] {
        group.bench_function(format!("exif-{orientation}"), |b| {
            b.iter(|| stages::orient(raster.clone(), orientation))
        });
    }
}

fn colour(c: &mut Criterion) {
    let (patches, icc) = stages::decode(&fixture("patches-adobergb.png")).expect("decode");
    let icc = icc.expect("Adobe RGB fixture carries a profile");
    // Tile the Adobe RGB patches up to the size of the photo so the CMS does real work.
    let raster = decoded();
    let tiled: Vec<u8> = (0..raster.data.len())
        .map(|i| patches.data[i % patches.data.len()])
        .collect();
    let raster = Raster::new(raster.width, raster.height, 3, tiled);
    let mut group = c.benchmark_group("colour");
    configure(&mut group);
    group.bench_function("adobe-rgb-to-srgb", |b| {
        b.iter(|| stages::to_srgb(raster.clone(), Some(&icc)))
    });
}

fn resize(c: &mut Criterion) {
    let raster = decoded();
    let window = [480.0, 0.0, 1600.0, 1600.0]; // the avatar's centre cover crop
    let mut group = c.benchmark_group("resize");
    configure(&mut group);
    for (name, kernel) in [
        ("lanczos3", Kernel::Lanczos3),
        ("mitchell", Kernel::Mitchell),
        ("catmull-rom", Kernel::CatmullRom),
        ("bilinear", Kernel::Bilinear),
        ("box", Kernel::Box),
        ("nearest", Kernel::Nearest),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| stages::resize(&raster, window, 512, 512, kernel))
        });
    }
}

fn encode(c: &mut Criterion) {
    let raster = decoded();
    let avatar = stages::resize(
        &raster,
        [480.0, 0.0, 1600.0, 1600.0],
        512,
        512,
        Kernel::Lanczos3,
    )
    .expect("resize");
    let mut group = c.benchmark_group("encode");
    configure(&mut group);
    for (name, format, json) in [
        ("jpeg-q80", Format::Jpeg, "{}"),
        (
            "jpeg-q80-progressive",
            Format::Jpeg,
            r#"{"progressive": true}"#,
        ),
        ("png", Format::Png, "{}"),
        ("webp-lossy", Format::Webp, "{}"),
        ("webp-lossless", Format::Webp, r#"{"lossless": true}"#),
    ] {
        let options = Options::from_json(json).expect("options");
        group.bench_function(name, |b| {
            b.iter(|| stages::encode(&avatar, format, &options))
        });
    }
}

criterion_group!(stages_benches, decode, orient, colour, resize, encode);
criterion_main!(stages_benches);
