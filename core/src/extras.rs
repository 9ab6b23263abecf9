//! Optional facts about the result that a page or CDN wants next to it: a ThumbHash placeholder,
//! the dominant colour, and a short content hash for immutable URLs.

use sha2::{Digest, Sha256};

use crate::options::Kernel;
use crate::raster::Raster;

/// ThumbHash of `image` (the thumbhash crate wants ≤100×100 RGBA).
pub(crate) fn thumbhash(image: &Raster) -> Vec<u8> {
    let scale = (100.0 / f64::from(image.width.max(image.height))).min(1.0);
    let (w, h) = (
        ((f64::from(image.width) * scale).round() as u32).max(1),
        ((f64::from(image.height) * scale).round() as u32).max(1),
    );
    let window = [0.0, 0.0, f64::from(image.width), f64::from(image.height)];
    let small =
        crate::resize::resize(image, window, w, h, Kernel::Box).unwrap_or_else(|_| image.clone());
    let rgba = small.to_rgba();
    thumbhash::rgba_to_thumb_hash(small.width as usize, small.height as usize, &rgba)
}

/// The most common colour, as `#rrggbb`: pixels are counted in 4096 bins (4 bits per channel,
/// as sharp's `stats().dominant`), and the winning bin's pixels are averaged. Transparent pixels
/// do not vote.
pub(crate) fn dominant_color(image: &Raster) -> String {
    let rgba = image.to_rgba();
    let mut count = vec![0u32; 4096];
    let mut sum = vec![[0u64; 3]; 4096];
    for p in rgba.chunks_exact(4).filter(|p| p[3] >= 128) {
        let bin =
            (usize::from(p[0] >> 4) << 8) | (usize::from(p[1] >> 4) << 4) | usize::from(p[2] >> 4);
        count[bin] += 1;
        for c in 0..3 {
            sum[bin][c] += u64::from(p[c]);
        }
    }
    let (bin, &n) = count
        .iter()
        .enumerate()
        .max_by_key(|(_, &n)| n)
        .unwrap_or((0, &0));
    if n == 0 {
        return "#000000".into();
    }
    let avg = |c: usize| (sum[bin][c] / u64::from(n)) as u8;
    format!("#{:02x}{:02x}{:02x}", avg(0), avg(1), avg(2))
}

/// The first 16 hex digits (64 bits) of the SHA-256 of the output: short enough for a URL,
/// long enough that two different avatars never share a key in practice.
pub(crate) fn content_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
