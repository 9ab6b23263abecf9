//! What thumbsmith writes as JPEG decodes to the same picture in zune-jpeg 0.5 (the decoder
//! inside `image` 0.25, the most used Rust decoder) as in jpeg-decoder. The full conformance
//! matrix (libjpeg-turbo, Java ImageIO, …) lives elsewhere; this holds the default layout.
//!
//! zune-jpeg 0.5.15 decoded 4:2:0 files written as one scan per component (the encoder's layout
//! with optimised tables until issue 27) as stripes: mean differences of tens of levels.

mod common;

use common::*;
use zune_core::colorspace::ColorSpace;

/// RGB pixels of `jpeg` as zune-jpeg decodes them (gray expanded to RGB).
fn zune_rgb(jpeg: &[u8]) -> (usize, usize, Vec<u8>) {
    let options =
        zune_core::options::DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::RGB);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        zune_core::bytestream::ZCursor::new(jpeg),
        options,
    );
    let pixels = decoder.decode().expect("zune-jpeg decodes it");
    let (width, height) = decoder.dimensions().expect("dimensions");
    (width, height, pixels)
}

/// RGB pixels of `jpeg` as jpeg-decoder decodes them (gray expanded to RGB).
fn jpeg_decoder_rgb(jpeg: &[u8]) -> (usize, usize, Vec<u8>) {
    let mut decoder = jpeg_decoder::Decoder::new(jpeg);
    let pixels = decoder.decode().expect("jpeg-decoder decodes it");
    let info = decoder.info().expect("info");
    let pixels = match info.pixel_format {
        jpeg_decoder::PixelFormat::RGB24 => pixels,
        jpeg_decoder::PixelFormat::L8 => pixels.iter().flat_map(|&l| [l, l, l]).collect(),
        other => panic!("unexpected {other:?}"),
    };
    (usize::from(info.width), usize::from(info.height), pixels)
}

/// The largest and the mean absolute difference between the two decoders' pixels.
fn differences(jpeg: &[u8]) -> (u8, f64) {
    let (zw, zh, zune) = zune_rgb(jpeg);
    let (jw, jh, reference) = jpeg_decoder_rgb(jpeg);
    assert_eq!((zw, zh), (jw, jh), "dimensions");
    assert_eq!(zune.len(), reference.len(), "samples");
    let (mut max, mut sum) = (0u8, 0u64);
    for (&a, &b) in zune.iter().zip(&reference) {
        let d = a.abs_diff(b);
        max = max.max(d);
        sum += u64::from(d);
    }
    (max, sum as f64 / zune.len() as f64)
}

/// Both decoders upsample chroma and run an integer IDCT, each its own way: they differ by a
/// few levels at colour edges, never by a wrong layout (which costs tens on average).
const MAX_DIFFERENCE: u8 = 12;
const MAX_MEAN_DIFFERENCE: f64 = 1.0;

#[test]
fn the_default_jpeg_decodes_alike_in_zune_jpeg_and_jpeg_decoder() {
    let cases = [
        ("photo.jpg", r#"{"width": 512, "height": 512}"#),
        ("photo.jpg", r#"{"width": 100, "height": 75}"#),
        ("scene.png", r#"{"width": 256, "height": 256}"#),
        (
            "scene.png",
            r#"{"width": 123, "height": 77, "fit": "fill"}"#,
        ),
        (
            "scene.png",
            r#"{"width": 256, "chroma_subsampling": "4:2:2"}"#,
        ),
        (
            "scene.png",
            r#"{"width": 256, "chroma_subsampling": "4:4:4"}"#,
        ),
        ("scene.png", r#"{"width": 256, "quality": 50}"#),
        ("scene.png", r#"{"width": 256, "quality": 95}"#),
        ("scene.png", r#"{"width": 256, "progressive": true}"#),
        ("scene.png", r#"{"width": 256, "optimize_coding": false}"#),
        ("patches-gray.jpg", r#"{"width": 200, "height": 200}"#),
    ];
    for (name, json) in cases {
        let output = run(name, &format!(r#"{{"format": "jpeg", {}"#, &json[1..]));
        let (max, mean) = differences(&output.data);
        assert!(
            max <= MAX_DIFFERENCE && mean <= MAX_MEAN_DIFFERENCE,
            "{name} {json}: zune-jpeg and jpeg-decoder differ by up to {max}, {mean:.2} on average"
        );
    }
}

/// The default baseline file is one interleaved scan of all components, the layout libjpeg,
/// mozjpeg and libvips write (and every decoder is tested with), not one scan per component.
#[test]
fn the_default_baseline_jpeg_is_one_interleaved_scan() {
    for json in [
        r#"{"width": 64}"#,
        r#"{"width": 64, "chroma_subsampling": "4:2:2"}"#,
        r#"{"width": 64, "chroma_subsampling": "4:4:4"}"#,
        r#"{"width": 64, "optimize_coding": false}"#,
    ] {
        let data = run("scene.png", json).data;
        let scans: Vec<usize> = data
            .windows(2)
            .enumerate()
            .filter(|(_, w)| *w == [0xFF, 0xDA])
            .map(|(at, _)| at)
            .collect();
        // In entropy-coded data a 0xFF is always followed by 0x00 or a restart marker, so every
        // 0xFF 0xDA is a scan header.
        assert_eq!(scans.len(), 1, "{json}: scans at {scans:?}");
        assert_eq!(data[scans[0] + 4], 3, "{json}: components in the scan");
    }
}
