//! Files coded in several scans: progressive JPEGs (spectral selection and successive
//! approximation, ITU T.81 G.1.2) and sequential ones with a scan per component. Each scan adds
//! to the coefficients of every block, so a block is done only after the last scan. The scans
//! are read band by band: every scan is found first (a marker search), then for each band of
//! MCU rows every scan reads that band's blocks and stops, to go on from there for the next
//! band. A block's codes depend only on its own earlier coefficients and on where the scan's
//! bit reader stands, so this reads each bit once, as scan-by-scan order does, but holds only
//! one band's coefficients: of those only what the scaled IDCT reads (the top-left N×N of each
//! block inside the part), plus, per block, one bit per coefficient saying whether it is
//! non-zero yet, which is all a refinement scan needs to be read. Below the part nothing is
//! read. At 1/8 only the DC is read, so the AC scans are not even entropy-decoded.
//!
//! Full-size decoders keep every coefficient of every block (2 bytes a sample) and then
//! transform every block at full size.

use std::ops::Range;

use crate::baseline::read_dc;
use crate::bitstream::Bits;
use crate::error::{corrupt, Error, Result};
use crate::header::{Component, Header, ZIGZAG};
use crate::huffman::{run_and_value, Huffman, LOOKAHEAD};
use crate::idct::{Block, Plan, EXTENT};
use crate::planes::{
    mcu_rows_to_parts_end, plane_outputs, transform_into, PlaneOut, Planes, Scratch,
};
use crate::Rect;

mod scans;
use scans::{find_scans, Scan, Spectral};

/// How many blocks (of every component) a band holds at most, unless one MCU row holds more:
/// with their non-zero bits and kept coefficients a band stays in a typical L2 cache while
/// every scan passes over it.
pub(crate) const BAND_BLOCKS: usize = 16 * 1024;

/// One component's coefficients in the band being read.
struct Store {
    /// Blocks per row as an interleaved scan lays them out (whole MCUs).
    stride: usize,
    /// Blocks a scan of this component alone covers (no MCU padding).
    across: usize,
    down: usize,
    /// The band's block rows, and per block of them (`stride` per row): bit k set once the
    /// coefficient at zigzag position k is non-zero.
    band: Range<usize>,
    nonzero: Vec<u64>,
    /// The part's block columns and rows, the rows of it inside the band, and those blocks'
    /// DC coefficients and kept AC coefficients (`size`² each, natural order within the N×N
    /// corner, the DC's place left 0). The DCs on their own: the DC scans then touch 2 bytes a
    /// block, not a cache line.
    columns: Range<usize>,
    part_rows: Range<usize>,
    rows: Range<usize>,
    dc: Vec<i16>,
    kept: Vec<i16>,
    /// The quantisation table in force at the component's first scan (libjpeg's rule).
    quant: Option<[u16; 64]>,
}

impl Store {
    /// Makes the store hold block rows `band`, every coefficient zero.
    fn start_band(&mut self, band: Range<usize>, per_block: usize) {
        let top = band.start.max(self.part_rows.start);
        self.rows = top..band.end.min(self.part_rows.end).max(top);
        self.nonzero.clear();
        self.nonzero.resize(band.len() * self.stride, 0);
        self.band = band;
        let blocks = self.columns.len() * self.rows.len();
        self.dc.clear();
        self.dc.resize(blocks, 0);
        self.kept.clear();
        self.kept.resize(blocks * per_block, 0);
    }

    /// The index of block (`x`, `y`) among the band's part blocks, when it is one.
    #[inline(always)]
    fn part_index(&self, x: usize, y: usize) -> Option<usize> {
        (self.columns.contains(&x) && self.rows.contains(&y))
            .then(|| (y - self.rows.start) * self.columns.len() + x - self.columns.start)
    }

    /// The index of block (`x`, `y`) among the band's blocks (in `nonzero`).
    #[inline(always)]
    fn band_index(&self, x: usize, y: usize) -> usize {
        (y - self.band.start) * self.stride + x
    }
}

