//! The exact reference avatar: full-resolution decode → EXIF orientation → sRGB (f32) → alpha
//! flattened on white → f64 Lanczos3 over the exact centre-crop window. Slow and simple on purpose.

use std::io::Cursor;

use moxcms::{ColorProfile, DataColorSpace, Layout, TransformOptions};

/// An sRGB-encoded image with channels in 0–1 (values outside 0–1 can appear after Lanczos
/// ringing; they are kept until the scorer clamps them).
#[derive(Debug, Clone, PartialEq)]
pub struct FloatImage {
    pub width: u32,
    pub height: u32,
    pub pixels: Vec<[f32; 3]>,
}

impl FloatImage {
    fn at(&self, x: u32, y: u32) -> [f32; 3] {
        self.pixels[y as usize * self.width as usize + x as usize]
    }
}

type Result<T> = std::result::Result<T, String>;

/// What a decoder hands over before colour management: interleaved samples in 0–1.
struct Decoded {
    width: u32,
    height: u32,
    layout: SampleLayout,
    samples: Vec<f32>,
    icc: Option<Vec<u8>>,
    exif: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum SampleLayout {
    Gray,
    GrayAlpha,
    Rgb,
    Rgba,
    /// Ink amounts, 0 = no ink (jpeg-decoder undoes the Adobe inversion).
    Cmyk,
}

impl SampleLayout {
    fn channels(self) -> usize {
        match self {
            SampleLayout::Gray => 1,
            SampleLayout::GrayAlpha => 2,
            SampleLayout::Rgb => 3,
            SampleLayout::Rgba | SampleLayout::Cmyk => 4,
        }
    }
}

/// The reference avatar of `input`: `width`×`height`, cover, centre.
pub fn reference_avatar(input: &[u8], width: u32, height: u32) -> Result<FloatImage> {
    let source = source_image(input)?;
    let window = cover_window(source.width, source.height, width, height);
    Ok(lanczos3_resize(&source, window, width, height))
}

/// The upright, sRGB, flattened source image at full resolution.
pub fn source_image(input: &[u8]) -> Result<FloatImage> {
    let decoded = decode(input)?;
    let orientation = decoded.exif.as_deref().map_or(1, exif_orientation);
    let image = to_srgb_flattened(decoded)?;
    Ok(orient(&image, orientation))
}

fn decode(input: &[u8]) -> Result<Decoded> {
    match input {
        [0xFF, 0xD8, 0xFF, ..] => decode_jpeg(input),
        [0x89, b'P', b'N', b'G', ..] => decode_png(input),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => decode_webp(input),
        [b'G', b'I', b'F', b'8', ..] => decode_gif(input),
        _ => Err("not a JPEG, PNG, WebP or GIF".into()),
    }
}

fn unit8(bytes: &[u8]) -> Vec<f32> {
    bytes.iter().map(|&b| f32::from(b) / 255.0).collect()
}

fn unit16_be(bytes: &[u8]) -> Vec<f32> {
    bytes
        .chunks_exact(2)
        .map(|b| f32::from(u16::from_be_bytes([b[0], b[1]])) / 65535.0)
        .collect()
}

fn decode_jpeg(input: &[u8]) -> Result<Decoded> {
    let mut decoder = jpeg_decoder::Decoder::new(input);
    let pixels = decoder.decode().map_err(|e| format!("jpeg: {e}"))?;
    let info = decoder.info().ok_or("jpeg: no header")?;
    let (layout, samples) = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => (SampleLayout::Gray, unit8(&pixels)),
        // jpeg-decoder gives 16-bit samples in native byte order.
        jpeg_decoder::PixelFormat::L16 => (
            SampleLayout::Gray,
            pixels
                .chunks_exact(2)
                .map(|b| f32::from(u16::from_ne_bytes([b[0], b[1]])) / 65535.0)
                .collect(),
        ),
        jpeg_decoder::PixelFormat::RGB24 => (SampleLayout::Rgb, unit8(&pixels)),
        jpeg_decoder::PixelFormat::CMYK32 => (SampleLayout::Cmyk, unit8(&pixels)),
    };
    Ok(Decoded {
        width: u32::from(info.width),
        height: u32::from(info.height),
        layout,
        samples,
        icc: decoder.icc_profile(),
        exif: decoder.exif_data().map(<[u8]>::to_vec),
    })
}

