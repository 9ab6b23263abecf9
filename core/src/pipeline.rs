//! The whole job: [`plan::prepare`] decides everything it can from the header and the options
//! (limits, orientation, geometry, decode scale and parts, the order of the colour and flatten
//! steps, the encode), then the plan is executed: decode → (colour, flatten) → (orient and
//! turn, when a turn comes first) → (smart crop) → resize → (colour) → orient → letterbox →
//! (turn) → (crop after resize) → flatten → encode → extras.

use std::borrow::Cow;

use crate::colour;
use crate::compose;
use crate::decode::{self, Decoded, Decoding, PixelRect};
use crate::encode::{self, Carry};
use crate::error::{Error, Result};
use crate::extras;
use crate::geometry::in_part;
use crate::marks::stage;
use crate::options::{Kernel, Options, Rect};
use crate::output::{Output, Rendered};
use crate::plan::{self, ColourStep, Decoder, JobPlan, Prepared, Samples};
use crate::raster::Raster;
use crate::resize::{resize, resize_samples};
use crate::rotate;

/// Runs the whole pipeline on an encoded image in memory.
pub fn process(input: &[u8], options: &Options) -> Result<Output> {
    crate::catch_panic(|| run(input, options))
}

/// Runs the pipeline up to the encoder and returns the pixels it would encode (flattened onto
/// `background` when the output format has no alpha, as `process` does), so a live preview shows
/// what the server will make without an encode and decode per frame. The encoder settings
/// (`quality`, `lossless`…) are not used; extras are not computed.
pub fn render(input: &[u8], options: &Options) -> Result<Rendered> {
    crate::catch_panic(|| {
        let Composed { image, plan, .. } = compose(input, options)?;
        let (source_width, source_height) = plan.orientation.upright;
        Ok(Rendered {
            width: image.width,
            height: image.height,
            rgba: image.to_rgba(),
            source_format: plan.source.format,
            source_width,
            source_height,
            orientation: plan.orientation.exif,
            crop: plan.crop,
        })
    })
}

fn run(input: &[u8], options: &Options) -> Result<Output> {
    let Composed {
        image, plan, carry, ..
    } = compose(input, options)?;
    let format = plan.encode.format;
    let data = stage("encode", || encode::encode(&image, format, options, &carry))?;
    let (source_width, source_height) = plan.orientation.upright;
    Ok(Output {
        format,
        width: image.width,
        height: image.height,
        channels: image.channels,
        has_alpha: image.has_alpha(),
        source_format: plan.source.format,
        source_width,
        source_height,
        orientation: plan.orientation.exif,
        crop: plan.crop,
        thumbhash: options.thumbhash.then(|| extras::thumbhash(&image)),
        dominant_color: options
            .dominant_color
            .then(|| extras::dominant_color(&image)),
        content_hash: options.content_hash.then(|| extras::content_hash(&data)),
        data,
    })
}

/// The finished pixels, ready for the encoder, and the plan that made them (with a smart crop's
/// window placed).
struct Composed {
    image: Raster,
    plan: JobPlan,
    carry: Carry,
    /// The part of the picture that was decoded, and the whole picture's size, both at the
    /// scale it was decoded at.
    #[cfg_attr(not(test), allow(dead_code))]
    decoded: (PixelRect, (u32, u32)),
}

fn compose(input: &[u8], options: &Options) -> Result<Composed> {
    let (plan, prepared) = stage("header", || plan::prepare(input, options))?;
    execute(input, options, plan, prepared)
}

