//! Bytes to pixels, one function per format, each handing back a [`Raster`] of 8-bit channels.

use std::io::Cursor;

use thumbsmith_jpeg_decoder as jpeg;

use crate::error::{Error, Result};
use crate::raster::Raster;
use crate::sniff::Format;

#[cfg(feature = "decode-jxl")]
pub(crate) mod jxl;
#[cfg(feature = "decode-tiff")]
pub(crate) mod tiff;
mod vp8l;

/// What a decoder produced: ready-to-use pixels, or CMYK ink values (0 = no ink) that still need
/// the source's CMYK ICC profile to become RGB.
pub(crate) enum Decoded {
    Pixels(Raster),
    Cmyk(Raster),
    /// A baseline JPEG's planes as coded, still YCbCr (see [`thumbsmith_jpeg_decoder`]).
    YCbCr(YCbCr),
}

/// Luma, and Cb/Cr interleaved at their own resolution (the luma's divided by `subsampling`),
/// each for the part of its plane that was decoded; [`crate::colour::ycbcr_to_rgb`] makes RGB
/// of them once they are resampled to the same size.
pub(crate) struct YCbCr {
    pub luma: Raster,
    pub luma_part: PixelRect,
    pub chroma: Raster,
    pub chroma_part: PixelRect,
    /// Luma samples per chroma sample, across and down (1, 2 or 4 each).
    pub subsampling: (u32, u32),
}

/// A rectangle of whole pixels of a decoded picture: the part of it a caller will read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PixelRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl PixelRect {
    pub(crate) fn whole(width: u32, height: u32) -> PixelRect {
        PixelRect {
            x: 0,
            y: 0,
            width,
            height,
        }
    }

    /// The part of `self` inside a `width`×`height` picture, or `None` when nothing is.
    pub(crate) fn clipped_to(self, width: u32, height: u32) -> Option<PixelRect> {
        let right = self.x.saturating_add(self.width).min(width);
        let bottom = self.y.saturating_add(self.height).min(height);
        (self.x < right && self.y < bottom).then(|| PixelRect {
            x: self.x,
            y: self.y,
            width: right - self.x,
            height: bottom - self.y,
        })
    }
}

impl From<PixelRect> for jpeg::Rect {
    fn from(r: PixelRect) -> jpeg::Rect {
        jpeg::Rect {
            x: r.x,
            y: r.y,
            width: r.width,
            height: r.height,
        }
    }
}

impl From<jpeg::Rect> for PixelRect {
    fn from(r: jpeg::Rect) -> PixelRect {
        PixelRect {
            x: r.x,
            y: r.y,
            width: r.width,
            height: r.height,
        }
    }
}

fn raster(plane: jpeg::Plane) -> Raster {
    Raster::new(plane.width, plane.height, plane.channels, plane.data)
}

/// What a decode of part of a picture gave: the pixels of `part` (all of it when the decoder
/// cannot decode a part), the scale they are at (`eighths`/8 of the file's size), and the size of
/// the whole picture at that scale.
pub(crate) struct Decoding {
    pub decoded: Decoded,
    pub eighths: u32,
    pub part: PixelRect,
    pub whole: (u32, u32),
}

impl Decoding {
    /// A decode of the whole picture at full size.
    pub(crate) fn whole(decoded: Decoded) -> Decoding {
        let (width, height) = match &decoded {
            Decoded::Pixels(r) | Decoded::Cmyk(r) => (r.width, r.height),
            Decoded::YCbCr(planes) => (planes.luma.width, planes.luma.height),
        };
        Decoding {
            decoded,
            eighths: 8,
            part: PixelRect::whole(width, height),
            whole: (width, height),
        }
    }
}

