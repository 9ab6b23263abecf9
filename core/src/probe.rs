//! Header-only inspection: what `metadata()` reports and what the limits are checked against,
//! before a single pixel is decoded or allocated.

use serde::Serialize;
use std::io::Cursor;

use crate::embedded;
use crate::error::{Error, Result};
use crate::exif::SourceExif;
use crate::options::RawInput;
use crate::sniff::{sniff, Format};

mod facts;
pub(crate) use facts::Facts;

/// How the source stores colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ColorModel {
    Rgb,
    Gray,
    Cmyk,
}

/// What the header says about an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Metadata {
    pub format: Format,
    /// Width as stored in the file.
    pub width: u32,
    /// Height as stored in the file.
    pub height: u32,
    /// Width as displayed, after the EXIF orientation (swapped for orientations 5–8).
    pub oriented_width: u32,
    /// Height as displayed, after the EXIF orientation.
    pub oriented_height: u32,
    /// EXIF orientation, 1–8 (1 when absent).
    pub orientation: u8,
    pub has_alpha: bool,
    /// Bits per channel as stored (1, 2, 4, 8 or 16).
    pub bit_depth: u8,
    pub color_model: ColorModel,
    pub has_icc: bool,
    pub has_exif: bool,
    /// EXIF carries a GPS position (a privacy fact worth surfacing before upload).
    pub has_gps: bool,
    /// Frames (animated GIF / WebP / APNG); thumbsmith uses the first.
    pub frames: u32,
    /// Progressive JPEG or interlaced PNG / GIF.
    pub progressive: bool,
    /// Pixels per inch the header gives (JPEG: EXIF, else JFIF, else 72; PNG: pHYs, else 72),
    /// rounded,
    /// read as libvips reads it (a number without a unit is pixels per millimetre); none when
    /// it gives none.
    pub density: Option<u32>,
    /// A JPEG's chroma subsampling: `4:2:0`, `4:2:2`, `4:4:4`…, with `:4` for a fourth
    /// component (`4:4:4:4` for CMYK); none for gray and other formats.
    pub chroma_subsampling: Option<String>,
    /// The background colour the file names (PNG bKGD, GIF's screen background) as 8-bit
    /// samples: one (gray) or three (RGB); none when it names none.
    pub background: Option<Vec<u8>>,
    /// Colours are indices into a palette (indexed PNG, GIF).
    pub palette: bool,
}

/// The header facts plus the embedded blobs the pipeline needs later.
pub(crate) struct Probe {
    pub metadata: Metadata,
    pub icc: Option<Vec<u8>>,
    pub exif: SourceExif,
}

/// Reads the header of `input` without decoding pixels. Metadata blocks are bounded by the
/// default [`Options::max_metadata_bytes`](crate::Options::max_metadata_bytes).
pub fn metadata(input: &[u8]) -> Result<Metadata> {
    let limit = crate::Options::default().max_metadata_bytes;
    crate::catch_panic(|| probe(input, None, limit).map(|p| p.metadata))
}

