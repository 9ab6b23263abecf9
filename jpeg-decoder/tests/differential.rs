//! The decoder against an independent one (jpeg-decoder) under random files, scales and
//! windows. Each case encodes a random picture as a random kind of JPEG (sampling, quality,
//! progressive or scan per component, restart interval, gray), decodes it here at a random N/8,
//! only a random window of each plane, and compares that window with jpeg-decoder's full-size
//! decode turned back into YCbCr and averaged over the boxes of source pixels each sample
//! stands for. A block, a chroma sample or a window in the wrong place, a wrong coefficient or
//! a wrong scale shows as a large difference.
//!
//! Run it long after any decoder change:
//! `PROPTEST_CASES=20000 cargo test --release -p thumbsmith-jpeg-decoder --test differential`.

use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
use proptest::prelude::*;
use thumbsmith_jpeg_decoder::{decode, parse, scaled_length, Plane, Rect};

/// A smooth picture with hard-edged shapes (a disc, a bar) in colours of their own: photo-like,
/// not saturated (so RGB → YCbCr of the reference loses nothing to clamping).
fn picture(width: u32, height: u32, seed: u32) -> Vec<u8> {
    let s = |shift: u32| ((seed >> shift) & 0xFF) as i32;
    let (cx, cy) = (s(0) as u32 * width / 255, s(8) as u32 * height / 255);
    let radius = (width.min(height) / 4 + 1).pow(2);
    let offset =
        |lightness: i32, red: i32, blue: i32| [lightness + red, lightness, lightness + blue];
    let disc = offset(
        s(16) * 120 / 255 - 60,
        s(24) * 40 / 255 - 20,
        s(4) * 40 / 255 - 20,
    );
    let bar = offset(
        s(12) * 120 / 255 - 60,
        s(20) * 40 / 255 - 20,
        s(28) * 40 / 255 - 20,
    );
    let mut rgb = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let inside = (x.abs_diff(cx)).pow(2) + (y.abs_diff(cy)).pow(2) < radius;
            let on_bar = (x + 2 * y + seed) % (width + height).max(8) < (width + height) / 6 + 2;
            let gradient = [
                (60 + 130 * x / width) as i32,
                (60 + 130 * y / height) as i32,
                (190 - 120 * (x + y) / (width + height)) as i32,
            ];
            let shift = match (inside, on_bar) {
                (true, _) => disc,
                (false, true) => bar,
                (false, false) => [0; 3],
            };
            rgb.extend((0..3).map(|c| (gradient[c] + shift[c]).clamp(0, 255) as u8));
        }
    }
    rgb
}

/// How a case's JPEG is written.
#[derive(Debug, Clone)]
struct Kind {
    gray: bool,
    sampling: SamplingFactor,
    quality: u8,
    coding: Coding,
    /// Restart interval in MCUs (0: none); only with the standard Huffman tables.
    restart: u16,
}

#[derive(Debug, Clone, Copy)]
enum Coding {
    Interleaved,
    /// One scan per component (jpeg-encoder's layout with optimised tables).
    ScanPerComponent,
    /// Progressive, with this many AC scans per component.
    Progressive(u8),
}

fn kind() -> impl Strategy<Value = Kind> {
    let sampling = prop_oneof![
        Just(SamplingFactor::F_1_1),
        Just(SamplingFactor::F_2_1),
        Just(SamplingFactor::F_1_2),
        Just(SamplingFactor::F_2_2),
        Just(SamplingFactor::F_4_1),
        Just(SamplingFactor::F_4_2),
        Just(SamplingFactor::F_1_4),
        Just(SamplingFactor::F_2_4),
    ];
    let coding = prop_oneof![
        2 => Just(Coding::Interleaved),
        1 => Just(Coding::ScanPerComponent),
        1 => (2u8..=4).prop_map(Coding::Progressive),
    ];
    (
        prop::bool::weighted(0.15),
        sampling,
        70u8..=100,
        coding,
        prop_oneof![2 => Just(0u16), 1 => 1u16..=6],
    )
        .prop_map(|(gray, sampling, quality, coding, restart)| Kind {
            gray,
            sampling,
            quality,
            coding,
            restart: match coding {
                Coding::Interleaved => restart,
                _ => 0,
            },
        })
}

