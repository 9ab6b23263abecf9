//! Geometry: from the upright image size and the options to the exact window of source pixels that
//! is resampled, the size it is resampled to, and where that lands on the output canvas. Pure
//! arithmetic, no pixels, so every fit mode is property-tested for exact output sizes.

use serde::Serialize;

use crate::decode::PixelRect;
use crate::error::{Error, Result};
use crate::options::{Fit, Options, Position, Rect, Strategy};
use crate::orient::Orientation;

/// The plan for one job, in upright (oriented) source coordinates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The explicit `crop` rectangle, or the whole image.
    pub region: Rect,
    /// The window inside `region` that is resampled: `[x, y, width, height]`, sub-pixel exact
    /// (a centre crop of a 4000-px side to 3000 starts at 500.0, and one of 4001 at 500.5).
    pub window: [f64; 4],
    /// The size the window is resampled to.
    pub resized: (u32, u32),
    /// The output size (larger than `resized` only when `contain` letterboxes).
    pub canvas: (u32, u32),
    /// Where the resampled window sits on the canvas.
    pub offset: (u32, u32),
    /// When set, `window`'s position is still to be chosen from the pixels by this strategy.
    pub smart: Option<Strategy>,
}

impl Plan {
    /// The window in source pixels, rounded to whole pixels and kept inside the image — what is
    /// reported back to the caller as the crop box.
    pub fn crop_box(&self) -> Rect {
        let [x, y, w, h] = self.window;
        let left = x.round().max(0.0) as u32;
        let top = y.round().max(0.0) as u32;
        let width =
            (w.round() as u32).clamp(1, self.region.width - left.min(self.region.width - 1));
        let height =
            (h.round() as u32).clamp(1, self.region.height - top.min(self.region.height - 1));
        Rect {
            left: self.region.left + left.min(self.region.width - 1),
            top: self.region.top + top.min(self.region.height - 1),
            width,
            height,
        }
    }

    /// Moves the window to `(x, y)` inside the region (used once a smart crop has chosen).
    pub fn place_window(&mut self, x: f64, y: f64) {
        let [_, _, w, h] = self.window;
        self.window[0] = x.clamp(0.0, f64::from(self.region.width) - w);
        self.window[1] = y.clamp(0.0, f64::from(self.region.height) - h);
        self.smart = None;
    }

    /// The resize window in upright image coordinates (`window` moved by the region's corner).
    pub fn upright_window(&self) -> [f64; 4] {
        let [x, y, w, h] = self.window;
        [
            f64::from(self.region.left) + x,
            f64::from(self.region.top) + y,
            w,
            h,
        ]
    }

    /// The resize window in the stored, pre-`orientation` picture of upright size
    /// `upright`, as decoded at `eighths`/8.
    pub fn stored_window(
        &self,
        orientation: Orientation,
        (ow, oh): (u32, u32),
        eighths: u32,
    ) -> [f64; 4] {
        shrunk(
            orientation.rect_to_source(self.upright_window(), f64::from(ow), f64::from(oh)),
            eighths,
        )
    }
}

/// A rectangle of full-size source pixels in the coordinates of a decode `eighths`/8 the size,
/// whose pixel i covers source pixels `[i·g, (i+1)·g)`, g = 8/`eighths`. (`eighths`/8 is a short
/// binary fraction, so one multiplication rounds once, and not at all for most coordinates.)
pub(crate) fn shrunk(rect: [f64; 4], eighths: u32) -> [f64; 4] {
    let factor = f64::from(eighths) / 8.0;
    rect.map(|v| v * factor)
}

/// `window` (in pixels of the whole decode) in a plane whose samples each cover
/// `across`×`down` of those pixels (a JPEG's subsampled chroma): divided by 1, 2 or 4, exact in f64.
pub(crate) fn in_plane(window: [f64; 4], (across, down): (u32, u32)) -> [f64; 4] {
    let [x, y, w, h] = window;
    let (across, down) = (f64::from(across), f64::from(down));
    [x / across, y / down, w / across, h / down]
}

/// [`in_plane`], relative to the `part` of the plane that was decoded: moved by whole pixels,
/// which is exact in f64.
pub(crate) fn in_part(window: [f64; 4], subsampling: (u32, u32), part: PixelRect) -> [f64; 4] {
    let [x, y, w, h] = in_plane(window, subsampling);
    [x - f64::from(part.x), y - f64::from(part.y), w, h]
}

