//! What the fuzz targets share: options chosen from the input's leading bytes, the magic bytes
//! that force a decode target's format, and the rule that a caught panic is a crash.
//!
//! `thumbsmith::process`, `render` and `metadata` catch a panic and return `Error::Internal`, so
//! one bad upload cannot take a server down. For fuzzing that would hide every panic: [`check`]
//! turns `Error::Internal` back into a panic. (libfuzzer-sys also installs a panic hook that
//! aborts, so a panic is reported even inside `catch_unwind`; `check` makes that independent of
//! the hook.)

use thumbsmith::{
    ChromaSubsampling, Color, Error, Fit, Gravity, Kernel, Options, OutputFormat, Position, Rect,
    Strategy, WebpPreset,
};

/// The pixel limit every target runs with: "refused from the header" is part of what is fuzzed,
/// and a 16383² header cannot make a job allocate gigabytes under `-rss_limit_mb`.
pub const MAX_INPUT_PIXELS: u64 = 4_000_000;
/// The largest output side (the default is 16383; `fit: outside` of a 1×4M picture would ask
/// for a 1024×4M output, refused with this limit instead of filling memory).
pub const MAX_OUTPUT_DIMENSION: u32 = 4096;

/// Panics on `Error::Internal` (a caught panic) and returns the result otherwise.
pub fn check<T>(result: thumbsmith::Result<T>) -> thumbsmith::Result<T> {
    if let Err(Error::Internal(message)) = &result {
        panic!("thumbsmith caught a panic: {message}");
    }
    result
}

/// How many leading bytes of a `process` input choose its options ([`options_from`]).
pub const OPTION_BYTES: usize = 24;

// The choices bytes 4 and 5 index (see `options_from`).
const FITS: [Fit; 5] = [
    Fit::Cover,
    Fit::Contain,
    Fit::Fill,
    Fit::Inside,
    Fit::Outside,
];
const KERNELS: [Kernel; 7] = [
    Kernel::Lanczos3,
    Kernel::Lanczos2,
    Kernel::Mitchell,
    Kernel::CatmullRom,
    Kernel::Bilinear,
    Kernel::Box,
    Kernel::Nearest,
];
const GRAVITIES: [Gravity; 9] = [
    Gravity::Centre,
    Gravity::North,
    Gravity::NorthEast,
    Gravity::East,
    Gravity::SouthEast,
    Gravity::South,
    Gravity::SouthWest,
    Gravity::West,
    Gravity::NorthWest,
];

