//! The header reader on hostile bytes (`thumbsmith::metadata`: sniff, header, EXIF, ICC).
#![no_main]
use libfuzzer_sys::fuzz_target;
use thumbsmith_fuzz::check;

fuzz_target!(|data: &[u8]| {
    if let Ok(meta) = check(thumbsmith::metadata(data)) {
        assert!((1..=8).contains(&meta.orientation), "{meta:?}");
        let upright = if meta.orientation >= 5 {
            (meta.height, meta.width)
        } else {
            (meta.width, meta.height)
        };
        assert_eq!(
            (meta.oriented_width, meta.oriented_height),
            upright,
            "{meta:?}"
        );
    }
});
