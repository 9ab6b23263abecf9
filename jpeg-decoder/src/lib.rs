//! A planar JPEG decoder that decodes at N/8 of the size in the DCT domain, only the window a
//! caller will read, progressive files a band at a time.
//!
//! For a baseline, extended sequential or progressive Huffman JPEG with 8-bit samples, gray or
//! YCbCr, [`decode`] makes the planes as they are coded — luma, and Cb/Cr interleaved at their
//! own (usually halved) resolution — at `eighths`/8 of the picture's size, N = 1…8, the way
//! libjpeg's `scale_num/8` does: each 8×8 block goes through an N-point inverse DCT of its
//! top-left N×N coefficients, weighted so that each output sample is the mean of the source
//! pixels it stands for. A caller that resamples each plane straight to its output size and
//! converts to RGB there never upsamples chroma or converts colour at the decoded size. Only
//! the blocks inside the window asked for are transformed; the MCU rows below it are not read.
//!
//! Everything is integer arithmetic, so every CPU and wasm give the same bytes. Files this
//! decoder does not take (arithmetic coding, 12-bit, lossless, hierarchical, CMYK, RGB, odd
//! sampling) are refused by [`parse`], so a caller can hand them to a full-size decoder.
//!
//! ```
//! use thumbsmith_jpeg_decoder::{decode, parse, scaled_length, Rect};
//!
//! let jpeg = include_bytes!("../tests/fixtures/photo.jpg"); // 160×120, 4:2:2
//! let header = parse(jpeg)?;
//! assert_eq!((header.width, header.height), (160, 120));
//!
//! // The whole picture at 3/8: luma 60×45, chroma (Cb, Cr interleaved) 30×45.
//! let planes = decode(&header, 3, None)?;
//! assert_eq!((planes.luma.width, planes.luma.height), (60, 45));
//! let (chroma, _) = planes.chroma.as_ref().expect("a colour file");
//! assert_eq!((chroma.width, chroma.height, chroma.channels), (30, 45, 2));
//!
//! // Only a window: the middle of each plane at 1/2 (rectangles in samples of each plane).
//! let (across, down) = header.subsampling();
//! let size = |sub: (u32, u32)| (scaled_length(160, 4, sub.0), scaled_length(120, 4, sub.1));
//! let middle = |(w, h): (u32, u32)| Rect { x: w / 4, y: h / 4, width: w / 2, height: h / 2 };
//! let windows = (middle(size((1, 1))), middle(size((across, down))));
//! let part = decode(&header, 4, Some(windows))?;
//! assert_eq!(part.luma_part, Rect { x: 20, y: 15, width: 40, height: 30 });
//! // The window's samples are the whole decode's.
//! let whole = decode(&header, 4, None)?;
//! assert_eq!(part.luma.data[..40], whole.luma.data[15 * 80 + 20..][..40]);
//! # Ok::<(), thumbsmith_jpeg_decoder::Error>(())
//! ```
//!
//! Modules: [`markers`] walks the segments (and is all a caller needs to find a frame header or
//! an APPn segment); `header` parses the frame header and tables, `huffman` and `bitstream` read the
//! entropy-coded data, `baseline` and `progressive` decode single-scan and multi-scan files,
//! `idct` transforms blocks, `planes` places them, [`cpu`] picks the compiled copy to run.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod baseline;
mod bitstream;
pub mod cpu;
mod error;
mod header;
mod huffman;
mod idct;
pub mod markers;
mod planes;
mod progressive;
#[cfg(test)]
mod tests;

pub use error::Error;
pub use header::{parse, Header};
pub use planes::Planes;

use error::Result;

/// How many samples `length` pixels make in a plane decoded at `eighths`/8 whose samples each
/// cover `subsampling` pixels of the luma plane: libjpeg's output size, rounded up. (Counted from
/// the luma's size, so a subsampled plane is exactly the scaled luma divided by the subsampling.)
pub fn scaled_length(length: u32, eighths: u32, subsampling: u32) -> u32 {
    planes::scaled_length(length as usize, eighths as usize, subsampling as usize) as u32
}

/// A rectangle of whole samples of a plane: the part of it a caller will read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    /// All of a `width`×`height` plane.
    pub fn whole(width: u32, height: u32) -> Rect {
        Rect {
            x: 0,
            y: 0,
            width,
            height,
        }
    }

    /// The part of `self` inside a `width`×`height` plane, or `None` when nothing is.
    pub fn clipped_to(self, width: u32, height: u32) -> Option<Rect> {
        let right = self.x.saturating_add(self.width).min(width);
        let bottom = self.y.saturating_add(self.height).min(height);
        (self.x < right && self.y < bottom).then(|| Rect {
            x: self.x,
            y: self.y,
            width: right - self.x,
            height: bottom - self.y,
        })
    }
}

