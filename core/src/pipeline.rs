//! The whole job, stage by stage: limits → sniff and probe → plan → decode → colour → (smart crop)
//! → resize → orient → letterbox → flatten → encode → extras.

use serde::Serialize;

use crate::colour;
use crate::compose;
use crate::decode::{self, Decoded};
use crate::encode::{self, Carry};
use crate::error::{Error, Result};
use crate::extras;
use crate::geometry::{self, Plan};
use crate::options::{Kernel, Options, OutputFormat, Rect};
use crate::orient::Orientation;
use crate::probe::{probe, ColorModel, Probe};
use crate::raster::Raster;
use crate::resize::resize;
use crate::sniff::Format;

/// The result of [`process`]: the encoded image and what was done to make it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Output {
    /// The encoded image.
    #[serde(skip)]
    pub data: Vec<u8>,
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub source_format: Format,
    /// Source size as displayed (after EXIF orientation).
    pub source_width: u32,
    pub source_height: u32,
    /// The EXIF orientation that was applied (1 when none was, or `auto_orient` is off).
    pub orientation: u8,
    /// The part of the source that was used, in pixels of the upright source image.
    pub crop: Rect,
    /// ThumbHash placeholder bytes, when `thumbhash` was asked for.
    pub thumbhash: Option<Vec<u8>>,
    /// `#rrggbb`, when `dominant_color` was asked for.
    pub dominant_color: Option<String>,
    /// 16 hex digits of SHA-256 of `data`, when `content_hash` was asked for.
    pub content_hash: Option<String>,
}

/// Runs the whole pipeline on an encoded image in memory.
pub fn process(input: &[u8], options: &Options) -> Result<Output> {
    crate::catch_panic(|| run(input, options))
}

/// What [`render`] returns: the pixels [`process`] would encode, before the encode step, as
/// straight-alpha RGBA (4 bytes a pixel, rows top to bottom): a browser's `ImageData`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rendered {
    /// `width × height × 4` bytes of RGBA; gray is spread to RGB, opaque images get alpha 255.
    #[serde(skip)]
    pub rgba: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub source_format: Format,
    /// Source size as displayed (after EXIF orientation).
    pub source_width: u32,
    pub source_height: u32,
    /// The EXIF orientation that was applied (1 when none was, or `auto_orient` is off).
    pub orientation: u8,
    /// The part of the source that was used, in pixels of the upright source image.
    pub crop: Rect,
}

/// Runs the pipeline up to the encoder and returns the pixels it would encode (flattened onto
/// `background` when the output format has no alpha, as `process` does), so a live preview shows
/// what the server will make without an encode and decode per frame. The encoder settings
/// (`quality`, `lossless`…) are not used; extras are not computed.
pub fn render(input: &[u8], options: &Options) -> Result<Rendered> {
    crate::catch_panic(|| {
        let Composed { image, facts, .. } = compose(input, options)?;
        Ok(Rendered {
            rgba: image.to_rgba(),
            width: facts.width,
            height: facts.height,
            source_format: facts.source_format,
            source_width: facts.source_width,
            source_height: facts.source_height,
            orientation: facts.orientation,
            crop: facts.crop,
        })
    })
}

fn run(input: &[u8], options: &Options) -> Result<Output> {
    let Composed {
        image,
        format,
        carry,
        facts,
    } = compose(input, options)?;
    let data = encode::encode(&image, format, options, &carry)?;
    Ok(Output {
        format,
        width: facts.width,
        height: facts.height,
        source_format: facts.source_format,
        source_width: facts.source_width,
        source_height: facts.source_height,
        orientation: facts.orientation,
        crop: facts.crop,
        thumbhash: options.thumbhash.then(|| extras::thumbhash(&image)),
        dominant_color: options
            .dominant_color
            .then(|| extras::dominant_color(&image)),
        content_hash: options.content_hash.then(|| extras::content_hash(&data)),
        data,
    })
}

/// The finished pixels, ready for the encoder, and what was done to make them.
struct Composed {
    image: Raster,
    format: Format,
    carry: Carry,
    facts: Facts,
}

struct Facts {
    width: u32,
    height: u32,
    source_format: Format,
    source_width: u32,
    source_height: u32,
    orientation: u8,
    crop: Rect,
}