/// Plans the job for an upright image of `width`×`height`.
pub fn plan(width: u32, height: u32, options: &Options) -> Result<Plan> {
    let region = region(width, height, options)?;
    let (rw, rh) = (f64::from(region.width), f64::from(region.height));
    let mut plan = Plan {
        region,
        window: [0.0, 0.0, rw, rh],
        resized: (region.width, region.height),
        canvas: (region.width, region.height),
        offset: (0, 0),
        smart: None,
    };
    match (options.width, options.height) {
        (None, None) => {}
        // `fill` stretches each axis on its own: the side not given keeps its size (as sharp).
        (Some(w), None) if options.fit == Fit::Fill => {
            fit_box(&mut plan, (f64::from(w), rh), options)
        }
        (None, Some(h)) if options.fit == Fit::Fill => {
            fit_box(&mut plan, (rw, f64::from(h)), options)
        }
        (Some(w), None) => {
            let s = clamp_scale(options, f64::from(w) / rw);
            plan.resized = (px(rw * s), px(rh * s));
        }
        (None, Some(h)) => {
            let s = clamp_scale(options, f64::from(h) / rh);
            plan.resized = (px(rw * s), px(rh * s));
        }
        (Some(w), Some(h)) => fit_box(&mut plan, (f64::from(w), f64::from(h)), options),
    }
    if options.fit != Fit::Contain || options.width.is_none() || options.height.is_none() {
        plan.canvas = plan.resized;
    }
    let limit = options.max_output_dimension;
    for (what, value) in [
        ("output width", plan.canvas.0),
        ("output height", plan.canvas.1),
    ] {
        if value > limit {
            return Err(Error::LimitExceeded {
                what,
                value: u64::from(value),
                limit: u64::from(limit),
                option: "max_output_dimension",
            });
        }
    }
    Ok(plan)
}

/// The explicit `crop` rectangle, refused unless it lies inside the image, or the whole image.
fn region(width: u32, height: u32, options: &Options) -> Result<Rect> {
    let Some(c) = options.crop else {
        return Ok(Rect {
            left: 0,
            top: 0,
            width,
            height,
        });
    };
    if !lies_inside(c, (width, height)) {
        return Err(Error::InvalidOption(format!(
            "crop {}×{} at ({}, {}) lies outside the {width}×{height} image \
             (coordinates are of the upright image, after EXIF orientation and rotate)",
            c.width, c.height, c.left, c.top
        )));
    }
    Ok(c)
}

/// `crop_after_resize` checked against the canvas it is cut from.
pub(crate) fn crop_after_resize(c: Rect, (width, height): (u32, u32)) -> Result<Rect> {
    if !lies_inside(c, (width, height)) {
        return Err(Error::InvalidOption(format!(
            "crop_after_resize {}×{} at ({}, {}) lies outside the {width}×{height} resized image",
            c.width, c.height, c.left, c.top
        )));
    }
    Ok(c)
}

/// Whether `c` lies inside a `width`×`height` picture (summed in u64: no overflow).
fn lies_inside(c: Rect, (width, height): (u32, u32)) -> bool {
    u64::from(c.left) + u64::from(c.width) <= u64::from(width)
        && u64::from(c.top) + u64::from(c.height) <= u64::from(height)
}

/// A length in whole pixels, at least one.
fn px(v: f64) -> u32 {
    (v.round() as u32).max(1)
}

/// The scale `s`, or 1 where `without_enlargement` / `without_reduction` forbid it.
fn clamp_scale(options: &Options, s: f64) -> f64 {
    if (options.without_enlargement && s > 1.0) || (options.without_reduction && s < 1.0) {
        1.0
    } else {
        s
    }
}

