//! The measuring instrument behind `make bench-compare`: the exact reference an avatar is scored
//! against, and the SSIMULACRA2 scoring itself.
//!
//! The reference is what a perfect avatar job would produce, computed the slow way on purpose:
//! full-resolution decode with decoders the core does not use where one exists, EXIF orientation,
//! colour to sRGB in f32 (moxcms with the embedded profile, the naive formula for CMYK), alpha
//! flattened on white (what every library in the comparison is told to do), then a separable
//! Lanczos3 in f64 over the exact, sub-pixel centre-crop window, with no rounding to u8 anywhere.

pub mod reference;
pub mod score;

pub use reference::{cover_window, lanczos3_resize, reference_avatar, source_image, FloatImage};
pub use score::{decode_output, ssimulacra2};

/// The avatar size every library is asked for.
pub const AVATAR_SIZE: u32 = 512;
