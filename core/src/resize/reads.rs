//! Which source pixels a resize reads, so that only those need decoding: the kernel's reach
//! around the window, and whether fast_image_resize's float arithmetic for a window moved by
//! whole pixels moves every bound and weight by exactly as much (then a decoded part resamples
//! to the same bytes as the whole picture).

use super::support;
use crate::decode::PixelRect;
use crate::options::Kernel;

/// Source pixels beyond the kernel's reach that are decoded too: fast_image_resize reads
/// `[floor(centre − reach), ceil(centre + reach))` around each output pixel's centre; the slack
/// covers float rounding in those bounds (and nearest-neighbour's truncation).
const READ_SLACK: f64 = 2.0;

/// The whole pixels of a `whole.0`×`whole.1` picture that resampling `window` to `out` with
/// `kernel` reads: the window widened on each side by the kernel's reach (its support times the
/// downscale factor, as fast_image_resize's convolution scales it) and clipped to the picture.
pub(crate) fn resize_reads(
    window: [f64; 4],
    (out_width, out_height): (u32, u32),
    kernel: Kernel,
    (width, height): (u32, u32),
) -> PixelRect {
    let support = support(kernel);
    let [x, y, w, h] = window;
    let axis = |start: f64, length: f64, out: u32, size: u32| {
        let reach = support * (length / f64::from(out.max(1))).max(1.0) + READ_SLACK;
        let end = (start + length + reach).ceil().clamp(0.0, f64::from(size));
        // Cut the start only when that moves every position the resize computes by exactly
        // the cut; otherwise rounding could move a bound or a weight and change a byte.
        let first = if resize_is_exact(start, length, out, support, kernel) {
            (start - reach).floor().clamp(0.0, end)
        } else {
            0.0
        };
        (first as u32, (end - first) as u32)
    };
    let (left, part_width) = axis(x, w, out_width, width);
    let (top, part_height) = axis(y, h, out_height, height);
    PixelRect {
        x: left,
        y: top,
        width: part_width,
        height: part_height,
    }
}

/// Whether `a + b` is exactly representable (TwoSum: the rounding error of the sum is zero).
fn sum_is_exact(a: f64, b: f64) -> bool {
    let sum = a + b;
    let b_part = sum - a;
    let a_part = sum - b_part;
    (a - a_part) + (b - b_part) == 0.0
}

/// Whether every sum fast_image_resize 6 computes in source coordinates along one axis, for the
/// window `[start, start + length)` resampled to `out` pixels, is exact (its
/// `precompute_coefficients` for convolutions, `resample_nearest` / `iter_rows_with_step` for
/// nearest). When they all are, the same window moved by a whole number of pixels gives
/// every bound and weight moved by exactly that number — a part of the picture resamples to
/// the same bytes as the whole. (Products and differences it takes of the moved values are of
/// the same real numbers, so they round alike.) Usually true: windows are whole or half pixels
/// and scales by a power-of-two output size are short binary fractions.
fn resize_is_exact(start: f64, length: f64, out: u32, support: f64, kernel: Kernel) -> bool {
    if out == 0 || !sum_is_exact(start, length) {
        return false;
    }
    let out_f = f64::from(out);
    if kernel == Kernel::Nearest {
        let step = length / out_f;
        let half_step = step * 0.5;
        if !sum_is_exact(start, half_step) {
            return false;
        }
        let first = start + half_step;
        let mut position = first;
        return (0..out).all(|o| {
            let exact = sum_is_exact(first, step * f64::from(o)) && sum_is_exact(position, step);
            position += step;
            exact
        });
    }
    let scale = ((start + length) - start) / out_f;
    let radius = support * scale.max(1.0);
    (0..out).all(|o| {
        let offset = (f64::from(o) + 0.5) * scale;
        let centre = start + offset;
        sum_is_exact(start, offset)
            && sum_is_exact(centre, -radius)
            && sum_is_exact(centre, radius)
            && sum_is_exact(centre, -0.5)
    })
}