/// `cmyk_raw` asks a CMYK JPEG for its ink values instead of the decoder's naive RGB, when an ICC
/// profile is there to convert them properly.
pub(crate) fn decode(
    input: &[u8],
    format: Format,
    max_pixels: u64,
    cmyk_raw: bool,
) -> Result<Decoded> {
    match format {
        Format::Jpeg => decode_jpeg(input, cmyk_raw),
        Format::Png => decode_png(input, max_pixels).map(Decoded::Pixels),
        Format::Webp => decode_webp(input).map(Decoded::Pixels),
        Format::Gif => decode_gif(input, max_pixels).map(Decoded::Pixels),
        #[cfg(feature = "decode-tiff")]
        Format::Tiff => tiff::decode(input, max_pixels, cmyk_raw),
        #[cfg(feature = "decode-jxl")]
        Format::Jxl => jxl::decode(input, max_pixels),
        // `sniff` gives these only when their decoder is built in.
        #[allow(unreachable_patterns)]
        Format::Tiff | Format::Jxl => Err(Error::UnsupportedFormat {
            format: format.as_str().into(),
        }),
        // Pixels are not decoded: the pipeline takes them as they are (`raw`).
        Format::Raw => Err(Error::Internal("raw pixels were sent to a decoder".into())),
    }
}

/// Pixels given as they are (`Options::raw_input`), already checked against their size.
pub(crate) fn raw(input: &[u8], raw: crate::options::RawInput) -> Decoded {
    Decoded::Pixels(crate::raster::Raster::new(
        raw.width,
        raw.height,
        raw.channels,
        input.to_vec(),
    ))
}

pub(crate) use jpeg::Header as JpegHeader;

/// The headers of a complete JPEG that the planar decoder ([`decode_jpeg_planes`]) takes — a
/// gray or YCbCr file, sequential or progressive, with common sampling — or `None` for the
/// full-size decoder.
pub(crate) fn jpeg_planar_header(input: &[u8]) -> Option<JpegHeader<'_>> {
    if !jpeg::markers::is_complete(input) {
        return None;
    }
    jpeg::parse(input).ok()
}

/// Decodes a JPEG at `eighths`/8 of its size (1…8) into its planes ([`Decoded::YCbCr`], or gray
/// pixels), only `parts` (luma, chroma: pixels of each plane at that scale) when given. A file
/// that turns out to need the full-size decoder is decoded by it instead: RGB pixels, full size,
/// the whole picture (so an odd or damaged file gives the same result as it always did).
pub(crate) fn decode_jpeg_planes(
    input: &[u8],
    header: &JpegHeader<'_>,
    eighths: u32,
    parts: Option<(PixelRect, PixelRect)>,
) -> Result<Decoding> {
    let parts = parts.map(|(luma, chroma)| (luma.into(), chroma.into()));
    match jpeg::decode(header, eighths, parts) {
        Ok(planes) => {
            let (luma, luma_part) = (raster(planes.luma), planes.luma_part.into());
            let decoded = match planes.chroma {
                None => Decoded::Pixels(luma),
                Some((chroma, chroma_part)) => Decoded::YCbCr(YCbCr {
                    luma,
                    luma_part,
                    chroma: raster(chroma),
                    chroma_part: chroma_part.into(),
                    subsampling: planes.subsampling,
                }),
            };
            Ok(Decoding {
                decoded,
                eighths,
                part: luma_part,
                whole: (
                    jpeg_scaled_length(header.width, eighths, 1),
                    jpeg_scaled_length(header.height, eighths, 1),
                ),
            })
        }
        // A file over the decoder's fixed bounds would cost zune-jpeg as much: refused.
        Err(error @ jpeg::Error::TooMany { .. }) => Err(jpeg_error(error)),
        Err(_) => decode_jpeg(input, false).map(Decoding::whole),
    }
}

