//! Every crash the fuzz targets (fuzz/) found, replayed as they ran it: the input is committed
//! under tests/fixtures/fuzz/<target>--<what-broke>.bin, byte for byte what libFuzzer saved, and
//! turned into the job with the targets' own code (fuzz/src/lib.rs), so the test takes the path
//! the crash took. Each asserts the typed error (or the success) the input must give now.
//! `make -C fuzz test` also replays every such file through its fuzz target.

#[allow(dead_code)]
#[path = "../../fuzz/src/lib.rs"]
mod fuzz_input;

use thumbsmith::Error;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/fuzz/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A decode target's input: the job byte, then the file with its format's magic bytes forced.
fn decode_input(name: &str, magic: &[(usize, &[u8])]) -> (Vec<u8>, thumbsmith::Options) {
    let data = fixture(name);
    let image = fuzz_input::forced(&data[1..], magic);
    let options = fuzz_input::decode_options(data[0], &image);
    (image, options)
}

/// A GIF whose logical screen is 0 pixels wide (the gif crate reads it without complaint) and
/// whose first frame is 14×13: `render` panicked with a subtraction overflow in
/// `Plan::crop_box` (`region.width - 1`). Decoding it at all makes no sense: refused from the
/// header, as corrupt, by `metadata`, `render` and `process` alike.
#[test]
fn gif_with_a_zero_width_screen_is_corrupt_not_a_crop_box_overflow() {
    let (image, options) =
        decode_input("decode_gif--zero-width-screen.bin", fuzz_input::magic::GIF);
    assert_eq!(&image[6..8], &[0, 0], "the logical screen width is 0");
    let corrupt = |result: Result<(), Error>, what: &str| match result {
        Err(Error::CorruptInput { format, reason }) => {
            assert_eq!(format, "gif", "{what}");
            assert!(reason.contains("no pixels"), "{what}: {reason}");
        }
        other => panic!("{what}: expected CorruptInput, got {other:?}"),
    };
    corrupt(thumbsmith::metadata(&image).map(drop), "metadata");
    corrupt(thumbsmith::render(&image, &options).map(drop), "render");
    corrupt(
        thumbsmith::process(&image, &thumbsmith::Options::avatar(64)).map(drop),
        "process",
    );
}

/// An indexed 17×13 PNG whose PLTE chunk is 673 bytes long (224 entries and one byte): the png
/// crate (0.18.1) accepts it and panicked expanding the palette to RGB (a slice index out of
/// range in `create_rgba_palette`). Refused as corrupt, naming the chunk; the header alone is
/// still readable, so `metadata` succeeds. (Fuzz builds of the png crate skip CRC checks; the
/// fixture's chunk CRCs are recomputed so that an ordinary build reaches the palette too, as an
/// attacker's file would.)
#[test]
fn png_with_a_plte_not_a_multiple_of_3_bytes_is_corrupt_not_a_palette_panic() {
    let (image, options) = decode_input(
        "decode_png--plte-not-a-multiple-of-3.bin",
        fuzz_input::magic::PNG,
    );
    let meta = thumbsmith::metadata(&image).expect("the header is whole");
    assert_eq!((meta.width, meta.height), (17, 13));
    let corrupt = |result: Result<(), Error>, what: &str| match result {
        Err(Error::CorruptInput { format, reason }) => {
            assert_eq!(format, "png", "{what}");
            assert!(
                reason.contains("PLTE chunk of 673 bytes"),
                "{what}: {reason}"
            );
        }
        other => panic!("{what}: expected CorruptInput, got {other:?}"),
    };
    corrupt(thumbsmith::render(&image, &options).map(drop), "render");
    corrupt(
        thumbsmith::process(&image, &thumbsmith::Options::avatar(64)).map(drop),
        "process",
    );
}

/// A TIFF whose Orientation entry counts billions of values: the tiff crate allocated a value per
/// count (tens of GB) before reading any, from `metadata`. The tag is now read only when it holds
/// a few values; the file is refused or decoded, never an allocation failure.
#[test]
fn tiff_with_a_huge_orientation_count_is_not_read() {
    let data = fixture("decode_tiff--huge-orientation-count.bin");
    let image = &data[1..];
    assert!(image.starts_with(b"II*\0") || image.starts_with(b"MM\0*"));
    let options = fuzz_input::decode_options(data[0], image);
    match thumbsmith::render(image, &options) {
        Ok(_) => {}
        Err(Error::Internal(e)) => panic!("{e}"),
        Err(_) => {}
    }
    let _ =
        thumbsmith::metadata(image).map_err(|e| assert!(!matches!(e, Error::Internal(_)), "{e}"));
}