/// Decodes a file coded in several scans (`scans`: the input from its first scan marker on) at
/// `eighths`/8 of its size into planes, like [`crate::decode`] does a single-scan one,
/// reading bands of about `band_blocks` blocks. `PDEP`: whether the CPU has a fast BMI2 `pdep` (see
/// [`nth_set_bit`]).
#[inline(always)] // into the caller compiled with the CPU's features (see `crate::decode_in_bands`)
pub(crate) fn decode<const AVX2: bool, const PDEP: bool>(
    header: &Header<'_>,
    scans: &[u8],
    eighths: u32,
    parts: Option<(Rect, Rect)>,
    band_blocks: usize,
) -> Result<Planes> {
    let size = eighths as usize;
    let per_block = size * size;
    let components = &header.components;
    let (luma_h, luma_v) = (components[0].h, components[0].v);
    let (width, height) = (header.width as usize, header.height as usize);
    let mcus_across = width.div_ceil(8 * luma_h);
    let mcus_down = height.div_ceil(8 * luma_v);
    let (mut luma, mut chroma) = plane_outputs(header, size, parts);
    // Where each zigzag position is kept within a block's N×N corner (None: not read).
    let slots: [Option<u8>; 64] = std::array::from_fn(|k| {
        let natural = usize::from(ZIGZAG[k]);
        let (row, column) = (natural / 8, natural % 8);
        (row < size && column < size).then_some((row * size + column) as u8)
    });

    let mut stores = new_stores(header, size, luma.part, chroma.as_ref().map(|p| p.part));
    let (mut found, quant) = find_scans(header, scans, size, &mut stores)?;
    let quant = kept_quant(&stores, components, &quant, size);
    // The bands end with the last MCU row that holds part blocks.
    let mcus_needed =
        mcu_rows_to_parts_end(components, &luma, chroma.as_ref(), size).min(mcus_down);
    let blocks_per_mcu_row: usize = stores
        .iter()
        .zip(components)
        .map(|(s, c)| s.stride * c.v)
        .sum();
    let band_mcus = (band_blocks / blocks_per_mcu_row.max(1)).max(1);
    let mut top = 0;
    while top < mcus_needed {
        let mcu_rows = top..(top + band_mcus).min(mcus_down);
        top = mcu_rows.end;
        for (store, c) in stores.iter_mut().zip(components) {
            store.start_band(mcu_rows.start * c.v..mcu_rows.end * c.v, per_block);
        }
        for scan in &mut found {
            let band = (mcus_across, &mcu_rows);
            decode_scan::<PDEP>(scan, band, components, &mut stores, &slots, per_block)?;
        }
        transform_band::<AVX2>(&stores, &quant, size, &slots, &mut luma, chroma.as_mut())?;
    }
    Ok(Planes::from_outputs(luma, chroma, header))
}

/// One coefficient store per component, sized from the frame, keeping the blocks of `luma_part`
/// (luma) and `chroma_part` (chroma; luma's when the planes share one).
fn new_stores(
    header: &Header<'_>,
    size: usize,
    luma_part: Rect,
    chroma_part: Option<Rect>,
) -> Vec<Store> {
    let components = &header.components;
    let (luma_h, luma_v) = (components[0].h, components[0].v);
    let (width, height) = (header.width as usize, header.height as usize);
    let mcus_across = width.div_ceil(8 * luma_h);
    let blocks =
        |from: u32, length: u32| from as usize / size..((from + length) as usize).div_ceil(size);
    let mut stores = Vec::with_capacity(components.len());
    for (index, c) in components.iter().enumerate() {
        let part = match index {
            0 => luma_part,
            _ => chroma_part.unwrap_or(luma_part),
        };
        stores.push(Store {
            stride: mcus_across * c.h,
            across: (width * c.h).div_ceil(luma_h).div_ceil(8),
            down: (height * c.v).div_ceil(luma_v).div_ceil(8),
            band: 0..0,
            nonzero: Vec::new(),
            columns: blocks(part.x, part.width),
            part_rows: blocks(part.y, part.height),
            rows: 0..0,
            dc: Vec::new(),
            kept: Vec::new(),
            quant: None,
        });
    }
    stores
}

/// Each component's quantisation steps, laid out like its kept coefficients (the N×N corner).
fn kept_quant(
    stores: &[Store],
    components: &[Component],
    quant: &[[u16; 64]; 4],
    size: usize,
) -> Vec<Vec<i32>> {
    stores
        .iter()
        .zip(components)
        .map(|(store, c)| {
            let table = store.quant.unwrap_or(quant[c.quant]);
            (0..size * size)
                .map(|slot| i32::from(table[slot / size * 8 + slot % size]))
                .collect()
        })
        .collect()
}

