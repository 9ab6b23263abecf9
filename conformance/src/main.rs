//! Writes thumbsmith's outputs over a matrix of options (or the avatars of a folder of photos) and
//! decodes each with the Rust decoders its users have. `check.py` decodes the same files with
//! libjpeg-turbo, libpng, libwebp and Java ImageIO and compares them all.
//!
//! Every decode is written as `<output file>.<decoder>.raw`: width, height and the source's
//! channel count as three little-endian u32, then the pixels as RGBA8 (gray replicated, missing
//! alpha opaque), or `<output file>.<decoder>.err` with the decoder's error.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["matrix", out] => matrix(Path::new(out)),
        ["avatars", photos, out] => avatars(Path::new(photos), Path::new(out)),
        _ => {
            Err("usage: conformance matrix OUT_DIR | conformance avatars PHOTO_DIR OUT_DIR".into())
        }
    };
    if let Err(e) = result {
        eprintln!("conformance: {e}");
        std::process::exit(1);
    }
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// A deterministic 640×480 picture that exercises an encoder: smooth gradients, saturated
/// edges in every direction (where chroma subsampling shows), fine text-like detail and noise.
fn scene(alpha: bool) -> Vec<u8> {
    let (w, h) = (640u32, 480u32);
    let channels = if alpha { 4 } else { 3 };
    let mut data = Vec::with_capacity((w * h) as usize * channels);
    let mut seed = 0x2545_f491_u32;
    for y in 0..h {
        for x in 0..w {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let noise = (seed % 17) as i32 - 8;
            let (fx, fy) = (x as f32 / w as f32, y as f32 / h as f32);
            let mut rgb = [
                (fx * 255.0) as i32,
                (fy * 255.0) as i32,
                ((1.0 - fx) * 200.0) as i32,
            ];
            let (cx, cy) = (x as i32 - 420, y as i32 - 200);
            if cx * cx + cy * cy < 110 * 110 {
                rgb = [230, 20, 40]; // a red disc on the gradient
            }
            if (100..300).contains(&x) && (300..420).contains(&y) && (x / 4 + y / 4) % 2 == 0 {
                rgb = [20, 40, 220]; // a blue checkerboard of 4-pixel squares
            }
            if (40..600).contains(&x) && (40..60).contains(&y) && (x % 7 < 2 || y % 5 == 0) {
                rgb = [250, 250, 250]; // thin light strokes
            }
            for c in rgb {
                data.push((c + noise).clamp(0, 255) as u8);
            }
            if alpha {
                data.push(((x + y) * 255 / (w + h)) as u8);
            }
        }
    }
    encode_png(w, h, channels, &data)
}

fn encode_png(width: u32, height: u32, channels: usize, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(match channels {
        1 => png::ColorType::Grayscale,
        2 => png::ColorType::GrayscaleAlpha,
        3 => png::ColorType::Rgb,
        _ => png::ColorType::Rgba,
    });
    let mut writer = encoder.write_header().expect("png header");
    writer.write_image_data(data).expect("png data");
    writer.finish().expect("png end");
    out
}

/// The sizes every setting is written at: one pixel, sizes that are no multiple of an MCU, a
/// plain odd size, and the avatar.
const SIZES: [(u32, u32); 4] = [(1, 1), (7, 3), (33, 17), (512, 512)];

