//! A job on a picture the core makes itself, for a caller to run once before its first real
//! job. A JIT (V8's, for the browser package) first runs every function on its baseline tier
//! and optimises the ones that turn out hot; a function that is entered once per job (a scan
//! decoder, the encoder's block loop) stays on the baseline tier for the whole of the first
//! job. After this, the first real job runs the optimised code. docs/decisions.md has the
//! figures.

use crate::encode;
use crate::error::Result;
use crate::options::Options;
use crate::raster::Raster;
use crate::sniff::Format;

/// Makes a 512×512 picture (a gradient with noise, so the coefficients and the deflate
/// stream are photo-like, not empty), encodes it as a JPEG and as a PNG, and runs the avatar
/// job (512×512 cover, the defaults) on both. Same results every call; nothing is kept.
pub fn warm_up() -> Result<()> {
    const SIDE: u32 = 512;
    let mut seed = 0x9E37_79B9u32;
    let mut data = Vec::with_capacity((SIDE * SIDE * 3) as usize);
    for y in 0..SIDE {
        for x in 0..SIDE {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let noise = seed.to_le_bytes().map(|b| b & 31);
            let base = [x / 4, y / 4, (x + y) / 8].map(|v| v as u8);
            data.extend((0..3).map(|c| base[c].wrapping_add(noise[c])));
        }
    }
    let picture = Raster::new(SIDE, SIDE, 3, data);
    let avatar = Options::avatar(512);
    for format in [Format::Jpeg, Format::Png] {
        let input = encode::encode(&picture, format, &Options::default(), &Default::default())?;
        crate::process(&input, &avatar)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The warm-up job runs the real pipeline to the end (an error would show).
    #[test]
    fn warms_up_without_error() {
        super::warm_up().unwrap();
    }
}
