//! The job as a plan: everything the pipeline decides from the header and the options, before a
//! pixel is decoded — orientation, geometry, how much of the picture is decoded and at what
//! scale, on which side of the resize the colour profile is applied and the alpha flattened, and
//! how the result is encoded. The pipeline then decodes, resamples and finishes as the plan
//! says. Two things are left to execution, and the plan says which: a smart crop's window
//! position (it is chosen from the pixels), and what a decoder that turns out not to take the
//! file gives instead (the plan is then corrected by `JobPlan::adopt` from what was decoded,
//! with the same rules).

mod display;

use serde::Serialize;

use crate::colour;
use crate::decode::{self, Decoded, Decoding, JpegHeader, PixelRect};
use crate::encode::Carry;
use crate::error::{check_limit, Error, Result};
use crate::geometry::{self, in_plane};
use crate::options::{ChromaSubsampling, Color, Kernel, Options, OutputFormat, Rect, Strategy};
use crate::orient::Orientation;
use crate::probe::{probe, ColorModel, Probe};
use crate::resize::resize_reads;
use crate::rotate;
use crate::sniff::Format;

/// What [`plan`] decides for one job, from the input's header and the options alone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JobPlan {
    pub source: Source,
    pub orientation: OrientationPlan,
    /// A `rotate` angle that is not a whole number of quarter turns (those are part of
    /// `orientation`).
    pub turn: Option<Turn>,
    /// Crop region, resize window (relative to the region, upright coordinates), resized size,
    /// canvas and where the resized picture sits on it.
    pub geometry: geometry::Plan,
    /// A window cut from the finished canvas (the resized, letterboxed, upright picture, turned
    /// when the turn comes after the resize).
    pub crop_after_resize: Option<Rect>,
    /// The resize window in pixels of the stored (pre-orientation) picture at full size.
    pub stored_window: [f64; 4],
    /// The part of the upright source that is used, in whole pixels (what `Output::crop` reports).
    pub crop: Rect,
    /// A smart crop: the window's size is planned, its position is chosen at execution.
    pub smart_crop: Option<SmartCrop>,
    pub decode: DecodePlan,
    pub resize: ResizePlan,
    pub colour: ColourStep,
    /// The colour of a letterbox's bars and of what a flatten blends onto.
    pub background: Color,
    /// Flattening onto the background, when the output has no alpha.
    pub flatten: Option<Flatten>,
    pub encode: EncodePlan,
}

/// The header facts the plan is made from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    pub format: Format,
    /// Size as stored in the file.
    pub width: u32,
    pub height: u32,
    pub color_model: ColorModel,
    pub has_alpha: bool,
    pub has_icc: bool,
    pub frames: u32,
    pub progressive: bool,
}

/// The EXIF orientation, `rotate`, `flip` and `flop` as one transform, applied to the resized
/// picture.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrientationPlan {
    /// The EXIF orientation applied (1 when there is none or `auto_orient` is off).
    pub exif: u8,
    pub transform: Orientation,
    /// The source's size once the transform is applied: the coordinates of `crop` and the
    /// geometry.
    pub upright: (u32, u32),
}

/// A turn by an angle that is not a quarter turn (`rotate::rotate`), after the orientation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Turn {
    /// Clockwise, in (0, 360), not a multiple of 90.
    pub degrees: f64,
    /// Turned before the crop and resize (which then work on the turned picture, `size`), or
    /// after them (`rotate_after_resize`: the output is the turned canvas, `size`).
    pub before_resize: bool,
    /// The turned picture's canvas.
    pub size: (u32, u32),
    /// What fills the corners (`rotate_background`, else `background`).
    pub background: Color,
}

/// A smart crop: the window of the planned size is placed at execution where `strategy` scores
/// best on an `analysis`-sized upright copy of the region.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmartCrop {
    pub strategy: Strategy,
    pub analysis: (u32, u32),
}

