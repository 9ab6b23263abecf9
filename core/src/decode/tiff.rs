//! TIFF with the `tiff` crate (image-rs): the first page only, 8- or 16-bit samples, gray, RGB or
//! CMYK with or without alpha, in strips or tiles, uncompressed or LZW, Deflate, PackBits or
//! JPEG, either byte order, classic or BigTIFF. The orientation comes from the Orientation tag
//! (274) and the colour profile from the ICC tag (34675); both are read here rather than through
//! EXIF, since in a TIFF they sit in the image's own directory.

use std::io::Cursor;

use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::tags::Tag;
use tiff::{ColorType, TiffError};

use super::Decoded;
use crate::embedded;
use crate::error::{Error, Result};
use crate::probe::{ColorModel, Header};
use crate::raster::Raster;

/// The crate's error as thumbsmith's: a feature the crate does not decode is named, a broken
/// file is corrupt, and the crate's own allocation limits (set from ours) are limits.
fn error(e: TiffError) -> Error {
    match e {
        TiffError::UnsupportedError(what) => Error::UnsupportedFormat {
            format: format!("TIFF ({what})"),
        },
        TiffError::FormatError(_) | TiffError::IoError(_) | TiffError::IntSizeError => {
            Error::corrupt("tiff", e)
        }
        // Reached only when a strip or tile decodes to more than the header's pixel count allows
        // (the header's own size is checked against `max_input_pixels` before any decode).
        TiffError::LimitsExceeded => Error::corrupt(
            "tiff",
            "a strip or tile is larger than the image it belongs to",
        ),
        TiffError::UsageError(_) => Error::Internal(format!("tiff: {e}")),
    }
}

/// Bytes a decoded pixel may take at most: CMYK + alpha, 16 bits each.
const MAX_PIXEL_BYTES: u64 = 10;

fn decoder(
    input: &[u8],
    max_pixels: u64,
    max_metadata_bytes: u64,
) -> Result<Decoder<Cursor<&[u8]>>> {
    let mut limits = Limits::default();
    let cap = |bytes: u64| usize::try_from(bytes).unwrap_or(usize::MAX);
    limits.decoding_buffer_size = cap(max_pixels.saturating_mul(MAX_PIXEL_BYTES));
    limits.intermediate_buffer_size = limits.decoding_buffer_size;
    // A tag's values (strip offsets, the ICC profile) are bounded by the metadata limit, but never
    // below the crate's default, which real strip tables of large files need.
    limits.ifd_value_size = limits.ifd_value_size.max(cap(max_metadata_bytes));
    Ok(Decoder::new(Cursor::new(input))
        .map_err(error)?
        .with_limits(limits))
}

/// The first directory's facts; the ICC profile is refused over `max_metadata_bytes` before it
/// is read.
pub(crate) fn header(input: &[u8], max_metadata_bytes: u64) -> Result<Header> {
    // No pixels are decoded here, so the crate's decoding-buffer limit only bounds what it
    // reserves for a tag's values (one 32-byte value per counted one, before reading any): a
    // later page's entry counting billions made it ask for 137 GB (found by fuzzing). A real
    // tag has at most one value per byte of the file.
    let values = (input.len() as u64).saturating_mul(32) / MAX_PIXEL_BYTES;
    let mut decoder = decoder(input, values, max_metadata_bytes)?;
    let (width, height) = decoder.dimensions().map_err(error)?;
    let color = decoder.colortype().map_err(error)?;
    let (color_model, has_alpha) = model(color)?;
    let orientation = small_tag(&mut decoder, Tag::Orientation)
        .and_then(|values| values.first().copied())
        .filter(|o| (1..=8).contains(o))
        .map_or(1, |o| o as u8);
    let icc = match decoder.image_ifd().find_entry(Tag::IccProfile) {
        Some(entry) => {
            embedded::check(
                "TIFF ICC profile size in bytes",
                usize::try_from(entry.count()).unwrap_or(usize::MAX),
                max_metadata_bytes,
            )?;
            let value = decoder.get_tag(Tag::IccProfile).map_err(error)?;
            Some(value.into_u8_vec().map_err(error)?)
        }
        None => None,
    };
    Ok(Header {
        width,
        height,
        color_model,
        has_alpha,
        bit_depth: color.bit_depth(),
        orientation: Some(orientation),
        icc,
        exif: None,
        // Pages: directories in the main chain (thumbsmith uses the first).
        frames: count_pages(&mut decoder),
        progressive: false,
        facts: crate::probe::Facts::default(),
    })
}

/// The values of a tag that holds a few numbers (orientation, planar configuration, extra
/// samples), or `None` when absent, unreadable or with more than 16 values: the crate allocates
/// a value for each counted one before reading any (a count of billions, found by fuzzing).
fn small_tag(decoder: &mut Decoder<Cursor<&[u8]>>, tag: Tag) -> Option<Vec<u64>> {
    const MAX_VALUES: u64 = 16;
    let entry = decoder.image_ifd().find_entry(tag)?;
    if entry.count() > MAX_VALUES {
        return None;
    }
    decoder.find_tag_unsigned_vec::<u64>(tag).ok().flatten()
}

/// Pages counted up to a cap (a directory chain may loop back); a page that fails to parse ends
/// the count: the first page is what matters, and it has been read.
fn count_pages(decoder: &mut Decoder<Cursor<&[u8]>>) -> u32 {
    const MAX_PAGES: u32 = 1024;
    let mut pages = 1;
    while pages < MAX_PAGES && decoder.more_images() && decoder.next_image().is_ok() {
        pages += 1;
    }
    pages
}

