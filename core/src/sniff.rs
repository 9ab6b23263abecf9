//! Format detection from the leading bytes. A file name is never consulted: an avatar called
//! `me.jpg` that is really a PNG is decoded as the PNG it is.

use serde::Serialize;

use crate::error::{Error, Result};

/// The formats this build decodes, as the `UnsupportedFormat` message lists them: TIFF and
/// JPEG XL are features (the browser package leaves both out).
pub(crate) const READABLE: &str =
    match (cfg!(feature = "decode-tiff"), cfg!(feature = "decode-jxl")) {
        (true, true) => "JPEG, PNG, WebP, GIF, TIFF and JPEG XL",
        (true, false) => "JPEG, PNG, WebP, GIF and TIFF",
        (false, true) => "JPEG, PNG, WebP, GIF and JPEG XL",
        (false, false) => "JPEG, PNG, WebP and GIF",
    };

/// The formats thumbsmith decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Format {
    /// JPEG.
    Jpeg,
    /// PNG.
    Png,
    /// WebP, lossy or lossless.
    Webp,
    /// GIF (its first frame is read).
    Gif,
    /// TIFF; only with the `decode-tiff` feature (otherwise sniffed as unsupported).
    Tiff,
    /// JPEG XL; only with the `decode-jxl` feature (otherwise sniffed as unsupported).
    Jxl,
    /// Uncompressed 8-bit pixels, interleaved, 1–4 channels, no header. Never sniffed: an input
    /// is raw when `Options::raw_input` describes it; an output is raw with `format: "raw"`.
    Raw,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Jpeg => "jpeg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
            Format::Tiff => "tiff",
            Format::Jxl => "jxl",
            Format::Raw => "raw",
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
            Format::Tiff => "image/tiff",
            Format::Jxl => "image/jxl",
            Format::Raw => "application/octet-stream",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The format of `bytes`, or `UnsupportedFormat` naming what was recognised instead.
pub fn sniff(bytes: &[u8]) -> Result<Format> {
    if bytes.is_empty() {
        return Err(Error::corrupt("unknown", "the input is empty (0 bytes)"));
    }
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Format::Jpeg);
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return Ok(Format::Png);
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return Ok(Format::Gif);
    }
    if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        return Ok(Format::Webp);
    }
    #[cfg(feature = "decode-tiff")]
    if is_tiff(bytes) {
        return Ok(Format::Tiff);
    }
    #[cfg(feature = "decode-jxl")]
    if is_jxl(bytes) {
        return Ok(Format::Jxl);
    }
    Err(Error::UnsupportedFormat {
        format: unsupported_name(bytes).to_string(),
    })
}

/// Classic TIFF (42) or BigTIFF (43), either byte order.
fn is_tiff(bytes: &[u8]) -> bool {
    [b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"]
        .iter()
        .any(|magic| bytes.starts_with(*magic))
}

/// A bare JPEG XL codestream or the ISOBMFF container's signature box.
fn is_jxl(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0xFF, 0x0A]) || bytes.starts_with(b"\0\0\0\x0CJXL \r\n\x87\n")
}

/// Names formats we recognise but do not decode, so the error tells the user what they sent.
fn unsupported_name(bytes: &[u8]) -> &'static str {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if is_tiff(bytes) {
        return "tiff";
    }
    if starts(b"BM") {
        return "bmp";
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        return match bytes.get(8..12) {
            Some(b"avif") | Some(b"avis") => "avif",
            Some(b"heic") | Some(b"heix") | Some(b"hevc") | Some(b"heim") | Some(b"heis")
            | Some(b"mif1") | Some(b"msf1") => "heic",
            _ => "iso-bmff (mp4/mov)",
        };
    }
    if is_jxl(bytes) {
        return "jxl";
    }
    if starts(&[0, 0, 1, 0]) {
        return "ico";
    }
    if starts(b"8BPS") {
        return "psd";
    }
    if starts(b"%PDF") {
        return "pdf";
    }
    if starts(b"\x76\x2f\x31\x01") {
        return "openexr";
    }
    let head = &bytes[..bytes.len().min(256)];
    let text = String::from_utf8_lossy(head).to_ascii_lowercase();
    if text.contains("<svg") || (text.trim_start().starts_with("<?xml") && text.contains("svg")) {
        return "svg";
    }
    if std::str::from_utf8(head).is_ok() {
        return "text (not an image)";
    }
    "unknown"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_what_it_does_not_decode() {
        let unsupported = |b: &[u8]| match sniff(b) {
            Err(Error::UnsupportedFormat { format }) => format,
            other => panic!("{other:?}"),
        };
        #[cfg(not(feature = "decode-tiff"))]
        assert_eq!(unsupported(b"II*\0rest"), "tiff");
        #[cfg(feature = "decode-tiff")]
        assert_eq!(sniff(b"MM\0+rest").unwrap(), Format::Tiff);
        #[cfg(not(feature = "decode-jxl"))]
        assert_eq!(unsupported(&[0xFF, 0x0A, 0]), "jxl");
        #[cfg(feature = "decode-jxl")]
        assert_eq!(sniff(&[0xFF, 0x0A, 0]).unwrap(), Format::Jxl);
        assert_eq!(unsupported(b"\0\0\0\x1cftypheic\0\0"), "heic");
        assert_eq!(unsupported(b"\0\0\0\x1cftypavif\0\0"), "avif");
        assert_eq!(unsupported(b"<svg xmlns='x'/>"), "svg");
        assert_eq!(unsupported(b"hello, world"), "text (not an image)");
        assert_eq!(unsupported(&[0x00, 0xff, 0xfe, 0x80]), "unknown");
        assert!(matches!(sniff(b""), Err(Error::CorruptInput { .. })));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").unwrap(), Format::Webp);
    }
}
