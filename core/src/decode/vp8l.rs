//! How many prefix-code groups a lossless WebP (VP8L) bitstream declares, read before image-webp
//! allocates them.
//!
//! A VP8L image may split itself into up to 65,536 groups of five prefix codes, and image-webp
//! builds every group's decoding tables (up to 1,024 entries each) before it decodes a pixel;
//! a group that costs about 60 bytes of input costs about 20 KB of tables, so a few megabytes of
//! file reserve gigabytes. libwebp guards against this by keeping only the groups the entropy
//! image uses; image-webp (our browser build's decoder, and the native build's for animations
//! and for files libwebp refuses) has no such guard. No crate reads a VP8L stream's layout
//! without decoding it, so this walk is ours: it follows RFC 9649 §3–§6 (transforms, colour
//! cache, meta prefix codes) far enough to bound the group count, and decodes nothing into
//! pixels. Sub-images before the group codes are stepped over symbol by symbol, positions only.
//!
//! The bound is the largest group index the entropy image can hold: its red code's largest
//! symbol times 256 plus its green code's largest literal. Back references and colour-cache
//! hits repeat pixels already seen, so no pixel has a larger index. Encoders never give a code
//! symbols they do not use, so for real files the bound is the count.
//!
//! Whenever the stream is not what the walk expects it gives `None`, and the decoder then reads
//! the same bits and reports its own error at the same place, before any group.

/// RFC 9649 §3.7.2.1.2: the order the code-length code lengths are given in.
const CODE_LENGTH_ORDER: [usize; 19] = [
    17, 18, 0, 1, 2, 3, 4, 5, 16, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
];
const LONGEST_CODE: usize = 15;
/// Literal green values and the 24 length prefixes come before the colour-cache symbols.
const GREEN_BEFORE_CACHE: usize = 256 + 24;

/// The VP8L stream's bits, least significant first (RFC 9649 §3.2).
struct Bits<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bits<'_> {
    fn read(&mut self, count: u32) -> Option<u32> {
        let mut value = 0;
        for n in 0..count {
            let byte = *self.data.get(self.at / 8)?;
            value |= u32::from(byte >> (self.at % 8) & 1) << n;
            self.at += 1;
        }
        Some(value)
    }
}

/// A canonical prefix code, decoded one bit at a time (as zlib's `puff`): slow, and only run
/// over the small sub-images in front of the group codes.
struct Code {
    /// How many symbols have each length, 1…15.
    counts: [u16; LONGEST_CODE + 1],
    /// The symbols ordered by length, then value.
    symbols: Vec<u16>,
}

impl Code {
    /// The code of `lengths` (0 = symbol absent). `None` unless it is complete, or one symbol.
    fn new(lengths: &[u8]) -> Option<Code> {
        let mut counts = [0u16; LONGEST_CODE + 1];
        for &length in lengths.iter().filter(|&&l| l > 0) {
            counts[usize::from(length)] += 1;
        }
        let mut symbols: Vec<u16> = Vec::new();
        for length in 1..=LONGEST_CODE as u8 {
            let with = lengths.iter().enumerate().filter(|(_, &l)| l == length);
            symbols.extend(with.map(|(symbol, _)| symbol as u16));
        }
        let mut left: i32 = 1;
        for &count in &counts[1..] {
            left = 2 * left - i32::from(count);
            if left < 0 {
                return None;
            }
        }
        (left == 0 || symbols.len() == 1).then_some(Code { counts, symbols })
    }

    fn largest(&self, below: u16) -> Option<u16> {
        self.symbols.iter().copied().filter(|&s| s < below).max()
    }

