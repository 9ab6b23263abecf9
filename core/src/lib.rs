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
//! // Options come from JSON-like values in any binding; keys may be snake_case or camelCase.
//! let options = thumbsmith::Options::from_json(r#"{"width": 256, "fit": "contain", "format": "png"}"#)?;
//! let header = thumbsmith::metadata(&photo)?;
//! println!("{}×{} upright", header.oriented_width, header.oriented_height);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod colour;
mod compose;
mod decode;
mod encode;
mod error;
mod exif;
mod extras;
pub mod geometry;
mod options;
mod orient;
mod pipeline;
mod probe;
mod raster;
mod resize;
mod smartcrop;
mod sniff;

pub use error::{Error, Result};
pub use options::{
    ChromaSubsampling, Color, Fit, Gravity, Kernel, Options, OutputFormat, Position, Rect, Strategy,
};
pub use orient::Orientation;
pub use pipeline::{process, render, Output, Rendered};
pub use probe::{metadata, ColorModel, Metadata};
pub use sniff::{sniff, Format};

/// Reads an input file for [`process`], refusing it from its size before reading when it is over
/// `max_input_bytes` (what the CLI and the bindings' path inputs use).
pub fn read_input(path: &std::path::Path, max_input_bytes: u64) -> Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if size > max_input_bytes {
        return Err(Error::LimitExceeded {
            what: "input size in bytes",
            value: size,
            limit: max_input_bytes,
            option: "max_input_bytes",
        });
    }
    std::fs::read(path).map_err(|e| Error::io(path, e))
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