/// Dequantises and transforms the part blocks of the band every scan has been read for, onto
/// the planes: luma's blocks on the luma plane, Cb's and Cr's together, interleaved, on the
/// chroma plane.
#[inline(always)] // into the caller compiled with the CPU's features (see `crate::decode_in_bands`)
fn transform_band<const AVX2: bool>(
    stores: &[Store],
    quant: &[Vec<i32>],
    size: usize,
    slots: &[Option<u8>; 64],
    luma: &mut PlaneOut,
    mut chroma: Option<&mut PlaneOut>,
) -> Result<()> {
    let per_block = size * size;
    // Of a block's non-zero bits only the extent (the rows and columns the IDCT must read).
    let kept_ac: u64 = (1..64)
        .filter(|&k| slots[k].is_some())
        .map(|k| 1u64 << k)
        .sum();
    let mut scratch: Scratch = ([0; 64], [0; 64]);
    let mut block = Block {
        coefficients: [0; 64],
        rows: 1,
        columns: 1,
    };
    let plan = Plan::new(size, &[1; 64]);
    let groups: &[&[usize]] = match stores.len() {
        3 => &[&[0], &[1, 2]],
        _ => &[&[0]],
    };
    for &group in groups {
        let plane = match group[0] {
            0 => &mut *luma,
            _ => chroma
                .as_deref_mut()
                .ok_or(Error::Internal("chroma blocks without a chroma plane"))?,
        };
        let (rows, columns) = (
            stores[group[0]].rows.clone(),
            stores[group[0]].columns.clone(),
        );
        for y in rows {
            for x in columns.clone() {
                for &index in group {
                    let store = &stores[index];
                    let at = store.part_index(x, y).unwrap_or(0);
                    let kept = &store.kept[at * per_block..(at + 1) * per_block];
                    let nonzero = store.nonzero[store.band_index(x, y)];
                    let (rows, columns) =
                        EXTENT[63 - (nonzero & kept_ac | 1).leading_zeros() as usize];
                    block.rows = usize::from(rows).min(size);
                    block.columns = usize::from(columns).min(size);
                    // Dequantised only where the extent says a coefficient may be non-zero.
                    block.coefficients = [0; 64];
                    let rows_out = block.coefficients.chunks_exact_mut(8);
                    let rows_in = kept.chunks_exact(size).zip(quant[index].chunks_exact(size));
                    for (out, (values, steps)) in rows_out.zip(rows_in).take(block.rows) {
                        for ((o, &v), &q) in out.iter_mut().zip(values).zip(steps) {
                            *o = i32::from(v).wrapping_mul(q);
                        }
                    }
                    block.coefficients[0] = i32::from(store.dc[at]).wrapping_mul(quant[index][0]);
                    let position = (x * size, y * size);
                    transform_into::<AVX2>(&block, &plan, plane, index, position, &mut scratch);
                }
            }
        }
    }
    Ok(())
}

