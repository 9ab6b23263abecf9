//! The entropy-coded bit reader.

use crate::error::{corrupt, Result};
use crate::huffman::{extend, Huffman, LOOKAHEAD};

/// The entropy-coded bits, MSB first, with 0xFF 0x00 unstuffed. At a marker (or the end) it feeds
/// zeros and stops advancing, so the restart logic finds the marker where it is.
#[derive(Clone)]
pub(crate) struct Bits<'a> {
    pub(crate) data: &'a [u8],
    pub(crate) position: usize,
    pub(crate) buffer: u64,
    pub(crate) count: u32,
    pub(crate) at_marker: bool,
}

impl<'a> Bits<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
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
    pub(crate) fn refill(&mut self) {
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
    pub(crate) fn next_byte(&mut self) -> u8 {
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
    pub(crate) fn bit(&mut self) -> bool {
        if self.count == 0 {
            self.refill();
        }
        let set = self.buffer >> 63 != 0;
        self.consume(1);
        set
    }

    /// `n` (1 to 16) raw bits.
    #[inline(always)]
    pub(crate) fn bits(&mut self, n: u32) -> u32 {
        if self.count < n {
            self.refill();
        }
        let value = self.peek(n);
        self.consume(n);
        value
    }

    #[inline(always)]
    pub(crate) fn peek(&self, bits: u32) -> u32 {
        (self.buffer >> (64 - bits)) as u32
    }

    #[inline(always)]
    pub(crate) fn consume(&mut self, bits: u32) {
        self.buffer <<= bits;
        self.count -= bits;
    }

    /// Consumes the bits a table entry counts in its low byte (at most 16; every other field
    /// of an entry starts at bit 8). The shift instruction masks its amount to 6 bits by
    /// itself, so no `and` sits on the chain from one symbol's table read to the next one's,
    /// the chain that bounds entropy decoding. (The count takes the low byte, not the low 6
    /// bits: with the same mask the compiler would compute it once for both, on the chain.)
    #[inline(always)]
    pub(crate) fn consume_entry(&mut self, entry: u32) {
        self.buffer = self.buffer.wrapping_shl(entry);
        self.count -= entry & 0xFF;
    }

    /// `size` (≤ 16) raw bits, sign-extended; 0 for size 0.
    #[inline(always)]
    pub(crate) fn receive_extend(&mut self, size: u32) -> i32 {
        // No branch on `size == 0` (a DC difference of 0: common, and as unpredictable as the
        // sign [`extend`] handles without one): the top 32 bits moved down by 32 − size are
        // no bits at all for size 0.
        let raw = ((self.buffer >> 32) >> (32 - size)) as i32;
        self.consume(size);
        extend(raw, size)
    }

    #[inline(always)]
    pub(crate) fn decode(&mut self, table: &Huffman) -> Result<u8> {
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
    pub(crate) fn skip(&mut self, count: u32) {
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
    pub(crate) fn restart(&mut self) -> Result<()> {
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