/// Runs `plan`: decode, resample, finish.
fn execute(
    input: &[u8],
    options: &Options,
    mut plan: JobPlan,
    prepared: Prepared<'_>,
) -> Result<Composed> {
    let profile = prepared.profile.as_deref();
    let decoding = stage("decode", || decode(input, options, &plan, &prepared))?;
    plan.adopt(&decoding, profile, options)?;
    let Decoding {
        decoded,
        part,
        whole,
        ..
    } = decoding;
    let pixels = stage("colour", || before_resize(decoded, part, &plan, profile));
    let pixels = match (&plan.turn, pixels) {
        (Some(turn), Pixels::Rgb(raster)) if turn.before_resize => stage("rotate", || {
            let upright = plan.orientation.transform.apply(raster);
            Pixels::Rgb(rotate::rotate(upright, turn.degrees, turn.background))
        }),
        (_, pixels) => pixels,
    };
    if let Some(smart) = &plan.smart_crop {
        let look = match &pixels {
            Pixels::Rgb(raster) => Cow::Borrowed(raster),
            Pixels::Planes(planes) => Cow::Owned(planes.to_rgb()),
        };
        let (x, y) = smart_window(&look, &plan, smart.strategy)?;
        plan.place_window(x, y);
    }
    let resized = stage("resize", || resample(pixels, part, &plan))?;
    let image = finish(resized, &plan, profile, options);
    Ok(Composed {
        image,
        plan,
        carry: prepared.carry,
        decoded: (part, whole),
    })
}

/// The decode the plan names: of the planned parts at the planned scale.
fn decode(
    input: &[u8],
    options: &Options,
    plan: &JobPlan,
    prepared: &Prepared<'_>,
) -> Result<Decoding> {
    let d = &plan.decode;
    let pixel_rect = |r: Rect| PixelRect {
        x: r.left,
        y: r.top,
        width: r.width,
        height: r.height,
    };
    match (d.decoder, &prepared.jpeg, d.parts) {
        (Decoder::JpegPlanar, Some(header), parts) => {
            let parts = parts.map(|p| {
                (
                    pixel_rect(p.pixels),
                    pixel_rect(p.chroma.unwrap_or(p.pixels)),
                )
            });
            decode::decode_jpeg_planes(input, header, d.eighths, parts)
        }
        (Decoder::JpegPlanar, None, _) => Err(Error::Internal(
            "a planar JPEG decode was planned without the JPEG's headers".into(),
        )),
        (Decoder::Raw, _, _) => match options.raw_input {
            Some(raw) => Ok(Decoding::whole(decode::raw(input, raw))),
            None => Err(Error::Internal(
                "a raw decode was planned without `raw_input`".into(),
            )),
        },
        (Decoder::Png, _, Some(parts)) => {
            decode::decode_png_part(input, options.max_input_pixels, pixel_rect(parts.pixels))
        }
        _ => decode::decode(
            input,
            plan.source.format,
            options.max_input_pixels,
            d.samples == Samples::CmykInks,
        )
        .map(Decoding::whole),
    }
}

/// What the resize reads: decoded pixels, or a JPEG's planes still in YCbCr.
enum Pixels {
    Rgb(Raster),
    Planes(decode::YCbCr),
}

/// The colour and flatten steps the plan puts before the resize. `part` is where the decoded
/// pixels sit in the whole decode (the dither pattern of the flatten is tied to the whole
/// picture's grid).
fn before_resize(
    decoded: Decoded,
    part: PixelRect,
    plan: &JobPlan,
    profile: Option<&[u8]>,
) -> Pixels {
    let raster = match decoded {
        Decoded::YCbCr(planes) => return Pixels::Planes(planes),
        decoded if plan.colour == ColourStep::BeforeResize => colour::to_srgb(decoded, profile),
        decoded => colour::without_conversion(decoded),
    };
    match &plan.flatten {
        Some(flatten) if flatten.before_resize && raster.has_alpha() => Pixels::Rgb(
            compose::flatten_dithered(raster, plan.background, (part.x, part.y)),
        ),
        _ => Pixels::Rgb(raster),
    }
}

