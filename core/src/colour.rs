//! Colour to sRGB with moxcms, a pure-Rust CMS, so the browser build converts exactly as the
//! server does. Profiles that cannot be parsed are ignored (the pixels are taken as sRGB, as
//! browsers do) rather than failing a photo over a damaged tag.

use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};

use crate::decode::{Decoded, YCbCr};
use crate::raster::Raster;

/// Converts decoded pixels (or CMYK inks) described by `icc` to sRGB. Returns the raster in sRGB
/// and whether a conversion actually happened.
pub(crate) fn to_srgb(decoded: Decoded, icc: Option<&[u8]>) -> Raster {
    let profile = icc.and_then(|bytes| ColorProfile::new_from_slice(bytes).ok());
    match decoded {
        Decoded::Cmyk(inks) => match profile.filter(|p| p.color_space == DataColorSpace::Cmyk) {
            Some(p) => {
                transform(&inks, &p, Layout::Rgba, 3).unwrap_or_else(|| naive_cmyk_to_rgb(&inks))
            }
            None => naive_cmyk_to_rgb(&inks),
        },
        Decoded::YCbCr(planes) => to_srgb(Decoded::Pixels(planes.to_rgb()), icc),
        Decoded::Pixels(raster) => {
            let Some(p) = profile else { return raster };
            if is_srgb(&p) {
                return raster;
            }
            let (layout, out_channels) = match (raster.channels, p.color_space) {
                (3, DataColorSpace::Rgb) => (Layout::Rgb, 3),
                (4, DataColorSpace::Rgb) => (Layout::Rgba, 4),
                // A gray profile (e.g. Gray Gamma 2.2) becomes sRGB gray: R = G = B.
                (1, DataColorSpace::Gray) => (Layout::Gray, 3),
                (2, DataColorSpace::Gray) => (Layout::GrayAlpha, 4),
                // A profile that does not describe these pixels is ignored.
                _ => return raster,
            };
            transform(&raster, &p, layout, out_channels).unwrap_or(raster)
        }
    }
}

/// Whether [`to_srgb`] would change pixels of `channels` channels described by `icc`: false for
/// an sRGB profile, one that cannot be parsed or one of another colour space (all three leave the
/// pixels as they are). A profile whose transform cannot be built counts as a change.
pub(crate) fn changes_pixels(icc: &[u8], channels: u8) -> bool {
    let Ok(profile) = ColorProfile::new_from_slice(icc) else {
        return false;
    };
    let describes = match profile.color_space {
        DataColorSpace::Rgb => channels >= 3,
        DataColorSpace::Gray => channels <= 2,
        _ => false,
    };
    describes && !is_srgb(&profile)
}

/// Pixels whose profile is not applied (the caller keeps the profile, or there is none).
pub(crate) fn without_conversion(decoded: Decoded) -> Raster {
    match decoded {
        Decoded::Pixels(raster) => raster,
        Decoded::Cmyk(inks) => naive_cmyk_to_rgb(&inks),
        Decoded::YCbCr(planes) => planes.to_rgb(),
    }
}

// JFIF full-range YCbCr → RGB with zune-jpeg's 14-bit constants and rounding, so a JPEG the
// planar path decodes gets the colours the full-size decoder gives it.
const Y_CF: i32 = 16384;
const CR_CF: i32 = 22970;
const CB_CF: i32 = 29032;
const C_G_CR: i32 = -11700;
const C_G_CB: i32 = -5638;
const YUV_ROUND: i32 = (1 << 13) - 1;

/// Luma (1 channel) and Cb/Cr (2 channels, interleaved) of the same size to RGB.
pub(crate) fn ycbcr_to_rgb(luma: &Raster, chroma: &Raster) -> Raster {
    debug_assert_eq!(
        (luma.width, luma.height, luma.channels, chroma.channels),
        (chroma.width, chroma.height, 1, 2)
    );
    let mut rgb = vec![0u8; luma.data.len() * 3];
    #[cfg(target_arch = "x86_64")]
    if crate::cpu::avx2() {
        // SAFETY: `cpu::avx2` is true only on a CPU with AVX2.
        unsafe { ycbcr_pixels_avx2(&luma.data, &chroma.data, &mut rgb) };
        return Raster::new(luma.width, luma.height, 3, rgb);
    }
    ycbcr_pixels(&luma.data, &chroma.data, &mut rgb);
    Raster::new(luma.width, luma.height, 3, rgb)
}

/// [`ycbcr_pixels`] compiled for AVX2 (twice SSE2's lanes for the 32-bit products). Integer
/// arithmetic only, so the bytes are the same as the portable build's.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn ycbcr_pixels_avx2(luma: &[u8], chroma: &[u8], rgb: &mut [u8]) {
    ycbcr_pixels(luma, chroma, rgb);
}

/// Luma samples and interleaved Cb/Cr pairs to RGB pixels.
#[inline(always)]
fn ycbcr_pixels(luma: &[u8], chroma: &[u8], rgb: &mut [u8]) {
    for ((pixel, &y), cbcr) in rgb
        .chunks_exact_mut(3)
        .zip(luma)
        .zip(chroma.chunks_exact(2))
    {
        pixel.copy_from_slice(&ycbcr_pixel(y, cbcr[0], cbcr[1]));
    }
}

