//! The decoder for the common JPEG: a baseline (or extended sequential) Huffman JPEG with 8-bit
//! samples, gray or YCbCr with the chroma at 1×1 and luma at 1×1, 2×1, 1×2 or 2×2, decoded at
//! full size or straight to N/8 of it (N = 1…7), the way libjpeg's `scale_num/8` does: each
//! 8×8 block goes through an N-point inverse DCT of its top-left N×N coefficients (the pipeline
//! uses N ≤ 5: see `pipeline::jpeg_eighths`). It hands back the planes as they are coded —
//! luma, and Cb/Cr at their own, usually halved, resolution — so the pipeline resamples each
//! plane straight to the output size and converts to RGB there: no chroma upsampling and no
//! colour conversion at the decoded size, and only the blocks the resize reads are transformed.
//!
//! Written by hand because no usable crate does it: zune-jpeg (the full-size decoder kept for every
//! other file) has neither scaled IDCTs nor coefficient access; jpeg-decoder's `scale` decodes at
//! 1/2 more slowly than zune-jpeg decodes at full size (17.8 vs 13.3 ms on a test photo);
//! libjpeg-turbo through C would not give the same bytes in the browser build; zenjpeg is AGPL.
//! Everything is integer arithmetic, so every CPU and wasm get the same pixels.
//!
//! Files coded in several scans — progressive ones, and sequential ones with a scan per
//! component — go through [`progressive`], which reads them a band of MCU rows at a time and
//! keeps only the coefficients this decoder reads.
//!
//! Anything outside that common case (arithmetic, 12-bit, CMYK, Adobe RGB, odd sampling) is
//! refused by [`parse`], and a decode error makes the caller fall back to the full-size decoder,
//! which copes with odd and damaged files as it always has.

use std::ops::Range;
use std::sync::Arc;

#[path = "progressive.rs"]
mod progressive;

use crate::error::{Error, Result};
use crate::{idct, Plane, Rect};

/// Natural (row-major) index of the k-th coefficient in zigzag order.
const ZIGZAG: [u8; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

/// Inverse DCTs to N = 1…7 outputs from the first N of 8 coefficients, as matrices
/// `√2 · C(u) · cos((2x+1)uπ/2N) · A(u) · 2^13` (libjpeg's islow scaling: a DC of d gives d·2^13)
/// with `A(u) = sin(g·uπ/16) / (g·sin(uπ/16))`, g = 8/N. `A` makes each output exactly the mean
/// of the g full-size pixels it stands for (what a full decode followed by a box filter gives),
/// not a point sample of a lower-frequency cosine; for a g that is not a whole number (N = 3, 5,
/// 6, 7) the same formula is a box of g pixels spread over the pixels it partly covers.
/// Integers, computed once offline, so no platform's `cos` can change a bit. Matrices rather
/// than butterflies because they skip the all-zero rows and columns most blocks have; the
/// full-size IDCT is [`idct::islow`]'s butterfly.
const IDCT_1: [[i32; 8]; 1] = [[8192, 0, 0, 0, 0, 0, 0, 0]];
const IDCT_2: [[i32; 8]; 2] = [
    [8192, 7423, 0, 0, 0, 0, 0, 0],
    [8192, -7423, 0, 0, 0, 0, 0, 0],
];
const IDCT_3: [[i32; 8]; 3] = [
    [8192, 9643, 4916, 0, 0, 0, 0, 0],
    [8192, 0, -9832, 0, 0, 0, 0, 0],
    [8192, -9643, 4916, 0, 0, 0, 0, 0],
];
const IDCT_4: [[i32; 8]; 4] = [
    [8192, 10498, 7568, 3686, 0, 0, 0, 0],
    [8192, 4348, -7568, -8900, 0, 0, 0, 0],
    [8192, -4348, -7568, 8900, 0, 0, 0, 0],
    [8192, -10498, 7568, -3686, 0, 0, 0, 0],
];
const IDCT_5: [[i32; 8]; 5] = [
    [8192, 10908, 8997, 6198, 3009, 0, 0, 0],
    [8192, 6741, -3437, -10028, -7879, 0, 0, 0],
    [8192, 0, -11122, 0, 9739, 0, 0, 0],
    [8192, -6741, -3437, 10028, -7879, 0, 0, 0],
    [8192, -10908, 8997, -6198, 3009, 0, 0, 0],
];
const IDCT_6: [[i32; 8]; 6] = [
    [8192, 11134, 9832, 7820, 5321, 2613, 0, 0],
    [8192, 8151, 0, -7820, -10642, -7138, 0, 0],
    [8192, 2983, -9832, -7820, 5321, 9750, 0, 0],
    [8192, -2983, -9832, 7820, 5321, -9750, 0, 0],
    [8192, -8151, 0, 7820, -10642, 7138, 0, 0],
    [8192, -11134, 9832, -7820, 5321, -2613, 0, 0],
];
const IDCT_7: [[i32; 8]; 7] = [
    [8192, 11273, 10355, 8894, 6988, 4766, 2380, 0],
    [8192, 9040, 2558, -4936, -10098, -10709, -6670, 0],
    [8192, 5017, -7166, -11091, -2494, 8588, 9638, 0],
    [8192, 0, -11493, 0, 11208, 0, -10697, 0],
    [8192, -5017, -7166, 11091, -2494, -8588, 9638, 0],
    [8192, -9040, 2558, 4936, -10098, 10709, -6670, 0],
    [8192, -11273, 10355, -8894, 6988, -4766, 2380, 0],
];

/// The matrix of a scaled size; none at full size, where [`idct::islow`] transforms.
fn idct_matrix(size: usize) -> &'static [[i32; 8]] {
    match size {
        1 => &IDCT_1,
        2 => &IDCT_2,
        3 => &IDCT_3,
        4 => &IDCT_4,
        5 => &IDCT_5,
        6 => &IDCT_6,
        7 => &IDCT_7,
        _ => &[],
    }
}

/// libjpeg islow's descaling: 13-bit constants, 2 extra bits kept between the passes, and the
/// 2D transform's factor 8.
const PASS1_SHIFT: u32 = 13 - 2;
const FINAL_SHIFT: u32 = 13 + 2 + 3;

/// Cold and out of line: the hot decoding loops only branch to it.
#[cold]
#[inline(never)]
fn corrupt(why: &'static str) -> Error {
    Error::Corrupt(why)
}

#[derive(Clone, Copy, Default)]
struct Component {
    id: u8,
    h: usize,
    v: usize,
    quant: usize,
    dc_table: usize,
    ac_table: usize,
}

/// What the fast path needs from the headers, and where the entropy-coded data starts.
pub struct Header<'a> {
    pub width: u32,
    pub height: u32,
    components: Vec<Component>,
    quant: [[u16; 64]; 4],
    dc: Tables,
    ac: Tables,
    restart_interval: usize,
    /// The entropy-coded data of a single-scan sequential file.
    scan: &'a [u8],
    /// For a file coded in several scans, the input from its first scan's marker on (the tables
    /// and restart interval above are those in force before it; later ones are read on the way).
    scans: Option<&'a [u8]>,
}

/// Reads the headers up to the first scan; an error when the file is not one this decoder
/// decodes (the caller then uses a full-size decoder).
pub fn parse(input: &[u8]) -> Result<Header<'_>> {
    let unsupported = Error::Unsupported;
    if input.len() < 4 || input[0] != 0xFF || input[1] != 0xD8 {
        return Err(corrupt("no start of image"));
    }
    let mut header = Header {
        width: 0,
        height: 0,
        components: Vec::new(),
        quant: [[0; 64]; 4],
        dc: Default::default(),
        ac: Default::default(),
        restart_interval: 0,
        scan: &[],
        scans: None,
    };
    let mut quant_defined = [false; 4];
    let mut adobe_transform: Option<u8> = None;
    let mut progressive = false;
    let mut at = 2;
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        while at < input.len() && input[at] != 0xFF {
            at += 1;
        }
        while at < input.len() && input[at] == 0xFF {
            at += 1;
        }
        let Some(&marker) = input.get(at) else {
            return Err(corrupt("no scan"));
        };
        let marker_start = at - 1;
        at += 1;
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            continue;
        }
        if marker == 0xD9 {
            return Err(corrupt("no scan"));
        }
        let length = match input.get(at..at + 2) {
            Some(b) => usize::from(u16::from_be_bytes([b[0], b[1]])),
            None => return Err(corrupt("truncated header")),
        };
        if length < 2 || at + length > input.len() {
            return Err(corrupt("bad segment length"));
        }
        let body = &input[at + 2..at + length];
        at += length;
        match marker {
            // Baseline, extended sequential and progressive, Huffman coded.
            0xC0..=0xC2 => {
                progressive = marker == 0xC2;
                if body.len() < 6 || body[0] != 8 {
                    return Err(unsupported("not 8-bit"));
                }
                header.height = u32::from(u16::from_be_bytes([body[1], body[2]]));
                header.width = u32::from(u16::from_be_bytes([body[3], body[4]]));
                let count = usize::from(body[5]);
                header.components.clear();
                if header.width == 0 || header.height == 0 {
                    return Err(corrupt("zero size"));
                }
                if !(count == 1 || count == 3) || body.len() < 6 + 3 * count {
                    return Err(unsupported("not gray or three components"));
                }
                for c in body[6..6 + 3 * count].chunks_exact(3) {
                    header.components.push(Component {
                        id: c[0],
                        h: usize::from(c[1] >> 4),
                        v: usize::from(c[1] & 15),
                        quant: usize::from(c[2]),
                        ..Component::default()
                    });
                }
            }
            // Lossless, hierarchical, arithmetic coded: the full decoder's job.
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                return Err(unsupported("not sequential or progressive Huffman"))
            }
            0xC4 => parse_huffman(body, &mut header.dc, &mut header.ac)?,
            0xDB => parse_quant(body, &mut header.quant, &mut quant_defined)?,
            0xDD => {
                if body.len() < 2 {
                    return Err(corrupt("bad restart interval"));
                }
                header.restart_interval = usize::from(u16::from_be_bytes([body[0], body[1]]));
            }
            0xEE if body.len() >= 12 && body.starts_with(b"Adobe") => {
                adobe_transform = Some(body[11]);
            }
            0xDA => {
                if progressive || !is_single_scan(body, &mut header.components) {
                    header.scans = Some(&input[marker_start..]);
                } else {
                    header.scan = &input[at..];
                }
                break;
            }
            _ => {}
        }
    }
    let components = &header.components;
    if components.is_empty() {
        return Err(corrupt("no frame header"));
    }
    if components.len() == 3 {
        // RGB JPEGs (Adobe transform 0, or components named R, G, B) are left to zune-jpeg.
        let named_rgb = components.iter().map(|c| c.id).eq(*b"RGB");
        if adobe_transform == Some(0) || (adobe_transform.is_none() && named_rgb) {
            return Err(unsupported("RGB, not YCbCr"));
        }
        // Chroma at 1, 2 or 4 luma samples each way: 4:4:4, 4:2:2, 4:2:0, 4:4:0 and the
        // rarer 4:1:1 and 4:1:0 (zune-jpeg 0.5 decodes those last two to wrong colours). Not 3,
        // whose windows in the chroma plane are not exact in f64; at most the 10 blocks an MCU
        // may have (T.81 B.2.3).
        let luma = components[0];
        let chroma_1x1 = components[1..].iter().all(|c| c.h == 1 && c.v == 1);
        let factor = |f: usize| matches!(f, 1 | 2 | 4);
        if !factor(luma.h) || !factor(luma.v) || luma.h * luma.v > 8 || !chroma_1x1 {
            return Err(unsupported("sampling"));
        }
    } else {
        // One component is one block per MCU whatever its sampling factors say.
        header.components[0].h = 1;
        header.components[0].v = 1;
    }
    for c in &header.components {
        // A file in several scans may define tables between them; its scans check theirs.
        let tables_present = c.quant < 4
            && quant_defined[c.quant]
            && (header.scans.is_some()
                || header.dc[c.dc_table].is_some() && header.ac[c.ac_table].is_some());
        if !tables_present {
            return Err(unsupported("missing table"));
        }
    }
    Ok(header)
}