/// Where a smart crop puts the window in the region: the best place by `strategy` on a small
/// upright copy of the region, resampled from the decoded pixels.
fn smart_window(
    pixels: &Raster,
    plan: &JobPlan,
    strategy: crate::options::Strategy,
) -> Result<(f64, f64)> {
    let geometry = &plan.geometry;
    let region = geometry.region;
    let (scale, (aw, ah)) = crate::smartcrop::analysis_size(region);
    let region_window = [
        f64::from(region.left),
        f64::from(region.top),
        f64::from(region.width),
        f64::from(region.height),
    ];
    let (transform, (ow, oh)) = plan.frame();
    let stored = crate::geometry::shrunk(
        transform.rect_to_source(region_window, f64::from(ow), f64::from(oh)),
        plan.decode.eighths,
    );
    let (sw, sh) = if transform.swaps_axes() {
        (ah, aw)
    } else {
        (aw, ah)
    };
    let analysis = transform.apply(resize(pixels, stored, sw, sh, Kernel::Bilinear)?);
    let [_, _, ww, wh] = geometry.window;
    let (ax, ay) = crate::smartcrop::best_window(
        &analysis,
        (ww * scale).round() as u32,
        (wh * scale).round() as u32,
        strategy,
    );
    Ok((f64::from(ax) / scale, f64::from(ay) / scale))
}

/// The resize of the planned window, in the stored picture's axes. The decoded pixels are let go
/// as soon as they are resized, plane by plane: the chroma is resized without the full-size luma
/// beside it.
fn resample(pixels: Pixels, part: PixelRect, plan: &JobPlan) -> Result<Raster> {
    let (transform, upright) = plan.frame();
    let stored = plan
        .geometry
        .stored_window(transform, upright, plan.decode.eighths);
    let (sw, sh) = plan.resize.size;
    let kernel = plan.resize.kernel;
    Ok(match pixels {
        Pixels::Rgb(raster) => resize(&raster, in_part(stored, (1, 1), part), sw, sh, kernel)?,
        Pixels::Planes(planes) => {
            let window = in_part(stored, (1, 1), part);
            let luma = resize(&planes.luma, window, sw, sh, kernel)?;
            drop(planes.luma);
            let window = in_part(stored, planes.subsampling, planes.chroma_part);
            let chroma = resize_samples(&planes.chroma, window, sw, sh, kernel)?;
            drop(planes.chroma);
            stage("ycbcr", || colour::ycbcr_to_rgb(&luma, &chroma))
        }
    })
}

/// The steps after the resize: the profile when the plan puts it here, the orientation, the
/// letterbox, the flatten (pixels that kept their alpha, a letterbox's see-through
/// background), and the alpha channel removed or added when asked.
fn finish(resized: Raster, plan: &JobPlan, profile: Option<&[u8]>, options: &Options) -> Raster {
    let resized = match plan.colour {
        ColourStep::AfterResize => stage("colour", || {
            colour::to_srgb(Decoded::Pixels(resized), profile)
        }),
        _ => resized,
    };
    let image = stage("orient", || {
        let upright = plan.frame().0.apply(resized).drop_opaque_alpha();
        let g = &plan.geometry;
        let canvas = compose::letterbox(upright, g.canvas, g.offset, plan.background);
        let canvas = match &plan.turn {
            Some(turn) if !turn.before_resize => {
                rotate::rotate(canvas, turn.degrees, turn.background)
            }
            _ => canvas,
        };
        let canvas = match plan.crop_after_resize {
            Some(window) => canvas.cropped(window),
            None => canvas,
        };
        match plan.flatten {
            Some(_) => compose::flatten(canvas, plan.background),
            None => canvas,
        }
    });
    // A flattened output is one whose format has no alpha (or that asked to lose it): nothing
    // to add then.
    if options.remove_alpha {
        image.without_alpha()
    } else if options.ensure_alpha && plan.flatten.is_none() {
        image.with_opaque_alpha()
    } else {
        image
    }
}

#[cfg(test)]
mod tests;