fn encode(rgb: &[u8], (width, height): (u32, u32), kind: &Kind) -> Vec<u8> {
    let mut jpeg = Vec::new();
    let mut encoder = Encoder::new(&mut jpeg, kind.quality);
    encoder.set_sampling_factor(kind.sampling);
    match kind.coding {
        Coding::Interleaved => encoder.set_optimized_huffman_tables(false),
        Coding::ScanPerComponent => encoder.set_optimized_huffman_tables(true),
        Coding::Progressive(scans) => encoder.set_progressive_scans(scans),
    }
    if kind.restart > 0 {
        encoder.set_restart_interval(kind.restart);
    }
    let (w, h) = (width as u16, height as u16);
    match kind.gray {
        true => {
            let luma: Vec<u8> = rgb.chunks(3).map(|p| p[1]).collect();
            encoder.encode(&luma, w, h, ColorType::Luma).unwrap();
        }
        false => encoder.encode(rgb, w, h, ColorType::Rgb).unwrap(),
    }
    jpeg
}

/// jpeg-decoder's full-size decode as f64 planes: luma, and for colour files Cb and Cr (its
/// RGB turned back into YCbCr by JFIF's equations).
fn reference(jpeg: &[u8]) -> (usize, usize, Vec<Vec<f64>>) {
    let mut decoder = jpeg_decoder::Decoder::new(jpeg);
    let pixels = decoder
        .decode()
        .expect("jpeg-decoder decodes the test file");
    let info = decoder.info().unwrap();
    let (w, h) = (usize::from(info.width), usize::from(info.height));
    let planes = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => vec![pixels.iter().map(|&v| f64::from(v)).collect()],
        jpeg_decoder::PixelFormat::RGB24 => {
            let mut planes: Vec<Vec<f64>> = (0..3).map(|_| Vec::with_capacity(w * h)).collect();
            for p in pixels.chunks_exact(3) {
                let [r, g, b] = [p[0], p[1], p[2]].map(f64::from);
                let y = 0.299 * r + 0.587 * g + 0.114 * b;
                planes[0].push(y);
                planes[1].push(128.0 + (b - y) / 1.772);
                planes[2].push(128.0 + (r - y) / 1.402);
            }
            planes
        }
        other => panic!("unexpected {other:?}"),
    };
    (w, h, planes)
}

/// The mean of `plane` (`w`×`h`) over the source pixels `[x·g, (x+1)·g) × [y·gy, (y+1)·gy)`,
/// a pixel covered in part counting by the part covered; `None` when the box reaches past the
/// picture (the encoder's padding is in it then).
fn box_mean(
    plane: &[f64],
    (w, h): (usize, usize),
    (x, y): (u32, u32),
    (gx, gy): (f64, f64),
) -> Option<f64> {
    let (left, right) = (f64::from(x) * gx, f64::from(x + 1) * gx);
    let (top, bottom) = (f64::from(y) * gy, f64::from(y + 1) * gy);
    if right > w as f64 || bottom > h as f64 {
        return None;
    }
    let (mut sum, mut weight) = (0.0, 0.0);
    for py in top.floor() as usize..(bottom.ceil() as usize).min(h) {
        let wy = (bottom.min(py as f64 + 1.0) - top.max(py as f64)).max(0.0);
        for px in left.floor() as usize..(right.ceil() as usize).min(w) {
            let wx = (right.min(px as f64 + 1.0) - left.max(px as f64)).max(0.0);
            sum += wx * wy * plane[py * w + px];
            weight += wx * wy;
        }
    }
    Some(sum / weight)
}