fn decode_png(input: &[u8]) -> Result<Decoded> {
    let mut decoder = png::Decoder::new(Cursor::new(input));
    // Palette → RGB(A), tRNS → alpha, low bit depths → 8; 16-bit stays 16-bit (no rounding).
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(|e| format!("png: {e}"))?;
    let mut buf = vec![0; reader.output_buffer_size().ok_or("png: image too large")?];
    let frame = reader
        .next_frame(&mut buf)
        .map_err(|e| format!("png: {e}"))?;
    buf.truncate(frame.buffer_size());
    let layout = match frame.color_type {
        png::ColorType::Grayscale => SampleLayout::Gray,
        png::ColorType::GrayscaleAlpha => SampleLayout::GrayAlpha,
        png::ColorType::Rgb => SampleLayout::Rgb,
        png::ColorType::Rgba => SampleLayout::Rgba,
        png::ColorType::Indexed => return Err("png: palette left unexpanded".into()),
    };
    let samples = match frame.bit_depth {
        png::BitDepth::Sixteen => unit16_be(&buf),
        png::BitDepth::Eight => unit8(&buf),
        other => return Err(format!("png: {other:?}-bit samples left unexpanded")),
    };
    let info = reader.info();
    Ok(Decoded {
        width: frame.width,
        height: frame.height,
        layout,
        samples,
        icc: info.icc_profile.as_ref().map(|p| p.to_vec()),
        exif: info.exif_metadata.as_ref().map(|p| p.to_vec()),
    })
}

/// image-webp is also the core's WebP decoder: lossless output is exact whoever decodes it; for
/// lossy WebP there is no other pure-Rust decoder to cross-check with (noted in RESULTS.md).
fn decode_webp(input: &[u8]) -> Result<Decoded> {
    let mut decoder =
        image_webp::WebPDecoder::new(Cursor::new(input)).map_err(|e| format!("webp: {e}"))?;
    let (width, height) = decoder.dimensions();
    let layout = if decoder.has_alpha() {
        SampleLayout::Rgba
    } else {
        SampleLayout::Rgb
    };
    let mut buf = vec![
        0;
        decoder
            .output_buffer_size()
            .ok_or("webp: image too large")?
    ];
    decoder
        .read_image(&mut buf)
        .map_err(|e| format!("webp: {e}"))?;
    Ok(Decoded {
        width,
        height,
        layout,
        samples: unit8(&buf),
        icc: decoder.icc_profile().ok().flatten(),
        exif: decoder.exif_metadata().ok().flatten(),
    })
}

/// The first frame, placed on the logical screen (transparent where the frame does not cover it).
fn decode_gif(input: &[u8]) -> Result<Decoded> {
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options
        .read_info(Cursor::new(input))
        .map_err(|e| format!("gif: {e}"))?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    let frame = decoder
        .read_next_frame()
        .map_err(|e| format!("gif: {e}"))?
        .ok_or("gif: no frame")?;
    let mut canvas = vec![0u8; width as usize * height as usize * 4];
    let frame_row = usize::from(frame.width) * 4;
    for (row, src) in frame.buffer.chunks_exact(frame_row).enumerate() {
        let y = usize::from(frame.top) + row;
        if y >= height as usize {
            break;
        }
        let x0 = usize::from(frame.left).min(width as usize);
        let n = (width as usize - x0).min(usize::from(frame.width));
        let at = (y * width as usize + x0) * 4;
        canvas[at..at + n * 4].copy_from_slice(&src[..n * 4]);
    }
    Ok(Decoded {
        width,
        height,
        layout: SampleLayout::Rgba,
        samples: unit8(&canvas),
        icc: None,
        exif: None,
    })
}