/// The planar JPEG decoder's error as thumbsmith's: damaged input, a JPEG it does not take
/// (named), or a bug. Exhaustive, so a new variant of the decoder's must be mapped here.
pub(crate) fn jpeg_error(error: jpeg::Error) -> Error {
    match error {
        jpeg::Error::Corrupt(reason) => Error::corrupt("jpeg", reason),
        jpeg::Error::Unsupported(what) => Error::UnsupportedFormat {
            format: format!("JPEG ({what})"),
        },
        jpeg::Error::UnsupportedProcess(frame) => Error::UnsupportedFormat {
            format: format!("JPEG {frame}"),
        },
        // A fixed bound of the decoder (no option raises it): a file over it is one this
        // library does not read, as a lossless one is.
        jpeg::Error::TooMany { .. } => Error::UnsupportedFormat {
            format: error.to_string(),
        },
        jpeg::Error::Scale(_) | jpeg::Error::Internal(_) => Error::Internal(error.to_string()),
    }
}

/// Refuses, from its headers alone, a JPEG that asks for more work than real files do: more
/// scans, table definitions or passes over its blocks than the planar decoder's fixed bounds
/// (its `markers` module gives each one's reason). Checked before either decoder (or zune-jpeg's
/// header reader) runs, so the full-size decoder never gets such a file either, and
/// `metadata()` refuses what `process()` refuses.
pub(crate) fn refuse_jpeg_bombs(input: &[u8]) -> Result<()> {
    jpeg::markers::coding(input).check().map_err(jpeg_error)
}

/// A JPEG whose frame header names a process no decoder here reads (lossless, hierarchical),
/// as the error that names it; found from the frame marker alone (zune-jpeg would call such a
/// file corrupt).
pub(crate) fn jpeg_unsupported_process(input: &[u8]) -> Option<Error> {
    let frame = jpeg::markers::frame_header(input)?;
    let frame = jpeg::markers::Frame::of(frame.marker)?;
    (frame.is_lossless() || frame.is_hierarchical())
        .then(|| jpeg_error(jpeg::Error::UnsupportedProcess(frame)))
}

/// How many samples `length` pixels make in a JPEG plane decoded at `eighths`/8 whose samples
/// each cover `subsampling` luma pixels (see [`jpeg::scaled_length`]).
pub(crate) fn jpeg_scaled_length(length: u32, eighths: u32, subsampling: u32) -> u32 {
    jpeg::scaled_length(length, eighths, subsampling)
}

pub(crate) fn jpeg_options() -> zune_core::options::DecoderOptions {
    // The limits are ours (checked from the header against `Options`), not zune's 16384 default.
    zune_core::options::DecoderOptions::default()
        .set_max_width(usize::from(u16::MAX))
        .set_max_height(usize::from(u16::MAX))
        .set_strict_mode(false)
}

/// The png crate's allocation cap, derived from our pixel limit (16-bit RGBA is the worst case).
pub(crate) fn png_limits_for(max_pixels: u64) -> png::Limits {
    png::Limits {
        bytes: usize::try_from(max_pixels.saturating_mul(8)).unwrap_or(usize::MAX),
    }
}

pub(crate) fn png_limits() -> png::Limits {
    png_limits_for(crate::Options::default().max_input_pixels)
}

/// Whether the JPEG has an end-of-image marker after its first scan. zune-jpeg fills a truncated
/// file with gray and reports success; like sharp (`failOn: 'warning'`) we refuse it instead, so a
/// half-uploaded photo is an error, not a half-gray avatar.
fn jpeg_is_complete(input: &[u8]) -> bool {
    jpeg::markers::is_complete(input)
}

