//! Helpers shared by the integration tests: fixtures, decoding results, comparing pixels.
#![allow(dead_code)]

use std::path::PathBuf;

use thumbsmith::{Options, Output};

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(name)).unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

pub fn options(json: &str) -> Options {
    Options::from_json(json).unwrap_or_else(|e| panic!("options {json}: {e}"))
}

pub fn run(name: &str, json: &str) -> Output {
    thumbsmith::process(&fixture(name), &options(json)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `bytes` through the pipeline with `json`'s options, and the output decoded.
pub fn processed(bytes: &[u8], json: &str) -> Pixels {
    let output =
        thumbsmith::process(bytes, &options(json)).unwrap_or_else(|e| panic!("{json}: {e}"));
    decode(&output.data)
}

/// `data` (`width`×`height`, 8-bit gray, gray+alpha, RGB or RGBA by `channels`) as a PNG.
pub fn encode_png(width: u32, height: u32, channels: usize, data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(match channels {
        1 => png::ColorType::Grayscale,
        2 => png::ColorType::GrayscaleAlpha,
        3 => png::ColorType::Rgb,
        _ => png::ColorType::Rgba,
    });
    let mut writer = encoder.write_header().unwrap();
    writer.write_image_data(data).unwrap();
    writer.finish().unwrap();
    out
}

/// Decoded pixels of an output, with an independent decoder (png / zune-jpeg), not ours.
pub struct Pixels {
    pub width: u32,
    pub height: u32,
    pub channels: usize,
    pub data: Vec<u8>,
}

impl Pixels {
    pub fn at(&self, x: u32, y: u32) -> &[u8] {
        let i = (y as usize * self.width as usize + x as usize) * self.channels;
        &self.data[i..i + self.channels]
    }
}

pub fn decode(bytes: &[u8]) -> Pixels {
    if bytes.starts_with(b"\x89PNG") {
        let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        buf.truncate(info.buffer_size());
        return Pixels {
            width: info.width,
            height: info.height,
            channels: info.color_type.samples(),
            data: buf,
        };
    }
    // jpeg-decoder, not zune-jpeg (what thumbsmith decodes with), so outputs are checked by a
    // decoder that shares no code with the pipeline.
    let mut decoder = jpeg_decoder::Decoder::new(std::io::Cursor::new(bytes));
    let data = decoder.decode().unwrap();
    let info = decoder.info().unwrap();
    let channels = data.len() / (info.width as usize * info.height as usize);
    Pixels {
        width: u32::from(info.width),
        height: u32::from(info.height),
        channels,
        data,
    }
}

/// (max, mean) absolute difference of two same-sized images.
pub fn diff(a: &Pixels, b: &Pixels) -> (u8, f64) {
    assert_eq!(
        (a.width, a.height, a.channels),
        (b.width, b.height, b.channels),
        "image shapes differ"
    );
    let mut max = 0u8;
    let mut sum = 0u64;
    for (x, y) in a.data.iter().zip(&b.data) {
        let d = x.abs_diff(*y);
        max = max.max(d);
        sum += u64::from(d);
    }
    (max, sum as f64 / a.data.len() as f64)
}
