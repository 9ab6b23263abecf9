//! The plan against the job: `plan()` reads only headers, and `process()` does what the plan says.

mod common;

use common::*;
use proptest::prelude::*;
use thumbsmith::{Fit, Format, Gravity, Kernel, Options, OutputFormat, Position, Rect};

const SOURCES: [&str; 15] = [
    "photo.jpg",
    "exif-6.jpg",
    "exif-3.jpg",
    "progressive.jpg",
    "patches-cmyk.jpg",
    "patches-gray.jpg",
    "patches-adobergb.jpg",
    "alpha.png",
    "gray-alpha.png",
    "patches-adobergb.png",
    "palette-trns.png",
    "rgb16.png",
    "lossy.webp",
    "alpha.webp",
    "animated.gif",
];

/// `input` with its pixel data destroyed and every header byte kept: a PNG's IDAT payloads
/// zeroed (their checksums made right, so the damage is found by inflating, not by a CRC), a
/// baseline JPEG's entropy-coded scan zeroed. `None` for other files.
fn without_pixels(input: &[u8]) -> Option<Vec<u8>> {
    let mut out = input.to_vec();
    if input.starts_with(b"\x89PNG") {
        let mut at = 8;
        while at + 12 <= out.len() {
            let length = u32::from_be_bytes(out[at..at + 4].try_into().unwrap()) as usize;
            let body = at + 8..at + 8 + length;
            if &out[at + 4..at + 8] == b"IDAT" {
                out[body.clone()].fill(0);
                let crc = crc32fast::hash(&out[at + 4..body.end]);
                out[body.end..body.end + 4].copy_from_slice(&crc.to_be_bytes());
            }
            at = body.end + 4;
        }
        return Some(out);
    }
    // JPEG: walk the marker segments to the first scan; only single-scan baseline files.
    let mut at = 2;
    while at + 4 <= out.len() {
        let marker = out[at + 1];
        let length = u16::from_be_bytes([out[at + 2], out[at + 3]]) as usize;
        if marker == 0xC2 || marker == 0xDD {
            return None;
        }
        if marker == 0xDA {
            let scan = at + 2 + length..out.len() - 2;
            out[scan].fill(0);
            return Some(out);
        }
        at += 2 + length;
    }
    None
}

