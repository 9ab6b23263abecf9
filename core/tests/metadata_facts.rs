//! The header facts sharp's `metadata()` reports beyond size and colour: density, a JPEG's
//! chroma subsampling, a background colour and whether the colours are a palette. Checked on
//! files whose facts are known because the test writes them (JFIF and pHYs units, bKGD at
//! each bit depth), and on fixtures.

mod common;

use common::*;
use thumbsmith::metadata;

/// `png` with `chunk` (type and data) inserted before its first IDAT.
fn with_chunk(png: &[u8], kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let at = png.windows(4).position(|w| w == b"IDAT").unwrap() - 4;
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    let mut out = png[..at].to_vec();
    out.extend((data.len() as u32).to_be_bytes());
    out.extend(kind);
    out.extend(data);
    out.extend(crc.finalize().to_be_bytes());
    out.extend(&png[at..]);
    out
}

/// A JPEG of ours with its JFIF segment's unit and density set.
fn jfif(unit: u8, density: u16) -> Vec<u8> {
    let mut jpeg = run("photo.jpg", r#"{"width": 16, "format": "jpeg"}"#).data;
    let at = jpeg.windows(5).position(|w| w == b"JFIF\0");
    let at = match at {
        Some(at) => at,
        None => {
            // Our encoder writes no JFIF segment: put one right after SOI.
            let mut segment = vec![0xFF, 0xE0, 0, 16];
            segment.extend(b"JFIF\0\x01\x01");
            segment.extend([0; 7]);
            jpeg.splice(2..2, segment);
            6
        }
    };
    jpeg[at + 7] = unit;
    jpeg[at + 8..at + 10].copy_from_slice(&density.to_be_bytes());
    jpeg[at + 10..at + 12].copy_from_slice(&density.to_be_bytes());
    jpeg
}

#[test]
fn jpeg_density_comes_from_exif_then_jfif_else_72() {
    assert_eq!(metadata(&jfif(1, 300)).unwrap().density, Some(300));
    assert_eq!(metadata(&jfif(2, 118)).unwrap().density, Some(300));
    // No unit: libvips reads pixels per millimetre (sharp's 7620 for "300"); 1:1 is an aspect
    // ratio only, so the default 72.
    assert_eq!(metadata(&jfif(0, 300)).unwrap().density, Some(7620));
    assert_eq!(metadata(&jfif(0, 1)).unwrap().density, Some(72));
    // A resolution too low to report (10 dpi) is still the file's: no default.
    assert_eq!(metadata(&jfif(1, 10)).unwrap().density, None);
    for name in ["photo.jpg", "exif-6.jpg", "patches-cmyk.jpg"] {
        let density = metadata(&fixture(name)).unwrap().density;
        assert!(density.is_some_and(|d| d > 25), "{name}: {density:?}");
    }
}

#[test]
fn jpeg_chroma_subsampling_is_named_from_the_frame() {
    for (sub, name) in [("4:2:0", "4:2:0"), ("4:2:2", "4:2:2"), ("4:4:4", "4:4:4")] {
        let jpeg = run(
            "photo.jpg",
            &format!(r#"{{"width": 32, "chroma_subsampling": "{sub}"}}"#),
        )
        .data;
        assert_eq!(
            metadata(&jpeg).unwrap().chroma_subsampling.as_deref(),
            Some(name)
        );
    }
    let cmyk = metadata(&fixture("patches-cmyk.jpg")).unwrap();
    assert_eq!(
        cmyk.chroma_subsampling
            .as_deref()
            .map(|s| s.matches(':').count()),
        Some(3)
    );
    assert_eq!(
        metadata(&fixture("patches-gray.jpg"))
            .unwrap()
            .chroma_subsampling,
        None
    );
    assert_eq!(
        metadata(&fixture("scene.png")).unwrap().chroma_subsampling,
        None
    );
}

#[test]
fn png_density_and_background_come_from_phys_and_bkgd() {
    let gray = encode_png(4, 4, 2, &[90; 32]);
    let mut phys = 11811u32.to_be_bytes().repeat(2);
    phys.push(1);
    let png = with_chunk(&gray, b"pHYs", &phys);
    let m = metadata(&png).unwrap();
    assert_eq!(
        (m.density, m.background.clone(), m.palette),
        (Some(300), None, false)
    );
    // None: libvips' 72.
    assert_eq!(metadata(&gray).unwrap().density, Some(72));
    // No unit: pixels per millimetre, as libvips reads it; 1:1 is an aspect ratio only.
    phys[8] = 0;
    assert_eq!(
        metadata(&with_chunk(&gray, b"pHYs", &phys))
            .unwrap()
            .density,
        Some(299_999)
    );
    let mut three = 3u32.to_be_bytes().repeat(2);
    three.push(0);
    assert_eq!(
        metadata(&with_chunk(&gray, b"pHYs", &three))
            .unwrap()
            .density,
        Some(76)
    );
    let mut one = 1u32.to_be_bytes().repeat(2);
    one.push(0);
    // …and a pHYs, even 1:1, replaces libvips' default: no density.
    assert_eq!(
        metadata(&with_chunk(&gray, b"pHYs", &one)).unwrap().density,
        None
    );
    // bKGD of an 8-bit gray image: its sample; of an RGB one: three.
    let m = metadata(&with_chunk(&gray, b"bKGD", &[0, 171])).unwrap();
    assert_eq!(m.background, Some(vec![171]));
    let rgb = encode_png(2, 2, 3, &[0; 12]);
    let m = metadata(&with_chunk(&rgb, b"bKGD", &[0, 10, 0, 20, 0, 30])).unwrap();
    assert_eq!(m.background, Some(vec![10, 20, 30]));
    // A 16-bit image's samples scale to 8 bits (0xABAB is 171).
    let mut gray16 = Vec::new();
    let mut encoder = png::Encoder::new(&mut gray16, 2, 2);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Sixteen);
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(&[7; 8]).unwrap();
    writer.finish().unwrap();
    assert_eq!(metadata(&gray16).unwrap().bit_depth, 16);
    let m = metadata(&with_chunk(&gray16, b"bKGD", &[0xAB, 0xAB])).unwrap();
    assert_eq!(m.background, Some(vec![171]));
    assert!(metadata(&fixture("palette-trns.png")).unwrap().palette);
}

#[test]
fn gif_background_is_the_screen_colour_and_colours_are_a_palette() {
    let m = metadata(&fixture("animated.gif")).unwrap();
    assert!(m.palette);
    assert_eq!(m.density, None);
    if let Some(bg) = &m.background {
        assert_eq!(bg.len(), 3);
    }
    let webp = metadata(&fixture("lossy.webp")).unwrap();
    assert_eq!(
        (
            webp.density,
            webp.background,
            webp.palette,
            webp.chroma_subsampling
        ),
        (None, None, false, None)
    );
}