/// EXIF orientation 1–8 from a TIFF block (with or without the `Exif\0\0` prefix); 1 if absent.
fn exif_orientation(exif: &[u8]) -> u8 {
    let tiff = exif.strip_prefix(b"Exif\0\0").unwrap_or(exif);
    exif::Reader::new()
        .read_raw(tiff.to_vec())
        .ok()
        .and_then(|e| {
            e.get_field(exif::Tag::Orientation, exif::In::PRIMARY)
                .and_then(|f| f.value.get_uint(0))
        })
        .filter(|o| (1..=8).contains(o))
        .map_or(1, |o| o as u8)
}

/// Colour to sRGB in f32, then alpha flattened on white (the same job every library is given).
fn to_srgb_flattened(decoded: Decoded) -> Result<FloatImage> {
    let Decoded {
        width,
        height,
        layout,
        samples,
        icc,
        ..
    } = decoded;
    let n = width as usize * height as usize;
    let channels = layout.channels();
    if samples.len() != n * channels {
        return Err(format!(
            "decoded {} samples for {width}×{height}×{channels}",
            samples.len()
        ));
    }
    let profile = icc.and_then(|bytes| ColorProfile::new_from_slice(&bytes).ok());
    let alpha: Option<Vec<f32>> = match layout {
        SampleLayout::GrayAlpha | SampleLayout::Rgba => Some(
            samples
                .chunks_exact(channels)
                .map(|p| p[channels - 1])
                .collect(),
        ),
        _ => None,
    };
    let rgb: Vec<[f32; 3]> = match layout {
        // The task's rule for CMYK is the naive formula, whatever profile is embedded.
        SampleLayout::Cmyk => samples
            .chunks_exact(4)
            .map(|p| {
                let k = 1.0 - p[3];
                [(1.0 - p[0]) * k, (1.0 - p[1]) * k, (1.0 - p[2]) * k]
            })
            .collect(),
        SampleLayout::Gray | SampleLayout::GrayAlpha => {
            let gray: Vec<f32> = samples.iter().step_by(channels).copied().collect();
            match profile.filter(|p| p.color_space == DataColorSpace::Gray) {
                Some(p) => transform(&p, Layout::Gray, &gray)?,
                None => gray.iter().map(|&g| [g, g, g]).collect(),
            }
        }
        SampleLayout::Rgb | SampleLayout::Rgba => {
            let rgb: Vec<f32> = samples
                .chunks_exact(channels)
                .flat_map(|p| [p[0], p[1], p[2]])
                .collect();
            match profile.filter(|p| p.color_space == DataColorSpace::Rgb) {
                Some(p) => transform(&p, Layout::Rgb, &rgb)?,
                None => rgb.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect(),
            }
        }
    };
    let pixels = match alpha {
        Some(alpha) => rgb
            .iter()
            .zip(alpha)
            .map(|(c, a)| c.map(|v| v * a + (1.0 - a)))
            .collect(),
        None => rgb,
    };
    Ok(FloatImage {
        width,
        height,
        pixels,
    })
}

/// The embedded profile → sRGB, in f32 (no 8-bit lookup tables).
fn transform(profile: &ColorProfile, layout: Layout, samples: &[f32]) -> Result<Vec<[f32; 3]>> {
    let executor = profile
        .create_transform_f32(
            layout,
            &ColorProfile::new_srgb(),
            Layout::Rgb,
            TransformOptions::default(),
        )
        .map_err(|e| format!("moxcms: {e}"))?;
    let in_channels = layout.channels();
    let pixels = samples.len() / in_channels;
    let mut out = vec![0f32; pixels * 3];
    // Row-sized chunks keep the executor's scratch small on 18-megapixel photos.
    const CHUNK: usize = 4096;
    for (src, dst) in samples
        .chunks(CHUNK * in_channels)
        .zip(out.chunks_mut(CHUNK * 3))
    {
        executor
            .transform(src, dst)
            .map_err(|e| format!("moxcms: {e}"))?;
    }
    Ok(out.chunks_exact(3).map(|p| [p[0], p[1], p[2]]).collect())
}