/// The region of `plan` fitted to a `w`×`h` box by `options.fit`.
fn fit_box(plan: &mut Plan, (mut w, mut h): (f64, f64), options: &Options) {
    let (rw, rh) = (f64::from(plan.region.width), f64::from(plan.region.height));
    let (fx, fy) = position_fractions(options.position);
    let (sx, sy) = (w / rw, h / rh);
    if options.fit == Fit::Fill {
        // Each axis on its own: there is no aspect ratio to keep.
        (w, h) = (rw * clamp_scale(options, sx), rh * clamp_scale(options, sy));
        plan.resized = (px(w), px(h));
        return;
    }
    let governing = match options.fit {
        Fit::Cover | Fit::Outside => sx.max(sy),
        _ => sx.min(sy),
    };
    if clamp_scale(options, governing) != governing {
        // The target shrinks (or grows) with its aspect ratio until the source is
        // used 1:1: a square avatar of a small photo stays square.
        (w, h) = (
            (w / governing).round().max(1.0),
            (h / governing).round().max(1.0),
        );
    }
    let (sx, sy) = (w / rw, h / rh);
    match options.fit {
        Fit::Cover => {
            let s = sx.max(sy);
            let (ww, wh) = ((w / s).min(rw), (h / s).min(rh));
            plan.window = [(rw - ww) * fx, (rh - wh) * fy, ww, wh];
            if let Position::Focal { x, y } = options.position {
                plan.place_window(x * rw - ww / 2.0, y * rh - wh / 2.0);
            }
            if let Position::Smart(strategy) = options.position {
                plan.smart = Some(strategy);
            }
            plan.resized = (px(w), px(h));
        }
        Fit::Contain => {
            let s = sx.min(sy);
            let canvas = (px(w), px(h));
            let resized = (px(rw * s).min(canvas.0), px(rh * s).min(canvas.1));
            plan.resized = resized;
            plan.canvas = canvas;
            // Rounded down, as sharp (libvips' embed) places it: an odd margin leaves the extra
            // pixel after the image, never before.
            plan.offset = (
                (f64::from(canvas.0 - resized.0) * fx).floor() as u32,
                (f64::from(canvas.1 - resized.1) * fy).floor() as u32,
            );
        }
        Fit::Inside => {
            let s = sx.min(sy);
            plan.resized = (px(rw * s), px(rh * s));
        }
        Fit::Outside => {
            let s = sx.max(sy);
            plan.resized = (px(rw * s), px(rh * s));
        }
        Fit::Fill => unreachable!("handled above"),
    }
}