/// Reads one scan's entropy-coded data for the band of MCU rows `mcu_rows` (of an image
/// `mcus_across` MCUs wide) into `stores`:
/// whole MCUs for a scan of several components, the component's own blocks (no padding) in
/// those rows for a scan of one. The scan stops where the band ends and goes on from there.
#[inline(always)] // into the caller compiled with the CPU's features (see `crate::decode_in_bands`)
fn decode_scan<const PDEP: bool>(
    scan: &mut Scan<'_>,
    (mcus_across, mcu_rows): (usize, &Range<usize>),
    components: &[Component],
    stores: &mut [Store],
    slots: &[Option<u8>; 64],
    per_block: usize,
) -> Result<()> {
    let missing = || corrupt("missing Huffman table");
    let single = match scan.components[..] {
        [only] => Some(only),
        _ => None,
    };
    let (units_across, unit_rows) = match single {
        Some(only) => {
            let (store, v) = (&stores[only], components[only].v);
            let clip = |row: usize| (row * v).min(store.down);
            (store.across, clip(mcu_rows.start)..clip(mcu_rows.end))
        }
        None => (mcus_across, mcu_rows.clone()),
    };
    // The bit reader and running state as locals, put back at the band's end: through the
    // pointer into `scan` the compiler would load and store them around every code.
    let (mut bits, mut running) = (scan.bits.clone(), scan.running);
    let (tables, spectral, restart_interval) = (&scan.tables, scan.spectral, scan.restart_interval);
    let first_ac = spectral.start > 0 && spectral.high == 0;
    for unit_y in unit_rows {
        for unit_x in 0..units_across {
            let unit = unit_y * units_across + unit_x;
            if restart_interval > 0 && unit > 0 && unit % restart_interval == 0 {
                bits.restart()?;
                running.predictors = [0; 4];
                running.end_of_bands = 0;
            }
            for (i, &c) in scan.components.iter().enumerate() {
                let (h, v) = match single {
                    Some(_) => (1, 1),
                    None => (components[c].h, components[c].v),
                };
                let (dc, ac) = (tables[i].0.as_deref(), tables[i].1.as_deref());
                for block_y in 0..v {
                    for block_x in 0..h {
                        // A first AC pass codes nothing for the blocks of an end-of-band run.
                        if first_ac && running.end_of_bands > 0 {
                            running.end_of_bands -= 1;
                            continue;
                        }
                        let (x, y) = (unit_x * h + block_x, unit_y * v + block_y);
                        let store = &mut stores[c];
                        let at = store.part_index(x, y);
                        let index = store.band_index(x, y);
                        let nonzero = &mut store.nonzero[index];
                        let kept = at.map(|at| &mut store.kept[at * per_block..][..per_block]);
                        let eob = &mut running.end_of_bands;
                        match (spectral.start, spectral.high) {
                            (0, 0) => {
                                let predictor = &mut running.predictors[i];
                                read_dc(&mut bits, dc.ok_or_else(missing)?, predictor)?;
                                if let Some(at) = at {
                                    store.dc[at] = predictor.wrapping_shl(spectral.low) as i16;
                                }
                                // A sequential scan: the AC coefficients follow in the block.
                                if spectral.end > 0 {
                                    let ac = ac.ok_or_else(missing)?;
                                    ac_first(
                                        &mut bits, ac, spectral, 1, nonzero, kept, slots, eob,
                                    )?;
                                }
                            }
                            (0, _) => {
                                if let (true, Some(at)) = (bits.bit(), at) {
                                    store.dc[at] |= 1 << spectral.low;
                                }
                            }
                            (start, 0) => {
                                let ac = ac.ok_or_else(missing)?;
                                ac_first(
                                    &mut bits, ac, spectral, start, nonzero, kept, slots, eob,
                                )?;
                            }
                            _ => {
                                let ac = ac.ok_or_else(missing)?;
                                ac_refine::<PDEP>(
                                    &mut bits, ac, spectral, nonzero, kept, slots, eob,
                                )?;
                            }
                        }
                    }
                }
            }
        }
    }
    (scan.bits, scan.running) = (bits, running);
    Ok(())
}

/// A block's first pass over the AC band `start..=spectral.end` (T.81 G.1.2.2): run/size codes,
/// each value scaled up by the scan's successive-approximation shift, and end-of-band runs
/// that cover whole following blocks.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn ac_first(
    bits: &mut Bits<'_>,
    ac: &Huffman,
    spectral: Spectral,
    start: usize,
    nonzero: &mut u64,
    kept: Option<&mut [i16]>,
    slots: &[Option<u8>; 64],
    end_of_bands: &mut u32,
) -> Result<()> {
    if *end_of_bands > 0 {
        *end_of_bands -= 1;
        return Ok(());
    }
    let mut k = start;
    let mut found = 0u64;
    let mut kept = kept;
    while k <= spectral.end {
        if bits.count < 32 {
            bits.refill();
        }
        let fast = ac.fast_ac[bits.peek(LOOKAHEAD) as usize];
        let (run, value) = if fast != 0 {
            bits.consume_entry(fast as u32);
            run_and_value(fast)
        } else {
            let symbol = bits.decode(ac)?;
            let (run, size) = (u32::from(symbol >> 4), u32::from(symbol & 15));
            if size == 0 {
                if run < 15 {
                    // An end-of-band run of 2^run + `run` more bits blocks, this one included.
                    *end_of_bands = (1 << run) - 1;
                    if run > 0 {
                        *end_of_bands += bits.bits(run);
                    }
                    break;
                }
                k += 16;
                continue;
            }
            (run as usize, bits.receive_extend(size))
        };
        k += run;
        if k > spectral.end {
            return Err(corrupt("coefficient index past the band"));
        }
        found |= 1 << k;
        if let (Some(kept), Some(slot)) = (kept.as_deref_mut(), slots[k]) {
            kept[usize::from(slot)] = value.wrapping_shl(spectral.low) as i16;
        }
        k += 1;
    }
    *nonzero |= found;
    Ok(())
}

