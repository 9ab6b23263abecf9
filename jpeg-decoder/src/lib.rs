//! A planar JPEG decoder that decodes at N/8 of the size in the DCT domain.
#![deny(unsafe_op_in_unsafe_fn)]

mod baseline;
mod error;
mod idct;
pub mod markers;

pub use baseline::{decode_part as decode, parse, Header, Planes};

/// How many samples `length` pixels make in a plane decoded at `eighths`/8 whose samples each
/// cover `subsampling` pixels of the luma plane: libjpeg's output size, rounded up.
pub fn scaled_length(length: u32, eighths: u32, subsampling: u32) -> u32 {
    baseline::scaled_length(length as usize, eighths as usize, subsampling as usize) as u32
}
pub use error::Error;

/// A rectangle of whole samples of a plane: the part of it a caller will read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

impl Rect {
    /// All of a `width`×`height` plane.
    pub fn whole(width: u32, height: u32) -> Rect {
        Rect {
            x: 0,
            y: 0,
            width,
            height,
        }
    }

    /// The part of `self` inside a `width`×`height` plane, or `None` when nothing is.
    pub fn clipped_to(self, width: u32, height: u32) -> Option<Rect> {
        let right = self.x.saturating_add(self.width).min(width);
        let bottom = self.y.saturating_add(self.height).min(height);
        (self.x < right && self.y < bottom).then(|| Rect {
            x: self.x,
            y: self.y,
            width: right - self.x,
            height: bottom - self.y,
        })
    }
}

/// 8-bit samples of a plane, `channels` interleaved, rows `width · channels` long.
#[derive(Clone, PartialEq, Eq)]
pub struct Plane {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for Plane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Plane({}x{}x{})", self.width, self.height, self.channels)
    }
}

impl Plane {
    fn new(width: u32, height: u32, channels: u8, data: Vec<u8>) -> Plane {
        debug_assert_eq!(
            data.len(),
            width as usize * height as usize * channels as usize
        );
        Plane {
            width,
            height,
            channels,
            data,
        }
    }
}
