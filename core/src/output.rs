//! What a job returns: [`Output`] from [`process`](crate::process), [`Rendered`] from
//! [`render`](crate::render), and [`to_value`], the one way every binding turns them (and
//! [`Metadata`](crate::Metadata), and the defaults) into its language's objects.

use serde::{Serialize, Serializer};

use crate::error::{Error, Result};
use crate::options::Rect;
use crate::sniff::Format;

/// The result of [`process`](crate::process): the encoded image and what was done to make it.
///
/// It serialises (for the bindings' result objects) to every field but `data`, plus `size` and
/// `mime_type`: see [`OutputInfo`].
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The encoded image.
    pub data: Vec<u8>,
    pub format: Format,
    pub width: u32,
    pub height: u32,
    /// Channels of the encoded image: 1 gray, 2 gray and alpha, 3 RGB, 4 RGBA.
    pub channels: u8,
    /// The encoded image has an alpha channel (2 or 4 channels).
    pub has_alpha: bool,
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

impl Output {
    /// Bytes of the encoded image.
    pub fn size(&self) -> usize {
        self.data.len()
    }

    /// The encoded image's MIME type (`image/jpeg`…), for a response's `Content-Type`.
    pub fn mime_type(&self) -> &'static str {
        self.format.mime_type()
    }

    /// What the bindings hand back beside the bytes.
    pub fn info(&self) -> OutputInfo<'_> {
        let Output {
            data: _,
            format,
            width,
            height,
            channels,
            has_alpha,
            source_format,
            source_width,
            source_height,
            orientation,
            crop,
            thumbhash,
            dominant_color,
            content_hash,
        } = self;
        OutputInfo {
            format: *format,
            mime_type: self.mime_type(),
            size: self.size() as u64,
            width: *width,
            height: *height,
            channels: *channels,
            has_alpha: *has_alpha,
            source_format: *source_format,
            source_width: *source_width,
            source_height: *source_height,
            orientation: *orientation,
            crop: *crop,
            thumbhash: thumbhash.as_deref().map(Bytes),
            dominant_color: dominant_color.as_deref(),
            content_hash: content_hash.as_deref(),
        }
    }
}

impl Serialize for Output {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.info().serialize(serializer)
    }
}

/// What a job made, beside the image bytes: the result object of every binding (Python's
/// `Result`, Node's `info`, the wasm result), as an `Output` serialises.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "Output"))]
pub struct OutputInfo<'a> {
    /// The encoded image's format.
    pub format: Format,
    /// `image/jpeg`, `image/png` or `image/webp`, for a response's `Content-Type`.
    pub mime_type: &'static str,
    /// Bytes of the encoded image.
    pub size: u64,
    /// Output width in pixels.
    pub width: u32,
    /// Output height in pixels.
    pub height: u32,
    /// Channels of the encoded image: 1 gray, 2 gray and alpha, 3 RGB, 4 RGBA (sharp's
    /// `info.channels`).
    pub channels: u8,
    /// The encoded image has an alpha channel (2 or 4 channels).
    pub has_alpha: bool,
    /// The input's format.
    pub source_format: Format,
    /// Source width as displayed (after EXIF orientation).
    pub source_width: u32,
    /// Source height as displayed (after EXIF orientation).
    pub source_height: u32,
    /// The EXIF orientation that was applied (1 when none was, or `auto_orient` is off).
    pub orientation: u8,
    /// The part of the source that was used, in pixels of the upright source image.
    pub crop: Rect,
    /// ThumbHash placeholder bytes, when `thumbhash` was asked for.
    pub thumbhash: Option<Bytes<'a>>,
    /// `#rrggbb`, when `dominant_color` was asked for.
    pub dominant_color: Option<&'a str>,
    /// 16 hex digits of SHA-256 of the image, when `content_hash` was asked for.
    pub content_hash: Option<&'a str>,
}

/// Bytes serialised as bytes (`serialize_bytes`): a Python `bytes` through pythonize, an array
/// of numbers in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bytes<'a>(pub &'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Bytes<'_> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Bytes".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        // `contentEncoding` tells the stub generator to use each language's bytes type.
        schemars::json_schema!({
            "type": "array",
            "items": { "type": "integer", "minimum": 0, "maximum": 255 },
            "contentEncoding": "binary"
        })
    }
}

/// What [`render`](crate::render) returns: the pixels [`process`](crate::process) would encode,
/// before the encode step, as straight-alpha RGBA (4 bytes a pixel, rows top to bottom): a
/// browser's `ImageData`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Rendered {
    /// `width × height × 4` bytes of RGBA; gray is spread to RGB, opaque images get alpha 255.
    #[serde(skip)]
    pub rgba: Vec<u8>,
    /// Output width in pixels.
    pub width: u32,
    /// Output height in pixels.
    pub height: u32,
    /// The input's format.
    pub source_format: Format,
    /// Source width as displayed (after EXIF orientation).
    pub source_width: u32,
    /// Source height as displayed (after EXIF orientation).
    pub source_height: u32,
    /// The EXIF orientation that was applied (1 when none was, or `auto_orient` is off).
    pub orientation: u8,
    /// The part of the source that was used, in pixels of the upright source image.
    pub crop: Rect,
}

/// How a binding's language names keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// Rust's and Python's `source_width`.
    SnakeCase,
    /// JavaScript's `sourceWidth`.
    CamelCase,
}

/// A result ([`Output`], [`Rendered`], [`Metadata`](crate::Metadata)) or the
/// [`Options`](crate::Options) defaults as a JSON-like value with keys named for the caller's
/// language: the one serialisation the Node and wasm bindings hand back (Python serialises the
/// same types with pythonize, keeping `snake_case`).
pub fn to_value(value: &impl Serialize, naming: Naming) -> Result<serde_json::Value> {
    let value = serde_json::to_value(value)
        .map_err(|e| Error::Internal(format!("serializing a result: {e}")))?;
    Ok(match naming {
        Naming::SnakeCase => value,
        Naming::CamelCase => crate::camel_case_keys(value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output() -> Output {
        Output {
            data: vec![0xFF, 0xD8, 0xFF],
            format: Format::Jpeg,
            width: 2,
            height: 1,
            channels: 3,
            has_alpha: false,
            source_format: Format::Png,
            source_width: 4,
            source_height: 2,
            orientation: 1,
            crop: Rect {
                left: 0,
                top: 0,
                width: 4,
                height: 2,
            },
            thumbhash: Some(vec![1, 2]),
            dominant_color: None,
            content_hash: Some("00ff".into()),
        }
    }

    #[test]
    fn an_output_serialises_every_field_but_the_bytes_plus_size_and_mime_type() {
        let value = to_value(&output(), Naming::SnakeCase).unwrap();
        assert_eq!(
            value,
            serde_json::json!({
                "format": "jpeg", "mime_type": "image/jpeg", "size": 3, "width": 2, "height": 1, "channels": 3, "has_alpha": false,
                "source_format": "png", "source_width": 4, "source_height": 2, "orientation": 1,
                "crop": {"left": 0, "top": 0, "width": 4, "height": 2},
                "thumbhash": [1, 2], "dominant_color": null, "content_hash": "00ff",
            })
        );
        let camel = to_value(&output(), Naming::CamelCase).unwrap();
        assert_eq!(camel["mimeType"], "image/jpeg");
        assert_eq!(camel["sourceWidth"], 4);
        assert!(camel.get("source_width").is_none());
    }
}