/// A refinement pass over the AC band (T.81 G.1.2.3): one more bit of every coefficient that
/// is already non-zero, and new coefficients of magnitude 1 placed among the zero ones. The
/// coefficients are walked as bit sets (zero ones, non-zero ones), not one position at a time:
/// most of a band is zero, and inside an end-of-band run only the non-zero ones read a bit.
#[inline(always)]
fn ac_refine<const PDEP: bool>(
    bits: &mut Bits<'_>,
    ac: &Huffman,
    spectral: Spectral,
    nonzero: &mut u64,
    kept: Option<&mut [i16]>,
    slots: &[Option<u8>; 64],
    end_of_bands: &mut u32,
) -> Result<()> {
    let end = spectral.end;
    // The positions from `from` to the band's end, and those below `to`.
    let band_from = |from: usize| match from > end {
        true => 0,
        false => (u64::MAX << from) & (u64::MAX >> (63 - end)),
    };
    let below = |to: usize| match to >= 64 {
        true => u64::MAX,
        false => (1u64 << to) - 1,
    };
    let mut kept = kept;
    let mut nz = *nonzero;
    let mut k = spectral.start;
    if *end_of_bands == 0 {
        while k <= end {
            if bits.count < 32 {
                bits.refill();
            }
            let symbol = bits.decode(ac)?;
            let (run, size) = (symbol >> 4, symbol & 15);
            let mut new = None;
            if size != 0 {
                new = Some(bits.bit());
            } else if run != 15 {
                *end_of_bands = 1 << run;
                if run > 0 {
                    *end_of_bands += bits.bits(u32::from(run));
                }
                break;
            }
            // The new coefficient goes to the zero one after `run` zero ones (a run of 16 with
            // none: ZRL); the non-zero ones before it are refined on the way.
            let zeros = nth_set_bit::<PDEP>(!nz & band_from(k), u32::from(run));
            let target = match zeros {
                0 => end + 1,
                _ => zeros.trailing_zeros() as usize,
            };
            refine(
                bits,
                kept.as_deref_mut(),
                slots,
                nz & band_from(k) & below(target),
                spectral.low,
            );
            if let Some(positive) = new {
                if target > end {
                    return Err(corrupt("coefficient index past the band"));
                }
                nz |= 1 << target;
                if let (Some(kept), Some(slot)) = (kept.as_deref_mut(), slots[target]) {
                    kept[usize::from(slot)] = match positive {
                        true => 1 << spectral.low,
                        false => (-1i16).wrapping_shl(spectral.low),
                    };
                }
            }
            k = target + 1;
        }
    }
    if *end_of_bands > 0 {
        // Inside an end-of-band run: only the refinement bits of the non-zero coefficients.
        refine(bits, kept, slots, nz & band_from(k), spectral.low);
        *end_of_bands -= 1;
    }
    *nonzero = nz;
    Ok(())
}

/// Reads one more bit (bit `low`) of each non-zero coefficient in `positions`, in zigzag order,
/// and adds it to those that are kept: away from zero, once.
#[inline(always)]
fn refine(
    bits: &mut Bits<'_>,
    kept: Option<&mut [i16]>,
    slots: &[Option<u8>; 64],
    mut positions: u64,
    low: u32,
) {
    let Some(kept) = kept else {
        // Outside the part the bits are only read past: all at once.
        bits.skip(positions.count_ones());
        return;
    };
    let (plus, minus) = (1i16 << low, (-1i16).wrapping_shl(low));
    while positions != 0 {
        let k = positions.trailing_zeros() as usize;
        positions &= positions - 1;
        let set = bits.bit();
        if let Some(slot) = slots[k] {
            let value = &mut kept[usize::from(slot)];
            let away = if *value >= 0 { plus } else { minus };
            let apply = set && *value & plus == 0;
            *value = value.wrapping_add(away & -i16::from(apply));
        }
    }
}

