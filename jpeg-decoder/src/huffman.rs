//! Huffman tables (ITU T.81 C, F.2.2.3): a lookahead table for short codes, a fast-AC table
//! that also holds the coefficient, and the table that reads past several coefficients at once.

use crate::error::{corrupt, Result};

/// Bits looked up in one step: codes (and, for AC, code plus value) up to this long take one
/// table read.
pub(crate) const LOOKAHEAD: u32 = 10;

/// Bits [`skip_rest`] reads past in one step, several coefficients (and often the end of block)
/// where one lookahead holds about one; 12 keeps a table (one per AC table) small enough for the
/// L1 cache (benches/RESULTS.md has the measurements behind the choice).
pub(crate) const SKIP_BITS: u32 = 12;

/// A Huffman table: a lookahead table for short codes, canonical-code limits for long ones, and
/// for AC tables a second lookahead that holds run, length and the coefficient value together.
#[derive(Clone)]
pub(crate) struct Huffman {
    /// `(symbol << 8) | code length`, 0 when the code is longer than the lookahead.
    /// The bits to consume are the low bits of every table entry; see [`Bits::consume_entry`].
    pub(crate) lookup: [u16; 1 << LOOKAHEAD],
    /// `(value << 16) | (run << 8) | (code length + value bits)`, 0 when they do not fit;
    /// [`run_and_value`] takes it apart.
    pub(crate) fast_ac: [i32; 1 << LOOKAHEAD],
    /// Largest code of each length (left-aligned to 16 bits, exclusive), for the slow path.
    pub(crate) max_code: [u32; 17],
    /// Index in `values` of the first code of each length, minus that code.
    pub(crate) offset: [i32; 17],
    pub(crate) values: [u8; 256],
}

impl Huffman {
    pub(crate) fn new(counts: &[u8; 16], symbols: &[u8], is_ac: bool) -> Result<Huffman> {
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
    pub(crate) fn symbol_of(&self, bits16: u32) -> Option<(u32, u8)> {
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
pub(crate) struct SkipTable(pub(crate) [u16; 1 << SKIP_BITS]);

impl SkipTable {
    pub(crate) fn new(ac: &Huffman) -> SkipTable {
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
    pub(crate) fn entry(ac: &Huffman, window: u32) -> u16 {
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
pub(crate) fn fast_ac_entry(bits: usize, length: u32, symbol: u8) -> i32 {
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
pub(crate) fn run_and_value(fast: i32) -> (usize, i32) {
    (((fast >> 8) & 15) as usize, fast >> 16)
}

/// JPEG's sign extension of a `size`-bit magnitude category (0 for size 0): a `raw` below half
/// the category's range stands for `raw − (2^size − 1)`. Arithmetic, not a branch on the sign.
#[inline(always)]
pub(crate) fn extend(raw: i32, size: u32) -> i32 {
    let half = (1 << size) >> 1;
    raw - (((raw - half) >> 31) & ((1 << size) - 1))
}
