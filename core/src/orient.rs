//! The eight orientations (EXIF 1–8, user rotate/flip/flop) as one transform, applied to pixels in a
//! single copy — and, because they commute with resizing, applied after the resize, to the small
//! image, as libvips does.
//!
//! Written by hand: the `image` crate's rotate/flip work only on its own buffer types, one step
//! (and one allocation) per operation; here any of the eight is one pass over any channel count.

use serde::Serialize;

use crate::raster::Raster;

/// A pixel transform: first transpose (if set), then mirror left-right, then mirror top-bottom.
/// Every combination of EXIF orientation, quarter-turn rotation and flips is one of these eight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Orientation {
    pub transpose: bool,
    pub flop: bool,
    pub flip: bool,
}

impl Orientation {
    pub const IDENTITY: Orientation = Orientation {
        transpose: false,
        flop: false,
        flip: false,
    };

    /// The transform that makes an image tagged with EXIF `orientation` upright.
    pub fn from_exif(orientation: u8) -> Orientation {
        let (transpose, flop, flip) = match orientation {
            2 => (false, true, false),
            3 => (false, true, true),
            4 => (false, false, true),
            5 => (true, false, false),
            6 => (true, true, false),
            7 => (true, true, true),
            8 => (true, false, true),
            _ => (false, false, false),
        };
        Orientation {
            transpose,
            flop,
            flip,
        }
    }

    /// A clockwise rotation by 0, 90, 180 or 270 degrees.
    pub fn rotate_cw(degrees: u16) -> Orientation {
        Orientation::from_exif(match degrees % 360 {
            90 => 6,
            180 => 3,
            270 => 8,
            _ => 1,
        })
    }

    pub fn swaps_axes(self) -> bool {
        self.transpose
    }

    /// Where the pixels of the transformed image come from, for a `w`×`h` source: output pixel
    /// (x, y) is source pixel `start + x·step_x + y·step_y` (indices in pixels). Every one of the
    /// eight transforms is affine, so the copy below needs no per-pixel branching.
    fn source_steps(self, w: u32, h: u32) -> (isize, isize, isize) {
        let (w, h) = (w as isize, h as isize);
        let (tw, th) = if self.transpose { (h, w) } else { (w, h) };
        // Output x maps to x0 + sx·x along the transformed width, y likewise.
        let (x0, sx) = if self.flop { (tw - 1, -1) } else { (0, 1) };
        let (y0, sy) = if self.flip { (th - 1, -1) } else { (0, 1) };
        if self.transpose {
            (x0 * w + y0, sx * w, sy)
        } else {
            (y0 * w + x0, sx, sy * w)
        }
    }

    /// `self` followed by `next`, as one transform. Found by applying both to a probe image with
    /// distinct pixels and matching the result, which keeps the group algebra in one place
    /// (`source_steps`) instead of a hand-derived table.
    pub fn then(self, next: Orientation) -> Orientation {
        let probe = Raster::new(2, 3, 1, (0..6).collect());
        let want = next.apply(self.apply(probe.clone()));
        all()
            .into_iter()
            .find(|candidate| candidate.apply(probe.clone()) == want)
            .unwrap_or(Orientation::IDENTITY)
    }

    /// The rectangle `(x, y, w, h)` of the transformed image (size `tw`×`th`) in source coordinates.
    pub fn rect_to_source(self, rect: [f64; 4], tw: f64, th: f64) -> [f64; 4] {
        let [mut x, mut y, mut w, mut h] = rect;
        if self.flip {
            y = th - y - h;
        }
        if self.flop {
            x = tw - x - w;
        }
        if self.transpose {
            std::mem::swap(&mut x, &mut y);
            std::mem::swap(&mut w, &mut h);
        }
        [x, y, w, h]
    }

    pub fn apply(self, src: Raster) -> Raster {
        if self == Orientation::IDENTITY {
            return src;
        }
        let (w, h) = (src.width, src.height);
        let (tw, th) = if self.transpose { (h, w) } else { (w, h) };
        let steps = self.source_steps(w, h);
        let data = match src.channels {
            1 => remap::<1>(&src.data, tw, steps),
            2 => remap::<2>(&src.data, tw, steps),
            3 => remap::<3>(&src.data, tw, steps),
            _ => remap::<4>(&src.data, tw, steps),
        };
        Raster::new(tw, th, src.channels, data)
    }
}

/// Copies pixels of `N` bytes from `src` along the affine walk of `source_steps`; a fixed pixel
/// size lets each copy compile to a plain load and store.
fn remap<const N: usize>(
    src: &[u8],
    width: u32,
    (start, step_x, step_y): (isize, isize, isize),
) -> Vec<u8> {
    let mut out = Vec::with_capacity(src.len());
    for y in 0..src.len() / N / width as usize {
        let mut at = start + y as isize * step_y;
        for _ in 0..width {
            let i = at as usize * N;
            let pixel: &[u8; N] = src[i..i + N].try_into().unwrap_or(&[0; N]);
            out.extend_from_slice(pixel);
            at += step_x;
        }
    }
    out
}

fn all() -> [Orientation; 8] {
    [1, 2, 3, 4, 5, 6, 7, 8].map(Orientation::from_exif)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image() -> Raster {
        Raster::new(3, 2, 1, vec![1, 2, 3, 4, 5, 6])
    }

    #[test]
    fn exif_six_is_a_clockwise_quarter_turn() {
        // 1 2 3      4 1
        // 4 5 6  ->  5 2
        //            6 3
        let r = Orientation::from_exif(6).apply(image());
        assert_eq!((r.width, r.height), (2, 3));
        assert_eq!(r.data, vec![4, 1, 5, 2, 6, 3]);
        let r = Orientation::from_exif(8).apply(image());
        assert_eq!(r.data, vec![3, 6, 2, 5, 1, 4]);
        let r = Orientation::from_exif(3).apply(image());
        assert_eq!(r.data, vec![6, 5, 4, 3, 2, 1]);
    }

    #[test]
    fn composition_is_consistent() {
        for a in all() {
            for b in all() {
                let direct = b.apply(a.apply(image()));
                assert_eq!(a.then(b).apply(image()), direct);
            }
        }
        let quarter = Orientation::rotate_cw(90);
        assert_eq!(quarter.then(quarter), Orientation::rotate_cw(180));
    }

    #[test]
    fn rect_maps_back_to_the_source() {
        let src = Raster::new(4, 3, 1, (0..12).collect());
        for o in all() {
            let out = o.apply(src.clone());
            let (tw, th) = (out.width, out.height);
            // A 1×1 rect at every output pixel must land on the source pixel with the same value.
            for y in 0..th {
                for x in 0..tw {
                    let [sx, sy, sw, sh] =
                        o.rect_to_source([x as f64, y as f64, 1.0, 1.0], tw as f64, th as f64);
                    assert_eq!((sw, sh), (1.0, 1.0));
                    assert_eq!(src.pixel(sx as u32, sy as u32), out.pixel(x, y), "{o:?}");
                }
            }
        }
    }
}
