//! `rotate` by any angle through the whole pipeline: the canvas sizes sharp gives, the two
//! places the turn can go (before the crop and resize, or after), quarter turns kept exact, and
//! what a see-through background gives.

mod common;

use common::*;

fn size(name: &str, json: &str) -> (u32, u32) {
    let out = run(name, json);
    (out.width, out.height)
}

/// photo.jpg is 160×120: turned 30° its bounding box is 199×184, whichever side of the (absent)
/// resize the turn goes.
#[test]
fn without_a_resize_the_output_is_the_bounding_box() {
    assert_eq!(size("photo.jpg", r#"{"rotate": 30}"#), (199, 184));
    assert_eq!(
        size(
            "photo.jpg",
            r#"{"rotate": 30, "rotate_after_resize": true}"#
        ),
        (199, 184)
    );
    // sharp's -3750 is two quarter turns and 30°: the same box.
    assert_eq!(size("photo.jpg", r#"{"rotate": -3750}"#), (199, 184));
}

/// Turned first, the crop and resize work on the turned picture, so the output has the size
/// asked for; turned after, the output is the resized picture's bounding box.
#[test]
fn the_turn_goes_before_the_resize_unless_asked_otherwise() {
    assert_eq!(
        size(
            "photo.jpg",
            r#"{"width": 100, "height": 100, "rotate": 30}"#
        ),
        (100, 100)
    );
    assert_eq!(
        size(
            "photo.jpg",
            r#"{"width": 100, "height": 100, "rotate": 30, "rotate_after_resize": true}"#
        ),
        (137, 137)
    );
    // sharp's `resize(320, 240).rotate(30)` gives 397×368 (photo.jpg, 160×120, enlarged).
    assert_eq!(
        size(
            "photo.jpg",
            r#"{"width": 320, "height": 240, "rotate": 30, "rotate_after_resize": true}"#
        ),
        (397, 368)
    );
}

/// Quarter turns, however they are written, are the exact transposes they always were.
#[test]
fn quarter_turns_stay_exact() {
    let quarter = run("photo.jpg", r#"{"width": 64, "rotate": 90}"#).data;
    for json in [
        r#"{"width": 64, "rotate": 450}"#,
        r#"{"width": 64, "rotate": -270}"#,
        r#"{"width": 64, "rotate": 90.0}"#,
    ] {
        assert_eq!(run("photo.jpg", json).data, quarter, "{json}");
    }
}

/// An angle is taken modulo 360, and an angle past a quarter turn is turned whole (not a
/// quarter turn and the rest), as libvips does: the same bytes however it is written.
#[test]
fn angles_are_taken_modulo_a_full_turn() {
    let turned = run("scene.png", r#"{"rotate": 135, "format": "png"}"#).data;
    for json in [
        r#"{"rotate": -225, "format": "png"}"#,
        r#"{"rotate": 495, "format": "png"}"#,
    ] {
        assert_eq!(run("scene.png", json).data, turned, "{json}");
    }
}

/// Every EXIF orientation of the same picture, turned 30° after being made upright, gives the
/// same result (each file is its own JPEG encode, hence the bound).
#[test]
fn the_turn_comes_after_the_exif_orientation() {
    let job = r#"{"rotate": 30, "width": 48, "height": 48, "format": "png"}"#;
    let upright = processed(&fixture("exif-1.jpg"), job);
    for n in 2..=8 {
        let other = processed(&fixture(&format!("exif-{n}.jpg")), job);
        let (max, mean) = diff(&upright, &other);
        assert!(mean < 4.0, "exif-{n}: max {max}, mean {mean:.3}");
    }
    let after = r#"{"rotate": 30, "rotate_after_resize": true, "width": 48, "height": 48, "format": "png"}"#;
    let upright = processed(&fixture("exif-1.jpg"), after);
    for n in 2..=8 {
        let other = processed(&fixture(&format!("exif-{n}.jpg")), after);
        let (max, mean) = diff(&upright, &other);
        assert!(mean < 4.0, "exif-{n} after: max {max}, mean {mean:.3}");
    }
}

/// A see-through background gives a PNG alpha: transparent corners, an opaque middle; for a JPEG
/// the corners are the background's colour.
#[test]
fn corners_take_the_background() {
    let clear = r##"{"rotate": 30, "format": "png", "background": "#ff000000"}"##;
    let png = processed(&fixture("photo.jpg"), clear);
    assert_eq!(png.channels, 4);
    assert_eq!(png.data[3], 0, "top-left corner");
    let middle = ((png.height / 2 * png.width + png.width / 2) * 4 + 3) as usize;
    assert_eq!(png.data[middle], 255);
    let red = processed(
        &fixture("photo.jpg"),
        r##"{"rotate": 30, "background": "#ff0000", "quality": 100}"##,
    );
    let corner = &red.data[..3];
    assert!(
        corner[0] > 240 && corner[1] < 15 && corner[2] < 15,
        "{corner:?}"
    );
}

/// A turn that would take the output past `max_output_dimension` is refused from the plan.
#[test]
fn the_turned_canvas_is_held_to_the_output_limit() {
    let job = r#"{"width": 100, "height": 100, "rotate": 30, "rotate_after_resize": true, "max_output_dimension": 120}"#;
    let error = thumbsmith::process(&fixture("photo.jpg"), &options(job)).unwrap_err();
    assert!(
        matches!(error, thumbsmith::Error::LimitExceeded { .. }),
        "{error}"
    );
}