fn compose(input: &[u8], options: &Options) -> Result<Composed> {
    options.validate()?;
    check_limit(
        "input size in bytes",
        input.len() as u64,
        options.max_input_bytes,
        "max_input_bytes",
    )?;
    let Probe {
        metadata,
        icc,
        exif,
    } = probe(input)?;
    check_limit(
        "input pixel count",
        u64::from(metadata.width) * u64::from(metadata.height),
        options.max_input_pixels,
        "max_input_pixels",
    )?;
    let format = output_format(options.format, metadata.format);

    let exif_orientation = if options.auto_orient {
        metadata.orientation
    } else {
        1
    };
    let orientation = Orientation::from_exif(exif_orientation)
        .then(Orientation::rotate_cw(options.rotate))
        .then(Orientation {
            transpose: false,
            flop: options.flop,
            flip: options.flip,
        });
    let (ow, oh) = if orientation.swaps_axes() {
        (metadata.height, metadata.width)
    } else {
        (metadata.width, metadata.height)
    };
    let mut plan = geometry::plan(ow, oh, options)?;

    let is_cmyk = metadata.color_model == ColorModel::Cmyk;
    let cmyk_raw = is_cmyk && options.to_srgb && icc.is_some();
    let shrink = jpeg_shrink(input, &metadata, &plan, is_cmyk);
    let (decoded, shrink) = if shrink > 1 {
        decode::decode_jpeg_shrunk(input, shrink)?
    } else {
        let decoded = decode::decode(input, metadata.format, options.max_input_pixels, cmyk_raw)?;
        (decoded, 1)
    };
    let (dw, dh) = match &decoded {
        Decoded::Pixels(r) | Decoded::Cmyk(r) => (r.width, r.height),
    };
    let expected = (
        metadata.width.div_ceil(shrink),
        metadata.height.div_ceil(shrink),
    );
    if (dw, dh) != expected {
        return Err(Error::corrupt(
            metadata.format.as_str(),
            format!(
                "decoded {dw}×{dh}, header says {}×{} (at 1/{shrink}: {}×{})",
                metadata.width, metadata.height, expected.0, expected.1
            ),
        ));
    }
    // CMYK inks become RGB before resampling (their fourth channel is not alpha). An RGB or gray
    // profile is applied on whichever side of the resize has fewer pixels — for a thumbnail the
    // small result, which makes Display P3 phone photos and Adobe RGB files cost ~1 ms, not ~50.
    let (rw, rh) = plan.resized;
    let resized_pixels = u64::from(rw) * u64::from(rh);
    let source_pixels = u64::from(dw) * u64::from(dh);
    let (pixels, profile_after_resize) = match decoded {
        Decoded::Pixels(raster)
            if options.to_srgb && icc.is_some() && resized_pixels < source_pixels =>
        {
            (raster, icc.as_deref())
        }
        decoded if options.to_srgb => (colour::to_srgb(decoded, icc.as_deref()), None),
        decoded => (colour::without_conversion(decoded), None),
    };

    if let Some(strategy) = plan.smart {
        place_smart_window(&pixels, shrink, &mut plan, orientation, (ow, oh), strategy)?;
    }
    let [x, y, w, h] = plan.window;
    let window = [
        f64::from(plan.region.left) + x,
        f64::from(plan.region.top) + y,
        w,
        h,
    ];
    let stored_window = shrunk(
        orientation.rect_to_source(window, f64::from(ow), f64::from(oh)),
        shrink,
    );
    let (sw, sh) = if orientation.swaps_axes() {
        (rh, rw)
    } else {
        (rw, rh)
    };
    let resized = resize(&pixels, stored_window, sw, sh, options.kernel)?;
    drop(pixels);
    let resized = match profile_after_resize {
        Some(profile) => colour::to_srgb(Decoded::Pixels(resized), Some(profile)),
        None => resized,
    };
    let upright = orientation.apply(resized).drop_opaque_alpha();
    let canvas = compose::letterbox(upright, plan.canvas, plan.offset, options.background);
    let image = if format == Format::Jpeg || options.flatten {
        compose::flatten(canvas, options.background)
    } else {
        canvas
    };

    let carry = Carry {
        // A profile is only true of pixels that were not converted; CMYK profiles never are.
        icc: icc.filter(|_| options.keep_icc && !options.to_srgb && !is_cmyk),
        exif: exif.minimal(options.keep_copyright, options.keep_gps),
    };
    Ok(Composed {
        facts: Facts {
            width: image.width,
            height: image.height,
            source_format: metadata.format,
            source_width: ow,
            source_height: oh,
            orientation: exif_orientation,
            crop: plan.crop_box(),
        },
        image,
        format,
        carry,
    })
}