/// The header facts and metadata blocks of `input`; a block over `max_metadata_bytes` is
/// refused before (or, when compressed, while) it is allocated.
pub(crate) fn probe(input: &[u8], raw: Option<RawInput>, max_metadata_bytes: u64) -> Result<Probe> {
    let format = match raw {
        Some(_) => Format::Raw,
        None => sniff(input)?,
    };
    let header = match format {
        Format::Raw => raw_header(input, raw),
        Format::Jpeg => jpeg_header(input),
        Format::Png => png_header(input, max_metadata_bytes),
        Format::Webp => webp_header(input, max_metadata_bytes),
        Format::Gif => gif_header(input),
        #[cfg(feature = "decode-tiff")]
        Format::Tiff => crate::decode::tiff::header(input, max_metadata_bytes),
        #[cfg(feature = "decode-jxl")]
        Format::Jxl => crate::decode::jxl::header(input, max_metadata_bytes),
        // `sniff` gives these only when their decoder is built in.
        #[allow(unreachable_patterns)]
        Format::Tiff | Format::Jxl => Err(Error::UnsupportedFormat {
            format: format.as_str().into(),
        }),
    }?;
    // Every stage after this one divides by, or subtracts one from, the width and the height; a
    // GIF's logical screen may say 0 (its decoder does not refuse it), found by fuzzing.
    if header.width == 0 || header.height == 0 {
        return Err(Error::corrupt(
            format.as_str(),
            format!(
                "the header gives a {}×{} image (no pixels)",
                header.width, header.height
            ),
        ));
    }
    // Uncompressed blocks are no larger than the input; they are refused here, after reading.
    if let Some(icc) = &header.icc {
        embedded::check(
            "ICC colour profile size in bytes",
            icc.len(),
            max_metadata_bytes,
        )?;
    }
    if let Some(exif) = &header.exif {
        embedded::check("EXIF size in bytes", exif.len(), max_metadata_bytes)?;
    }
    let exif = SourceExif::parse(header.exif.as_deref());
    // A JPEG's EXIF resolution wins over its JFIF one; a JPEG or PNG that gives none is 72 dpi
    // (libvips' reading, so sharp's `density`).
    let facts = &header.facts;
    let default = (!facts.resolution_given).then_some(72);
    let density = match format {
        Format::Jpeg => exif.density().or(facts.density).or(default),
        Format::Png => facts.density.or(default),
        _ => facts.density,
    };
    // TIFF and JPEG XL carry the orientation in the image's own header, not in EXIF.
    let orientation = header.orientation.unwrap_or_else(|| exif.orientation());
    let (oriented_width, oriented_height) = if orientation >= 5 {
        (header.height, header.width)
    } else {
        (header.width, header.height)
    };
    Ok(Probe {
        metadata: Metadata {
            format,
            width: header.width,
            height: header.height,
            oriented_width,
            oriented_height,
            orientation,
            has_alpha: header.has_alpha,
            bit_depth: header.bit_depth,
            color_model: header.color_model,
            has_icc: header.icc.is_some(),
            has_exif: exif.is_present(),
            has_gps: exif.has_gps(),
            frames: header.frames,
            progressive: header.progressive,
            density,
            chroma_subsampling: header.facts.chroma_subsampling,
            background: header.facts.background,
            palette: header.facts.palette,
        },
        icc: header.icc,
        exif,
    })
}

pub(crate) struct Header {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) has_alpha: bool,
    pub(crate) bit_depth: u8,
    pub(crate) color_model: ColorModel,
    pub(crate) icc: Option<Vec<u8>>,
    pub(crate) exif: Option<Vec<u8>>,
    pub(crate) frames: u32,
    pub(crate) progressive: bool,
    /// The orientation the format's own header gives (TIFF's tag, JPEG XL's codestream), over
    /// EXIF's.
    pub(crate) orientation: Option<u8>,
    pub(crate) facts: Facts,
}

/// What `raw_input` says of pixels that have no header, checked against the input's length.
fn raw_header(input: &[u8], raw: Option<RawInput>) -> Result<Header> {
    let Some(RawInput {
        width,
        height,
        channels,
    }) = raw
    else {
        return Err(Error::Internal(
            "raw pixels were probed without their description".into(),
        ));
    };
    let expected = u64::from(width) * u64::from(height) * u64::from(channels);
    if input.len() as u64 != expected {
        return Err(Error::corrupt(
            "raw",
            format!(
                "{} bytes, but {width}×{height} pixels of {channels} channels are {expected}",
                input.len()
            ),
        ));
    }
    Ok(Header {
        width,
        height,
        has_alpha: channels == 2 || channels == 4,
        bit_depth: 8,
        color_model: if channels <= 2 {
            ColorModel::Gray
        } else {
            ColorModel::Rgb
        },
        icc: None,
        exif: None,
        frames: 1,
        progressive: false,
        orientation: None,
        facts: Facts::default(),
    })
}

