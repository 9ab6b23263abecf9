//! Putting the resized image on its canvas: `contain` letterboxing and flattening alpha onto the
//! background colour.

use crate::options::Color;
use crate::raster::Raster;

/// Places `image` at `offset` on a `canvas`-sized background. The canvas gets an alpha channel
/// only if the background is not opaque or the image already has one.
pub(crate) fn letterbox(
    image: Raster,
    canvas: (u32, u32),
    offset: (u32, u32),
    bg: Color,
) -> Raster {
    if canvas == (image.width, image.height) {
        return image;
    }
    let image = with_background_channels(image, bg);
    let channels = image.channels;
    let fill: Vec<u8> = match channels {
        1 => vec![bg.r],
        2 => vec![bg.r, bg.a],
        3 => vec![bg.r, bg.g, bg.b],
        _ => vec![bg.r, bg.g, bg.b, bg.a],
    };
    let n = channels as usize;
    let mut data = fill.repeat(canvas.0 as usize * canvas.1 as usize);
    let row_bytes = image.width as usize * n;
    for (row, src) in image.data.chunks_exact(row_bytes).enumerate() {
        let start = ((offset.1 as usize + row) * canvas.0 as usize + offset.0 as usize) * n;
        data[start..start + row_bytes].copy_from_slice(src);
    }
    Raster::new(canvas.0, canvas.1, channels, data)
}

/// `image` with the channels a canvas of `bg` needs around it: RGB unless both are gray, alpha
/// when either has it (a see-through `bg`).
pub(crate) fn with_background_channels(image: Raster, bg: Color) -> Raster {
    let gray_bg = bg.r == bg.g && bg.g == bg.b;
    let image = if gray_bg { image } else { image.into_rgb() };
    let alpha = image.has_alpha() || bg.a != 255;
    let channels = match (image.is_gray(), alpha) {
        (true, false) => 1,
        (true, true) => 2,
        (false, false) => 3,
        (false, true) => 4,
    };
    with_channels(image, channels)
}

/// Adds an opaque alpha channel so the image matches a canvas that has one.
fn with_channels(image: Raster, channels: u8) -> Raster {
    if image.channels == channels {
        return image;
    }
    let n = image.channels as usize;
    let data = image
        .data
        .chunks_exact(n)
        .flat_map(|px| px.iter().copied().chain(std::iter::once(255)))
        .collect();
    Raster::new(image.width, image.height, channels, data)
}

/// Composites straight-alpha pixels over an opaque `bg` and drops the alpha channel, each value
/// rounded to the nearest byte.
pub(crate) fn flatten(image: Raster, bg: Color) -> Raster {
    flatten_with(image, bg, |_, _| ROUND)
}

/// [`flatten`] for pixels that are resampled afterwards, with ordered dithering instead of
/// rounding: a half-transparent pixel's colour spans only half the byte range once blended, so
/// rounding each one throws away a bit the resize would have kept (docs/decisions.md has the
/// scores). The 4×4 Bayer thresholds average out under the resampling filter. Opaque and fully transparent pixels are exact either way. `origin` is where
/// the raster's top-left pixel sits in the whole decoded picture, so the pattern does not depend on
/// which part of the picture was decoded.
pub(crate) fn flatten_dithered(image: Raster, bg: Color, origin: (u32, u32)) -> Raster {
    flatten_with(image, bg, |x, y| {
        BAYER_THRESHOLDS[((origin.1 + y) % 4) as usize][((origin.0 + x) % 4) as usize]
    })
}

/// Added to `c·a + bg·(255 − a)` before the division by 255: 127 rounds to nearest.
const ROUND: u16 = 127;

/// The 4×4 Bayer matrix `b` as thresholds in 255ths: `⌊(b + ½)/16 · 255⌋`, 7 to 247. Adding the
/// floor divides to the same byte as adding the exact fraction (the numerator is a whole number);
/// they average 127, like rounding, and stay below 255, so an opaque or fully transparent pixel
/// (`255·c + t`) still divides to exactly `c`.
const BAYER_THRESHOLDS: [[u16; 4]; 4] = {
    const BAYER: [[u16; 4]; 4] = [[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]];
    let mut thresholds = [[0; 4]; 4];
    let mut y = 0;
    while y < 4 {
        let mut x = 0;
        while x < 4 {
            thresholds[y][x] = (2 * BAYER[y][x] + 1) * 255 / 32;
            x += 1;
        }
        y += 1;
    }
    thresholds
};