/// Four-component (CMYK or YCCK) JPEGs whose components are not all sampled alike that
/// zune-jpeg 0.5.15 decodes wrongly: plain CMYK to wrong colours, a panic or a false "corrupt"
/// (2×1, 2×2, 1×4, 4×1, 4×2, 2×4), YCCK with 4 samples down or 4×2 to black. They are refused
/// as unsupported rather than made into a wrong picture. YCCK with its first component at up to
/// 2×2 (what Photoshop writes) decodes right and is kept. zune-jpeg 0.5.16-rc3 decodes all of
/// them right (but a gray file with restart intervals wrong): remove this with 0.5.16.
fn is_mis_decoded_four_components(input: &[u8], space: zune_core::colorspace::ColorSpace) -> bool {
    use zune_core::colorspace::ColorSpace;
    let Some(frame) = jpeg::markers::frame_header(input) else {
        return false;
    };
    let body = frame.body;
    let samplings: Vec<u8> = body
        .get(6..)
        .unwrap_or_default()
        .chunks_exact(3)
        .map(|c| c[1])
        .collect();
    if body.get(5) != Some(&4)
        || samplings.len() != 4
        || samplings.iter().all(|&s| s == samplings[0])
    {
        return false;
    }
    let (across, down) = (samplings[0] >> 4, samplings[0] & 15);
    !(space == ColorSpace::YCCK && across <= 2 && down <= 2)
}

/// The most coefficient memory the full-size decoder may hold for a progressive file: 256 MiB,
/// the bound on a job's memory beyond its decoded pixels. zune-jpeg keeps every coefficient of
/// every block (2 bytes a sample) until the last scan, besides the pixels, so a 16383×16383
/// 4:4:4 file, a few hundred bytes of scans, would hold 1.6 GB. The planar decoder reads such
/// files in bands; the full-size one gets only what it does not take (CMYK, RGB, odd sampling)
/// and the files it fails on, which are refused past this size rather than decoded whole.
const MAX_FULL_SIZE_COEFFICIENT_BYTES: u64 = 256 << 20;

fn refuse_full_size_progressive(input: &[u8]) -> Result<()> {
    let progressive = jpeg::markers::frame_header(input)
        .and_then(|frame| jpeg::markers::Frame::of(frame.marker))
        .is_some_and(|frame| frame.is_progressive());
    let bytes = jpeg::markers::coding(input).frame_blocks * 64 * 2;
    if progressive && bytes > MAX_FULL_SIZE_COEFFICIENT_BYTES {
        return Err(Error::UnsupportedFormat {
            format: format!(
                "progressive JPEG whose full-size decode holds {bytes} bytes of coefficients \
                 (at most {MAX_FULL_SIZE_COEFFICIENT_BYTES})"
            ),
        });
    }
    Ok(())
}

fn decode_jpeg(input: &[u8], cmyk_raw: bool) -> Result<Decoded> {
    use zune_core::colorspace::ColorSpace;
    if !jpeg_is_complete(input) {
        return Err(Error::corrupt(
            "jpeg",
            "truncated: the file ends before its last scan is complete",
        ));
    }
    refuse_full_size_progressive(input)?;
    let corrupt = |e: zune_jpeg::errors::DecodeErrors| Error::corrupt("jpeg", e);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        zune_core::bytestream::ZCursor::new(input),
        jpeg_options(),
    );
    decoder.decode_headers().map_err(corrupt)?;
    let input_space = decoder
        .input_colorspace()
        .ok_or_else(|| Error::corrupt("jpeg", "no frame header"))?;
    // Only conversions zune implements for this input are requested (others would hit its
    // `unreachable!`): gray stays gray, CMYK either raw or naive RGB, everything else RGB.
    let (out_space, channels, is_cmyk) = match input_space {
        ColorSpace::Luma => (ColorSpace::Luma, 1, false),
        ColorSpace::CMYK if cmyk_raw => (ColorSpace::CMYK, 4, true),
        ColorSpace::YCbCr | ColorSpace::RGB | ColorSpace::CMYK | ColorSpace::YCCK => {
            (ColorSpace::RGB, 3, false)
        }
        other => {
            return Err(Error::UnsupportedFormat {
                format: format!("jpeg with {other:?} components"),
            })
        }
    };
    if is_mis_decoded_four_components(input, input_space) {
        return Err(Error::UnsupportedFormat {
            format: format!("jpeg with {input_space:?} components sampled unlike each other"),
        });
    }
    decoder.set_options(jpeg_options().jpeg_set_out_colorspace(out_space));
    let mut data = decoder.decode().map_err(corrupt)?;
    let info = decoder
        .info()
        .ok_or_else(|| Error::corrupt("jpeg", "no frame header"))?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    if data.len() != width as usize * height as usize * channels {
        return Err(Error::corrupt(
            "jpeg",
            "decoded size does not match the header",
        ));
    }
    if is_cmyk {
        // Adobe writes CMYK JPEGs inverted (255 = no ink); the CMS wants ink amounts.
        for v in &mut data {
            *v = 255 - *v;
        }
        return Ok(Decoded::Cmyk(Raster::new(width, height, 4, data)));
    }
    Ok(Decoded::Pixels(Raster::new(
        width,
        height,
        channels as u8,
        data,
    )))
}

