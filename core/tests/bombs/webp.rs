//! WebP bombs: an animation of hundreds of thousands of frames (thumbsmith reads the first), and
//! a frame whose own header declares far more pixels than the canvas the pixel limit is checked
//! on.

use super::*;

/// A RIFF WebP of `chunks` (each fourcc, data), padded to even sizes.
fn riff(chunks: &[(&[u8; 4], &[u8])]) -> Vec<u8> {
    let mut body = b"WEBP".to_vec();
    for (fourcc, data) in chunks {
        body.extend_from_slice(*fourcc);
        body.extend_from_slice(&(data.len() as u32).to_le_bytes());
        body.extend_from_slice(data);
        if data.len() % 2 == 1 {
            body.push(0);
        }
    }
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

/// A VP8X chunk's data: `flags` and a `width`×`height` canvas.
fn vp8x(flags: u8, width: u32, height: u32) -> Vec<u8> {
    let mut data = vec![flags, 0, 0, 0];
    data.extend_from_slice(&(width - 1).to_le_bytes()[..3]);
    data.extend_from_slice(&(height - 1).to_le_bytes()[..3]);
    data
}

/// The first chunk (fourcc, data) of a simple WebP.
fn first_chunk(webp: &[u8]) -> ([u8; 4], Vec<u8>) {
    let len = u32::from_le_bytes(webp[16..20].try_into().unwrap()) as usize;
    (
        webp[12..16].try_into().unwrap(),
        webp[20..20 + len].to_vec(),
    )
}

#[test]
fn an_animation_of_hundreds_of_thousands_of_frames_reads_only_the_first() {
    // A 1×1 lossless picture, made by thumbsmith itself, as every frame.
    let png = encode_png(1, 1, 3, &[10, 20, 30]);
    let one = process(&png, &options(r#"{"format": "webp", "lossless": true}"#)).unwrap();
    let (fourcc, frame) = first_chunk(&one.data);
    assert_eq!(&fourcc, b"VP8L");
    let mut anmf = vec![0; 16]; // at (0, 0), 1×1, no duration, blended, not disposed
    anmf.extend_from_slice(b"VP8L");
    anmf.extend_from_slice(&(frame.len() as u32).to_le_bytes());
    anmf.extend_from_slice(&frame);
    if frame.len() % 2 == 1 {
        anmf.push(0);
    }
    let count = 10_000_000 / (anmf.len() + 8);
    let header = vp8x(0x02, 1, 1); // animated
    let anim = [0u8; 6]; // background, loop count
    let mut chunks: Vec<(&[u8; 4], &[u8])> = vec![(b"VP8X", &header), (b"ANIM", &anim)];
    chunks.extend(std::iter::repeat_n((b"ANMF", &anmf[..]), count));
    let bomb = riff(&chunks);
    keep("webp-anim-frames.webp", &bomb);
    let (meta, cost) = measure(|| thumbsmith::metadata(&bomb));
    assert_eq!(meta.unwrap().frames as usize, count);
    assert_within_bounds("WebP frames, header", &cost, 0);
    let (result, cost) = measure(|| process(&bomb, &Options::avatar(8)));
    let output = result.expect("the first frame");
    assert_eq!((output.width, output.height), (8, 8));
    assert_within_bounds("WebP frames", &cost, 0);
}

#[test]
fn a_frame_larger_than_its_canvas_is_refused() {
    // A 1×1 canvas (which passes the pixel limit) whose VP8 frame header says 16383×16383.
    let (_, mut vp8) = first_chunk(&fixture("lossy.webp"));
    assert_eq!(vp8[3..6], [0x9D, 0x01, 0x2A], "a key frame's start code");
    vp8[6..8].copy_from_slice(&16383u16.to_le_bytes());
    vp8[8..10].copy_from_slice(&16383u16.to_le_bytes());
    let bomb = riff(&[(b"VP8X", &vp8x(0, 1, 1)), (b"VP8 ", &vp8)]);
    keep("webp-huge-frame.webp", &bomb);
    let (result, cost) = measure(|| process(&bomb, &Options::avatar(8)));
    assert_corrupt(result, "16383×16383");
    assert_within_bounds("16383² frame on a 1×1 canvas", &cost, 0);
    // The same frame as the first of an animation whose ANMF says 1×1.
    let mut anmf = vec![0; 16];
    anmf.extend_from_slice(b"VP8 ");
    anmf.extend_from_slice(&(vp8.len() as u32).to_le_bytes());
    anmf.extend_from_slice(&vp8);
    let animated = riff(&[
        (b"VP8X", &vp8x(0x02, 1, 1)),
        (b"ANIM", &[0; 6]),
        (b"ANMF", &anmf),
    ]);
    keep("webp-huge-frame-animated.webp", &animated);
    let (result, cost) = measure(|| process(&animated, &Options::avatar(8)));
    assert_corrupt(result, "16383×16383");
    assert_within_bounds("16383² frame in a 1×1 ANMF", &cost, 0);
}

fn assert_corrupt(result: thumbsmith::Result<thumbsmith::Output>, says: &str) {
    match result {
        Err(Error::CorruptInput { reason, .. }) => assert!(reason.contains(says), "{reason}"),
        other => panic!("expected a corrupt WebP, got {other:?}"),
    }
}
