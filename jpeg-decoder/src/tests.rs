//! The decoder's unit tests that reach inside it: against the full-size decode box-filtered,
//! multi-scan files against their single-scan transcodes, parts against the whole, the IDCT
//! matrices against their formula and the AVX2 code against the portable code.

use crate::baseline::skip_rest;
use crate::bitstream::Bits;
use crate::huffman::{Huffman, SkipTable, SKIP_BITS};
use crate::idct::{idct_matrix, transform, Block, Plan};
use crate::scaled_length as jpeg_scaled_length;
use crate::{decode as decode_part, decode_in_bands, parse, progressive, Plane, Planes, Rect};
use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
use proptest::prelude::*;
use std::sync::Arc;

fn jpeg_options() -> zune_core::options::DecoderOptions {
    zune_core::options::DecoderOptions::default()
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX))
        .set_strict_mode(false)
}

/// A test picture: smooth gradients and a slow ripple; with `edges`, also a disc, stripes and
/// a little texture, so the high frequencies matter too.
fn picture(width: u32, height: u32, edges: bool) -> Vec<u8> {
    let mut data = Vec::with_capacity(width as usize * height as usize * 3);
    let (cx, cy) = (width as f32 * 0.4, height as f32 * 0.55);
    let r = width.min(height) as f32 / 3.0;
    for y in 0..height {
        for x in 0..width {
            // Gradients of at most 2 levels a pixel, whatever the size.
            let (fx, fy) = (
                x as f32 / width.max(128) as f32,
                y as f32 / height.max(128) as f32,
            );
            let ripple = 20.0 * ((x as f32 / 9.0).sin() * (y as f32 / 13.0).cos());
            let mut rgb = [
                255.0 * fx,
                200.0 * fy + 30.0 + ripple,
                128.0 + 100.0 * (fx - fy) - ripple,
            ];
            if edges {
                let inside = (x as f32 - cx).powi(2) + (y as f32 - cy).powi(2) < r * r;
                if inside {
                    rgb = [230.0 - 60.0 * fy, 40.0 + 50.0 * fx, 60.0];
                }
                if (x * 9 / width + y * 5 / height).is_multiple_of(4) {
                    rgb = [rgb[0] * 0.3, rgb[1] * 0.3 + 120.0, rgb[2] * 0.3];
                }
                let texture = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) % 5;
                rgb = rgb.map(|v| v + texture as f32 - 2.0);
            }
            data.extend(rgb.map(|v| v.round().clamp(0.0, 255.0) as u8));
        }
    }
    data
}

fn encode(
    picture_size: (u32, u32, bool),
    sampling: SamplingFactor,
    gray: bool,
    restart: Option<u16>,
) -> Vec<u8> {
    encode_coded(picture_size, sampling, gray, restart, Coding::Interleaved)
}

/// How jpeg-encoder lays the coefficients out in scans.
#[derive(Clone, Copy, Debug)]
enum Coding {
    /// One scan, every component interleaved.
    Interleaved,
    /// One scan per component (what optimised Huffman tables make it write).
    ScanPerComponent,
    /// DC, then bands of AC coefficients.
    Progressive,
}

fn encode_coded(
    (width, height, edges): (u32, u32, bool),
    sampling: SamplingFactor,
    gray: bool,
    restart: Option<u16>,
    coding: Coding,
) -> Vec<u8> {
    let rgb = picture(width, height, edges);
    let mut out = Vec::new();
    let mut encoder = Encoder::new(&mut out, 90);
    encoder.set_sampling_factor(sampling);
    match coding {
        Coding::Interleaved => {}
        Coding::ScanPerComponent => encoder.set_optimized_huffman_tables(true),
        // Its standard tables lack the end-of-band-run codes a progressive file needs.
        Coding::Progressive => {
            encoder.set_progressive(true);
            encoder.set_optimized_huffman_tables(true);
        }
    }
    if let Some(interval) = restart {
        encoder.set_restart_interval(interval);
    }
    let (w, h) = (width as u16, height as u16);
    if gray {
        let luma: Vec<u8> = rgb.chunks_exact(3).map(|p| p[1]).collect();
        encoder.encode(&luma, w, h, ColorType::Luma).unwrap();
    } else {
        encoder.encode(&rgb, w, h, ColorType::Rgb).unwrap();
    }
    out
}

