//! The encoded output: metadata kept or stripped, extras, every format, and the JPEG encoder's
//! bytes (progressive scans, quantisation, the same bytes on every CPU, smart subsampling).

use super::*;

#[test]
fn metadata_is_stripped_unless_kept() {
    let photo = fixture("photo.jpg");
    assert!(metadata(&photo).unwrap().has_exif);
    let out = run("photo.jpg", r#"{"width": 32}"#);
    assert!(!metadata(&out.data).unwrap().has_exif);
    // Only JFIF's APP0 (18 bytes: decoders that meet three components without it guess the
    // colour space), tables and the frame header before the scan, and the component ids 1, 2, 3
    // say YCbCr to a decoder as libjpeg reads them too.
    assert_eq!(&out.data[2..4], [0xFF, 0xE0]);
    assert_eq!(&out.data[6..11], b"JFIF\0");
    let mut at = 2;
    let mut markers = Vec::new();
    while out.data[at + 1] != 0xDA {
        markers.push(out.data[at + 1]);
        if out.data[at + 1] == 0xC0 {
            let ids: Vec<u8> = (0..3).map(|c| out.data[at + 10 + 3 * c]).collect();
            assert_eq!((out.data[at + 9], ids), (3, vec![1, 2, 3]));
        }
        at += 2 + usize::from(u16::from_be_bytes([out.data[at + 2], out.data[at + 3]]));
    }
    assert!(
        markers[1..].iter().all(|m| [0xC0, 0xDB, 0xC4].contains(m)),
        "{markers:x?}"
    );
    let kept = run("photo.jpg", r#"{"width": 32, "keep_copyright": true}"#);
    let text = String::from_utf8_lossy(&kept.data);
    assert!(text.contains("Example Photographer"));
    // GPS is never carried by keep_copyright, only by keep_gps.
    let with_gps = run("exif-6.jpg", r#"{"width": 32, "keep_copyright": true}"#);
    assert!(!metadata(&with_gps.data).unwrap().has_gps);
    let with_gps = run("exif-6.jpg", r#"{"width": 32, "keep_gps": true}"#);
    let m = metadata(&with_gps.data).unwrap();
    assert!(
        m.has_gps && m.orientation == 1,
        "GPS kept, orientation tag not"
    );
    // The ICC profile survives only when the pixels were not converted.
    let kept_icc = run(
        "patches-adobergb.png",
        r#"{"format": "png", "to_srgb": false, "keep_icc": true}"#,
    );
    assert!(metadata(&kept_icc.data).unwrap().has_icc);
    let converted = run(
        "patches-adobergb.png",
        r#"{"format": "png", "keep_icc": true}"#,
    );
    assert!(!metadata(&converted.data).unwrap().has_icc);
}

#[test]
fn extras_describe_the_result() {
    let out = run(
        "patches.png",
        r#"{"crop": {"left": 0, "top": 0, "width": 32, "height": 32}, "thumbhash": true, "dominant_color": true, "content_hash": true, "format": "png"}"#,
    );
    assert_eq!(out.dominant_color.as_deref(), Some("#c82828"));
    let hash = out.thumbhash.unwrap();
    let (w, h, rgba) = thumbhash::thumb_hash_to_rgba(&hash).unwrap();
    assert!(
        w > 0 && h > 0 && rgba[0] > 150 && rgba[1] < 90,
        "placeholder is red-ish"
    );
    use sha2::Digest;
    let digest = sha2::Sha256::digest(&out.data);
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    assert_eq!(out.content_hash, Some(hex));
    let plain = run("patches.png", r#"{"format": "png"}"#);
    assert!(
        plain.thumbhash.is_none() && plain.dominant_color.is_none() && plain.content_hash.is_none()
    );
}

#[test]
fn every_output_format_round_trips() {
    for (format, magic) in [
        ("jpeg", &b"\xFF\xD8\xFF"[..]),
        ("png", b"\x89PNG"),
        ("webp", b"RIFF"),
    ] {
        let out = run(
            "photo.jpg",
            &format!(r#"{{"width": 50, "format": "{format}", "lossless": true}}"#),
        );
        assert!(out.data.starts_with(magic), "{format}");
        assert_eq!(metadata(&out.data).unwrap().width, 50);
        assert_eq!(out.height, 38);
    }
    let prog = run(
        "photo.jpg",
        r#"{"width": 50, "progressive": true, "chroma_subsampling": "4:4:4"}"#,
    );
    assert!(metadata(&prog.data).unwrap().progressive);
}

/// A progressive JPEG carries the baseline file's coefficients, so an independent decoder
/// (jpeg-decoder) gets the same pixels from both, and with EOB runs and a Huffman table per scan
/// it costs about what the baseline file does (jpeg-encoder's own progressive mode made the
/// corpus avatars 7–89 % larger than baseline: an EOB symbol for every empty band of every block,
/// one table shared by all bands; with per-scan tables but no EOB runs `scene.png` is 8.4 %
/// larger here, over this test's bound).
#[test]
fn a_progressive_jpeg_is_the_baseline_picture_at_about_its_size() {
    for (name, extra) in [
        ("photo.jpg", ""),
        ("scene.png", r#", "chroma_subsampling": "4:4:4""#),
        ("patches-gray.jpg", ""),
    ] {
        let baseline = run(name, &format!(r#"{{"width": 512{extra}}}"#));
        let progressive = run(
            name,
            &format!(r#"{{"width": 512, "progressive": true{extra}}}"#),
        );
        assert!(metadata(&progressive.data).unwrap().progressive, "{name}");
        assert!(!metadata(&baseline.data).unwrap().progressive, "{name}");
        assert_eq!(
            decode(&progressive.data).data,
            decode(&baseline.data).data,
            "{name}"
        );
        let ratio = progressive.data.len() as f64 / baseline.data.len() as f64;
        assert!(ratio < 1.04, "{name}: progressive {ratio:.3}× baseline");
    }
}

/// The encoder's progressive scans with restart markers (thumbsmith does not set them, but the
/// patched code ends a pending EOB run at each one): still the baseline picture.
#[test]
fn progressive_scans_end_their_eob_runs_at_restart_markers() {
    let (width, height) = (203u16, 77u16);
    let rgb: Vec<u8> = (0..u32::from(width) * u32::from(height) * 3)
        .map(|i| {
            let (x, y) = ((i / 3) % u32::from(width), (i / 3) / u32::from(width));
            // Flat areas (long EOB runs) next to a busy patch, in every channel.
            if x < 120 {
                (y * 2 + i % 3 * 40) as u8
            } else {
                ((x * 37) ^ (y * 91) ^ i) as u8
            }
        })
        .collect();
    let encode = |progressive: bool| {
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
        encoder.set_restart_interval(3);
        if progressive {
            encoder.set_progressive_scans(3);
        }
        encoder
            .encode(&rgb, width, height, jpeg_encoder::ColorType::Rgb)
            .unwrap();
        out
    };
    assert_eq!(decode(&encode(true)).data, decode(&encode(false)).data);
}

/// One EOBn symbol codes at most 32767 empty blocks; a flat 1600×1600 gray picture has 40000
/// per band, so the run must be cut there (one more would read as a ZRL symbol).
#[test]
fn progressive_eob_runs_longer_than_one_symbol_are_split() {
    let (width, height) = (1600u16, 1600u16);
    let gray = vec![100u8; usize::from(width) * usize::from(height)];
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 80);
    encoder.set_progressive_scans(3);
    encoder
        .encode(&gray, width, height, jpeg_encoder::ColorType::Luma)
        .unwrap();
    let pixels = decode(&out);
    assert_eq!((pixels.width, pixels.height), (1600, 1600));
    assert!(pixels.data.iter().all(|&v| v == 100));
}

/// Each coefficient is rounded to its nearest quantisation step, as libjpeg rounds it. An 8×8
/// gray block of 39 pixels at 161 and 25 at 160 has a DC coefficient of 2087 (the sum less
/// 128 per pixel), 43.48 steps of q80's luma DC step (48): 43, which decodes to 160 everywhere.
/// jpeg-encoder 0.7.1 divides by a 15-bit reciprocal that makes it 44, and every pixel 161 —
/// the reason for the patched copy in core/vendor/jpeg-encoder. The 161s sit on every other
/// pixel (and 7 more): the AC coefficients they make all quantise to 0.
#[test]
fn jpeg_coefficients_round_to_the_nearest_step() {
    let mut gray = [160u8; 64];
    for (i, px) in gray.iter_mut().enumerate() {
        let (x, y) = (i % 8, i / 8);
        if (x + y) % 2 == 0 || (y % 2 == 1 && (x == 0 || x == 4) && i != 60) {
            *px = 161;
        }
    }
    assert_eq!(gray.iter().filter(|&&p| p == 161).count(), 39);
    let png_bytes = encode_png(8, 8, 1, &gray);
    let out = process(&png_bytes, &options(r#"{"format": "jpeg", "quality": 80}"#)).unwrap();
    let decoded = decode(&out.data);
    assert_eq!((decoded.width, decoded.height, decoded.channels), (8, 8, 1));
    assert_eq!(decoded.data, vec![160; 64]);
}

/// A `width`×`height` RGB picture with what a photo's blocks hold: gradients, a ripple, hard
/// edges and noise.
fn photo_like_rgb(width: u16, height: u16) -> Vec<u8> {
    (0..u32::from(height))
        .flat_map(|y| (0..u32::from(width)).map(move |x| (x, y)))
        .flat_map(|(x, y)| {
            let ripple = 60.0 * ((x as f32 / 7.0).sin() * (y as f32 / 11.0).cos());
            let edge = if (x / 23 + y / 17) % 2 == 0 {
                90.0
            } else {
                0.0
            };
            let noise = ((x * 7919 + y * 104_729) % 23) as f32;
            [
                128.0 + ripple + edge - noise,
                x as f32 + noise,
                255.0 - y as f32 - ripple,
            ]
            .map(|v| v.clamp(0.0, 255.0) as u8)
        })
        .collect()
}

/// The encoder thumbsmith calls (`Encoder::encode`) runs, on CPUs with AVX2, the patched
/// jpeg-encoder's block path compiled for AVX2; `Encoder::encode_image` with a caller's pixel
/// source always runs the portable build. Both must write the same bytes, or the bindings'
/// outputs would depend on the CPU: photo-like RGB and gray at q50/q80/q95, 4:2:0 and 4:4:4,
/// optimised Huffman tables or not, baseline and progressive, sizes off the 16-pixel grid.
#[test]
fn the_jpeg_encoder_writes_the_same_bytes_on_every_cpu() {
    use jpeg_encoder::{
        rgb_to_ycbcr, ChromaSubsamplingMethod, ColorType, Encoder, ImageBuffer, JpegColorType,
        SamplingFactor,
    };

    /// Interleaved RGB or gray through the public `ImageBuffer` trait (the portable path).
    struct Portable<'a>(&'a [u8], u16, u16, bool);
    impl ImageBuffer for Portable<'_> {
        fn get_jpeg_color_type(&self) -> JpegColorType {
            if self.3 {
                JpegColorType::Ycbcr
            } else {
                JpegColorType::Luma
            }
        }
        fn width(&self) -> u16 {
            self.1
        }
        fn height(&self) -> u16 {
            self.2
        }
        fn fill_buffers(&self, y: u16, buffers: &mut [Vec<u8>; 4]) {
            let n = if self.3 { 3 } else { 1 };
            let row =
                &self.0[usize::from(y) * usize::from(self.1) * n..][..usize::from(self.1) * n];
            for px in row.chunks_exact(n) {
                if self.3 {
                    let (y, cb, cr) = rgb_to_ycbcr(px[0], px[1], px[2]);
                    buffers[0].push(y);
                    buffers[1].push(cb);
                    buffers[2].push(cr);
                } else {
                    buffers[0].push(px[0]);
                }
            }
        }
    }

    let (width, height) = (203u16, 141u16);
    let rgb = photo_like_rgb(width, height);
    let gray: Vec<u8> = rgb
        .chunks_exact(3)
        .map(|px| px[0] / 2 + px[2] / 2)
        .collect();

    let mut cases = 0;
    for (pixels, colour) in [(&rgb, true), (&gray, false)] {
        for quality in [50, 80, 95] {
            for sampling in [SamplingFactor::R_4_2_0, SamplingFactor::R_4_4_4] {
                for (optimise, progressive) in [(true, false), (false, false), (true, true)] {
                    let encoder = |out| {
                        let mut encoder = Encoder::new(out, quality);
                        encoder.set_sampling_factor(sampling);
                        encoder.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
                        encoder.set_optimized_huffman_tables(optimise);
                        if progressive {
                            encoder.set_progressive_scans(3);
                        }
                        encoder
                    };
                    let (mut dispatched, mut portable) = (Vec::new(), Vec::new());
                    let color_type = if colour {
                        ColorType::Rgb
                    } else {
                        ColorType::Luma
                    };
                    encoder(&mut dispatched)
                        .encode(pixels, width, height, color_type)
                        .unwrap();
                    encoder(&mut portable)
                        .encode_image(Portable(pixels, width, height, colour))
                        .unwrap();
                    assert!(
                        dispatched == portable,
                        "colour {colour}, q{quality}, {sampling:?}, optimised {optimise}, \
                         progressive {progressive}"
                    );
                    cases += 1;
                }
            }
        }
    }
    assert_eq!(cases, 36);
}

/// `smart_subsample` changes only what it should: colour JPEG with subsampled chroma, where the
/// luma it adds keeps the decoded colour edges closer to the source; a gray picture and 4:4:4
/// are the bytes they were.
#[test]
fn smart_subsample_only_touches_subsampled_colour() {
    let pixels =
        |out: &thumbsmith::Output| jpeg_decoder::Decoder::new(&out.data[..]).decode().unwrap();
    let source = run(
        "patches.png",
        r#"{"width": 64, "height": 64, "format": "png"}"#,
    );
    let mut reader = png::Decoder::new(std::io::Cursor::new(source.data))
        .read_info()
        .unwrap();
    let mut exact = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut exact).unwrap();
    // What the option keeps: each pixel's luminance in linear light.
    let luminance = |p: &[u8]| -> f64 {
        let linear = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(p[0]) + 0.7152 * linear(p[1]) + 0.0722 * linear(p[2])
    };
    let error = |decoded: &[u8]| -> f64 {
        decoded
            .chunks_exact(3)
            .zip(exact.chunks_exact(3))
            .map(|(a, b)| (luminance(a) - luminance(b)).abs())
            .sum()
    };
    let plain = run("patches.png", r#"{"width": 64, "height": 64}"#);
    let smart = run(
        "patches.png",
        r#"{"width": 64, "height": 64, "smart_subsample": true}"#,
    );
    assert_ne!(plain.data, smart.data);
    assert!(
        error(&pixels(&smart)) < error(&pixels(&plain)),
        "luminance error: smart {:.2} vs plain {:.2}",
        error(&pixels(&smart)),
        error(&pixels(&plain))
    );
    for (name, json) in [
        ("patches-gray.jpg", r#"{"width": 64, "height": 64"#),
        (
            "patches.png",
            r#"{"width": 64, "height": 64, "chroma_subsampling": "4:4:4""#,
        ),
    ] {
        let plain = run(name, &format!("{json}}}"));
        let smart = run(name, &format!("{json}, \"smart_subsample\": true}}"));
        assert_eq!(plain.data, smart.data, "{name}");
    }
}

/// `channels` and `has_alpha` say what the encoded file holds, as an independent decoder reads it.
#[test]
fn channels_are_those_of_the_encoded_image() {
    for (name, json, expected) in [
        ("photo.jpg", r#"{"width": 32}"#, 3),
        ("patches-gray.jpg", r#"{"width": 32}"#, 1),
        ("alpha.png", r#"{"width": 32, "format": "png"}"#, 4),
        ("gray-alpha.png", r#"{"width": 32, "format": "png"}"#, 2),
        ("alpha.png", r#"{"width": 32, "format": "jpeg"}"#, 3),
        (
            "alpha.png",
            r#"{"width": 32, "format": "png", "flatten": true}"#,
            3,
        ),
    ] {
        let output = run(name, json);
        let decoded = decode(&output.data);
        assert_eq!(output.channels, expected, "{name} {json}");
        assert_eq!(
            usize::from(output.channels),
            decoded.channels,
            "{name} {json}"
        );
        assert_eq!(output.has_alpha, expected % 2 == 0, "{name} {json}");
    }
}

/// `remove_alpha` drops the channel without blending: the colours are those the RGBA output has;
/// `ensure_alpha` adds an opaque one where the format can hold it, the colours unchanged.
#[test]
fn remove_and_ensure_alpha_change_only_the_alpha_channel() {
    let rgba = processed(&fixture("alpha.png"), r#"{"width": 32, "format": "png"}"#);
    let rgb = processed(
        &fixture("alpha.png"),
        r#"{"width": 32, "format": "png", "removeAlpha": true}"#,
    );
    assert_eq!((rgba.channels, rgb.channels), (4, 3));
    let colours: Vec<u8> = rgba
        .data
        .chunks_exact(4)
        .flat_map(|p| p[..3].to_vec())
        .collect();
    assert_eq!(rgb.data, colours);
    assert!(
        rgba.data.chunks_exact(4).any(|p| p[3] < 255),
        "the fixture has see-through pixels"
    );

    let plain = processed(&fixture("scene.png"), r#"{"width": 32, "format": "png"}"#);
    let with_alpha = processed(
        &fixture("scene.png"),
        r#"{"width": 32, "format": "png", "ensureAlpha": true}"#,
    );
    assert_eq!((plain.channels, with_alpha.channels), (3, 4));
    let expected: Vec<u8> = plain
        .data
        .chunks_exact(3)
        .flat_map(|p| [p[0], p[1], p[2], 255])
        .collect();
    assert_eq!(with_alpha.data, expected);

    // JPEG has no alpha to add; asking for both is refused.
    assert_eq!(
        run("scene.png", r#"{"width": 8, "ensureAlpha": true}"#).channels,
        3
    );
    let both = Options::from_json(r#"{"removeAlpha": true, "ensureAlpha": true}"#);
    assert!(matches!(both, Err(thumbsmith::Error::InvalidOption(_))));
}

/// `create` makes a PNG of one exact colour that the pipeline reads like any upload.
#[test]
fn a_created_image_is_one_colour_of_the_asked_size() {
    let spec = thumbsmith::Create::from_value(serde_json::json!({
        "width": 7, "height": 3, "channels": 4, "background": {"r": 10, "g": 20, "b": 30, "alpha": 0.5}
    }))
    .unwrap();
    let png = thumbsmith::create(&spec).unwrap();
    let pixels = decode(&png);
    assert_eq!((pixels.width, pixels.height, pixels.channels), (7, 3, 4));
    assert!(pixels.data.chunks_exact(4).all(|p| p == [10, 20, 30, 128]));
    let resized = processed(&png, r#"{"width": 14, "format": "png"}"#);
    assert_eq!((resized.width, resized.height), (14, 6));
    assert!(resized.data.chunks_exact(4).all(|p| p == [10, 20, 30, 128]));
    for bad in [
        serde_json::json!({"width": 0, "height": 3, "channels": 3, "background": "white"}),
        serde_json::json!({"width": 1, "height": 3, "channels": 2, "background": "white"}),
        serde_json::json!({"width": 1, "height": 3, "channels": 3, "background": "white", "noise": {}}),
    ] {
        let refused =
            thumbsmith::Create::from_value(bad.clone()).and_then(|s| thumbsmith::create(&s));
        assert!(
            matches!(refused, Err(thumbsmith::Error::InvalidOption(_))),
            "{bad}"
        );
    }
    let huge = thumbsmith::Create::from_value(serde_json::json!({
        "width": 100000, "height": 100000, "channels": 3, "background": "black"
    }))
    .unwrap();
    assert!(matches!(
        thumbsmith::create(&huge),
        Err(thumbsmith::Error::LimitExceeded { .. })
    ));
}
