//! JPEG XL with jxl-oxide (pure Rust), a bare codestream or the ISOBMFF container: the first
//! frame, 8- or 16-bit (rounded to 8), gray or RGB, with or without alpha. jxl-oxide renders
//! into the colour space the file declares and hands back the ICC profile of what it rendered
//! (made from the colour encoding when the file has no profile of its own); the pipeline applies
//! that profile like any other. jxl-oxide runs without its own CMS (the pipeline has moxcms) and
//! without threads (the pipeline decides about threads).

use jxl_oxide::color::{ColourEncoding, ColourSpace, TransferFunction};
use jxl_oxide::{AllocTracker, InitializeResult, JxlImage};

use super::Decoded;
use crate::error::{Error, Result};
use crate::orient::Orientation;
use crate::probe::{ColorModel, Header};
use crate::raster::Raster;

fn corrupt(e: impl std::fmt::Display) -> Error {
    Error::corrupt("jxl", e)
}

/// Bytes jxl-oxide may allocate per pixel of the header's size: its planes are 32-bit floats,
/// four channels, with room for the per-group buffers and the output it renders into.
const TRACKED_BYTES_PER_PIXEL: u64 = 48;

/// Parses the header (and the frame headers after it) without decoding pixels; the allocation
/// tracker bounds what a lying header could make it allocate.
fn image(input: &[u8], max_pixels: u64) -> Result<JxlImage> {
    let limit = max_pixels.saturating_mul(TRACKED_BYTES_PER_PIXEL);
    let tracker = AllocTracker::with_limit(usize::try_from(limit).unwrap_or(usize::MAX));
    let mut uninit = JxlImage::builder().alloc_tracker(tracker).build_uninit();
    uninit.feed_bytes(input).map_err(corrupt)?;
    let mut image = match uninit.try_init().map_err(corrupt)? {
        InitializeResult::Initialized(image) => image,
        InitializeResult::NeedMoreData(_) => {
            return Err(corrupt("truncated: the file ends inside its image header"))
        }
    };
    renderable_colour(&image.image_header().metadata.colour_encoding)?;
    image.finalize().map_err(corrupt)?;
    Ok(image)
}

/// A header's own colour description (no ICC profile) must name a colour space and a transfer
/// curve that pixels can be rendered into: jxl-oxide renders into that description and makes its
/// profile from it, and panics on the rest (all found by fuzzing). XYB is the codec's internal
/// space, which the format keeps out of this field, and a gamma is 1/g with 0 < g ≤ 1 (stored
/// as g × 10⁷): both corrupt. An unknown space or curve is legal but leaves nothing to convert
/// from: unsupported, as a profile we cannot read would be.
/// A JPEG XL gamma of 1, as the header stores it.
const GAMMA_ONE: u32 = 10_000_000;

fn renderable_colour(encoding: &ColourEncoding) -> Result<()> {
    let ColourEncoding::Enum(encoding) = encoding else {
        return Ok(());
    };
    let unknown = match (encoding.colour_space, encoding.tf) {
        (ColourSpace::Xyb, _) => {
            return Err(corrupt(
                "the header declares XYB, the codec's internal space, as the image's",
            ))
        }
        (_, TransferFunction::Gamma { g, .. }) if g == 0 || g > GAMMA_ONE => {
            return Err(corrupt(format!(
                "the header's gamma curve is 1/{g}e-7, outside (0, 1]"
            )))
        }
        (ColourSpace::Unknown, _) => "an unknown colour space",
        (_, TransferFunction::Unknown) => "an unknown transfer curve",
        (ColourSpace::Rgb | ColourSpace::Grey, _) => return Ok(()),
    };
    Err(Error::UnsupportedFormat {
        format: format!("JPEG XL in {unknown} without an ICC profile"),
    })
}

pub(crate) fn header(input: &[u8], max_metadata_bytes: u64) -> Result<Header> {
    let image = image(input, crate::Options::default().max_input_pixels)?;
    let header = image.image_header();
    let metadata = &header.metadata;
    let icc = image.rendered_icc();
    crate::embedded::check(
        "JPEG XL ICC profile size in bytes",
        icc.len(),
        max_metadata_bytes,
    )?;
    let bits = metadata.bit_depth.bits_per_sample();
    Ok(Header {
        width: header.size.width,
        height: header.size.height,
        color_model: if metadata.grayscale() {
            ColorModel::Gray
        } else {
            ColorModel::Rgb
        },
        has_alpha: metadata.alpha().is_some(),
        bit_depth: u8::try_from(bits).unwrap_or(u8::MAX),
        // The codestream's orientation, 1–8, as EXIF numbers it.
        orientation: Some(
            u8::try_from(metadata.orientation)
                .ok()
                .filter(|o| (1..=8).contains(o))
                .unwrap_or(1),
        ),
        // The profile of the rendered pixels; `None` when it is sRGB (nothing to convert).
        icc: (!is_srgb(image.rendered_cicp(), metadata.grayscale())).then_some(icc),
        exif: None,
        frames: u32::try_from(image.num_loaded_keyframes())
            .unwrap_or(u32::MAX)
            .max(1),
        progressive: false,
        facts: crate::probe::Facts::default(),
    })
}