fn parse_quant(mut body: &[u8], quant: &mut [[u16; 64]; 4], defined: &mut [bool; 4]) -> Result<()> {
    while let Some(&pq_tq) = body.first() {
        let (precision, id) = (pq_tq >> 4, usize::from(pq_tq & 15));
        let size = if precision == 0 { 64 } else { 128 };
        if id > 3 || precision > 1 || body.len() < 1 + size {
            return Err(corrupt("bad quantisation table"));
        }
        for k in 0..64 {
            let value = if precision == 0 {
                u16::from(body[1 + k])
            } else {
                u16::from_be_bytes([body[1 + 2 * k], body[2 + 2 * k]])
            };
            quant[id][usize::from(ZIGZAG[k])] = value;
        }
        defined[id] = true;
        body = &body[1 + size..];
    }
    Ok(())
}

/// The four Huffman table slots of each class. Shared, not copied: each scan of a progressive
/// file keeps the tables in force at its marker until its last band is read.
type Tables = [Option<Arc<Huffman>>; 4];

fn parse_huffman(mut body: &[u8], dc: &mut Tables, ac: &mut Tables) -> Result<()> {
    while let Some(&tc_th) = body.first() {
        let (class, id) = (tc_th >> 4, usize::from(tc_th & 15));
        if class > 1 || id > 3 || body.len() < 17 {
            return Err(corrupt("bad Huffman table"));
        }
        let mut counts = [0u8; 16];
        counts.copy_from_slice(&body[1..17]);
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        if total > 256 || body.len() < 17 + total {
            return Err(corrupt("bad Huffman table"));
        }
        let table = Huffman::new(&counts, &body[17..17 + total], class == 1)?;
        if class == 0 {
            dc[id] = Some(Arc::new(table));
        } else {
            ac[id] = Some(Arc::new(table));
        }
        body = &body[17 + total..];
    }
    Ok(())
}

/// Whether a sequential file's first scan holds every component, in frame order, with every
/// coefficient (a single-scan file); if so, notes each component's tables.
fn is_single_scan(body: &[u8], components: &mut [Component]) -> bool {
    let count = usize::from(body.first().copied().unwrap_or(0));
    if count != components.len() || body.len() < 4 + 2 * count {
        return false;
    }
    let in_frame_order = components
        .iter()
        .zip(body[1..].chunks_exact(2))
        .all(|(component, selector)| selector[0] == component.id && selector[1] & 0xCC == 0);
    let spectral = &body[1 + 2 * count..];
    if !in_frame_order || spectral[..3] != [0, 63, 0] {
        return false;
    }
    for (component, selector) in components.iter_mut().zip(body[1..].chunks_exact(2)) {
        component.dc_table = usize::from(selector[1] >> 4);
        component.ac_table = usize::from(selector[1] & 15);
    }
    true
}

/// Bits looked up in one step: codes (and, for AC, code plus value) up to this long take one
/// table read.
const LOOKAHEAD: u32 = 10;

/// Bits [`skip_rest`] reads past in one step, several coefficients (and often the end of block)
/// where one lookahead holds about one. 11, 12 and 13 measured within ±2 % of each other on the
/// corpus' baseline photos; 12 keeps a table at 8 KiB.
const SKIP_BITS: u32 = 12;

/// A Huffman table: a lookahead table for short codes, canonical-code limits for long ones, and
/// for AC tables a second lookahead that holds run, length and the coefficient value together.
#[derive(Clone)]
struct Huffman {
    /// `(symbol << 8) | code length`, 0 when the code is longer than the lookahead.
    /// The bits to consume are the low bits of every table entry; see [`Bits::consume_entry`].
    lookup: [u16; 1 << LOOKAHEAD],
    /// `(value << 16) | (run << 8) | (code length + value bits)`, 0 when they do not fit;
    /// [`run_and_value`] takes it apart.
    fast_ac: [i32; 1 << LOOKAHEAD],
    /// Largest code of each length (left-aligned to 16 bits, exclusive), for the slow path.
    max_code: [u32; 17],
    /// Index in `values` of the first code of each length, minus that code.
    offset: [i32; 17],
    values: [u8; 256],
}

impl Huffman {
    fn new(counts: &[u8; 16], symbols: &[u8], is_ac: bool) -> Result<Huffman> {
        let mut table = Huffman {
            lookup: [0; 1 << LOOKAHEAD],
            fast_ac: [0; 1 << LOOKAHEAD],
            max_code: [0; 17],
            offset: [0; 17],
            values: [0; 256],
        };
        table.values[..symbols.len()].copy_from_slice(symbols);
        let mut code: u32 = 0;
        let mut index = 0usize;
        for length in 1..=16usize {
            let count = usize::from(counts[length - 1]);
            table.offset[length] = index as i32 - code as i32;
            for _ in 0..count {
                if code >= 1 << length {
                    return Err(corrupt("bad Huffman table"));
                }
                let symbol = symbols[index];
                if length as u32 <= LOOKAHEAD {
                    let shift = LOOKAHEAD - length as u32;
                    let first = (code << shift) as usize;
                    for fill in first..first + (1 << shift) {
                        table.lookup[fill] = (u16::from(symbol) << 8) | length as u16;
                        if is_ac {
                            table.fast_ac[fill] = fast_ac_entry(fill, length as u32, symbol);
                        }
                    }
                }
                code += 1;
                index += 1;
            }
            // Codes of this length are < `code`; left-aligned to 16 bits for the slow path.
            table.max_code[length] = code << (16 - length);
            code <<= 1;
        }
        Ok(table)
    }

    /// The symbol of the `length`-bit code at the top of `bits` (left-aligned to 16 bits).
    fn symbol_of(&self, bits16: u32) -> Option<(u32, u8)> {
        for length in LOOKAHEAD as usize + 1..=16 {
            if bits16 < self.max_code[length] {
                let code = (bits16 >> (16 - length)) as i32;
                let index = usize::try_from(code + self.offset[length]).ok()?;
                return self.values.get(index).map(|&s| (length as u32, s));
            }
        }
        None
    }
}

/// What [`skip_rest`] reads past in one step, for one AC table: as many whole coefficients
/// (code and value bits) as the next [`SKIP_BITS`] bits hold, up to an end of block —
/// `(end of block << 15) | (zigzag positions passed << 8) | bits`, 0 when not even one fits.
/// Made per file for the tables a single-scan file's blocks use (a progressive file's many
/// tables never skip this way).
struct SkipTable([u16; 1 << SKIP_BITS]);

impl SkipTable {
    fn new(ac: &Huffman) -> SkipTable {
        let mut table = [0; 1 << SKIP_BITS];
        for (window, entry) in table.iter_mut().enumerate() {
            *entry = Self::entry(ac, window as u32);
        }
        SkipTable(table)
    }

    /// The entry of `window` (the next [`SKIP_BITS`] bits): the coefficients whose code and
    /// value bits both lie inside it, read one by one as [`skip_rest`] would, stopping before a
    /// code that is longer than the lookahead or has no symbol and before a size the stream is
    /// refused for, so those still take the one-symbol path.
    fn entry(ac: &Huffman, window: u32) -> u16 {
        let (mut used, mut passed, mut end_of_block) = (0u32, 0u16, false);
        while used < SKIP_BITS {
            let ahead = (window << used) & ((1 << SKIP_BITS) - 1);
            let entry = ac.lookup[(ahead >> (SKIP_BITS - LOOKAHEAD)) as usize];
            let (length, symbol) = (u32::from(entry & 0xFF), (entry >> 8) as u8);
            let (run, size) = (u16::from(symbol >> 4), u32::from(symbol & 15));
            if entry == 0 || used + length + size > SKIP_BITS || size > 10 {
                break;
            }
            let step = if size == 0 { 16 } else { run + 1 };
            let is_end = size == 0 && run != 15;
            // A block starts at 1 or later, so more than 63 positions can never be used (and
            // would not fit the 7 bits a hostile table of 1-bit zero runs could fill).
            if !is_end && passed + step > 63 {
                break;
            }
            used += length + size;
            if is_end {
                end_of_block = true;
                break;
            }
            passed += step;
        }
        if used == 0 {
            return 0;
        }
        (u16::from(end_of_block) << 15) | (passed << 8) | used as u16
    }
}

/// The fast-AC entry for lookahead index `bits` whose code is `length` bits long: the value bits
/// follow the code inside the same lookahead when they fit.
fn fast_ac_entry(bits: usize, length: u32, symbol: u8) -> i32 {
    let (run, size) = (i32::from(symbol >> 4), u32::from(symbol & 15));
    if size == 0 || length + size > LOOKAHEAD {
        return 0;
    }
    let raw = ((bits as u32 >> (LOOKAHEAD - length - size)) & ((1 << size) - 1)) as i32;
    let value = extend(raw, size);
    (value << 16) | (run << 8) | (length + size) as i32
}

/// The zero run and the coefficient value of a non-zero [`Huffman::fast_ac`] entry.
#[inline(always)]
fn run_and_value(fast: i32) -> (usize, i32) {
    (((fast >> 8) & 15) as usize, fast >> 16)
}

/// JPEG's sign extension of a `size`-bit magnitude category (0 for size 0): a `raw` below half
/// the category's range stands for `raw − (2^size − 1)`. Arithmetic, not a branch on the sign.
#[inline(always)]
fn extend(raw: i32, size: u32) -> i32 {
    let half = (1 << size) >> 1;
    raw - (((raw - half) >> 31) & ((1 << size) - 1))
}

