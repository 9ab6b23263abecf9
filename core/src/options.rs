//! The one options type. Its `Default` is the only set of defaults in the repository: the Python,
//! Node and wasm bindings deserialize their dict / object into it and add nothing of their own.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

use crate::error::{Error, Result};

/// Everything a job can be told. Keys may be spelled snake_case (Rust, Python) or camelCase (JS);
/// unknown keys are refused with a message naming them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Options {
    // ----- input -----
    /// The input is pixels, not an encoded file: `{width, height, channels}` describes them
    /// (sharp's `{raw: {…}}`), and the input must be exactly width × height × channels bytes.
    /// Default: none (the input is a file, its format sniffed).
    pub raw_input: Option<RawInput>,

    // ----- geometry -----
    /// Output width in pixels. Default: none — derived from `height` and the aspect ratio (with
    /// `fit: fill`: the source width, as sharp), or the source width when both are omitted (no
    /// resize).
    pub width: Option<u32>,
    /// Output height in pixels. Default: none — derived from `width` and the aspect ratio (with
    /// `fit: fill`, which stretches each axis on its own: the source height, as sharp).
    pub height: Option<u32>,
    /// How the image fits `width`×`height`. Default: `cover`.
    pub fit: Fit,
    /// Which part is kept by `cover` (and where `contain` places the image). Default: `centre`.
    /// A gravity (`"north-east"`), a focal point (`{"x": 0.3, "y": 0.6}`, fractions of the
    /// oriented image), or a smart crop strategy (`"entropy"`, `"attention"`).
    pub position: Position,
    /// Resampling filter. Default: `lanczos3`.
    pub kernel: Kernel,
    /// Never enlarge: if the target needs upscaling, the target shrinks (keeping its aspect ratio)
    /// until the source is used 1:1. Default: false.
    pub without_enlargement: bool,
    /// Never reduce: the mirror of `without_enlargement`. Default: false.
    pub without_reduction: bool,
    /// A rectangle cut out first, before any resize, in pixels of the image as it will be shown:
    /// after EXIF orientation and `rotate`/`flip`/`flop`. Default: none (the whole image).
    pub crop: Option<Rect>,
    /// A rectangle cut from the resized picture: after `fit`, the letterbox, the orientation and
    /// a turn that comes after the resize (sharp's `resize(…).extract(…)`), in pixels of that
    /// picture. Default: none.
    pub crop_after_resize: Option<Rect>,
    /// Colour for `contain` letterboxing and for flattening alpha when the output has none.
    /// Default: opaque white `#ffffff` (an avatar on a light page; sharp uses black).
    pub background: Color,
    /// Flatten alpha onto `background` even when the output format could keep it. Default: false.
    pub flatten: bool,
    /// Drop the alpha channel, keeping the colours as they are (not blended onto `background`;
    /// sharp's `removeAlpha`). Default: false.
    pub remove_alpha: bool,
    /// Give the output an opaque alpha channel when it has none and its format can hold one
    /// (PNG, WebP; sharp's `ensureAlpha`). Default: false.
    pub ensure_alpha: bool,

    // ----- orientation -----
    /// Apply the EXIF orientation tag (1–8) so the result is upright; the tag is then dropped.
    /// Default: true (sharp needs `.rotate()` for this).
    pub auto_orient: bool,
    /// Extra clockwise rotation after auto-orientation, in degrees, any angle (sharp's
    /// `rotate(angle)`). Quarter turns (…, -90, 0, 90, 180, 270, 450, …) are exact; any other
    /// angle turns the picture onto a canvas that holds all of it (its bounding box), the corners
    /// filled with `background`, each pixel blended bilinearly. Default: 0.
    pub rotate: f64,
    /// Turn by a `rotate` angle that is not a quarter turn after the resize, onto a canvas
    /// larger than `width`×`height` (sharp's `resize(…).rotate(30)`). By default the turned
    /// picture is what `crop`, `fit` and `position` work on, so the output has the size asked
    /// for (sharp's `rotate(30).resize(…)`; such a job decodes the whole picture at full size).
    /// Default: false.
    pub rotate_after_resize: bool,
    /// The colour of the corners a `rotate` angle that is not a quarter turn uncovers (sharp's
    /// `rotate(angle, {background})`). Default: none — `background`.
    pub rotate_background: Option<Color>,
    /// Mirror top-bottom after orientation. Default: false.
    pub flip: bool,
    /// Mirror left-right after orientation. Default: false.
    pub flop: bool,

    // ----- colour -----
    /// Convert embedded ICC profiles (Adobe RGB, Display P3, ProPhoto, gray, CMYK…) to sRGB.
    /// Default: true. When false the pixels keep their colour space (see `keep_icc`).
    pub to_srgb: bool,

    // ----- encoding -----
    /// Output format: `jpeg`, `png`, `webp` or `same` (as the input; GIF becomes PNG).
    /// Default: `jpeg`.
    pub format: OutputFormat,
    /// JPEG and lossy WebP quality, 1–100. Default: 80.
    pub quality: u8,
    /// Progressive JPEG: a 1/8-scale preview first (one DC scan per component), then two AC
    /// scans. The same pixels as baseline; for 512×512 avatars about the same size and a little
    /// slower to encode. Default: false.
    pub progressive: bool,
    /// JPEG chroma subsampling: `4:2:0`, `4:2:2` or `4:4:4`. Default: `4:2:0`.
    pub chroma_subsampling: ChromaSubsampling,
    /// With `4:2:0` or `4:2:2` JPEG: move each pixel's luma so that, after the decoder has
    /// averaged and upsampled its chroma, it keeps its own luminance: no dark fringes along
    /// saturated colour edges, for a few more bytes. The browser package leaves it out (core
    /// feature `smart-subsample`) and refuses it with `EncodeFailed`. For lossy WebP: libwebp's
    /// own sharp YUV, the same idea (sharp's `smartSubsample`). Default: false.
    pub smart_subsample: bool,
    /// Optimised Huffman tables for JPEG (smaller, slightly slower; a progressive file's AC
    /// scans always get their own, since their EOB-run symbols are not in the standard tables).
    /// Default: true.
    pub optimize_coding: bool,
    /// PNG zlib effort, 0 (none) – 9 (smallest). Default: 6.
    pub compression_level: u8,
    /// Lossless WebP. Default: false (lossy, quality `quality`; the wasm build has only the
    /// lossless encoder and refuses lossy WebP with `EncodeFailed`).
    pub lossless: bool,
    /// WebP effort, libwebp's `method`: 0 (fastest) – 6 (smallest). Default: none — lossy WebP
    /// at libwebp's 4 (as sharp), lossless WebP by image-webp (the bytes every build makes).
    /// Given, lossless WebP is libwebp's too (native builds only).
    pub webp_effort: Option<u8>,
    /// Lossy WebP's alpha plane quality, 0–100 (100: lossless alpha). Default: 100.
    pub webp_alpha_quality: u8,
    /// Near-lossless WebP (libwebp, native builds only): lossless coding of pixels first
    /// adjusted by up to an amount set by `quality` (100: none). Implies lossless. Default: false.
    pub webp_near_lossless: bool,
    /// Lossy WebP: let libwebp choose the deblocking filter's strength per picture (sharp's
    /// `smartDeblock`; helps text and flat areas). Default: false.
    pub webp_smart_deblock: bool,
    /// libwebp's preset, the tuning it starts from: `default`, `photo`, `picture`, `drawing`,
    /// `icon` or `text`. Default: `default`.
    pub webp_preset: WebpPreset,
    /// WebP: keep the colour of fully transparent pixels (libwebp's `exact`) instead of letting
    /// the encoder change it to compress better. Default: false.
    pub webp_exact: bool,

    // ----- metadata (all stripped by default) -----
    /// Keep the source ICC profile; only meaningful with `to_srgb: false`. Default: false.
    pub keep_icc: bool,
    /// Keep EXIF Copyright and Artist (written as a minimal EXIF block). Default: false.
    pub keep_copyright: bool,
    /// Keep EXIF GPS position. Only ever kept when asked for here. Default: false.
    pub keep_gps: bool,

    // ----- limits -----
    /// Refuse inputs with more pixels than this, from the header, before decoding.
    /// Default: 268402689 (16383², as sharp).
    pub max_input_pixels: u64,
    /// Refuse inputs larger than this many bytes. Default: 104857600 (100 MiB).
    pub max_input_bytes: u64,
    /// Refuse inputs carrying a metadata block (ICC profile, EXIF) larger than this many bytes,
    /// measured while a compressed one is inflated, so a profile bomb costs at most this much
    /// memory. Default: 4194304 (4 MiB; real ICC profiles are well under 1 MiB).
    pub max_metadata_bytes: u64,
    /// Refuse outputs wider or taller than this. Default: 16383.
    pub max_output_dimension: u32,

    // ----- extras -----
    /// Compute a ThumbHash placeholder of the result. Default: false.
    pub thumbhash: bool,
    /// Compute the dominant colour of the result. Default: false.
    pub dominant_color: bool,
    /// Compute a short content hash of the output bytes (for immutable CDN keys). Default: false.
    pub content_hash: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            raw_input: None,
            width: None,
            height: None,
            fit: Fit::Cover,
            position: Position::Gravity(Gravity::Centre),
            kernel: Kernel::Lanczos3,
            without_enlargement: false,
            without_reduction: false,
            crop: None,
            crop_after_resize: None,
            background: Color::WHITE,
            flatten: false,
            remove_alpha: false,
            ensure_alpha: false,
            auto_orient: true,
            rotate: 0.0,
            rotate_after_resize: false,
            rotate_background: None,
            flip: false,
            flop: false,
            to_srgb: true,
            format: OutputFormat::Jpeg,
            quality: 80,
            progressive: false,
            chroma_subsampling: ChromaSubsampling::Yuv420,
            smart_subsample: false,
            optimize_coding: true,
            compression_level: 6,
            lossless: false,
            webp_effort: None,
            webp_alpha_quality: 100,
            webp_near_lossless: false,
            webp_smart_deblock: false,
            webp_preset: WebpPreset::Default,
            webp_exact: false,
            keep_icc: false,
            keep_copyright: false,
            keep_gps: false,
            max_input_pixels: 0x3FFF * 0x3FFF,
            max_input_bytes: 100 * 1024 * 1024,
            max_metadata_bytes: 4 * 1024 * 1024,
            max_output_dimension: 16383,
            thumbhash: false,
            dominant_color: false,
            content_hash: false,
        }
    }
}

