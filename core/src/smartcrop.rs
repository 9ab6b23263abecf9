//! Smart crop: choose where a cover window goes from the pixels. Runs on a small upright copy of
//! the region (a few hundred pixels across), so it costs little next to the resize.
//!
//! Written by hand: the smart-crop crates on crates.io either pull in the whole `image` stack or
//! port smartcrop.js's slow multi-scale search; we need two small scoring passes over our own raster.

use crate::options::{Rect, Strategy};
use crate::raster::Raster;

/// The long side of the copy a smart crop looks at: enough detail to find faces and edges,
/// small enough that scoring it costs little next to the resize.
const ANALYSIS_SIZE: f64 = 256.0;

/// The copy of `region` a smart crop looks at: the scale from the region to the copy (at most
/// 1) and the copy's size.
pub(crate) fn analysis_size(region: Rect) -> (f64, (u32, u32)) {
    let (rw, rh) = (f64::from(region.width), f64::from(region.height));
    let scale = (ANALYSIS_SIZE / rw.max(rh)).min(1.0);
    let side = |length: f64| ((length * scale).round() as u32).max(1);
    (scale, (side(rw), side(rh)))
}

/// The best top-left corner for a `win_w`×`win_h` window in `image` (both in `image`'s pixels).
pub(crate) fn best_window(
    image: &Raster,
    win_w: u32,
    win_h: u32,
    strategy: Strategy,
) -> (u32, u32) {
    let (w, h) = (image.width, image.height);
    let (win_w, win_h) = (win_w.clamp(1, w), win_h.clamp(1, h));
    let luma = luma(image);
    match strategy {
        Strategy::Entropy => best_by_entropy(&luma, w, h, win_w, win_h),
        Strategy::Attention => {
            let score = attention_map(image, &luma);
            best_by_sum(&score, w, h, win_w, win_h)
        }
    }
}

fn luma(image: &Raster) -> Vec<u8> {
    let n = image.channels as usize;
    image
        .data
        .chunks_exact(n)
        .map(|p| {
            if n <= 2 {
                p[0]
            } else {
                // Rec. 601 weights in fixed point.
                ((u32::from(p[0]) * 77 + u32::from(p[1]) * 150 + u32::from(p[2]) * 29) >> 8) as u8
            }
        })
        .collect()
}

/// Slides the window along its free axis, keeping a luminance histogram up to date by adding the
/// column (or row) that enters and removing the one that leaves.
fn best_by_entropy(luma: &[u8], w: u32, h: u32, win_w: u32, win_h: u32) -> (u32, u32) {
    const BINS: usize = 64;
    let (w, h, ww, wh) = (w as usize, h as usize, win_w as usize, win_h as usize);
    let slide_x = w - ww >= h - wh;
    let (steps, fixed) = if slide_x {
        (w - ww, (h - wh) / 2)
    } else {
        (h - wh, (w - ww) / 2)
    };
    let at = |x: usize, y: usize| usize::from(luma[y * w + x]) * BINS / 256;
    let mut hist = [0u32; BINS];
    let (x0, y0) = if slide_x { (0, fixed) } else { (fixed, 0) };
    for y in y0..y0 + wh {
        for x in x0..x0 + ww {
            hist[at(x, y)] += 1;
        }
    }
    let total = (ww * wh) as f64;
    let entropy = |hist: &[u32; BINS]| -> f64 {
        hist.iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = f64::from(c) / total;
                -p * p.log2()
            })
            .sum()
    };
    let centre = steps as f64 / 2.0;
    // A small pull towards the centre breaks ties between equally busy windows.
    let score = |e: f64, step: usize| e - 1e-4 * (step as f64 - centre).abs();
    let mut best = (score(entropy(&hist), 0), 0);
    for step in 1..=steps {
        if slide_x {
            for y in y0..y0 + wh {
                hist[at(step - 1, y)] -= 1;
                hist[at(step + ww - 1, y)] += 1;
            }
        } else {
            for x in x0..x0 + ww {
                hist[at(x, step - 1)] -= 1;
                hist[at(x, step + wh - 1)] += 1;
            }
        }
        let s = score(entropy(&hist), step);
        if s > best.0 {
            best = (s, step);
        }
    }
    if slide_x {
        (best.1 as u32, fixed as u32)
    } else {
        (fixed as u32, best.1 as u32)
    }
}