/// Which decoder runs, at what scale, on which part of the picture, giving what.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecodePlan {
    pub decoder: Decoder,
    /// The scale of the decode in eighths of the file's size (8: full size; below 8 only for
    /// JPEGs, scaled in the DCT domain).
    pub eighths: u32,
    /// The whole picture's size at that scale.
    pub size: (u32, u32),
    /// The part decoded, in pixels of the decode; `None` when the whole picture is (a smart crop
    /// looks at all of it, and formats other than JPEG and PNG are decoded whole).
    pub parts: Option<Parts>,
    /// What the decoder hands the resize.
    pub samples: Samples,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decoder {
    /// thumbsmith-jpeg-decoder: planes, scaled in the DCT domain, only the part needed. A file it
    /// turns out not to take is decoded by zune-jpeg instead (full size, whole).
    JpegPlanar,
    /// zune-jpeg, full size (CMYK and files the planar decoder does not take).
    Jpeg,
    Png,
    Webp,
    Gif,
    /// The tiff crate, the first page, whole.
    Tiff,
    /// jxl-oxide, the first frame, whole.
    Jxl,
    /// None: the input is pixels (`raw_input`), taken as they are.
    Raw,
}

/// Parts of the decoded planes, in pixels (or samples) of the decode.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Parts {
    pub pixels: Rect,
    /// The part of a JPEG's chroma plane, in its samples.
    pub chroma: Option<Rect>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum Samples {
    /// A JPEG's luma and Cb/Cr planes, resized apart and made RGB after the resize.
    YcbcrPlanes { subsampling: (u32, u32) },
    /// Gray pixels (with or without alpha).
    Gray,
    /// RGB pixels (with or without alpha).
    Rgb,
    /// CMYK ink values, made RGB with the file's profile before the resize.
    CmykInks,
}

impl Samples {
    fn of(decoded: &Decoded) -> Samples {
        match decoded {
            Decoded::YCbCr(planes) => Samples::YcbcrPlanes {
                subsampling: planes.subsampling,
            },
            Decoded::Cmyk(_) => Samples::CmykInks,
            Decoded::Pixels(raster) if raster.channels <= 2 => Samples::Gray,
            Decoded::Pixels(_) => Samples::Rgb,
        }
    }

    /// Channels without alpha: what says whether a profile describes the pixels.
    fn colour_channels(self) -> u8 {
        match self {
            Samples::Gray => 1,
            Samples::CmykInks => 4,
            Samples::YcbcrPlanes { .. } | Samples::Rgb => 3,
        }
    }
}

/// The resize, in the stored picture's axes (it runs before the orientation).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResizePlan {
    pub kernel: Kernel,
    pub size: (u32, u32),
}

/// Where the source's colour profile is applied (with `to_srgb`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColourStep {
    /// No profile is applied: there is none, or `to_srgb` is off.
    AsDecoded,
    /// To the decoded pixels (CMYK inks, or when the resize enlarges).
    BeforeResize,
    /// To the resized pixels: the smaller side (JPEG planes always, whose RGB exists only then).
    AfterResize,
}

/// Flattening onto the background: always after the resize (a letterbox's background, pixels
/// that kept their alpha), and before it too when `before_resize` (when the decoded pixels have
/// alpha).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Flatten {
    pub before_resize: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EncodePlan {
    pub format: Format,
    pub settings: EncodeSettings,
    /// The source's ICC profile is written into the output.
    pub keeps_icc: bool,
    /// EXIF fields (copyright, artist, GPS, as asked) are written into the output.
    pub keeps_exif: bool,
}

/// The options the encoder of the output format reads.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "format")]
pub enum EncodeSettings {
    Jpeg {
        quality: u8,
        progressive: bool,
        chroma_subsampling: ChromaSubsampling,
        smart_subsample: bool,
        optimize_coding: bool,
    },
    Png {
        compression_level: u8,
    },
    Webp {
        quality: u8,
        lossless: bool,
    },
    /// The pixels as they are: nothing to set.
    Raw,
}

/// Plans the job `process(input, options)` would run, reading only the input's header: no pixel
/// is decoded. The limits and options are checked as `process` checks them.
pub fn plan(input: &[u8], options: &Options) -> Result<JobPlan> {
    crate::catch_panic(|| prepare(input, options).map(|(plan, _)| plan))
}

/// What execution needs from the header besides the plan.
pub(crate) struct Prepared<'a> {
    /// The planar JPEG decoder's parse of the headers, when [`Decoder::JpegPlanar`] is planned.
    pub jpeg: Option<JpegHeader<'a>>,
    /// The source profile to convert with (only with `to_srgb`).
    pub profile: Option<Vec<u8>>,
    pub carry: Carry,
}