/// The full-size decode (zune-jpeg, left in YCbCr: luma, and chroma upsampled to full size)
/// as a luma plane and, for colour files, a Cb/Cr plane. Files with chroma at a quarter of
/// the luma's resolution across or down go to jpeg-decoder (whose RGB is turned back into
/// YCbCr, its untransformed output being broken): zune-jpeg 0.5 gets their colours wrong,
/// which is why the pipeline no longer hands them to it.
fn full_decode_planes(jpeg: &[u8]) -> (Plane, Option<Plane>) {
    use zune_core::colorspace::ColorSpace;
    let (across, down) = parse(jpeg)
        .expect("a file the fast path takes")
        .subsampling();
    // Interleaved Y, Cb, Cr at full size (or luma alone for a gray file).
    let (data, (w, h), gray) = if across == 4 || down == 4 {
        let mut decoder = jpeg_decoder::Decoder::new(jpeg);
        let rgb = decoder
            .decode()
            .expect("jpeg-decoder decodes the test picture");
        let info = decoder.info().unwrap();
        let ycbcr = rgb
            .chunks_exact(3)
            .flat_map(|p| {
                let [r, g, b] = [p[0], p[1], p[2]].map(f64::from);
                let y = 0.299 * r + 0.587 * g + 0.114 * b;
                let cb = 128.0 + (b - y) / 1.772;
                let cr = 128.0 + (r - y) / 1.402;
                [y, cb, cr].map(|c| c.round().clamp(0.0, 255.0) as u8)
            })
            .collect();
        (ycbcr, (info.width, info.height), false)
    } else {
        let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
            zune_core::bytestream::ZCursor::new(jpeg),
            jpeg_options(),
        );
        decoder.decode_headers().unwrap();
        let gray = decoder.input_colorspace() == Some(ColorSpace::Luma);
        let out = if gray {
            ColorSpace::Luma
        } else {
            ColorSpace::YCbCr
        };
        decoder.set_options(jpeg_options().jpeg_set_out_colorspace(out));
        let data = decoder.decode().expect("zune decodes the test picture");
        let info = decoder.info().unwrap();
        (data, (info.width, info.height), gray)
    };
    let (w, h) = (u32::from(w), u32::from(h));
    if gray {
        return (Plane::new(w, h, 1, data), None);
    }
    let luma = data.chunks_exact(3).map(|p| p[0]).collect();
    let chroma = data.chunks_exact(3).flat_map(|p| [p[1], p[2]]).collect();
    (Plane::new(w, h, 1, luma), Some(Plane::new(w, h, 2, chroma)))
}

/// `raster` averaged over boxes of `across`×`down` of its pixels (whole numbers or not: a
/// pixel the box covers in part counts by the part covered), what a plane at a scale whose
/// samples each stand for that box should approximate. Edge boxes average the pixels that
/// exist.
fn box_shrink(raster: &Plane, (across, down): (f64, f64)) -> Plane {
    let n = usize::from(raster.channels);
    let (w, h) = (raster.width as usize, raster.height as usize);
    let (ow, oh) = (
        (w as f64 / across).ceil() as usize,
        (h as f64 / down).ceil() as usize,
    );
    // The pixels a box from `start` to `end` covers, each with the length covered.
    let covered = |start: f64, end: f64, size: usize| {
        let first = start.floor() as usize;
        let last = (end.ceil() as usize).min(size);
        (first..last).map(move |i| (i, (end.min(i as f64 + 1.0) - start.max(i as f64)).max(0.0)))
    };
    let mut data = vec![0u8; ow * oh * n];
    for oy in 0..oh {
        for ox in 0..ow {
            for c in 0..n {
                let (mut sum, mut weight) = (0.0, 0.0);
                for (y, wy) in covered(oy as f64 * down, (oy + 1) as f64 * down, h) {
                    for (x, wx) in covered(ox as f64 * across, (ox + 1) as f64 * across, w) {
                        sum += wx * wy * f64::from(raster.data[(y * w + x) * n + c]);
                        weight += wx * wy;
                    }
                }
                data[(oy * ow + ox) * n + c] = (sum / weight).round() as u8;
            }
        }
    }
    Plane::new(ow as u32, oh as u32, n as u8, data)
}