/// Salience per pixel: luminance edges, skin-like hues and saturation, the cues smartcrop.js and
/// libvips' `attention` use.
fn attention_map(image: &Raster, luma: &[u8]) -> Vec<f32> {
    let (w, h) = (image.width as usize, image.height as usize);
    let n = image.channels as usize;
    let mut score = vec![0f32; w * h];
    for y in 0..h {
        for x in 0..w {
            let l = |xx: usize, yy: usize| f32::from(luma[yy * w + xx]);
            let gx = l((x + 1).min(w - 1), y) - l(x.saturating_sub(1), y);
            let gy = l(x, (y + 1).min(h - 1)) - l(x, y.saturating_sub(1));
            let edge = (gx * gx + gy * gy).sqrt() / 255.0;
            let (mut skin, mut saturation) = (0.0, 0.0);
            if n >= 3 {
                let p = &image.data[(y * w + x) * n..];
                let (r, g, b) = (f32::from(p[0]), f32::from(p[1]), f32::from(p[2]));
                let max = r.max(g).max(b);
                let min = r.min(g).min(b);
                saturation = if max > 0.0 { (max - min) / max } else { 0.0 };
                // Skin: red dominant, green above blue, moderate saturation and brightness.
                if r > 95.0
                    && g > 40.0
                    && b > 20.0
                    && r > g
                    && g > b
                    && r - b > 15.0
                    && max - min > 15.0
                {
                    skin = 1.0;
                }
            }
            score[y * w + x] = edge * 2.0 + skin * 1.5 + saturation * 0.5;
        }
    }
    score
}

/// The window position with the highest total score, from a summed-area table.
fn best_by_sum(score: &[f32], w: u32, h: u32, win_w: u32, win_h: u32) -> (u32, u32) {
    let (w, h, ww, wh) = (w as usize, h as usize, win_w as usize, win_h as usize);
    let mut sat = vec![0f64; (w + 1) * (h + 1)];
    for y in 0..h {
        let mut row = 0f64;
        for x in 0..w {
            row += f64::from(score[y * w + x]);
            sat[(y + 1) * (w + 1) + x + 1] = sat[y * (w + 1) + x + 1] + row;
        }
    }
    let sum = |x: usize, y: usize| {
        sat[(y + wh) * (w + 1) + x + ww] - sat[y * (w + 1) + x + ww] - sat[(y + wh) * (w + 1) + x]
            + sat[y * (w + 1) + x]
    };
    let (cx, cy) = ((w - ww) as f64 / 2.0, (h - wh) as f64 / 2.0);
    let mut best = (f64::MIN, 0, 0);
    for y in 0..=h - wh {
        for x in 0..=w - ww {
            let distance = ((x as f64 - cx).abs() + (y as f64 - cy).abs()) / (w + h) as f64;
            let s = sum(x, y) / (ww * wh) as f64 - 1e-3 * distance;
            if s > best.0 {
                best = (s, x, y);
            }
        }
    }
    (best.1 as u32, best.2 as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A flat gray image with a busy, skin-coloured patch on the right third.
    fn scene() -> Raster {
        let (w, h) = (90u32, 30u32);
        let mut data = Vec::new();
        for y in 0..h {
            for x in 0..w {
                if x >= 60 {
                    // Many luminance levels (high entropy), warm hues (skin), sharp edges.
                    let r = 120 + ((x * 37 + y * 91) % 130) as u8;
                    data.extend_from_slice(&[r, r / 10 * 7, r / 2]);
                } else {
                    data.extend_from_slice(&[128, 128, 128]);
                }
            }
        }
        Raster::new(w, h, 3, data)
    }

    #[test]
    fn both_strategies_find_the_busy_part() {
        for strategy in [Strategy::Entropy, Strategy::Attention] {
            let (x, y) = best_window(&scene(), 30, 30, strategy);
            assert_eq!((x, y), (60, 0), "{strategy:?}");
        }
    }

    #[test]
    fn a_flat_image_keeps_the_centre() {
        let flat = Raster::new(90, 30, 3, vec![100; 90 * 30 * 3]);
        for strategy in [Strategy::Entropy, Strategy::Attention] {
            assert_eq!(best_window(&flat, 30, 30, strategy), (30, 0));
        }
    }
}
