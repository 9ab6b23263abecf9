//! Rotation by any angle (sharp's `rotate(30)`, Pillow's `rotate(30, expand=True)`): the picture
//! turned clockwise onto a canvas that holds all of it, the corners filled with the background.
//! A whole number of quarter turns never comes here: `split` tells them apart, and they are exact
//! transposes (`orient.rs`). The picture lands where
//! libvips' `rotate` puts it (sharp's output is the reference the tests hold it to): turned about
//! pixel (0, 0), then moved by whole pixels so the turned corners start at the canvas's edge.

use crate::compose::with_background_channels;
use crate::options::Color;
use crate::raster::Raster;

/// Below this many degrees a remainder is taken for rounding noise of a quarter turn
/// (`90.0000000001`), not a rotation asked for.
const NO_TURN: f64 = 1e-9;

/// `degrees` (clockwise, any finite value) as quarter turns (0, 90, 180 or 270) and the rest, in
/// [-45, 45). `45` is a quarter turn less 45: the same turn, and the rest stays small.
pub(crate) fn split(degrees: f64) -> (u16, f64) {
    let turn = degrees.rem_euclid(360.0);
    let quarters = ((turn + 45.0) / 90.0).floor();
    let rest = turn - quarters * 90.0;
    let rest = if rest.abs() < NO_TURN { 0.0 } else { rest };
    ((quarters as u16 % 4) * 90, rest)
}

/// The canvas a `width`×`height` picture turned by `degrees` fits on: its bounding box, each side
/// rounded to the nearest pixel (as libvips' `rotate`: 320×240 at 30° is 397×368).
pub(crate) fn rotated_size((width, height): (u32, u32), degrees: f64) -> (u32, u32) {
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (sin, cos) = (sin.abs(), cos.abs());
    let (w, h) = (f64::from(width), f64::from(height));
    let side = |v: f64| (v.round() as u32).max(1);
    (side(w * cos + h * sin), side(w * sin + h * cos))
}

/// `image` turned clockwise by `degrees` onto its [`rotated_size`] canvas.
/// Each output pixel is a bilinear blend of the four input pixels around where it comes from,
/// with `background` standing in for pixels outside the picture, so the edges are smooth. The
/// blend is of premultiplied colour when there is alpha (the picture's or a see-through
/// background's, which then gives the output an alpha channel). A gray picture stays gray on a
/// gray background.
pub(crate) fn rotate(image: Raster, degrees: f64, background: Color) -> Raster {
    if degrees == 0.0 {
        return image;
    }
    let bg = background;
    let image = with_background_channels(image, bg);
    let (channels, alpha) = (image.channels, image.has_alpha());
    let n = usize::from(channels);
    // The background as the blend sees it: premultiplied when there is alpha.
    let fill: Vec<f32> = {
        let a = f32::from(bg.a) / 255.0;
        let colour = if n <= 2 {
            vec![f32::from(bg.r)]
        } else {
            vec![f32::from(bg.r), f32::from(bg.g), f32::from(bg.b)]
        };
        if alpha {
            let mut v: Vec<f32> = colour.iter().map(|c| c * a).collect();
            v.push(f32::from(bg.a));
            v
        } else {
            colour
        }
    };
    let (width, height) = (image.width, image.height);
    let (out_width, out_height) = rotated_size((width, height), degrees);
    let (sin, cos) = degrees.to_radians().sin_cos();
    // Pixel (x, y) goes to (x cos - y sin, x sin + y cos) + shift (y down, so clockwise); the
    // shift is the turned corners' least coordinates, rounded, negated.
    let (w, h) = (f64::from(width), f64::from(height));
    let corners = [(0.0, 0.0), (w, 0.0), (0.0, h), (w, h)];
    let least = |f: &dyn Fn((f64, f64)) -> f64| corners.map(f).into_iter().fold(f64::MAX, f64::min);
    let shift_x = -least(&|(x, y)| x * cos - y * sin).round();
    let shift_y = -least(&|(x, y)| x * sin + y * cos).round();
    let mut data = vec![0u8; out_width as usize * out_height as usize * n];
    let mut acc = [0f32; 4];
    let mut tap = [0f32; 4];
    for (y, row) in data.chunks_exact_mut(out_width as usize * n).enumerate() {
        let dy = y as f64 - shift_y;
        for (x, out) in row.chunks_exact_mut(n).enumerate() {
            let dx = x as f64 - shift_x;
            // Where the pixel comes from: the inverse (counter-clockwise) turn.
            let sx = dx * cos + dy * sin;
            let sy = -dx * sin + dy * cos;
            let (x0, y0) = (sx.floor(), sy.floor());
            let (fx, fy) = ((sx - x0) as f32, (sy - y0) as f32);
            acc[..n].fill(0.0);
            for (ix, iy, weight) in [
                (x0, y0, (1.0 - fx) * (1.0 - fy)),
                (x0 + 1.0, y0, fx * (1.0 - fy)),
                (x0, y0 + 1.0, (1.0 - fx) * fy),
                (x0 + 1.0, y0 + 1.0, fx * fy),
            ] {
                if weight == 0.0 {
                    continue;
                }
                let inside =
                    ix >= 0.0 && iy >= 0.0 && ix < f64::from(width) && iy < f64::from(height);
                let sample: &[f32] = if inside {
                    let pixel = image.pixel(ix as u32, iy as u32);
                    premultiplied(pixel, alpha, &mut tap[..n]);
                    &tap[..n]
                } else {
                    &fill
                };
                for (a, s) in acc[..n].iter_mut().zip(sample) {
                    *a += weight * s;
                }
            }
            unpremultiply(&acc[..n], alpha, out);
        }
    }
    Raster::new(out_width, out_height, channels, data)
}

