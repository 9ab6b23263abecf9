//! Resampling with fast_image_resize: runtime CPU dispatch (AVX2 / SSE4.1 / NEON / wasm simd128,
//! scalar fallback), alpha premultiplied around the convolution so transparent pixels do not bleed
//! dark fringes, and a sub-pixel source window so crops are not shifted by half a pixel.

use std::cell::RefCell;

use fast_image_resize::{
    images::{Image, ImageRef},
    FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer,
};

use crate::error::{Error, Result};
use crate::options::Kernel;
use crate::raster::Raster;

thread_local! {
    // The resizer keeps its scratch buffers: reusing it saves an allocation per job and thread.
    static RESIZER: RefCell<Resizer> = RefCell::new(Resizer::new());
}

fn algorithm(kernel: Kernel) -> ResizeAlg {
    match kernel {
        Kernel::Nearest => ResizeAlg::Nearest,
        Kernel::Box => ResizeAlg::Convolution(FilterType::Box),
        Kernel::Bilinear => ResizeAlg::Convolution(FilterType::Bilinear),
        Kernel::CatmullRom => ResizeAlg::Convolution(FilterType::CatmullRom),
        Kernel::Mitchell => ResizeAlg::Convolution(FilterType::Mitchell),
        Kernel::Lanczos3 => ResizeAlg::Convolution(FilterType::Lanczos3),
    }
}

/// Resamples `window` (`[x, y, w, h]`, sub-pixel) of `src` to `width`×`height`.
pub(crate) fn resize(
    src: &Raster,
    window: [f64; 4],
    width: u32,
    height: u32,
    kernel: Kernel,
) -> Result<Raster> {
    resample(src, window, (width, height), kernel, src.has_alpha())
}

/// [`resize`] for samples that are not pixels with alpha — a JPEG's Cb/Cr pair: every channel
/// on its own, none premultiplied by another.
pub(crate) fn resize_samples(
    src: &Raster,
    window: [f64; 4],
    width: u32,
    height: u32,
    kernel: Kernel,
) -> Result<Raster> {
    resample(src, window, (width, height), kernel, false)
}

fn resample(
    src: &Raster,
    window: [f64; 4],
    (width, height): (u32, u32),
    kernel: Kernel,
    alpha: bool,
) -> Result<Raster> {
    let [x, y, w, h] = window;
    let whole_pixels = [x, y, w, h].iter().all(|v| v.fract() == 0.0);
    if whole_pixels && w as u32 == width && h as u32 == height {
        return Ok(copy_window(src, x as u32, y as u32, width, height));
    }
    let options = ResizeOptions::new()
        .resize_alg(algorithm(kernel))
        .crop(x, y, w, h)
        .use_alpha(alpha);
    convolve(src, width, height, &options)
}

fn internal(e: &dyn std::fmt::Display) -> Error {
    Error::Internal(format!("resize: {e}"))
}

fn run(source: &ImageRef, dst: &mut Image, options: &ResizeOptions) -> Result<()> {
    RESIZER
        .with(|r| r.borrow_mut().resize(source, dst, options))
        .map_err(|e| internal(&e))
}

/// Each layout with fast_image_resize's own kernel for it (alpha premultiplied for the two
/// layouts that have alpha).
#[cfg(not(feature = "compact-resize"))]
fn convolve(src: &Raster, width: u32, height: u32, options: &ResizeOptions) -> Result<Raster> {
    let pixel_type = match src.channels {
        1 => PixelType::U8,
        2 => PixelType::U8x2,
        3 => PixelType::U8x3,
        _ => PixelType::U8x4,
    };
    let source =
        ImageRef::new(src.width, src.height, &src.data, pixel_type).map_err(|e| internal(&e))?;
    let mut dst = Image::new(width, height, pixel_type);
    run(&source, &mut dst, options)?;
    Ok(Raster::new(width, height, src.channels, dst.into_vec()))
}

/// `compact-resize`: fast_image_resize is built with `only_u8x4`, one RGBA convolution instead of
/// one per pixel layout — most of its code (−1.6 MB in the x64 Node addon, what brings the Node
/// and wasm packages within their size budgets), for a slower resize of gray and RGB (a widening
/// pass over every source pixel, a third more bytes through the convolution): the 512×512 avatar
/// job on the corpus photos took ~12 % longer (geomean of per-file minimum times; gray and small
/// JPEGs up to +40 %, PNGs with alpha unchanged), too much for the default build. Gray, gray+alpha
/// and RGB are widened to RGBA around it. fast_image_resize's u8 arithmetic is per channel and
/// the same for every layout and SIMD path, so the widened channels come out bit for bit as the
/// layout's own kernel makes them; premultiplication stays for the layouts with alpha, the filler
/// alpha of gray and RGB is never used (`tests::every_layout_gives_the_per_layout_kernels_bytes`
/// holds in both builds).
#[cfg(feature = "compact-resize")]
fn convolve(src: &Raster, width: u32, height: u32, options: &ResizeOptions) -> Result<Raster> {
    let widened;
    let rgba = if src.channels == 4 {
        &src.data
    } else {
        widened = widen(src);
        &widened
    };
    let source =
        ImageRef::new(src.width, src.height, rgba, PixelType::U8x4).map_err(|e| internal(&e))?;
    let mut dst = Image::new(width, height, PixelType::U8x4);
    run(&source, &mut dst, options)?;
    Ok(narrow(dst.into_vec(), width, height, src.channels))
}

