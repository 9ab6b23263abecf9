//! Resampling with fast_image_resize: runtime CPU dispatch (AVX2 / SSE4.1 / NEON / wasm simd128,
//! scalar fallback), alpha premultiplied around the convolution so transparent pixels do not bleed
//! dark fringes, and a sub-pixel source window so crops are not shifted by half a pixel.

use std::cell::RefCell;

use fast_image_resize::{
    images::{Image, ImageRef},
    Filter, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer,
};

use crate::cpu;
use crate::error::{Error, Result};
use crate::options::Kernel;
use crate::raster::Raster;

thread_local! {
    // The resizer keeps its scratch buffers: reusing it saves an allocation per job and thread.
    static RESIZER: RefCell<Resizer> = RefCell::new(resizer());
}

/// A resizer with the SIMD extensions [`cpu::resize_extensions`] allows.
fn resizer() -> Resizer {
    let mut resizer = Resizer::new();
    let extensions = cpu::resize_extensions();
    // SAFETY: `resize_extensions` is `CpuExtensions::None`, which every CPU runs, or
    // fast_image_resize's own detection (`CpuExtensions::default`), which it found on this CPU.
    unsafe { resizer.set_cpu_extensions(extensions) };
    resizer
}

/// The extensions this thread's resizer runs with.
#[cfg(test)]
pub(crate) fn extensions_in_use() -> fast_image_resize::CpuExtensions {
    RESIZER.with(|resizer| resizer.borrow().cpu_extensions())
}

fn algorithm(kernel: Kernel) -> ResizeAlg {
    match kernel {
        Kernel::Nearest => ResizeAlg::Nearest,
        Kernel::Box => ResizeAlg::Convolution(FilterType::Box),
        Kernel::Bilinear => ResizeAlg::Convolution(FilterType::Bilinear),
        Kernel::CatmullRom => ResizeAlg::Convolution(FilterType::CatmullRom),
        Kernel::Mitchell => ResizeAlg::Convolution(FilterType::Mitchell),
        Kernel::Lanczos2 => ResizeAlg::Convolution(FilterType::Custom(
            Filter::new("lanczos2", lanczos2, 2.0).expect("2 is a valid support"),
        )),
        Kernel::Lanczos3 => ResizeAlg::Convolution(FilterType::Custom(
            Filter::new("lanczos3", lanczos3, 3.0).expect("3 is a valid support"),
        )),
    }
}

mod reads;
pub(crate) use reads::resize_reads;

/// The support of `kernel`'s filter, in source pixels at a scale of 1: fast_image_resize's own
/// (`convolution::get_filter_func`) for the kernels of [`algorithm`]; nearest reads one pixel per
/// output pixel, half a pixel either side of its centre.
fn support(kernel: Kernel) -> f64 {
    match kernel {
        Kernel::Nearest | Kernel::Box => 0.5,
        Kernel::Bilinear => 1.0,
        Kernel::CatmullRom | Kernel::Mitchell | Kernel::Lanczos2 => 2.0,
        Kernel::Lanczos3 => 3.0,
    }
}

/// Lanczos3, sinc(x)·sinc(x/3) on −3 ≤ x < 3 (fast_image_resize's interval), with one sine
/// rather than the two of its own: sin(πx) = s·(3 − 4s²) for s = sin(πx/3). The weights are computed
/// afresh for every resize, and the sines were a visible part of an avatar job (docs/decisions.md).
fn lanczos3(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else if (-3.0..3.0).contains(&x) {
        let third = x * (std::f64::consts::PI / 3.0);
        let s = third.sin();
        let pi_x = x * std::f64::consts::PI;
        s * (3.0 - 4.0 * s * s) / pi_x * (s / third)
    } else {
        0.0
    }
}