/// 8-bit samples of a plane, `channels` interleaved, rows `width · channels` long.
#[derive(Clone, PartialEq, Eq)]
pub struct Plane {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Plane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Plane({}x{}x{})", self.width, self.height, self.channels)
    }
}

impl Plane {
    fn new(width: u32, height: u32, channels: u8, data: Vec<u8>) -> Plane {
        debug_assert_eq!(
            data.len(),
            width as usize * height as usize * channels as usize
        );
        Plane {
            width,
            height,
            channels,
            data,
        }
    }
}

/// Decodes `header`'s scan at `eighths`/8 of its size (1…8) into planes: luma
/// `ceil(width·eighths/8) × ceil(height·eighths/8)`, chroma `ceil(width·eighths/(8h)) ×
/// ceil(height·eighths/(8v))` for subsampling (h, v) (see [`scaled_length`]). With g = 8/eighths,
/// luma pixel i stands for source pixels `[i·g, (i+1)·g)`, chroma pixel i for
/// `[i·g·h, (i+1)·g·h)`.
///
/// `parts` (luma, chroma; in pixels of each plane, clipped to it; `None` means all) limits what
/// is made: MCU rows below every part are not read at all; above and beside a part every MCU
/// is still entropy-decoded (Huffman codes cannot be skipped), but blocks outside their plane's
/// part are only read past — no dequantising or IDCT — and each plane holds only its part.
/// Pixels inside a part are the same bytes as in the whole decode: every block is transformed
/// on its own.
pub fn decode(header: &Header<'_>, eighths: u32, parts: Option<(Rect, Rect)>) -> Result<Planes> {
    decode_in_bands(header, eighths, parts, progressive::BAND_BLOCKS)
}

/// [`decode`], with files in several scans read in bands of about `band_blocks` blocks
/// (tests make them one MCU row).
pub(crate) fn decode_in_bands(
    header: &Header<'_>,
    eighths: u32,
    parts: Option<(Rect, Rect)>,
    band_blocks: usize,
) -> Result<Planes> {
    if !(1..=8).contains(&eighths) {
        return Err(Error::Scale(eighths));
    }
    // The same integer code compiled twice (see `cpu`); both give the same bytes.
    let cpu = cpu::Cpu::get();
    #[cfg(target_arch = "x86_64")]
    if cpu != cpu::Cpu::Portable {
        let fast_pdep = cpu == cpu::Cpu::Avx2FastPdep;
        // SAFETY: `Cpu::get` is not `Portable` only on a CPU with AVX2, BMI1, BMI2, LZCNT and
        // POPCNT, the features `decode_avx2` is compiled for.
        return unsafe { decode_avx2(header, eighths, parts, band_blocks, fast_pdep) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = cpu;
    decode_planes::<false>(header, eighths, parts, band_blocks, false)
}

/// [`decode_planes`] compiled for AVX2 and the bit-manipulation extensions.
///
/// # Safety
/// The CPU must have AVX2, BMI1, BMI2, LZCNT and POPCNT.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn decode_avx2(
    header: &Header<'_>,
    eighths: u32,
    parts: Option<(Rect, Rect)>,
    band_blocks: usize,
    fast_pdep: bool,
) -> Result<Planes> {
    decode_planes::<true>(header, eighths, parts, band_blocks, fast_pdep)
}

/// The single-scan decoder, or for a file in several scans [`progressive`]'s (`fast_pdep`: with
/// BMI2's `pdep`, which needs `AVX2`'s copy).
#[inline(always)]
fn decode_planes<const AVX2: bool>(
    header: &Header<'_>,
    eighths: u32,
    parts: Option<(Rect, Rect)>,
    band_blocks: usize,
    fast_pdep: bool,
) -> Result<Planes> {
    #[cfg(not(target_arch = "x86_64"))]
    let _ = fast_pdep;
    if let Some(scans) = header.scans {
        #[cfg(target_arch = "x86_64")]
        if AVX2 && fast_pdep {
            return progressive::decode::<true, true>(header, scans, eighths, parts, band_blocks);
        }
        return progressive::decode::<AVX2, false>(header, scans, eighths, parts, band_blocks);
    }
    baseline::decode::<AVX2>(header, eighths, parts)
}