/// A word whose lowest set bit is the `n`th (from 0) set bit of `x`, or 0 when `x` has no
/// more: the zero position a refinement code's run of zero coefficients lands on. Clearing the
/// lowest set bit `n` times is the plain way, but its varying trip count is a branch the CPU
/// mispredicts about once a code. With `PDEP` (a CPU whose BMI2 `pdep` is fast) one
/// instruction. Elsewhere a table look-up within the 8 positions from the first zero, where
/// most runs land (the loop for the rest). A branch-free broadword select (Vigna) is slower
/// than the loop: its long dependency chain sits between one code and the next.
#[inline(always)]
fn nth_set_bit<const PDEP: bool>(x: u64, n: u32) -> u64 {
    #[cfg(target_arch = "x86_64")]
    if PDEP {
        // SAFETY: `PDEP` is set only when the CPU has BMI2 (`cpu::Cpu::Avx2FastPdep`).
        return unsafe { std::arch::x86_64::_pdep_u64(1 << n, x) };
    }
    // Most runs land within the 8 positions from the first zero: one table look-up.
    let first = x.trailing_zeros();
    let window = (x.checked_shr(first).unwrap_or(0) & 0xFF) as usize;
    if let Some(&at) = SELECT_IN_BYTE[window].get(n as usize) {
        if at < 8 {
            return 1 << (first + u32::from(at));
        }
    }
    let mut x = x;
    for _ in 0..n {
        x &= x.wrapping_sub(1);
    }
    x
}

/// For each byte and n, the position of its nth set bit (8: none).
static SELECT_IN_BYTE: [[u8; 8]; 256] = {
    let mut table = [[8u8; 8]; 256];
    let mut byte = 0;
    while byte < 256 {
        let (mut n, mut bit) = (0, 0);
        while bit < 8 {
            if byte >> bit & 1 != 0 {
                table[byte][n] = bit as u8;
                n += 1;
            }
            bit += 1;
        }
        byte += 1;
    }
    table
};

#[cfg(test)]
mod tests {
    use super::nth_set_bit;
    use crate::markers::{entropy_coded_end, MAX_PASSES, MAX_SCANS};
    use crate::{decode as decode_part, parse, Error};
    use proptest::prelude::*;

    /// Every scan is held, with its tables, until the last band is read: a file of more scans
    /// or more passes over its blocks than the bounds is refused by `parse`, before any is
    /// read; one within them decodes.
    #[test]
    fn too_many_scans_are_refused() {
        let jpeg = include_bytes!("../tests/fixtures/jpeg-scans/progressive-gray.jpg");
        let first = (0..jpeg.len() - 1)
            .find(|&at| jpeg[at] == 0xFF && jpeg[at + 1] == 0xDA)
            .unwrap();
        let end = entropy_coded_end(jpeg, first + 2).unwrap();
        // The first (DC) scan again and again: each one a valid scan, a pass over every block.
        let with_scans = |count: usize| {
            let mut file = jpeg[..first].to_vec();
            for _ in 0..count {
                file.extend_from_slice(&jpeg[first..end]);
            }
            file.extend_from_slice(&jpeg[end..]);
            file
        };
        // 131×77 gray: 17×10 blocks, one pass each scan.
        let passes = crate::markers::coding(jpeg).scans as u64;
        let at_most = with_scans((MAX_PASSES - passes + 1) as usize);
        assert_eq!(
            crate::markers::coding(&at_most).blocks,
            MAX_PASSES * 17 * 10
        );
        assert!(decode_part(&parse(&at_most).unwrap(), 1, None).is_ok());
        let refused = |file: &[u8]| match parse(file) {
            Err(Error::TooMany { what, .. }) => what,
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("parsed"),
        };
        assert_eq!(
            refused(&with_scans(MAX_PASSES as usize)),
            "passes over its blocks"
        );
        assert_eq!(refused(&with_scans(MAX_SCANS)), "scans");
    }

    proptest! {
        /// The table (and `pdep`, where the CPU has it) land on the bit that clearing the
        /// lowest set bit `n` times leaves lowest, on dense and sparse words.
        #[test]
        fn lands_where_the_loop_does(x: u64, n in 0u32..64, sparse in 0u32..5) {
            let x = (0..sparse).fold(x, |x, i| x & (x >> (i + 1)).rotate_left(17 * i));
            let lowest = |word: u64| word & word.wrapping_neg();
            let by_loop = (0..n).fold(x, |word, _| word & word.wrapping_sub(1));
            prop_assert_eq!(lowest(nth_set_bit::<false>(x, n)), lowest(by_loop));
            #[cfg(target_arch = "x86_64")]
            if crate::cpu::Cpu::detect() != crate::cpu::Cpu::Portable {
                prop_assert_eq!(nth_set_bit::<true>(x, n), lowest(by_loop));
            }
        }
    }
}
