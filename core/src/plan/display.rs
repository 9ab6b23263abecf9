//! [`JobPlan`] as a few aligned lines for people (the CLI's `thumbsmith plan`); its JSON is the
//! serde form.

use std::fmt::{self, Display, Formatter};

use super::{
    ColourStep, Decoder, EncodeSettings, Flatten, JobPlan, OrientationPlan, Parts, Samples,
};
use crate::options::{Color, Rect};

impl Display for JobPlan {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let s = &self.source;
        let line =
            |f: &mut Formatter<'_>, step: &str, text: String| writeln!(f, "{step:<9} {text}");
        let frames = match s.frames {
            1 => String::new(),
            n => format!(", {n} frames (the first is used)"),
        };
        line(
            f,
            "source",
            format!(
                "{} {}×{}, {}{}{}{frames}",
                s.format.as_str(),
                s.width,
                s.height,
                format!("{:?}", s.color_model).to_lowercase(),
                if s.has_alpha { " with alpha" } else { "" },
                if s.has_icc { ", ICC profile" } else { "" },
            ),
        )?;
        let turned_first = self.turn.as_ref().is_some_and(|t| t.before_resize);
        line(f, "orient", orientation(&self.orientation, turned_first))?;
        if let Some(turn) = &self.turn {
            let when = if turn.before_resize {
                "before the crop and resize, the whole picture"
            } else {
                "after the resize"
            };
            line(
                f,
                "turn",
                format!(
                    "{}° clockwise {when}, onto {} (bilinear, background corners)",
                    num(turn.degrees),
                    size((f64::from(turn.size.0), f64::from(turn.size.1)))
                ),
            )?;
        }
        let g = &self.geometry;
        let [x, y, w, h] = g.upright_window();
        let mut crop = format!("{} at ({}, {})", size((w, h)), num(x), num(y));
        if let Some(smart) = &self.smart_crop {
            crop += &format!(
                ", placed at execution by {:?} on a {}×{} copy",
                smart.strategy, smart.analysis.0, smart.analysis.1
            )
            .to_lowercase();
        }
        let [sx, sy, sw, sh] = self.stored_window;
        crop += &format!("; stored {} at ({}, {})", size((sw, sh)), num(sx), num(sy));
        line(f, "window", crop)?;
        let d = &self.decode;
        line(
            f,
            "decode",
            format!(
                "{} {}, {}; {}",
                decoder(d.decoder),
                match d.eighths {
                    8 => format!("at full size {}×{}", d.size.0, d.size.1),
                    e => format!("at {e}/8 → {}×{}", d.size.0, d.size.1),
                },
                parts(d.parts, d.size),
                samples(d.samples)
            ),
        )?;
        line(
            f,
            "resize",
            format!(
                "{:?} to {}×{} (stored axes)",
                self.resize.kernel, self.resize.size.0, self.resize.size.1
            )
            .to_lowercase(),
        )?;
        line(f, "colour", colour(self.colour).into())?;
        line(
            f,
            "flatten",
            flatten(self.flatten.as_ref(), self.background),
        )?;
        let mut canvas = format!("{}×{}", g.canvas.0, g.canvas.1);
        if g.canvas != g.resized {
            canvas += &format!(
                ", the {}×{} picture at ({}, {}) on {}",
                g.resized.0,
                g.resized.1,
                g.offset.0,
                g.offset.1,
                self.background.to_hex()
            );
        }
        line(f, "canvas", canvas)?;
        if let Some(c) = self.crop_after_resize {
            line(
                f,
                "cut",
                format!(
                    "{}×{} at ({}, {}) of the canvas",
                    c.width, c.height, c.left, c.top
                ),
            )?;
        }
        // The last line ends without a newline, as a `Display` does.
        write!(f, "{:<9} {}", "encode", encode(self))
    }
}

fn num(v: f64) -> String {
    // Whole numbers print without a fraction; sub-pixel positions keep theirs.
    format!("{v}")
}

fn size((w, h): (f64, f64)) -> String {
    format!("{}×{}", num(w), num(h))
}