fn jpeg_header(input: &[u8]) -> Result<Header> {
    use zune_core::colorspace::ColorSpace;
    if let Some(unsupported) = crate::decode::jpeg_unsupported_process(input) {
        return Err(unsupported);
    }
    crate::decode::refuse_jpeg_bombs(input)?;
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        zune_core::bytestream::ZCursor::new(input),
        crate::decode::jpeg_options(),
    );
    decoder
        .decode_headers()
        .map_err(|e| Error::corrupt("jpeg", e))?;
    let info = decoder
        .info()
        .ok_or_else(|| Error::corrupt("jpeg", "no frame header"))?;
    let color_model = match decoder.input_colorspace() {
        Some(ColorSpace::CMYK | ColorSpace::YCCK) => ColorModel::Cmyk,
        Some(ColorSpace::Luma) => ColorModel::Gray,
        _ => ColorModel::Rgb,
    };
    Ok(Header {
        width: u32::from(info.width),
        height: u32::from(info.height),
        has_alpha: false,
        bit_depth: 8,
        color_model,
        icc: decoder.icc_profile(),
        exif: decoder.exif().cloned(),
        frames: 1,
        progressive: info.sof.is_progressive(),
        orientation: None,
        facts: facts::jpeg(input),
    })
}

fn png_header(input: &[u8], max_metadata_bytes: u64) -> Result<Header> {
    let decoder = crate::decode::png_decoder(input, crate::decode::png_limits());
    let reader = match decoder.read_info() {
        // On 32-bit targets (wasm32) the png crate refuses an image whose decoded size does not
        // fit the address space from its header alone; the header still says what the image is,
        // and the pixel limit is what must refuse it (LimitExceeded), as on 64-bit targets.
        Err(png::DecodingError::LimitsExceeded) => {
            return png_ihdr(input).ok_or_else(|| Error::corrupt("png", "limits are exceeded"))
        }
        other => other.map_err(|e| Error::corrupt("png", e))?,
    };
    let info = reader.info();
    use png::ColorType as C;
    Ok(Header {
        width: info.width,
        height: info.height,
        has_alpha: matches!(info.color_type, C::Rgba | C::GrayscaleAlpha) || info.trns.is_some(),
        bit_depth: info.bit_depth as u8,
        color_model: match info.color_type {
            C::Grayscale | C::GrayscaleAlpha => ColorModel::Gray,
            C::Rgb | C::Rgba | C::Indexed => ColorModel::Rgb,
        },
        icc: embedded::png_icc(input, max_metadata_bytes)?,
        exif: info.exif_metadata.as_ref().map(|c| c.to_vec()),
        frames: info.animation_control.map_or(1, |a| a.num_frames.max(1)),
        progressive: info.interlaced,
        orientation: None,
        facts: facts::png(info),
    })
}

/// The facts of the IHDR chunk alone (it is first, at a fixed offset): size, bit depth, colour
/// type, interlacing. Nothing later in the file is read.
fn png_ihdr(input: &[u8]) -> Option<Header> {
    let ihdr = input.get(8..29).filter(|ihdr| &ihdr[4..8] == b"IHDR")?;
    let be = |at: usize| u32::from_be_bytes([ihdr[at], ihdr[at + 1], ihdr[at + 2], ihdr[at + 3]]);
    let color_type = ihdr[17];
    Some(Header {
        width: be(8),
        height: be(12),
        has_alpha: matches!(color_type, 4 | 6),
        bit_depth: ihdr[16],
        color_model: if matches!(color_type, 0 | 4) {
            ColorModel::Gray
        } else {
            ColorModel::Rgb
        },
        icc: None,
        exif: None,
        frames: 1,
        progressive: ihdr[20] == 1,
        orientation: None,
        facts: Facts::default(),
    })
}

