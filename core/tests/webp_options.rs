//! libwebp's settings behind the WebP options (sharp's `webp({effort, alphaQuality, nearLossless,
//! smartDeblock, preset, exact, smartSubsample})`): each changes the file the way libwebp says,
//! and what must be lossless is, read back by image-webp (a decoder that shares nothing with
//! libwebp) through `format: "raw"`.

mod common;

use common::*;

fn webp(name: &str, json: &str) -> Vec<u8> {
    run(name, &format!(r#"{{"format": "webp", {json}}}"#)).data
}

/// The pixels of a WebP, decoded by image-webp (the core's WebP decoder).
fn pixels(webp: &[u8]) -> Vec<u8> {
    thumbsmith::process(webp, &options(r#"{"format": "raw"}"#))
        .unwrap()
        .data
}

/// A chunk's FourCC right after the RIFF header: `VP8 ` lossy, `VP8L` lossless, `VP8X` extended.
fn first_chunk(webp: &[u8]) -> &[u8] {
    &webp[12..16]
}

#[test]
fn without_the_new_options_lossy_webp_is_libwebps_default() {
    // The same bytes as before the options existed: preset default, method 4, alpha 100.
    let plain = webp("photo.jpg", r#""width": 64"#);
    let spelled_out = webp(
        "photo.jpg",
        r#""width": 64, "webp_effort": 4, "webp_alpha_quality": 100, "webp_preset": "default""#,
    );
    assert_eq!(plain, spelled_out);
}

#[test]
fn more_effort_makes_a_smaller_file() {
    let fast = webp("photo.jpg", r#""webp_effort": 0"#);
    let slow = webp("photo.jpg", r#""webp_effort": 6"#);
    assert!(slow.len() < fast.len(), "{} vs {}", slow.len(), fast.len());
}

#[test]
fn lossless_with_an_effort_is_libwebps_and_still_lossless() {
    // image-webp keeps the colour under transparent pixels; libwebp does with `webp_exact`.
    let source = pixels(&webp("alpha.png", r#""lossless": true"#));
    for effort in [0, 6] {
        let out = webp(
            "alpha.png",
            &format!(r#""lossless": true, "webp_effort": {effort}, "webp_exact": true"#),
        );
        assert!(pixels(&out) == source, "effort {effort}");
    }
    // image-webp's and libwebp's files differ: the option did choose the encoder.
    assert_ne!(
        webp("alpha.png", r#""lossless": true"#),
        webp("alpha.png", r#""lossless": true, "webp_effort": 4"#)
    );
}

#[test]
fn near_lossless_is_lossless_coding_of_adjusted_pixels() {
    let near = webp("photo.jpg", r#""webp_near_lossless": true, "quality": 50"#);
    assert!(
        first_chunk(&near) == b"VP8L",
        "near-lossless is a lossless bitstream"
    );
    let exact = webp("photo.jpg", r#""lossless": true, "webp_effort": 4"#);
    assert!(
        near.len() < exact.len(),
        "{} vs {}",
        near.len(),
        exact.len()
    );
    // At quality 100 libwebp adjusts nothing: the lossless file.
    let none = webp(
        "photo.jpg",
        r#""webp_near_lossless": true, "quality": 100, "webp_effort": 4"#,
    );
    assert_eq!(pixels(&none), pixels(&exact));
}

#[test]
fn lossy_settings_change_the_file() {
    let plain = webp("alpha.png", r#""quality": 30"#);
    for setting in [
        r#""webp_alpha_quality": 20"#,
        r#""webp_smart_deblock": true"#,
        r#""webp_preset": "picture""#,
        r#""webp_preset": "text""#,
        r#""smart_subsample": true"#,
    ] {
        let out = webp("alpha.png", &format!(r#""quality": 30, {setting}"#));
        assert!(out != plain, "{setting}: the same {} bytes", out.len());
    }
}

#[test]
fn exact_keeps_the_colour_under_transparent_pixels() {
    // Half the picture fully transparent, with colours that vary: libwebp may flatten them
    // unless asked to keep them.
    let (w, h) = (32, 32);
    let data: Vec<u8> = (0..w * h)
        .flat_map(|i| {
            let v = (i * 97 % 251) as u8;
            [
                v,
                v.wrapping_mul(3),
                v.wrapping_mul(7),
                if i % w < 16 { 0 } else { 255 },
            ]
        })
        .collect();
    let png = encode_png(w, h, 4, &data);
    let job = |exact: bool| {
        thumbsmith::process(
            &png,
            &options(&format!(
                r#"{{"format": "webp", "lossless": true, "webp_effort": 0, "webp_exact": {exact}}}"#
            )),
        )
        .unwrap()
        .data
    };
    assert!(pixels(&job(true)) == data, "exact: every colour kept");
    // Without it libwebp rewrites the hidden colours (to what predicts best); what shows stays.
    let loose = pixels(&job(false));
    assert!(loose != data, "the hidden colours changed");
    let visible = |p: &[u8]| -> Vec<u8> {
        p.chunks_exact(4)
            .filter(|px| px[3] == 255)
            .flatten()
            .copied()
            .collect()
    };
    assert!(visible(&loose) == visible(&data), "the visible pixels kept");
}

#[test]
fn out_of_range_settings_are_refused() {
    for (json, text) in [
        (r#"{"webp_effort": 7}"#, "webp_effort must be 0–6"),
        (
            r#"{"webp_alpha_quality": 101}"#,
            "webp_alpha_quality must be 0–100",
        ),
        (r#"{"webp_preset": "poster"}"#, "unknown variant `poster`"),
    ] {
        let err = thumbsmith::Options::from_json(json)
            .and_then(|o| o.validate())
            .unwrap_err();
        assert_eq!(err.code(), "ERR_INVALID_OPTION");
        assert!(err.to_string().contains(text), "{err}");
    }
}
