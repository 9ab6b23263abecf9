//! Pixels in and out: `raw_input` (sharp's `{raw: {width, height, channels}}`) and
//! `format: "raw"` (sharp's `.raw()`), checked against the same jobs through PNG, decoded by the
//! png crate.

mod common;

use common::*;
use thumbsmith::Format;

/// Deterministic pixels with every channel varying.
fn pixels(width: u32, height: u32, channels: usize) -> Vec<u8> {
    (0..width * height * channels as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect()
}

#[test]
fn raw_output_is_what_png_output_decodes_to() {
    for (name, job) in [
        ("alpha.png", r#""width": 40"#),
        ("photo.jpg", r#""width": 64, "height": 64"#),
        ("gray-alpha.png", r#""width": 30, "fit": "contain""#),
        ("exif-6.jpg", r#""rotate": 90, "flip": true"#),
    ] {
        let png = processed(&fixture(name), &format!(r#"{{{job}, "format": "png"}}"#));
        let raw = run(name, &format!(r#"{{{job}, "format": "raw"}}"#));
        assert_eq!(raw.format, Format::Raw, "{name}");
        assert_eq!(
            (raw.width, raw.height, usize::from(raw.channels)),
            (png.width, png.height, png.channels),
            "{name}"
        );
        assert_eq!(raw.data, png.data, "{name}");
    }
}

#[test]
fn raw_input_is_the_same_job_as_those_pixels_in_a_png() {
    for channels in 1..=4 {
        let (w, h) = (37, 23);
        let data = pixels(w, h, channels);
        let png = encode_png(w, h, channels, &data);
        let job = r#""width": 16, "height": 12, "format": "raw""#;
        let via_png = thumbsmith::process(&png, &options(&format!("{{{job}}}"))).unwrap();
        let via_raw = thumbsmith::process(
            &data,
            &options(&format!(
                r#"{{{job}, "raw_input": {{"width": {w}, "height": {h}, "channels": {channels}}}}}"#
            )),
        )
        .unwrap();
        assert_eq!(via_raw.data, via_png.data, "{channels} channels");
        assert_eq!(via_raw.channels, via_png.channels);
        assert_eq!(via_raw.source_format, Format::Raw);
    }
}

#[test]
fn raw_in_and_no_format_is_raw_out_unchanged() {
    let data = pixels(2, 1, 3);
    let out = thumbsmith::process(
        &data,
        &options(r#"{"raw_input": {"width": 2, "height": 1, "channels": 3}, "format": "same"}"#),
    )
    .unwrap();
    assert_eq!((out.format, out.width, out.height), (Format::Raw, 2, 1));
    assert_eq!(out.data, data);
    // Encoded, too.
    let png = thumbsmith::process(
        &data,
        &options(r#"{"raw_input": {"width": 2, "height": 1, "channels": 3}, "format": "png"}"#),
    )
    .unwrap();
    assert_eq!(decode(&png.data).data, data);
}

#[test]
fn a_wrong_length_or_description_is_refused() {
    let err = thumbsmith::process(
        &pixels(2, 2, 3),
        &options(r#"{"raw_input": {"width": 2, "height": 3, "channels": 3}}"#),
    )
    .unwrap_err();
    assert_eq!(err.code(), "ERR_CORRUPT_INPUT");
    assert!(
        err.to_string()
            .contains("12 bytes, but 2×3 pixels of 3 channels are 18"),
        "{err}"
    );
    for bad in [
        r#"{"width": 2, "height": 2, "channels": 5}"#,
        r#"{"width": 0, "height": 2, "channels": 3}"#,
    ] {
        let err = thumbsmith::Options::from_json(&format!(r#"{{"raw_input": {bad}}}"#))
            .and_then(|o| o.validate())
            .unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_OPTION", "{bad}");
    }
    // The pixel limit reads the description, before anything is copied.
    let err = thumbsmith::process(
        &pixels(20, 20, 1),
        &options(
            r#"{"raw_input": {"width": 20, "height": 20, "channels": 1}, "max_input_pixels": 100}"#,
        ),
    )
    .unwrap_err();
    assert_eq!(err.code(), "ERR_LIMIT_EXCEEDED");
}
