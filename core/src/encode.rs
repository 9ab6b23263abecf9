//! Pixels to bytes: JPEG (jpeg-encoder), PNG (png), WebP (lossless: image-webp; lossy: libwebp,
//! native only). WebP output, EXIF writing and `smart_subsample` are the core features
//! `encode-webp`, `write-exif` and `smart-subsample` (default on): the browser package leaves them
//! out for size, and then refuses to be asked for them rather than making something else.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::options::{ChromaSubsampling, Options};
use crate::raster::Raster;
use crate::sniff::Format;

#[cfg(feature = "smart-subsample")]
mod subsampled_chroma;
mod webp;

/// Metadata that survives into the output (nothing, by default).
#[derive(Default)]
pub(crate) struct Carry {
    pub icc: Option<Vec<u8>>,
    pub exif: Option<Vec<u8>>,
}

pub(crate) fn encode(
    image: &Raster,
    format: Format,
    options: &Options,
    carry: &Carry,
) -> Result<Vec<u8>> {
    if !cfg!(feature = "write-exif") && (options.keep_copyright || options.keep_gps) {
        return Err(Error::encode(
            format.as_str(),
            "this build cannot write EXIF (the core feature `write-exif` is left out of the browser \
             package), so `keep_copyright` and `keep_gps` cannot be honoured; leave them off",
        ));
    }
    if !cfg!(feature = "smart-subsample") && options.smart_subsample && format == Format::Jpeg {
        return Err(Error::encode(
            format.as_str(),
            "this build cannot subsample smartly (the core feature `smart-subsample` is left out of \
             the browser package), so `smart_subsample` cannot be honoured; leave it off",
        ));
    }
    match format {
        Format::Jpeg => encode_jpeg(image, options, carry),
        Format::Png => encode_png(image, options, carry),
        Format::Webp => webp::encode(image, options, carry),
        // The pixels themselves; there is nowhere to carry metadata.
        Format::Raw => Ok(image.data.clone()),
        Format::Gif | Format::Tiff | Format::Jxl => Err(Error::encode(
            format.as_str(),
            format!("thumbsmith does not encode {format}"),
        )),
    }
}

fn encode_jpeg(image: &Raster, options: &Options, carry: &Carry) -> Result<Vec<u8>> {
    use jpeg_encoder::{ChromaSubsamplingMethod, ColorType, Encoder, SamplingFactor};
    let fail = |e: &dyn std::fmt::Display| Error::encode("jpeg", e);
    let (Ok(width), Ok(height)) = (u16::try_from(image.width), u16::try_from(image.height)) else {
        return Err(fail(&format!(
            "{}×{} is larger than JPEG's 65535×65535",
            image.width, image.height
        )));
    };
    let color = match image.channels {
        1 => ColorType::Luma,
        3 => ColorType::Rgb,
        n => {
            return Err(fail(&format!(
                "{n}-channel pixels reached the JPEG encoder unflattened"
            )))
        }
    };
    let mut out = Vec::with_capacity(image.data.len() / 8);
    let mut encoder = Encoder::new(&mut out, options.quality);
    encoder.set_sampling_factor(match options.chroma_subsampling {
        ChromaSubsampling::Yuv420 => SamplingFactor::R_4_2_0,
        ChromaSubsampling::Yuv422 => SamplingFactor::R_4_2_2,
        ChromaSubsampling::Yuv444 => SamplingFactor::R_4_4_4,
    });
    // jpeg-encoder's default keeps the top-left pixel of each 2×2 (2×1) block as the chroma
    // sample; averaging the block (libjpeg's `h2v2_downsample`) scores better on every corpus
    // file tried, most on palette art and fine colour detail, and writes no more bytes
    // (docs/decisions.md).
    encoder.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
    // JFIF's APP0 (the encoder's default) is written: 18 bytes, and without it or an Adobe
    // segment a decoder meeting three components guesses their colour space (libjpeg from the
    // ids 1, 2, 3; others differently), which no output of ours should depend on.
    if options.progressive {
        // A DC scan, then AC 1–31 and 32–63, per component. With our encoder fork's EOB runs
        // and per-scan tables (jpeg-encoder/CHANGES.md) a progressive avatar is about the size
        // of the baseline one, and more AC scans cost more bytes (docs/decisions.md). One
        // middle step keeps a real refinement between the DC preview and the full picture.
        encoder.set_progressive_scans(3);
    }
    // Baseline with optimised tables is one interleaved scan (the layout every decoder reads;
    // zune-jpeg 0.5 misread the scan per component the encoder wrote before).
    encoder.set_optimized_huffman_tables(options.optimize_coding);
    if let Some(icc) = &carry.icc {
        encoder.add_icc_profile(icc).map_err(|e| fail(&e))?;
    }
    if let Some(exif) = &carry.exif {
        encoder.add_exif_metadata(exif).map_err(|e| fail(&e))?;
    }
    let pixels = smart_subsampled(image, options, color);
    encoder
        .encode(&pixels.data, width, height, color)
        .map_err(|e| fail(&e))?;
    Ok(out)
}

/// `image` as the JPEG encoder gets it: with `smart_subsample`, colour and subsampled chroma,
/// luma that makes up for the subsampling (see `subsampled_chroma`).
fn smart_subsampled<'a>(
    image: &'a Raster,
    options: &Options,
    color: jpeg_encoder::ColorType,
) -> Cow<'a, Raster> {
    #[cfg(feature = "smart-subsample")]
    if options.smart_subsample && color == jpeg_encoder::ColorType::Rgb {
        // Rows averaged into each chroma sample (always two columns).
        let down = match options.chroma_subsampling {
            ChromaSubsampling::Yuv420 => 2,
            ChromaSubsampling::Yuv422 => 1,
            ChromaSubsampling::Yuv444 => return Cow::Borrowed(image),
        };
        return Cow::Owned(subsampled_chroma::compensate_luma(image, down));
    }
    #[cfg(not(feature = "smart-subsample"))]
    let _ = (options, color); // refused in `encode` when asked for
    Cow::Borrowed(image)
}

fn encode_png(image: &Raster, options: &Options, carry: &Carry) -> Result<Vec<u8>> {
    let fail = |e: png::EncodingError| Error::encode("png", e);
    let mut out = Vec::new();
    let mut info = png::Info::with_size(image.width, image.height);
    info.color_type = match image.channels {
        1 => png::ColorType::Grayscale,
        2 => png::ColorType::GrayscaleAlpha,
        3 => png::ColorType::Rgb,
        _ => png::ColorType::Rgba,
    };
    info.bit_depth = png::BitDepth::Eight;
    info.icc_profile = carry.icc.as_deref().map(std::borrow::Cow::Borrowed);
    let mut encoder = png::Encoder::with_info(&mut out, info).map_err(fail)?;
    encoder.set_deflate_compression(match options.compression_level {
        0 => png::DeflateCompression::NoCompression,
        level => png::DeflateCompression::Level(level),
    });
    let mut writer = encoder.write_header().map_err(fail)?;
    if let Some(exif) = &carry.exif {
        writer.write_chunk(png::chunk::eXIf, exif).map_err(fail)?;
    }
    writer.write_image_data(&image.data).map_err(fail)?;
    writer.finish().map_err(fail)?;
    Ok(out)
}