fn whole_boxes(raster: Plane, (width, height): (u32, u32)) -> Plane {
    let n = usize::from(raster.channels);
    let mut data = Vec::new();
    for row in raster
        .data
        .chunks_exact(raster.width as usize * n)
        .take(height as usize)
    {
        data.extend_from_slice(&row[..width as usize * n]);
    }
    Plane::new(width, height, raster.channels, data)
}

/// Mean and largest absolute difference, after checking the sizes agree.
fn difference(a: &Plane, b: &Plane) -> (f64, u8) {
    assert_eq!(
        (a.width, a.height, a.channels),
        (b.width, b.height, b.channels)
    );
    let total: u64 = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(&x, &y)| u64::from(x.abs_diff(y)))
        .sum();
    let max = a
        .data
        .iter()
        .zip(&b.data)
        .map(|(&x, &y)| x.abs_diff(y))
        .max();
    (total as f64 / a.data.len().max(1) as f64, max.unwrap_or(0))
}

fn scaled(jpeg: &[u8], eighths: u32) -> Planes {
    let header = parse(jpeg).expect("the fast path takes this file");
    decode_part(&header, eighths, None).expect("scaled decode")
}

/// Mean and largest difference allowed from the box-filtered full decode, per plane, as found
/// on these pictures over every sampling and scale. Luma: smooth pictures agree to rounding;
/// hard edges ring in any DCT-domain downscale (the dropped high frequencies). Chroma: the
/// full decoder upsamples subsampled chroma with a triangle filter before the box, which
/// smooths what the planes keep sharp, so edges differ more there.
const SMOOTH: (f64, u8) = (0.8, 5);
const EDGES: (f64, u8) = (2.5, 64);
/// The committed photo is a 160×120 reduction, so nearly every block holds edges. (Its
/// largest difference is at 7/8, 44: a box of 8/7 pixels keeps the sharpest edges the
/// others blur, and they ring where the one dropped frequency is missing.)
const PHOTO: (f64, u8) = (3.6, 48);

/// Only whole boxes are compared: the last column (row) of a plane also averages the
/// encoder's padding beyond the image when the size is not a multiple of a box.
fn check(jpeg: &[u8], eighths: u32, (mean_bound, max_bound): (f64, u8), what: &str) {
    let planes = scaled(jpeg, eighths);
    let (full_luma, full_chroma) = full_decode_planes(jpeg);
    let header = parse(jpeg).unwrap();
    let (h, v) = planes.subsampling;
    // A sample at eighths/8 stands for g = 8/eighths full-size pixels.
    let g = 8.0 / f64::from(eighths);
    let whole_boxes_in = |length: u32, subsampling: u32| length * eighths / (8 * subsampling);
    let mut pairs = vec![(
        "luma",
        planes.luma,
        box_shrink(&full_luma, (g, g)),
        (
            whole_boxes_in(header.width, 1),
            whole_boxes_in(header.height, 1),
        ),
    )];
    if let (Some((chroma, _)), Some(full)) = (planes.chroma, full_chroma) {
        let (across, down) = (g * f64::from(h), g * f64::from(v));
        let boxes = (
            whole_boxes_in(header.width, h),
            whole_boxes_in(header.height, v),
        );
        pairs.push(("chroma", chroma, box_shrink(&full, (across, down)), boxes));
    }
    for (plane, fast, reference, whole) in pairs {
        let (mean, max) = difference(&whole_boxes(fast, whole), &whole_boxes(reference, whole));
        // Within one level everywhere is rounding, whatever the mean of a few pixels says.
        assert!(
            max <= 1 || (mean < mean_bound && max <= max_bound),
            "{what} {plane} at {eighths}/8: mean {mean:.3}, max {max}"
        );
    }
}