/// The factor (8, 4 or 2) a JPEG is decoded smaller by in the DCT domain, or 1 for a full-size
/// decode. Like libvips, it keeps at least 2× headroom for the resampling that follows: the
/// largest factor at which the window is still at least twice the resized size on both axes. The
/// ratio is the same in upright and stored coordinates (orientation swaps both sides alike).
fn jpeg_shrink(input: &[u8], metadata: &crate::Metadata, plan: &Plan, is_cmyk: bool) -> u32 {
    if metadata.format != Format::Jpeg || is_cmyk {
        return 1;
    }
    let [_, _, window_width, window_height] = plan.window;
    let (resized_width, resized_height) = plan.resized;
    let fits = |factor: u32| {
        let factor = f64::from(factor);
        window_width / factor >= 2.0 * f64::from(resized_width)
            && window_height / factor >= 2.0 * f64::from(resized_height)
    };
    match [8, 4, 2].into_iter().find(|&factor| fits(factor)) {
        Some(factor) if decode::jpeg_can_shrink(input) => factor,
        _ => 1,
    }
}

/// A rectangle of full-size source pixels in the coordinates of a decode 1/`shrink` the size,
/// whose pixel i covers source pixels `[i·shrink, (i+1)·shrink)`.
fn shrunk(rect: [f64; 4], shrink: u32) -> [f64; 4] {
    let factor = f64::from(shrink);
    rect.map(|v| v / factor)
}

fn check_limit(what: &'static str, value: u64, limit: u64, option: &'static str) -> Result<()> {
    if value > limit {
        return Err(Error::LimitExceeded {
            what,
            value,
            limit,
            option,
        });
    }
    Ok(())
}

fn output_format(wanted: OutputFormat, input: Format) -> Format {
    match wanted {
        OutputFormat::Jpeg => Format::Jpeg,
        OutputFormat::Png => Format::Png,
        OutputFormat::Webp => Format::Webp,
        OutputFormat::Same => match input {
            Format::Gif => Format::Png,
            other => other,
        },
    }
}

/// The long side of the copy a smart crop looks at: enough detail to find faces and edges,
/// small enough to score in a millisecond or two.
const ANALYSIS_SIZE: f64 = 256.0;

fn place_smart_window(
    pixels: &Raster,
    shrink: u32,
    plan: &mut Plan,
    orientation: Orientation,
    (ow, oh): (u32, u32),
    strategy: crate::options::Strategy,
) -> Result<()> {
    let region = plan.region;
    let (rw, rh) = (f64::from(region.width), f64::from(region.height));
    let scale = (ANALYSIS_SIZE / rw.max(rh)).min(1.0);
    let (aw, ah) = (
        ((rw * scale).round() as u32).max(1),
        ((rh * scale).round() as u32).max(1),
    );
    let region_window = [f64::from(region.left), f64::from(region.top), rw, rh];
    let stored = shrunk(
        orientation.rect_to_source(region_window, f64::from(ow), f64::from(oh)),
        shrink,
    );
    let (sw, sh) = if orientation.swaps_axes() {
        (ah, aw)
    } else {
        (aw, ah)
    };
    let analysis = orientation.apply(resize(pixels, stored, sw, sh, Kernel::Bilinear)?);
    let [_, _, ww, wh] = plan.window;
    let (ax, ay) = crate::smartcrop::best_window(
        &analysis,
        (ww * scale).round() as u32,
        (wh * scale).round() as u32,
        strategy,
    );
    plan.place_window(f64::from(ax) / scale, f64::from(ay) / scale);
    Ok(())
}