fn orientation(o: &OrientationPlan, turned_first: bool) -> String {
    let t = o.transform;
    let mut steps: Vec<&str> = Vec::new();
    if t.transpose {
        steps.push("transpose");
    }
    if t.flop {
        steps.push("flop");
    }
    if t.flip {
        steps.push("flip");
    }
    let transform = if steps.is_empty() {
        "none".to_string()
    } else {
        steps.join(" + ")
    };
    let when = if turned_first {
        "before the turn"
    } else {
        "after the resize"
    };
    format!(
        "EXIF {}; transform {} {when}; upright {}×{}",
        o.exif, transform, o.upright.0, o.upright.1
    )
}

fn decoder(d: Decoder) -> &'static str {
    match d {
        Decoder::JpegPlanar => "jpeg planes (DCT-scaled)",
        Decoder::Jpeg => "jpeg (zune-jpeg)",
        Decoder::Png => "png",
        Decoder::Webp => "webp",
        Decoder::Gif => "gif (first frame)",
        Decoder::Tiff => "tiff (first page)",
        Decoder::Jxl => "jpeg xl (jxl-oxide, first frame)",
        Decoder::Raw => "none (raw pixels)",
    }
}

fn rect(r: Rect) -> String {
    format!("{}×{} at ({}, {})", r.width, r.height, r.left, r.top)
}

fn parts(parts: Option<Parts>, (width, height): (u32, u32)) -> String {
    let whole = Rect {
        left: 0,
        top: 0,
        width,
        height,
    };
    match parts {
        Some(Parts { pixels, chroma }) if pixels != whole => match chroma {
            None => format!("part {}", rect(pixels)),
            Some(chroma) => format!("luma part {}, chroma {}", rect(pixels), rect(chroma)),
        },
        _ => "whole picture".into(),
    }
}

fn samples(s: Samples) -> String {
    match s {
        Samples::YcbcrPlanes {
            subsampling: (1, 1),
        } => "YCbCr planes, chroma at full resolution".into(),
        Samples::YcbcrPlanes {
            subsampling: (across, down),
        } => format!("YCbCr planes, chroma subsampled {across}×{down}"),
        Samples::Gray => "gray pixels".into(),
        Samples::Rgb => "RGB pixels".into(),
        Samples::CmykInks => "CMYK inks".into(),
    }
}

fn colour(c: ColourStep) -> &'static str {
    match c {
        ColourStep::AsDecoded => "as decoded (no profile applied)",
        ColourStep::BeforeResize => "profile to sRGB before the resize",
        ColourStep::AfterResize => "profile to sRGB after the resize",
    }
}

fn flatten(f: Option<&Flatten>, background: Color) -> String {
    let background = background.to_hex();
    match f {
        None => "no (alpha kept)".into(),
        Some(Flatten {
            before_resize: true,
        }) => format!("onto {background} before the resize (dithered), again after"),
        Some(Flatten {
            before_resize: false,
        }) => format!("onto {background} after the resize"),
    }
}

fn encode(plan: &JobPlan) -> String {
    let e = &plan.encode;
    let settings = match &e.settings {
        EncodeSettings::Jpeg {
            quality,
            progressive,
            chroma_subsampling,
            smart_subsample,
            optimize_coding,
        } => {
            let mut text = format!("q{quality}");
            let chroma = serde_json::to_value(chroma_subsampling)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            text += &format!(", {chroma}");
            for (on, name) in [
                (*progressive, "progressive"),
                (*smart_subsample, "smart subsampling"),
                (*optimize_coding, "optimized Huffman"),
            ] {
                if on {
                    text += &format!(", {name}");
                }
            }
            text
        }
        EncodeSettings::Png { compression_level } => format!("level {compression_level}"),
        EncodeSettings::Raw => "pixels as they are".into(),
        EncodeSettings::Webp { quality, lossless } => {
            if *lossless {
                "lossless".into()
            } else {
                format!("q{quality}")
            }
        }
    };
    let keeps = match (e.keeps_icc, e.keeps_exif) {
        (false, false) => "no metadata",
        (true, false) => "keeps the ICC profile",
        (false, true) => "keeps EXIF fields",
        (true, true) => "keeps the ICC profile and EXIF fields",
    };
    format!("{} {settings}; {keeps}", e.format.as_str())
}