/// A TIFF whose second page has a required tag (read by `next_image` while `metadata` counts
/// pages) counting billions of values: the crate reserved 137 GB for them before reading any,
/// and the allocation failure aborted the process. The header reader now bounds the values a
/// tag may reserve by the file's size.
#[test]
fn tiff_with_a_huge_tag_count_on_a_later_page_does_not_abort() {
    let image = fixture("metadata--later-page-huge-tag-count.bin");
    assert!(image.starts_with(b"II*\0"));
    match thumbsmith::metadata(&image) {
        Ok(meta) => assert_eq!(meta.format, thumbsmith::Format::Tiff),
        Err(e) => assert!(!matches!(e, Error::Internal(_)), "{e}"),
    }
    let _ = thumbsmith::process(&image, &thumbsmith::Options::avatar(64))
        .map_err(|e| assert!(!matches!(e, Error::Internal(_)), "{e}"));
}

/// A JPEG XL whose header describes its colours, without an ICC profile, as XYB (the codec's
/// internal space, which the format keeps out of this field). jxl-oxide made the profile of the
/// rendered pixels from that description and reached a `todo!` (jxl-color 0.11.0), a panic in
/// `metadata` and `process`. CI's metadata target found it; its artifact was not kept, so this
/// file is tests/fixtures/formats/lossy.jxl with the three fields rewritten bit for bit (the
/// colour space `Rgb` → `Xyb`, which drops the white point and primaries: the same 17 bits).
/// Corrupt, from the header.
#[cfg(feature = "decode-jxl")]
#[test]
fn jxl_declaring_xyb_as_its_colour_space_is_corrupt_not_a_panic() {
    jxl_corrupt_from_the_header("metadata--jxl-xyb-colour-space.bin", "XYB");
}

/// The same file with its transfer curve set to "unknown" (legal, but jxl-oxide panics making a
/// profile from it): a JPEG XL we cannot convert to sRGB, refused as unsupported, naming why.
#[cfg(feature = "decode-jxl")]
#[test]
fn jxl_with_an_unknown_transfer_curve_is_unsupported_not_a_panic() {
    let image = fixture("metadata--jxl-unknown-transfer-curve.bin");
    let unsupported = |result: Result<(), Error>, what: &str| match result {
        Err(Error::UnsupportedFormat { format }) => {
            assert!(
                format.contains("unknown transfer curve"),
                "{what}: {format}"
            )
        }
        other => panic!("{what}: expected UnsupportedFormat, got {other:?}"),
    };
    unsupported(thumbsmith::metadata(&image).map(drop), "metadata");
    unsupported(
        thumbsmith::process(&image, &thumbsmith::Options::avatar(64)).map(drop),
        "process",
    );
}

/// An 82-byte JPEG XL codestream whose header gives its transfer curve as a gamma of 1/0 (found
/// by the metadata and decode_jxl targets within minutes of the XYB fix): jxl-color divided by
/// the stored value making the rendered pixels' profile. Corrupt, from the header.
#[cfg(feature = "decode-jxl")]
#[test]
fn jxl_with_a_zero_gamma_is_corrupt_not_a_division_by_zero() {
    jxl_corrupt_from_the_header("metadata--jxl-gamma-zero.bin", "gamma");
}

/// `metadata` and `process` both refuse the fixture as a corrupt JPEG XL, naming `needle`.
#[cfg(feature = "decode-jxl")]
fn jxl_corrupt_from_the_header(name: &str, needle: &str) {
    let image = fixture(name);
    let corrupt = |result: Result<(), Error>, what: &str| match result {
        Err(Error::CorruptInput { format, reason }) => {
            assert_eq!(format, "jxl", "{what}");
            assert!(reason.contains(needle), "{what}: {reason}");
        }
        other => panic!("{what}: expected CorruptInput, got {other:?}"),
    };
    corrupt(thumbsmith::metadata(&image).map(drop), "metadata");
    corrupt(
        thumbsmith::process(&image, &thumbsmith::Options::avatar(64)).map(drop),
        "process",
    );
}