#[test]
fn every_sampling_and_scale_matches_the_full_decode_box_filtered() {
    let samplings = [
        ("4:4:4", SamplingFactor::R_4_4_4, false),
        ("4:2:2", SamplingFactor::R_4_2_2, false),
        ("4:2:0", SamplingFactor::R_4_2_0, false),
        ("4:4:0", SamplingFactor::R_4_4_0, false),
        ("4:1:1", SamplingFactor::R_4_1_1, false),
        ("4:1:0", SamplingFactor::R_4_1_0, false),
        ("1×4", SamplingFactor::F_1_4, false),
        ("2×4", SamplingFactor::F_2_4, false),
        ("gray", SamplingFactor::R_4_4_4, true),
    ];
    for (name, sampling, gray) in samplings {
        for edges in [false, true] {
            for restart in [None, Some(3)] {
                // Sizes that are not multiples of an MCU, nor of the scale.
                let jpeg = encode((203, 117, edges), sampling, gray, restart);
                for eighths in 1..=8 {
                    let what = format!("{name} edges {edges} restart {restart:?}");
                    let bounds = if edges { EDGES } else { SMOOTH };
                    check(&jpeg, eighths, bounds, &what);
                }
            }
        }
    }
}

/// The committed photo (a real camera JPEG, not jpeg-encoder's) through the fast path.
#[test]
fn a_camera_photo_matches_the_full_decode_box_filtered() {
    let photo = include_bytes!("../tests/fixtures/photo.jpg");
    for eighths in 1..=8 {
        check(photo, eighths, PHOTO, "photo.jpg");
    }
}

/// The matrices are their doc's formula, rounded (recomputed here in f64).
#[test]
fn idct_matrices_are_the_box_averaging_formula() {
    use std::f64::consts::{PI, SQRT_2};
    for n in 1..8 {
        let g = 8.0 / n as f64;
        let matrix = idct_matrix(n);
        assert_eq!(matrix.len(), n);
        for (x, row) in matrix.iter().enumerate() {
            for (u, &weight) in row.iter().enumerate() {
                let expected = match u {
                    0 => 8192.0,
                    _ if u >= n => 0.0,
                    _ => {
                        let cosine = ((2 * x + 1) as f64 * u as f64 * PI / (2 * n) as f64).cos();
                        let box_average =
                            (g * u as f64 * PI / 16.0).sin() / (g * (u as f64 * PI / 16.0).sin());
                        SQRT_2 * cosine * box_average * 8192.0
                    }
                };
                assert_eq!(weight, expected.round() as i32, "N {n}, x {x}, u {u}");
                // The AVX2 IDCT of 5–7 outputs makes output N − 1 − x from output x's sums.
                let mirrored = if u % 2 == 0 { weight } else { -weight };
                assert_eq!(matrix[n - 1 - x][u], mirrored, "N {n}, x {x}, u {u}");
            }
        }
    }
}

#[test]
fn output_is_the_scaled_size_rounded_up() {
    let jpeg = encode((33, 17, true), SamplingFactor::R_4_2_0, false, None);
    // 33×17 at N/8, rounded up; the chroma is half the scaled luma, rounded up (at 5/8
    // 20.625 × 10.625 luma, so 10.3 × 5.3 chroma: 11 × 6).
    for (eighths, luma, chroma) in [
        (8, (33, 17), (17, 9)),
        (7, (29, 15), (15, 8)),
        (6, (25, 13), (13, 7)),
        (5, (21, 11), (11, 6)),
        (4, (17, 9), (9, 5)),
        (3, (13, 7), (7, 4)),
        (2, (9, 5), (5, 3)),
        (1, (5, 3), (3, 2)),
    ] {
        let planes = scaled(&jpeg, eighths);
        assert_eq!((planes.luma.width, planes.luma.height), luma, "{eighths}/8");
        let (cbcr, _) = planes.chroma.expect("colour");
        assert_eq!((cbcr.width, cbcr.height), chroma, "{eighths}/8");
    }
}

#[test]
fn unsupported_files_are_left_to_the_full_decoder() {
    let four_two_zero = encode((40, 30, true), SamplingFactor::R_4_2_0, false, None);
    assert!(parse(&four_two_zero).is_ok());
    // The same file saying its luma has 3 samples across per chroma sample.
    let frame = four_two_zero
        .windows(2)
        .position(|w| w == [0xFF, 0xC0])
        .expect("a baseline frame header");
    let mut three_across = four_two_zero.clone();
    // Marker, length, precision + height + width + count, then the first component's id.
    let luma_sampling = frame + 2 + 2 + 6 + 1;
    assert_eq!(three_across[luma_sampling], 0x22);
    three_across[luma_sampling] = 0x32;
    assert!(parse(&three_across).is_err());
    let mut cmyk = Vec::new();
    Encoder::new(&mut cmyk, 90)
        .encode(&[0; 40 * 30 * 4], 40, 30, ColorType::Cmyk)
        .unwrap();
    assert!(parse(&cmyk).is_err());
}