/// Whether the rendered pixels are sRGB (or sRGB-curve gray) by their CICP tag: then the header
/// reports no profile, as for a JPEG without one.
fn is_srgb(cicp: Option<[u8; 4]>, gray: bool) -> bool {
    match cicp {
        Some([primaries, 13, _, _]) => primaries == 1 || gray,
        _ => false,
    }
}

/// Decodes the first frame, as stored (before the orientation, which the pipeline applies).
pub(crate) fn decode(input: &[u8], max_pixels: u64) -> Result<Decoded> {
    let image = image(input, max_pixels)?;
    let header = image.image_header();
    let (width, height) = (header.size.width, header.size.height);
    crate::error::check_limit(
        "input pixel count",
        u64::from(width) * u64::from(height),
        max_pixels,
        "max_input_pixels",
    )?;
    if image.num_loaded_keyframes() == 0 {
        return Err(corrupt(
            "truncated: the file ends before its first frame is complete",
        ));
    }
    let orientation = header.metadata.orientation;
    let render = image.render_frame(0).map_err(corrupt)?;
    let mut stream = render.stream();
    let channels = stream.channels();
    if !(1..=4).contains(&channels) || render.color_channels().len() == 4 {
        return Err(Error::UnsupportedFormat {
            format: format!("JPEG XL ({channels} channels to render)"),
        });
    }
    let (ow, oh) = (stream.width(), stream.height());
    let len = ow as usize * oh as usize * channels as usize;
    let mut data = vec![0u8; len];
    if stream.write_to_buffer(&mut data) != len {
        return Err(corrupt("fewer samples than the header's size"));
    }
    // jxl-oxide renders upright; the pipeline orients after the resize, so the stored picture is
    // restored here (every EXIF orientation's inverse is one: 6 and 8 swap, the rest undo
    // themselves).
    let upright = Raster::new(ow, oh, channels as u8, data);
    let inverse = match orientation {
        6 => 8,
        8 => 6,
        o => o as u8,
    };
    let stored = Orientation::from_exif(inverse).apply(upright);
    if (stored.width, stored.height) != (width, height) {
        return Err(corrupt("the rendered size does not match the header's"));
    }
    Ok(Decoded::Pixels(stored))
}

#[cfg(test)]
mod tests {
    use jxl_oxide::color::{EnumColourEncoding, RenderingIntent};

    use super::*;

    fn enumerated(colour_space: ColourSpace, tf: TransferFunction) -> ColourEncoding {
        ColourEncoding::Enum(EnumColourEncoding {
            colour_space,
            tf,
            ..EnumColourEncoding::srgb(RenderingIntent::Relative)
        })
    }

    #[test]
    fn only_rgb_and_gray_with_a_known_curve_are_rendered() {
        assert!(renderable_colour(&enumerated(ColourSpace::Rgb, TransferFunction::Srgb)).is_ok());
        assert!(
            renderable_colour(&enumerated(ColourSpace::Grey, TransferFunction::Linear)).is_ok()
        );
        assert!(renderable_colour(&ColourEncoding::IccProfile(ColourSpace::Unknown)).is_ok());
        for g in [1, 4_545_455, GAMMA_ONE] {
            let gamma = TransferFunction::Gamma { g, inverted: true };
            assert!(
                renderable_colour(&enumerated(ColourSpace::Rgb, gamma)).is_ok(),
                "{g}"
            );
        }
        for g in [0, GAMMA_ONE + 1, 1 << 24] {
            let gamma = TransferFunction::Gamma { g, inverted: true };
            assert!(
                matches!(
                    renderable_colour(&enumerated(ColourSpace::Grey, gamma)),
                    Err(Error::CorruptInput { .. })
                ),
                "{g}"
            );
        }
        assert!(matches!(
            renderable_colour(&enumerated(ColourSpace::Xyb, TransferFunction::Srgb)),
            Err(Error::CorruptInput { .. })
        ));
        for (space, tf, what) in [
            (
                ColourSpace::Unknown,
                TransferFunction::Srgb,
                "unknown colour space",
            ),
            (
                ColourSpace::Rgb,
                TransferFunction::Unknown,
                "unknown transfer curve",
            ),
        ] {
            match renderable_colour(&enumerated(space, tf)) {
                Err(Error::UnsupportedFormat { format }) => {
                    assert!(format.contains(what), "{format}")
                }
                other => panic!("{space:?} {tf:?}: {other:?}"),
            }
        }
    }
}