/// The plan of the job, and what its execution needs of the header.
pub(crate) fn prepare<'a>(input: &'a [u8], options: &Options) -> Result<(JobPlan, Prepared<'a>)> {
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
    } = probe(input, options.raw_input, options.max_metadata_bytes)?;
    check_limit(
        "input pixel count",
        u64::from(metadata.width) * u64::from(metadata.height),
        options.max_input_pixels,
        "max_input_pixels",
    )?;
    // A whole number of quarter turns is an exact transpose, part of the orientation; any other
    // angle is turned whole by `rotate::rotate` (as libvips does: sharp's sizes and placement).
    let (quarter, rest) = rotate::split(options.rotate);
    let (quarter, rest) = if rest == 0.0 {
        (quarter, 0.0)
    } else {
        (0, options.rotate.rem_euclid(360.0))
    };
    let orientation = plan_orientation(
        metadata.orientation,
        (metadata.width, metadata.height),
        quarter,
        options,
    );
    // The frame the geometry works in: the upright picture, or the turned one when a turn comes
    // before the resize (then the whole picture is decoded and turned first).
    let turned_first = rest != 0.0 && !options.rotate_after_resize;
    let (transform, upright) = if turned_first {
        let size = rotate::rotated_size(orientation.upright, rest);
        check_limit(
            "turned input pixel count",
            u64::from(size.0) * u64::from(size.1),
            options.max_input_pixels,
            "max_input_pixels",
        )?;
        (Orientation::IDENTITY, size)
    } else {
        (orientation.transform, orientation.upright)
    };
    let geometry = geometry::plan(upright.0, upright.1, options)?;
    let turn = (rest != 0.0).then(|| Turn {
        degrees: rest,
        before_resize: turned_first,
        size: if turned_first {
            upright
        } else {
            rotate::rotated_size(geometry.canvas, rest)
        },
        background: options.rotate_background.unwrap_or(options.background),
    });
    if let Some(turn) = turn.as_ref().filter(|t| !t.before_resize) {
        for (what, value) in [
            ("output width", turn.size.0),
            ("output height", turn.size.1),
        ] {
            check_limit(
                what,
                u64::from(value),
                u64::from(options.max_output_dimension),
                "max_output_dimension",
            )?;
        }
    }
    // Cut from the finished canvas: turned, when the turn comes after the resize.
    let finished = match &turn {
        Some(turn) if !turn.before_resize => turn.size,
        _ => geometry.canvas,
    };
    let crop_after_resize = options
        .crop_after_resize
        .map(|c| geometry::crop_after_resize(c, finished))
        .transpose()?;
    let source = Source {
        format: metadata.format,
        width: metadata.width,
        height: metadata.height,
        color_model: metadata.color_model,
        has_alpha: metadata.has_alpha,
        has_icc: metadata.has_icc,
        frames: metadata.frames,
        progressive: metadata.progressive,
    };
    let is_cmyk = metadata.color_model == ColorModel::Cmyk;
    // A profile is only true of pixels that were not converted; CMYK profiles never are.
    let (profile, kept_icc) = if options.to_srgb {
        (icc, None)
    } else {
        (None, icc.filter(|_| options.keep_icc && !is_cmyk))
    };
    // A picture turned first is decoded whole, at full size, as RGB: by the full-size decoder.
    let jpeg = (metadata.format == Format::Jpeg && !is_cmyk && !turned_first)
        .then(|| decode::jpeg_planar_header(input))
        .flatten();
    let resize = ResizePlan {
        kernel: options.kernel,
        // The resize's output in stored (pre-orientation) axes.
        size: swapped(transform, geometry.resized),
    };
    let frame = OrientationPlan {
        exif: orientation.exif,
        transform,
        upright,
    };
    let mut decode = plan_decode(&source, &frame, &geometry, &resize, jpeg.as_ref())
        .with_cmyk_inks(is_cmyk && profile.is_some());
    if turned_first {
        decode.parts = None;
    }
    let carry = Carry {
        icc: kept_icc,
        exif: exif.minimal(options.keep_copyright, options.keep_gps),
    };
    let mut plan = JobPlan {
        stored_window: geometry.stored_window(transform, upright, 8),
        crop: geometry.crop_box(),
        smart_crop: geometry.smart.map(|strategy| SmartCrop {
            strategy,
            analysis: crate::smartcrop::analysis_size(geometry.region).1,
        }),
        source,
        orientation,
        turn,
        geometry,
        crop_after_resize,
        decode,
        resize,
        colour: ColourStep::AsDecoded,
        background: options.background,
        flatten: None,
        encode: plan_encode(
            output_format(options.format, metadata.format, metadata.has_alpha),
            options,
            &carry,
        ),
    };
    plan.decide_steps(profile.as_deref(), options);
    let prepared = Prepared {
        jpeg,
        profile,
        carry,
    };
    Ok((plan, prepared))
}

