//! Decoding and colour: EXIF orientation, ICC profiles, CMYK and gray, alpha, the other input
//! formats and unusual chroma layouts.

use super::*;

#[test]
fn all_eight_exif_orientations_give_the_same_pixels() {
    // Orientation is lossless: without a resize, every tagged PNG gives exactly the upright scene.
    let upright = decode(&run("scene.png", r#"{"format": "png"}"#).data);
    for o in 1..=8 {
        let out = run(&format!("orient-{o}.png"), r#"{"format": "png"}"#);
        assert_eq!(out.orientation, o);
        assert_eq!(diff(&decode(&out.data), &upright).0, 0, "orientation {o}");
    }
    // With a resize the orientation is applied to the small image; resampling in the stored
    // direction may round differently by one level, never more.
    let reference = decode(
        &run(
            "scene.png",
            r#"{"width": 40, "height": 30, "format": "png"}"#,
        )
        .data,
    );
    for o in 1..=8 {
        let out = run(
            &format!("orient-{o}.png"),
            r#"{"width": 40, "height": 30, "format": "png"}"#,
        );
        let (max, _) = diff(&decode(&out.data), &reference);
        assert!(max <= 1, "orientation {o}: max diff {max}");
    }
}

#[test]
fn exif_jpegs_come_out_upright_and_without_gps() {
    let reference = decode(&run("exif-1.jpg", r#"{"width": 48, "height": 32}"#).data);
    for o in 1..=8 {
        let name = format!("exif-{o}.jpg");
        assert!(metadata(&fixture(&name)).unwrap().has_gps);
        let out = run(&name, r#"{"width": 48, "height": 32}"#);
        assert_eq!((out.width, out.height, out.orientation), (48, 32, o));
        let (_, mean) = diff(&decode(&out.data), &reference);
        // Each fixture was JPEG-compressed in its stored orientation, so blocks differ a little.
        assert!(mean < 3.0, "orientation {o}: mean diff {mean}");
        let after = metadata(&out.data).unwrap();
        assert!(!after.has_exif && !after.has_gps && after.orientation == 1);
    }
    // auto_orient off: the stored pixels, stored size.
    let raw = run("exif-6.jpg", r#"{"auto_orient": false, "format": "png"}"#);
    assert_eq!((raw.width, raw.height, raw.orientation), (64, 96, 1));
}

const PATCHES: [[u8; 3]; 4] = [[200, 40, 40], [40, 180, 60], [50, 70, 200], [128, 128, 128]];

fn assert_patches(name: &str, tolerance: u8) {
    let out = decode(&run(name, r#"{"format": "png"}"#).data);
    for (i, want) in PATCHES.iter().enumerate() {
        let got = out.at(i as u32 * 32 + 16, 16);
        let got = if out.channels < 3 {
            vec![got[0]; 3]
        } else {
            got[..3].to_vec()
        };
        for c in 0..3 {
            assert!(
                got[c].abs_diff(want[c]) <= tolerance,
                "{name} patch {i}: got {got:?}, want {want:?} ±{tolerance}"
            );
        }
    }
}

#[test]
fn wide_gamut_profiles_are_converted_to_srgb() {
    assert_patches("patches.png", 0);
    assert_patches("patches-adobergb.png", 2);
    assert_patches("patches-prophotorgb.png", 2);
    assert_patches("patches-widegamutrgb.png", 2);
    assert_patches("patches-adobergb.jpg", 4);
    // Downscaled, the profile is applied after the resize (fewer pixels): same colours.
    for name in [
        "patches-adobergb.png",
        "patches-prophotorgb.png",
        "patches-adobergb.jpg",
    ] {
        let small = decode(
            &run(
                name,
                r#"{"width": 64, "height": 16, "fit": "fill", "format": "png"}"#,
            )
            .data,
        );
        for (i, want) in PATCHES.iter().enumerate() {
            let got = small.at(i as u32 * 16 + 8, 8);
            for c in 0..3 {
                assert!(
                    got[c].abs_diff(want[c]) <= 4,
                    "{name} patch {i}: {got:?} vs {want:?}"
                );
            }
        }
    }
    // Left unconverted, Adobe RGB values are visibly off: the test above can fail.
    let raw = decode(
        &run(
            "patches-adobergb.png",
            r#"{"format": "png", "to_srgb": false}"#,
        )
        .data,
    );
    assert!(raw.at(48, 16)[0].abs_diff(40) > 20 || raw.at(48, 16)[1].abs_diff(180) > 10);
}

#[test]
fn cmyk_and_gray_jpegs_become_srgb() {
    assert_patches("patches-cmyk.jpg", 6);
    let gray = run("patches-gray.jpg", r#"{"format": "png"}"#);
    let pixels = decode(&gray.data);
    assert_eq!(pixels.channels, 1, "gray stays one channel");
    assert!(pixels.at(3 * 32 + 16, 16)[0].abs_diff(128) <= 3);
}

#[test]
fn resizing_alpha_leaves_no_dark_fringes() {
    // Left half opaque white, right half fully transparent *black*: resampled without
    // premultiplication, the edge turns gray.
    let (w, h) = (64u32, 16u32);
    let mut rgba = Vec::new();
    for _y in 0..h {
        for x in 0..w {
            rgba.extend_from_slice(if x < w / 2 {
                &[255, 255, 255, 255]
            } else {
                &[0, 0, 0, 0]
            });
        }
    }
    let png_bytes = encode_png(w, h, 4, &rgba);
    for kernel in ["lanczos3", "mitchell", "catmull-rom", "bilinear", "box"] {
        let opts = options(&format!(
            r#"{{"width": 21, "height": 7, "fit": "fill", "format": "png", "kernel": "{kernel}"}}"#
        ));
        let out = decode(&process(&png_bytes, &opts).unwrap().data);
        assert_eq!(out.channels, 4);
        for px in out.data.chunks_exact(4).filter(|p| p[3] > 0) {
            assert!(
                px[..3].iter().all(|&c| c >= 250),
                "{kernel}: fringe pixel {px:?}"
            );
        }
        assert!(
            out.data.chunks_exact(4).any(|p| p[3] > 0 && p[3] < 255),
            "{kernel}: no soft edge"
        );
    }
}

#[test]
fn alpha_is_flattened_onto_the_background_for_jpeg() {
    let red = run("alpha.png", r##"{"background": "#ff0000"}"##);
    let px = decode(&red.data);
    assert_eq!(px.channels, 3);
    let corner = px.at(px.width - 2, px.height / 2); // the transparent right part
    assert!(
        corner[0] > 240 && corner[1] < 20 && corner[2] < 20,
        "{corner:?}"
    );
    let white = decode(&run("alpha.png", "{}").data);
    let corner = white.at(white.width - 2, white.height / 2);
    assert!(
        corner.iter().all(|&c| c > 245),
        "default background is white: {corner:?}"
    );
    // PNG output keeps the alpha; `flatten` removes it.
    assert_eq!(
        decode(&run("alpha.png", r#"{"format": "png"}"#).data).channels,
        4
    );
    assert_eq!(
        decode(&run("alpha.png", r#"{"format": "png", "flatten": true}"#).data).channels,
        3
    );
}

#[test]
fn sixteen_bit_palette_gray_alpha_webp_and_gif_decode() {
    let scene = decode(&run("scene.png", r#"{"format": "png"}"#).data);
    let sixteen = decode(&run("rgb16.png", r#"{"format": "png"}"#).data);
    assert!(
        diff(&sixteen, &scene).0 <= 1,
        "16-bit rounds to the 8-bit scene"
    );
    let palette = decode(&run("palette-trns.png", r#"{"format": "png"}"#).data);
    assert_eq!(palette.channels, 4);
    assert_eq!(palette.at(90, 10)[3], 0, "tRNS transparency kept");
    assert_eq!(palette.at(10, 10)[3], 255);
    let gray_alpha = decode(&run("gray-alpha.png", r#"{"format": "png"}"#).data);
    assert_eq!(gray_alpha.channels, 2);
    assert!(gray_alpha.at(5, 5)[1].abs_diff(128) <= 1);
    let lossless = decode(&run("lossless.webp", r#"{"format": "png"}"#).data);
    assert_eq!(diff(&lossless, &scene).0, 0, "lossless WebP is exact");
    let lossy = decode(&run("lossy.webp", r#"{"format": "png"}"#).data);
    assert!(diff(&lossy, &scene).1 < 6.0);
    let alpha = decode(&run("alpha.webp", r#"{"format": "png"}"#).data);
    assert_eq!((alpha.channels, alpha.at(90, 10)[3]), (4, 0));
    let gif = run("animated.gif", r#"{"format": "same"}"#);
    assert_eq!((gif.format, gif.source_format), (Format::Png, Format::Gif));
    assert!(
        diff(&decode(&gif.data), &scene).1 < 12.0,
        "first frame, palette-quantised"
    );
    let mislabelled = run("mislabelled.jpg", r#"{"format": "same"}"#);
    assert_eq!(mislabelled.source_format, Format::Png);
}

#[test]
fn progressive_and_baseline_jpeg_agree() {
    let a = decode(&run("photo.jpg", r#"{"format": "png"}"#).data);
    let b = decode(&run("progressive.jpg", r#"{"format": "png"}"#).data);
    assert!(diff(&a, &b).1 < 1.5);
}

/// 4:1:1 and 4:1:0 (chroma at a quarter of the luma's width), and their transposes: the colours
/// jpeg-decoder gives, at full size and as an avatar. The pipeline used to hand these files to
/// zune-jpeg 0.5.15, which decodes them to wrong colours (4:1:0 here: a mean difference of 108;
/// 4:1:1 on some sizes, 33–91 in a fuzz).
#[test]
fn quarter_resolution_chroma_decodes_to_the_right_colours() {
    use jpeg_encoder::SamplingFactor;
    let (width, height) = (203u16, 117u16);
    let rgb: Vec<u8> = (0..u32::from(height))
        .flat_map(|y| {
            (0..u32::from(width)).flat_map(move |x| {
                let disc = (x as i32 - 120).pow(2) + (y as i32 - 50).pow(2) < 900;
                match disc {
                    true => [230, 40, 190],
                    false => [(x + 20) as u8, (y * 2) as u8, 90],
                }
            })
        })
        .collect();
    for sampling in [
        SamplingFactor::R_4_1_1,
        SamplingFactor::R_4_1_0,
        SamplingFactor::F_1_4,
        SamplingFactor::F_2_4,
    ] {
        let mut jpeg = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 95);
        encoder.set_sampling_factor(sampling);
        encoder
            .encode(&rgb, width, height, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        let expected = decode(&jpeg);
        let ours = processed(&jpeg, r#"{"format": "png"}"#);
        let (max, mean) = diff(&ours, &expected);
        // Not closer: jpeg-decoder repeats each chroma sample four times where the pipeline
        // interpolates (max 52–76 at the disc's edge, mean 1.0–1.6).
        assert!(mean < 2.0, "{sampling:?}: max {max}, mean {mean:.2}");
        // An avatar (a shrunk decode, the planes resampled on their own) against the full-size
        // pixels resampled by the exact reference.
        let avatar = processed(&jpeg, r#"{"width": 48, "height": 48, "format": "png"}"#);
        let window = [43.0, 0.0, 117.0, 117.0];
        let reference = lanczos_reference(&expected, window, 48, 48);
        let (max, mean) = diff(&avatar, &reference);
        assert!(
            mean < 1.5 && max < 32,
            "{sampling:?} avatar: max {max}, mean {mean:.2}"
        );
    }
}

/// CMYK and YCCK JPEGs whose components are sampled unlike each other: the ones zune-jpeg 0.5.15
/// decodes to wrong pixels are refused as unsupported, the ones it decodes right (YCCK up to
/// 2×2, what Photoshop writes) give the picture the unsubsampled file gives.
#[test]
fn subsampled_four_component_jpegs_are_right_or_refused() {
    use jpeg_encoder::{ColorType, SamplingFactor};
    let (width, height) = (203u16, 117u16);
    let cmyk: Vec<u8> = (0..u32::from(height))
        .flat_map(|y| {
            (0..u32::from(width))
                .flat_map(move |x| [(x / 2 + 20) as u8, (y * 2) as u8, 90, ((x + y) % 100) as u8])
        })
        .collect();
    let encode = |color: ColorType, sampling: SamplingFactor| {
        let mut jpeg = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut jpeg, 95);
        encoder.set_sampling_factor(sampling);
        encoder.encode(&cmyk, width, height, color).unwrap();
        jpeg
    };
    let png = options(r#"{"format": "png"}"#);
    for color in [ColorType::Cmyk, ColorType::CmykAsYcck] {
        let whole = processed(
            &encode(color, SamplingFactor::F_1_1),
            r#"{"format": "png"}"#,
        );
        for (sampling, (across, down)) in [
            (SamplingFactor::F_2_1, (2, 1)),
            (SamplingFactor::F_1_2, (1, 2)),
            (SamplingFactor::F_2_2, (2, 2)),
            (SamplingFactor::F_4_1, (4, 1)),
            (SamplingFactor::F_4_2, (4, 2)),
            (SamplingFactor::F_1_4, (1, 4)),
            (SamplingFactor::F_2_4, (2, 4)),
        ] {
            let kept = matches!(color, ColorType::CmykAsYcck) && across <= 2 && down <= 2;
            match process(&encode(color, sampling), &png) {
                Ok(out) => {
                    assert!(kept, "{color:?} {sampling:?} is decoded");
                    let (max, mean) = diff(&decode(&out.data), &whole);
                    assert!(
                        mean < 1.0,
                        "{color:?} {sampling:?}: max {max}, mean {mean:.2}"
                    );
                }
                Err(e) => {
                    assert!(!kept, "{color:?} {sampling:?}: {e}");
                    assert!(
                        matches!(e, thumbsmith::Error::UnsupportedFormat { .. }),
                        "{color:?} {sampling:?}: {e:?}"
                    );
                }
            }
        }
    }
}