/// Applies EXIF orientation `o` (1–8): the result is the image as it is meant to be shown.
pub fn orient(image: &FloatImage, o: u8) -> FloatImage {
    let (w, h) = (image.width, image.height);
    let swaps = o >= 5;
    let (ow, oh) = if swaps { (h, w) } else { (w, h) };
    let mut pixels = Vec::with_capacity(image.pixels.len());
    for y in 0..oh {
        for x in 0..ow {
            // Where displayed pixel (x, y) is stored (EXIF 2.3, table of the Orientation tag).
            let (sx, sy) = match o {
                2 => (w - 1 - x, y),
                3 => (w - 1 - x, h - 1 - y),
                4 => (x, h - 1 - y),
                5 => (y, x),
                6 => (y, h - 1 - x),
                7 => (w - 1 - y, h - 1 - x),
                8 => (w - 1 - y, x),
                _ => (x, y),
            };
            pixels.push(image.at(sx, sy));
        }
    }
    FloatImage {
        width: ow,
        height: oh,
        pixels,
    }
}

/// The exact cover window `[x, y, w, h]` (sub-pixel) of a `width`×`height` source for a
/// `target_w`×`target_h` output, centred.
pub fn cover_window(width: u32, height: u32, target_w: u32, target_h: u32) -> [f64; 4] {
    let (w, h) = (f64::from(width), f64::from(height));
    let scale = (f64::from(target_w) / w).max(f64::from(target_h) / h);
    let (ww, wh) = (
        (f64::from(target_w) / scale).min(w),
        (f64::from(target_h) / scale).min(h),
    );
    [(w - ww) / 2.0, (h - wh) / 2.0, ww, wh]
}

fn lanczos3(x: f64) -> f64 {
    let x = x.abs();
    if x < 1e-12 {
        1.0
    } else if x < 3.0 {
        let px = std::f64::consts::PI * x;
        3.0 * px.sin() * (px / 3.0).sin() / (px * px)
    } else {
        0.0
    }
}

/// For each output sample along one axis: the first source index and the normalised weights.
/// The kernel is stretched by the scale when reducing (a true low-pass filter), and reads the
/// real pixels around the window, not a copy of its edge; at the image border the weights that
/// would fall outside are dropped and the rest renormalised.
fn axis_weights(in_size: u32, start: f64, span: f64, out_size: u32) -> Vec<(usize, Vec<f64>)> {
    let scale = span / f64::from(out_size);
    let stretch = scale.max(1.0);
    let support = 3.0 * stretch;
    (0..out_size)
        .map(|i| {
            let centre = start + (f64::from(i) + 0.5) * scale;
            let first = ((centre - support).floor().max(0.0)) as usize;
            let last = ((centre + support).ceil() as usize).min(in_size as usize);
            let mut weights: Vec<f64> = (first..last)
                .map(|j| lanczos3((j as f64 + 0.5 - centre) / stretch))
                .collect();
            let sum: f64 = weights.iter().sum();
            weights.iter_mut().for_each(|w| *w /= sum);
            (first, weights)
        })
        .collect()
}

