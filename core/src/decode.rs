//! Bytes to pixels, one function per format, each handing back a [`Raster`] of 8-bit channels.

use std::io::Cursor;

use crate::error::{Error, Result};
use crate::raster::Raster;
use crate::sniff::Format;

/// What a decoder produced: ready-to-use pixels, or CMYK ink values (0 = no ink) that still need
/// the source's CMYK ICC profile to become RGB.
pub(crate) enum Decoded {
    Pixels(Raster),
    Cmyk(Raster),
}

mod jpeg_scaled;

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
        Format::Gif => decode_gif(input).map(Decoded::Pixels),
    }
}

/// Whether [`decode_jpeg_shrunk`] can decode `input` below full size (a baseline gray or YCbCr
/// JPEG with common sampling); the size it would then give is `ceil(width / scale)` by
/// `ceil(height / scale)`.
pub(crate) fn jpeg_can_shrink(input: &[u8]) -> bool {
    jpeg_scaled::parse(input).is_some()
}

/// Decodes a JPEG at 1/`scale` (2, 4 or 8) in the DCT domain and returns the pixels with the scale
/// they are at: 1 when the file turned out to need the full-size decoder (which then decoded it,
/// so an odd or damaged file gives the same result as without shrinking).
pub(crate) fn decode_jpeg_shrunk(input: &[u8], scale: u32) -> Result<(Decoded, u32)> {
    if !jpeg_is_complete(input) {
        return decode_jpeg(input, false).map(|d| (d, 1));
    }
    match jpeg_scaled::parse(input).map(|header| jpeg_scaled::decode(&header, scale)) {
        Some(Ok(raster)) => Ok((Decoded::Pixels(raster), scale)),
        _ => decode_jpeg(input, false).map(|d| (d, 1)),
    }
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
/// half-uploaded photo is an error, not a half-gray avatar. Segment lengths are followed up to the
/// first scan so an EXIF thumbnail's own end marker is not mistaken for ours; inside entropy-coded
/// data 0xFF is always followed by 0x00 or a restart marker, so 0xFF 0xD9 there is the real end.
fn jpeg_is_complete(input: &[u8]) -> bool {
    let mut at = 2;
    while at + 4 <= input.len() {
        if input[at] != 0xFF {
            at += 1; // tolerate padding between segments, as decoders do
            continue;
        }
        let marker = input[at + 1];
        if marker == 0xFF || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            at += 1;
            continue;
        }
        if marker == 0xDA {
            // Searched from the end, where the marker almost always is (same answer, one
            // comparison instead of a pass over the whole file).
            return input[at..].windows(2).rev().any(|w| w == [0xFF, 0xD9]);
        }
        let length = usize::from(u16::from_be_bytes([input[at + 2], input[at + 3]]));
        at += 2 + length;
    }
    false
}

fn decode_jpeg(input: &[u8], cmyk_raw: bool) -> Result<Decoded> {
    use zune_core::colorspace::ColorSpace;
    if !jpeg_is_complete(input) {
        return Err(Error::corrupt(
            "jpeg",
            "truncated: the file ends before its last scan is complete",
        ));
    }
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

fn decode_png(input: &[u8], max_pixels: u64) -> Result<Raster> {
    let corrupt = |e: png::DecodingError| Error::corrupt("png", e);
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(input), png_limits_for(max_pixels));
    // Palette → RGB(A), tRNS → alpha, 1/2/4-bit → 8-bit; 16-bit is kept and rounded below.
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let size = reader
        .output_buffer_size()
        .ok_or_else(|| Error::corrupt("png", "image too large for this platform"))?;
    let mut buf = vec![0; size];
    let frame = reader.next_frame(&mut buf).map_err(corrupt)?;
    buf.truncate(frame.buffer_size());
    let channels = frame.color_type.samples() as u8;
    let data = match frame.bit_depth {
        png::BitDepth::Sixteen => buf
            .chunks_exact(2)
            // Round, not truncate: taking the high byte would darken every value by up to 1.
            .map(|b| ((u32::from(u16::from_be_bytes([b[0], b[1]])) * 255 + 32767) / 65535) as u8)
            .collect(),
        _ => buf,
    };
    Ok(Raster::new(frame.width, frame.height, channels, data))
}

fn decode_webp(input: &[u8]) -> Result<Raster> {
    // Native builds link libwebp already (for lossy encoding): its decoder is ~3× faster than
    // image-webp and gives the same pixels (VP8 decoding is exact and both use libwebp's
    // "fancy" upsampling; `webp_decoders_agree` checks it), so the browser build, which has only
    // image-webp, still matches byte for byte. Animated files and errors go to image-webp.
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(raster) = decode_webp_with_libwebp(input) {
        return Ok(raster);
    }
    decode_webp_with_image_webp(input)
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

fn decode_gif(input: &[u8]) -> Result<Raster> {
    let corrupt = |e: gif::DecodingError| Error::corrupt("gif", e);
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(Cursor::new(input)).map_err(corrupt)?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    let frame = decoder
        .read_next_frame()
        .map_err(corrupt)?
        .ok_or_else(|| Error::corrupt("gif", "no image frame"))?;
    // The first frame may cover only part of the logical screen; the rest is transparent.
    let mut canvas = vec![0u8; width as usize * height as usize * 4];
    let (fw, fh) = (usize::from(frame.width), usize::from(frame.height));
    let (left, top) = (usize::from(frame.left), usize::from(frame.top));
    for row in 0..fh {
        let y = top + row;
        if y >= height as usize || left >= width as usize {
            continue;
        }
        let copy = fw.min(width as usize - left);
        let src = &frame.buffer[row * fw * 4..(row * fw + copy) * 4];
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
