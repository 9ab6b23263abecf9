//! # thumbsmith
//!
//! Crop and thumbnail images with one pipeline, the same in Rust, Python, Node and the browser:
//!
//! sniff → decode → EXIF orientation → colour to sRGB → geometry (crop, fit, gravity, smart crop)
//! → SIMD resize (fast_image_resize) → encode, metadata stripped, limits checked from the header.
//!
//! ```no_run
//! let photo = std::fs::read("photo.jpg")?;
//! // The avatar job: 512×512 cover crop, upright, sRGB, JPEG q80, no EXIF/GPS.
//! let avatar = thumbsmith::process(&photo, &thumbsmith::Options::avatar(512))?;
//! std::fs::write("avatar.jpg", &avatar.data)?;
//!
//! // What that job does (decoder, DCT scale, window, colour and flatten order, encode), from the
//! // header alone: `thumbsmith plan photo.jpg --size 512` on the command line.
//! println!("{}", thumbsmith::plan(&photo, &thumbsmith::Options::avatar(512))?);
//!
//! // Options come from JSON-like values in any binding; keys may be snake_case or camelCase.
//! let options = thumbsmith::Options::from_json(r#"{"width": 256, "fit": "contain", "format": "png"}"#)?;
//! let header = thumbsmith::metadata(&photo)?;
//! println!("{}×{} upright", header.oriented_width, header.oriented_height);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod colour;
mod compose;
pub mod cpu;
mod create;
mod css_colour;
mod decode;
mod embedded;
mod encode;
mod error;
mod exif;
mod extras;
pub mod geometry;
mod key_case;
mod marks;
mod options;
mod orient;
mod output;
mod pipeline;
pub mod plan;
mod probe;
pub mod raster;
mod resize;
mod rotate;
mod smartcrop;
mod sniff;
mod warm;

pub use create::{create, Create};
pub use error::{Error, IoErrorKind, Result};
#[cfg(feature = "stage-marks")]
pub use marks::{observe as observe_stages, Observer as StageObserver};
pub use options::{
    camel_case_keys, ChromaSubsampling, Color, Fit, Gravity, Kernel, Options, OutputFormat,
    Position, RawInput, Rect, Strategy, WebpPreset,
};
pub use orient::Orientation;
pub use output::{to_value, Bytes, Naming, Output, OutputInfo, Rendered};
pub use pipeline::{process, render};
pub use plan::{plan, JobPlan};
pub use probe::{metadata, ColorModel, Metadata};
pub use sniff::{sniff, Format};
pub use warm::warm_up;

/// The pipeline's stages one by one, for the per-stage benchmarks in `benches/`. Not a stable
/// API: use [`process`].
#[doc(hidden)]
pub mod stages {
    use crate::decode::Decoded;
    pub use crate::raster::Raster;
    use crate::{Format, Kernel, Options, Result};

    /// Sniff, read the header and decode (CMYK converted naively), as `process` does.
    pub fn decode(input: &[u8]) -> Result<(Raster, Option<Vec<u8>>)> {
        let probe = crate::probe::probe(input, None, Options::default().max_metadata_bytes)?;
        let decoded = crate::decode::decode(input, probe.metadata.format, u64::MAX, false)?;
        Ok((crate::colour::without_conversion(decoded), probe.icc))
    }

    /// A baseline JPEG's planes as the pipeline decodes them (see [`decode_jpeg_planes`]).
    pub struct JpegPlanes {
        /// Luma (or gray), 1 channel.
        pub luma: Raster,
        /// Cb and Cr interleaved at their own resolution; `None` for gray.
        pub chroma: Option<Raster>,
        /// Luma samples per chroma sample, across and down.
        pub subsampling: (u32, u32),
    }

    /// Decode a JPEG at `eighths`/8 of its size (1…8) in the DCT domain into its planes, as
    /// `process` does for baseline files; `None` when the file needs the full-size decoder.
    pub fn decode_jpeg_planes(input: &[u8], eighths: u32) -> Result<Option<JpegPlanes>> {
        use crate::decode::{self, Decoded};
        let Some(header) = decode::jpeg_planar_header(input) else {
            return Ok(None);
        };
        let decoding = decode::decode_jpeg_planes(input, &header, eighths, None)?;
        Ok(match decoding.decoded {
            _ if decoding.eighths != eighths => None,
            Decoded::YCbCr(planes) => Some(JpegPlanes {
                luma: planes.luma,
                chroma: Some(planes.chroma),
                subsampling: planes.subsampling,
            }),
            Decoded::Pixels(luma) if luma.channels == 1 => Some(JpegPlanes {
                luma,
                chroma: None,
                subsampling: (1, 1),
            }),
            Decoded::Pixels(_) | Decoded::Cmyk(_) => None,
        })
    }

    /// Resample `window` of every channel on its own (no alpha): for Cb/Cr planes.
    pub fn resize_samples(
        raster: &Raster,
        window: [f64; 4],
        width: u32,
        height: u32,
        kernel: Kernel,
    ) -> Result<Raster> {
        crate::resize::resize_samples(raster, window, width, height, kernel)
    }

    /// Luma and Cb/Cr of the same size to RGB.
    pub fn ycbcr_to_rgb(luma: &Raster, chroma: &Raster) -> Raster {
        crate::colour::ycbcr_to_rgb(luma, chroma)
    }

    /// ICC profile to sRGB.
    pub fn to_srgb(raster: Raster, icc: Option<&[u8]>) -> Raster {
        crate::colour::to_srgb(Decoded::Pixels(raster), icc)
    }

    /// Apply an EXIF orientation (1–8).
    pub fn orient(raster: Raster, exif_orientation: u8) -> Raster {
        crate::Orientation::from_exif(exif_orientation).apply(raster)
    }

    /// Resample `window` (`[x, y, w, h]`) to `width`×`height`.
    pub fn resize(
        raster: &Raster,
        window: [f64; 4],
        width: u32,
        height: u32,
        kernel: Kernel,
    ) -> Result<Raster> {
        crate::resize::resize(raster, window, width, height, kernel)
    }

    /// Encode with the format and encoder settings of `options`, no metadata.
    pub fn encode(raster: &Raster, format: Format, options: &Options) -> Result<Vec<u8>> {
        crate::encode::encode(raster, format, options, &Default::default())
    }
}

/// Reads an input file for [`process`], refusing it from its size before reading when it is over
/// `max_input_bytes` (what the CLI and the bindings' path inputs use).
pub fn read_input(path: &std::path::Path, max_input_bytes: u64) -> Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, &e))?
        .len();
    if size > max_input_bytes {
        return Err(Error::LimitExceeded {
            what: "input size in bytes",
            value: size,
            limit: max_input_bytes,
            option: "max_input_bytes",
        });
    }
    std::fs::read(path).map_err(|e| Error::io(path, &e))
}

/// Writes an encoded result to `path` (the bindings' `toFile`), a failure being [`Error::Io`].
pub fn write_output(path: &std::path::Path, data: &[u8]) -> Result<()> {
    std::fs::write(path, data).map_err(|e| Error::io(path, &e))
}

/// Runs `job`, turning a panic in a decoder into `Error::Internal` so one bad upload cannot take
/// a server down. (On wasm, panics abort; the property tests are what keep them out.)
pub(crate) fn catch_panic<T>(job: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).unwrap_or_else(|panic| {
        let message = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a decoder panicked".into());
        Err(Error::Internal(message))
    })
}
