//! What the plan decides, asserted on the plan itself.

use super::*;
use crate::options::{Fit, Gravity, Position};

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn options(json: &str) -> Options {
    Options::from_json(json).unwrap()
}

/// A small baseline 4:2:0 JPEG whose frame header is made to say `width`×`height`: the plan reads
/// only headers, so it plans the job of a photo of that size.
fn jpeg_saying(width: u16, height: u16) -> Vec<u8> {
    let mut out = Vec::new();
    let pixels: Vec<u8> = (0..64 * 36 * 3).map(|i| (i * 7 % 251) as u8).collect();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
    encoder
        .encode(&pixels, 64, 36, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    let sof = out
        .windows(2)
        .position(|m| m == [0xFF, 0xC0])
        .expect("a baseline frame header");
    out[sof + 5..sof + 7].copy_from_slice(&height.to_be_bytes());
    out[sof + 7..sof + 9].copy_from_slice(&width.to_be_bytes());
    out
}

#[test]
fn a_large_jpeg_avatar_is_decoded_at_three_eighths_and_only_the_part_read() {
    let plan = plan(&jpeg_saying(5120, 2880), &Options::avatar(512)).unwrap();
    assert_eq!(plan.source.format, Format::Jpeg);
    assert_eq!((plan.source.width, plan.source.height), (5120, 2880));
    assert_eq!(plan.geometry.window, [1120.0, 0.0, 2880.0, 2880.0]);
    assert_eq!(plan.stored_window, [1120.0, 0.0, 2880.0, 2880.0]);
    assert_eq!(plan.geometry.canvas, (512, 512));
    let decode = &plan.decode;
    assert_eq!(decode.decoder, Decoder::JpegPlanar);
    // 2880 · 3/8 = 1080 ≥ 2 · 512, and 2/8 would give 720 < 1024.
    assert_eq!(decode.eighths, 3);
    assert_eq!(decode.size, (1920, 1080));
    assert_eq!(
        decode.samples,
        Samples::YcbcrPlanes {
            subsampling: (2, 2)
        }
    );
    // At 3/8 the window is 1080×1080 at x = 420; the part read is that widened by the reach of
    // Lanczos3 and clipped to the picture.
    let parts = decode.parts.expect("a part is decoded");
    assert!(parts.pixels.left < 420 && parts.pixels.left + parts.pixels.width > 1500);
    assert!(parts.pixels.width < 1920 && parts.pixels.height == 1080);
    let chroma = parts.chroma.expect("the chroma's part");
    assert_eq!(chroma.height, 540);
    assert!(chroma.left <= parts.pixels.left / 2 && chroma.width < 960);
    assert_eq!(plan.colour, ColourStep::AsDecoded);
    // JPEG output flattens; a JPEG's planes have no alpha, so only after the resize.
    assert_eq!(
        plan.flatten,
        Some(Flatten {
            before_resize: false
        })
    );
    assert_eq!(plan.encode.format, Format::Jpeg);
    assert!(matches!(
        plan.encode.settings,
        EncodeSettings::Jpeg { quality: 80, .. }
    ));
    assert!(!plan.encode.keeps_icc && !plan.encode.keeps_exif);
}

#[test]
fn the_decode_scale_keeps_twice_the_output_size() {
    for ((width, height), size, eighths) in [
        ((3200, 2000), 512, 5),
        ((4032, 3024), 512, 3),
        ((1024, 1024), 512, 8),
        ((4096, 4096), 256, 1),
        ((4096, 4096), 255, 1),
        ((4096, 4096), 257, 2),
    ] {
        let plan = plan(&jpeg_saying(width, height), &Options::avatar(size)).unwrap();
        assert_eq!(plan.decode.eighths, eighths, "{width}×{height} to {size}");
    }
}

#[test]
fn exif_orientation_6_swaps_the_stored_window() {
    // Stored 64×96, upright 96×64; a 40×20 cover crop at the south edge is a 96×48 window at the
    // bottom of the upright picture. EXIF 6 turns the stored picture a quarter clockwise to make
    // it upright (its left column becomes the top row), so the window is a 48×96 strip at the
    // stored picture's right edge.
    let input = fixture("exif-6.jpg");
    let mut o = options(r#"{"width": 40, "height": 20, "position": "south"}"#);
    let plan = plan(&input, &o).unwrap();
    assert_eq!(plan.orientation.exif, 6);
    assert_eq!(plan.orientation.upright, (96, 64));
    assert!(plan.orientation.transform.swaps_axes());
    assert_eq!(plan.geometry.upright_window(), [0.0, 16.0, 96.0, 48.0]);
    assert_eq!(plan.stored_window, [16.0, 0.0, 48.0, 96.0]);
    assert_eq!(plan.resize.size, (20, 40));
    assert_eq!(
        plan.crop,
        Rect {
            left: 0,
            top: 16,
            width: 96,
            height: 48
        }
    );
    // Without the orientation, the stored picture is the upright one.
    o.auto_orient = false;
    let plan = super::plan(&input, &o).unwrap();
    assert_eq!(plan.orientation.exif, 1);
    assert_eq!(plan.stored_window, plan.geometry.upright_window());
    assert_eq!(plan.resize.size, (40, 20));
}

#[test]
fn a_profile_is_applied_on_the_smaller_side_of_the_resize() {
    let input = fixture("patches-adobergb.png");
    let shrink = plan(&input, &options(r#"{"width": 64}"#)).unwrap();
    assert!(shrink.source.has_icc);
    assert_eq!(shrink.decode.samples, Samples::Rgb);
    assert_eq!(shrink.colour, ColourStep::AfterResize);
    let text = shrink.to_string();
    assert!(
        text.contains("source    png 128×32, rgb, ICC profile\n"),
        "{text}"
    );
    assert!(
        text.contains("colour    profile to sRGB after the resize\n"),
        "{text}"
    );
    let enlarge = plan(&input, &options(r#"{"width": 256}"#)).unwrap();
    assert_eq!(enlarge.colour, ColourStep::BeforeResize);
    let kept = plan(
        &input,
        &options(r#"{"width": 64, "to_srgb": false, "keep_icc": true}"#),
    )
    .unwrap();
    assert_eq!(kept.colour, ColourStep::AsDecoded);
    assert!(kept.encode.keeps_icc);
}

#[test]
fn alpha_is_flattened_before_the_resize_only_for_outputs_without_alpha() {
    let input = fixture("alpha.png");
    let jpeg = plan(&input, &options(r#"{"width": 48}"#)).unwrap();
    assert_eq!(
        jpeg.flatten,
        Some(Flatten {
            before_resize: true
        })
    );
    let png = plan(&input, &options(r#"{"width": 48, "format": "png"}"#)).unwrap();
    assert_eq!(png.flatten, None);
    assert!(matches!(png.encode.settings, EncodeSettings::Png { .. }));
}

#[test]
fn a_smart_crop_is_placed_at_execution_from_the_whole_picture() {
    let input = fixture("photo.jpg");
    let plan = plan(
        &input,
        &options(r#"{"width": 50, "height": 100, "position": "attention"}"#),
    )
    .unwrap();
    let smart = plan.smart_crop.as_ref().expect("a smart crop");
    assert_eq!(smart.strategy, Strategy::Attention);
    assert_eq!(smart.analysis, (160, 120));
    // The window's size is known (centred until placed); the whole picture is decoded.
    assert_eq!(plan.geometry.window[2..], [60.0, 120.0]);
    assert_eq!(plan.decode.parts, None);
}

#[test]
fn a_png_crop_decodes_only_the_rows_and_columns_read() {
    let input = fixture("scene.png");
    let mut o = options(r#"{"width": 20, "height": 20, "fit": "cover"}"#);
    o.crop = Some(Rect {
        left: 40,
        top: 10,
        width: 40,
        height: 40,
    });
    o.position = Position::Gravity(Gravity::Centre);
    o.fit = Fit::Cover;
    let plan = plan(&input, &o).unwrap();
    assert_eq!(plan.decode.decoder, Decoder::Png);
    let part = plan.decode.parts.expect("a part").pixels;
    assert!(part.left <= 40 && part.left + part.width >= 80, "{part:?}");
    assert!(part.width < 96 || part.height < 64, "{part:?}");
    assert_eq!(plan.crop, o.crop.unwrap());
}

#[test]
fn the_plan_prints_one_line_a_step_and_serialises() {
    let plan = plan(&jpeg_saying(5120, 2880), &Options::avatar(512)).unwrap();
    let text = plan.to_string();
    let steps: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "source", "orient", "window", "decode", "resize", "colour", "flatten", "canvas",
            "encode"
        ]
    );
    assert!(
        text.contains("decode    jpeg planes (DCT-scaled) at 3/8 → 1920×1080, luma part "),
        "{text}"
    );
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["decode"]["eighths"], 3);
    assert_eq!(json["decode"]["decoder"], "jpeg-planar");
    assert_eq!(json["colour"], "as-decoded");
    assert_eq!(json["encode"]["settings"]["format"], "jpeg");
}

#[test]
fn the_limits_and_options_are_checked_as_process_checks_them() {
    let input = fixture("photo.jpg");
    let small = Options {
        max_input_pixels: 100,
        ..Options::default()
    };
    assert!(matches!(
        plan(&input, &small),
        Err(Error::LimitExceeded {
            option: "max_input_pixels",
            ..
        })
    ));
    assert!(matches!(
        plan(b"not an image", &Options::default()),
        Err(Error::UnsupportedFormat { .. })
    ));
}