/// The EXIF orientation (unless `auto_orient` is off), then `rotate`'s quarter turns
/// (`quarter` degrees), then `flip` and `flop`, as one transform of the stored `size`.
fn plan_orientation(
    exif: u8,
    size: (u32, u32),
    quarter: u16,
    options: &Options,
) -> OrientationPlan {
    let exif = if options.auto_orient { exif } else { 1 };
    let transform = Orientation::from_exif(exif)
        .then(Orientation::rotate_cw(quarter))
        .then(Orientation {
            transpose: false,
            flop: options.flop,
            flip: options.flip,
        });
    OrientationPlan {
        exif,
        transform,
        upright: swapped(transform, size),
    }
}

/// `size` with its sides swapped when `transform` swaps the axes.
fn swapped(transform: Orientation, (width, height): (u32, u32)) -> (u32, u32) {
    if transform.swaps_axes() {
        (height, width)
    } else {
        (width, height)
    }
}

/// The decoder, scale and parts: a JPEG the planar decoder takes is decoded at the scale of
/// [`jpeg_eighths`]; without a smart crop (which looks at the whole picture first) only the
/// pixels the resize reads are decoded, of JPEGs and PNGs.
fn plan_decode(
    source: &Source,
    orientation: &OrientationPlan,
    geometry: &geometry::Plan,
    resize: &ResizePlan,
    jpeg: Option<&JpegHeader<'_>>,
) -> DecodePlan {
    // The pixels of a plane decoded at `eighths`/8 whose samples each cover `subsampling` pixels
    // of that decode.
    let reads = |eighths: u32, (across, down): (u32, u32)| {
        geometry.smart.is_none().then(|| {
            let stored =
                geometry.stored_window(orientation.transform, orientation.upright, eighths);
            let whole = (
                decode::jpeg_scaled_length(source.width, eighths, across),
                decode::jpeg_scaled_length(source.height, eighths, down),
            );
            rect(resize_reads(
                in_plane(stored, (across, down)),
                resize.size,
                resize.kernel,
                whole,
            ))
        })
    };
    let colour_samples = if source.color_model == ColorModel::Gray {
        Samples::Gray
    } else {
        Samples::Rgb
    };
    let (decoder, eighths, parts, samples) = match jpeg {
        Some(header) => {
            let eighths = jpeg_eighths(geometry);
            let subsampling = header.subsampling();
            let parts =
                reads(eighths, (1, 1))
                    .zip(reads(eighths, subsampling))
                    .map(|(pixels, chroma)| Parts {
                        pixels,
                        chroma: Some(chroma),
                    });
            let samples = match colour_samples {
                Samples::Gray => Samples::Gray,
                _ => Samples::YcbcrPlanes { subsampling },
            };
            (Decoder::JpegPlanar, eighths, parts, samples)
        }
        None => {
            let (decoder, parts) = match source.format {
                Format::Jpeg => (Decoder::Jpeg, None),
                Format::Png => (Decoder::Png, reads(8, (1, 1))),
                Format::Webp => (Decoder::Webp, None),
                Format::Gif => (Decoder::Gif, None),
                Format::Tiff => (Decoder::Tiff, None),
                Format::Jxl => (Decoder::Jxl, None),
                Format::Raw => (Decoder::Raw, None),
            };
            let parts = parts.map(|pixels| Parts {
                pixels,
                chroma: None,
            });
            (decoder, 8, parts, colour_samples)
        }
    };
    DecodePlan {
        decoder,
        eighths,
        size: scaled_size(source, eighths),
        parts,
        samples,
    }
}

