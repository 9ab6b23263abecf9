//! Luma that makes up for subsampled chroma. A 4:2:0 (or 4:2:2) JPEG keeps one Cb/Cr pair per
//! 2×2 (2×1) pixels, and decoders spread it back with libjpeg's "fancy" triangle upsampling.
//! Where colour changes within those pixels — a red edge on green, coloured text, fine foliage —
//! the decoded colour is a blend, and since the blend is taken on gamma-encoded values the
//! pixels come out too dark or too light: the familiar dark fringe along saturated edges. Luma
//! is kept for every pixel, so this pass predicts what the decoder will rebuild (the encoder's
//! own chroma averaging, then the fancy upsampling and libjpeg's YCbCr → RGB) and moves each
//! pixel's luma so that the rebuilt pixel has the source's luminance in linear light — the idea
//! of libwebp's `sharp_yuv`, reduced to one Newton step on luma alone.
//!
//! On the corpus avatars it raises the score against the exact reference on pictures with
//! saturated edges and costs a few bytes (most on dithered palette art, whose dither is edges
//! everywhere). Iterating the chroma as well (`sharp_yuv` proper) scored less per byte in a
//! model, and corrections under one code value are skipped: they cost bytes and scored nothing.
//! docs/decisions.md has the figures and the pass's cost. Written by hand: no crate does this
//! for a JPEG encoder.
//!
//! Integer arithmetic (and an exactly computed table), so every CPU makes the same bytes. The
//! browser package leaves the pass out (core feature `smart-subsample`): with it the package
//! is over its gzipped size budget (docs/decisions.md). Adding the same d to R, G and B moves the encoder's Y by exactly d and
//! leaves its Cb and Cr alone (its Y weights sum to 2^16, its chroma weights to 0), so the pass
//! hands the encoder RGB as before.

use crate::raster::Raster;

/// sRGB decoding, `round(65535 · linear(i / 255))` for each 8-bit value, computed per call (a
/// small cost beside the pass over the pixels). Only IEEE-exact operations (a Newton fifth root instead of `powf`, whose
/// last bit differs between libms), so every platform gets the same table; the tests check it
/// against the formula.
fn linear_table() -> [u16; 256] {
    let mut table = [0u16; 256];
    for (i, entry) in table.iter_mut().enumerate() {
        let v = i as f64 / 255.0;
        let linear = if v <= 0.04045 {
            v / 12.92
        } else {
            // t^2.4 = t² · (t²)^(1/5)
            let t = (v + 0.055) / 1.055;
            let square = t * t;
            let mut root = 1.0;
            for _ in 0..40 {
                root -=
                    (root * root * root * root * root - square) / (5.0 * root * root * root * root);
            }
            square * root
        };
        *entry = (65535.0 * linear).round() as u16;
    }
    table
}

/// Rec. 709 luminance weights (the sRGB primaries), scaled to 2^13: a luminance stays below 2^29.
const WEIGHTS: [i32; 3] = [1742, 5859, 591];

/// The largest luma change, in code values: beyond it the prediction is too rough to trust.
const MOST: i32 = 32;

/// jpeg-encoder's RGB → Y (16-bit fixed point, rounded).
fn luma([r, g, b]: [i32; 3]) -> i32 {
    (19595 * r + 38470 * g + 7471 * b + 0x7FFF) >> 16
}

fn luminance(linear: &[u16; 256], [r, g, b]: [i32; 3]) -> i32 {
    let [wr, wg, wb] = WEIGHTS;
    wr * i32::from(linear[r as usize])
        + wg * i32::from(linear[g as usize])
        + wb * i32::from(linear[b as usize])
}

/// `image` (RGB) with each pixel's luma moved so that, once its chroma has been averaged over
/// 2×`down` pixels (4:2:0 or 4:2:2) and upsampled again, it has its own luminance back.
pub(crate) fn compensate_luma(image: &Raster, down: usize) -> Raster {
    let mut out = image.data.clone();
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::avx2() {
        // SAFETY: `cpu::avx2` is true only on a CPU with AVX2.
        unsafe { compensate_avx2(image, down, &mut out) };
        return Raster::new(image.width, image.height, 3, out);
    }
    compensate(image, down, &mut out);
    Raster::new(image.width, image.height, 3, out)
}

/// [`compensate`] compiled for AVX2: its loops over every pixel vectorise twice as wide.
/// Integer arithmetic, so the bytes are the same.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn compensate_avx2(image: &Raster, down: usize, out: &mut [u8]) {
    compensate(image, down, out);
}