/// Mean and largest absolute difference between `ours` (the window `part` of a plane, channel
/// `channel` of its `channels`) and the reference boxes.
fn compare(
    ours: &Plane,
    part: Rect,
    channel: usize,
    reference: &[f64],
    size: (usize, usize),
    boxes: (f64, f64),
) -> (f64, f64, usize) {
    let n = usize::from(ours.channels);
    let (mut total, mut max, mut count) = (0.0, 0.0f64, 0);
    for row in 0..part.height {
        for column in 0..part.width {
            let at = (row * part.width + column) as usize * n + channel;
            let Some(expected) = box_mean(reference, size, (part.x + column, part.y + row), boxes)
            else {
                continue;
            };
            let difference = (f64::from(ours.data[at]) - expected).abs();
            total += difference;
            max = max.max(difference);
            count += 1;
        }
    }
    (total / count.max(1) as f64, max, count)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        ..ProptestConfig::default()
    })]
    #[test]
    fn planes_agree_with_jpeg_decoder(
        (width, height) in (1u32..=200, 1u32..=200),
        seed in any::<u32>(),
        kind in kind(),
        eighths in 1u32..=8,
        window in prop::option::weighted(0.5, [0.0f64..1.0, 0.0f64..1.0, 0.0f64..1.0, 0.0f64..1.0]),
    ) {
        let jpeg = encode(&picture(width, height, seed), (width, height), &kind);
        let header = parse(&jpeg).expect("the decoder takes every file jpeg-encoder writes");
        let (h, v) = header.subsampling();
        let plane_size = |sub: (u32, u32)| {
            (scaled_length(width, eighths, sub.0), scaled_length(height, eighths, sub.1))
        };
        let part_of = |(pw, ph): (u32, u32)| match window {
            None => Rect::whole(pw, ph),
            Some([x0, x1, y0, y1]) => {
                let (left, right) = ((x0.min(x1) * f64::from(pw)) as u32, (x0.max(x1) * f64::from(pw)) as u32);
                let (top, bottom) = ((y0.min(y1) * f64::from(ph)) as u32, (y0.max(y1) * f64::from(ph)) as u32);
                Rect { x: left, y: top, width: right - left + 1, height: bottom - top + 1 }
            }
        };
        let parts = (part_of(plane_size((1, 1))), part_of(plane_size((h, v))));
        let planes = decode(&header, eighths, window.map(|_| parts)).expect("decode");
        let expected_part = |part: Rect, size: (u32, u32)| part.clipped_to(size.0, size.1).unwrap();
        prop_assert_eq!(planes.luma_part, expected_part(parts.0, plane_size((1, 1))));
        prop_assert_eq!((planes.luma.width, planes.luma.height), (planes.luma_part.width, planes.luma_part.height));

        let (w, h_px, reference) = reference(&jpeg);
        prop_assert_eq!((w as u32, h_px as u32), (width, height));
        let g = 8.0 / f64::from(eighths);
        // Smooth areas agree to rounding; hard edges ring in any DCT-domain downscale (the
        // frequencies it drops) and the reference upsamples chroma before the box. Over a few
        // samples, or in a picture a few pixels thin (whose blocks are mostly the encoder's
        // padding), one edge is the whole mean. A block or a sample out of place gives tens
        // over the whole window.
        let roomy = width.min(height) >= 16;
        let bounds = |count: usize| match roomy && count >= 64 {
            true => (4.0, 90.0),
            false => (16.0, 90.0),
        };
        let what = format!("{width}×{height} {kind:?} at {eighths}/8, window {window:?}");
        let (mean, max, count) = compare(&planes.luma, planes.luma_part, 0, &reference[0], (w, h_px), (g, g));
        let (mean_bound, max_bound) = bounds(count);
        prop_assert!(mean < mean_bound && max < max_bound, "luma: mean {:.2}, max {:.1}: {}", mean, max, what);
        match (&planes.chroma, kind.gray) {
            (None, true) => {}
            (Some((chroma, part)), false) => {
                prop_assert_eq!(*part, expected_part(parts.1, plane_size((h, v))));
                let boxes = (g * f64::from(h), g * f64::from(v));
                for channel in 0..2 {
                    let (mean, max, count) = compare(chroma, *part, channel, &reference[1 + channel], (w, h_px), boxes);
                    let (mean_bound, max_bound) = bounds(count);
                    prop_assert!(mean < mean_bound && max < max_bound, "chroma {}: mean {:.2}, max {:.1}: {}", channel, mean, max, what);
                }
            }
            _ => prop_assert!(false, "chroma plane does not match the file's colour: {}", what),
        }
    }
}