/// `(c·a + bg·(255 − a) + threshold) / 255` in 16 bits (at most 65025 + 247), the division as
/// `(x + 1 + (x >> 8)) >> 8`, exact below 65535: arithmetic the compiler turns into SIMD.
#[inline(always)]
fn blend(c: u8, bg: u8, a: u8, threshold: u16) -> u8 {
    let (c, bg, a) = (u16::from(c), u16::from(bg), u16::from(a));
    let x = c * a + bg * (255 - a) + threshold;
    ((x + 1 + (x >> 8)) >> 8) as u8
}

/// The blend of [`flatten`] and [`flatten_dithered`], with `threshold(x, y)` added before the
/// division. It runs over every source pixel when the pipeline flattens before the resize, so it is
/// written for the compiler to vectorise: the thresholds of each of the four row phases are laid
/// out once per output byte, leaving one plain interleaved loop per row (a generic per-pixel
/// `flat_map`, or a loop indexing thresholds by `x % 4`, runs many times the instructions a
/// pixel; docs/decisions.md).
fn flatten_with(image: Raster, bg: Color, threshold: impl Fn(u32, u32) -> u16) -> Raster {
    if !image.has_alpha() {
        return image;
    }
    let gray_bg = bg.r == bg.g && bg.g == bg.b;
    let image = if gray_bg { image } else { image.into_rgb() };
    let (width, height) = (image.width, image.height);
    let (w, n) = (width as usize, image.channels as usize);
    let mut data = vec![0u8; w * height as usize * (n - 1)];
    if w == 0 {
        return Raster::new(width, height, image.channels - 1, data);
    }
    let phases: Vec<Vec<u16>> = (0..height.min(4))
        .map(|y| {
            (0..width)
                .flat_map(|x| std::iter::repeat_n(threshold(x, y), n - 1))
                .collect()
        })
        .collect();
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::avx2() {
        // SAFETY: `cpu::avx2` is true only on a CPU with AVX2.
        unsafe { blend_rows_avx2(&image.data, &mut data, &phases, w, n, bg) };
        return Raster::new(width, height, image.channels - 1, data);
    }
    blend_rows(&image.data, &mut data, &phases, w, n, bg);
    Raster::new(width, height, image.channels - 1, data)
}

/// [`blend_rows`] compiled for AVX2, whose byte shuffles make the interleaved loop several times
/// faster than SSE2's. Integer arithmetic only, so the bytes are the same as the portable build's.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn blend_rows_avx2(
    src: &[u8],
    out: &mut [u8],
    phases: &[Vec<u16>],
    w: usize,
    n: usize,
    bg: Color,
) {
    blend_rows(src, out, phases, w, n, bg);
}