impl DecodePlan {
    /// A CMYK JPEG with a profile to convert with is decoded to its ink values.
    fn with_cmyk_inks(self, inks: bool) -> DecodePlan {
        DecodePlan {
            samples: if inks {
                Samples::CmykInks
            } else {
                self.samples
            },
            ..self
        }
    }
}

fn scaled_size(source: &Source, eighths: u32) -> (u32, u32) {
    (
        decode::jpeg_scaled_length(source.width, eighths, 1),
        decode::jpeg_scaled_length(source.height, eighths, 1),
    )
}

fn rect(r: PixelRect) -> Rect {
    Rect {
        left: r.x,
        top: r.y,
        width: r.width,
        height: r.height,
    }
}

/// The size, in eighths of the file's, a JPEG is decoded at in the DCT domain (8: full size).
/// Like libvips, it keeps at least 2× headroom for the resampling that follows, but unlike
/// libvips (whose choices are 1/2, 1/4, 1/8) it takes N/8 for any N up to 5, as libjpeg can:
/// the smallest at which the window is still at least twice the resized size on both axes. A
/// 3200×2000 photo to 512×512 is decoded at 5/8 rather than in full, a 5120×2880 or 4032×3024
/// one at 3/8 rather than 4/8. Not 6/8 or 7/8 (the decoder has them): measured no faster than a
/// full-size decode natively, slower in the browser build, and lower in SSIMULACRA2
/// (docs/decisions.md). The ratio is the same in upright and stored coordinates (orientation
/// swaps both sides alike).
fn jpeg_eighths(plan: &geometry::Plan) -> u32 {
    let [_, _, window_width, window_height] = plan.window;
    let (resized_width, resized_height) = plan.resized;
    let fits = |eighths: u32| {
        let factor = f64::from(eighths) / 8.0;
        window_width * factor >= 2.0 * f64::from(resized_width)
            && window_height * factor >= 2.0 * f64::from(resized_height)
    };
    (1..=5).find(|&eighths| fits(eighths)).unwrap_or(8)
}

/// The format written. `same` for a format thumbsmith does not encode: PNG for GIF; for TIFF
/// and JPEG XL, PNG when the source has alpha and JPEG otherwise (an avatar of a photo).
fn output_format(wanted: OutputFormat, input: Format, has_alpha: bool) -> Format {
    match wanted {
        OutputFormat::Jpeg => Format::Jpeg,
        OutputFormat::Png => Format::Png,
        OutputFormat::Webp => Format::Webp,
        OutputFormat::Same => match input {
            Format::Gif => Format::Png,
            Format::Tiff | Format::Jxl if has_alpha => Format::Png,
            Format::Tiff | Format::Jxl => Format::Jpeg,
            other => other,
        },
        OutputFormat::Raw => Format::Raw,
    }
}

fn plan_encode(format: Format, options: &Options, carry: &Carry) -> EncodePlan {
    let settings = match format {
        Format::Jpeg => EncodeSettings::Jpeg {
            quality: options.quality,
            progressive: options.progressive,
            chroma_subsampling: options.chroma_subsampling,
            smart_subsample: options.smart_subsample,
            optimize_coding: options.optimize_coding,
        },
        Format::Webp => EncodeSettings::Webp {
            quality: options.quality,
            lossless: options.lossless,
        },
        Format::Raw => EncodeSettings::Raw,
        // `output_format` never gives GIF, TIFF or JPEG XL; the encoder refuses them.
        Format::Png | Format::Gif | Format::Tiff | Format::Jxl => EncodeSettings::Png {
            compression_level: options.compression_level,
        },
    };
    EncodePlan {
        format,
        settings,
        keeps_icc: carry.icc.is_some(),
        keeps_exif: carry.exif.is_some(),
    }
}