fn png_corrupt(e: png::DecodingError) -> Error {
    Error::corrupt("png", e)
}

type PngReader<'a> = png::Reader<Cursor<&'a [u8]>>;

/// A png decoder that skips the chunks it would inflate for nothing: text (never read) and the
/// colour profile (read with a bound by `embedded::png_icc`, so an `iCCP` bomb is never inflated
/// by the png crate, whose only bound is the pixel allocation cap).
pub(crate) fn png_decoder(input: &[u8], limits: png::Limits) -> png::Decoder<Cursor<&[u8]>> {
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(input), limits);
    decoder.set_ignore_iccp_chunk(true);
    decoder.set_ignore_text_chunk(true);
    decoder
}

fn png_reader(input: &[u8], max_pixels: u64) -> Result<PngReader<'_>> {
    let mut decoder = png_decoder(input, png_limits_for(max_pixels));
    // Palette → RGB(A), tRNS → alpha, 1/2/4-bit → 8-bit; 16-bit is kept and rounded below.
    decoder.set_transformations(png::Transformations::EXPAND);
    let reader = decoder.read_info().map_err(png_corrupt)?;
    // A PLTE chunk holds 1–256 RGB entries; the png crate (0.18.1) takes any length and panics
    // expanding one whose length is not a multiple of 3 (found by fuzzing).
    if let Some(palette) = &reader.info().palette {
        if palette.is_empty() || palette.len() % 3 != 0 || palette.len() > 256 * 3 {
            return Err(Error::corrupt(
                "png",
                format!(
                    "a PLTE chunk of {} bytes (1–256 entries of 3 bytes)",
                    palette.len()
                ),
            ));
        }
    }
    reader
        .output_buffer_size()
        .ok_or_else(|| Error::corrupt("png", "image too large for this platform"))?;
    Ok(reader)
}

/// 16-bit big-endian samples to 8 bits. Round, not truncate: taking the high byte would darken
/// every value by up to 1.
fn png_round_to_8_bits(samples: &[u8]) -> impl Iterator<Item = u8> + '_ {
    samples
        .chunks_exact(2)
        .map(|b| ((u32::from(u16::from_be_bytes([b[0], b[1]])) * 255 + 32767) / 65535) as u8)
}

fn decode_png(input: &[u8], max_pixels: u64) -> Result<Raster> {
    png_whole_frame(png_reader(input, max_pixels)?)
}

fn png_whole_frame(mut reader: PngReader<'_>) -> Result<Raster> {
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| Error::corrupt("png", "image too large for this platform"))?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(png_corrupt)?;
    buf.truncate(frame.buffer_size());
    let channels = frame.color_type.samples() as u8;
    let data = match frame.bit_depth {
        png::BitDepth::Sixteen => png_round_to_8_bits(&buf).collect(),
        _ => buf,
    };
    Ok(Raster::new(frame.width, frame.height, channels, data))
}