/// Rows of `n`-channel straight-alpha pixels `src` blended onto `bg` into `out` (`n − 1`
/// channels), row y with the thresholds `phases[y % 4]`.
#[inline(always)]
fn blend_rows(src: &[u8], out: &mut [u8], phases: &[Vec<u16>], w: usize, n: usize, bg: Color) {
    let rows = src
        .chunks_exact(w * n)
        .zip(out.chunks_exact_mut(w * (n - 1)));
    for (y, (src, out)) in rows.enumerate() {
        let thresholds = &phases[y % 4];
        if n == 2 {
            for ((out, px), &t) in out.iter_mut().zip(src.chunks_exact(2)).zip(thresholds) {
                *out = blend(px[0], bg.r, px[1], t);
            }
        } else {
            let pixels = out.chunks_exact_mut(3).zip(src.chunks_exact(4));
            for ((out, px), t) in pixels.zip(thresholds.chunks_exact(3)) {
                out[0] = blend(px[0], bg.r, px[3], t[0]);
                out[1] = blend(px[1], bg.g, px[3], t[1]);
                out[2] = blend(px[2], bg.b, px[3], t[2]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_blends_over_the_background() {
        let img = Raster::new(2, 1, 4, vec![255, 0, 0, 255, 255, 0, 0, 0]);
        let out = flatten(img, Color::WHITE);
        assert_eq!(out.data, vec![255, 0, 0, 255, 255, 255]);
        let half = Raster::new(1, 1, 2, vec![0, 128]);
        assert_eq!(flatten(half, Color::WHITE).data, vec![127]);
    }

    /// Every byte value, every alpha, in both layouts, on a gray and a coloured background.
    fn every_pixel(channels: u8) -> Raster {
        let data: Vec<u8> = (0..=255u8)
            .flat_map(|a| (0..=255u8).flat_map(move |c| [c, c.wrapping_mul(7), c ^ 0x5a, a]))
            .collect();
        let data = if channels == 2 {
            data.chunks_exact(4).flat_map(|p| [p[0], p[3]]).collect()
        } else {
            data
        };
        Raster::new(256, 256, channels, data)
    }

    const TEAL: Color = Color {
        r: 0,
        g: 128,
        b: 128,
        a: 255,
    };

    #[test]
    fn the_fast_blend_is_the_exact_division() {
        for (channels, bg) in [(4, Color::WHITE), (4, TEAL), (2, Color::WHITE), (2, TEAL)] {
            let image = every_pixel(channels);
            let rgb = if bg == Color::WHITE {
                image.clone()
            } else {
                image.clone().into_rgb()
            };
            let n = rgb.channels as usize;
            let expected: Vec<u8> = rgb
                .data
                .chunks_exact(n)
                .flat_map(|px| {
                    let a = u32::from(px[n - 1]);
                    let colour = [bg.r, bg.g, bg.b];
                    (0..n - 1).map(move |i| {
                        let (c, b) = (u32::from(px[i]), u32::from(colour[i]));
                        ((c * a + b * (255 - a) + 127) / 255) as u8
                    })
                })
                .collect();
            assert_eq!(flatten(image, bg).data, expected, "{channels} channels");
        }
    }

    #[test]
    fn dithering_leaves_opaque_and_transparent_pixels_exact() {
        for (channels, bg) in [(4, Color::WHITE), (4, TEAL), (2, Color::WHITE), (2, TEAL)] {
            let mut image = every_pixel(channels);
            let n = channels as usize;
            // Alpha 0 and 255 only.
            for px in image.data.chunks_exact_mut(n) {
                px[n - 1] = if px[n - 1] < 128 { 0 } else { 255 };
            }
            for origin in [(0, 0), (1, 2), (7, 5)] {
                assert_eq!(
                    flatten_dithered(image.clone(), bg, origin),
                    flatten(image.clone(), bg),
                    "{channels} channels at {origin:?}"
                );
            }
        }
    }

    #[test]
    fn dithering_keeps_the_exact_blend_on_average() {
        // Alpha 128 over white: the blend of colour c is 127.5 + c·128/255, between two bytes.
        for c in [0u8, 1, 50, 101, 200, 254] {
            let image = Raster::new(8, 8, 4, [c, c, c, 128].repeat(64));
            let exact = (f64::from(c) * 128.0 + 255.0 * 127.0) / 255.0;
            let rounded = flatten(image.clone(), Color::WHITE);
            let dithered = flatten_dithered(image, Color::WHITE, (3, 1));
            let mean = |r: &Raster| {
                r.data.iter().map(|&v| f64::from(v)).sum::<f64>() / r.data.len() as f64
            };
            assert!(
                (mean(&dithered) - exact).abs() <= 1.0 / 32.0,
                "c = {c}: dithered mean {} vs {exact}",
                mean(&dithered)
            );
            assert!(dithered
                .data
                .iter()
                .all(|&v| (f64::from(v) - exact).abs() < 1.0));
            // Rounding is off by the same fraction everywhere (what the resize cannot undo).
            assert_eq!((mean(&rounded) - exact.round()).abs(), 0.0);
        }
    }

    /// The AVX2 build of the loop and the portable one give the same bytes (integer arithmetic).
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn the_avx2_blend_gives_the_portable_bytes() {
        if !crate::cpu::has_avx2() {
            return;
        }
        for (channels, bg) in [(4, Color::WHITE), (4, TEAL), (2, Color::WHITE), (2, TEAL)] {
            let image = every_pixel(channels);
            let image = if bg == Color::WHITE {
                image
            } else {
                image.into_rgb()
            };
            let n = image.channels as usize;
            let phases: Vec<Vec<u16>> = (0..4)
                .map(|y| {
                    (0..256 * (n - 1))
                        .map(|i| BAYER_THRESHOLDS[y][i / (n - 1) % 4])
                        .collect()
                })
                .collect();
            let mut portable = vec![0u8; 256 * 256 * (n - 1)];
            let mut avx2 = portable.clone();
            blend_rows(&image.data, &mut portable, &phases, 256, n, bg);
            // SAFETY: `cpu::has_avx2` found AVX2 at the top of the test.
            unsafe { blend_rows_avx2(&image.data, &mut avx2, &phases, 256, n, bg) };
            assert_eq!(portable, avx2, "{channels} channels");
        }
    }

    #[test]
    fn letterbox_centres_and_keeps_gray() {
        let img = Raster::new(1, 1, 1, vec![7]);
        let out = letterbox(img, (3, 1), (1, 0), Color::WHITE);
        assert_eq!((out.channels, out.data), (1, vec![255, 7, 255]));
        let img = Raster::new(1, 1, 3, vec![1, 2, 3]);
        let transparent = Color {
            r: 0,
            g: 0,
            b: 0,
            a: 0,
        };
        let out = letterbox(img, (1, 2), (0, 1), transparent);
        assert_eq!(out.data, vec![0, 0, 0, 0, 1, 2, 3, 255]);
    }
}