/// Lanczos2, sinc(x)·sinc(x/2) on −2 ≤ x < 2, with one sine and one cosine: sin(πx) =
/// 2·sin(πx/2)·cos(πx/2).
fn lanczos2(x: f64) -> f64 {
    if x == 0.0 {
        1.0
    } else if (-2.0..2.0).contains(&x) {
        let half = x * (std::f64::consts::FRAC_PI_2);
        let (s, c) = half.sin_cos();
        2.0 * s * c / (x * std::f64::consts::PI) * (s / half)
    } else {
        0.0
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
    let window = inside(window, src.width, src.height);
    let [x, y, w, h] = window;
    let whole_pixels = [x, y, w, h].iter().all(|v| v.fract() == 0.0);
    if whole_pixels && w as u32 == width && h as u32 == height {
        return Ok(copy_window(src, x as u32, y as u32, width, height));
    }
    // Gray and a JPEG's chroma pair go axis by axis in every build: fast_image_resize's RGBA
    // kernel with no lane wasted beat its own one- and two-channel kernels on JPEG avatar jobs
    // (docs/decisions.md). RGB only in the compact build, which has no RGB kernel.
    let axis_by_axis = src.channels < 3 || cfg!(feature = "compact-resize") && src.channels == 3;
    if !alpha && axis_by_axis && kernel != Kernel::Nearest {
        return convolve_axis_by_axis(src, window, (width, height), algorithm(kernel));
    }
    let options = ResizeOptions::new()
        .resize_alg(algorithm(kernel))
        .crop(x, y, w, h)
        .use_alpha(alpha);
    convolve(src, width, height, &options)
}

/// `window` clipped to the `width`×`height` source. The pipeline's window arithmetic
/// (orientation, shrink-on-load's N/8, subsampled chroma) is in f64 and can end an edge-aligned
/// window a rounding error past the picture (a 2×19 avatar of a 160×120 JPEG at gravity east,
/// decoded at 3/8 to 60×45: x = 55.26315789473685, w = 4.7368421052631575, whose sum rounds
/// above 60), which fast_image_resize refuses; clipping moves that edge by the rounding error.
/// More than a rounding error would be a bug upstream.
fn inside([x, y, w, h]: [f64; 4], width: u32, height: u32) -> [f64; 4] {
    let (width, height) = (f64::from(width), f64::from(height));
    debug_assert!(
        x > -1e-6 && y > -1e-6 && x + w < width + 1e-6 && y + h < height + 1e-6,
        "window {:?} outside {width}×{height}",
        [x, y, w, h]
    );
    let (x, y) = (x.clamp(0.0, width), y.clamp(0.0, height));
    [x, y, w.min(width - x), h.min(height - y)]
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
/// one per pixel layout — most of its code (what brings the Node and wasm packages within their
/// size budgets; docs/decisions.md). Samples without alpha go through
/// [`convolve_axis_by_axis`]; what comes here — RGBA, gray+alpha, and the nearest-neighbour
/// kernel — is widened to RGBA around the one kernel. fast_image_resize's u8 arithmetic is per
/// channel and the same for every layout and SIMD path, so the widened channels come out bit for
/// bit as the layout's own kernel makes them; premultiplication stays for the layouts with alpha,
/// the filler alpha of gray and RGB (nearest neighbour) is never used
/// (`tests::every_layout_gives_the_per_layout_kernels_bytes`
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

/// Samples without alpha — gray and a JPEG's luma and chroma planes in every build, RGB in the
/// `compact-resize` one: the two passes fast_image_resize makes for u8 pixels — vertical into a buffer of the output's
/// height, then horizontal — made one at a time, each on bytes laid out so the RGBA kernel does
/// no wasted work. The vertical pass treats every byte column on its own, so a row's bytes taken
/// four at a time are RGBA pixels as they lie in memory (rows padded to a multiple of 4 bytes
/// when they are not); the horizontal pass needs whole pixels in a lane, so it gets 4 gray rows
/// or 2 chroma rows side by side in each RGBA pixel (RGB: widened). Widening a luma plane to
/// RGBA instead made 4× the convolution work and 4× its bytes. Each pass computes its
/// coefficients from the same source size, window and output size as the one-call resize, so
/// the bytes are the same (`tests::every_layout_gives_the_per_layout_kernels_bytes`).
fn convolve_axis_by_axis(
    src: &Raster,
    [x, y, w, h]: [f64; 4],
    (width, height): (u32, u32),
    algorithm: ResizeAlg,
) -> Result<Raster> {
    SCRATCH.with(|scratch| {
        let [padded, tall, packed, wide] = &mut *scratch.borrow_mut();
        let n = src.channels as usize;
        let row_bytes = src.width as usize * n;
        let stride = row_bytes.div_ceil(4) * 4;
        let columns: &[u8] = if stride == row_bytes {
            &src.data
        } else {
            pad_rows(&src.data, row_bytes, stride, padded);
            padded
        };
        // Only the columns the horizontal pass reads go through the vertical one (as the
        // one-call resize does): the window widened by the largest filter radius, Lanczos3's 3
        // source pixels per output pixel (scaled when shrinking), and a pixel for rounding; cut
        // at multiples of 4 pixels, which are whole RGBA quads for every layout.
        let radius = 3.0 * (w / f64::from(width)).max(1.0) + 1.0;
        let first = ((x - radius).floor().max(0.0) as usize) / 4 * 4;
        let end = ((x + w + radius).ceil().max(0.0) as usize).min(src.width as usize);
        if end <= first {
            return Err(internal(&"window outside the picture"));
        }
        let (first_quad, end_quad) = (first * n / 4, (end * n).div_ceil(4));
        let quads = (end_quad - first_quad) as u32;
        let source = ImageRef::new((stride / 4) as u32, src.height, columns, PixelType::U8x4)
            .map_err(|e| internal(&e))?;
        let mut tall_image = reused_image(tall, quads, height)?;
        let vertical = ResizeOptions::new()
            .resize_alg(algorithm)
            .crop(first_quad as f64, y, f64::from(quads), h)
            .use_alpha(false);
        run(&source, &mut tall_image, &vertical)?;

        let packed_rows = height.div_ceil(rows_per_pixel(n) as u32);
        let rows = tall_image.buffer().chunks_exact(quads as usize * 4);
        pack_rows(rows, (first, end), src.width, n, packed_rows, packed);
        *tall = tall_image.into_vec();
        let source = ImageRef::new(src.width, packed_rows, packed, PixelType::U8x4)
            .map_err(|e| internal(&e))?;
        let mut wide_image = reused_image(wide, width, packed_rows)?;
        let horizontal = ResizeOptions::new()
            .resize_alg(algorithm)
            .crop(x, 0.0, w, f64::from(packed_rows))
            .use_alpha(false);
        run(&source, &mut wide_image, &horizontal)?;
        let out = unpack_rows(wide_image.buffer(), width, height, n);
        *wide = wide_image.into_vec();
        for buffer in [padded, tall, packed, wide] {
            if buffer.capacity() > KEEP_AT_MOST {
                *buffer = Vec::new();
            }
        }
        Ok(out)
    })
}

thread_local! {
    // The axis-by-axis resize's buffers (padded rows, vertical pass, packed rows, horizontal
    // pass), kept between calls like the resizer's own: allocated afresh, these megabytes cost
    // more in page faults than the narrower passes saved (docs/decisions.md).
    static SCRATCH: RefCell<[Vec<u8>; 4]> = RefCell::new(Default::default());
}

/// Buffers above this are freed after the call rather than kept for the next (a 4096-pixel-wide
/// gray picture resized to 4096 rows needs 16 MiB in two of them).
const KEEP_AT_MOST: usize = 32 << 20;

/// `buffer` as a `width`×`height` RGBA image to write into (its old contents are overwritten).
fn reused_image(buffer: &mut Vec<u8>, width: u32, height: u32) -> Result<Image<'static>> {
    let mut data = std::mem::take(buffer);
    data.resize(width as usize * height as usize * 4, 0);
    Image::from_vec_u8(width, height, data, PixelType::U8x4).map_err(|e| internal(&e))
}

/// `data`'s rows of `row_bytes`, each padded with zeros to `stride`, into `out`.
fn pad_rows(data: &[u8], row_bytes: usize, stride: usize, out: &mut Vec<u8>) {
    out.clear();
    out.resize(data.len() / row_bytes * stride, 0);
    for (padded, row) in out
        .chunks_exact_mut(stride)
        .zip(data.chunks_exact(row_bytes))
    {
        padded[..row_bytes].copy_from_slice(row);
    }
}

/// The vertical pass's `rows` — pixels `first..end` of a `width`-pixel row, `n` bytes each, at
/// the start of every row — into `packed` as RGBA pixels of a `width`-pixel image for the
/// horizontal pass: pixel x of packed row r holds pixel x of rows 4r…4r+3 (gray) or 2r, 2r+1
/// (two channels); RGB is widened with a filler byte. Pixels outside `first..end` (which the
/// horizontal pass does not read) and rows past the end are zeros.
fn pack_rows<'a>(
    rows: impl Iterator<Item = &'a [u8]>,
    (first, end): (usize, usize),
    width: u32,
    n: usize,
    packed_rows: u32,
    packed: &mut Vec<u8>,
) {
    let width = width as usize;
    packed.clear();
    packed.resize(width * 4 * packed_rows as usize, 0);
    let used = (end - first) * n;
    let rows: Vec<&[u8]> = rows.map(|r| &r[..used]).collect();
    let zeros = vec![0u8; used];
    for (r, out) in packed.chunks_exact_mut(width * 4).enumerate() {
        let out = &mut out[first * 4..end * 4];
        match n {
            1 => {
                let row = |i: usize| rows.get(4 * r + i).copied().unwrap_or(&zeros);
                let (a, b, c, d) = (row(0), row(1), row(2), row(3));
                for (((px, &a), &b), (&c, &d)) in
                    out.chunks_exact_mut(4).zip(a).zip(b).zip(c.iter().zip(d))
                {
                    px.copy_from_slice(&[a, b, c, d]);
                }
            }
            2 => {
                let top = rows[2 * r];
                let bottom = rows.get(2 * r + 1).copied().unwrap_or(top);
                for ((px, t), b) in out
                    .chunks_exact_mut(4)
                    .zip(top.chunks_exact(2))
                    .zip(bottom.chunks_exact(2))
                {
                    px.copy_from_slice(&[t[0], t[1], b[0], b[1]]);
                }
            }
            _ => {
                for (px, rgb) in out.chunks_exact_mut(4).zip(rows[r].chunks_exact(3)) {
                    px.copy_from_slice(&[rgb[0], rgb[1], rgb[2], 255]);
                }
            }
        }
    }
}