/// The colour model and alpha of a colour type this decoder takes; others are unsupported.
fn model(color: ColorType) -> Result<(ColorModel, bool)> {
    let unsupported = |what: String| Error::UnsupportedFormat {
        format: format!("TIFF ({what})"),
    };
    let depth = color.bit_depth();
    if depth != 8 && depth != 16 {
        return Err(unsupported(format!("{depth}-bit samples")));
    }
    Ok(match color {
        ColorType::Gray(_) => (ColorModel::Gray, false),
        ColorType::GrayA(_) => (ColorModel::Gray, true),
        // JPEG-in-TIFF's YCbCr is made RGB in `decode`.
        ColorType::RGB(_) | ColorType::YCbCr(_) => (ColorModel::Rgb, false),
        ColorType::RGBA(_) => (ColorModel::Rgb, true),
        ColorType::CMYK(_) => (ColorModel::Cmyk, false),
        other => return Err(unsupported(format!("{other:?} samples"))),
    })
}

/// Decodes the first page. CMYK comes back as ink values (0 = no ink) when `cmyk_raw`, for the
/// profile to convert; otherwise converted with the textbook formula, as a CMYK JPEG is.
pub(crate) fn decode(input: &[u8], max_pixels: u64, cmyk_raw: bool) -> Result<Decoded> {
    let mut decoder = decoder(input, max_pixels, u64::MAX)?;
    let (width, height) = decoder.dimensions().map_err(error)?;
    crate::error::check_limit(
        "input pixel count",
        u64::from(width) * u64::from(height),
        max_pixels,
        "max_input_pixels",
    )?;
    let color = decoder.colortype().map_err(error)?;
    let (color_model, has_alpha) = model(color)?;
    // Separate planes (PlanarConfiguration 2) would come back one plane at a time.
    if small_tag(&mut decoder, Tag::PlanarConfiguration).is_some_and(|v| v.first() == Some(&2)) {
        return Err(Error::UnsupportedFormat {
            format: "TIFF (separate colour planes)".into(),
        });
    }
    let associated =
        small_tag(&mut decoder, Tag::ExtraSamples).is_some_and(|extra| extra.first() == Some(&1));
    let mut data = match decoder.read_image().map_err(error)? {
        DecodingResult::U8(data) => data,
        DecodingResult::U16(data) => data.iter().map(|&v| round_to_8_bits(v)).collect(),
        _ => {
            return Err(Error::UnsupportedFormat {
                format: "TIFF (signed or floating-point samples)".into(),
            })
        }
    };
    let channels: u8 = match color_model {
        ColorModel::Gray => 1,
        ColorModel::Rgb => 3,
        ColorModel::Cmyk => 4,
    } + u8::from(has_alpha);
    if data.len() != width as usize * height as usize * usize::from(channels) {
        return Err(Error::corrupt(
            "tiff",
            "decoded size does not match the header",
        ));
    }
    if associated {
        unpremultiply(&mut data, usize::from(channels));
    }
    let raster = if matches!(color, ColorType::YCbCr(_)) {
        // The tiff crate hands JPEG-in-TIFF's YCbCr back upsampled but unconverted; the JPEG
        // path's conversion (JFIF full range, the TIFF default coefficients) makes it RGB.
        ycbcr_to_rgb(width, height, &data)
    } else {
        Raster::new(width, height, channels, data)
    };
    Ok(match color_model {
        ColorModel::Cmyk if cmyk_raw => Decoded::Cmyk(raster),
        ColorModel::Cmyk => {
            Decoded::Pixels(crate::colour::without_conversion(Decoded::Cmyk(raster)))
        }
        _ => Decoded::Pixels(raster),
    })
}

fn ycbcr_to_rgb(width: u32, height: u32, ycbcr: &[u8]) -> Raster {
    let luma = ycbcr.chunks_exact(3).map(|p| p[0]).collect();
    let chroma = ycbcr.chunks_exact(3).flat_map(|p| [p[1], p[2]]).collect();
    crate::colour::ycbcr_to_rgb(
        &Raster::new(width, height, 1, luma),
        &Raster::new(width, height, 2, chroma),
    )
}

/// A 16-bit sample to 8 bits, rounded (as 16-bit PNGs are).
fn round_to_8_bits(v: u16) -> u8 {
    ((u32::from(v) * 255 + 32767) / 65535) as u8
}

/// Associated (premultiplied) alpha to the straight alpha the pipeline works in.
fn unpremultiply(data: &mut [u8], channels: usize) {
    for pixel in data.chunks_exact_mut(channels) {
        let (colour, alpha) = pixel.split_at_mut(channels - 1);
        let a = u32::from(alpha[0]);
        for c in colour {
            *c = match a {
                0 => 0,
                a => ((u32::from(*c) * 255 + a / 2) / a).min(255) as u8,
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn premultiplied_alpha_is_undone() {
        let mut data = vec![50, 100, 0, 128, 10, 10, 10, 0, 255, 0, 0, 255];
        unpremultiply(&mut data, 4);
        assert_eq!(data, [100, 199, 0, 128, 0, 0, 0, 0, 255, 0, 0, 255]);
        assert_eq!(
            (
                round_to_8_bits(0),
                round_to_8_bits(0x8080),
                round_to_8_bits(65535)
            ),
            (0, 128, 255)
        );
    }
}