/// The options a `process` input chooses with its first [`OPTION_BYTES`] bytes (missing bytes
/// are zero); the rest of the input is the image. Every value of every byte is a valid choice,
/// so mutations of the header explore options rather than being refused.
///
/// | byte | meaning |
/// |---|---|
/// | 0–1, 2–3 | width, height (u16 LE): bit 15 clear: mod 129, set: the other bits mod 1025; 0 = not given |
/// | 4 | fit (mod 5), kernel ((÷5) mod 7) |
/// | 5 | position mod 13: 0–8 gravity, 9 entropy, 10 attention, 11–12 focal point |
/// | 6, 7 | focal point x, y (÷255) |
/// | 8 | format (bits 0–1: jpeg, png, webp, same), lossless, progressive, subsampling (bits 4–5 mod 3), smart_subsample, optimize_coding off |
/// | 9 | quality 1…100 |
/// | 10 | rotate (bits 0–1 ×90), flip, flop, auto_orient off, to_srgb off, flatten, without_enlargement |
/// | 11 | without_reduction, keep_icc, keep_copyright, keep_gps, thumbhash, dominant_color, content_hash, crop |
/// | 12–15 | crop left, top, width, height as 256ths of the upright image (width/height of what is left) |
/// | 16 | compression_level (mod 10), background alpha 128 (bit 4), rotate_after_resize (bit 5), a turn added to `rotate` (bits 6–7: 0°, 30°, -17.5°, 45°) |
/// | 17–19 | background r, g, b |
/// | 20 | webp_effort (bits 0–2: 0 none, n: n − 1), webp_near_lossless, webp_exact, webp_smart_deblock, format raw (bit 6, over byte 8's), crop_after_resize (bit 7) |
/// | 21 | crop_after_resize left (bits 0–5), webp_preset (bits 6–7: default, photo, picture, drawing) |
/// | 22 | crop_after_resize top (bits 0–5), webp_alpha_quality (bits 6–7: 100, 70, 40, 10) |
/// | 23 | crop_after_resize width and height (mod 64, + 1), in pixels: outside small outputs, refused |
///
/// `metadata` is asked for the upright size only when a crop is chosen (the crop is given in
/// fractions so that it lands inside the image most of the time; bit 7 of byte 12 puts it
/// anywhere, in pixels, to reach the refusal too).
pub fn options_from(header: &[u8], image: &[u8]) -> Options {
    let byte = |i: usize| header.get(i).copied().unwrap_or(0);
    let bit = |i: usize, b: u32| byte(i) & (1 << b) != 0;
    // Small outputs most of the time (the cost of a job grows with its output, and an input
    // that reaches a new path with a 1024² output is as slow to explore as it is rare to matter),
    // 1…1024 when bit 15 is set.
    let size = |i: usize| {
        let raw = u16::from_le_bytes([byte(i), byte(i + 1)]);
        let v = if raw & 0x8000 == 0 {
            raw % 129
        } else {
            (raw & 0x7fff) % 1025
        };
        (v != 0).then_some(u32::from(v))
    };
    let position = match byte(5) % 13 {
        g @ 0..=8 => Position::Gravity(GRAVITIES[usize::from(g)]),
        9 => Position::Smart(Strategy::Entropy),
        10 => Position::Smart(Strategy::Attention),
        _ => Position::Focal {
            x: f64::from(byte(6)) / 255.0,
            y: f64::from(byte(7)) / 255.0,
        },
    };
    let format = [
        OutputFormat::Jpeg,
        OutputFormat::Png,
        OutputFormat::Webp,
        OutputFormat::Same,
    ][usize::from(byte(8) & 3)];
    let chroma_subsampling = [
        ChromaSubsampling::Yuv420,
        ChromaSubsampling::Yuv422,
        ChromaSubsampling::Yuv444,
    ][usize::from((byte(8) >> 4) & 3) % 3];
    let crop = bit(11, 7).then(|| crop_from(header, image)).flatten();
    let format = if bit(20, 6) {
        OutputFormat::Raw
    } else {
        format
    };
    let side = u32::from(byte(23) % 64) + 1;
    let crop_after_resize = bit(20, 7).then(|| Rect {
        left: u32::from(byte(21) & 63),
        top: u32::from(byte(22) & 63),
        width: side,
        height: side,
    });
    Options {
        width: size(0),
        height: size(2),
        fit: FITS[usize::from(byte(4) % 5)],
        kernel: KERNELS[usize::from(byte(4) / 5 % 7)],
        position,
        format,
        lossless: bit(8, 2),
        progressive: bit(8, 3),
        chroma_subsampling,
        smart_subsample: bit(8, 6),
        optimize_coding: !bit(8, 7),
        quality: byte(9) % 100 + 1,
        rotate: f64::from(u16::from(byte(10) & 3) * 90)
            + [0.0, 30.0, -17.5, 45.0][usize::from(byte(16) >> 6)],
        rotate_after_resize: bit(16, 5),
        flip: bit(10, 2),
        flop: bit(10, 3),
        auto_orient: !bit(10, 4),
        to_srgb: !bit(10, 5),
        flatten: bit(10, 6),
        without_enlargement: bit(10, 7),
        without_reduction: bit(11, 0),
        keep_icc: bit(11, 1),
        keep_copyright: bit(11, 2),
        keep_gps: bit(11, 3),
        thumbhash: bit(11, 4),
        dominant_color: bit(11, 5),
        content_hash: bit(11, 6),
        crop,
        crop_after_resize,
        webp_effort: (byte(20) & 7).checked_sub(1),
        webp_near_lossless: bit(20, 3),
        webp_exact: bit(20, 4),
        webp_smart_deblock: bit(20, 5),
        webp_preset: [
            WebpPreset::Default,
            WebpPreset::Photo,
            WebpPreset::Picture,
            WebpPreset::Drawing,
        ][usize::from(byte(21) >> 6)],
        webp_alpha_quality: 100 - (byte(22) >> 6) * 30,
        compression_level: byte(16) % 10,
        background: Color {
            r: byte(17),
            g: byte(18),
            b: byte(19),
            a: if bit(16, 4) { 128 } else { 255 },
        },
        max_input_pixels: MAX_INPUT_PIXELS,
        max_output_dimension: MAX_OUTPUT_DIMENSION,
        ..Options::default()
    }
}

