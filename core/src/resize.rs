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

fn pixel_type(channels: u8) -> PixelType {
    match channels {
        1 => PixelType::U8,
        2 => PixelType::U8x2,
        3 => PixelType::U8x3,
        _ => PixelType::U8x4,
    }
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
    let [x, y, w, h] = window;
    let whole_pixels = [x, y, w, h].iter().all(|v| v.fract() == 0.0);
    if whole_pixels && w as u32 == width && h as u32 == height {
        return Ok(copy_window(src, x as u32, y as u32, width, height));
    }
    let internal = |e: &dyn std::fmt::Display| Error::Internal(format!("resize: {e}"));
    let source = ImageRef::new(src.width, src.height, &src.data, pixel_type(src.channels))
        .map_err(|e| internal(&e))?;
    let mut dst = Image::new(width, height, pixel_type(src.channels));
    let options = ResizeOptions::new()
        .resize_alg(algorithm(kernel))
        .crop(x, y, w, h)
        .use_alpha(true);
    RESIZER
        .with(|r| r.borrow_mut().resize(&source, &mut dst, &options))
        .map_err(|e| internal(&e))?;
    Ok(Raster::new(width, height, src.channels, dst.into_vec()))
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
