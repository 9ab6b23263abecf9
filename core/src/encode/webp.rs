//! WebP. Lossless pictures are written by image-webp (pure Rust, in every build, so the browser
//! package makes the same bytes); lossy ones, and lossless ones that ask for a libwebp-only
//! setting (`webp_effort`, `webp_near_lossless`), by libwebp (C, native builds only).

use super::Carry;
use crate::error::{Error, Result};
use crate::options::Options;
use crate::raster::Raster;

#[cfg(not(feature = "encode-webp"))]
pub(super) fn encode(_: &Raster, _: &Options, _: &Carry) -> Result<Vec<u8>> {
    Err(Error::encode(
        "webp",
        "this build has no WebP encoder (the core feature `encode-webp` is left out of the browser \
         package, which encodes JPEG and PNG); ask for `format: \"jpeg\"` or `\"png\"`",
    ))
}

#[cfg(feature = "encode-webp")]
pub(super) fn encode(image: &Raster, options: &Options, carry: &Carry) -> Result<Vec<u8>> {
    if image.width > 16383 || image.height > 16383 {
        return Err(Error::encode(
            "webp",
            format!(
                "{}×{} is larger than WebP's 16383×16383",
                image.width, image.height
            ),
        ));
    }
    // image-webp's lossless coding keeps every colour as it is, transparent pixels' too, so
    // `webp_exact` needs no libwebp.
    let by_libwebp =
        options.webp_near_lossless || !options.lossless || options.webp_effort.is_some();
    if by_libwebp {
        return libwebp(image, options, carry);
    }
    let mut out = Vec::new();
    let mut encoder = image_webp::WebPEncoder::new(&mut out);
    if let Some(icc) = &carry.icc {
        encoder.set_icc_profile(icc.clone());
    }
    if let Some(exif) = &carry.exif {
        encoder.set_exif_metadata(exif.clone());
    }
    let color = match image.channels {
        1 => image_webp::ColorType::L8,
        2 => image_webp::ColorType::La8,
        3 => image_webp::ColorType::Rgb8,
        _ => image_webp::ColorType::Rgba8,
    };
    encoder
        .encode(&image.data, image.width, image.height, color)
        .map_err(|e| Error::encode("webp", e))?;
    Ok(out)
}

#[cfg(all(feature = "encode-webp", not(target_arch = "wasm32")))]
fn libwebp(image: &Raster, options: &Options, carry: &Carry) -> Result<Vec<u8>> {
    use crate::options::WebpPreset;
    use libwebp_sys::WebPPreset as P;
    if carry.icc.is_some() || carry.exif.is_some() {
        return Err(Error::encode(
            "webp",
            "libwebp's WebP (lossy, or `webp_effort` / `webp_near_lossless`) cannot carry kept \
             metadata in this build; use `lossless: true` without them, or drop keep_*",
        ));
    }
    let preset = match options.webp_preset {
        WebpPreset::Default => P::WEBP_PRESET_DEFAULT,
        WebpPreset::Photo => P::WEBP_PRESET_PHOTO,
        WebpPreset::Picture => P::WEBP_PRESET_PICTURE,
        WebpPreset::Drawing => P::WEBP_PRESET_DRAWING,
        WebpPreset::Icon => P::WEBP_PRESET_ICON,
        WebpPreset::Text => P::WEBP_PRESET_TEXT,
    };
    let quality = f32::from(options.quality);
    let mut config = webp::WebPConfig::new_with_preset(preset, quality)
        .map_err(|()| Error::encode("webp", "libwebp refused its own preset"))?;
    let lossless = options.lossless || options.webp_near_lossless;
    config.lossless = i32::from(lossless);
    // Lossy alpha is compressed (at `alpha_quality`); lossless keeps it exact.
    config.alpha_compression = i32::from(!lossless);
    config.alpha_quality = i32::from(options.webp_alpha_quality);
    config.method = i32::from(options.webp_effort.unwrap_or(4));
    config.autofilter = i32::from(options.webp_smart_deblock);
    config.exact = i32::from(options.webp_exact);
    config.use_sharp_yuv = i32::from(options.smart_subsample);
    if options.webp_near_lossless {
        // libwebp's scale: 100 is off, lower adjusts more (libvips passes the quality, as here).
        config.near_lossless = i32::from(options.quality);
    }
    // libwebp takes RGB or RGBA only.
    let rgb = image.clone().into_rgb();
    let encoder = if rgb.has_alpha() {
        webp::Encoder::from_rgba(&rgb.data, rgb.width, rgb.height)
    } else {
        webp::Encoder::from_rgb(&rgb.data, rgb.width, rgb.height)
    };
    let memory = encoder
        .encode_advanced(&config)
        .map_err(|e| Error::encode("webp", format!("{e:?}")))?;
    Ok(memory.to_vec())
}

#[cfg(all(feature = "encode-webp", target_arch = "wasm32"))]
fn libwebp(_: &Raster, _: &Options, _: &Carry) -> Result<Vec<u8>> {
    Err(Error::encode(
        "webp",
        "the browser build has no libwebp (it is C): lossy WebP, `webp_effort` and \
         `webp_near_lossless` need it; set `lossless: true` and leave those out",
    ))
}