fn matrix(out: &Path) -> Result<()> {
    std::fs::create_dir_all(out)?;
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures");
    let fixture = |name: &str| std::fs::read(fixtures.join(name));
    let rgb = scene(false);
    let rgba = scene(true);
    let gray = fixture("patches-gray.jpg")?;
    let mut cases: Vec<(String, &[u8], Value)> = Vec::new();
    for (w, h) in SIZES {
        let size = json!({"width": w, "height": h, "fit": "fill"});
        let with = |extra: Value| {
            let mut options = size.clone();
            options
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            options
        };
        for progressive in [false, true] {
            for sampling in ["4:2:0", "4:2:2", "4:4:4", "gray"] {
                for optimize in [true, false] {
                    for quality in [1, 50, 80, 100] {
                        let name = format!(
                            "jpeg-{}-{}-{}-q{quality}-{w}x{h}",
                            if progressive {
                                "progressive"
                            } else {
                                "baseline"
                            },
                            sampling.replace(':', ""),
                            if optimize { "optimized" } else { "standard" },
                        );
                        let mut options = json!({"format": "jpeg", "quality": quality,
                            "progressive": progressive, "optimize_coding": optimize});
                        let source: &[u8] = if sampling == "gray" {
                            &gray
                        } else {
                            options["chroma_subsampling"] = sampling.into();
                            &rgb
                        };
                        cases.push((name, source, with(options)));
                    }
                }
            }
        }
        for (what, source) in [
            ("rgb", &rgb[..]),
            ("rgba", &rgba[..]),
            ("gray-alpha", &fixture("gray-alpha.png")?[..]),
            ("from16bit", &fixture("rgb16.png")?[..]),
            ("from-palette", &fixture("palette-trns.png")?[..]),
        ] {
            for level in [0, 6, 9] {
                let name = format!("png-{what}-z{level}-{w}x{h}");
                let options = with(json!({"format": "png", "compression_level": level}));
                cases.push((name, leak(source), options));
            }
        }
        for (what, source) in [("rgb", &rgb), ("rgba", &rgba)] {
            for quality in [1, 50, 80, 100] {
                let name = format!("webp-lossy-{what}-q{quality}-{w}x{h}");
                let options = with(json!({"format": "webp", "quality": quality}));
                cases.push((name, &source[..], options));
            }
            let name = format!("webp-lossless-{what}-{w}x{h}");
            cases.push((
                name,
                &source[..],
                with(json!({"format": "webp", "lossless": true})),
            ));
        }
    }
    let mut manifest = Vec::new();
    for (name, source, options) in cases {
        let parsed = thumbsmith::Options::from_json(&options.to_string())?;
        let output = thumbsmith::process(source, &parsed).map_err(|e| format!("{name}: {e}"))?;
        let file = format!("{name}.{}", output.format.as_str());
        std::fs::write(out.join(&file), &output.data)?;
        decode_all(out, &file, &output.data)?;
        manifest.push(json!({"file": file, "options": options}));
    }
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    println!(
        "conformance: {} outputs in {}",
        manifest.len(),
        out.display()
    );
    Ok(())
}

/// The few fixture buffers live for the whole run.
fn leak(bytes: &[u8]) -> &'static [u8] {
    Box::leak(bytes.to_vec().into_boxed_slice())
}

/// The default avatar (512×512 cover, JPEG q80) of every readable file under `photos`.
fn avatars(photos: &Path, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out)?;
    let mut files = Vec::new();
    walk(photos, &mut files)?;
    files.sort();
    let options = thumbsmith::Options::avatar(512);
    let (mut manifest, mut refused) = (Vec::new(), 0);
    for path in files {
        let Ok(output) = thumbsmith::process(&std::fs::read(&path)?, &options) else {
            refused += 1;
            continue;
        };
        let stem = path
            .strip_prefix(photos)?
            .to_string_lossy()
            .replace('/', "_");
        let file = format!("{stem}.avatar.jpeg");
        std::fs::write(out.join(&file), &output.data)?;
        decode_all(out, &file, &output.data)?;
        manifest.push(json!({"file": file, "options": {"source": path}}));
    }
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_vec_pretty(&manifest)?,
    )?;
    println!(
        "conformance: {} avatars ({refused} inputs refused)",
        manifest.len()
    );
    Ok(())
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// Pixels as decoded: width, height, channels (1–4) and the samples.
struct Decoded(u32, u32, usize, Vec<u8>);

/// A decoder under test: the file's bytes to its pixels, or the decoder's error.
type Decoder = fn(&[u8]) -> std::result::Result<Decoded, String>;