/// Decodes only `part` of a PNG: every row is still inflated and unfiltered (each row's filter
/// reads the row above), but only the part's rows and columns are kept, so the picture is never
/// held whole. Interlaced and animated files, whose rows do not come in order or whose first
/// frame may not be the picture, are decoded whole (the part is then the whole picture). The
/// kept pixels are the bytes the whole-frame decode gives for them.
pub(crate) fn decode_png_part(input: &[u8], max_pixels: u64, part: PixelRect) -> Result<Decoding> {
    let mut reader = png_reader(input, max_pixels)?;
    let info = reader.info();
    let (width, height) = (info.width, info.height);
    let part = match part.clipped_to(width, height) {
        Some(part) if !info.interlaced && info.animation_control.is_none() => part,
        _ => return png_whole_frame(reader).map(|r| Decoding::whole(Decoded::Pixels(r))),
    };
    let (color_type, bit_depth) = reader.output_color_type();
    let channels = color_type.samples();
    let sample_bytes = if bit_depth == png::BitDepth::Sixteen {
        2
    } else {
        1
    };
    let pixel_bytes = channels * sample_bytes;
    let columns = part.x as usize * pixel_bytes..(part.x + part.width) as usize * pixel_bytes;
    let rows = part.y..part.y + part.height;
    let mut data = Vec::with_capacity(part.width as usize * part.height as usize * channels);
    let mut y = 0;
    while let Some(row) = reader.next_row().map_err(png_corrupt)? {
        if rows.contains(&y) {
            let kept = row
                .data()
                .get(columns.clone())
                .ok_or_else(|| Error::corrupt("png", "row shorter than the header's width"))?;
            match bit_depth {
                png::BitDepth::Sixteen => data.extend(png_round_to_8_bits(kept)),
                _ => data.extend_from_slice(kept),
            }
        }
        y += 1;
    }
    if data.len() != part.width as usize * part.height as usize * channels {
        return Err(Error::corrupt("png", "fewer rows than the header's height"));
    }
    Ok(Decoding {
        decoded: Decoded::Pixels(Raster::new(part.width, part.height, channels as u8, data)),
        eighths: 8,
        part,
        whole: (width, height),
    })
}

fn decode_webp(input: &[u8]) -> Result<Raster> {
    webp_first_frame_fits(input)?;
    // Native builds link libwebp already (for lossy encoding): its decoder is faster than
    // image-webp (docs/decisions.md) and gives the same pixels (VP8 decoding is exact and both use libwebp's
    // "fancy" upsampling; `webp_decoders_agree` checks it), so the browser build, which has only
    // image-webp, still matches byte for byte. Animated files and errors go to image-webp.
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(raster) = decode_webp_with_libwebp(input) {
        return Ok(raster);
    }
    decode_webp_with_image_webp(input)
}