#[inline(always)]
fn compensate(image: &Raster, down: usize, out: &mut [u8]) {
    let (width, height) = (image.width as usize, image.height as usize);
    let linear = linear_table();
    // The encoder's Cb and Cr of every pixel.
    let mut own = [vec![0u8; width * height], vec![0u8; width * height]];
    {
        let [cbs, crs] = &mut own;
        for ((p, cb), cr) in image.data.chunks_exact(3).zip(cbs).zip(crs) {
            let (r, g, b) = (i32::from(p[0]), i32::from(p[1]), i32::from(p[2]));
            *cb = ((-11059 * r - 21709 * g + 32768 * b + (128 << 16) + 0x7FFF) >> 16) as u8;
            *cr = ((32768 * r - 27439 * g - 5329 * b + (128 << 16) + 0x7FFF) >> 16) as u8;
        }
    }
    let (chroma_width, chroma_height) = (width.div_ceil(2), height.div_ceil(down));
    let chroma = [&own[0], &own[1]].map(|plane| box_means(plane, (width, height), down));
    let mut column_sums = vec![0i16; chroma_width + 2];
    let mut upsampled = [vec![0i16; width + 1], vec![0i16; width + 1]];
    let mut off = vec![0u8; width];
    for y in 0..height {
        // The chroma rows the decoder upsamples this row from (see `upsample_row`).
        let near = y / down;
        let far = match (down, y % 2) {
            (1, _) => near,
            (_, 0) => near.saturating_sub(1),
            _ => (near + 1).min(chroma_height - 1),
        };
        for (plane, up) in chroma.iter().zip(&mut upsampled) {
            let near_row = &plane[near * chroma_width..][..chroma_width];
            let far_row = &plane[far * chroma_width..][..chroma_width];
            upsample_row((near_row, far_row), &mut column_sums, up);
        }
        // Chroma off by at most one code value moves luminance by less than a luma step: those
        // pixels are flagged out in one pass that vectorises, and skipped 16 at a time.
        let own_row = [&own[0][y * width..][..width], &own[1][y * width..][..width]];
        let pairs = own_row[0]
            .iter()
            .zip(own_row[1])
            .zip(&upsampled[0])
            .zip(&upsampled[1]);
        for (flag, (((&own_cb, &own_cr), &cb), &cr)) in off.iter_mut().zip(pairs) {
            *flag = u8::from((cb - i16::from(own_cb)).abs() + (cr - i16::from(own_cr)).abs() > 1);
        }
        for (chunk, flags) in off.chunks(16).enumerate() {
            if flags.iter().all(|&flag| flag == 0) {
                continue;
            }
            for (i, _) in flags.iter().enumerate().filter(|(_, &flag)| flag != 0) {
                let x = chunk * 16 + i;
                let at = (y * width + x) * 3;
                let (cb, cr) = (upsampled[0][x].into(), upsampled[1][x].into());
                if let Some(change) = luma_change(&linear, &image.data[at..at + 3], cb, cr) {
                    for value in &mut out[at..at + 3] {
                        *value = (i32::from(*value) + change) as u8;
                    }
                }
            }
        }
    }
}

/// The encoder's chroma: the mean over each block of 2×`down` samples, rounded with libjpeg's
/// alternating bias (1, 2 of 4). Past the right and bottom edges the encoder repeats the last
/// pixel: a block there counts its pixels twice (a 2×1 block's row too), which gives the same
/// means.
#[inline(always)] // into `compensate`, compiled for AVX2 with it
fn box_means(plane: &[u8], (width, height): (usize, usize), down: usize) -> Vec<i16> {
    let chroma_width = width.div_ceil(2);
    let mut means = vec![0i16; chroma_width * height.div_ceil(down)];
    for (cy, out) in means.chunks_exact_mut(chroma_width).enumerate() {
        let top = &plane[cy * down * width..][..width];
        let bottom = &plane[(cy * down + down - 1).min(height - 1) * width..][..width];
        for (cx, value) in out.iter_mut().enumerate() {
            let (left, right) = (2 * cx, (2 * cx + 1).min(width - 1));
            let sum = i16::from(top[left])
                + i16::from(top[right])
                + i16::from(bottom[left])
                + i16::from(bottom[right]);
            *value = (sum + 1 + (cx as i16 & 1)) >> 2;
        }
    }
    means
}

/// libjpeg's fancy upsampling of one output row: 3/4 of the nearer chroma row and 1/4 of the
/// farther one down the columns (×4), then the same along the row (×16 in all). `column_sums`
/// is scratch of the chroma width + 2, `up` the output row (even length).
#[inline(always)] // into `compensate`, compiled for AVX2 with it
fn upsample_row((near, far): (&[i16], &[i16]), column_sums: &mut [i16], up: &mut [i16]) {
    for ((sum, &a), &b) in column_sums[1..].iter_mut().zip(near).zip(far) {
        *sum = 3 * a + b;
    }
    // The edge columns repeated on either side.
    let last = column_sums.len() - 1;
    (column_sums[0], column_sums[last]) = (column_sums[1], column_sums[last - 1]);
    for (pair, sums) in up.chunks_exact_mut(2).zip(column_sums.windows(3)) {
        pair[0] = (3 * sums[1] + sums[0] + 8) >> 4;
        pair[1] = (3 * sums[1] + sums[2] + 7) >> 4;
    }
}