    /// The next symbol. A code of one symbol takes no bits (RFC 9649 §3.7.2.1.1).
    fn decode(&self, bits: &mut Bits) -> Option<u16> {
        if self.symbols.len() == 1 {
            return Some(self.symbols[0]);
        }
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for &count in &self.counts[1..] {
            code |= bits.read(1)? as i32;
            let count = i32::from(count);
            if code - first < count {
                return self.symbols.get((index + code - first) as usize).copied();
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        None
    }
}

/// RFC 9649 §3.7.2.1: one prefix code over `alphabet` symbols, as image-webp reads it.
fn read_code(bits: &mut Bits, alphabet: usize) -> Option<Code> {
    if bits.read(1)? == 1 {
        // A simple code: one or two symbols, given outright; the first costs no bits to decode
        // when alone, otherwise each costs one (0 for the first given, 1 for the second).
        let two = bits.read(1)? == 1;
        let first_bits = if bits.read(1)? == 1 { 8 } else { 1 };
        let first = bits.read(first_bits)? as u16;
        let mut symbols = vec![first];
        if two {
            symbols.push(bits.read(8)? as u16);
        }
        if symbols.iter().any(|&s| usize::from(s) >= alphabet) {
            return None;
        }
        let mut counts = [0; LONGEST_CODE + 1];
        counts[1] = if two { 2 } else { 0 };
        return Some(Code { counts, symbols });
    }
    let mut length_lengths = [0u8; 19];
    let given = 4 + bits.read(4)? as usize;
    for &symbol in &CODE_LENGTH_ORDER[..given] {
        length_lengths[symbol] = bits.read(3)? as u8;
    }
    let length_code = Code::new(&length_lengths)?;
    let mut budget = if bits.read(1)? == 1 {
        let width = 2 + 2 * bits.read(3)?;
        let most = 2 + bits.read(width)? as usize;
        (most <= alphabet).then_some(most)?
    } else {
        alphabet
    };
    let mut lengths = vec![0u8; alphabet];
    let (mut symbol, mut previous) = (0, 8u8);
    while symbol < alphabet && budget > 0 {
        budget -= 1;
        let length = length_code.decode(bits)?;
        let (repeat, value) = match length {
            0..=15 => {
                lengths[symbol] = length as u8;
                symbol += 1;
                if length != 0 {
                    previous = length as u8;
                }
                continue;
            }
            16 => (3 + bits.read(2)?, previous),
            17 => (3 + bits.read(3)?, 0),
            _ => (11 + bits.read(7)?, 0),
        };
        let end = symbol + repeat as usize;
        lengths.get_mut(symbol..end)?.fill(value);
        symbol = end;
    }
    Code::new(&lengths)
}

/// RFC 9649 §5.2.2: an LZ77 length or distance from its prefix symbol.
fn prefix_value(bits: &mut Bits, prefix: u16) -> Option<usize> {
    if prefix < 4 {
        return Some(usize::from(prefix) + 1);
    }
    let extra = u32::from(prefix - 2) >> 1;
    let offset = (2 + usize::from(prefix & 1)) << extra;
    Some(offset + bits.read(extra)? as usize + 1)
}

/// Reads a colour-cache size (RFC 9649 §5.2.3): the number of cache symbols, 0 without one.
fn colour_cache(bits: &mut Bits) -> Option<usize> {
    if bits.read(1)? == 0 {
        return Some(0);
    }
    let cache_bits = bits.read(4)?;
    (1..=11).contains(&cache_bits).then(|| 1 << cache_bits)
}

/// The five codes of one group (RFC 9649 §6.2.1): green (with lengths and cache), red, blue,
/// alpha, distance.
fn read_group(bits: &mut Bits, cache: usize) -> Option<[Code; 5]> {
    Some([
        read_code(bits, GREEN_BEFORE_CACHE + cache)?,
        read_code(bits, 256)?,
        read_code(bits, 256)?,
        read_code(bits, 256)?,
        read_code(bits, 40)?,
    ])
}

/// Steps over a sub-image of `pixels` pixels (a transform's data): one group, no meta codes.
/// Only positions are followed; no pixel is kept.
fn skip_sub_image(bits: &mut Bits, pixels: usize) -> Option<()> {
    let cache = colour_cache(bits)?;
    let [green, red, blue, alpha, distance] = read_group(bits, cache)?;
    let mut at = 0;
    while at < pixels {
        let symbol = green.decode(bits)?;
        if symbol < 256 {
            for code in [&red, &blue, &alpha] {
                code.decode(bits)?;
            }
            at += 1;
        } else if usize::from(symbol) < GREEN_BEFORE_CACHE {
            let length = prefix_value(bits, symbol - 256)?;
            let distance_symbol = distance.decode(bits)?;
            prefix_value(bits, distance_symbol)?;
            at += length;
        } else {
            at += 1;
        }
    }
    Some(())
}

fn blocks(size: usize, bits: u32) -> usize {
    size.div_ceil(1 << bits)
}

/// The number of prefix-code groups of the VP8L image `stream` (RFC 9649 §3): a `VP8L` chunk's
/// payload when `implicit` is `None`, or the bitstream of an `ALPH` chunk (after its one-byte
/// header), which has no header of its own, with the `implicit` size of its frame.
pub(crate) fn groups(stream: &[u8], implicit: Option<(u32, u32)>) -> Option<u32> {
    walk(stream, implicit, false)
}

/// [`groups`]; with `then_codes`, the walk goes on over the entropy image's pixels and reads
/// every group's codes (the tests' check that it stayed in step with the stream).
fn walk(stream: &[u8], implicit: Option<(u32, u32)>, then_codes: bool) -> Option<u32> {
    let mut bits = Bits {
        data: stream,
        at: 0,
    };
    let (width, height) = match implicit {
        Some(size) => size,
        None => {
            if bits.read(8)? != 0x2F {
                return None;
            }
            let width = bits.read(14)? + 1;
            let height = bits.read(14)? + 1;
            bits.read(4)?; // alpha hint, version
            (width, height)
        }
    };
    let (mut xsize, ysize) = (width as usize, height as usize);
    let mut seen = [false; 4];
    while bits.read(1)? == 1 {
        let kind = bits.read(2)? as usize;
        if std::mem::replace(&mut seen[kind], true) {
            return None;
        }
        match kind {
            0 | 1 => {
                let size_bits = bits.read(3)? + 2;
                skip_sub_image(
                    &mut bits,
                    blocks(xsize, size_bits) * blocks(ysize, size_bits),
                )?;
            }
            2 => {}
            _ => {
                let colours = bits.read(8)? as usize + 1;
                skip_sub_image(&mut bits, colours)?;
                let packing = match colours {
                    0..=2 => 3,
                    3..=4 => 2,
                    5..=16 => 1,
                    _ => 0,
                };
                xsize = blocks(xsize, packing);
            }
        }
    }
    let main_cache = colour_cache(&mut bits)?;
    if bits.read(1)? == 0 {
        return (!then_codes || read_group(&mut bits, main_cache).is_some()).then_some(1);
    }
    bits.read(3)?; // the entropy image's block size: the bound does not depend on it
                   // The entropy image's own colour cache and codes (RFC 9649 §6.2.2); its pixels are not read.
    let cache = colour_cache(&mut bits)?;
    let [green, red, ..] = read_group(&mut bits, cache)?;
    let red = u32::from(red.largest(256)?);
    let green = u32::from(green.largest(256)?);
    Some((red << 8 | green) + 1)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::{groups, walk};

    /// The VP8L chunk of a simple lossless WebP file.
    fn vp8l_chunk(webp: &[u8]) -> &[u8] {
        assert_eq!(&webp[12..16], b"VP8L");
        let len = u32::from_le_bytes(webp[16..20].try_into().unwrap()) as usize;
        &webp[20..20 + len]
    }

    /// libwebp's lossless encoder on pictures that make it use every
    /// transform and many groups: the walk must step over the transforms' data exactly, or the
    /// codes it reads after them would be garbage (no count, or past libwebp's 2,600).
    #[test]
    fn counts_the_groups_of_libwebp_lossless_files() {
        let mut seen = Vec::new();
        let mut state = 1u32;
        let mut random = move || {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (state >> 16) as u8
        };
        // A palette of 200 colours with random alpha, in runs (colour indexing, LZ77 in its
        // palette and pixels); smooth gradients with noise in tiles that repeat (predictor and
        // cross-colour data with back references); plain noise.
        let palette: Vec<[u8; 4]> = (0..200)
            .map(|_| [random(), random(), random(), random()])
            .collect();
        let mut pictures: Vec<(u32, u32, Vec<u8>)> = Vec::new();
        let (w, h) = (300u32, 200u32);
        pictures.push((
            w,
            h,
            (0..w * h)
                .flat_map(|i| palette[(i / 7 % 200) as usize])
                .collect(),
        ));
        let (w, h) = (640u32, 480u32);
        let tile: Vec<u8> = (0..64 * 64 * 4).map(|_| random() >> 5).collect();
        let tiled = (0..w * h * 4).map(|i| {
            let (x, y, c) = ((i / 4) % w, (i / 4) / w, i % 4);
            let noise = tile[(((y % 64) * 64 + x % 64) * 4 + c) as usize];
            if c == 3 {
                255
            } else {
                ((x * (c + 1) + y) / 3) as u8 ^ noise
            }
        });
        pictures.push((w, h, tiled.collect()));
        let (w, h) = (90u32, 70u32);
        pictures.push((
            w,
            h,
            (0..w * h)
                .flat_map(|i| palette[(i / 5 % 12) as usize])
                .collect(),
        ));
        pictures.push((64, 48, (0..64 * 48 * 4).map(|_| random()).collect()));
        for (width, height, rgba) in &pictures {
            let (width, height) = (*width, *height);
            let mut config = webp::WebPConfig::new().unwrap();
            (config.lossless, config.method, config.quality) = (1, 4, 100.0);
            let encoded = webp::Encoder::from_rgba(rgba, width, height)
                .encode_advanced(&config)
                .unwrap();
            let stream = vp8l_chunk(&encoded);
            let count = groups(stream, None).expect("a count");
            // The count is the one the codes after the entropy image bear out: a walk out of
            // step with the stream would meet an invalid code among them.
            assert_eq!(walk(stream, None, true), Some(count), "{width}×{height}");
            assert!((1..=2600).contains(&count), "{width}×{height}: {count}");
            seen.push(count);
        }
        eprintln!("groups: {seen:?}");
        assert!(
            seen.iter().any(|&n| n > 1),
            "no file used meta codes: {seen:?}"
        );
    }

    #[test]
    fn the_fixture_and_odd_streams() {
        let fixture = include_bytes!("../../tests/fixtures/lossless.webp");
        assert!(groups(vp8l_chunk(fixture), None).is_some());
        assert_eq!(groups(&[0x2F], None), None, "cut in its header");
        assert_eq!(groups(&[0x00; 8], None), None, "not a VP8L signature");
    }
}