impl Options {
    /// The avatar job: a `size`×`size` cover crop, JPEG q80 4:2:0, metadata stripped.
    pub fn avatar(size: u32) -> Self {
        Options {
            width: Some(size),
            height: Some(size),
            ..Options::default()
        }
    }

    /// Options from a JSON-like value, as the bindings hand them over. Keys may be snake_case or
    /// camelCase, at any depth; the message of an error names the key as the caller spelled it.
    pub fn from_value(value: serde_json::Value) -> Result<Self> {
        let mut spellings = Vec::new();
        let value = snake_case_keys(value, &mut spellings)?;
        let options: Options = serde_json::from_value(value).map_err(|e| {
            let mut message = e.to_string();
            // serde names the snake_case key; say it back the way the caller wrote it.
            for (snake, original) in &spellings {
                let quoted = format!("`{snake}`");
                if message.starts_with(&format!("unknown field {quoted}")) {
                    message = message.replacen(&quoted, &format!("`{original}`"), 1);
                }
            }
            Error::InvalidOption(message)
        })?;
        options.validate()?;
        Ok(options)
    }

    /// Options from a JSON text (the CLI's `--options`, tests, and any binding that prefers text).
    pub fn from_json(text: &str) -> Result<Self> {
        let value = serde_json::from_str(text).map_err(|e| Error::InvalidOption(e.to_string()))?;
        Self::from_value(value)
    }