fn webp_header(input: &[u8], max_metadata_bytes: u64) -> Result<Header> {
    let mut decoder =
        image_webp::WebPDecoder::new(Cursor::new(input)).map_err(|e| Error::corrupt("webp", e))?;
    let (width, height) = decoder.dimensions();
    // image-webp allocates a chunk's declared size before reading it; its memory limit (used
    // for nothing else) refuses a declared size over ours first.
    decoder.set_memory_limit(usize::try_from(max_metadata_bytes).unwrap_or(usize::MAX));
    let chunk_error = |what: &'static str, fourcc: &'static [u8; 4]| {
        move |e: image_webp::DecodingError| match e {
            image_webp::DecodingError::MemoryLimitExceeded => Error::LimitExceeded {
                what,
                value: embedded::riff_chunk_len(input, fourcc).unwrap_or(u64::MAX),
                limit: max_metadata_bytes,
                option: "max_metadata_bytes",
            },
            other => Error::corrupt("webp", other),
        }
    };
    let icc = decoder
        .icc_profile()
        .map_err(chunk_error("WebP ICCP chunk size in bytes", b"ICCP"))?;
    let exif = decoder
        .exif_metadata()
        .map_err(chunk_error("WebP EXIF chunk size in bytes", b"EXIF"))?;
    Ok(Header {
        width,
        height,
        has_alpha: decoder.has_alpha(),
        bit_depth: 8,
        color_model: ColorModel::Rgb,
        icc,
        exif,
        frames: decoder.num_frames().max(1),
        progressive: false,
        orientation: None,
        facts: Facts::default(),
    })
}

fn gif_header(input: &[u8]) -> Result<Header> {
    let mut options = gif::DecodeOptions::new();
    // Counting frames must not decompress them.
    options.skip_frame_decoding(true);
    let mut decoder = options
        .read_info(Cursor::new(input))
        .map_err(|e| Error::corrupt("gif", e))?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    let icc = decoder.icc_profile().map(<[u8]>::to_vec);
    let facts = facts::gif(decoder.bg_color(), decoder.global_palette());
    let (mut frames, mut has_alpha, mut interlaced) = (0u32, false, false);
    // A frame that fails to parse ends the count: the first frame is what matters, and decode
    // reports a real error if that one is damaged. Frame headers only: their data is stepped
    // over, never copied or decompressed (`read_next_frame` would reserve a buffer for each,
    // sized from the frame's own header, however little data follows).
    while let Ok(Some(frame)) = decoder.next_frame_info() {
        if frames == 0 {
            interlaced = frame.interlaced;
        }
        frames += 1;
        has_alpha |= frame.transparent.is_some();
    }
    if frames == 0 {
        return Err(Error::corrupt("gif", "no image frame"));
    }
    Ok(Header {
        width,
        height,
        has_alpha,
        bit_depth: 8,
        color_model: ColorModel::Rgb,
        icc,
        exif: None,
        frames,
        progressive: interlaced,
        orientation: None,
        facts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ihdr_alone_gives_the_header_facts() {
        let bomb = include_bytes!("../tests/fixtures/bomb.png");
        let header = png_ihdr(bomb).unwrap();
        assert_eq!(
            (header.width, header.height, header.bit_depth),
            (60000, 60000, 8)
        );
        assert_eq!(
            (header.color_model, header.has_alpha),
            (ColorModel::Rgb, false)
        );
        // The same facts as the png crate's, where it can read the header.
        let alpha = include_bytes!("../tests/fixtures/gray-alpha.png");
        let full = png_header(alpha, u64::MAX).unwrap();
        let ihdr = png_ihdr(alpha).unwrap();
        assert_eq!(
            (
                ihdr.width,
                ihdr.height,
                ihdr.bit_depth,
                ihdr.color_model,
                ihdr.has_alpha
            ),
            (
                full.width,
                full.height,
                full.bit_depth,
                full.color_model,
                full.has_alpha
            )
        );
        assert!(png_ihdr(b"\x89PNG\r\n\x1a\n").is_none());
    }
}