/// The crop rectangle of [`options_from`] (bytes 12–15).
fn crop_from(header: &[u8], image: &[u8]) -> Option<Rect> {
    let byte = |i: usize| u32::from(header.get(i).copied().unwrap_or(0));
    if byte(12) & 0x80 != 0 {
        // Anywhere, in pixels: mostly outside small images, so refused (`InvalidOption`).
        return Some(Rect {
            left: byte(12) & 0x7f,
            top: byte(13),
            width: byte(14) + 1,
            height: byte(15) + 1,
        });
    }
    let meta = thumbsmith::metadata(image).ok()?;
    let (w, h) = (
        u64::from(meta.oriented_width),
        u64::from(meta.oriented_height),
    );
    let part = |total: u64, at: u32| (total * u64::from(at) / 128).min(total.saturating_sub(1));
    let left = part(w, byte(12));
    let top = part(h, byte(13) & 0x7f);
    let span = |rest: u64, b: u32| (rest * (u64::from(b) + 1) / 256).max(1);
    Some(Rect {
        left: left as u32,
        top: top as u32,
        width: span(w - left, byte(14)) as u32,
        height: span(h - top, byte(15)) as u32,
    })
}

/// Magic bytes of each input format, written over an input's first bytes by the decode targets
/// so that every input reaches that format's decoder.
pub mod magic {
    pub const JPEG: &[(usize, &[u8])] = &[(0, &[0xFF, 0xD8, 0xFF])];
    pub const PNG: &[(usize, &[u8])] = &[(0, b"\x89PNG\r\n\x1a\n")];
    pub const WEBP: &[(usize, &[u8])] = &[(0, b"RIFF"), (8, b"WEBP")];
    pub const GIF: &[(usize, &[u8])] = &[(0, b"GIF8")];
    /// Classic little-endian TIFF first; the other byte order and BigTIFF are kept when present.
    pub const TIFF: &[&[(usize, &[u8])]] = &[
        &[(0, b"II*\0")],
        &[(0, b"MM\0*")],
        &[(0, b"II+\0")],
        &[(0, b"MM\0+")],
    ];
    /// A bare codestream first; the ISOBMFF container is kept when present.
    pub const JXL: &[&[(usize, &[u8])]] =
        &[&[(0, &[0xFF, 0x0A])], &[(0, b"\0\0\0\x0CJXL \r\n\x87\n")]];
}

/// `data` with `magic` written at its offsets (grown with zeros when shorter). A GIF keeps its
/// `7a`/`9a` version when it has a valid one, `9a` otherwise.
pub fn forced(data: &[u8], magic: &[(usize, &[u8])]) -> Vec<u8> {
    let mut v = data.to_vec();
    for &(at, bytes) in magic {
        if v.len() < at + bytes.len() {
            v.resize(at + bytes.len(), 0);
        }
        v[at..at + bytes.len()].copy_from_slice(bytes);
    }
    if magic == self::magic::GIF {
        if v.len() < 6 {
            v.resize(6, 0);
        }
        if &v[4..6] != b"7a" && &v[4..6] != b"9a" {
            v[4..6].copy_from_slice(b"9a");
        }
    }
    v
}