/// Refuses a WebP whose first frame's bitstream header declares another size than the frame
/// it is in: the canvas (VP8X) of a still picture, the ANMF frame of an animation. The pixel
/// limit was checked on the canvas, and image-webp decodes a VP8 frame at the size its own
/// header gives before it compares the two: a 1×1 canvas holding a frame that says
/// 16383×16383 would cost 400 MB and a decode of a million macroblocks.
fn webp_first_frame_fits(input: &[u8]) -> Result<()> {
    let mismatch = |what: &str, (w, h): (u32, u32), (fw, fh): (u32, u32)| {
        Error::corrupt(
            "webp",
            format!("the {what} says {w}×{h}, its bitstream {fw}×{fh}"),
        )
    };
    let le24 = |b: &[u8]| u32::from_le_bytes([b[0], b[1], b[2], 0]) + 1;
    let mut canvas = None;
    let mut at: usize = 12; // "RIFF", the file size, "WEBP"
                            // Where the chunk of `len` bytes at `at` ends (chunks are padded to an even size); checked,
                            // as a 32-bit build's `usize` holds no more than a declared length.
    let next = |at: usize, len: usize| len.checked_add(8 + (len & 1))?.checked_add(at);
    while let Some(header) = input.get(at..at.saturating_add(8)) {
        let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let data = input.get(at + 8..).unwrap_or_default();
        let data = &data[..len.min(data.len())];
        match &header[..4] {
            b"VP8X" if data.len() >= 10 => canvas = Some((le24(&data[4..7]), le24(&data[7..10]))),
            b"ALPH" => webp_groups_fit(b"ALPH", data, canvas)?,
            b"VP8 " | b"VP8L" => {
                webp_groups_fit(&header[..4], data, None)?;
                return match (canvas, webp_bitstream_size(&header[..4], data)) {
                    (Some(canvas), Some(size)) if size != canvas => {
                        Err(mismatch("canvas", canvas, size))
                    }
                    _ => Ok(()),
                };
            }
            b"ANMF" if data.len() >= 16 => {
                let frame = (le24(&data[6..9]), le24(&data[9..12]));
                // The frame's own chunks: an optional ALPH, then its bitstream.
                let mut inner: usize = 16;
                while let Some(sub) = data.get(inner..inner.saturating_add(8)) {
                    let sub_len = u32::from_le_bytes([sub[4], sub[5], sub[6], sub[7]]) as usize;
                    let sub_data = data.get(inner + 8..).unwrap_or_default();
                    let sub_data = &sub_data[..sub_len.min(sub_data.len())];
                    webp_groups_fit(&sub[..4], sub_data, Some(frame))?;
                    if let Some(size) = webp_bitstream_size(&sub[..4], sub_data) {
                        return match size == frame {
                            true => Ok(()),
                            false => Err(mismatch("ANMF frame", frame, size)),
                        };
                    }
                    let Some(after) = next(inner, sub_len) else {
                        break;
                    };
                    inner = after;
                }
                return Ok(());
            }
            _ => {}
        }
        let Some(after) = next(at, len) else {
            break;
        };
        at = after;
    }
    Ok(())
}

/// The most prefix-code groups a lossless bitstream may declare. libwebp's encoder writes at
/// most 2,600 (its `MAX_HUFF_IMAGE_SIZE`); image-webp builds every declared group's tables before
/// the first pixel, so a file declaring 65,536 of them would reserve gigabytes (decode/vp8l.rs).
const MAX_WEBP_GROUPS: u32 = 4096;

/// Refuses a lossless bitstream (`VP8L`, or an `ALPH` chunk compressed losslessly, whose frame
/// is `size`) that declares more than [`MAX_WEBP_GROUPS`] prefix-code groups.
fn webp_groups_fit(fourcc: &[u8], data: &[u8], size: Option<(u32, u32)>) -> Result<()> {
    let groups = match fourcc {
        b"VP8L" => vp8l::groups(data, None),
        // The ALPH header byte's low two bits: 1 is a headerless VP8L stream of the frame's size.
        b"ALPH" => match (data.first(), size) {
            (Some(header), Some(size)) if header & 3 == 1 => vp8l::groups(&data[1..], Some(size)),
            _ => None,
        },
        _ => None,
    };
    match groups {
        Some(groups) if groups > MAX_WEBP_GROUPS => Err(Error::UnsupportedFormat {
            format: format!(
                "lossless WebP with {groups} prefix-code groups (at most {MAX_WEBP_GROUPS})"
            ),
        }),
        _ => Ok(()),
    }
}

