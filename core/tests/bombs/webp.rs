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

/// A VP8L bitstream, written least significant bit first (RFC 9649 §3.2).
#[derive(Default)]
struct Bits {
    bytes: Vec<u8>,
    used: usize,
}

impl Bits {
    fn put(&mut self, value: u32, count: u32) -> &mut Self {
        for n in 0..count {
            if self.used.is_multiple_of(8) {
                self.bytes.push(0);
            }
            *self.bytes.last_mut().unwrap() |= ((value >> n & 1) as u8) << (self.used % 8);
            self.used += 1;
        }
        self
    }

    /// A prefix code's `code` of `length` bits: its first bit is its most significant.
    fn code(&mut self, code: u32, length: u32) -> &mut Self {
        for n in (0..length).rev() {
            self.put(code >> n & 1, 1);
        }
        self
    }

    /// A simple prefix code of the one symbol `symbol` (0…255): decoding it reads no bits.
    fn single(&mut self, symbol: u32) -> &mut Self {
        self.put(1, 1).put(0, 1).put(1, 1).put(symbol, 8)
    }

    /// A normal prefix code whose symbols 0…10 have the lengths 1, 2, …, 10, 10: the decoder
    /// builds its full 1,024-entry table for it. The code-length code gives the lengths 1…6 three
    /// bits (codes 0b000…0b101) and 7…10 four (0b1100…0b1111).
    fn deep(&mut self) -> &mut Self {
        self.put(0, 1).put(14 - 4, 4);
        // Code-length code lengths in RFC 9649's order 17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10.
        for length in [0, 0, 0, 3, 3, 3, 3, 3, 0, 3, 4, 4, 4, 4] {
            self.put(length, 3);
        }
        self.put(1, 1).put(1, 3).put(11 - 2, 4); // 11 code lengths follow
        for length in [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10] {
            match length {
                1..=6 => self.code(length - 1, 3),
                _ => self.code(0b1100 + length - 7, 4),
            };
        }
        self
    }
}

/// A 1024×1024 VP8L stream whose entropy image declares `groups` prefix-code groups (all of its
/// pixels name the last one), followed by every group's five codes as `deep` ones, and no pixel
/// data. With `header` false it is an ALPH chunk's headerless stream.
fn group_bomb(groups: u32, header: bool) -> Vec<u8> {
    let mut bits = Bits::default();
    if header {
        bits.put(0x2F, 8).put(1023, 14).put(1023, 14).put(0, 4);
    }
    bits.put(0, 1); // no transform
    bits.put(0, 1); // no colour cache
    bits.put(1, 1).put(0, 3); // meta prefix codes, 4×4 blocks
                              // The entropy image: no cache, green and red single symbols giving `groups - 1`, the rest 0.
    let last = groups - 1;
    bits.put(0, 1)
        .single(last & 0xFF)
        .single(last >> 8)
        .single(0)
        .single(0)
        .single(0);
    for _ in 0..groups * 5 {
        bits.deep();
    }
    bits.bytes
}

#[test]
fn a_lossless_webp_declaring_tens_of_thousands_of_code_groups_is_refused() {
    let assert_refused = |result: thumbsmith::Result<thumbsmith::Output>| match result {
        Err(Error::UnsupportedFormat { format }) => {
            assert!(format.contains("65536 prefix-code groups"), "{format}")
        }
        other => panic!("expected the groups to be refused, got {other:?}"),
    };
    let stream = group_bomb(65_536, true);
    let bomb = riff(&[(b"VP8L", &stream)]);
    keep("webp-vp8l-groups.webp", &bomb);
    let (result, cost) = measure(|| process(&bomb, &Options::avatar(8)));
    assert_refused(result);
    assert_within_bounds("65,536 VP8L groups", &cost, 0);

    // The same groups in the lossless alpha of a lossy picture (an ALPH chunk, compression 1).
    let (_, vp8) = first_chunk(&fixture("lossy.webp"));
    let (width, height) = (
        u32::from(u16::from_le_bytes([vp8[6], vp8[7]]) & 0x3FFF),
        u32::from(u16::from_le_bytes([vp8[8], vp8[9]]) & 0x3FFF),
    );
    let mut alph = vec![1u8];
    alph.extend(group_bomb(65_536, false));
    let with_alpha = riff(&[
        (b"VP8X", &vp8x(0x10, width, height)),
        (b"ALPH", &alph),
        (b"VP8 ", &vp8),
    ]);
    keep("webp-alph-groups.webp", &with_alpha);
    let (result, cost) = measure(|| process(&with_alpha, &Options::avatar(8)));
    assert_refused(result);
    assert_within_bounds("65,536 ALPH groups", &cost, 0);
}

#[test]
fn a_lossless_webp_with_as_many_groups_as_libwebp_writes_is_decoded_as_before() {
    // 2,600 groups (libwebp's encoder's most), then no pixels: not refused for its groups, so
    // the decoders read it and find it truncated.
    let bomb = riff(&[(b"VP8L", &group_bomb(2_600, true))]);
    match process(&bomb, &Options::avatar(8)) {
        Err(Error::CorruptInput { format, .. }) => assert_eq!(format, "webp"),
        other => panic!("expected a truncated WebP, got {other:?}"),
    }
}
