//! `crop_after_resize`: a window cut from the finished canvas (sharp's `resize(…).extract(…)`),
//! checked against the same job without it, cut afterwards by the test.

mod common;

use common::*;

/// The canvas's pixels in `window`, decoded independently.
fn cut(p: &Pixels, (left, top, width, height): (u32, u32, u32, u32)) -> Vec<u8> {
    (top..top + height)
        .flat_map(|y| (left..left + width).flat_map(move |x| p.at(x, y).to_vec()))
        .collect()
}

#[test]
fn the_window_is_cut_from_the_resized_canvas() {
    for (name, resize) in [
        ("photo.jpg", r#""width": 90, "height": 70"#),
        (
            "alpha.png",
            r#""width": 50, "height": 40, "fit": "contain""#,
        ),
        (
            "exif-6.jpg",
            r#""width": 40, "height": 60, "position": "north""#,
        ),
    ] {
        let whole = processed(&fixture(name), &format!(r#"{{{resize}, "format": "png"}}"#));
        let window = (7, 5, 30, 20);
        let part = processed(
            &fixture(name),
            &format!(
                r#"{{{resize}, "format": "png",
                    "crop_after_resize": {{"left": 7, "top": 5, "width": 30, "height": 20}}}}"#
            ),
        );
        assert_eq!((part.width, part.height), (30, 20), "{name}");
        assert_eq!(part.channels, whole.channels, "{name}");
        assert_eq!(part.data, cut(&whole, window), "{name}");
    }
}

#[test]
fn a_turn_after_the_resize_comes_before_the_cut() {
    // Cut before (from the upright source), resized, turned 30°, then cut from the turned box.
    let job = r#""crop": {"left": 0, "top": 0, "width": 120, "height": 120}, "width": 100,
            "height": 100, "rotate": 30, "rotate_after_resize": true, "format": "png""#;
    let whole = processed(&fixture("photo.jpg"), &format!("{{{job}}}"));
    // 100×100 turned 30°: 137×137 (100·cos30 + 100·sin30 = 136.6).
    assert_eq!((whole.width, whole.height), (137, 137));
    let part = processed(
        &fixture("photo.jpg"),
        &format!(
            r#"{{{job}, "crop_after_resize": {{"left": 90, "top": 100, "width": 40, "height": 30}}}}"#
        ),
    );
    assert_eq!((part.width, part.height), (40, 30));
    assert_eq!(part.data, cut(&whole, (90, 100, 40, 30)));
}

#[test]
fn a_window_outside_the_canvas_is_refused_before_decoding() {
    let err = thumbsmith::process(
        &fixture("photo.jpg"),
        &options(
            r#"{"width": 64, "height": 64,
                "crop_after_resize": {"left": 60, "top": 0, "width": 5, "height": 5}}"#,
        ),
    )
    .unwrap_err();
    assert_eq!(err.code(), "ERR_INVALID_OPTION");
    assert!(
        err.to_string()
            .contains("crop_after_resize 5×5 at (60, 0) lies outside the 64×64 resized image"),
        "{err}"
    );
    let err = thumbsmith::Options::from_json(
        r#"{"crop_after_resize": {"left": 0, "top": 0, "width": 0, "height": 5}}"#,
    )
    .and_then(|o| o.validate())
    .unwrap_err();
    assert!(err.to_string().contains("at least 1"), "{err}");
}