/// Every IDCT size gives the same bytes with AVX2 as without, for blocks of any extent
/// (including wrapped, clamped extremes) — at full size that is `idct::islow`'s AVX2 code.
#[cfg(target_arch = "x86_64")]
#[test]
fn every_idct_size_gives_the_same_bytes_with_avx2() {
    if crate::cpu::Cpu::detect() == crate::cpu::Cpu::Portable {
        return;
    }
    let mut seed = 7u32;
    for round in 0..3000 {
        let size = round % 8 + 1;
        let plan = Plan::new(size, &[1; 64]);
        let mut block = Block {
            coefficients: [0; 64],
            rows: 1 + round / 4 % size,
            columns: 1 + round / 16 % size,
        };
        for (i, c) in block.coefficients.iter_mut().enumerate() {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let range = if round % 7 == 0 { i32::MAX } else { 4096 };
            let inside = i / 8 < block.rows && i % 8 < block.columns;
            *c = if inside {
                (seed >> 1) as i32 % range - range / 2
            } else {
                0
            };
        }
        let (mut portable, mut simd) = ([0u8; 80], [0u8; 80]);
        transform::<false>(&block, &plan, &mut portable, 10);
        transform::<true>(&block, &plan, &mut simd, 10);
        assert_eq!(portable, simd, "size {size}, round {round}");
    }
}