    /// Range checks serde cannot express. Called by `from_value` and by `process`.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidOption(m));
        if self.width == Some(0) || self.height == Some(0) {
            return bad("width and height must be at least 1".into());
        }
        if !(1..=100).contains(&self.quality) {
            return bad(format!("quality must be 1–100, got {}", self.quality));
        }
        if self.compression_level > 9 {
            return bad(format!(
                "compression_level must be 0–9, got {}",
                self.compression_level
            ));
        }
        if !self.rotate.is_finite() {
            return bad(format!(
                "rotate must be a finite number of degrees, got {}",
                self.rotate
            ));
        }
        if let Position::Focal { x, y } = self.position {
            if !(0.0..=1.0).contains(&x) || !(0.0..=1.0).contains(&y) {
                return bad(format!(
                    "position focal point must be fractions in 0–1, got x={x}, y={y}"
                ));
            }
        }
        if let Some(effort) = self.webp_effort.filter(|&e| e > 6) {
            return bad(format!("webp_effort must be 0–6, got {effort}"));
        }
        if self.webp_alpha_quality > 100 {
            return bad(format!(
                "webp_alpha_quality must be 0–100, got {}",
                self.webp_alpha_quality
            ));
        }
        if let Some(raw) = self.raw_input {
            if raw.width == 0 || raw.height == 0 || !(1..=4).contains(&raw.channels) {
                return bad(format!(
                    "raw_input must be at least 1×1 with 1–4 channels, got {}×{}×{}",
                    raw.width, raw.height, raw.channels
                ));
            }
        }
        if let Some(c) = self.crop_after_resize {
            if c.width == 0 || c.height == 0 {
                return bad("crop_after_resize width and height must be at least 1".into());
            }
        }
        if let Some(c) = self.crop {
            if c.width == 0 || c.height == 0 {
                return bad("crop width and height must be at least 1".into());
            }
        }
        if self.remove_alpha && self.ensure_alpha {
            return bad("remove_alpha and ensure_alpha cannot both be set".into());
        }
        if self.max_output_dimension == 0 {
            return bad("max_output_dimension must be at least 1".into());
        }
        Ok(())
    }
}

