//! The one options type: both key spellings, helpful errors, defaults in one place.

use thumbsmith::{Error, Fit, Gravity, Kernel, Options, Position};

fn invalid(json: &str) -> String {
    match Options::from_json(json) {
        Err(Error::InvalidOption(message)) => message,
        other => panic!("{json}: expected InvalidOption, got {other:?}"),
    }
}

#[test]
fn camel_case_and_snake_case_are_the_same_options() {
    let snake = Options::from_json(r#"{"without_enlargement": true, "max_input_pixels": 10, "chroma_subsampling": "4:4:4", "crop": {"left": 1, "top": 2, "width": 3, "height": 4}}"#).unwrap();
    let camel = Options::from_json(r#"{"withoutEnlargement": true, "maxInputPixels": 10, "chromaSubsampling": "4:4:4", "crop": {"left": 1, "top": 2, "width": 3, "height": 4}}"#).unwrap();
    assert_eq!(snake, camel);
    assert!(snake.without_enlargement);
    assert_eq!(Options::from_json("{}").unwrap(), Options::default());
}

#[test]
fn unknown_keys_are_named_as_written() {
    assert!(invalid(r#"{"widht": 5}"#).starts_with("unknown field `widht`, expected one of"));
    assert!(
        invalid(r#"{"withoutEnlargment": true}"#).starts_with("unknown field `withoutEnlargment`")
    );
    assert!(invalid(r#"{"maxInputPixels": 1, "max_input_pixels": 2}"#).contains("given twice"));
}

#[test]
fn enum_errors_list_the_valid_values() {
    let fit = invalid(r#"{"fit": "cropped"}"#);
    assert!(
        fit.contains("`cover`") && fit.contains("`contain`") && fit.contains("`outside`"),
        "{fit}"
    );
    let kernel = invalid(r#"{"kernel": "lanczos5"}"#);
    assert!(
        kernel.contains("`lanczos3`") && kernel.contains("`mitchell`"),
        "{kernel}"
    );
    let position = invalid(r#"{"position": "up"}"#);
    assert!(
        position.contains("`north-east`") && position.contains("`attention`"),
        "{position}"
    );
}

#[test]
fn enum_values_and_aliases_parse() {
    let o = Options::from_json(
        r#"{"fit": "contain", "kernel": "catmull-rom", "position": "north-east"}"#,
    )
    .unwrap();
    assert_eq!(
        (o.fit, o.kernel, o.position),
        (
            Fit::Contain,
            Kernel::CatmullRom,
            Position::Gravity(Gravity::NorthEast)
        )
    );
    // sharp's spellings work too.
    let o = Options::from_json(r#"{"position": "right top", "kernel": "cubic"}"#).unwrap();
    assert_eq!(
        (o.position, o.kernel),
        (Position::Gravity(Gravity::NorthEast), Kernel::CatmullRom)
    );
    let o = Options::from_json(r#"{"position": {"x": 0.25, "y": 0.75}}"#).unwrap();
    assert_eq!(o.position, Position::Focal { x: 0.25, y: 0.75 });
}

#[test]
fn colours_parse_in_every_spelling() {
    for spelling in [
        r##""#ff8000""##,
        r##""#f80""##,
        "[255, 136, 0]",
        r#"{"r": 255, "g": 136, "b": 0}"#,
        r#""rgb(255, 136, 0)""#,
        r#""hsl(32deg 100% 50%)""#,
        r#""DarkOrange""#,
        r#""ff8c00""#,
    ] {
        let o = Options::from_json(&format!(r#"{{"background": {spelling}}}"#)).unwrap();
        assert_eq!(
            (o.background.r, o.background.b, o.background.a),
            (255, 0, 255),
            "{spelling}"
        );
    }
    let o = Options::from_json(r#"{"background": "red"}"#).unwrap();
    assert_eq!(o.background.to_hex(), "#ff0000");
    let o = Options::from_json(r#"{"background": "rgba(0, 0, 255, 0.5)"}"#).unwrap();
    assert_eq!(o.background.to_hex(), "#0000ff80");
    let o = Options::from_json(r#"{"background": "transparent"}"#).unwrap();
    assert_eq!(o.background.a, 0);
    // Alpha out of 0–1 clamps, as CSS and sharp's `color` package do.
    let o =
        Options::from_json(r#"{"background": {"r": 255, "g": 0, "b": 0, "alpha": 128}}"#).unwrap();
    assert_eq!(o.background.to_hex(), "#ff0000");
    assert!(invalid(r#"{"background": "reddish"}"#).contains("invalid colour `reddish`"));
    let o =
        Options::from_json(r#"{"background": {"r": 0, "g": 0, "b": 0, "alpha": 0.5}}"#).unwrap();
    assert_eq!(o.background.a, 128);
    assert!(invalid(r##"{"background": "#12345"}"##).contains("invalid colour"));
}

#[test]
fn ranges_are_checked() {
    assert!(invalid(r#"{"quality": 0}"#).contains("quality must be 1–100"));
    assert!(invalid(r#"{"quality": 101}"#).contains("quality must be 1–100"));
    assert!(invalid(r#"{"compression_level": 10}"#).contains("0–9"));
    let endless = Options {
        rotate: f64::INFINITY,
        ..Options::default()
    };
    let message = endless.validate().unwrap_err().to_string();
    assert!(
        message.contains("rotate must be a finite number"),
        "{message}"
    );
    assert!(invalid(r#"{"width": 0}"#).contains("at least 1"));
    assert!(invalid(r#"{"position": {"x": 2, "y": 0}}"#).contains("0–1"));
    assert!(invalid(r#"{"width": "big"}"#).contains("invalid type"));
}

#[test]
fn defaults_are_documented_and_serialisable() {
    // The bindings show users `defaults()`: it must round-trip through JSON to the same value.
    let json = serde_json::to_value(Options::default()).unwrap();
    assert_eq!(
        Options::from_value(json.clone()).unwrap(),
        Options::default()
    );
    assert_eq!(json["quality"], 80);
    assert_eq!(json["fit"], "cover");
    assert_eq!(json["chroma_subsampling"], "4:2:0");
    assert_eq!(json["background"], "#ffffff");
}
