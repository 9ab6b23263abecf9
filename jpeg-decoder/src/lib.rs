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
//! an APPn segment); `header` parses frame, scan and tables, `huffman` and `bitstream` read the
//! entropy-coded data, `baseline` and `progressive` decode single-scan and multi-scan files,
//! `idct` transforms blocks, `planes` places them, `cpu` picks the compiled copy to run.
#![deny(unsafe_op_in_unsafe_fn)]

mod baseline;
mod bitstream;
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
    // The same integer code compiled twice: with AVX2 the IDCT's eight-lane arithmetic becomes
    // vector instructions (baseline x86-64 has no 32-bit vector multiply, so it stays scalar),
    // and with BMI1/BMI2/LZCNT/POPCNT (every AVX2 CPU but a few low-end ones has them) the bit
    // reader's shifts and the bit-set walks of the entropy decoder become single instructions.
    // Integer results do not depend on the instructions, so both give the same bytes.
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("bmi1")
        && std::is_x86_feature_detected!("bmi2")
        && std::is_x86_feature_detected!("lzcnt")
        && std::is_x86_feature_detected!("popcnt")
    {
        // SAFETY: the CPU has these features, checked just above.
        return unsafe { decode_avx2(header, eighths, parts, band_blocks) };
    }
    decode_planes::<false>(header, eighths, parts, band_blocks)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn decode_avx2(
    header: &Header<'_>,
    eighths: u32,
    parts: Option<(Rect, Rect)>,
    band_blocks: usize,
) -> Result<Planes> {
    decode_planes::<true>(header, eighths, parts, band_blocks)
}

/// Whether BMI2's `pdep` is one fast instruction here: on Intel since Haswell and on AMD since
/// Zen 3 (family 19h); Zen 1/2 and Hygon microcode it (up to hundreds of cycles).
#[cfg(target_arch = "x86_64")]
fn pdep_is_fast() -> bool {
    static FAST: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *FAST.get_or_init(|| {
        use std::arch::x86_64::__cpuid;
        let (vendor, signature) = (__cpuid(0), __cpuid(1));
        let name = [vendor.ebx, vendor.edx, vendor.ecx]
            .map(u32::to_le_bytes)
            .concat();
        let base = (signature.eax >> 8) & 0xF;
        let family = match base {
            0xF => base + ((signature.eax >> 20) & 0xFF),
            _ => base,
        };
        let microcoded = matches!(&name[..], b"AuthenticAMD" | b"HygonGenuine") && family < 0x19;
        std::is_x86_feature_detected!("bmi2") && !microcoded
    })
}

/// The single-scan decoder, or for a file in several scans [`progressive`]'s.
#[inline(always)]
fn decode_planes<const AVX2: bool>(
    header: &Header<'_>,
    eighths: u32,
    parts: Option<(Rect, Rect)>,
    band_blocks: usize,
) -> Result<Planes> {
    if let Some(scans) = header.scans {
        #[cfg(target_arch = "x86_64")]
        if AVX2 && pdep_is_fast() {
            return progressive::decode::<true, true>(header, scans, eighths, parts, band_blocks);
        }
        return progressive::decode::<AVX2, false>(header, scans, eighths, parts, band_blocks);
    }
    baseline::decode::<AVX2>(header, eighths, parts)
}