#[inline(always)]
fn ycbcr_pixel(y: u8, cb: u8, cr: u8) -> [u8; 3] {
    let (cb, cr) = (i32::from(cb) - 128, i32::from(cr) - 128);
    let y = i32::from(y) * Y_CF + YUV_ROUND;
    [
        ((y + cr * CR_CF) >> 14).clamp(0, 255) as u8,
        ((y + cr * C_G_CR + cb * C_G_CB) >> 14).clamp(0, 255) as u8,
        ((y + cb * CB_CF) >> 14).clamp(0, 255) as u8,
    ]
}

impl YCbCr {
    /// The planes as RGB at the luma's size, each chroma sample repeated over the luma samples
    /// it covers: for a smart crop's look at the picture, and for callers that want the pixels
    /// before any resize (the pipeline resamples the planes themselves).
    pub(crate) fn to_rgb(&self) -> Raster {
        let (h, v) = self.subsampling;
        let (luma, chroma, part) = (&self.luma, &self.chroma, self.chroma_part);
        // The chroma sample of absolute luma position `at` along one axis, inside the part.
        let index = |at: u32, factor: u32, start: u32, length: u32| {
            (at / factor)
                .saturating_sub(start)
                .min(length.saturating_sub(1)) as usize
        };
        let mut spread = Vec::with_capacity(luma.data.len() * 2);
        for y in 0..luma.height {
            let row = index(self.luma_part.y + y, v, part.y, part.height) * part.width as usize;
            for x in 0..luma.width {
                let at = 2 * (row + index(self.luma_part.x + x, h, part.x, part.width));
                spread.extend_from_slice(&chroma.data[at..at + 2]);
            }
        }
        ycbcr_to_rgb(luma, &Raster::new(luma.width, luma.height, 2, spread))
    }
}

/// Most camera and phone JPEGs embed plain sRGB; converting sRGB to sRGB would only cost time.
fn is_srgb(profile: &ColorProfile) -> bool {
    let srgb = ColorProfile::new_srgb();
    let close = |a: moxcms::Xyzd, b: moxcms::Xyzd| {
        (a.x - b.x).abs() < 0.002 && (a.y - b.y).abs() < 0.002 && (a.z - b.z).abs() < 0.002
    };
    let named_srgb = profile.description.as_ref().is_some_and(|d| {
        let text = format!("{d:?}").to_ascii_lowercase();
        text.contains("srgb") || text.contains("iec61966-2")
    });
    profile.color_space == DataColorSpace::Rgb
        && named_srgb
        && close(profile.red_colorant, srgb.red_colorant)
        && close(profile.green_colorant, srgb.green_colorant)
        && close(profile.blue_colorant, srgb.blue_colorant)
}

fn transform(
    src: &Raster,
    profile: &ColorProfile,
    layout: Layout,
    out_channels: u8,
) -> Option<Raster> {
    let out_layout = match out_channels {
        3 => Layout::Rgb,
        _ => Layout::Rgba,
    };
    let srgb = ColorProfile::new_srgb();
    let executor = profile
        .create_transform_8bit(layout, &srgb, out_layout, TransformOptions::default())
        .ok()?;
    let mut out = vec![0u8; src.width as usize * src.height as usize * out_channels as usize];
    let in_row = src.width as usize * src.channels as usize;
    let out_row = src.width as usize * out_channels as usize;
    for (s, d) in src
        .data
        .chunks_exact(in_row)
        .zip(out.chunks_exact_mut(out_row))
    {
        executor.transform(s, d).ok()?;
    }
    Some(Raster::new(src.width, src.height, out_channels, out))
}

/// CMYK without a profile: the textbook formula, what browsers and zune do.
fn naive_cmyk_to_rgb(inks: &Raster) -> Raster {
    let data = inks
        .data
        .chunks_exact(4)
        .flat_map(|p| {
            let k = 255 - u32::from(p[3]);
            let f = |c: u8| ((255 - u32::from(c)) * k / 255) as u8;
            [f(p[0]), f(p[1]), f(p[2])]
        })
        .collect();
    Raster::new(inks.width, inks.height, 3, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn the_avx2_conversion_gives_the_portable_bytes() {
        if !crate::cpu::has_avx2() {
            return;
        }
        // Every Cb/Cr pair with every 5th luma level (odd lengths leave a tail past the lanes).
        let pairs: Vec<[u8; 2]> = (0..=255u8)
            .flat_map(|cb| (0..=255u8).map(move |cr| [cb, cr]))
            .collect();
        for y in (0..=255u8).step_by(5) {
            let luma = vec![y; pairs.len() - usize::from(y % 7)];
            let chroma: Vec<u8> = pairs[..luma.len()].concat();
            let mut portable = vec![0; luma.len() * 3];
            ycbcr_pixels(&luma, &chroma, &mut portable);
            let mut avx2 = vec![0; luma.len() * 3];
            // SAFETY: `cpu::has_avx2` found AVX2 at the top of the test.
            unsafe { ycbcr_pixels_avx2(&luma, &chroma, &mut avx2) };
            assert!(portable == avx2, "luma {y}");
            assert_eq!(&portable[..3], &ycbcr_pixel(y, 0, 0));
        }
    }
}