/// The decode targets' job: the whole pipeline up to the encoder (`thumbsmith::render`, no encode,
/// so the executions go to the decoder), with a job chosen by `selector` (the input's first byte)
/// so that every decoder path is reached: no resize (a full-size decode), or a box that makes the
/// JPEG decoder pick each of its N/8 scales, optionally a crop window (a part of the picture
/// decoded) and a rotation (the window in stored axes moves).
///
/// | selector bits | meaning |
/// |---|---|
/// | 0–2 | the longest side divided by 1 (no resize), 2, 3, 4, 6, 10, 16 or 24 |
/// | 3–4 | fit: cover square, inside, fill 3:1, outside |
/// | 5–6 | rotate ×90 |
/// | 7 | crop the middle half each way first |
pub fn decode_job(selector: u8, image: &[u8]) {
    let _ = check(thumbsmith::render(image, &decode_options(selector, image)));
}

/// The options of [`decode_job`].
pub fn decode_options(selector: u8, image: &[u8]) -> Options {
    let mut options = Options {
        max_input_pixels: MAX_INPUT_PIXELS,
        max_output_dimension: MAX_OUTPUT_DIMENSION,
        format: OutputFormat::Png,
        rotate: f64::from(u16::from((selector >> 5) & 3) * 90),
        ..Options::default()
    };
    let divisor = [1, 2, 3, 4, 6, 10, 16, 24][usize::from(selector & 7)];
    if divisor > 1 || selector & 0x80 != 0 {
        // The header is read by `render` again; reading it here too costs a fraction of a decode.
        let Ok(meta) = check(thumbsmith::metadata(image)) else {
            // Still run the job: `render` must refuse what `metadata` refused.
            return options;
        };
        let (mut w, mut h) = (meta.oriented_width, meta.oriented_height);
        if options.rotate % 180.0 != 0.0 {
            (w, h) = (h, w);
        }
        if selector & 0x80 != 0 {
            options.crop = Some(Rect {
                left: w / 4,
                top: h / 4,
                width: (w / 2).max(1),
                height: (h / 2).max(1),
            });
            (w, h) = ((w / 2).max(1), (h / 2).max(1));
        }
        if divisor > 1 {
            let side = (w.max(h) / divisor).clamp(1, 1024);
            let (fit, width, height) = match (selector >> 3) & 3 {
                0 => (Fit::Cover, side, side),
                1 => (Fit::Inside, side, side),
                2 => (Fit::Fill, side, (side / 3).max(1)),
                _ => (Fit::Outside, side, side),
            };
            options.fit = fit;
            options.width = Some(width);
            options.height = Some(height);
        }
    }
    options
}

/// A decode target's body for a format with several signatures: the image as it is when it starts
/// with one of `magics`, else with the first forced.
pub fn decode_target_any(data: &[u8], magics: &[&[(usize, &[u8])]]) {
    let Some((&selector, image)) = data.split_first() else {
        return;
    };
    let has = |magic: &[(usize, &[u8])]| {
        magic
            .iter()
            .all(|&(at, bytes)| image.get(at..at + bytes.len()) == Some(bytes))
    };
    if magics.iter().any(|m| has(m)) {
        decode_job(selector, image);
    } else {
        decode_job(selector, &forced(image, magics[0]));
    }
}

/// A decode target's body: the first byte selects the job ([`decode_job`]), the rest is the
/// image with `magic` forced.
pub fn decode_target(data: &[u8], magic: &[(usize, &[u8])]) {
    let Some((&selector, image)) = data.split_first() else {
        return;
    };
    decode_job(selector, &forced(image, magic));
}