/// A pixel's channels as the blend adds them: colour times alpha/255 when there is alpha.
fn premultiplied(pixel: &[u8], alpha: bool, into: &mut [f32]) {
    let n = pixel.len();
    let a = if alpha {
        f32::from(pixel[n - 1]) / 255.0
    } else {
        1.0
    };
    for (i, (t, &p)) in into.iter_mut().zip(pixel).enumerate() {
        *t = if alpha && i + 1 < n {
            f32::from(p) * a
        } else {
            f32::from(p)
        };
    }
}

/// The blended channels back to 8-bit pixels, colour divided by the blended alpha.
fn unpremultiply(acc: &[f32], alpha: bool, out: &mut [u8]) {
    let n = acc.len();
    let byte = |v: f32| (v + 0.5).clamp(0.0, 255.0) as u8;
    if !alpha {
        for (o, &v) in out.iter_mut().zip(acc) {
            *o = byte(v);
        }
        return;
    }
    let a = acc[n - 1];
    for (o, &v) in out[..n - 1].iter_mut().zip(&acc[..n - 1]) {
        *o = if a > 0.0 { byte(v * 255.0 / a) } else { 0 };
    }
    out[n - 1] = byte(a);
}

#[cfg(test)]
mod tests {
    use super::*;

    const RED: Color = Color {
        r: 255,
        g: 0,
        b: 0,
        a: 255,
    };

    #[test]
    fn quarter_turns_are_split_off() {
        for (degrees, quarter, rest) in [
            (0.0, 0, 0.0),
            (30.0, 0, 30.0),
            (44.0, 0, 44.0),
            (45.0, 90, -45.0),
            (90.0, 90, 0.0),
            (135.0, 180, -45.0),
            (-90.0, 270, 0.0),
            (-30.0, 0, -30.0),
            (315.0, 0, -45.0),
            (3690.0, 90, 0.0),
            (-3750.0, 180, 30.0),
            (90.000_000_000_1, 90, 0.0),
        ] {
            let (q, r) = split(degrees);
            assert_eq!(q, quarter, "{degrees}");
            assert!((r - rest).abs() < 1e-6, "{degrees}: {r}");
        }
    }

    #[test]
    fn canvas_is_the_bounding_box_rounded_as_libvips() {
        // sharp's tests: 320×240 at 30° (or -30°) is 397×368; 600×450 at 45° is 742×742.
        assert_eq!(rotated_size((320, 240), 30.0), (397, 368));
        assert_eq!(rotated_size((320, 240), -30.0), (397, 368));
        assert_eq!(rotated_size((600, 450), -45.0), (742, 742));
        assert_eq!(rotated_size((1, 1), 10.0), (1, 1));
    }

