//! Golden tests of the whole pipeline on the committed fixtures (see tests/fixtures/make.sh),
//! by concept: what decoding and colour handling give (`decode`), crops, resize windows and
//! shrunk decodes (`geometry`), and the encoded output: metadata, formats and the JPEG
//! encoder's bytes (`output`).

#[path = "../common/mod.rs"]
mod common;
mod decode;
mod geometry;
mod output;

use common::*;
use proptest::prelude::*;
use thumbsmith::{metadata, process, Format, Options};

/// An exact float Lanczos3 resample of a `[x, y, w, h]` window: the reference the SIMD resize of a
/// centre crop must line up with.
fn lanczos_reference(src: &Pixels, window: [f64; 4], out_w: u32, out_h: u32) -> Pixels {
    let values: Vec<f64> = src.data.iter().map(|&v| f64::from(v)).collect();
    let size = (src.width, src.height, src.channels);
    let data = lanczos_reference_f64(&values, size, window, out_w, out_h)
        .into_iter()
        .map(|v| v.round().clamp(0.0, 255.0) as u8)
        .collect();
    Pixels {
        width: out_w,
        height: out_h,
        channels: src.channels,
        data,
    }
}

/// [`lanczos_reference`] of samples in f64 (`width`×`height`×`channels`), unrounded.
fn lanczos_reference_f64(
    values: &[f64],
    (width, height, channels): (u32, u32, usize),
    window: [f64; 4],
    out_w: u32,
    out_h: u32,
) -> Vec<f64> {
    fn lanczos(x: f64) -> f64 {
        if x == 0.0 {
            return 1.0;
        }
        if x.abs() >= 3.0 {
            return 0.0;
        }
        let px = std::f64::consts::PI * x;
        3.0 * px.sin() * (px / 3.0).sin() / (px * px)
    }
    // One axis: weights for each output index over source indices.
    let weights = |start: f64, len: f64, out: u32, size: u32| -> Vec<Vec<(usize, f64)>> {
        let scale = len / f64::from(out);
        let support = 3.0 * scale.max(1.0);
        (0..out)
            .map(|i| {
                let centre = start + (f64::from(i) + 0.5) * scale;
                let lo = (centre - support).floor().max(0.0) as i64;
                let hi = (centre + support).ceil().min(f64::from(size)) as i64;
                let mut w: Vec<(usize, f64)> = (lo..hi)
                    .map(|j| {
                        (
                            j as usize,
                            lanczos((j as f64 + 0.5 - centre) / scale.max(1.0)),
                        )
                    })
                    .collect();
                let total: f64 = w.iter().map(|p| p.1).sum();
                w.iter_mut().for_each(|p| p.1 /= total);
                w
            })
            .collect()
    };
    let wx = weights(window[0], window[2], out_w, width);
    let wy = weights(window[1], window[3], out_h, height);
    let mut data = Vec::new();
    for row in &wy {
        for col in &wx {
            for c in 0..channels {
                let mut acc = 0.0;
                for &(y, ky) in row {
                    for &(x, kx) in col {
                        acc += ky * kx * values[(y * width as usize + x) * channels + c];
                    }
                }
                data.push(acc);
            }
        }
    }
    data
}
