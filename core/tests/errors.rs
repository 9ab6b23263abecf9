//! Bad inputs give the right error variant, and no input ever panics.

mod common;

use common::*;
use proptest::prelude::*;
use thumbsmith::{metadata, process, Error, Options};

fn error_of(name: &str) -> Error {
    process(&fixture(name), &Options::avatar(64)).expect_err(name)
}

#[test]
fn each_bad_input_gets_its_variant() {
    // The bomb is refused from its header: 60000×60000 is never allocated.
    match error_of("bomb.png") {
        Error::LimitExceeded {
            what,
            value,
            option,
            ..
        } => {
            assert_eq!(
                (what, value, option),
                ("input pixel count", 3_600_000_000, "max_input_pixels")
            );
        }
        other => panic!("bomb: {other:?}"),
    }
    assert!(matches!(error_of("empty.bin"), Error::CorruptInput { .. }));
    assert!(
        matches!(error_of("truncated.jpg"), Error::CorruptInput { ref format, .. } if format == "jpeg")
    );
    assert_eq!(
        error_of("random.bin"),
        Error::UnsupportedFormat {
            format: "unknown".into()
        }
    );
    assert_eq!(
        error_of("text.txt"),
        Error::UnsupportedFormat {
            format: "text (not an image)".into()
        }
    );
    // Metadata sees the bomb's size without decoding it.
    assert_eq!(metadata(&fixture("bomb.png")).unwrap().width, 60000);
}

#[test]
fn limits_are_options() {
    let photo = fixture("photo.jpg");
    let small = |json: &str| process(&photo, &options(json)).unwrap_err();
    assert!(matches!(
        small(r#"{"max_input_pixels": 1000}"#),
        Error::LimitExceeded {
            option: "max_input_pixels",
            ..
        }
    ));
    assert!(matches!(
        small(r#"{"max_input_bytes": 1000}"#),
        Error::LimitExceeded {
            option: "max_input_bytes",
            ..
        }
    ));
    assert!(matches!(
        small(r#"{"width": 5000, "max_output_dimension": 4096}"#),
        Error::LimitExceeded {
            option: "max_output_dimension",
            ..
        }
    ));
    let message = small(r#"{"max_input_pixels": 1000}"#).to_string();
    assert_eq!(
        message,
        "input pixel count 19200 exceeds the limit of 1000 (raise `max_input_pixels` to allow it)"
    );
}

#[test]
fn encode_failures_are_reported() {
    // JPEG's frame header holds 16-bit sizes; WebP's 14-bit ones.
    let wide = r#"{"width": 70000, "height": 1, "fit": "fill", "max_output_dimension": 100000}"#;
    let err = process(&fixture("photo.jpg"), &options(wide)).unwrap_err();
    assert!(
        matches!(err, Error::EncodeFailed { ref format, .. } if format == "jpeg"),
        "{err:?}"
    );
    let webp = r#"{"width": 20000, "height": 1, "fit": "fill", "format": "webp", "max_output_dimension": 100000}"#;
    let err = process(&fixture("photo.jpg"), &options(webp)).unwrap_err();
    assert!(
        matches!(err, Error::EncodeFailed { ref format, .. } if format == "webp"),
        "{err:?}"
    );
}

#[test]
fn codes_are_stable_and_distinct() {
    let mut codes = Error::CODES.to_vec();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), Error::CODES.len());
    assert_eq!(error_of("bomb.png").code(), "ERR_LIMIT_EXCEEDED");
}

fn fixtures_for_mutation() -> Vec<Vec<u8>> {
    [
        "photo.jpg",
        "progressive.jpg",
        "scene.png",
        "palette-trns.png",
        "lossy.webp",
        "lossless.webp",
        "animated.gif",
        "patches-cmyk.jpg",
        "exif-6.jpg",
    ]
    .iter()
    .map(|n| fixture(n))
    .collect()
}

fn never_panics(bytes: &[u8]) -> Result<(), TestCaseError> {
    // `process` turns a panic into Error::Internal; seeing one here means a decoder panicked.
    let opts = Options::avatar(16);
    if let Err(Error::Internal(message)) = process(bytes, &opts) {
        return Err(TestCaseError::fail(format!("panic: {message}")));
    }
    if let Err(Error::Internal(message)) = metadata(bytes) {
        return Err(TestCaseError::fail(format!("panic in metadata: {message}")));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        never_panics(&bytes)?;
    }

    #[test]
    fn random_bytes_after_a_valid_signature_never_panic(
        magic in prop_oneof![
            Just(b"\xFF\xD8\xFF\xE0".to_vec()), Just(b"\x89PNG\r\n\x1a\n".to_vec()),
            Just(b"GIF89a".to_vec()), Just(b"RIFF\x10\0\0\0WEBPVP8 ".to_vec())],
        tail in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        never_panics(&[magic, tail].concat())?;
    }

    #[test]
    fn mutated_fixtures_never_panic(
        which in 0usize..9, edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<prop::sample::Index>(), truncate in any::<bool>(),
    ) {
        let mut bytes = fixtures_for_mutation().swap_remove(which);
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        never_panics(&bytes)?;
    }

    /// Damaged baseline JPEGs with restart intervals, at avatar sizes that make the pipeline
    /// decode them at 1/8 … 5/8 in the DCT domain, or at full size (the hand-written fast path).
    #[test]
    fn mutated_jpegs_through_the_shrinking_decoder_never_panic(
        size in prop_oneof![Just(4u32), Just(16), Just(24), Just(32), Just(40), Just(48)],
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<prop::sample::Index>(), truncate in any::<bool>(),
    ) {
        let mut bytes = restart_jpeg();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len()));
        }
        if let Err(Error::Internal(message)) = process(&bytes, &Options::avatar(size)) {
            return Err(TestCaseError::fail(format!("panic: {message}")));
        }
    }
}