/// The entropy-coded bits, MSB first, with 0xFF 0x00 unstuffed. At a marker (or the end) it feeds
/// zeros and stops advancing, so the restart logic finds the marker where it is.
#[derive(Clone)]
struct Bits<'a> {
    data: &'a [u8],
    position: usize,
    buffer: u64,
    count: u32,
    at_marker: bool,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8]) -> Self {
        Bits {
            data,
            position: 0,
            buffer: 0,
            count: 0,
            at_marker: false,
        }
    }

    /// Fills the buffer to at least 57 bits.
    #[inline(always)]
    fn refill(&mut self) {
        if self.count > 56 {
            return;
        }
        // Eight bytes at once when none of them is 0xFF (the common case).
        if let Some(chunk) = self.data.get(self.position..self.position + 8) {
            let word = u64::from_be_bytes(chunk.try_into().unwrap_or_default());
            let inverted = !word;
            let has_ff =
                inverted.wrapping_sub(0x0101_0101_0101_0101) & !inverted & 0x8080_8080_8080_8080;
            if has_ff == 0 {
                let bytes = (64 - self.count) / 8;
                let taken = word >> (64 - 8 * bytes) << (64 - 8 * bytes);
                self.buffer |= taken >> self.count;
                self.count += 8 * bytes;
                self.position += bytes as usize;
                return;
            }
        }
        while self.count <= 56 {
            let byte = self.next_byte();
            self.buffer |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    #[inline(always)]
    fn next_byte(&mut self) -> u8 {
        if self.at_marker {
            return 0;
        }
        match self.data.get(self.position) {
            Some(0xFF) if self.data.get(self.position + 1) == Some(&0) => {
                self.position += 2;
                0xFF
            }
            Some(0xFF) | None => {
                self.at_marker = true;
                0
            }
            Some(&byte) => {
                self.position += 1;
                byte
            }
        }
    }

    /// One raw bit.
    #[inline(always)]
    fn bit(&mut self) -> bool {
        if self.count == 0 {
            self.refill();
        }
        let set = self.buffer >> 63 != 0;
        self.consume(1);
        set
    }

    /// `n` (1 to 16) raw bits.
    #[inline(always)]
    fn bits(&mut self, n: u32) -> u32 {
        if self.count < n {
            self.refill();
        }
        let value = self.peek(n);
        self.consume(n);
        value
    }

    #[inline(always)]
    fn peek(&self, bits: u32) -> u32 {
        (self.buffer >> (64 - bits)) as u32
    }

    #[inline(always)]
    fn consume(&mut self, bits: u32) {
        self.buffer <<= bits;
        self.count -= bits;
    }

    /// Consumes the bits a table entry counts in its low byte (at most 16; every other field
    /// of an entry starts at bit 8). The shift instruction masks its amount to 6 bits by
    /// itself, so no `and` sits on the chain from one symbol's table read to the next one's,
    /// the chain that bounds entropy decoding. (The count takes the low byte, not the low 6
    /// bits: with the same mask the compiler would compute it once for both, on the chain.)
    #[inline(always)]
    fn consume_entry(&mut self, entry: u32) {
        self.buffer = self.buffer.wrapping_shl(entry);
        self.count -= entry & 0xFF;
    }

    /// `size` (≤ 16) raw bits, sign-extended; 0 for size 0.
    #[inline(always)]
    fn receive_extend(&mut self, size: u32) -> i32 {
        // No branch on `size == 0` (a DC difference of 0: common, and as unpredictable as the
        // sign [`extend`] handles without one): the top 32 bits moved down by 32 − size are
        // no bits at all for size 0. The two branches cost 1–5 % of a baseline job.
        let raw = ((self.buffer >> 32) >> (32 - size)) as i32;
        self.consume(size);
        extend(raw, size)
    }

    #[inline(always)]
    fn decode(&mut self, table: &Huffman) -> Result<u8> {
        let entry = table.lookup[self.peek(LOOKAHEAD) as usize];
        if entry != 0 {
            self.consume_entry(u32::from(entry));
            return Ok((entry >> 8) as u8);
        }
        let (length, symbol) = table
            .symbol_of(self.peek(16))
            .ok_or_else(|| corrupt("bad Huffman code"))?;
        self.consume(length);
        Ok(symbol)
    }

    /// Reads past `count` (up to 64) raw bits.
    #[inline(always)]
    fn skip(&mut self, count: u32) {
        let mut count = count;
        // The buffer holds at least 57 bits after a refill.
        if count > 56 {
            self.bits(count - 56);
            count = 56;
        }
        if self.count < count {
            self.refill();
        }
        self.consume(count);
    }

    /// Skips to just after the next restart marker (at a restart interval's end).
    fn restart(&mut self) -> Result<()> {
        self.buffer = 0;
        self.count = 0;
        self.at_marker = false;
        while let Some(pair) = self.data.get(self.position..self.position + 2) {
            self.position += 1;
            if pair[0] == 0xFF && (0xD0..=0xD7).contains(&pair[1]) {
                self.position += 1;
                return Ok(());
            }
            if pair[0] == 0xFF && pair[1] == 0xD9 {
                break;
            }
        }
        Err(corrupt("missing restart marker"))
    }
}

/// Per component: which coefficients the scaled IDCT reads, and its size.
struct Plan {
    /// IDCT output size: `size`×`size` output pixels per block.
    size: usize,
    /// Zigzag positions below this may be kept; from here on coefficients are only skipped.
    keep_until: usize,
    /// Bit k (zigzag position k): whether the coefficient lands inside the `size`×`size`
    /// top-left corner the IDCT reads.
    keep: u64,
    /// Quantisation table in zigzag order (the order coefficients arrive in), as i32.
    quant_zigzag: [i32; 64],
    /// The column pass's matrix, `[output row][frequency]`.
    vertical: [[i32; 8]; 8],
    /// The row pass's matrix transposed, `[frequency][output column]`, so that pass sums whole
    /// rows of eight lanes.
    horizontal_by_frequency: [[i32; 8]; 8],
}

impl Plan {
    fn new(size: usize, quant: &[u16; 64]) -> Plan {
        let mut keep = 0u64;
        let mut keep_until = 0;
        for (k, &natural) in ZIGZAG.iter().enumerate() {
            let (row, column) = (usize::from(natural) / 8, usize::from(natural) % 8);
            if row < size && column < size {
                keep |= 1 << k;
                keep_until = k + 1;
            }
        }
        let matrix = idct_matrix(size);
        let mut vertical = [[0; 8]; 8];
        vertical[..matrix.len()].copy_from_slice(matrix);
        let mut horizontal_by_frequency = [[0; 8]; 8];
        for (x, row) in matrix.iter().enumerate() {
            for (u, &weight) in row.iter().enumerate() {
                horizontal_by_frequency[u][x] = weight;
            }
        }
        Plan {
            size,
            keep_until,
            keep,
            quant_zigzag: ZIGZAG.map(|natural| i32::from(quant[usize::from(natural)])),
            vertical,
            horizontal_by_frequency,
        }
    }
}

/// The coefficients of one block the IDCT needs (natural order), and the extent of the non-zero
/// ones so the IDCT skips the empty rows and columns.
struct Block {
    coefficients: [i32; 64],
    rows: usize,
    columns: usize,
}

/// For each zigzag position k: how many rows and columns the positions 0..=k reach. Kept per
/// block from the last coefficient stored (zigzag order only moves forward), so the IDCT skips
/// all-zero rows and columns without any per-coefficient bookkeeping.
const EXTENT: [(u8, u8); 64] = {
    let mut extent = [(1u8, 1u8); 64];
    let (mut rows, mut columns) = (1u8, 1u8);
    let mut k = 0;
    while k < 64 {
        let natural = ZIGZAG[k];
        if natural / 8 + 1 > rows {
            rows = natural / 8 + 1;
        }
        if natural % 8 + 1 > columns {
            columns = natural % 8 + 1;
        }
        extent[k] = (rows, columns);
        k += 1;
    }
    extent
};

#[inline(always)]
fn decode_block(
    bits: &mut Bits<'_>,
    (dc, ac, skip): (&Huffman, &Huffman, &SkipTable),
    predictor: &mut i32,
    plan: &Plan,
    block: &mut Block,
) -> Result<()> {
    block.coefficients = [0; 64];
    read_dc(bits, dc, predictor)?;
    // Wrapping arithmetic here and in the IDCT: a valid file's coefficients are far from
    // overflowing, and a damaged one gives garbage pixels, not a panic.
    block.coefficients[0] = predictor.wrapping_mul(plan.quant_zigzag[0]);
    // Bit k set for each coefficient read: one OR per coefficient, where keeping the last kept
    // index up to date took a load, a select and (the loop is short of registers) a store.
    let mut read = 1u64;
    let mut k = 1usize;
    // Coefficients the scaled IDCT reads: decoded, dequantised and stored.
    let end = loop {
        if k >= plan.keep_until {
            break skip_rest(bits, ac, skip, k);
        }
        if bits.count < 32 {
            bits.refill();
        }
        let fast = ac.fast_ac[bits.peek(LOOKAHEAD) as usize];
        let (run, value) = if fast != 0 {
            bits.consume_entry(fast as u32);
            run_and_value(fast)
        } else {
            let symbol = bits.decode(ac)?;
            let (run, size) = (usize::from(symbol >> 4), u32::from(symbol & 15));
            if size == 0 {
                if run == 15 {
                    k += 16;
                    continue;
                }
                break Ok(()); // end of block
            }
            if size > 10 {
                return Err(corrupt("bad AC size"));
            }
            (run, bits.receive_extend(size))
        };
        k += run;
        if k > 63 {
            return Err(corrupt("coefficient index past 63"));
        }
        // Stored even outside the size×size corner of a scaled decode, on which no output
        // depends (the IDCT skips those rows and columns or weighs them 0): a branch on `keep`
        // mispredicted often enough to cost 4–8 % of a 1/2- or 3/8-scale job.
        block.coefficients[usize::from(ZIGZAG[k])] = value.wrapping_mul(plan.quant_zigzag[k]);
        read |= 1 << k;
        k += 1;
    };
    // The last coefficient read that the IDCT uses (the DC at worst).
    let last = 63 - (read & plan.keep).leading_zeros() as usize;
    let (rows, columns) = EXTENT[last];
    block.rows = usize::from(rows).min(plan.size);
    block.columns = usize::from(columns).min(plan.size);
    end
}

/// Reads a block no output pixel needs: only its DC difference is kept (the next block's DC is
/// predicted from it), everything else is read past. Refuses exactly the streams
/// [`decode_block`] refuses, so decoding a part fails (and falls back) exactly when the whole
/// picture would.
#[inline(always)]
fn skip_block(
    bits: &mut Bits<'_>,
    (dc, ac, skip): (&Huffman, &Huffman, &SkipTable),
    predictor: &mut i32,
) -> Result<()> {
    read_dc(bits, dc, predictor)?;
    skip_rest(bits, ac, skip, 1)
}

/// Reads a block's DC difference into the component's running `predictor` (kept for blocks that
/// are decoded and for blocks that are only read past alike).
#[inline(always)]
fn read_dc(bits: &mut Bits<'_>, dc: &Huffman, predictor: &mut i32) -> Result<()> {
    bits.refill();
    let size = u32::from(bits.decode(dc)?);
    if size > 11 {
        return Err(corrupt("bad DC size"));
    }
    *predictor = predictor.wrapping_add(bits.receive_extend(size));
    Ok(())
}

/// Reads past the coefficients the IDCT does not need (up to the end of block).
#[inline(always)] // into the caller compiled with the CPU's features (see `decode_part`)
fn skip_rest(bits: &mut Bits<'_>, ac: &Huffman, skip: &SkipTable, mut k: usize) -> Result<()> {
    while k < 64 {
        if bits.count < 32 {
            bits.refill();
        }
        // Several coefficients at once, unless the block may end inside them: with an end of
        // block they must leave k ≤ 63, without one k ≤ 64 (the block ends there, no end of
        // block follows). Otherwise the one-symbol steps below, which also refuse what is bad.
        let batch = skip.0[bits.peek(SKIP_BITS) as usize];
        let (passed, end_of_block) = (usize::from(batch >> 8 & 0x7F), batch >> 15 != 0);
        if batch != 0 && k + passed + usize::from(end_of_block) <= 64 {
            bits.consume_entry(u32::from(batch));
            if end_of_block {
                return Ok(());
            }
            k += passed;
            continue;
        }
        let fast = ac.fast_ac[bits.peek(LOOKAHEAD) as usize];
        if fast != 0 {
            bits.consume_entry(fast as u32);
            k += run_and_value(fast).0 + 1;
            continue;
        }
        let symbol = bits.decode(ac)?;
        let (run, size) = (usize::from(symbol >> 4), u32::from(symbol & 15));
        if size == 0 {
            if run == 15 {
                k += 16;
                continue;
            }
            return Ok(());
        }
        if size > 10 {
            return Err(corrupt("bad AC size"));
        }
        bits.consume(size);
        k += run + 1;
    }
    if k > 64 {
        return Err(corrupt("coefficient index past 63"));
    }
    Ok(())
}

/// The scaled IDCT of one block into `out` (`plan.size` rows of `plan.size` samples, rows
/// `stride` apart), level-shifted and clamped to 0–255. At full size, libjpeg's butterfly
/// ([`idct::islow`], which has copies for sparse blocks); smaller, the coefficient matrices
/// above, which skip the all-zero rows and columns.
/// `AVX2`: whether the CPU has it (the decoder is compiled once with and once without).
#[inline(always)]
fn idct<const AVX2: bool>(block: &Block, plan: &Plan, out: &mut [u8], stride: usize) {
    let size = plan.size;
    let c = &block.coefficients;
    if block.rows == 1 && block.columns == 1 {
        // DC only (most chroma blocks of a photo, many luma ones): one flat value, the mean.
        let value = ((c[0].wrapping_add(4) >> 3) + 128).clamp(0, 255) as u8;
        for row in out.chunks_mut(stride).take(size) {
            idct::store_row(row, &[value; 8], size);
        }
        return;
    }
    if size == 8 {
        let extent = block.rows.max(block.columns);
        return idct::islow(c, extent, out, stride, AVX2);
    }
    #[cfg(target_arch = "x86_64")]
    if AVX2 && size >= 5 {
        let extent = (block.rows, block.columns);
        // SAFETY: `AVX2` is true only in the copy compiled for, and run on, a CPU with AVX2.
        return unsafe { idct::matrix_avx2(c, extent, idct_matrix(size), out, stride) };
    }
    // Wrapping arithmetic: a valid file's sums fit in 32 bits, and when only a partial sum does
    // not, modular arithmetic still gives the exact total; a damaged file gives garbage pixels,
    // not a panic.
    // Pass 1, down the columns: temp[y][u], eight columns u at once.
    let mut temp = [[0i32; 8]; 8];
    for (y, temp_row) in temp.iter_mut().enumerate().take(size) {
        let weights = &plan.vertical[y];
        let mut sums = [0i32; 8];
        for v in 0..block.rows {
            let weight = weights[v];
            let coefficients = &c[v * 8..v * 8 + 8];
            for u in 0..8 {
                sums[u] = sums[u].wrapping_add(coefficients[u].wrapping_mul(weight));
            }
        }
        for u in 0..8 {
            temp_row[u] = sums[u].wrapping_add(1 << (PASS1_SHIFT - 1)) >> PASS1_SHIFT;
        }
    }
    // Pass 2, along the rows: eight output columns x at once, all eight descaled and clamped
    // (a fixed-length loop the compiler vectorises), the first `size` kept.
    for (row, temp_row) in out.chunks_mut(stride).zip(&temp).take(size) {
        let mut sums = [0i32; 8];
        for (&value, weights) in temp_row
            .iter()
            .zip(&plan.horizontal_by_frequency)
            .take(block.columns)
        {
            for x in 0..8 {
                sums[x] = sums[x].wrapping_add(weights[x].wrapping_mul(value));
            }
        }
        let mut samples = [0u8; 8];
        for x in 0..8 {
            let value = (sums[x].wrapping_add(1 << (FINAL_SHIFT - 1)) >> FINAL_SHIFT) + 128;
            samples[x] = value.clamp(0, 255) as u8;
        }
        idct::store_row(row, &samples, size);
    }
}

/// A baseline JPEG's samples as decoded, not yet converted to RGB: the luma (or gray) plane and,
/// for colour files, Cb and Cr interleaved at their own resolution (the luma's divided by the
/// subsampling), each only for the part a caller asked for.
pub struct Planes {
    pub luma: Plane,
    pub luma_part: Rect,
    pub chroma: Option<(Plane, Rect)>,
    /// Luma samples per chroma sample, across and down (1, 2 or 4 each).
    pub subsampling: (u32, u32),
}

impl Header<'_> {
    /// Luma samples per chroma sample, across and down: (2, 2) for 4:2:0, (1, 1) for 4:4:4 and
    /// gray.
    pub fn subsampling(&self) -> (u32, u32) {
        let luma = self.components[0];
        (luma.h as u32, luma.v as u32)
    }
}