/// Gray, gray+alpha or RGB as RGBA for the one convolution: gray spread to R = G = B, 255 as the
/// filler alpha. One fixed-size loop per layout: this pass runs over every source pixel.
#[cfg(feature = "compact-resize")]
fn widen(src: &Raster) -> Vec<u8> {
    let mut rgba = vec![0u8; src.width as usize * src.height as usize * 4];
    let pixels = rgba.chunks_exact_mut(4);
    match src.channels {
        1 => pixels
            .zip(&src.data)
            .for_each(|(out, &g)| out.copy_from_slice(&[g, g, g, 255])),
        2 => pixels
            .zip(src.data.chunks_exact(2))
            .for_each(|(out, px)| out.copy_from_slice(&[px[0], px[0], px[0], px[1]])),
        _ => pixels
            .zip(src.data.chunks_exact(3))
            .for_each(|(out, px)| out.copy_from_slice(&[px[0], px[1], px[2], 255])),
    }
    rgba
}

/// RGBA back to the source's layout: gray is the R channel (R = G = B after widening).
#[cfg(feature = "compact-resize")]
fn narrow(rgba: Vec<u8>, width: u32, height: u32, channels: u8) -> Raster {
    let keep: &[usize] = match channels {
        1 => &[0],
        2 => &[0, 3],
        3 => &[0, 1, 2],
        _ => return Raster::new(width, height, 4, rgba),
    };
    let mut data = Vec::with_capacity(rgba.len() / 4 * keep.len());
    for px in rgba.chunks_exact(4) {
        data.extend(keep.iter().map(|&c| px[c]));
    }
    Raster::new(width, height, channels, data)
}

/// A plain crop: no resampling when the window maps 1:1 onto whole output pixels.
fn copy_window(src: &Raster, x: u32, y: u32, width: u32, height: u32) -> Raster {
    if (x, y, width, height) == (0, 0, src.width, src.height) {
        return src.clone();
    }
    let n = src.channels as usize;
    let mut data = Vec::with_capacity(width as usize * height as usize * n);
    for row in y..y + height {
        let start = (row as usize * src.width as usize + x as usize) * n;
        data.extend_from_slice(&src.data[start..start + width as usize * n]);
    }
    Raster::new(width, height, src.channels, data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// Deterministic noise with runs of fully transparent and fully opaque alpha (xorshift: any
    /// fixed sequence will do, it only has to be the same on every run).
    fn noise(width: u32, height: u32, channels: u8, seed: u64) -> Raster {
        let mut state = seed;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let n = channels as usize;
        let mut data = Vec::with_capacity(width as usize * height as usize * n);
        for i in 0..width as usize * height as usize {
            let r = next();
            for c in 0..n {
                let alpha_channel = c == n - 1 && (n == 2 || n == 4);
                data.push(match (alpha_channel, (i / 7) % 3) {
                    (true, 0) => 0,
                    (true, 1) => 255,
                    _ => (r >> (8 * c)) as u8,
                });
            }
        }
        Raster::new(width, height, channels, data)
    }

    /// sha256 of every output of every kernel on down- and upscales, whole and sub-pixel windows.
    fn digest_of_resizes(channels: u8) -> String {
        let src = noise(
            61,
            47,
            channels,
            0x9E37_79B9_7F4A_7C15 ^ u64::from(channels),
        );
        let jobs: [([f64; 4], u32, u32); 5] = [
            ([0.0, 0.0, 61.0, 47.0], 17, 13),
            ([3.25, 1.5, 40.5, 33.75], 20, 16),
            ([0.0, 0.0, 61.0, 47.0], 97, 80),
            ([10.0, 5.0, 21.0, 21.0], 21, 9),
            ([2.5, 2.5, 7.0, 7.0], 7, 7),
        ];
        let mut hasher = Sha256::new();
        for kernel in [
            Kernel::Nearest,
            Kernel::Box,
            Kernel::Bilinear,
            Kernel::CatmullRom,
            Kernel::Mitchell,
            Kernel::Lanczos3,
        ] {
            for (window, width, height) in jobs {
                let out = resize(&src, window, width, height, kernel).unwrap();
                assert_eq!(
                    (out.width, out.height, out.channels),
                    (width, height, channels)
                );
                hasher.update(&out.data);
            }
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Digests recorded with fast_image_resize's own U8 / U8x2 / U8x3 / U8x4 kernels: the
    /// `compact-resize` build (widened to RGBA) must give the same bytes, or the Node and wasm
    /// packages would not reproduce the other builds' outputs (parity.json covers only 9 cases).
    #[test]
    fn every_layout_gives_the_per_layout_kernels_bytes() {
        let recorded = [
            "e70a3932cd53b46c1a81ac867533ebe2a08dd9b3db011a90bb9f3c8c34cb16f4",
            "b66341edd01329ce693dffc3a4b2f8dc68fe65fd18ea7db340438051a6dc2352",
            "947a2ead3b5e3a8869311b5cc2da4de52f564933fcda7fbe85fcbe25ecf6afc1",
            "16856dfee074f80a37c139dea454c4cf9e53e7fa67816811435f2f74126093a4",
        ];
        for (channels, digest) in (1..=4).zip(recorded) {
            assert_eq!(digest_of_resizes(channels), digest, "{channels} channels");
        }
    }
}
