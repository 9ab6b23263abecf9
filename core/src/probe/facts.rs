//! Header facts beyond the size and colour model that sharp's `metadata()` reports: the density,
//! a JPEG's chroma subsampling, a background colour the file names, and whether colours are
//! palette indices. Read from the same headers `probe` reads; nothing is decoded.

use serde::Serialize;

use thumbsmith_jpeg_decoder::markers;

/// The facts a format's header may give; each is `None` (or false) when it does not.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Facts {
    /// Pixels per inch, rounded (sharp's `density`).
    pub density: Option<u32>,
    /// The header sets a resolution, even one too low to report: no 72 dpi default then.
    pub resolution_given: bool,
    /// A JPEG's chroma subsampling as `J:a:b` (`4:2:0`…), with `:4` for a fourth component
    /// (CMYK, YCCK): sharp's `chromaSubsampling`.
    pub chroma_subsampling: Option<String>,
    /// The background colour the file names (PNG bKGD, GIF's screen background), as 8-bit
    /// samples: one (gray) or three (RGB).
    pub background: Option<Vec<u8>>,
    /// Colours are indices into a palette (indexed PNG, GIF).
    pub palette: bool,
}

/// Pixels per inch from a number of pixels per `unit` metres.
fn per_inch(pixels: f64, metres: f64) -> Option<u32> {
    let dpi = (pixels / metres * 0.0254).round();
    // libvips reports no density under 1 pixel/mm, its "not known" value (25.4 dpi).
    (dpi > 25.4 && dpi < f64::from(u32::MAX)).then_some(dpi as u32)
}

/// A JPEG's JFIF density (when its unit is inches or centimetres) and its frame's subsampling.
pub(crate) fn jpeg(input: &[u8]) -> Facts {
    let mut facts = Facts::default();
    for segment in markers::segments(input).map_while(Result::ok) {
        let body = segment.body;
        if segment.marker == 0xE0 && body.starts_with(b"JFIF\0") && body.len() >= 12 {
            let x = f64::from(u16::from_be_bytes([body[8], body[9]]));
            // No unit: libvips reads the number as pixels per millimetre (so sharp reports
            // 7620 for JFIF's common "300, no unit"); 1:1 is only an aspect ratio.
            let metres = match body[7] {
                1 => Some(0.0254),
                2 => Some(0.01),
                _ if x > 1.0 => Some(0.001),
                _ => None,
            };
            facts.resolution_given = metres.is_some();
            facts.density = metres.and_then(|m| per_inch(x, m));
        }
        if markers::Frame::of(segment.marker).is_some() {
            facts.chroma_subsampling = subsampling(body);
            break;
        }
    }
    facts
}

/// `J:a:b` from a frame header's sampling factors: J is 4, a the chroma samples per 4 luma
/// samples across, b the same on the second row (0 when chroma has one row per two).
fn subsampling(frame: &[u8]) -> Option<String> {
    let count = usize::from(*frame.get(5)?);
    let factors: Vec<(u8, u8)> = (0..count)
        .map(|i| frame.get(6 + 3 * i + 1).map(|hv| (hv >> 4, hv & 15)))
        .collect::<Option<_>>()?;
    let (&(h, v), chroma) = factors.split_first()?;
    let &(ch, cv) = chroma.first()?;
    if ch == 0 || cv == 0 || h % ch != 0 || v % cv != 0 {
        return None;
    }
    let (across, down) = (h / ch, v / cv);
    let a = 4 / across.max(1);
    let b = if down > 1 { 0 } else { a };
    let mut text = format!("4:{a}:{b}");
    if count == 4 {
        text += ":4";
    }
    Some(text)
}

/// A PNG's pHYs density (when its unit is the metre) and bKGD colour.
pub(crate) fn png(info: &png::Info<'_>) -> Facts {
    // Without a unit libvips reads the number as pixels per millimetre, as for JFIF.
    let density = info.pixel_dims.and_then(|d| match d.unit {
        png::Unit::Meter => per_inch(f64::from(d.xppu), 1.0),
        png::Unit::Unspecified => per_inch(f64::from(d.xppu), 0.001),
    });
    let palette = info.color_type == png::ColorType::Indexed;
    let background = info.bkgd.as_deref().and_then(|b| png_background(info, b));
    Facts {
        density,
        resolution_given: info.pixel_dims.is_some(),
        chroma_subsampling: None,
        background,
        palette,
    }
}

/// bKGD's colour as 8-bit samples: gray and RGB samples are of the image's bit depth, a
/// palette image's is an index.
fn png_background(info: &png::Info<'_>, bkgd: &[u8]) -> Option<Vec<u8>> {
    let depth = info.bit_depth as u32;
    let sample = |i: usize| -> Option<u8> {
        let v = u32::from(u16::from_be_bytes([
            *bkgd.get(2 * i)?,
            *bkgd.get(2 * i + 1)?,
        ]));
        let max = (1u32 << depth) - 1;
        Some(((v.min(max) * 255 + max / 2) / max) as u8)
    };
    match info.color_type {
        png::ColorType::Grayscale | png::ColorType::GrayscaleAlpha => Some(vec![sample(0)?]),
        png::ColorType::Rgb | png::ColorType::Rgba => {
            Some(vec![sample(0)?, sample(1)?, sample(2)?])
        }
        png::ColorType::Indexed => {
            let i = usize::from(*bkgd.first()?) * 3;
            Some(info.palette.as_deref()?.get(i..i + 3)?.to_vec())
        }
    }
}

/// A GIF's screen background: the global palette's colour at the background index.
pub(crate) fn gif(background: Option<usize>, palette: Option<&[u8]>) -> Facts {
    let background = background
        .zip(palette)
        .and_then(|(i, p)| p.get(3 * i..3 * i + 3))
        .map(<[u8]>::to_vec);
    Facts {
        background,
        palette: true,
        ..Facts::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_factors_name_the_subsampling() {
        let frame = |factors: &[u8]| {
            let mut f = vec![8, 0, 16, 0, 16, factors.len() as u8];
            for (i, hv) in factors.iter().enumerate() {
                f.extend([i as u8 + 1, *hv, 0]);
            }
            f
        };
        for (factors, name) in [
            (&[0x22, 0x11, 0x11][..], Some("4:2:0")),
            (&[0x21, 0x11, 0x11][..], Some("4:2:2")),
            (&[0x11, 0x11, 0x11][..], Some("4:4:4")),
            (&[0x12, 0x11, 0x11][..], Some("4:4:0")),
            (&[0x41, 0x11, 0x11][..], Some("4:1:1")),
            (&[0x11, 0x11, 0x11, 0x11][..], Some("4:4:4:4")),
            (&[0x22, 0x11, 0x11, 0x22][..], Some("4:2:0:4")),
            (&[0x11][..], None),
        ] {
            assert_eq!(
                subsampling(&frame(factors)).as_deref(),
                name,
                "{factors:x?}"
            );
        }
    }

    #[test]
    fn densities_round_to_whole_pixels_per_inch() {
        assert_eq!(per_inch(11811.0, 1.0), Some(300));
        assert_eq!(per_inch(2835.0, 1.0), Some(72));
        assert_eq!(per_inch(72.0, 0.0254), Some(72));
        assert_eq!(per_inch(28.0, 0.01), Some(71));
        // One pixel per mm or less: libvips' "unknown".
        assert_eq!(per_inch(1000.0, 1.0), None);
    }
}