/// Rewrites every object key to snake_case, recording the spellings that changed. Two spellings
/// of one key in the same object are refused rather than silently merged.
fn snake_case_keys(
    value: serde_json::Value,
    spellings: &mut Vec<(String, String)>,
) -> Result<serde_json::Value> {
    use serde_json::Value;
    Ok(match value {
        Value::Object(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (key, inner) in map {
                let snake = crate::key_case::snake_case(&key);
                if out.contains_key(&snake) {
                    return Err(Error::InvalidOption(format!(
                        "`{key}` is given twice (as `{key}` and as `{snake}` or another spelling)"
                    )));
                }
                if snake != key {
                    spellings.push((snake.clone(), key));
                }
                let inner = snake_case_keys(inner, spellings)?;
                out.insert(snake, inner);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| snake_case_keys(v, spellings))
                .collect::<Result<_>>()?,
        ),
        other => other,
    })
}

/// Rewrites every object key of a serialized result (`Output`, `Metadata`, defaults) to
/// lowerCamelCase, at any depth: what the JS bindings hand back, the mirror of the rewrite
/// `Options::from_value` does on the way in.
pub fn camel_case_keys(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (crate::key_case::lower_camel_case(&k), camel_case_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camel_case_keys).collect()),
        other => other,
    }
}