/// A file in several scans and the single-scan file it was losslessly transcoded from
/// (`jpegtran`; tests/fixtures/jpeg-scans/make.sh): the same coefficients, so the same
/// planes, byte for byte, at every scale and for any part, read in one band or in bands of
/// one MCU row (a scan then stops and goes on at every row, across restart intervals and
/// end-of-band runs).
#[test]
fn files_in_several_scans_give_the_single_scan_bytes() {
    let fixture = |name: &str| {
        let path = format!(
            "{}/tests/fixtures/jpeg-scans/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    };
    let pairs = [
        ("progressive-420.jpg", "base-420.jpg"),
        ("sequential-scans-420.jpg", "base-420.jpg"),
        ("progressive-422-restart.jpg", "base-422-restart.jpg"),
        ("progressive-gray.jpg", "base-gray.jpg"),
        ("scans-444-restart.jpg", "base-444.jpg"),
    ];
    for (scans, single) in pairs {
        let (scans, single) = (fixture(scans), fixture(single));
        let (header, single_header) = (parse(&scans).unwrap(), parse(&single).unwrap());
        assert!(header.scans.is_some() && single_header.scans.is_none());
        for eighths in 1..=8 {
            let (h, v) = header.subsampling();
            let length = |length, subsampling| jpeg_scaled_length(length, eighths, subsampling);
            let part = |(w, h): (u32, u32)| Rect {
                x: w / 3,
                y: h / 4,
                width: w / 3 + 1,
                height: h / 2,
            };
            let parts = (
                part((length(131, 1), length(77, 1))),
                part((length(131, h), length(77, v))),
            );
            for (parts, band_blocks) in [None, Some(parts)]
                .into_iter()
                .flat_map(|parts| [(parts, progressive::BAND_BLOCKS), (parts, 1)])
            {
                let ours = decode_in_bands(&header, eighths, parts, band_blocks).unwrap();
                let reference = decode_part(&single_header, eighths, parts).unwrap();
                let what = format!(
                    "{:?} at {eighths}/8, parts {parts:?}, bands of {band_blocks} blocks",
                    header.subsampling()
                );
                assert_eq!(ours.luma_part, reference.luma_part, "{what}");
                assert!(ours.luma.data == reference.luma.data, "luma of {what}");
                let chroma =
                    |p: &Planes| p.chroma.as_ref().map(|(r, part)| (r.data.clone(), *part));
                assert!(chroma(&ours) == chroma(&reference), "chroma of {what}");
            }
        }
    }
}

fn any_sampling() -> impl Strategy<Value = (SamplingFactor, bool)> {
    prop_oneof![
        Just((SamplingFactor::R_4_4_4, false)),
        Just((SamplingFactor::R_4_2_2, false)),
        Just((SamplingFactor::R_4_2_0, false)),
        Just((SamplingFactor::R_4_4_0, false)),
        Just((SamplingFactor::R_4_1_1, false)),
        Just((SamplingFactor::R_4_1_0, false)),
        Just((SamplingFactor::F_2_4, false)),
        Just((SamplingFactor::R_4_4_4, true)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_sizes_samplings_and_scales(
        width in 1u32..90, height in 1u32..90, (sampling, gray) in any_sampling(),
        eighths in 1u32..=8,
        restart in proptest::option::of(1u16..6),
    ) {
        let jpeg = encode((width, height, false), sampling, gray, restart);
        check(&jpeg, eighths, SMOOTH, &format!("{width}×{height} {sampling:?} gray {gray} restart {restart:?}"));
    }

    /// Damaged files never panic the fast path: they decode to something or fail.
    #[test]
    fn progressive_and_scan_per_component_files_give_the_interleaved_bytes(
        width in 1u32..90, height in 1u32..90, (sampling, gray) in any_sampling(),
        eighths in 1u32..=8,
        restart in proptest::option::of(1u16..6),
    ) {
        let size = (width, height, true);
        let interleaved = encode(size, sampling, gray, restart);
        let reference = scaled(&interleaved, eighths);
        for coding in [Coding::ScanPerComponent, Coding::Progressive] {
            // No restarts: jpeg-encoder's optimised tables miss the DC differences they
            // cause (the fixtures cover restarts in several scans).
            let jpeg = encode_coded(size, sampling, gray, None, coding);
            let header = parse(&jpeg).expect("the fast path takes this file");
            for band_blocks in [progressive::BAND_BLOCKS, 1] {
                let planes = decode_in_bands(&header, eighths, None, band_blocks).unwrap();
                let what = format!("{width}×{height} {sampling:?} gray {gray} {coding:?} {eighths}/8 bands of {band_blocks}");
                prop_assert!(planes.luma.data == reference.luma.data, "luma of {}", what);
                let chroma = |p: &Planes| p.chroma.as_ref().map(|(r, _)| r.data.clone());
                prop_assert!(chroma(&planes) == chroma(&reference), "chroma of {}", what);
            }
        }
    }

    /// A part's samples are the whole decode's, wherever the part lies: the MCU rows below
    /// it are not read, the blocks above and beside it only read past — in one scan or in
    /// several, and read in bands of one MCU row.
    #[test]
    fn a_part_is_the_same_bytes_as_the_whole(
        width in 1u32..90, height in 1u32..90, (sampling, gray) in any_sampling(),
        eighths in 1u32..=8,
        progressive: bool,
        corners in [0.0f64..1.0, 0.0f64..1.0, 0.0f64..1.0, 0.0f64..1.0],
    ) {
        let coding = if progressive { Coding::Progressive } else { Coding::Interleaved };
        let jpeg = encode_coded((width, height, true), sampling, gray, None, coding);
        let header = parse(&jpeg).expect("the fast path takes this file");
        let (h, v) = header.subsampling();
        let length = |length, subsampling| jpeg_scaled_length(length, eighths, subsampling);
        let [x0, x1, y0, y1] = corners;
        let part = |(w, h): (u32, u32)| {
            let (left, right) = ((x0.min(x1) * w as f64) as u32, (x0.max(x1) * w as f64) as u32);
            let (top, bottom) = ((y0.min(y1) * h as f64) as u32, (y0.max(y1) * h as f64) as u32);
            Rect { x: left, y: top, width: right - left + 1, height: bottom - top + 1 }
        };
        let parts = (
            part((length(width, 1), length(height, 1))),
            part((length(width, h), length(height, v))),
        );
        let whole = decode_part(&header, eighths, None).unwrap();
        for band_blocks in [progressive::BAND_BLOCKS, 1] {
            let ours = decode_in_bands(&header, eighths, Some(parts), band_blocks).unwrap();
            let what = format!("{width}×{height} {sampling:?} gray {gray} {coding:?} {eighths}/8 {parts:?} bands of {band_blocks}");
            let mut planes = vec![(&ours.luma, ours.luma_part, &whole.luma)];
            if let (Some((chroma, part)), Some((whole_chroma, _))) = (&ours.chroma, &whole.chroma) {
                planes.push((chroma, *part, whole_chroma));
            }
            for (plane, part, whole) in planes {
                let n = usize::from(plane.channels);
                let (x, w) = (part.x as usize * n, part.width as usize * n);
                for row in 0..part.height as usize {
                    let from = (part.y as usize + row) * whole.width as usize * n + x;
                    prop_assert!(
                        plane.data[row * w..][..w] == whole.data[from..from + w],
                        "row {} of {}", row, what
                    );
                }
            }
        }
    }

    #[test]
    fn mutated_files_never_panic(
        edits in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 1..8),
        cut in 0.5f64..1.0,
        eighths in 1u32..=8,
        coding in prop_oneof![
            Just(Some(Coding::Interleaved)),
            Just(Some(Coding::ScanPerComponent)),
            Just(Some(Coding::Progressive)),
            Just(None),
        ],
    ) {
        let mut jpeg = match coding {
            Some(coding) => {
                let restart = matches!(coding, Coding::Interleaved).then_some(2);
                encode_coded((61, 45, true), SamplingFactor::R_4_2_0, false, restart, coding)
            }
            None => include_bytes!("../tests/fixtures/jpeg-scans/scans-444-restart.jpg").to_vec(),
        };
        for (at, byte) in edits {
            let length = jpeg.len();
            jpeg[((at * length as f64) as usize).min(length - 1)] = byte;
        }
        let mut cut_jpeg = jpeg.clone();
        cut_jpeg.truncate((cut * jpeg.len() as f64) as usize);
        for input in [jpeg, cut_jpeg] {
            if let Ok(header) = parse(&input) {
                let _ = decode_part(&header, eighths, None);
                let _ = decode_in_bands(&header, eighths, None, 1);
            }
        }
    }
}

proptest! {
    // Cheap cases (a few hundred bytes each), and a block reaches its 64th coefficient in
    // only a few per cent of them: many cases.
    #![proptest_config(ProptestConfig::with_cases(4000))]

    /// Reading past several coefficients at once ([`SkipTable`]) reads exactly what
    /// reading them one at a time does: on random bits, from any position in a block, block
    /// after block, the same outcome (end of block, the block's end at 64, or a refusal) and
    /// the same bits read. Standard and optimised tables, and hostile ones whose short codes
    /// are a size-11 coefficient (refused), long runs, or 16 zeros; no 0xFF bytes, so the
    /// bits read are the bytes taken less the bits still buffered.
    #[test]
    fn skipping_several_coefficients_reads_what_one_at_a_time_reads(
        data in proptest::collection::vec(0u8..0xFF, 16..400),
        starts in proptest::collection::vec(1usize..64, 1..12),
        kind in 0..5, chroma: bool,
    ) {
        let hostile = |lengths: &[(usize, u8)], symbols: &[u8]| {
            let mut counts = [0u8; 16];
            for &(bits, count) in lengths {
                counts[bits - 1] = count;
            }
            Arc::new(Huffman::new(&counts, symbols, true).unwrap())
        };
        let ac = if kind == 2 {
            // 2 bits: end of block, 1; 3: size 11, 16 zeros; 5: run 2 then 2, run 15 then
            // 1, 3, run 7 then 4; 6: run 1 then 1.
            hostile(&[(2, 2), (3, 2), (5, 4), (6, 1)], &[0x00, 0x01, 0x0B, 0xF0, 0x22, 0xF1, 0x03, 0x74, 0x11])
        } else if kind == 3 {
            // A 1-bit code for size 11: code and value fill the 12 skipped bits exactly.
            hostile(&[(1, 1), (3, 2), (4, 2), (5, 2), (6, 2)], &[0x0B, 0x00, 0x01, 0xF0, 0x22, 0xF1, 0x03, 0x74, 0x11])
        } else if kind == 4 {
            // A 1-bit code for 16 zeros: twelve of them in the skipped bits pass 192.
            hostile(&[(1, 1), (2, 1), (3, 1)], &[0xF0, 0x00, 0x01])
        } else {
            let coding = if kind == 1 { Coding::ScanPerComponent } else { Coding::Interleaved };
            let jpeg = encode_coded((40, 24, true), SamplingFactor::R_4_2_0, false, None, coding);
            let header = parse(&jpeg).unwrap();
            let table = header.components[usize::from(chroma)].ac_table;
            header.ac[table].clone().unwrap()
        };
        let (batches, none) = (SkipTable::new(&ac), SkipTable([0; 1 << SKIP_BITS]));
        let (mut a, mut b) = (Bits::new(&data), Bits::new(&data));
        for &start in &starts {
            let (ra, rb) = (skip_rest(&mut a, &ac, &batches, start), skip_rest(&mut b, &ac, &none, start));
            prop_assert_eq!(ra.is_ok(), rb.is_ok(), "start {}", start);
            if ra.is_err() || a.at_marker || b.at_marker {
                break; // past the end both read zeros, however many they buffered
            }
            let read = |bits: &Bits<'_>| bits.position * 8 - bits.count as usize;
            prop_assert_eq!(read(&a), read(&b), "start {}", start);
        }
    }
}

/// The decoder's copy compiled for AVX2 (with and without `pdep`) gives the portable copy's
/// bytes, for single-scan and multi-scan files at every scale, whatever `THUMBSMITH_CPU` says.
#[cfg(target_arch = "x86_64")]
#[test]
fn the_avx2_copy_gives_the_portable_bytes() {
    if crate::cpu::Cpu::detect() == crate::cpu::Cpu::Portable {
        return;
    }
    let fixtures = [
        "photo.jpg",
        "jpeg-scans/progressive-420.jpg",
        "jpeg-scans/progressive-422-restart.jpg",
        "jpeg-scans/scans-444-restart.jpg",
        "jpeg-scans/base-gray.jpg",
    ];
    for name in fixtures {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        let jpeg = std::fs::read(&path).unwrap();
        let header = parse(&jpeg).unwrap();
        for eighths in 1..=8 {
            let portable = crate::decode_planes::<false>(&header, eighths, None, 1, false).unwrap();
            for fast_pdep in [false, true] {
                // SAFETY: `Cpu::detect` found AVX2, BMI1, BMI2, LZCNT and POPCNT.
                let avx2 = unsafe { crate::decode_avx2(&header, eighths, None, 1, fast_pdep) };
                let avx2 = avx2.unwrap();
                let what = format!("{name} at {eighths}/8, pdep {fast_pdep}");
                assert!(avx2.luma.data == portable.luma.data, "luma of {what}");
                assert_eq!(avx2.chroma, portable.chroma, "chroma of {what}");
            }
        }
    }
}

/// Lossless and hierarchical files are refused naming their process, arithmetic-coded ones as
/// unsupported, before any table is looked at.
#[test]
fn other_processes_are_refused_by_name() {
    let with_frame = |marker: u8| {
        let mut jpeg = vec![
            0xFF, 0xD8, 0xFF, marker, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0,
        ];
        jpeg.extend([0xFF, 0xDA, 0, 8, 1, 1, 0, 1, 0, 0, 0, 0, 0xFF, 0xD9]);
        jpeg
    };
    let frame = |marker| crate::markers::Frame::of(marker).unwrap();
    for marker in [0xC3, 0xC5, 0xC6, 0xC7, 0xCB, 0xCD, 0xCE, 0xCF] {
        let refused = parse(&with_frame(marker)).err();
        assert_eq!(
            refused,
            Some(crate::Error::UnsupportedProcess(frame(marker)))
        );
    }
    assert_eq!(
        parse(&with_frame(0xC3)).err().unwrap().to_string(),
        "JPEG lossless (SOF3) is not supported"
    );
    for marker in [0xC9, 0xCA] {
        let refused = parse(&with_frame(marker)).err();
        assert_eq!(
            refused,
            Some(crate::Error::Unsupported("arithmetic coding"))
        );
    }
}
