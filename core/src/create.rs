//! A blank image made from a description rather than read from a file (sharp's `create` input):
//! encoded as a lossless PNG, so it goes through `process` like any upload and keeps its exact
//! colour.

use serde::Deserialize;

use crate::encode::{self, Carry};
use crate::error::{Error, Result};
use crate::options::{Color, Options};
use crate::raster::Raster;
use crate::sniff::Format;

/// What to make: `width`×`height` pixels of `background`, with 3 (RGB) or 4 (RGBA) channels.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Create {
    pub width: u32,
    pub height: u32,
    pub channels: u8,
    pub background: Color,
}

impl Create {
    /// From a JSON-like value (the bindings' `{width, height, channels, background}`); an unknown
    /// key (sharp's `noise`…) is refused naming it.
    pub fn from_value(value: serde_json::Value) -> Result<Create> {
        serde_json::from_value(value).map_err(|e| Error::InvalidOption(format!("create: {e}")))
    }
}

impl Create {
    /// Refused when a side is 0, the channel count is not 3 or 4, or the pixel count is over the
    /// default `max_input_pixels` (the image is then an input like any other).
    pub fn check(&self) -> Result<()> {
        if self.width == 0 || self.height == 0 {
            return Err(Error::InvalidOption(
                "create: width and height must be at least 1".into(),
            ));
        }
        if !matches!(self.channels, 3 | 4) {
            return Err(Error::InvalidOption(format!(
                "create: channels must be 3 or 4, got {}",
                self.channels
            )));
        }
        let limit = Options::default().max_input_pixels;
        let pixels = u64::from(self.width) * u64::from(self.height);
        if pixels > limit {
            return Err(Error::LimitExceeded {
                what: "input pixel count",
                value: pixels,
                limit,
                option: "max_input_pixels",
            });
        }
        Ok(())
    }
}

/// The PNG of a `spec.width`×`spec.height` image of one colour, once [`Create::check`] passes.
pub fn create(spec: &Create) -> Result<Vec<u8>> {
    spec.check()?;
    let c = spec.background;
    let pixel: &[u8] = match spec.channels {
        3 => &[c.r, c.g, c.b],
        _ => &[c.r, c.g, c.b, c.a],
    };
    let options = Options::default();
    let data = pixel.repeat(spec.width as usize * spec.height as usize);
    let (width, height, channels) = (spec.width, spec.height, spec.channels);
    let raster = Raster::new(width, height, channels, data);
    encode::encode(&raster, Format::Png, &options, &Carry::default())
}