/// The luma change that gives `source`, rebuilt from its luma and the upsampled `cb`, `cr`, its
/// own luminance back; `None` under one code value. Out of line: most pixels never get here.
#[inline(never)]
fn luma_change(linear: &[u16; 256], source: &[u8], cb: i32, cr: i32) -> Option<i32> {
    let (r, g, b) = (
        i32::from(source[0]),
        i32::from(source[1]),
        i32::from(source[2]),
    );
    let luma = luma([r, g, b]);
    // libjpeg's YCbCr → RGB (jdcolor.c's fixed point).
    let (cb, cr) = (cb - 128, cr - 128);
    let rebuilt = [
        luma + ((91881 * cr + 32768) >> 16),
        luma + ((-22554 * cb - 46802 * cr + 32768) >> 16),
        luma + ((116130 * cb + 32768) >> 16),
    ];
    // One Newton step: the luminance missing over its slope, twice over (the slope is a
    // central difference), rounded; corrections under one code value are noise.
    let mut missing = luminance(linear, [r, g, b]);
    let mut slope = 0;
    for (v, weight) in rebuilt.into_iter().zip(WEIGHTS) {
        let v = v.clamp(0, 255) as usize;
        missing -= weight * i32::from(linear[v]);
        slope +=
            weight * (i32::from(linear[(v + 1).min(255)]) - i32::from(linear[v.saturating_sub(1)]));
    }
    if slope == 0 || 2 * missing.abs() < slope {
        return None;
    }
    let change = (2 * missing + missing.signum() * (slope / 2)) / slope;
    // Every channel stays in range, so Cb and Cr stay exactly what they were.
    let (lowest, highest) = (r.min(g).min(b), r.max(g).max(b));
    Some(change.clamp(-MOST, MOST).clamp(-lowest, 255 - highest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::{prop_assert_eq, proptest};

    #[test]
    fn the_table_is_the_srgb_decoding_curve() {
        for (i, &value) in linear_table().iter().enumerate() {
            let v = i as f64 / 255.0;
            let linear = if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            };
            assert_eq!(value, (65535.0 * linear).round() as u16, "entry {i}");
        }
    }

    #[test]
    fn pictures_without_colour_edges_are_left_alone() {
        for rgb in [[200u8, 30, 60], [128, 128, 128], [0, 0, 0], [255, 255, 255]] {
            let flat = Raster::new(9, 7, 3, rgb.repeat(63));
            assert_eq!(compensate_luma(&flat, 2).data, flat.data);
        }
        let gray: Vec<u8> = (0..9 * 7).flat_map(|i| [(i * 4) as u8; 3]).collect();
        let ramp = Raster::new(9, 7, 3, gray);
        assert_eq!(compensate_luma(&ramp, 2).data, ramp.data);
    }

    /// Mean error in linear luminance of `jpeg` decoded (jpeg-decoder: libjpeg's fancy
    /// upsampling) against `source`, in units of the 16-bit table.
    fn luminance_error(jpeg: &[u8], source: &Raster) -> f64 {
        let decoded = jpeg_decoder::Decoder::new(jpeg).decode().unwrap();
        let linear = linear_table();
        let pixels = |data: &[u8]| -> Vec<i32> {
            data.chunks_exact(3)
                .map(|p| luminance(&linear, [p[0], p[1], p[2]].map(i32::from)) >> 13)
                .collect()
        };
        let (a, b) = (pixels(&decoded), pixels(&source.data));
        a.iter()
            .zip(&b)
            .map(|(a, b)| (a - b).abs() as f64)
            .sum::<f64>()
            / a.len() as f64
    }

    #[test]
    fn saturated_edges_keep_their_luminance_through_a_420_jpeg() {
        // Stripes 1–4 pixels wide of red, green, blue and yellow over a soft gradient.
        let (width, height) = (64u32, 48u32);
        let colours = [
            [220u8, 30, 40],
            [30, 180, 60],
            [40, 50, 210],
            [240, 220, 40],
        ];
        let data: Vec<u8> = (0..width * height)
            .flat_map(|i| {
                let (x, y) = ((i % width) as usize, (i / width) as usize);
                let stripe = (x + x / 5 + y / 7) % 4;
                colours[stripe].map(|v| v.saturating_add((y * 2) as u8))
            })
            .collect();
        let image = Raster::new(width, height, 3, data);
        let encode = |pixels: &[u8]| {
            let mut out = Vec::new();
            let mut encoder = jpeg_encoder::Encoder::new(&mut out, 95);
            encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_0);
            encoder.set_chroma_subsampling_method(jpeg_encoder::ChromaSubsamplingMethod::Average);
            let size = (width as u16, height as u16);
            encoder
                .encode(pixels, size.0, size.1, jpeg_encoder::ColorType::Rgb)
                .unwrap();
            out
        };
        let plain = luminance_error(&encode(&image.data), &image);
        let compensated = luminance_error(&encode(&compensate_luma(&image, 2).data), &image);
        assert!(
            compensated < 0.7 * plain,
            "luminance error {compensated:.0} with the compensation, {plain:.0} without"
        );
    }

    /// The pass written the plain way, pixel by pixel with clamped coordinates: what the
    /// row-wise version (edges, the 2×1 case, the skipping) must give byte for byte.
    fn plainly(image: &Raster, (across, down): (usize, usize)) -> Vec<u8> {
        let (width, height) = (image.width as usize, image.height as usize);
        let linear = linear_table();
        let pixel = |x: usize, y: usize| {
            let at = (y.min(height - 1) * width + x.min(width - 1)) * 3;
            [0, 1, 2].map(|c| i32::from(image.data[at + c]))
        };
        let chroma_of = |[r, g, b]: [i32; 3]| {
            [
                (-11059 * r - 21709 * g + 32768 * b + (128 << 16) + 0x7FFF) >> 16,
                (32768 * r - 27439 * g - 5329 * b + (128 << 16) + 0x7FFF) >> 16,
            ]
        };
        let (chroma_width, chroma_height) = (width.div_ceil(across), height.div_ceil(down));
        let n = (across * down) as i32;
        let mean = |cx: usize, cy: usize| {
            let cx = cx.min(chroma_width - 1);
            let cy = cy.min(chroma_height - 1);
            let mut sum = [0, 0];
            for dy in 0..down {
                for dx in 0..across {
                    let [cb, cr] = chroma_of(pixel(cx * across + dx, cy * down + dy));
                    sum = [sum[0] + cb, sum[1] + cr];
                }
            }
            let bias = if cx.is_multiple_of(2) {
                (n - 1) / 2
            } else {
                n / 2
            };
            sum.map(|s| (s + bias) / n)
        };
        let mut out = image.data.clone();
        for y in 0..height {
            for x in 0..width {
                let (cx, cy) = (x / across, y / down);
                let far_y = match (down, y % 2) {
                    (1, _) => cy,
                    (_, 0) => cy.saturating_sub(1),
                    _ => cy + 1,
                };
                let column = |cx: usize| {
                    let (a, b) = (mean(cx, cy), mean(cx, far_y));
                    [3 * a[0] + b[0], 3 * a[1] + b[1]]
                };
                let (other, rounding) = match x % 2 {
                    0 => (cx.saturating_sub(1), 8),
                    _ => (cx + 1, 7),
                };
                let (a, b) = (column(cx), column(other.min(chroma_width - 1)));
                let up = [0, 1].map(|c| (3 * a[c] + b[c] + rounding) >> 4);
                let own = chroma_of(pixel(x, y));
                if (up[0] - own[0]).abs() + (up[1] - own[1]).abs() <= 1 {
                    continue;
                }
                let at = (y * width + x) * 3;
                if let Some(change) = luma_change(&linear, &image.data[at..at + 3], up[0], up[1]) {
                    for value in &mut out[at..at + 3] {
                        *value = (i32::from(*value) + change) as u8;
                    }
                }
            }
        }
        out
    }

    proptest! {
        #[test]
        fn the_row_wise_pass_is_the_plain_one(
            width in 1usize..20,
            height in 1usize..12,
            sampling in 0usize..2,
            seed in vec(0u8..=255, 6),
        ) {
            // Blocks of a few saturated colours with some noise: edges everywhere.
            let palette = [[230u8, 20, 30], [20, 200, 40], [30, 40, 220], [250, 240, 20]];
            let data: Vec<u8> = (0..width * height)
                .flat_map(|i| {
                    let (x, y) = (i % width, i / width);
                    let colour = palette[(x / 3 + y / 2 + usize::from(seed[i % 6] % 2)) % 4];
                    colour.map(|v| v.saturating_add(seed[(i + 1) % 6] % 9))
                })
                .collect();
            let image = Raster::new(width as u32, height as u32, 3, data);
            let down = 2 - sampling;
            let mut portable = image.data.clone();
            compensate(&image, down, &mut portable);
            prop_assert_eq!(&portable, &plainly(&image, (2, down)));
            #[cfg(target_arch = "x86_64")]
            if crate::cpu::has_avx2() {
                let mut avx2 = image.data.clone();
                // SAFETY: `cpu::has_avx2` found AVX2 just above.
                unsafe { compensate_avx2(&image, down, &mut avx2) };
                prop_assert_eq!(&avx2, &portable);
            }
        }
    }
}