/// The size a VP8 (lossy key frame) or VP8L bitstream's header declares.
fn webp_bitstream_size(fourcc: &[u8], data: &[u8]) -> Option<(u32, u32)> {
    match fourcc {
        b"VP8 " if data.len() >= 10 && data[3..6] == [0x9D, 0x01, 0x2A] => {
            let width = u32::from(u16::from_le_bytes([data[6], data[7]]) & 0x3FFF);
            let height = u32::from(u16::from_le_bytes([data[8], data[9]]) & 0x3FFF);
            Some((width, height))
        }
        b"VP8L" if data.len() >= 5 && data[0] == 0x2F => {
            let bits = u32::from_le_bytes([data[1], data[2], data[3], data[4]]);
            Some(((bits & 0x3FFF) + 1, (bits >> 14 & 0x3FFF) + 1))
        }
        _ => None,
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn decode_webp_with_libwebp(input: &[u8]) -> Option<Raster> {
    let image = webp::Decoder::new(input).decode()?;
    let channels = if image.is_alpha() { 4 } else { 3 };
    let (width, height) = (image.width(), image.height());
    let data = image.to_vec();
    (data.len() == width as usize * height as usize * channels as usize)
        .then(|| Raster::new(width, height, channels, data))
}

fn decode_webp_with_image_webp(input: &[u8]) -> Result<Raster> {
    let corrupt = |e: image_webp::DecodingError| Error::corrupt("webp", e);
    let mut decoder = image_webp::WebPDecoder::new(Cursor::new(input)).map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    let channels: u8 = if decoder.has_alpha() { 4 } else { 3 };
    let size = decoder
        .output_buffer_size()
        .ok_or_else(|| Error::corrupt("webp", "image too large for this platform"))?;
    let mut data = vec![0; size];
    if decoder.is_animated() {
        decoder.read_frame(&mut data).map_err(corrupt)?;
    } else {
        decoder.read_image(&mut data).map_err(corrupt)?;
    }
    Ok(Raster::new(width, height, channels, data))
}

fn decode_gif(input: &[u8], max_pixels: u64) -> Result<Raster> {
    let corrupt = |e: gif::DecodingError| Error::corrupt("gif", e);
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(Cursor::new(input)).map_err(corrupt)?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    // A frame's size is its own, not the logical screen's the pixel limit was checked on: a
    // 1×1 screen may hold a 65535×65535 frame, 16 GiB of RGBA. Checked before it is allocated.
    let frame = decoder
        .next_frame_info()
        .map_err(corrupt)?
        .ok_or_else(|| Error::corrupt("gif", "no image frame"))?;
    crate::error::check_limit(
        "GIF frame pixel count",
        u64::from(frame.width) * u64::from(frame.height),
        max_pixels,
        "max_input_pixels",
    )?;
    let (fw, fh) = (usize::from(frame.width), usize::from(frame.height));
    let (left, top) = (usize::from(frame.left), usize::from(frame.top));
    // The gif crate's own cap (50 MB a frame by default) would refuse a frame the pixel limit
    // allows; the frame's buffer is all it allocates.
    let mut buffer = vec![0u8; fw * fh * 4];
    decoder.read_into_buffer(&mut buffer).map_err(corrupt)?;
    // The first frame may cover only part of the logical screen; the rest is transparent.
    let mut canvas = vec![0u8; width as usize * height as usize * 4];
    for row in 0..fh {
        let y = top + row;
        if y >= height as usize || left >= width as usize {
            continue;
        }
        let copy = fw.min(width as usize - left);
        let src = &buffer[row * fw * 4..(row * fw + copy) * 4];
        let dst = (y * width as usize + left) * 4;
        canvas[dst..dst + copy * 4].copy_from_slice(src);
    }
    Ok(Raster::new(width, height, 4, canvas))
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    /// The native build decodes WebP with libwebp, the browser build with image-webp: they must
    /// agree exactly or the two builds would make different avatars from the same upload.
    #[test]
    fn webp_decoders_agree() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
        for name in ["lossy.webp", "lossless.webp", "alpha.webp"] {
            let bytes = std::fs::read(format!("{dir}/{name}")).unwrap();
            let native = decode_webp_with_libwebp(&bytes).expect("libwebp decodes it");
            let portable = decode_webp_with_image_webp(&bytes).unwrap();
            assert_eq!(native, portable, "{name}");
        }
    }
}