fn decode_all(out: &Path, file: &str, bytes: &[u8]) -> Result<()> {
    let decoders: &[(&str, Decoder)] = match file.rsplit('.').next() {
        Some("jpeg") => &[
            ("image", with_image),
            ("jpeg-decoder", with_jpeg_decoder),
            ("zune-jpeg", with_zune_jpeg),
        ],
        Some("png") => &[("image", with_image), ("png", with_png)],
        Some("webp") => &[("image", with_image), ("image-webp", with_image_webp)],
        other => return Err(format!("{file}: no decoders for {other:?}").into()),
    };
    for (decoder, decode) in decoders {
        let base = out.join(format!("{file}.{decoder}"));
        let named = |extension: &str| format!("{}.{extension}", base.display());
        // A decoder that panics is a decoder that disagrees.
        match std::panic::catch_unwind(|| decode(bytes)).unwrap_or_else(|_| Err("panic".into())) {
            Ok(decoded) => std::fs::write(named("raw"), rgba(decoded))?,
            Err(e) => std::fs::write(named("err"), e)?,
        }
    }
    Ok(())
}

fn rgba(Decoded(width, height, channels, data): Decoded) -> Vec<u8> {
    let mut out = Vec::with_capacity(12 + data.len() / channels * 4);
    for n in [width, height, channels as u32] {
        out.extend_from_slice(&n.to_le_bytes());
    }
    for px in data.chunks_exact(channels) {
        out.extend_from_slice(&match *px {
            [g] => [g, g, g, 255],
            [g, a] => [g, g, g, a],
            [r, g, b] => [r, g, b, 255],
            [r, g, b, a] => [r, g, b, a],
            _ => unreachable!("1–4 channels"),
        });
    }
    out
}

fn with_image(bytes: &[u8]) -> std::result::Result<Decoded, String> {
    let image = image::load_from_memory(bytes).map_err(|e| e.to_string())?;
    let channels = usize::from(image.color().channel_count());
    let (w, h) = (image.width(), image.height());
    let data = match channels {
        1 => image.to_luma8().into_raw(),
        2 => image.to_luma_alpha8().into_raw(),
        3 => image.to_rgb8().into_raw(),
        _ => image.to_rgba8().into_raw(),
    };
    Ok(Decoded(w, h, channels, data))
}

fn with_jpeg_decoder(bytes: &[u8]) -> std::result::Result<Decoded, String> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    let data = decoder.decode().map_err(|e| e.to_string())?;
    let info = decoder.info().ok_or("no frame")?;
    let channels = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => 1,
        jpeg_decoder::PixelFormat::RGB24 => 3,
        other => return Err(format!("unexpected pixel format {other:?}")),
    };
    Ok(Decoded(
        info.width.into(),
        info.height.into(),
        channels,
        data,
    ))
}

fn with_zune_jpeg(bytes: &[u8]) -> std::result::Result<Decoded, String> {
    let mut decoder = zune_jpeg::JpegDecoder::new(zune_core::bytestream::ZCursor::new(bytes));
    decoder.decode_headers().map_err(|e| e.to_string())?;
    let gray = decoder.input_colorspace() == Some(zune_core::colorspace::ColorSpace::Luma);
    let colorspace = if gray {
        zune_core::colorspace::ColorSpace::Luma
    } else {
        zune_core::colorspace::ColorSpace::RGB
    };
    let options = zune_core::options::DecoderOptions::default().jpeg_set_out_colorspace(colorspace);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        zune_core::bytestream::ZCursor::new(bytes),
        options,
    );
    let data = decoder.decode().map_err(|e| e.to_string())?;
    let (w, h) = decoder.dimensions().ok_or("no frame")?;
    Ok(Decoded(w as u32, h as u32, if gray { 1 } else { 3 }, data))
}

fn with_png(bytes: &[u8]) -> std::result::Result<Decoded, String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let mut data = vec![0; reader.output_buffer_size().ok_or("too large")?];
    let frame = reader.next_frame(&mut data).map_err(|e| e.to_string())?;
    data.truncate(frame.buffer_size());
    Ok(Decoded(
        frame.width,
        frame.height,
        frame.color_type.samples(),
        data,
    ))
}

fn with_image_webp(bytes: &[u8]) -> std::result::Result<Decoded, String> {
    let mut decoder =
        image_webp::WebPDecoder::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let (w, h) = decoder.dimensions();
    let channels = if decoder.has_alpha() { 4 } else { 3 };
    let mut data = vec![0; decoder.output_buffer_size().ok_or("too large")?];
    decoder.read_image(&mut data).map_err(|e| e.to_string())?;
    Ok(Decoded(w, h, channels, data))
}