/// How the image fits the `width`×`height` box (the sharp / CSS `object-fit` names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Fit {
    /// Fill the box exactly, cropping what overflows (keeps aspect ratio).
    Cover,
    /// Fit inside the box, letterboxing with `background` (keeps aspect ratio).
    Contain,
    /// Fill the box exactly, stretching (ignores aspect ratio).
    Fill,
    /// Fit inside the box; the output may be smaller than the box in one dimension.
    Inside,
    /// Cover the box; the output may be larger than the box in one dimension.
    Outside,
}

/// The nine compass gravities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Gravity {
    #[serde(alias = "center")]
    Centre,
    #[serde(alias = "top")]
    North,
    #[serde(alias = "northeast", alias = "right top", alias = "top right")]
    NorthEast,
    #[serde(alias = "right")]
    East,
    #[serde(alias = "southeast", alias = "right bottom", alias = "bottom right")]
    SouthEast,
    #[serde(alias = "bottom")]
    South,
    #[serde(alias = "southwest", alias = "left bottom", alias = "bottom left")]
    SouthWest,
    #[serde(alias = "left")]
    West,
    #[serde(alias = "northwest", alias = "left top", alias = "top left")]
    NorthWest,
}

impl Gravity {
    /// Where the box sits along each axis: 0 = start, 0.5 = middle, 1 = end.
    pub fn fractions(self) -> (f64, f64) {
        match self {
            Gravity::Centre => (0.5, 0.5),
            Gravity::North => (0.5, 0.0),
            Gravity::NorthEast => (1.0, 0.0),
            Gravity::East => (1.0, 0.5),
            Gravity::SouthEast => (1.0, 1.0),
            Gravity::South => (0.5, 1.0),
            Gravity::SouthWest => (0.0, 1.0),
            Gravity::West => (0.0, 0.5),
            Gravity::NorthWest => (0.0, 0.0),
        }
    }
}

/// Smart-crop strategies: the box is chosen from the pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Strategy {
    /// The window with the most detail (highest Shannon entropy of luminance).
    Entropy,
    /// The window with the most salient content: edges, skin tones and saturated colour.
    Attention,
}

/// Where the crop window (or the letterboxed image) goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Position {
    Gravity(Gravity),
    /// A point, as fractions (0–1) of the oriented image, that the window is centred on
    /// as far as the image allows.
    Focal {
        x: f64,
        y: f64,
    },
    Smart(Strategy),
}

const POSITION_NAMES: &str = "`centre`, `north`, `north-east`, `east`, `south-east`, `south`, \
`south-west`, `west`, `north-west`, `entropy`, `attention`, or a focal point {x, y}";

impl<'de> Deserialize<'de> for Position {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PositionVisitor;
        impl<'de> Visitor<'de> for PositionVisitor {
            type Value = Position;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "one of {POSITION_NAMES}")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Position, E> {
                use serde::de::value::StrDeserializer;
                let as_gravity = Gravity::deserialize(StrDeserializer::<E>::new(s));
                let as_strategy = Strategy::deserialize(StrDeserializer::<E>::new(s));
                match (as_gravity, as_strategy) {
                    (Ok(g), _) => Ok(Position::Gravity(g)),
                    (_, Ok(st)) => Ok(Position::Smart(st)),
                    _ => Err(E::custom(format_args!(
                        "unknown position `{s}`, expected one of {POSITION_NAMES}"
                    ))),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Position, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Focal {
                    x: f64,
                    y: f64,
                }
                let f = Focal::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Position::Focal { x: f.x, y: f.y })
            }
        }
        deserializer.deserialize_any(PositionVisitor)
    }
}

impl Serialize for Position {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Position::Gravity(g) => g.serialize(s),
            Position::Smart(st) => st.serialize(s),
            Position::Focal { x, y } => {
                use serde::ser::SerializeStruct;
                let mut st = s.serialize_struct("Focal", 2)?;
                st.serialize_field("x", x)?;
                st.serialize_field("y", y)?;
                st.end()
            }
        }
    }
}

