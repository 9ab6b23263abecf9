//! Putting the resized image on its canvas: `contain` letterboxing and flattening alpha onto the
//! background colour.

use crate::options::Color;
use crate::raster::Raster;

/// Places `image` at `offset` on a `canvas`-sized background. The canvas gets an alpha channel
/// only if the background is not opaque or the image already has one.
pub(crate) fn letterbox(
    image: Raster,
    canvas: (u32, u32),
    offset: (u32, u32),
    bg: Color,
) -> Raster {
    if canvas == (image.width, image.height) {
        return image;
    }
    let gray_bg = bg.r == bg.g && bg.g == bg.b;
    let image = if gray_bg { image } else { image.into_rgb() };
    let alpha = image.has_alpha() || bg.a != 255;
    let channels = match (image.is_gray(), alpha) {
        (true, false) => 1,
        (true, true) => 2,
        (false, false) => 3,
        (false, true) => 4,
    };
    let image = with_channels(image, channels);
    let fill: Vec<u8> = match channels {
        1 => vec![bg.r],
        2 => vec![bg.r, bg.a],
        3 => vec![bg.r, bg.g, bg.b],
        _ => vec![bg.r, bg.g, bg.b, bg.a],
    };
    let n = channels as usize;
    let mut data = fill.repeat(canvas.0 as usize * canvas.1 as usize);
    let row_bytes = image.width as usize * n;
    for (row, src) in image.data.chunks_exact(row_bytes).enumerate() {
        let start = ((offset.1 as usize + row) * canvas.0 as usize + offset.0 as usize) * n;
        data[start..start + row_bytes].copy_from_slice(src);
    }
    Raster::new(canvas.0, canvas.1, channels, data)
}

/// Adds an opaque alpha channel so the image matches a canvas that has one.
fn with_channels(image: Raster, channels: u8) -> Raster {
    if image.channels == channels {
        return image;
    }
    let n = image.channels as usize;
    let data = image
        .data
        .chunks_exact(n)
        .flat_map(|px| px.iter().copied().chain(std::iter::once(255)))
        .collect();
    Raster::new(image.width, image.height, channels, data)
}

/// Composites straight-alpha pixels over an opaque `bg` and drops the alpha channel.
pub(crate) fn flatten(image: Raster, bg: Color) -> Raster {
    if !image.has_alpha() {
        return image;
    }
    let gray_bg = bg.r == bg.g && bg.g == bg.b;
    let image = if gray_bg { image } else { image.into_rgb() };
    let n = image.channels as usize;
    let colour = [bg.r, bg.g, bg.b];
    let blend = |c: u8, b: u8, a: u8| {
        let (c, b, a) = (u32::from(c), u32::from(b), u32::from(a));
        ((c * a + b * (255 - a) + 127) / 255) as u8
    };
    let data = image
        .data
        .chunks_exact(n)
        .flat_map(|px| {
            let a = px[n - 1];
            let mut out = [0u8; 3];
            for (i, slot) in out.iter_mut().enumerate().take(n - 1) {
                *slot = blend(px[i], colour[i], a);
            }
            out.into_iter().take(n - 1)
        })
        .collect();
    Raster::new(image.width, image.height, image.channels - 1, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_blends_over_the_background() {
        let img = Raster::new(2, 1, 4, vec![255, 0, 0, 255, 255, 0, 0, 0]);
        let out = flatten(img, Color::WHITE);
        assert_eq!(out.data, vec![255, 0, 0, 255, 255, 255]);
        let half = Raster::new(1, 1, 2, vec![0, 128]);
        assert_eq!(flatten(half, Color::WHITE).data, vec![127]);
    }

    #[test]
    fn letterbox_centres_and_keeps_gray() {
        let img = Raster::new(1, 1, 1, vec![7]);
        let out = letterbox(img, (3, 1), (1, 0), Color::WHITE);
        assert_eq!((out.channels, out.data), (1, vec![255, 7, 255]));
        let img = Raster::new(1, 1, 3, vec![1, 2, 3]);
        let transparent = Color {
            r: 0,
            g: 0,
            b: 0,
            a: 0,
        };
        let out = letterbox(img, (1, 2), (0, 1), transparent);
        assert_eq!(out.data, vec![0, 0, 0, 0, 1, 2, 3, 255]);
    }
}