/// Where along each axis a gravity puts the window (0 = start, 1 = end). Focal points and smart
/// crops place their window themselves; for `contain` they centre, the focal point by its
/// fractions.
fn position_fractions(position: Position) -> (f64, f64) {
    match position {
        Position::Gravity(g) => g.fractions(),
        Position::Focal { x, y } => (x, y),
        Position::Smart(_) => (0.5, 0.5),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Gravity;
    use proptest::prelude::{prop_assert, prop_assert_eq, prop_oneof, proptest, Just};

    fn opts(w: Option<u32>, h: Option<u32>, fit: Fit) -> Options {
        Options {
            width: w,
            height: h,
            fit,
            ..Options::default()
        }
    }

    #[test]
    fn centre_cover_crop_is_sub_pixel_exact() {
        let p = plan(4001, 3000, &opts(Some(512), Some(512), Fit::Cover)).unwrap();
        assert_eq!(p.window, [500.5, 0.0, 3000.0, 3000.0]);
        assert_eq!(p.canvas, (512, 512));
        let p = plan(3000, 4000, &opts(Some(300), Some(200), Fit::Cover)).unwrap();
        assert_eq!(p.window, [0.0, 1000.0, 3000.0, 2000.0]);
    }

    #[test]
    fn gravity_and_focal_point() {
        let mut o = opts(Some(100), Some(100), Fit::Cover);
        o.position = Position::Gravity(Gravity::East);
        assert_eq!(
            plan(400, 200, &o).unwrap().window,
            [200.0, 0.0, 200.0, 200.0]
        );
        o.position = Position::Focal { x: 0.1, y: 0.5 };
        assert_eq!(plan(400, 200, &o).unwrap().window, [0.0, 0.0, 200.0, 200.0]);
        o.position = Position::Focal { x: 0.5, y: 0.5 };
        assert_eq!(
            plan(400, 200, &o).unwrap().window,
            [100.0, 0.0, 200.0, 200.0]
        );
    }

    #[test]
    fn without_enlargement_keeps_the_target_aspect() {
        let mut o = opts(Some(512), Some(512), Fit::Cover);
        o.without_enlargement = true;
        let p = plan(300, 200, &o).unwrap();
        assert_eq!(p.canvas, (200, 200));
        assert_eq!(p.window, [50.0, 0.0, 200.0, 200.0]);
        let mut o = opts(Some(100), Some(100), Fit::Contain);
        o.without_reduction = true;
        let p = plan(300, 200, &o).unwrap();
        assert_eq!(
            (p.resized, p.canvas, p.offset),
            ((300, 200), (300, 300), (0, 50))
        );
    }

    #[test]
    fn contain_letterboxes_by_gravity() {
        let mut o = opts(Some(100), Some(100), Fit::Contain);
        let p = plan(400, 200, &o).unwrap();
        assert_eq!(
            (p.resized, p.canvas, p.offset),
            ((100, 50), (100, 100), (0, 25))
        );
        o.position = Position::Gravity(Gravity::South);
        assert_eq!(plan(400, 200, &o).unwrap().offset, (0, 50));
    }

    #[test]
    fn fill_with_one_side_keeps_the_other() {
        let p = plan(400, 200, &opts(Some(100), None, Fit::Fill)).unwrap();
        assert_eq!(p.resized, (100, 200));
        let p = plan(400, 200, &opts(None, Some(50), Fit::Fill)).unwrap();
        assert_eq!(p.resized, (400, 50));
        // The other fits still derive the missing side from the aspect ratio.
        let p = plan(400, 200, &opts(Some(100), None, Fit::Cover)).unwrap();
        assert_eq!(p.resized, (100, 50));
    }

    #[test]
    fn an_odd_centred_margin_puts_the_extra_pixel_after_the_image() {
        // 160×120 in 80×40: 53×40, 27 columns of margin; sharp (libvips' embed) puts 13 before.
        let p = plan(160, 120, &opts(Some(80), Some(40), Fit::Contain)).unwrap();
        assert_eq!((p.resized, p.offset), ((53, 40), (13, 0)));
        let p = plan(120, 160, &opts(Some(40), Some(80), Fit::Contain)).unwrap();
        assert_eq!((p.resized, p.offset), ((40, 53), (0, 13)));
    }

    #[test]
    fn crop_outside_the_image_is_refused() {
        let o = Options {
            crop: Some(Rect {
                left: 90,
                top: 0,
                width: 20,
                height: 10,
            }),
            ..Options::default()
        };
        assert!(matches!(plan(100, 100, &o), Err(Error::InvalidOption(_))));
    }

    fn any_fit() -> impl proptest::strategy::Strategy<Value = Fit> {
        prop_oneof![
            Just(Fit::Cover),
            Just(Fit::Contain),
            Just(Fit::Fill),
            Just(Fit::Inside),
            Just(Fit::Outside)
        ]
    }

    proptest! {
        #[test]
        fn every_fit_gives_the_exact_size(
            sw in 1u32..5000, sh in 1u32..5000, w in 1u32..3000, h in 1u32..3000,
            fit in any_fit(), crop in proptest::option::of((0f64..1.0, 0f64..1.0, 0f64..1.0, 0f64..1.0)),
        ) {
            let mut o = opts(Some(w), Some(h), fit);
            o.max_output_dimension = u32::MAX;
            o.crop = crop.map(|(l, t, cw, ch)| {
                let left = (l * f64::from(sw - 1)) as u32;
                let top = (t * f64::from(sh - 1)) as u32;
                Rect { left, top,
                    width: ((cw * f64::from(sw - left)) as u32).max(1),
                    height: ((ch * f64::from(sh - top)) as u32).max(1) }
            });
            let p = plan(sw, sh, &o).unwrap();
            let (rw, rh) = (f64::from(p.region.width), f64::from(p.region.height));
            match fit {
                Fit::Cover | Fit::Contain | Fit::Fill => prop_assert_eq!(p.canvas, (w, h)),
                Fit::Inside => prop_assert!(p.canvas.0 <= w && p.canvas.1 <= h
                    && (p.canvas.0 == w || p.canvas.1 == h)),
                Fit::Outside => prop_assert!(p.canvas.0 >= w && p.canvas.1 >= h
                    && (p.canvas.0 == w || p.canvas.1 == h)),
            }
            // The window is inside the region, and the crop box inside the image.
            let [x, y, ww, wh] = p.window;
            prop_assert!(x >= 0.0 && y >= 0.0 && ww > 0.0 && wh > 0.0);
            prop_assert!(x + ww <= rw + 1e-9 && y + wh <= rh + 1e-9, "{:?}", p);
            let b = p.crop_box();
            prop_assert!(b.left + b.width <= sw && b.top + b.height <= sh, "{:?} {:?}", b, p);
            prop_assert!(p.resized.0 <= p.canvas.0 && p.resized.1 <= p.canvas.1);
            prop_assert!(p.offset.0 + p.resized.0 <= p.canvas.0 && p.offset.1 + p.resized.1 <= p.canvas.1);
        }

        #[test]
        fn without_enlargement_never_enlarges(
            sw in 1u32..2000, sh in 1u32..2000, w in 1u32..3000, h in 1u32..3000, fit in any_fit(),
        ) {
            let mut o = opts(Some(w), Some(h), fit);
            o.without_enlargement = true;
            let p = plan(sw, sh, &o).unwrap();
            let [_, _, ww, wh] = p.window;
            prop_assert!(f64::from(p.resized.0) <= ww.round().max(1.0) + 0.5);
            prop_assert!(f64::from(p.resized.1) <= wh.round().max(1.0) + 0.5);
        }
    }
}