/// How many rows of `n`-byte pixels [`pack_rows`] puts side by side in one RGBA pixel.
fn rows_per_pixel(n: usize) -> usize {
    if n == 3 {
        1
    } else {
        4 / n
    }
}

/// The inverse of [`pack_rows`] on the horizontal pass's `width`-pixel output: `height` rows of
/// `n`-byte pixels.
fn unpack_rows(packed: &[u8], width: u32, height: u32, n: usize) -> Raster {
    let mut data = vec![0u8; width as usize * n * height as usize];
    #[cfg(target_arch = "x86_64")]
    if cpu::avx2() {
        // SAFETY: `cpu::avx2` is true only on a CPU with AVX2.
        unsafe { unpack_rows_avx2(packed, width as usize, n, &mut data) };
        return Raster::new(width, height, n as u8, data);
    }
    unpack_rows_into(packed, width as usize, n, &mut data);
    Raster::new(width, height, n as u8, data)
}

/// [`unpack_rows_into`] compiled for AVX2, whose byte shuffles vectorise the strided reads
/// (baseline x86-64 copies byte by byte). Only moves bytes, so the result is the same.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn unpack_rows_avx2(packed: &[u8], width_px: usize, n: usize, data: &mut [u8]) {
    unpack_rows_into(packed, width_px, n, data);
}

