//! TIFF and JPEG XL input: each fixture (tests/fixtures/formats/make.sh) decoded and compared with
//! the reference decoder's output (libtiff's tiff2rgba, libjxl's djxl) within a stated bound, the
//! header facts, the avatar job upright, and every truncation of every fixture a typed error.
#![cfg(all(feature = "decode-tiff", feature = "decode-jxl"))]

mod common;

use common::*;
use thumbsmith::stages::Raster;
use thumbsmith::{ColorModel, Error, Format};

/// A reference PNG as 8-bit RGBA (16-bit samples rounded, gray spread), premultiplied by alpha
/// when `premultiply` (tiff2rgba writes premultiplied RGBA).
fn reference(name: &str) -> Pixels {
    let bytes = fixture(&format!("formats/ref/{name}"));
    let mut decoder = png::Decoder::new(std::io::Cursor::new(&bytes[..]));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    let samples: Vec<u8> = if info.bit_depth == png::BitDepth::Sixteen {
        buf.chunks_exact(2)
            .map(|b| ((u32::from(u16::from_be_bytes([b[0], b[1]])) * 255 + 32767) / 65535) as u8)
            .collect()
    } else {
        buf
    };
    rgba(info.width, info.height, info.color_type.samples(), &samples)
}

fn rgba(width: u32, height: u32, channels: usize, data: &[u8]) -> Pixels {
    let data = data
        .chunks_exact(channels)
        .flat_map(|p| match channels {
            1 => [p[0], p[0], p[0], 255],
            2 => [p[0], p[0], p[0], p[1]],
            3 => [p[0], p[1], p[2], 255],
            _ => [p[0], p[1], p[2], p[3]],
        })
        .collect();
    Pixels {
        width,
        height,
        channels: 4,
        data,
    }
}

fn premultiplied(mut p: Pixels) -> Pixels {
    for px in p.data.chunks_exact_mut(4) {
        let a = u32::from(px[3]);
        for c in &mut px[..3] {
            *c = ((u32::from(*c) * a + 127) / 255) as u8;
        }
    }
    p
}

/// Our decode of a fixture (as stored, no profile applied), as RGBA.
fn ours(name: &str) -> Pixels {
    let (raster, _icc) = thumbsmith::stages::decode(&fixture(&format!("formats/{name}"))).unwrap();
    as_pixels(raster)
}

fn as_pixels(raster: Raster) -> Pixels {
    rgba(
        raster.width,
        raster.height,
        usize::from(raster.channels),
        &raster.data,
    )
}

/// Max abs difference (0–255) from the reference decoder, per fixture. Lossless TIFF is exact
/// (alpha compared premultiplied, as tiff2rgba writes it; the 16-bit samples are 8-bit ones ×257,
/// which truncating and rounding both give back); JPEG-in-TIFF goes through another JPEG decoder
/// (zune-jpeg vs libjpeg: IDCT and chroma upsampling differ); JPEG XL's lossy frames go through
/// float pipelines in both decoders (rounding differs), its lossless ones are exact.
const CASES: [(&str, u8); 20] = [
    ("strip-lzw.tif", 0),
    ("tile-deflate.tif", 0),
    ("strip-packbits.tif", 0),
    ("big-endian.tif", 0),
    ("bigtiff.tif", 0),
    // The first page only: the reference is strip-lzw.tif's.
    ("multipage.tif", 0),
    ("gray.tif", 0),
    ("orient-6.tif", 0),
    ("patches-adobergb.tif", 0),
    ("rgb16.tif", 0),
    ("alpha.tif", 0),
    ("cmyk.tif", 0),
    ("jpeg.tif", 2),
    ("ycbcr-jpeg.tif", 2),
    ("lossless.jxl", 0),
    ("rgb16.jxl", 0),
    ("lossy.jxl", 1),
    ("alpha.jxl", 1),
    ("container.jxl", 1),
    ("orient-6.jxl", 0),
];

#[test]
fn decodes_match_the_reference_decoders() {
    let mut report = Vec::new();
    for (name, bound) in CASES {
        let mut mine = ours(name);
        let reference_of = if name == "multipage.tif" {
            "strip-lzw.tif"
        } else {
            name
        };
        let mut theirs = reference(&format!("{reference_of}.png"));
        if name.ends_with(".tif") {
            (mine, theirs) = (premultiplied(mine), premultiplied(theirs));
        }
        if name == "orient-6.jxl" {
            // djxl writes the picture upright (tiff2rgba as stored); ours is as stored until the
            // pipeline orients it.
            let raster = Raster::new(mine.width, mine.height, 4, mine.data);
            let upright = thumbsmith::stages::orient(raster, 6);
            mine = as_pixels(upright);
        }
        assert_eq!(
            (mine.width, mine.height),
            (theirs.width, theirs.height),
            "{name}: size"
        );
        let (max, mean) = diff(&mine, &theirs);
        report.push(format!("{name}: max {max}, mean {mean:.3}"));
        assert!(max <= bound, "{name}: max abs difference {max} > {bound}");
    }
    println!("{}", report.join("\n"));
}