#[test]
fn the_plan_reads_no_pixel_data() {
    let input = fixture("patches-adobergb.png");
    let broken = without_pixels(&input).unwrap();
    let options = options(r#"{"width": 64, "height": 16}"#);
    let plan = thumbsmith::plan(&input, &options).unwrap();
    assert_eq!(thumbsmith::plan(&broken, &options).unwrap(), plan);
    // The same bytes cannot be decoded: the plan did not decode them.
    assert!(matches!(
        thumbsmith::process(&broken, &options),
        Err(thumbsmith::Error::CorruptInput { .. })
    ));
}

fn any_options() -> impl Strategy<Value = Options> {
    let position = prop_oneof![
        prop::sample::select(vec![
            Gravity::Centre,
            Gravity::North,
            Gravity::SouthEast,
            Gravity::West
        ])
        .prop_map(Position::Gravity),
        (0.0..=1.0f64, 0.0..=1.0f64).prop_map(|(x, y)| Position::Focal { x, y }),
        prop::sample::select(vec![
            thumbsmith::Strategy::Entropy,
            thumbsmith::Strategy::Attention
        ])
        .prop_map(Position::Smart),
    ];
    let fit = prop::sample::select(vec![
        Fit::Cover,
        Fit::Contain,
        Fit::Fill,
        Fit::Inside,
        Fit::Outside,
    ]);
    let kernel = prop::sample::select(vec![
        Kernel::Nearest,
        Kernel::Bilinear,
        Kernel::Mitchell,
        Kernel::Lanczos3,
    ]);
    let format = prop::sample::select(vec![
        OutputFormat::Jpeg,
        OutputFormat::Png,
        OutputFormat::Webp,
        OutputFormat::Same,
    ]);
    let size = prop::option::of(1u32..=160);
    (
        (size.clone(), size, fit, position),
        (kernel, format, 0u16..4, any::<bool>()),
        (any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(
                (width, height, fit, position),
                (kernel, format, quarter, flip),
                (to_srgb, auto_orient, flatten),
            )| {
                Options {
                    width,
                    height,
                    fit,
                    position,
                    kernel,
                    format,
                    rotate: f64::from(quarter * 90),
                    flip,
                    to_srgb,
                    auto_orient,
                    flatten,
                    keep_icc: !to_srgb,
                    ..Options::default()
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// For any options, the job `process` runs is the one `plan` describes: the output's size,
    /// format, orientation and crop are the plan's (a smart crop's window only has its planned
    /// size), the same options are refused with the same error (the encoder's own refusals come
    /// only from `process`), and the plan is the same when the pixel data is destroyed.
    #[test]
    fn process_follows_the_plan(source in prop::sample::select(SOURCES.to_vec()), options in any_options()) {
        let input = fixture(source);
        let planned = thumbsmith::plan(&input, &options);
        let output = thumbsmith::process(&input, &options);
        let (plan, output) = match (planned, output) {
            (Ok(plan), Ok(output)) => (plan, output),
            (Err(planned), Err(failed)) => {
                prop_assert_eq!(planned.to_string(), failed.to_string());
                return Ok(());
            }
            // What the encoder cannot write (lossy WebP with kept metadata) it says when asked
            // to write it; the plan names the encode, it does not run it.
            (Ok(_), Err(thumbsmith::Error::EncodeFailed { .. })) => return Ok(()),
            (planned, output) => {
                return Err(TestCaseError::fail(format!(
                    "{source}: plan {:?}, process {:?}",
                    planned.err(),
                    output.err()
                )))
            }
        };
        prop_assert_eq!((output.width, output.height), plan.geometry.canvas);
        prop_assert_eq!(output.format, plan.encode.format);
        prop_assert_eq!(output.source_format, plan.source.format);
        prop_assert_eq!((output.source_width, output.source_height), plan.orientation.upright);
        prop_assert_eq!(output.orientation, plan.orientation.exif);
        if plan.smart_crop.is_none() {
            prop_assert_eq!(output.crop, plan.crop);
        } else {
            prop_assert_eq!((output.crop.width, output.crop.height), (plan.crop.width, plan.crop.height));
        }
        // An output without alpha is flattened: the plan says so.
        if plan.encode.format == Format::Jpeg {
            prop_assert!(plan.flatten.is_some());
        }
        // The bytes say so too (the test decoders read JPEG and PNG).
        if plan.encode.format != Format::Webp {
            let decoded = decode(&output.data);
            prop_assert_eq!((decoded.width, decoded.height), plan.geometry.canvas);
            if plan.flatten.is_some() {
                prop_assert!(decoded.channels % 2 == 1, "{} channels", decoded.channels);
            }
        }
        if let Some(broken) = without_pixels(&input) {
            prop_assert_eq!(thumbsmith::plan(&broken, &options).unwrap(), plan);
        }
    }
}

#[test]
fn the_crop_of_the_plan_is_the_outputs() {
    let options = Options {
        crop: Some(Rect {
            left: 10,
            top: 5,
            width: 100,
            height: 80,
        }),
        ..options(r#"{"width": 50, "height": 50}"#)
    };
    let input = fixture("photo.jpg");
    let plan = thumbsmith::plan(&input, &options).unwrap();
    let output = thumbsmith::process(&input, &options).unwrap();
    assert_eq!(
        plan.crop,
        Rect {
            left: 20,
            top: 5,
            width: 80,
            height: 80
        }
    );
    assert_eq!(output.crop, plan.crop);
}