/// Resampling filters (fast_image_resize's convolution kernels; `lanczos2`, two lobes, has less
/// ringing than `lanczos3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Kernel {
    Nearest,
    Box,
    #[serde(alias = "linear", alias = "triangle")]
    Bilinear,
    #[serde(alias = "cubic", alias = "catmullrom")]
    CatmullRom,
    Mitchell,
    Lanczos2,
    #[serde(alias = "lanczos")]
    Lanczos3,
}

/// The format to encode. `process` defaults to `jpeg`; the Node package's sharp-style chain
/// passes `same` (or the file extension's format, for `toFile`) when no format method was
/// called, as sharp keeps the input's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum OutputFormat {
    /// JPEG (also spelled `jpg`).
    #[serde(alias = "jpg")]
    Jpeg,
    /// PNG.
    Png,
    /// WebP, lossy or lossless (`lossless`).
    Webp,
    /// The input's format; for one thumbsmith does not encode, PNG (GIF; TIFF or JPEG XL with
    /// alpha) or JPEG (TIFF or JPEG XL without alpha).
    Same,
    /// The pixels themselves: 8 bits per channel, interleaved, rows top to bottom, as many
    /// channels as the output has (`Output::channels`: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).
    Raw,
}

/// libwebp's encoder presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum WebpPreset {
    #[default]
    Default,
    Photo,
    Picture,
    Drawing,
    Icon,
    Text,
}

/// The size and channels of an input that is pixels, not an encoded file (`raw_input`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RawInput {
    pub width: u32,
    pub height: u32,
    /// 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA; 8 bits each, alpha straight (not premultiplied).
    pub channels: u8,
}

/// How many chroma samples a JPEG keeps: `4:2:0` (one per 2×2 pixels), `4:2:2` (one per 2×1)
/// or `4:4:4` (every pixel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum ChromaSubsampling {
    #[serde(rename = "4:2:0")]
    Yuv420,
    #[serde(rename = "4:2:2")]
    Yuv422,
    #[serde(rename = "4:4:4")]
    Yuv444,
}

/// A rectangle in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Rect {
    pub left: u32,
    pub top: u32,
    pub width: u32,
    pub height: u32,
}

/// An sRGB colour with alpha. Accepts a CSS colour string (`"#rgb"`, `"#rrggbb"`, `"#rrggbbaa"`, a
/// name such as `"red"` or `"transparent"`, `"rgb(…)"`, `"hsl(…)"`), `[r, g, b]`, `[r, g, b, a]`
/// (0–255) or `{r, g, b, alpha}` (alpha 0–1, clamped, as sharp).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Color {
    pub const WHITE: Color = Color {
        r: 255,
        g: 255,
        b: 255,
        a: 255,
    };

    /// A CSS colour string: a name (`"red"`, `"rebeccapurple"`, `"transparent"`), hex with or
    /// without `#` (3, 4, 6 or 8 digits), `rgb()`/`rgba()`, `hsl()`/`hsla()` — what sharp
    /// accepts through the `color` package.
    pub fn parse(s: &str) -> Result<Color, String> {
        let [r, g, b, a] = crate::css_colour::parse(s).ok_or_else(|| {
            format!(
                "invalid colour `{s}`: expected a CSS colour name, #rgb, #rrggbb, #rrggbbaa, \
                 rgb(…), rgba(…), hsl(…) or hsla(…)"
            )
        })?;
        Ok(Color { r, g, b, a })
    }

    pub fn to_hex(self) -> String {
        if self.a == 255 {
            format!("#{:02x}{:02x}{:02x}", self.r, self.g, self.b)
        } else {
            format!("#{:02x}{:02x}{:02x}{:02x}", self.r, self.g, self.b, self.a)
        }
    }
}