impl JobPlan {
    /// The colour and flatten steps for the samples the decode gives.
    ///
    /// CMYK inks become RGB before resampling (their fourth channel is not alpha). An RGB or gray
    /// profile is applied on whichever side of the resize has fewer pixels — for a thumbnail the
    /// small result. (Counted on the whole picture, not the decoded part, so the choice, and with
    /// it the pixels, do not depend on how much is decoded.)
    ///
    /// An output without alpha is flattened onto the background before the resize rather than
    /// after: the resize is linear, so it is the same picture, but resampling alpha premultiplies
    /// colour by it in 8 bits, which loses most of the colour of nearly transparent pixels (the
    /// exact reference and sharp flatten before resampling too), and the flattened pixels are
    /// dithered rather than rounded (see `compose::flatten_dithered`). When a profile is still to
    /// be applied after the resize, the pixels are not sRGB yet and the background (an sRGB
    /// colour) cannot be blended into them as it is, so they keep the old order: resize with
    /// alpha, convert, then flatten. A smart crop then looks at the flattened picture, which is
    /// what the output shows. A JPEG's planes have no alpha.
    fn decide_steps(&mut self, profile: Option<&[u8]>, options: &Options) {
        let (rw, rh) = self.geometry.resized;
        let (dw, dh) = self.decode.size;
        // A picture turned first gets its background in sRGB, so it must be sRGB by then.
        let turned_first = self.turn.as_ref().is_some_and(|t| t.before_resize);
        let shrinks =
            u64::from(rw) * u64::from(rh) < u64::from(dw) * u64::from(dh) && !turned_first;
        let samples = self.decode.samples;
        let planes = matches!(samples, Samples::YcbcrPlanes { .. });
        self.colour = match (samples, profile) {
            (_, None) => ColourStep::AsDecoded,
            (Samples::YcbcrPlanes { .. }, Some(_)) => ColourStep::AfterResize,
            (Samples::Gray | Samples::Rgb, Some(_)) if shrinks => ColourStep::AfterResize,
            (_, Some(_)) => ColourStep::BeforeResize,
        };
        let flattens = self.encode.format == Format::Jpeg || options.flatten;
        self.flatten = flattens.then(|| Flatten {
            before_resize: !planes
                && match (self.colour, profile) {
                    (ColourStep::AfterResize, Some(icc)) => {
                        !colour::changes_pixels(icc, samples.colour_channels())
                    }
                    _ => true,
                },
        });
    }

    /// Takes in what the decode gave: checks its size against the header's, and when a decoder
    /// gave other samples or another scale than planned (a JPEG the planar decoder turned out not
    /// to take, or a header that did not say what the pixels are), corrects the plan with the
    /// same rules.
    pub(crate) fn adopt(
        &mut self,
        decoding: &Decoding,
        profile: Option<&[u8]>,
        options: &Options,
    ) -> Result<()> {
        let eighths = decoding.eighths;
        let expected = scaled_size(&self.source, eighths);
        if decoding.whole != expected {
            let (dw, dh) = decoding.whole;
            return Err(Error::corrupt(
                self.source.format.as_str(),
                format!(
                    "decoded {dw}×{dh}, header says {}×{} (at {eighths}/8: {}×{})",
                    self.source.width, self.source.height, expected.0, expected.1
                ),
            ));
        }
        let samples = Samples::of(&decoding.decoded);
        if (eighths, samples) != (self.decode.eighths, self.decode.samples) {
            self.decode.eighths = eighths;
            self.decode.size = decoding.whole;
            self.decode.samples = samples;
            self.decide_steps(profile, options);
        }
        Ok(())
    }

    /// The transform from the decoded picture to the frame the geometry works in, and that
    /// frame's size: the orientation and the upright picture, or, when the picture is turned
    /// before the resize (turned as a whole, orientation included), none and the turned picture.
    pub(crate) fn frame(&self) -> (Orientation, (u32, u32)) {
        match &self.turn {
            Some(turn) if turn.before_resize => (Orientation::IDENTITY, turn.size),
            _ => (self.orientation.transform, self.orientation.upright),
        }
    }

    /// Moves the resize window to `(x, y)` in the region (a smart crop's choice).
    pub(crate) fn place_window(&mut self, x: f64, y: f64) {
        self.geometry.place_window(x, y);
        let (transform, upright) = self.frame();
        self.stored_window = self.geometry.stored_window(transform, upright, 8);
        self.crop = self.geometry.crop_box();
    }
}

#[cfg(test)]
mod tests;
