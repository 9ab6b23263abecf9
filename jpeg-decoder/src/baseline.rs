//! Sequential files in one scan (baseline and extended sequential Huffman, ITU T.81 F.2): MCU by
//! MCU, each block's coefficients the scaled IDCT reads decoded and dequantised, the others read
//! past several at a time; the blocks outside every part are read past whole, and the MCU rows
//! below every part are not read.

use crate::bitstream::Bits;
use crate::error::{corrupt, Error, Result};
use crate::header::{Header, ZIGZAG};
use crate::huffman::{run_and_value, Huffman, SkipTable, LOOKAHEAD, SKIP_BITS};
use crate::idct::{Block, Plan, EXTENT};
use crate::planes::{mcu_rows_to_parts_end, plane_outputs, transform_into, Planes, Scratch};
use crate::Rect;

#[inline(always)]
pub(crate) fn decode_block(
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
        // would be mispredicted often, a store never is.
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
pub(crate) fn skip_block(
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
pub(crate) fn read_dc(bits: &mut Bits<'_>, dc: &Huffman, predictor: &mut i32) -> Result<()> {
    bits.refill();
    let size = u32::from(bits.decode(dc)?);
    if size > 11 {
        return Err(corrupt("bad DC size"));
    }
    *predictor = predictor.wrapping_add(bits.receive_extend(size));
    Ok(())
}

/// Reads past the coefficients the IDCT does not need (up to the end of block).
#[inline(always)] // into the caller compiled with the CPU's features (see `crate::decode_in_bands`)
pub(crate) fn skip_rest(
    bits: &mut Bits<'_>,
    ac: &Huffman,
    skip: &SkipTable,
    mut k: usize,
) -> Result<()> {
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

/// Each AC table's skip table, for the tables some component uses. Making one pays only over
/// many blocks read past; a small picture (`blocks` in all) reads its blocks one symbol at a
/// time (an empty table), which gives the same result.
fn skip_tables(header: &Header<'_>, blocks: usize) -> Vec<Option<SkipTable>> {
    (0..header.ac.len())
        .map(|id| match &header.ac[id] {
            Some(ac) if header.components.iter().any(|c| c.ac_table == id) => {
                Some(match blocks >= 2 << SKIP_BITS {
                    true => SkipTable::new(ac),
                    false => SkipTable([0; 1 << SKIP_BITS]),
                })
            }
            _ => None,
        })
        .collect()
}

/// Each component's DC, AC and skip tables; an error when the headers left one undefined.
fn block_tables<'t>(
    header: &'t Header<'_>,
    skips: &'t [Option<SkipTable>],
) -> Result<Vec<(&'t Huffman, &'t Huffman, &'t SkipTable)>> {
    header
        .components
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
        .collect()
}

#[inline(always)]
pub(crate) fn decode<const AVX2: bool>(
    header: &Header<'_>,
    eighths: u32,
    parts: Option<(Rect, Rect)>,
) -> Result<Planes> {
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
    let blocks: usize =
        components.iter().map(|c| c.h * c.v).sum::<usize>() * mcus_across * mcus_down;
    let skips = skip_tables(header, blocks);
    let tables = block_tables(header, &skips)?;

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
    // The MCU's position and the restart countdown kept by counting, not by a division per MCU.
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
                    .ok_or(Error::Internal("chroma block without a chroma plane"))?,
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