    /// A picture of one colour turned onto a red background: the middle keeps the colour, the
    /// corners are red, and nothing else than a blend of the two appears.
    #[test]
    fn middle_keeps_the_picture_corners_get_the_background() {
        let image = Raster::new(40, 20, 3, [0u8, 0, 255].repeat(40 * 20));
        let turned = rotate(image, 30.0, RED);
        assert_eq!((turned.width, turned.height), rotated_size((40, 20), 30.0));
        assert_eq!(turned.channels, 3);
        let (w, h) = (turned.width, turned.height);
        assert_eq!(turned.pixel(w / 2, h / 2), &[0, 0, 255]);
        for (x, y) in [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)] {
            assert_eq!(turned.pixel(x, y), &[255, 0, 0], "corner {x},{y}");
        }
        for p in turned.data.chunks_exact(3) {
            assert_eq!(p[1], 0);
            // A blend of the two, each half rounded on its own.
            let sum = u16::from(p[0]) + u16::from(p[2]);
            assert!((254..=256).contains(&sum), "{p:?}");
        }
    }

    /// Clockwise: a mark near the top edge's middle ends up right of the top middle.
    #[test]
    fn turns_clockwise() {
        let mut image = Raster::new(41, 41, 1, vec![0u8; 41 * 41]);
        image.data[2 * 41 + 20] = 255;
        let black = Color {
            r: 0,
            g: 0,
            b: 0,
            a: 255,
        };
        let turned = rotate(image, 20.0, black);
        let brightest = (0..turned.data.len())
            .max_by_key(|&i| turned.data[i])
            .unwrap();
        let (x, y) = (
            brightest as u32 % turned.width,
            brightest as u32 / turned.width,
        );
        assert!(x > turned.width / 2 + 3, "mark at {x},{y}");
        assert!(y < turned.height / 2, "mark at {x},{y}");
    }

    /// A see-through background gives the output alpha; the corners are fully transparent with
    /// the background's colour kept, the middle opaque.
    #[test]
    fn see_through_background_adds_alpha() {
        let image = Raster::new(30, 30, 3, [10u8, 200, 30].repeat(900));
        let clear = Color { a: 0, ..RED };
        let turned = rotate(image, -20.0, clear);
        assert_eq!(turned.channels, 4);
        let (w, h) = (turned.width, turned.height);
        assert_eq!(turned.pixel(w / 2, h / 2), &[10, 200, 30, 255]);
        assert_eq!(turned.pixel(0, 0)[3], 0);
    }

    /// Where the picture lands: a 4×3 white block at pixels (3…6, 2…4) of a black 20×10
    /// picture, turned, has its centroid where sharp 0.35.3 (libvips 8.17) puts it (measured:
    /// 30° → (7.399, 4.840) on 22×19; -17.5° → (5.201, 7.505) on 22×16; the 64×48 picture at 30°
    /// → (26.399, 4.840) on 79×74).
    #[test]
    fn lands_where_libvips_puts_it() {
        let black = Color {
            r: 0,
            g: 0,
            b: 0,
            a: 255,
        };
        for ((w, h), degrees, size, (cx, cy)) in [
            ((20, 10), 30.0, (22, 19), (7.399, 4.840)),
            ((20, 10), -17.5, (22, 16), (5.201, 7.505)),
            ((64, 48), 30.0, (79, 74), (26.399, 4.840)),
        ] {
            let mut image = Raster::new(w, h, 1, vec![0u8; (w * h) as usize]);
            for y in 2..5 {
                for x in 3..7 {
                    image.data[(y * w + x) as usize] = 255;
                }
            }
            let turned = rotate(image, degrees, black);
            assert_eq!((turned.width, turned.height), size);
            let (mut sx, mut sy, mut sum) = (0.0, 0.0, 0.0);
            for (i, &v) in turned.data.iter().enumerate() {
                let v = f64::from(v);
                sx += v * (i as u32 % turned.width) as f64;
                sy += v * (i as u32 / turned.width) as f64;
                sum += v;
            }
            let (x, y) = (sx / sum, sy / sum);
            assert!(
                (x - cx).abs() < 0.05 && (y - cy).abs() < 0.05,
                "{w}×{h} at {degrees}°: ({x:.3}, {y:.3}), sharp ({cx}, {cy})"
            );
        }
    }
}
