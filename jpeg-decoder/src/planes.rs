//! The output: a plane per component kind (luma; Cb and Cr interleaved), each holding only the
//! part a caller asked for, and the placing of transformed blocks into them.

use std::ops::Range;

use crate::header::{Component, Header};
use crate::idct::{self, Block, Plan};
use crate::{Plane, Rect};

/// A baseline JPEG's samples as decoded, not yet converted to RGB: the luma (or gray) plane and,
/// for colour files, Cb and Cr interleaved at their own resolution (the luma's divided by the
/// subsampling), each only for the part a caller asked for.
pub struct Planes {
    pub luma: Plane,
    pub luma_part: Rect,
    pub chroma: Option<(Plane, Rect)>,
    /// Luma samples per chroma sample, across and down (1, 2 or 4 each).
    pub subsampling: (u32, u32),
}

/// How many samples `length` source pixels make in a plane decoded at `eighths`/8 whose samples
/// each cover `subsampling` pixels of the luma plane: libjpeg's output size, rounded up. (The same
/// as first taking the component's own size and scaling that for a whole-number 8/`eighths`,
/// but not otherwise; counting from the luma's size keeps a subsampled plane exactly half the
/// scaled luma, which is what the resize windows assume.)
pub(crate) fn scaled_length(length: usize, eighths: usize, subsampling: usize) -> usize {
    (length * eighths).div_ceil(8 * subsampling)
}

/// The luma plane and, for a colour file, the interleaved Cb/Cr plane to fill at `eighths`/8,
/// each only its part of `parts` (all of it for `None`).
pub(crate) fn plane_outputs(
    header: &Header<'_>,
    eighths: usize,
    parts: Option<(Rect, Rect)>,
) -> (PlaneOut, Option<PlaneOut>) {
    let components = &header.components;
    let (luma_h, luma_v) = (components[0].h, components[0].v);
    let (width, height) = (header.width as usize, header.height as usize);
    let plane = |h: usize, v: usize| {
        (
            scaled_length(width, eighths, h),
            scaled_length(height, eighths, v),
        )
    };
    let luma = PlaneOut::new(plane(1, 1), parts.map(|p| p.0), 1);
    let chroma = (components.len() == 3)
        .then(|| PlaneOut::new(plane(luma_h, luma_v), parts.map(|p| p.1), 2));
    (luma, chroma)
}

/// How many MCU rows reach down to the end of every component's part (blocks of `size` pixels
/// of their plane): a decoder need not read the rows below.
pub(crate) fn mcu_rows_to_parts_end(
    components: &[Component],
    luma: &PlaneOut,
    chroma: Option<&PlaneOut>,
    size: usize,
) -> usize {
    let to_end = |plane: &PlaneOut, v: usize| {
        (plane.part.y as usize + plane.part.height as usize).div_ceil(size * v)
    };
    let per_component = components.iter().enumerate().map(|(index, c)| match index {
        0 => to_end(luma, c.v),
        _ => chroma.map_or(0, |plane| to_end(plane, c.v)),
    });
    per_component.max().unwrap_or(0)
}

/// One plane being filled: its part (whole pixels of the plane) and the samples of that part,
/// `channels` interleaved.
pub(crate) struct PlaneOut {
    pub(crate) part: Rect,
    pub(crate) channels: usize,
    pub(crate) data: Vec<u8>,
}

impl PlaneOut {
    pub(crate) fn new(whole: (usize, usize), part: Option<Rect>, channels: usize) -> PlaneOut {
        let (width, height) = (whole.0 as u32, whole.1 as u32);
        let part = part
            .and_then(|p| p.clipped_to(width, height))
            .unwrap_or(Rect::whole(width, height));
        let data = vec![0u8; part.width as usize * part.height as usize * channels];
        PlaneOut {
            part,
            channels,
            data,
        }
    }

    /// The columns and rows of the `size`×`size` block at (`x`, `y`) inside the part, or `None`
    /// when the block has no pixel there.
    pub(crate) fn overlap(
        &self,
        x: usize,
        y: usize,
        size: usize,
    ) -> Option<(Range<usize>, Range<usize>)> {
        let part = self.part;
        let (left, top) = (part.x as usize, part.y as usize);
        let right = left + part.width as usize;
        let bottom = top + part.height as usize;
        let columns = x.max(left)..(x + size).min(right);
        let rows = y.max(top)..(y + size).min(bottom);
        (!columns.is_empty() && !rows.is_empty()).then_some((columns, rows))
    }

    /// Where the `size`×`size` block at (`x`, `y`) starts in `data`, when it lies wholly inside
    /// the part (most blocks: the others are at the part's edges).
    #[inline(always)]
    pub(crate) fn inside(&self, x: usize, y: usize, size: usize) -> Option<usize> {
        let part = self.part;
        let (left, top) = (part.x as usize, part.y as usize);
        let inside = x >= left
            && y >= top
            && x + size <= left + part.width as usize
            && y + size <= top + part.height as usize;
        inside.then(|| ((y - top) * part.width as usize + x - left) * self.channels)
    }