impl Serialize for Color {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for Color {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ColorVisitor;
        impl<'de> Visitor<'de> for ColorVisitor {
            type Value = Color;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a colour: \"#rrggbb\", [r, g, b(, a)] or {r, g, b, alpha}")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Color, E> {
                Color::parse(s).map_err(E::custom)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Color, A::Error> {
                let mut parts = Vec::with_capacity(4);
                while let Some(v) = seq.next_element::<u8>()? {
                    parts.push(v);
                }
                match parts[..] {
                    [r, g, b] => Ok(Color { r, g, b, a: 255 }),
                    [r, g, b, a] => Ok(Color { r, g, b, a }),
                    _ => Err(de::Error::invalid_length(parts.len(), &"3 or 4 channels")),
                }
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Color, A::Error> {
                #[derive(Deserialize)]
                #[serde(deny_unknown_fields)]
                struct Rgba {
                    r: u8,
                    g: u8,
                    b: u8,
                    #[serde(default = "opaque")]
                    alpha: f64,
                }
                fn opaque() -> f64 {
                    1.0
                }
                let c = Rgba::deserialize(de::value::MapAccessDeserializer::new(map))?;
                if c.alpha.is_nan() {
                    return Err(de::Error::custom(
                        "colour alpha must be a number from 0 to 1",
                    ));
                }
                // Out of range clamps, as CSS and sharp's `color` do (`alpha: 128` is opaque).
                Ok(Color {
                    r: c.r,
                    g: c.g,
                    b: c.b,
                    a: (c.alpha.clamp(0.0, 1.0) * 255.0).round() as u8,
                })
            }
        }
        deserializer.deserialize_any(ColorVisitor)
    }
}

/// Schemas of the types whose serde impls are written by hand above (the derived ones come from
/// their definitions): what the generated stubs show for `position` and `background`.
#[cfg(feature = "schema")]
mod schema {
    use super::{Color, Gravity, Position, Strategy};
    use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
    use serde::Deserialize;
    use std::borrow::Cow;

    impl JsonSchema for Position {
        fn schema_name() -> Cow<'static, str> {
            "Position".into()
        }

        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "description": "A gravity, a smart-crop strategy, or a focal point.",
                "anyOf": [
                    generator.subschema_for::<Gravity>(),
                    generator.subschema_for::<Strategy>(),
                    generator.subschema_for::<FocalPoint>(),
                ]
            })
        }
    }

    /// A point, as fractions (0–1) of the upright image, that the window is centred on.
    #[derive(JsonSchema)]
    #[allow(dead_code)] // only its schema is used
    struct FocalPoint {
        x: f64,
        y: f64,
    }

    /// A colour as sharp spells it: channels 0–255, alpha 0–1 (opaque when left out).
    #[derive(JsonSchema, Deserialize)]
    #[allow(dead_code)] // only its schema is used
    struct Rgba {
        r: u8,
        g: u8,
        b: u8,
        #[serde(default = "opaque")]
        alpha: f64,
    }

    fn opaque() -> f64 {
        1.0
    }

    impl JsonSchema for Color {
        fn schema_name() -> Cow<'static, str> {
            "Color".into()
        }

        fn json_schema(generator: &mut SchemaGenerator) -> Schema {
            json_schema!({
                "description": "A CSS colour (`#rgb`, `#rrggbb`, `#rrggbbaa`, a name such as `red` or \
                    `transparent`, `rgb(…)`, `hsl(…)`), `[r, g, b]`, `[r, g, b, a]` (0–255) or \
                    `{r, g, b, alpha}` (alpha 0–1, clamped).",
                "anyOf": [
                    { "type": "string" },
                    {
                        "type": "array",
                        "items": generator.subschema_for::<u8>(),
                        "minItems": 3,
                        "maxItems": 4
                    },
                    generator.subschema_for::<Rgba>(),
                ]
            })
        }
    }
}