#[inline(always)]
fn unpack_rows_into(packed: &[u8], width_px: usize, n: usize, data: &mut [u8]) {
    let rows_per_pixel = rows_per_pixel(n);
    for (r, out) in data.chunks_exact_mut(width_px * n).enumerate() {
        let (group, slot) = (r / rows_per_pixel, r % rows_per_pixel);
        let source = &packed[group * width_px * 4..][..width_px * 4];
        // One fixed-size loop per layout: a copy of `n` bytes not known at compile time is a
        // call to memcpy per pixel.
        match n {
            1 => out
                .iter_mut()
                .zip(source.chunks_exact(4))
                .for_each(|(v, quad)| *v = quad[slot]),
            2 => out
                .chunks_exact_mut(2)
                .zip(source.chunks_exact(4))
                .for_each(|(px, quad)| px.copy_from_slice(&quad[2 * slot..2 * slot + 2])),
            _ => out
                .chunks_exact_mut(3)
                .zip(source.chunks_exact(4))
                .for_each(|(px, quad)| px.copy_from_slice(&quad[..3])),
        }
    }
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

    /// `kernel` against sinc(x)·sinc(x/lobes) on −lobes ≤ x < lobes (0 outside), every
    /// thousandth from one step past either end.
    fn is_sinc_times_sinc(kernel: fn(f64) -> f64, lobes: f64) {
        let sinc = |x: f64| {
            let x = x * std::f64::consts::PI;
            x.sin() / x
        };
        let steps = (lobes * 1000.0) as i32 + 1;
        for i in -steps..=steps {
            let x = f64::from(i) / 1000.0;
            let expected = match x {
                0.0 => 1.0,
                x if x.abs() < lobes => sinc(x) * sinc(x / lobes),
                _ => 0.0,
            };
            assert!((kernel(x) - expected).abs() < 1e-14, "{x}");
        }
    }

    #[test]
    fn lanczos3_with_one_sine_is_sinc_times_sinc() {
        is_sinc_times_sinc(lanczos3, 3.0);
    }

    #[test]
    fn lanczos2_is_sinc_times_sinc() {
        is_sinc_times_sinc(lanczos2, 2.0);
    }

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

    /// sha256 of every output of every kernel on down- and upscales, whole and sub-pixel windows,
    /// of a 61×47 picture (rows of every layout but RGBA an odd number of bytes).
    fn digest_of_resizes(channels: u8) -> String {
        digest_of(channels, (61, 47), resize)
    }

    type Resize = fn(&Raster, [f64; 4], u32, u32, Kernel) -> Result<Raster>;

    fn digest_of(channels: u8, (w, h): (u32, u32), resize: Resize) -> String {
        let src = noise(w, h, channels, 0x9E37_79B9_7F4A_7C15 ^ u64::from(channels));
        let (wf, hf) = (f64::from(w), f64::from(h));
        let jobs: [([f64; 4], u32, u32); 8] = [
            ([0.0, 0.0, wf, hf], 17, 13),
            ([3.25, 1.5, 40.5, 33.75], 20, 16),
            ([0.0, 0.0, wf, hf], 97, 80),
            ([10.0, 5.0, 21.0, 21.0], 21, 9),
            ([2.5, 2.5, 7.0, 7.0], 7, 7),
            // One axis only: the other kept, or moved by whole pixels, or by a fraction.
            ([0.0, 0.0, wf, hf], w, 23),
            ([0.0, 3.0, wf, 30.0], 19, 30),
            ([1.5, 0.0, 40.0, hf], 40, h),
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

    /// Digests recorded with fast_image_resize's own U8 / U8x2 / U8x3 / U8x4 kernels, one call
    /// per resize (before gray and chroma went axis by axis): every build, the `compact-resize`
    /// one with its widened and packed layouts included, must give the same bytes, or the Node
    /// and wasm packages would not reproduce the other builds' outputs (parity.json covers only 9
    /// cases).
    #[test]
    fn every_layout_gives_the_per_layout_kernels_bytes() {
        let recorded = [
            "8139d30ca1f372c0a74f280ff6eb6b860ba768513f9c125f180d75a73899a64d",
            "1c7632f245824bdc4a9cdb449f36376ed5e3668018eb600e5ccd752909958e52",
            "8a95d3ace0fbf79790d252c1020dd086143d392982fe708ed6fbb990d2960f78",
            "b0aa2c79683c28ae3a83b2ae6d039f33b7b37811f39e9f55b1bd314f55466419",
        ];
        for (channels, digest) in (1..=4).zip(recorded) {
            assert_eq!(digest_of_resizes(channels), digest, "{channels} channels");
        }
    }

    /// The same for samples without alpha — gray, a JPEG's Cb/Cr pair, RGB — which are
    /// resampled one axis at a time (RGB only in the `compact-resize` build), with rows of a
    /// multiple of 4 bytes (64×48) and not (61×47, padded).
    #[test]
    fn samples_without_alpha_give_the_per_layout_kernels_bytes() {
        let recorded = [
            (
                1,
                (64, 48),
                "031cd66e21f289f56b5529c44a1fb56d7c12b368df267b12cc03b7cd45cce73a",
            ),
            (
                2,
                (61, 47),
                "39f1ef14c1b6426556ae975c90f50bce5e53c9cb5fbf7d7f1f59555ecc491745",
            ),
            (
                2,
                (64, 48),
                "69714cdb23a6e738d4700b3c5e5c5cd7900c03f7fb172439cc9e87e5f9cfd17b",
            ),
            (
                3,
                (64, 48),
                "ff68aabbddd530d8991aaa50f3b252725d655792b82a979c1ceff481ddd59be7",
            ),
        ];
        for (channels, size, digest) in recorded {
            assert_eq!(
                digest_of(channels, size, resize_samples),
                digest,
                "{channels} channels, {size:?}"
            );
        }
    }
}