    /// The distance between rows in `data`.
    pub(crate) fn stride(&self) -> usize {
        self.part.width as usize * self.channels
    }

    /// Copies the overlap of a block's samples (`size`×`size`, rows `size` long) at (`x`, `y`)
    /// into the part: a luma block (`second` is `None`), or a Cb block and a Cr block
    /// interleaved.
    pub(crate) fn put(
        &mut self,
        first: &[u8],
        second: Option<&[u8]>,
        (x, y): (usize, usize),
        size: usize,
    ) {
        let Some((columns, rows)) = self.overlap(x, y, size) else {
            return;
        };
        let (left, top, width) = (
            self.part.x as usize,
            self.part.y as usize,
            self.part.width as usize,
        );
        let n = self.channels;
        for row in rows {
            let at = ((row - top) * width + columns.start - left) * n;
            let out = &mut self.data[at..at + columns.len() * n];
            let from = (row - y) * size + columns.start - x;
            let first = &first[from..from + columns.len()];
            match second {
                None => out.copy_from_slice(first),
                Some(second) => {
                    let second = &second[from..from + columns.len()];
                    for ((pair, &a), &b) in out.chunks_exact_mut(2).zip(first).zip(second) {
                        pair[0] = a;
                        pair[1] = b;
                    }
                }
            }
        }
    }

    pub(crate) fn finish(self) -> (Plane, Rect) {
        let part = self.part;
        let raster = Plane::new(part.width, part.height, self.channels as u8, self.data);
        (raster, part)
    }
}

/// One block's samples at output size, for blocks at a part's edge, and Cb's kept until Cr's are
/// made to interleave them.
pub(crate) type Scratch = ([u8; 64], [u8; 64]);

/// Transforms `block` of component `index` (0 luma, 1 Cb, 2 Cr — Cb's just before Cr's) at
/// (`x`, `y`) of its plane into `plane`: luma straight into the plane, unless at the part's edge;
/// Cb and Cr via their own blocks, interleaved once both are made.
#[inline(always)]
pub(crate) fn transform_into<const AVX2: bool>(
    block: &Block,
    plan: &Plan,
    plane: &mut PlaneOut,
    index: usize,
    (x, y): (usize, usize),
    (samples, cb_samples): &mut Scratch,
) {
    let size = plan.size;
    let inside = plane.inside(x, y, size);
    let stride = plane.stride();
    let (out, out_stride) = match (index, inside) {
        (0, Some(at)) => (&mut plane.data[at..], stride),
        (1, _) => (&mut cb_samples[..], size),
        _ => (&mut samples[..], size),
    };
    idct::transform::<AVX2>(block, plan, out, out_stride);
    match (index, inside) {
        (0, Some(_)) | (1, _) => {}
        (0, None) => plane.put(&samples[..], None, (x, y), size),
        (_, Some(at)) => {
            interleave_inside(cb_samples, samples, &mut plane.data[at..], stride, size)
        }
        (_, None) => plane.put(&cb_samples[..], Some(&samples[..]), (x, y), size),
    }
}

/// A Cb and a Cr block (`size`×`size`, rows `size` long) that lie wholly inside the part,
/// interleaved into `out` (rows `stride` apart), one fixed-size loop per block size. Most chroma
/// blocks come here, not through [`PlaneOut::put`], whose clipping and per-row slicing cost far
/// more than the interleave. Out of line on purpose: inlined, it makes the decoder's loop
/// dearer than the call does.
#[inline(never)]
pub(crate) fn interleave_inside(
    cb: &[u8; 64],
    cr: &[u8; 64],
    out: &mut [u8],
    stride: usize,
    size: usize,
) {
    #[inline(always)]
    pub(crate) fn rows<const N: usize>(
        cb: &[u8; 64],
        cr: &[u8; 64],
        out: &mut [u8],
        stride: usize,
    ) {
        for row in 0..N {
            let (cb, cr) = (&cb[row * N..][..N], &cr[row * N..][..N]);
            // Built in a fixed-size array, which the compiler turns into a byte unpack.
            let mut pairs = [0u8; 16];
            for i in 0..N {
                pairs[2 * i] = cb[i];
                pairs[2 * i + 1] = cr[i];
            }
            out[row * stride..][..2 * N].copy_from_slice(&pairs[..2 * N]);
        }
    }
    match size {
        8 => rows::<8>(cb, cr, out, stride),
        7 => rows::<7>(cb, cr, out, stride),
        6 => rows::<6>(cb, cr, out, stride),
        5 => rows::<5>(cb, cr, out, stride),
        4 => rows::<4>(cb, cr, out, stride),
        3 => rows::<3>(cb, cr, out, stride),
        2 => rows::<2>(cb, cr, out, stride),
        _ => rows::<1>(cb, cr, out, stride),
    }
}

impl Planes {
    pub(crate) fn from_outputs(
        luma: PlaneOut,
        chroma: Option<PlaneOut>,
        header: &Header<'_>,
    ) -> Planes {
        let (luma, luma_part) = luma.finish();
        Planes {
            luma,
            luma_part,
            chroma: chroma.map(PlaneOut::finish),
            subsampling: header.subsampling(),
        }
    }
}
