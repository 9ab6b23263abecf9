//! `render`: the pixels `process` would encode, as RGBA, for previews (the wasm binding's canvas).
//! Checked against `process` with lossless PNG output, decoded by an independent decoder.

mod common;

use common::*;

/// `process` as PNG (lossless), decoded and widened to RGBA the way `render` documents.
fn encoded_as_rgba(name: &str, json: &str) -> Pixels {
    let png = decode(&run(name, json).data);
    let data = png
        .data
        .chunks_exact(png.channels)
        .flat_map(|px| match *px {
            [v] => [v, v, v, 255],
            [v, a] => [v, v, v, a],
            [r, g, b] => [r, g, b, 255],
            [r, g, b, a] => [r, g, b, a],
            _ => unreachable!("{} channels", png.channels),
        })
        .collect();
    Pixels {
        width: png.width,
        height: png.height,
        channels: 4,
        data,
    }
}

fn rendered(name: &str, json: &str) -> (thumbsmith::Rendered, Pixels) {
    let out = thumbsmith::render(&fixture(name), &options(json))
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let pixels = Pixels {
        width: out.width,
        height: out.height,
        channels: 4,
        data: out.rgba.clone(),
    };
    (out, pixels)
}

#[test]
fn render_gives_the_pixels_process_encodes() {
    for (name, json) in [
        // Upright: stored sideways with EXIF orientation 6.
        ("exif-6.jpg", r#"{"width": 40, "height": 40}"#),
        // Alpha kept for PNG output, letterboxed on a transparent background.
        (
            "alpha.png",
            r##"{"width": 50, "height": 30, "fit": "contain", "background": "#00000000"}"##,
        ),
        // Gray stays gray (spread to RGB), gray+alpha keeps its alpha.
        ("patches-gray.jpg", r#"{"width": 64}"#),
        ("gray-alpha.png", r#"{"width": 48, "kernel": "mitchell"}"#),
        // A crop in upright pixels, then rotated and mirrored.
        (
            "exif-8.jpg",
            r#"{"crop": {"left": 10, "top": 5, "width": 30, "height": 40}, "rotate": 90, "flop": true}"#,
        ),
    ] {
        let (_, pixels) = rendered(name, &format!("{{\"format\": \"png\", {}", &json[1..]));
        let expected = encoded_as_rgba(name, &format!("{{\"format\": \"png\", {}", &json[1..]));
        assert_eq!(diff(&pixels, &expected), (0, 0.0), "{name} {json}");
    }
}

#[test]
fn render_for_jpeg_output_is_flattened_onto_the_background() {
    let (out, pixels) = rendered(
        "alpha.png",
        r##"{"width": 40, "height": 40, "background": "#3366cc"}"##,
    );
    let flattened = encoded_as_rgba(
        "alpha.png",
        r##"{"width": 40, "height": 40, "background": "#3366cc", "format": "png", "flatten": true}"##,
    );
    assert_eq!(diff(&pixels, &flattened), (0, 0.0));
    assert!(pixels.data.chunks_exact(4).all(|px| px[3] == 255));
    // And the flattened pixels are what the JPEG encodes (up to JPEG's loss).
    let jpeg = run(
        "alpha.png",
        r##"{"width": 40, "height": 40, "background": "#3366cc"}"##,
    );
    assert_eq!((jpeg.width, jpeg.height, jpeg.crop), (40, 40, out.crop));
}

#[test]
fn render_reports_the_same_facts_as_process() {
    let json = r#"{"width": 30, "height": 30, "position": "attention"}"#;
    let (out, _) = rendered("exif-6.jpg", json);
    let processed = run("exif-6.jpg", json);
    assert_eq!(
        (
            out.width,
            out.height,
            out.source_format,
            out.source_width,
            out.source_height,
            out.orientation,
            out.crop
        ),
        (
            processed.width,
            processed.height,
            processed.source_format,
            processed.source_width,
            processed.source_height,
            processed.orientation,
            processed.crop
        )
    );
    assert_eq!(out.rgba.len(), 30 * 30 * 4);
}

#[test]
fn render_returns_the_same_errors_as_process() {
    for (name, code) in [
        ("text.txt", "ERR_UNSUPPORTED_FORMAT"),
        ("truncated.jpg", "ERR_CORRUPT_INPUT"),
        ("bomb.png", "ERR_LIMIT_EXCEEDED"),
    ] {
        let err = thumbsmith::render(&fixture(name), &options("{}")).unwrap_err();
        assert_eq!(err.code(), code, "{name}: {err}");
    }
}
