//! Reading the few EXIF facts the pipeline needs (orientation, whether GPS is present) and writing
//! the minimal EXIF block that is all a result may carry: copyright and, only when asked, GPS.

use exif::{Context, In, Tag};

/// Parsed EXIF of the source. Unreadable EXIF is treated as absent: a broken tag must not make a
/// photo fail, and an orientation we cannot read is no orientation.
pub(crate) struct SourceExif {
    parsed: Option<exif::Exif>,
}

impl SourceExif {
    pub(crate) fn parse(raw: Option<&[u8]>) -> Self {
        let parsed = raw.and_then(|raw| {
            // PNG eXIf and WebP EXIF chunks should start at the TIFF header, but some writers keep
            // JPEG's "Exif\0\0" prefix; accept both.
            let tiff = raw.strip_prefix(b"Exif\0\0").unwrap_or(raw);
            exif::Reader::new().read_raw(tiff.to_vec()).ok()
        });
        SourceExif { parsed }
    }

    pub(crate) fn is_present(&self) -> bool {
        self.parsed.is_some()
    }

    /// The orientation tag, 1–8; 1 when absent or out of range.
    pub(crate) fn orientation(&self) -> u8 {
        self.parsed
            .as_ref()
            .and_then(|e| e.get_field(Tag::Orientation, In::PRIMARY))
            .and_then(|f| f.value.get_uint(0))
            .filter(|o| (1..=8).contains(o))
            .map_or(1, |o| o as u8)
    }

    /// XResolution in pixels per inch (ResolutionUnit 2 or absent: inches; 3: centimetres; 1, no
    /// unit: read as pixels per millimetre, as libvips does), rounded; none when absent or not
    /// over libvips' "unknown" of one pixel per millimetre.
    pub(crate) fn density(&self) -> Option<u32> {
        let exif = self.parsed.as_ref()?;
        let x = match &exif.get_field(Tag::XResolution, In::PRIMARY)?.value {
            exif::Value::Rational(r) => r.first()?.to_f64(),
            _ => return None,
        };
        let unit = exif
            .get_field(Tag::ResolutionUnit, In::PRIMARY)
            .and_then(|f| f.value.get_uint(0));
        let dpi = match unit {
            Some(3) => x * 2.54,
            Some(1) => x * 25.4,
            _ => x,
        }
        .round();
        (dpi > 25.4 && dpi < f64::from(u32::MAX)).then_some(dpi as u32)
    }

    pub(crate) fn has_gps(&self) -> bool {
        self.parsed
            .as_ref()
            .is_some_and(|e| e.fields().any(|f| f.tag.context() == Context::Gps))
    }

    /// A fresh EXIF block (TIFF bytes) holding only what the caller asked to keep, or `None` when
    /// there is nothing to keep. Orientation is never copied: the pixels are already upright.
    #[cfg(feature = "write-exif")]
    pub(crate) fn minimal(&self, keep_copyright: bool, keep_gps: bool) -> Option<Vec<u8>> {
        let parsed = self.parsed.as_ref()?;
        let kept: Vec<&exif::Field> = parsed
            .fields()
            .filter(|f| f.ifd_num == In::PRIMARY)
            .filter(|f| {
                (keep_copyright && matches!(f.tag, Tag::Copyright | Tag::Artist))
                    || (keep_gps && f.tag.context() == Context::Gps)
            })
            .collect();
        if kept.is_empty() {
            return None;
        }
        let mut writer = exif::experimental::Writer::new();
        for field in kept {
            writer.push_field(field);
        }
        let mut out = std::io::Cursor::new(Vec::new());
        writer.write(&mut out, parsed.little_endian()).ok()?;
        Some(out.into_inner())
    }

    /// Without the EXIF writer there is never a block to carry; asking to keep one is refused by
    /// `encode::encode` (a typed error), so `None` here cannot silently drop what was asked for.
    #[cfg(not(feature = "write-exif"))]
    pub(crate) fn minimal(&self, _keep_copyright: bool, _keep_gps: bool) -> Option<Vec<u8>> {
        None
    }
}