/// Separable Lanczos3 of the sub-pixel `window` of `image` to `out_w`×`out_h`, accumulated in f64.
pub fn lanczos3_resize(image: &FloatImage, window: [f64; 4], out_w: u32, out_h: u32) -> FloatImage {
    let [x0, y0, ww, wh] = window;
    let cols = axis_weights(image.width, x0, ww, out_w);
    let rows = axis_weights(image.height, y0, wh, out_h);
    // Only the source rows some output row reads are filtered horizontally.
    let row_lo = rows.iter().map(|(first, _)| *first).min().unwrap_or(0);
    let row_hi = rows
        .iter()
        .map(|(first, w)| first + w.len())
        .max()
        .unwrap_or(0);
    let mut horizontal = vec![[0f64; 3]; (row_hi - row_lo) * out_w as usize];
    for y in row_lo..row_hi {
        let src = &image.pixels[y * image.width as usize..(y + 1) * image.width as usize];
        let dst = &mut horizontal[(y - row_lo) * out_w as usize..(y - row_lo + 1) * out_w as usize];
        for (out, (first, weights)) in dst.iter_mut().zip(&cols) {
            for (p, w) in src[*first..].iter().zip(weights) {
                for c in 0..3 {
                    out[c] += f64::from(p[c]) * w;
                }
            }
        }
    }
    let mut pixels = Vec::with_capacity(out_w as usize * out_h as usize);
    for (first, weights) in &rows {
        for x in 0..out_w as usize {
            let mut acc = [0f64; 3];
            for (k, w) in weights.iter().enumerate() {
                let p = horizontal[(first + k - row_lo) * out_w as usize + x];
                for c in 0..3 {
                    acc[c] += p[c] * w;
                }
            }
            pixels.push(acc.map(|v| v as f32));
        }
    }
    FloatImage {
        width: out_w,
        height: out_h,
        pixels,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(w: u32, h: u32) -> FloatImage {
        FloatImage {
            width: w,
            height: h,
            pixels: (0..h)
                .flat_map(|y| (0..w).map(move |x| [x as f32 / w as f32, y as f32 / h as f32, 0.5]))
                .collect(),
        }
    }

    #[test]
    fn cover_window_is_the_centred_exact_crop() {
        assert_eq!(
            cover_window(4000, 3000, 512, 512),
            [500.0, 0.0, 3000.0, 3000.0]
        );
        assert_eq!(
            cover_window(4001, 3000, 512, 512),
            [500.5, 0.0, 3000.0, 3000.0]
        );
        assert_eq!(cover_window(30, 5000, 512, 512), [0.0, 2485.0, 30.0, 30.0]);
        assert_eq!(cover_window(2, 3, 512, 512), [0.0, 0.5, 2.0, 2.0]);
    }

    #[test]
    fn weights_sum_to_one_and_stretch_when_reducing() {
        for (first, w) in axis_weights(4000, 500.0, 3000.0, 512) {
            assert!((w.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            // 3000/512 ≈ 5.86: support ±17.6 source pixels → about 36 taps, fewer at no border here.
            assert!((35..=37).contains(&w.len()), "{} taps at {first}", w.len());
        }
    }

    #[test]
    fn same_size_resize_is_the_identity() {
        let image = ramp(64, 48);
        let out = lanczos3_resize(&image, [0.0, 0.0, 64.0, 48.0], 64, 48);
        for (a, b) in image.pixels.iter().zip(&out.pixels) {
            for c in 0..3 {
                assert!((a[c] - b[c]).abs() < 1e-6, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn a_linear_ramp_stays_linear_inside_the_image() {
        // Lanczos reproduces linear functions exactly away from the borders.
        let image = ramp(400, 400);
        let out = lanczos3_resize(&image, [100.0, 100.0, 200.0, 200.0], 50, 50);
        let p = out.pixels[25 * 50 + 25];
        // Output pixel 25 is centred on source coordinate 100 + 25.5 × 4; pixel x holds the
        // ramp's value at its own centre x + 0.5, i.e. x / 400.
        let expected = (100.0 + 25.5 * 4.0 - 0.5) / 400.0;
        assert!((f64::from(p[0]) - expected).abs() < 1e-6, "{p:?}");
        assert!((f64::from(p[1]) - expected).abs() < 1e-6, "{p:?}");
    }

    #[test]
    fn each_orientation_is_undone() {
        // Store an image transformed as a camera would, then check orient() undoes it.
        let upright = ramp(5, 3);
        for o in 1..=8u8 {
            // The inverse of each mapping: for o = 6 the camera stored it rotated 90° CCW, etc.
            let stored = match o {
                1 => upright.clone(),
                2 => orient(&upright, 2),
                3 => orient(&upright, 3),
                4 => orient(&upright, 4),
                5 => orient(&upright, 5),
                6 => orient(&upright, 8),
                7 => orient(&upright, 7),
                8 => orient(&upright, 6),
                _ => unreachable!(),
            };
            assert_eq!(orient(&stored, o), upright, "orientation {o}");
        }
    }
}
