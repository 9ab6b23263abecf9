//! GIF bombs: a frame far larger than the logical screen the pixel limit is checked on, and a
//! file of hundreds of thousands of frames (thumbsmith reads the first; `metadata()` counts
//! them).

use super::*;

/// A GIF89a `width`×`height` logical screen with a 2-colour global table, then `body`.
fn gif(width: u16, height: u16, body: &[u8]) -> Vec<u8> {
    let mut out = b"GIF89a".to_vec();
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.extend_from_slice(&[0x80, 0, 0]); // global table of 2 entries
    out.extend_from_slice(&[0, 0, 0, 255, 255, 255]);
    out.extend_from_slice(body);
    out.push(0x3B); // trailer
    out
}

/// An image descriptor for a `width`×`height` frame at the origin and its LZW data: a clear
/// code, one pixel of colour 0 and the end code (2-bit minimum code size, 3-bit codes).
fn frame(width: u16, height: u16) -> Vec<u8> {
    let mut out = vec![0x2C, 0, 0, 0, 0];
    out.extend_from_slice(&width.to_le_bytes());
    out.extend_from_slice(&height.to_le_bytes());
    out.push(0); // no local table, not interlaced
    out.extend_from_slice(&[2, 2, 0x44, 0x01, 0]);
    out
}

#[test]
fn a_frame_larger_than_its_screen_is_refused_before_it_is_allocated() {
    // A 1×1 screen passes the pixel limit; its frame says 65535×65535, 16 GiB as RGBA.
    let bomb = gif(1, 1, &frame(65535, 65535));
    keep("gif-huge-frame.gif", &bomb);
    let (result, cost) = measure(|| process(&bomb, &Options::avatar(64)));
    match result {
        Err(Error::LimitExceeded { what, option, .. }) => {
            assert_eq!(option, "max_input_pixels");
            assert!(what.contains("GIF frame"), "{what}");
        }
        other => panic!("expected the frame to be refused, got {other:?}"),
    }
    assert_within_bounds("65535² frame", &cost, 0);
    // The header alone is read without allocating the frame either.
    let (meta, cost) = measure(|| thumbsmith::metadata(&bomb));
    assert_eq!(meta.expect("the header is fine").frames, 1);
    assert!(cost.peak < MIB, "peak heap {} bytes", cost.peak);
    // A frame within the screen is still decoded.
    let small = gif(4, 4, &frame(1, 1));
    let output = process(&small, &Options::avatar(4)).expect("a 1×1 frame on a 4×4 screen");
    assert_eq!((output.width, output.height), (4, 4));
}

#[test]
fn hundreds_of_thousands_of_frames_are_counted_without_being_decoded() {
    let one = frame(1, 1);
    let count = 10_000_000 / one.len();
    let bomb = gif(64, 64, &one.repeat(count));
    keep("gif-666k-frames.gif", &bomb);
    let (meta, cost) = measure(|| thumbsmith::metadata(&bomb));
    assert_eq!(meta.unwrap().frames as usize, count);
    assert_within_bounds("666k frames, header", &cost, 0);
    let (result, cost) = measure(|| process(&bomb, &Options::avatar(64)));
    result.expect("the first frame");
    assert_within_bounds("666k frames", &cost, 64 * 64 * 4);
}
