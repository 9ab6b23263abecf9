//! What a job returns: [`Output`] from [`process`](crate::process), [`Rendered`] from
//! [`render`](crate::render).

use serde::Serialize;

use crate::options::Rect;
use crate::sniff::Format;

/// The result of [`process`](crate::process): the encoded image and what was done to make it.
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

/// What [`render`](crate::render) returns: the pixels [`process`](crate::process) would encode, before the encode step, as
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