/// 200×136 (4:2:2, a restart every 2 MCUs): a 4, 16, 24, 32, 40 or 48 px avatar of it decodes
/// at 1/8, 2/8, 3/8, 4/8, 5/8 or full size (the smallest N/8 of 136, N ≤ 5, that is ≥ twice it).
fn restart_jpeg() -> Vec<u8> {
    let (width, height) = (200u16, 136u16);
    let rgb: Vec<u8> = (0..u32::from(width) * u32::from(height))
        .flat_map(|i| {
            let (x, y) = (i % u32::from(width), i / u32::from(width));
            [
                (x + y) as u8,
                (x * 3) as u8,
                if (x / 9 + y / 7) % 2 == 0 { 40 } else { 220 },
            ]
        })
        .collect();
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::R_4_2_2);
    encoder.set_restart_interval(2);
    encoder
        .encode(&rgb, width, height, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

/// A minimal lossless JPEG (ITU T.81 H): SOF3 for 16×16 gray, a Huffman table with one 1-bit
/// code, a scan with predictor 1, a few bytes of data. `frame` replaces the SOF3 marker to make
/// the header of another process.
fn jpeg_with_frame(frame: u8) -> Vec<u8> {
    let mut jpeg = vec![0xFF, 0xD8];
    // Frame header: precision 8, 16×16, one component (id 1, 1×1, table 0).
    jpeg.extend([0xFF, frame, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0]);
    // DC table 0: one code of length 1, for difference category 0.
    jpeg.extend([0xFF, 0xC4, 0, 20, 0x00, 1]);
    jpeg.extend([0; 15]);
    jpeg.push(0);
    // Scan: component 1 with table 0, predictor 1 (Ss), Se 0, no point transform.
    jpeg.extend([0xFF, 0xDA, 0, 8, 1, 1, 0x00, 1, 0, 0]);
    jpeg.extend([0x00; 32]);
    jpeg.extend([0xFF, 0xD9]);
    jpeg
}

/// Lossless and hierarchical JPEGs are valid files of a process thumbsmith does not decode:
/// `UnsupportedFormat` naming it, from `metadata` and `process` alike (not "corrupt").
#[test]
fn lossless_and_hierarchical_jpegs_are_unsupported_naming_the_process() {
    for (frame, process) in [
        (0xC3, "JPEG lossless (SOF3)"),
        (0xC5, "JPEG hierarchical extended sequential (SOF5)"),
        (0xC6, "JPEG hierarchical progressive (SOF6)"),
        (0xC7, "JPEG hierarchical lossless (SOF7)"),
        (0xCB, "JPEG lossless, arithmetic coded (SOF11)"),
        (
            0xCD,
            "JPEG hierarchical extended sequential, arithmetic coded (SOF13)",
        ),
        (0xCF, "JPEG hierarchical lossless, arithmetic coded (SOF15)"),
    ] {
        let jpeg = jpeg_with_frame(frame);
        let expected = Error::UnsupportedFormat {
            format: process.into(),
        };
        assert_eq!(metadata(&jpeg).expect_err(process), expected);
        assert_eq!(
            process_bytes(&jpeg).expect_err(process),
            expected,
            "{process}"
        );
    }
    // The refusal comes from the frame marker alone: the same file as a baseline frame is not
    // called unsupported.
    let baseline = jpeg_with_frame(0xC0);
    assert!(!matches!(
        metadata(&baseline),
        Err(Error::UnsupportedFormat { .. })
    ));
}

fn process_bytes(bytes: &[u8]) -> thumbsmith::Result<thumbsmith::Output> {
    process(bytes, &Options::avatar(8))
}

#[test]
fn an_unsupported_format_lists_what_this_build_reads() {
    let message = thumbsmith::sniff(b"not an image at all")
        .unwrap_err()
        .to_string();
    assert!(message.contains("JPEG, PNG, WebP"), "{message}");
    assert_eq!(
        message.contains("TIFF"),
        cfg!(feature = "decode-tiff"),
        "{message}"
    );
    assert_eq!(
        message.contains("JPEG XL"),
        cfg!(feature = "decode-jxl"),
        "{message}"
    );
}