#[test]
fn header_facts() {
    let meta = |name: &str| thumbsmith::metadata(&fixture(&format!("formats/{name}"))).unwrap();
    let m = meta("orient-6.tif");
    assert_eq!((m.format, m.width, m.height), (Format::Tiff, 32, 48));
    assert_eq!(
        (m.orientation, m.oriented_width, m.oriented_height),
        (6, 48, 32)
    );
    let m = meta("orient-6.jxl");
    assert_eq!(
        (m.format, m.width, m.height, m.orientation),
        (Format::Jxl, 32, 48, 6)
    );
    assert!(!m.has_icc, "an sRGB JPEG XL reports no profile");
    let m = meta("cmyk.tif");
    assert_eq!(
        (m.color_model, m.has_alpha, m.bit_depth),
        (ColorModel::Cmyk, false, 8)
    );
    let m = meta("alpha.tif");
    assert_eq!((m.color_model, m.has_alpha), (ColorModel::Rgb, true));
    let m = meta("gray.tif");
    assert_eq!(m.color_model, ColorModel::Gray);
    assert_eq!(meta("rgb16.tif").bit_depth, 16);
    assert_eq!(meta("rgb16.jxl").bit_depth, 16);
    assert!(meta("alpha.jxl").has_alpha);
    assert!(meta("patches-adobergb.tif").has_icc);
    assert_eq!(
        (meta("multipage.tif").frames, meta("strip-lzw.tif").frames),
        (2, 1)
    );
    assert!(!meta("strip-lzw.tif").has_icc);
}

/// The avatar job of an orientation-6 file gives the picture the upright file gives.
#[test]
fn avatars_are_upright() {
    let job = r#"{"width": 24, "height": 24, "format": "png"}"#;
    for (rotated, upright, bound) in [
        ("orient-6.tif", "strip-lzw.tif", 2),
        ("orient-6.jxl", "lossless.jxl", 2),
    ] {
        let a = processed(&fixture(&format!("formats/{rotated}")), job);
        let b = processed(&fixture(&format!("formats/{upright}")), job);
        let (max, mean) = diff(&a, &b);
        assert!(
            max <= bound,
            "{rotated} vs {upright}: max {max}, mean {mean:.3}"
        );
    }
}

/// The Adobe RGB profile in tag 34675 is applied: the patches come out as the sRGB values they
/// were made from (../patches.png), as the Adobe RGB PNG of the same patches does.
#[test]
fn the_tiff_profile_is_applied() {
    let job = r#"{"width": 64, "height": 16, "format": "png", "fit": "fill"}"#;
    let made_from = [[200, 40, 40], [40, 180, 60], [50, 70, 200], [128, 128, 128]];
    let off = |pixels: &Pixels| {
        (0..4)
            .flat_map(|i| {
                let at = pixels.at(8 + 16 * i, 8);
                (0..3).map(move |c| at[c].abs_diff(made_from[i as usize][c]))
            })
            .max()
            .unwrap()
    };
    let converted = off(&processed(&fixture("formats/patches-adobergb.tif"), job));
    assert!(converted <= 2, "off by {converted}");
    let unconverted = off(&processed(
        &fixture("formats/patches-adobergb.tif"),
        r#"{"width": 64, "height": 16, "format": "png", "fit": "fill", "to_srgb": false}"#,
    ));
    assert!(unconverted > 10, "the profile changes the pixels");
}

/// Every prefix of every fixture (cut every few bytes) is decoded or refused with a typed error:
/// never a panic (`Internal`).
#[test]
fn truncated_files_give_typed_errors() {
    let options = options(r#"{"width": 16, "height": 16}"#);
    for (name, _) in CASES {
        let bytes = fixture(&format!("formats/{name}"));
        let step = (bytes.len() / 60).max(1);
        for len in (0..bytes.len()).step_by(step) {
            let cut = &bytes[..len];
            for result in [
                thumbsmith::metadata(cut).map(|_| ()),
                thumbsmith::process(cut, &options).map(|_| ()),
            ] {
                if let Err(e) = result {
                    assert!(!matches!(e, Error::Internal(_)), "{name} cut at {len}: {e}");
                }
            }
        }
    }
}

/// The header's size is refused against `max_input_pixels` before anything is decoded.
#[test]
fn pixel_limits_come_from_the_header() {
    for name in ["strip-lzw.tif", "lossy.jxl"] {
        let err = thumbsmith::process(
            &fixture(&format!("formats/{name}")),
            &options(r#"{"width": 16, "height": 16, "max_input_pixels": 1000}"#),
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::LimitExceeded { value: 1536, .. }),
            "{name}: {err}"
        );
    }
    let err = thumbsmith::process(
        &fixture("formats/patches-adobergb.tif"),
        &options(r#"{"width": 16, "height": 16, "max_metadata_bytes": 1000}"#),
    )
    .unwrap_err();
    assert!(matches!(err, Error::LimitExceeded { .. }), "{err}");
}