/// Decodes `header`'s scan at `eighths`/8 of its size (1…8) into planes: luma
/// `ceil(width·eighths/8) × ceil(height·eighths/8)`, chroma `ceil(width·eighths/(8h)) ×
/// ceil(height·eighths/(8v))` for subsampling (h, v) (see [`scaled_length`]). With g = 8/eighths,
/// luma pixel i stands for source pixels `[i·g, (i+1)·g)`, chroma pixel i for
/// `[i·g·h, (i+1)·g·h)`.
///
/// `parts` (luma, chroma; in pixels of each plane, clipped to it; `None` means all) limits what
/// is made: MCU rows below every part are not read at all; above and beside a part every MCU
/// is still entropy-decoded (Huffman codes cannot be skipped), but blocks outside their plane's
/// part are only read past — no dequantising or IDCT — and each plane holds only its part.
/// Pixels inside a part are the same bytes as in the whole decode: every block is transformed
/// on its own.
pub fn decode_part(
    header: &Header<'_>,
    eighths: u32,
    parts: Option<(Rect, Rect)>,
) -> Result<Planes> {
    decode_in_bands(header, eighths, parts, progressive::BAND_BLOCKS)
}

/// [`decode_part`], with files in several scans read in bands of about `band_blocks` blocks
/// (tests make them one MCU row).
fn decode_in_bands(
    header: &Header<'_>,
    eighths: u32,
    parts: Option<(Rect, Rect)>,
    band_blocks: usize,
) -> Result<Planes> {
    if !(1..=8).contains(&eighths) {
        return Err(Error::Scale(eighths));
    }
    // The same integer code compiled twice: with AVX2 the IDCT's eight-lane arithmetic becomes
    // vector instructions (baseline x86-64 has no 32-bit vector multiply, so it stays scalar),
    // and with BMI1/BMI2/LZCNT/POPCNT (every AVX2 CPU but a few low-end ones has them) the bit
    // reader's shifts and the bit-set walks of the entropy decoder become single instructions.
    // Integer results do not depend on the instructions, so both give the same bytes.
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2")
        && std::is_x86_feature_detected!("bmi1")
        && std::is_x86_feature_detected!("bmi2")
        && std::is_x86_feature_detected!("lzcnt")
        && std::is_x86_feature_detected!("popcnt")
    {
        // SAFETY: the CPU has these features, checked just above.
        return unsafe { decode_avx2(header, eighths, parts, band_blocks) };
    }
    decode_portable::<false>(header, eighths, parts, band_blocks)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,bmi1,bmi2,lzcnt,popcnt")]
unsafe fn decode_avx2(
    header: &Header<'_>,
    eighths: u32,
    parts: Option<(Rect, Rect)>,
    band_blocks: usize,
) -> Result<Planes> {
    decode_portable::<true>(header, eighths, parts, band_blocks)
}

/// Whether BMI2's `pdep` is one fast instruction here: on Intel since Haswell and on AMD since
/// Zen 3 (family 19h); Zen 1/2 and Hygon microcode it (up to hundreds of cycles).
#[cfg(target_arch = "x86_64")]
fn pdep_is_fast() -> bool {
    static FAST: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *FAST.get_or_init(|| {
        use std::arch::x86_64::__cpuid;
        let (vendor, signature) = (__cpuid(0), __cpuid(1));
        let name = [vendor.ebx, vendor.edx, vendor.ecx]
            .map(u32::to_le_bytes)
            .concat();
        let base = (signature.eax >> 8) & 0xF;
        let family = match base {
            0xF => base + ((signature.eax >> 20) & 0xFF),
            _ => base,
        };
        let microcoded = matches!(&name[..], b"AuthenticAMD" | b"HygonGenuine") && family < 0x19;
        std::is_x86_feature_detected!("bmi2") && !microcoded
    })
}

/// How many samples `length` source pixels make in a plane decoded at `eighths`/8 whose samples
/// each cover `subsampling` pixels of the luma plane: libjpeg's output size, rounded up. (The same
/// as first taking the component's own size and scaling that for a whole-number 8/`eighths`,
/// but not otherwise; counting from the luma's size keeps a subsampled plane exactly half the
/// scaled luma, which is what the resize windows assume.)
pub(crate) fn scaled_length(length: usize, eighths: usize, subsampling: usize) -> usize {
    (length * eighths).div_ceil(8 * subsampling)
}

/// The luma plane and, for a colour file, the interleaved Cb/Cr plane to fill at `eighths`/8,
/// each only its part of `parts` (all of it for `None`).
fn plane_outputs(
    header: &Header<'_>,
    eighths: usize,
    parts: Option<(Rect, Rect)>,
) -> (PlaneOut, Option<PlaneOut>) {
    let components = &header.components;
    let (luma_h, luma_v) = (components[0].h, components[0].v);
    let (width, height) = (header.width as usize, header.height as usize);
    let plane = |h: usize, v: usize| {
        (
            scaled_length(width, eighths, h),
            scaled_length(height, eighths, v),
        )
    };
    let luma = PlaneOut::new(plane(1, 1), parts.map(|p| p.0), 1);
    let chroma = (components.len() == 3)
        .then(|| PlaneOut::new(plane(luma_h, luma_v), parts.map(|p| p.1), 2));
    (luma, chroma)
}

/// How many MCU rows reach down to the end of every component's part (blocks of `size` pixels
/// of their plane): a decoder need not read the rows below.
fn mcu_rows_to_parts_end(
    components: &[Component],
    luma: &PlaneOut,
    chroma: Option<&PlaneOut>,
    size: usize,
) -> usize {
    let to_end = |plane: &PlaneOut, v: usize| {
        (plane.part.y as usize + plane.part.height as usize).div_ceil(size * v)
    };
    let per_component = components.iter().enumerate().map(|(index, c)| match index {
        0 => to_end(luma, c.v),
        _ => chroma.map_or(0, |plane| to_end(plane, c.v)),
    });
    per_component.max().unwrap_or(0)
}

/// One plane being filled: its part (whole pixels of the plane) and the samples of that part,
/// `channels` interleaved.
struct PlaneOut {
    part: Rect,
    channels: usize,
    data: Vec<u8>,
}

impl PlaneOut {
    fn new(whole: (usize, usize), part: Option<Rect>, channels: usize) -> PlaneOut {
        let (width, height) = (whole.0 as u32, whole.1 as u32);
        let part = part
            .and_then(|p| p.clipped_to(width, height))
            .unwrap_or(Rect::whole(width, height));
        let data = vec![0u8; part.width as usize * part.height as usize * channels];
        PlaneOut {
            part,
            channels,
            data,
        }
    }

    /// The columns and rows of the `size`×`size` block at (`x`, `y`) inside the part, or `None`
    /// when the block has no pixel there.
    fn overlap(&self, x: usize, y: usize, size: usize) -> Option<(Range<usize>, Range<usize>)> {
        let part = self.part;
        let (left, top) = (part.x as usize, part.y as usize);
        let right = left + part.width as usize;
        let bottom = top + part.height as usize;
        let columns = x.max(left)..(x + size).min(right);
        let rows = y.max(top)..(y + size).min(bottom);
        (!columns.is_empty() && !rows.is_empty()).then_some((columns, rows))
    }

    /// Where the `size`×`size` block at (`x`, `y`) starts in `data`, when it lies wholly inside
    /// the part (most blocks: the others are at the part's edges).
    #[inline(always)]
    fn inside(&self, x: usize, y: usize, size: usize) -> Option<usize> {
        let part = self.part;
        let (left, top) = (part.x as usize, part.y as usize);
        let inside = x >= left
            && y >= top
            && x + size <= left + part.width as usize
            && y + size <= top + part.height as usize;
        inside.then(|| ((y - top) * part.width as usize + x - left) * self.channels)
    }

    /// The distance between rows in `data`.
    fn stride(&self) -> usize {
        self.part.width as usize * self.channels
    }

    /// Copies the overlap of a block's samples (`size`×`size`, rows `size` long) at (`x`, `y`)
    /// into the part: a luma block (`second` is `None`), or a Cb block and a Cr block
    /// interleaved.
    fn put(&mut self, first: &[u8], second: Option<&[u8]>, (x, y): (usize, usize), size: usize) {
        let Some((columns, rows)) = self.overlap(x, y, size) else {
            return;
        };
        let (left, top, width) = (
            self.part.x as usize,
            self.part.y as usize,
            self.part.width as usize,
        );
        let n = self.channels;
        for row in rows {
            let at = ((row - top) * width + columns.start - left) * n;
            let out = &mut self.data[at..at + columns.len() * n];
            let from = (row - y) * size + columns.start - x;
            let first = &first[from..from + columns.len()];
            match second {
                None => out.copy_from_slice(first),
                Some(second) => {
                    let second = &second[from..from + columns.len()];
                    for ((pair, &a), &b) in out.chunks_exact_mut(2).zip(first).zip(second) {
                        pair[0] = a;
                        pair[1] = b;
                    }
                }
            }
        }
    }

    fn finish(self) -> (Plane, Rect) {
        let part = self.part;
        let raster = Plane::new(part.width, part.height, self.channels as u8, self.data);
        (raster, part)
    }
}

#[inline(always)]
fn decode_portable<const AVX2: bool>(
    header: &Header<'_>,
    eighths: u32,
    parts: Option<(Rect, Rect)>,
    band_blocks: usize,
) -> Result<Planes> {
    if let Some(scans) = header.scans {
        #[cfg(target_arch = "x86_64")]
        if AVX2 && pdep_is_fast() {
            return progressive::decode::<true, true>(header, scans, eighths, parts, band_blocks);
        }
        return progressive::decode::<AVX2, false>(header, scans, eighths, parts, band_blocks);
    }
    let size = eighths as usize;
    let components = &header.components;
    let (luma_h, luma_v) = (components[0].h, components[0].v);
    let plans: Vec<Plan> = components
        .iter()
        .map(|c| Plan::new(size, &header.quant[c.quant]))
        .collect();
    let (width, height) = (header.width as usize, header.height as usize);
    let mcus_across = width.div_ceil(8 * luma_h);
    let mcus_down = height.div_ceil(8 * luma_v);
    // Making a table (~0.05 ms) pays from a few thousand blocks (~16 ns saved per block read
    // past, 5120×2880 at 1/2); a small picture reads its blocks one symbol at a time (an empty
    // table), which gives the same result.
    let blocks: usize =
        components.iter().map(|c| c.h * c.v).sum::<usize>() * mcus_across * mcus_down;
    let skips: Vec<Option<SkipTable>> = (0..header.ac.len())
        .map(|id| match &header.ac[id] {
            Some(ac) if components.iter().any(|c| c.ac_table == id) => {
                Some(match blocks >= 2 << SKIP_BITS {
                    true => SkipTable::new(ac),
                    false => SkipTable([0; 1 << SKIP_BITS]),
                })
            }
            _ => None,
        })
        .collect();
    let tables: Vec<(&Huffman, &Huffman, &SkipTable)> = components
        .iter()
        .map(|c| {
            let dc = header.dc[c.dc_table].as_deref();
            let ac = header.ac[c.ac_table].as_deref();
            let skip = skips[c.ac_table].as_ref();
            match (dc, ac, skip) {
                (Some(dc), Some(ac), Some(skip)) => Ok((dc, ac, skip)),
                _ => Err(corrupt("missing Huffman table")),
            }
        })
        .collect::<Result<_>>()?;

    let (mut luma, mut chroma) = plane_outputs(header, size, parts);

    let mut scratch: Scratch = ([0; 64], [0; 64]);
    let mut predictors = vec![0i32; components.len()];
    let mut block = Block {
        coefficients: [0; 64],
        rows: 1,
        columns: 1,
    };
    // MCU rows below every part are not read at all (those above it and the blocks beside it
    // are: Huffman codes say where the next block starts only once read).
    let mcus_needed = mcu_rows_to_parts_end(components, &luma, chroma.as_ref(), size);
    let mut bits = Bits::new(header.scan);
    let total = mcus_across * mcus_needed.min(mcus_down);
    // The MCU's position and the restart countdown kept by counting: a division per MCU was ~4 %
    // of a 2560×1600 gray photo's decoding instructions.
    let (mut mx, mut my) = (0usize, 0usize);
    let mut until_restart = header.restart_interval;
    for mcu in 0..total {
        if mcu > 0 {
            mx += 1;
            if mx == mcus_across {
                (mx, my) = (0, my + 1);
            }
            if header.restart_interval > 0 {
                until_restart -= 1;
                if until_restart == 0 {
                    bits.restart()?;
                    predictors.fill(0);
                    until_restart = header.restart_interval;
                }
            }
        }
        // One loop for every block (one copy of the hot code): luma's blocks lie on the luma
        // plane, Cb's and Cr's (one each: chroma is never subsampled further than luma's MCU)
        // on the interleaved chroma plane.
        for (index, component) in components.iter().enumerate() {
            let tables = tables[index];
            let plane = match index {
                0 => &mut luma,
                _ => chroma
                    .as_mut()
                    .ok_or_else(|| Error::Internal("chroma block without a chroma plane"))?,
            };
            for by in 0..component.v {
                for bx in 0..component.h {
                    let x = (mx * component.h + bx) * size;
                    let y = (my * component.v + by) * size;
                    let predictor = &mut predictors[index];
                    if plane.overlap(x, y, size).is_none() {
                        skip_block(&mut bits, tables, predictor)?;
                        continue;
                    }
                    decode_block(&mut bits, tables, predictor, &plans[index], &mut block)?;
                    transform_into::<AVX2>(
                        &block,
                        &plans[index],
                        plane,
                        index,
                        (x, y),
                        &mut scratch,
                    );
                }
            }
        }
    }
    Ok(Planes::from_outputs(luma, chroma, header))
}

/// One block's samples at output size, for blocks at a part's edge, and Cb's kept until Cr's are
/// made to interleave them.
type Scratch = ([u8; 64], [u8; 64]);

/// Transforms `block` of component `index` (0 luma, 1 Cb, 2 Cr — Cb's just before Cr's) at
/// (`x`, `y`) of its plane into `plane`: luma straight into the plane, unless at the part's edge;
/// Cb and Cr via their own blocks, interleaved once both are made.
#[inline(always)]
fn transform_into<const AVX2: bool>(
    block: &Block,
    plan: &Plan,
    plane: &mut PlaneOut,
    index: usize,
    (x, y): (usize, usize),
    (samples, cb_samples): &mut Scratch,
) {
    let size = plan.size;
    let inside = plane.inside(x, y, size);
    let stride = plane.stride();
    let (out, out_stride) = match (index, inside) {
        (0, Some(at)) => (&mut plane.data[at..], stride),
        (1, _) => (&mut cb_samples[..], size),
        _ => (&mut samples[..], size),
    };
    idct::<AVX2>(block, plan, out, out_stride);
    match (index, inside) {
        (0, Some(_)) | (1, _) => {}
        (0, None) => plane.put(&samples[..], None, (x, y), size),
        (_, Some(at)) => {
            interleave_inside(cb_samples, samples, &mut plane.data[at..], stride, size)
        }
        (_, None) => plane.put(&cb_samples[..], Some(&samples[..]), (x, y), size),
    }
}

/// A Cb and a Cr block (`size`×`size`, rows `size` long) that lie wholly inside the part,
/// interleaved into `out` (rows `stride` apart), one fixed-size loop per block size. Most chroma
/// blocks come here: through [`PlaneOut::put`], whose clipping and per-row slicing cost far more
/// than the interleave, they were 11.5 % of a 2560×1600 job's instructions, here 2.3 %
/// (callgrind). Out of line on purpose: inlined, it made the decoder's loop 54 M instructions
/// dearer over three such jobs, against 16 M for the call and the loop out of line.
#[inline(never)]
fn interleave_inside(cb: &[u8; 64], cr: &[u8; 64], out: &mut [u8], stride: usize, size: usize) {
    #[inline(always)]
    fn rows<const N: usize>(cb: &[u8; 64], cr: &[u8; 64], out: &mut [u8], stride: usize) {
        for row in 0..N {
            let (cb, cr) = (&cb[row * N..][..N], &cr[row * N..][..N]);
            // Built in a fixed-size array, which the compiler turns into a byte unpack.
            let mut pairs = [0u8; 16];
            for i in 0..N {
                pairs[2 * i] = cb[i];
                pairs[2 * i + 1] = cr[i];
            }
            out[row * stride..][..2 * N].copy_from_slice(&pairs[..2 * N]);
        }
    }
    match size {
        8 => rows::<8>(cb, cr, out, stride),
        7 => rows::<7>(cb, cr, out, stride),
        6 => rows::<6>(cb, cr, out, stride),
        5 => rows::<5>(cb, cr, out, stride),
        4 => rows::<4>(cb, cr, out, stride),
        3 => rows::<3>(cb, cr, out, stride),
        2 => rows::<2>(cb, cr, out, stride),
        _ => rows::<1>(cb, cr, out, stride),
    }
}

impl Planes {
    fn from_outputs(luma: PlaneOut, chroma: Option<PlaneOut>, header: &Header<'_>) -> Planes {
        let (luma, luma_part) = luma.finish();
        Planes {
            luma,
            luma_part,
            chroma: chroma.map(PlaneOut::finish),
            subsampling: header.subsampling(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scaled_length as jpeg_scaled_length;
    use jpeg_encoder::{ColorType, Encoder, SamplingFactor};
    use proptest::prelude::*;

    fn jpeg_options() -> zune_core::options::DecoderOptions {
        zune_core::options::DecoderOptions::default()
            .set_max_width(usize::from(u16::MAX))
            .set_max_height(usize::from(u16::MAX))
            .set_strict_mode(false)
    }

    /// A test picture: smooth gradients and a slow ripple; with `edges`, also a disc, stripes and
    /// a little texture, so the high frequencies matter too.
    fn picture(width: u32, height: u32, edges: bool) -> Vec<u8> {
        let mut data = Vec::with_capacity(width as usize * height as usize * 3);
        let (cx, cy) = (width as f32 * 0.4, height as f32 * 0.55);
        let r = width.min(height) as f32 / 3.0;
        for y in 0..height {
            for x in 0..width {
                // Gradients of at most 2 levels a pixel, whatever the size.
                let (fx, fy) = (
                    x as f32 / width.max(128) as f32,
                    y as f32 / height.max(128) as f32,
                );
                let ripple = 20.0 * ((x as f32 / 9.0).sin() * (y as f32 / 13.0).cos());
                let mut rgb = [
                    255.0 * fx,
                    200.0 * fy + 30.0 + ripple,
                    128.0 + 100.0 * (fx - fy) - ripple,
                ];
                if edges {
                    let inside = (x as f32 - cx).powi(2) + (y as f32 - cy).powi(2) < r * r;
                    if inside {
                        rgb = [230.0 - 60.0 * fy, 40.0 + 50.0 * fx, 60.0];
                    }
                    if (x * 9 / width + y * 5 / height) % 4 == 0 {
                        rgb = [rgb[0] * 0.3, rgb[1] * 0.3 + 120.0, rgb[2] * 0.3];
                    }
                    let texture = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) % 5;
                    rgb = rgb.map(|v| v + texture as f32 - 2.0);
                }
                data.extend(rgb.map(|v| v.round().clamp(0.0, 255.0) as u8));
            }
        }
        data
    }

    fn encode(
        picture_size: (u32, u32, bool),
        sampling: SamplingFactor,
        gray: bool,
        restart: Option<u16>,
    ) -> Vec<u8> {
        encode_coded(picture_size, sampling, gray, restart, Coding::Interleaved)
    }

    /// How jpeg-encoder lays the coefficients out in scans.
    #[derive(Clone, Copy, Debug)]
    enum Coding {
        /// One scan, every component interleaved.
        Interleaved,
        /// One scan per component (what optimised Huffman tables make it write).
        ScanPerComponent,
        /// DC, then bands of AC coefficients.
        Progressive,
    }

    fn encode_coded(
        (width, height, edges): (u32, u32, bool),
        sampling: SamplingFactor,
        gray: bool,
        restart: Option<u16>,
        coding: Coding,
    ) -> Vec<u8> {
        let rgb = picture(width, height, edges);
        let mut out = Vec::new();
        let mut encoder = Encoder::new(&mut out, 90);
        encoder.set_sampling_factor(sampling);
        match coding {
            Coding::Interleaved => {}
            Coding::ScanPerComponent => encoder.set_optimized_huffman_tables(true),
            // Its standard tables lack the end-of-band-run codes a progressive file needs.
            Coding::Progressive => {
                encoder.set_progressive(true);
                encoder.set_optimized_huffman_tables(true);
            }
        }
        if let Some(interval) = restart {
            encoder.set_restart_interval(interval);
        }
        let (w, h) = (width as u16, height as u16);
        if gray {
            let luma: Vec<u8> = rgb.chunks_exact(3).map(|p| p[1]).collect();
            encoder.encode(&luma, w, h, ColorType::Luma).unwrap();
        } else {
            encoder.encode(&rgb, w, h, ColorType::Rgb).unwrap();
        }
        out
    }

    /// The full-size decode (zune-jpeg, left in YCbCr: luma, and chroma upsampled to full size)
    /// as a luma plane and, for colour files, a Cb/Cr plane. Files with chroma at a quarter of
    /// the luma's resolution across or down go to jpeg-decoder (whose RGB is turned back into
    /// YCbCr, its untransformed output being broken): zune-jpeg 0.5 gets their colours wrong,
    /// which is why the pipeline no longer hands them to it.
    fn full_decode_planes(jpeg: &[u8]) -> (Plane, Option<Plane>) {
        use zune_core::colorspace::ColorSpace;
        let (across, down) = parse(jpeg)
            .expect("a file the fast path takes")
            .subsampling();
        // Interleaved Y, Cb, Cr at full size (or luma alone for a gray file).
        let (data, (w, h), gray) = if across == 4 || down == 4 {
            let mut decoder = jpeg_decoder::Decoder::new(jpeg);
            let rgb = decoder
                .decode()
                .expect("jpeg-decoder decodes the test picture");
            let info = decoder.info().unwrap();
            let ycbcr = rgb
                .chunks_exact(3)
                .flat_map(|p| {
                    let [r, g, b] = [p[0], p[1], p[2]].map(f64::from);
                    let y = 0.299 * r + 0.587 * g + 0.114 * b;
                    let cb = 128.0 + (b - y) / 1.772;
                    let cr = 128.0 + (r - y) / 1.402;
                    [y, cb, cr].map(|c| c.round().clamp(0.0, 255.0) as u8)
                })
                .collect();
            (ycbcr, (info.width, info.height), false)
        } else {
            let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
                zune_core::bytestream::ZCursor::new(jpeg),
                jpeg_options(),
            );
            decoder.decode_headers().unwrap();
            let gray = decoder.input_colorspace() == Some(ColorSpace::Luma);
            let out = if gray {
                ColorSpace::Luma
            } else {
                ColorSpace::YCbCr
            };
            decoder.set_options(jpeg_options().jpeg_set_out_colorspace(out));
            let data = decoder.decode().expect("zune decodes the test picture");
            let info = decoder.info().unwrap();
            (data, (info.width, info.height), gray)
        };
        let (w, h) = (u32::from(w), u32::from(h));
        if gray {
            return (Plane::new(w, h, 1, data), None);
        }
        let luma = data.chunks_exact(3).map(|p| p[0]).collect();
        let chroma = data.chunks_exact(3).flat_map(|p| [p[1], p[2]]).collect();
        (Plane::new(w, h, 1, luma), Some(Plane::new(w, h, 2, chroma)))
    }

    /// `raster` averaged over boxes of `across`×`down` of its pixels (whole numbers or not: a
    /// pixel the box covers in part counts by the part covered), what a plane at a scale whose
    /// samples each stand for that box should approximate. Edge boxes average the pixels that
    /// exist.
    fn box_shrink(raster: &Plane, (across, down): (f64, f64)) -> Plane {
        let n = usize::from(raster.channels);
        let (w, h) = (raster.width as usize, raster.height as usize);
        let (ow, oh) = (
            (w as f64 / across).ceil() as usize,
            (h as f64 / down).ceil() as usize,
        );
        // The pixels a box from `start` to `end` covers, each with the length covered.
        let covered = |start: f64, end: f64, size: usize| {
            let first = start.floor() as usize;
            let last = (end.ceil() as usize).min(size);
            (first..last)
                .map(move |i| (i, (end.min(i as f64 + 1.0) - start.max(i as f64)).max(0.0)))
        };
        let mut data = vec![0u8; ow * oh * n];
        for oy in 0..oh {
            for ox in 0..ow {
                for c in 0..n {
                    let (mut sum, mut weight) = (0.0, 0.0);
                    for (y, wy) in covered(oy as f64 * down, (oy + 1) as f64 * down, h) {
                        for (x, wx) in covered(ox as f64 * across, (ox + 1) as f64 * across, w) {
                            sum += wx * wy * f64::from(raster.data[(y * w + x) * n + c]);
                            weight += wx * wy;
                        }
                    }
                    data[(oy * ow + ox) * n + c] = (sum / weight).round() as u8;
                }
            }
        }
        Plane::new(ow as u32, oh as u32, n as u8, data)
    }

    fn whole_boxes(raster: Plane, (width, height): (u32, u32)) -> Plane {
        let n = usize::from(raster.channels);
        let mut data = Vec::new();
        for row in raster
            .data
            .chunks_exact(raster.width as usize * n)
            .take(height as usize)
        {
            data.extend_from_slice(&row[..width as usize * n]);
        }
        Plane::new(width, height, raster.channels, data)
    }

    /// Mean and largest absolute difference, after checking the sizes agree.
    fn difference(a: &Plane, b: &Plane) -> (f64, u8) {
        assert_eq!(
            (a.width, a.height, a.channels),
            (b.width, b.height, b.channels)
        );
        let total: u64 = a
            .data
            .iter()
            .zip(&b.data)
            .map(|(&x, &y)| u64::from(x.abs_diff(y)))
            .sum();
        let max = a
            .data
            .iter()
            .zip(&b.data)
            .map(|(&x, &y)| x.abs_diff(y))
            .max();
        (total as f64 / a.data.len().max(1) as f64, max.unwrap_or(0))
    }

    fn scaled(jpeg: &[u8], eighths: u32) -> Planes {
        let header = parse(jpeg).expect("the fast path takes this file");
        decode_part(&header, eighths, None).expect("scaled decode")
    }

    /// Mean and largest difference allowed from the box-filtered full decode, per plane, measured
    /// on these pictures over every sampling and scale. Luma: smooth pictures agree to rounding;
    /// hard edges ring in any DCT-domain downscale (the dropped high frequencies). Chroma: the
    /// full decoder upsamples subsampled chroma with a triangle filter before the box, which
    /// smooths what the planes keep sharp, so edges differ more there.
    const SMOOTH: (f64, u8) = (0.8, 5);
    const EDGES: (f64, u8) = (2.5, 64);
    /// The committed photo is a 160×120 reduction, so nearly every block holds edges. (Its
    /// largest difference is at 7/8, 44: a box of 8/7 pixels keeps the sharpest edges the
    /// others blur, and they ring where the one dropped frequency is missing.)
    const PHOTO: (f64, u8) = (3.6, 48);

    /// Only whole boxes are compared: the last column (row) of a plane also averages the
    /// encoder's padding beyond the image when the size is not a multiple of a box.
    fn check(jpeg: &[u8], eighths: u32, (mean_bound, max_bound): (f64, u8), what: &str) {
        let planes = scaled(jpeg, eighths);
        let (full_luma, full_chroma) = full_decode_planes(jpeg);
        let header = parse(jpeg).unwrap();
        let (h, v) = planes.subsampling;
        // A sample at eighths/8 stands for g = 8/eighths full-size pixels.
        let g = 8.0 / f64::from(eighths);
        let whole_boxes_in = |length: u32, subsampling: u32| length * eighths / (8 * subsampling);
        let mut pairs = vec![(
            "luma",
            planes.luma,
            box_shrink(&full_luma, (g, g)),
            (
                whole_boxes_in(header.width, 1),
                whole_boxes_in(header.height, 1),
            ),
        )];
        if let (Some((chroma, _)), Some(full)) = (planes.chroma, full_chroma) {
            let (across, down) = (g * f64::from(h), g * f64::from(v));
            let boxes = (
                whole_boxes_in(header.width, h),
                whole_boxes_in(header.height, v),
            );
            pairs.push(("chroma", chroma, box_shrink(&full, (across, down)), boxes));
        }
        for (plane, fast, reference, whole) in pairs {
            let (mean, max) = difference(&whole_boxes(fast, whole), &whole_boxes(reference, whole));
            // Within one level everywhere is rounding, whatever the mean of a few pixels says.
            assert!(
                max <= 1 || (mean < mean_bound && max <= max_bound),
                "{what} {plane} at {eighths}/8: mean {mean:.3}, max {max}"
            );
        }
    }

    #[test]
    fn every_sampling_and_scale_matches_the_full_decode_box_filtered() {
        let samplings = [
            ("4:4:4", SamplingFactor::R_4_4_4, false),
            ("4:2:2", SamplingFactor::R_4_2_2, false),
            ("4:2:0", SamplingFactor::R_4_2_0, false),
            ("4:4:0", SamplingFactor::R_4_4_0, false),
            ("4:1:1", SamplingFactor::R_4_1_1, false),
            ("4:1:0", SamplingFactor::R_4_1_0, false),
            ("1×4", SamplingFactor::F_1_4, false),
            ("2×4", SamplingFactor::F_2_4, false),
            ("gray", SamplingFactor::R_4_4_4, true),
        ];
        for (name, sampling, gray) in samplings {
            for edges in [false, true] {
                for restart in [None, Some(3)] {
                    // Sizes that are not multiples of an MCU, nor of the scale.
                    let jpeg = encode((203, 117, edges), sampling, gray, restart);
                    for eighths in 1..=8 {
                        let what = format!("{name} edges {edges} restart {restart:?}");
                        let bounds = if edges { EDGES } else { SMOOTH };
                        check(&jpeg, eighths, bounds, &what);
                    }
                }
            }
        }
    }

    /// The committed photo (a real camera JPEG, not jpeg-encoder's) through the fast path.
    #[test]
    fn a_camera_photo_matches_the_full_decode_box_filtered() {
        let photo = include_bytes!("../tests/fixtures/photo.jpg");
        for eighths in 1..=8 {
            check(photo, eighths, PHOTO, "photo.jpg");
        }
    }

    /// The matrices are their doc's formula, rounded (recomputed here in f64).
    #[test]
    fn idct_matrices_are_the_box_averaging_formula() {
        use std::f64::consts::{PI, SQRT_2};
        for n in 1..8 {
            let g = 8.0 / n as f64;
            let matrix = idct_matrix(n);
            assert_eq!(matrix.len(), n);
            for (x, row) in matrix.iter().enumerate() {
                for (u, &weight) in row.iter().enumerate() {
                    let expected = match u {
                        0 => 8192.0,
                        _ if u >= n => 0.0,
                        _ => {
                            let cosine =
                                ((2 * x + 1) as f64 * u as f64 * PI / (2 * n) as f64).cos();
                            let box_average = (g * u as f64 * PI / 16.0).sin()
                                / (g * (u as f64 * PI / 16.0).sin());
                            SQRT_2 * cosine * box_average * 8192.0
                        }
                    };
                    assert_eq!(weight, expected.round() as i32, "N {n}, x {x}, u {u}");
                    // The AVX2 IDCT of 5–7 outputs makes output N − 1 − x from output x's sums.
                    let mirrored = if u % 2 == 0 { weight } else { -weight };
                    assert_eq!(matrix[n - 1 - x][u], mirrored, "N {n}, x {x}, u {u}");
                }
            }
        }
    }

    #[test]
    fn output_is_the_scaled_size_rounded_up() {
        let jpeg = encode((33, 17, true), SamplingFactor::R_4_2_0, false, None);
        // 33×17 at N/8, rounded up; the chroma is half the scaled luma, rounded up (at 5/8
        // 20.625 × 10.625 luma, so 10.3 × 5.3 chroma: 11 × 6).
        for (eighths, luma, chroma) in [
            (8, (33, 17), (17, 9)),
            (7, (29, 15), (15, 8)),
            (6, (25, 13), (13, 7)),
            (5, (21, 11), (11, 6)),
            (4, (17, 9), (9, 5)),
            (3, (13, 7), (7, 4)),
            (2, (9, 5), (5, 3)),
            (1, (5, 3), (3, 2)),
        ] {
            let planes = scaled(&jpeg, eighths);
            assert_eq!((planes.luma.width, planes.luma.height), luma, "{eighths}/8");
            let (cbcr, _) = planes.chroma.expect("colour");
            assert_eq!((cbcr.width, cbcr.height), chroma, "{eighths}/8");
        }
    }

    #[test]
    fn unsupported_files_are_left_to_the_full_decoder() {
        let four_two_zero = encode((40, 30, true), SamplingFactor::R_4_2_0, false, None);
        assert!(parse(&four_two_zero).is_ok());
        // The same file saying its luma has 3 samples across per chroma sample.
        let frame = four_two_zero
            .windows(2)
            .position(|w| w == [0xFF, 0xC0])
            .expect("a baseline frame header");
        let mut three_across = four_two_zero.clone();
        // Marker, length, precision + height + width + count, then the first component's id.
        let luma_sampling = frame + 2 + 2 + 6 + 1;
        assert_eq!(three_across[luma_sampling], 0x22);
        three_across[luma_sampling] = 0x32;
        assert!(parse(&three_across).is_err());
        let mut cmyk = Vec::new();
        Encoder::new(&mut cmyk, 90)
            .encode(&[0; 40 * 30 * 4], 40, 30, ColorType::Cmyk)
            .unwrap();
        assert!(parse(&cmyk).is_err());
    }

    /// Every IDCT size gives the same bytes with AVX2 as without, for blocks of any extent
    /// (including wrapped, clamped extremes) — at full size that is `idct::islow`'s AVX2 code.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn every_idct_size_gives_the_same_bytes_with_avx2() {
        if !std::is_x86_feature_detected!("avx2") {
            return;
        }
        let mut seed = 7u32;
        for round in 0..3000 {
            let size = round % 8 + 1;
            let plan = Plan::new(size, &[1; 64]);
            let mut block = Block {
                coefficients: [0; 64],
                rows: 1 + round / 4 % size,
                columns: 1 + round / 16 % size,
            };
            for (i, c) in block.coefficients.iter_mut().enumerate() {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let range = if round % 7 == 0 { i32::MAX } else { 4096 };
                let inside = i / 8 < block.rows && i % 8 < block.columns;
                *c = if inside {
                    (seed >> 1) as i32 % range - range / 2
                } else {
                    0
                };
            }
            let (mut portable, mut simd) = ([0u8; 80], [0u8; 80]);
            idct::<false>(&block, &plan, &mut portable, 10);
            idct::<true>(&block, &plan, &mut simd, 10);
            assert_eq!(portable, simd, "size {size}, round {round}");
        }
    }

    /// A file in several scans and the single-scan file it was losslessly transcoded from
    /// (`jpegtran`; tests/fixtures/jpeg-scans/make.sh): the same coefficients, so the same
    /// planes, byte for byte, at every scale and for any part, read in one band or in bands of
    /// one MCU row (a scan then stops and goes on at every row, across restart intervals and
    /// end-of-band runs).
    #[test]
    fn files_in_several_scans_give_the_single_scan_bytes() {
        let fixture = |name: &str| {
            let path = format!(
                "{}/tests/fixtures/jpeg-scans/{name}",
                env!("CARGO_MANIFEST_DIR")
            );
            std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
        };
        let pairs = [
            ("progressive-420.jpg", "base-420.jpg"),
            ("sequential-scans-420.jpg", "base-420.jpg"),
            ("progressive-422-restart.jpg", "base-422-restart.jpg"),
            ("progressive-gray.jpg", "base-gray.jpg"),
            ("scans-444-restart.jpg", "base-444.jpg"),
        ];
        for (scans, single) in pairs {
            let (scans, single) = (fixture(scans), fixture(single));
            let (header, single_header) = (parse(&scans).unwrap(), parse(&single).unwrap());
            assert!(header.scans.is_some() && single_header.scans.is_none());
            for eighths in 1..=8 {
                let (h, v) = header.subsampling();
                let length = |length, subsampling| jpeg_scaled_length(length, eighths, subsampling);
                let part = |(w, h): (u32, u32)| Rect {
                    x: w / 3,
                    y: h / 4,
                    width: w / 3 + 1,
                    height: h / 2,
                };
                let parts = (
                    part((length(131, 1), length(77, 1))),
                    part((length(131, h), length(77, v))),
                );
                for (parts, band_blocks) in [None, Some(parts)]
                    .into_iter()
                    .flat_map(|parts| [(parts, progressive::BAND_BLOCKS), (parts, 1)])
                {
                    let ours = decode_in_bands(&header, eighths, parts, band_blocks).unwrap();
                    let reference = decode_part(&single_header, eighths, parts).unwrap();
                    let what = format!(
                        "{:?} at {eighths}/8, parts {parts:?}, bands of {band_blocks} blocks",
                        header.subsampling()
                    );
                    assert_eq!(ours.luma_part, reference.luma_part, "{what}");
                    assert!(ours.luma.data == reference.luma.data, "luma of {what}");
                    let chroma =
                        |p: &Planes| p.chroma.as_ref().map(|(r, part)| (r.data.clone(), *part));
                    assert!(chroma(&ours) == chroma(&reference), "chroma of {what}");
                }
            }
        }
    }

    fn any_sampling() -> impl Strategy<Value = (SamplingFactor, bool)> {
        prop_oneof![
            Just((SamplingFactor::R_4_4_4, false)),
            Just((SamplingFactor::R_4_2_2, false)),
            Just((SamplingFactor::R_4_2_0, false)),
            Just((SamplingFactor::R_4_4_0, false)),
            Just((SamplingFactor::R_4_1_1, false)),
            Just((SamplingFactor::R_4_1_0, false)),
            Just((SamplingFactor::F_2_4, false)),
            Just((SamplingFactor::R_4_4_4, true)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn random_sizes_samplings_and_scales(
            width in 1u32..90, height in 1u32..90, (sampling, gray) in any_sampling(),
            eighths in 1u32..=8,
            restart in proptest::option::of(1u16..6),
        ) {
            let jpeg = encode((width, height, false), sampling, gray, restart);
            check(&jpeg, eighths, SMOOTH, &format!("{width}×{height} {sampling:?} gray {gray} restart {restart:?}"));
        }

        /// Damaged files never panic the fast path: they decode to something or fail.
        #[test]
        fn progressive_and_scan_per_component_files_give_the_interleaved_bytes(
            width in 1u32..90, height in 1u32..90, (sampling, gray) in any_sampling(),
            eighths in 1u32..=8,
            restart in proptest::option::of(1u16..6),
        ) {
            let size = (width, height, true);
            let interleaved = encode(size, sampling, gray, restart);
            let reference = scaled(&interleaved, eighths);
            for coding in [Coding::ScanPerComponent, Coding::Progressive] {
                // No restarts: jpeg-encoder's optimised tables miss the DC differences they
                // cause (the fixtures cover restarts in several scans).
                let jpeg = encode_coded(size, sampling, gray, None, coding);
                let header = parse(&jpeg).expect("the fast path takes this file");
                for band_blocks in [progressive::BAND_BLOCKS, 1] {
                    let planes = decode_in_bands(&header, eighths, None, band_blocks).unwrap();
                    let what = format!("{width}×{height} {sampling:?} gray {gray} {coding:?} {eighths}/8 bands of {band_blocks}");
                    prop_assert!(planes.luma.data == reference.luma.data, "luma of {}", what);
                    let chroma = |p: &Planes| p.chroma.as_ref().map(|(r, _)| r.data.clone());
                    prop_assert!(chroma(&planes) == chroma(&reference), "chroma of {}", what);
                }
            }
        }

        /// A part's samples are the whole decode's, wherever the part lies: the MCU rows below
        /// it are not read, the blocks above and beside it only read past — in one scan or in
        /// several, and read in bands of one MCU row.
        #[test]
        fn a_part_is_the_same_bytes_as_the_whole(
            width in 1u32..90, height in 1u32..90, (sampling, gray) in any_sampling(),
            eighths in 1u32..=8,
            progressive: bool,
            corners in [0.0f64..1.0, 0.0f64..1.0, 0.0f64..1.0, 0.0f64..1.0],
        ) {
            let coding = if progressive { Coding::Progressive } else { Coding::Interleaved };
            let jpeg = encode_coded((width, height, true), sampling, gray, None, coding);
            let header = parse(&jpeg).expect("the fast path takes this file");
            let (h, v) = header.subsampling();
            let length = |length, subsampling| jpeg_scaled_length(length, eighths, subsampling);
            let [x0, x1, y0, y1] = corners;
            let part = |(w, h): (u32, u32)| {
                let (left, right) = ((x0.min(x1) * w as f64) as u32, (x0.max(x1) * w as f64) as u32);
                let (top, bottom) = ((y0.min(y1) * h as f64) as u32, (y0.max(y1) * h as f64) as u32);
                Rect { x: left, y: top, width: right - left + 1, height: bottom - top + 1 }
            };
            let parts = (
                part((length(width, 1), length(height, 1))),
                part((length(width, h), length(height, v))),
            );
            let whole = decode_part(&header, eighths, None).unwrap();
            for band_blocks in [progressive::BAND_BLOCKS, 1] {
                let ours = decode_in_bands(&header, eighths, Some(parts), band_blocks).unwrap();
                let what = format!("{width}×{height} {sampling:?} gray {gray} {coding:?} {eighths}/8 {parts:?} bands of {band_blocks}");
                let mut planes = vec![(&ours.luma, ours.luma_part, &whole.luma)];
                if let (Some((chroma, part)), Some((whole_chroma, _))) = (&ours.chroma, &whole.chroma) {
                    planes.push((chroma, *part, whole_chroma));
                }
                for (plane, part, whole) in planes {
                    let n = usize::from(plane.channels);
                    let (x, w) = (part.x as usize * n, part.width as usize * n);
                    for row in 0..part.height as usize {
                        let from = (part.y as usize + row) * whole.width as usize * n + x;
                        prop_assert!(
                            plane.data[row * w..][..w] == whole.data[from..from + w],
                            "row {} of {}", row, what
                        );
                    }
                }
            }
        }

        #[test]
        fn mutated_files_never_panic(
            edits in proptest::collection::vec((0.0f64..1.0, any::<u8>()), 1..8),
            cut in 0.5f64..1.0,
            eighths in 1u32..=8,
            coding in prop_oneof![
                Just(Some(Coding::Interleaved)),
                Just(Some(Coding::ScanPerComponent)),
                Just(Some(Coding::Progressive)),
                Just(None),
            ],
        ) {
            let mut jpeg = match coding {
                Some(coding) => {
                    let restart = matches!(coding, Coding::Interleaved).then_some(2);
                    encode_coded((61, 45, true), SamplingFactor::R_4_2_0, false, restart, coding)
                }
                None => include_bytes!("../tests/fixtures/jpeg-scans/scans-444-restart.jpg").to_vec(),
            };
            for (at, byte) in edits {
                let length = jpeg.len();
                jpeg[((at * length as f64) as usize).min(length - 1)] = byte;
            }
            let mut cut_jpeg = jpeg.clone();
            cut_jpeg.truncate((cut * jpeg.len() as f64) as usize);
            for input in [jpeg, cut_jpeg] {
                if let Ok(header) = parse(&input) {
                    let _ = decode_part(&header, eighths, None);
                    let _ = decode_in_bands(&header, eighths, None, 1);
                }
            }
        }
    }

    proptest! {
        // Cheap cases (a few hundred bytes each), and a block reaches its 64th coefficient in
        // only a few per cent of them: many cases.
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Reading past several coefficients at once ([`SkipTable`]) reads exactly what
        /// reading them one at a time does: on random bits, from any position in a block, block
        /// after block, the same outcome (end of block, the block's end at 64, or a refusal) and
        /// the same bits read. Standard and optimised tables, and hostile ones whose short codes
        /// are a size-11 coefficient (refused), long runs, or 16 zeros; no 0xFF bytes, so the
        /// bits read are the bytes taken less the bits still buffered.
        #[test]
        fn skipping_several_coefficients_reads_what_one_at_a_time_reads(
            data in proptest::collection::vec(0u8..0xFF, 16..400),
            starts in proptest::collection::vec(1usize..64, 1..12),
            kind in 0..5, chroma: bool,
        ) {
            let hostile = |lengths: &[(usize, u8)], symbols: &[u8]| {
                let mut counts = [0u8; 16];
                for &(bits, count) in lengths {
                    counts[bits - 1] = count;
                }
                Arc::new(Huffman::new(&counts, symbols, true).unwrap())
            };
            let ac = if kind == 2 {
                // 2 bits: end of block, 1; 3: size 11, 16 zeros; 5: run 2 then 2, run 15 then
                // 1, 3, run 7 then 4; 6: run 1 then 1.
                hostile(&[(2, 2), (3, 2), (5, 4), (6, 1)], &[0x00, 0x01, 0x0B, 0xF0, 0x22, 0xF1, 0x03, 0x74, 0x11])
            } else if kind == 3 {
                // A 1-bit code for size 11: code and value fill the 12 skipped bits exactly.
                hostile(&[(1, 1), (3, 2), (4, 2), (5, 2), (6, 2)], &[0x0B, 0x00, 0x01, 0xF0, 0x22, 0xF1, 0x03, 0x74, 0x11])
            } else if kind == 4 {
                // A 1-bit code for 16 zeros: twelve of them in the skipped bits pass 192.
                hostile(&[(1, 1), (2, 1), (3, 1)], &[0xF0, 0x00, 0x01])
            } else {
                let coding = if kind == 1 { Coding::ScanPerComponent } else { Coding::Interleaved };
                let jpeg = encode_coded((40, 24, true), SamplingFactor::R_4_2_0, false, None, coding);
                let header = parse(&jpeg).unwrap();
                let table = header.components[usize::from(chroma)].ac_table;
                header.ac[table].clone().unwrap()
            };
            let (batches, none) = (SkipTable::new(&ac), SkipTable([0; 1 << SKIP_BITS]));
            let (mut a, mut b) = (Bits::new(&data), Bits::new(&data));
            for &start in &starts {
                let (ra, rb) = (skip_rest(&mut a, &ac, &batches, start), skip_rest(&mut b, &ac, &none, start));
                prop_assert_eq!(ra.is_ok(), rb.is_ok(), "start {}", start);
                if ra.is_err() || a.at_marker || b.at_marker {
                    break; // past the end both read zeros, however many they buffered
                }
                let read = |bits: &Bits<'_>| bits.position * 8 - bits.count as usize;
                prop_assert_eq!(read(&a), read(&b), "start {}", start);
            }
        }
    }
}
