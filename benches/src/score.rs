//! SSIMULACRA2 of an output against the exact reference (the `ssimulacra2` crate, rust-av).

use ssimulacra2::{compute_frame_ssimulacra2, ColorPrimaries, Rgb, TransferCharacteristic};

use crate::reference::{source_image, FloatImage};

/// Decodes a library's output with the reference decoders (the same path as the source, so any
/// decoder difference hits every library alike).
pub fn decode_output(bytes: &[u8]) -> Result<FloatImage, String> {
    source_image(bytes)
}

/// SSIMULACRA2 of `distorted` against `reference` (100 = identical, ≥ 90 visually lossless,
/// 70–80 a good q80 JPEG). Values are clamped to 0–1 first: an 8-bit output cannot hold the
/// reference's Lanczos overshoot either, so that is no fault of any library.
pub fn ssimulacra2(reference: &FloatImage, distorted: &FloatImage) -> Result<f64, String> {
    if (reference.width, reference.height) != (distorted.width, distorted.height) {
        return Err(format!(
            "output is {}×{}, the reference {}×{}",
            distorted.width, distorted.height, reference.width, reference.height
        ));
    }
    let rgb = |image: &FloatImage| {
        Rgb::new(
            image
                .pixels
                .iter()
                .map(|p| p.map(|v| v.clamp(0.0, 1.0)))
                .collect(),
            image.width as usize,
            image.height as usize,
            TransferCharacteristic::SRGB,
            ColorPrimaries::BT709,
        )
        .map_err(|e| format!("ssimulacra2 input: {e:?}"))
    };
    compute_frame_ssimulacra2(rgb(reference)?, rgb(distorted)?)
        .map_err(|e| format!("ssimulacra2: {e:?}"))
}
