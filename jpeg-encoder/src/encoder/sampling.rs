//! Reading blocks from the sample rows (full, or averaged for subsampled chroma), and the
//! operations that fill the rows and transform the blocks, portable or compiled for AVX2.

use super::*;

#[cfg_attr(target_arch = "x86_64", inline(always))]
pub(super) fn get_block(
    data: &[u8],
    start_x: usize,
    start_y: usize,
    col_stride: usize,
    row_stride: usize,
    width: usize,
) -> AlignedBlock {
    let mut block = [0i16; 64];

    if (col_stride, row_stride) == (1, 1) {
        // thumbsmith patch: whole rows of 8 for full-resolution components (vectorised).
        for (y, out) in block.chunks_exact_mut(8).enumerate() {
            let row = &data[(start_y + y) * width + start_x..][..8];
            for (out, &sample) in out.iter_mut().zip(row) {
                *out = sample as i16 - 128;
            }
        }
        return AlignedBlock::new(block);
    }

    for y in 0..8 {
        for x in 0..8 {
            let ix = start_x + (x * col_stride);
            let iy = start_y + (y * row_stride);

            block[y * 8 + x] = (data[iy * width + ix] as i16) - 128;
        }
    }

    AlignedBlock::new(block)
}

#[cfg_attr(target_arch = "x86_64", inline(always))]
pub(super) fn get_block_averaged(
    data: &[u8],
    start_x: usize,
    start_y: usize,
    col_stride: usize,
    row_stride: usize,
    width: usize,
) -> AlignedBlock {
    // thumbsmith patch: the usual subsamplings with constant strides, so the division is a
    // shift and the loops unroll; the same sums and rounding.
    match (col_stride, row_stride) {
        (2, 2) => averaged_block::<2, 2>(data, start_x, start_y, width),
        (2, 1) => averaged_block::<2, 1>(data, start_x, start_y, width),
        (1, 2) => averaged_block::<1, 2>(data, start_x, start_y, width),
        _ => averaged_block_any(data, start_x, start_y, col_stride, row_stride, width),
    }
}

#[cfg_attr(target_arch = "x86_64", inline(always))]
pub(super) fn averaged_block<const COLUMNS: usize, const ROWS: usize>(
    data: &[u8],
    start_x: usize,
    start_y: usize,
    width: usize,
) -> AlignedBlock {
    let mut block = [0i16; 64];
    let n = COLUMNS * ROWS;
    // Alternate the rounding bias per column as libjpeg does (see jcsample.c)
    let bias = [(n - 1) / 2, n / 2];

    for y in 0..8 {
        let iy = start_y + y * ROWS;
        for x in 0..8 {
            let ix = start_x + x * COLUMNS;
            let mut sum = 0usize;
            for dy in 0..ROWS {
                let row = &data[(iy + dy) * width + ix..][..COLUMNS];
                for &sample in row {
                    sum += sample as usize;
                }
            }
            block[y * 8 + x] = ((sum + bias[x & 1]) / n) as i16 - 128;
        }
    }

    AlignedBlock::new(block)
}

pub(super) fn averaged_block_any(
    data: &[u8],
    start_x: usize,
    start_y: usize,
    col_stride: usize,
    row_stride: usize,
    width: usize,
) -> AlignedBlock {
    let mut block = [0i16; 64];
    let n = col_stride * row_stride;
    // Alternate the rounding bias per column as libjpeg does (see jcsample.c)
    let bias_even = (n - 1) / 2;
    let bias_odd = n / 2;

    for y in 0..8 {
        for x in 0..8 {
            let ix = start_x + (x * col_stride);
            let iy = start_y + (y * row_stride);

            let mut sum = 0usize;
            for dy in 0..row_stride {
                for dx in 0..col_stride {
                    sum += data[(iy + dy) * width + (ix + dx)] as usize;
                }
            }

            let bias = if x & 1 == 0 { bias_even } else { bias_odd };
            block[y * 8 + x] = ((sum + bias) / n) as i16 - 128;
        }
    }

    AlignedBlock::new(block)
}

pub(crate) trait Operations: Sized {
    #[inline(always)]
    fn fdct(data: &mut AlignedBlock) {
        fdct(data);
    }

    #[inline(always)]
    fn quantize_block(block: &AlignedBlock, q_block: &mut AlignedBlock, table: &QuantizationTable) {
        // thumbsmith patch: quantised in natural order (vectorised), then put in zig-zag order;
        // the crate quantised each coefficient as it permuted it.
        let mut natural = [0i16; 64];
        table.quantize_natural(&block.data, &mut natural);
        for i in 0..64 {
            q_block.data[i] = natural[ZIGZAG[i] as usize & 0x3f];
        }
    }

    /// The image's rows into the component buffers (thumbsmith patch: a hook, so that
    /// [`Avx2Compiled`] can run it compiled for AVX2).
    #[inline(always)]
    fn fill_rows<I: ImageBuffer>(
        image: &I,
        rows: &mut [Vec<u8>; 4],
        buffer_rows: usize,
        buffer_width: usize,
    ) {
        fill_rows(image, rows, buffer_rows, buffer_width);
    }

    /// One component's blocks, read, transformed and quantised (thumbsmith patch: a hook, as
    /// `fill_rows`).
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    fn component_blocks(
        samples: &[u8],
        blocks: (usize, usize),
        scales: (usize, usize),
        buffer_width: usize,
        average: bool,
        table: &QuantizationTable,
        out: &mut Vec<AlignedBlock>,
    ) {
        component_blocks::<Self>(samples, blocks, scales, buffer_width, average, table, out);
    }
}

/// Rows `0..buffer_rows` of `image` (the last row repeated below it) into `rows`, each padded to
/// `buffer_width` by repeating its last sample (the crate's loop, moved here by a thumbsmith
/// patch).
#[inline(always)]
pub(super) fn fill_rows<I: ImageBuffer>(
    image: &I,
    rows: &mut [Vec<u8>; 4],
    buffer_rows: usize,
    buffer_width: usize,
) {
    let (width, height) = (usize::from(image.width()), usize::from(image.height()));
    for y in 0..buffer_rows {
        image.fill_buffers(y.min(height - 1) as u16, rows);

        for _ in width..buffer_width {
            for channel in rows.iter_mut() {
                if !channel.is_empty() {
                    channel.push(channel[channel.len() - 1]);
                }
            }
        }
    }
}

/// `blocks` (columns, rows) 8×8 blocks of one component's `samples`, each covering
/// `scales` (columns, rows) samples per coefficient, read (averaged or not), transformed and
/// quantised into `out` (the crate's loop, moved here by a thumbsmith patch).
#[inline(always)]
pub(super) fn component_blocks<OP: Operations>(
    samples: &[u8],
    (cols, rows): (usize, usize),
    (h_scale, v_scale): (usize, usize),
    buffer_width: usize,
    average: bool,
    table: &QuantizationTable,
    out: &mut Vec<AlignedBlock>,
) {
    for block_y in 0..rows {
        for block_x in 0..cols {
            let bx = block_x * 8 * h_scale;
            let by = block_y * 8 * v_scale;
            out.push(transform_block::<OP>(
                samples,
                (bx, by),
                (h_scale, v_scale),
                buffer_width,
                average,
                table,
            ));
        }
    }
}

/// The 8×8 block of `samples` whose top-left sample is (`bx`, `by`), each coefficient covering
/// `scales` (columns, rows) samples (averaged, or the top-left one taken), transformed and
/// quantised (thumbsmith patch: shared by the interleaved writer and `component_blocks`).
#[inline(always)]
pub(super) fn transform_block<OP: Operations>(
    samples: &[u8],
    (bx, by): (usize, usize),
    (h_scale, v_scale): (usize, usize),
    buffer_width: usize,
    average: bool,
    table: &QuantizationTable,
) -> AlignedBlock {
    let mut block = if average {
        get_block_averaged(samples, bx, by, h_scale, v_scale, buffer_width)
    } else {
        get_block(samples, bx, by, h_scale, v_scale, buffer_width)
    };

    OP::fdct(&mut block);

    let mut q_block = AlignedBlock::default();
    OP::quantize_block(&block, &mut q_block, table);
    q_block
}

/// The portable operations compiled with AVX2 enabled, for gray and RGB pixels on CPUs that
/// have it (thumbsmith patch): the same integer code, so the same bytes, but vectorised wider.
/// The crate's own `simd` feature writes different bytes (its AVX2 FDCT rounds some
/// coefficients one step off the scalar one), so it stays off.
#[cfg(all(feature = "std", target_arch = "x86_64"))]
pub(crate) struct Avx2Compiled;

#[cfg(all(feature = "std", target_arch = "x86_64"))]
impl Operations for Avx2Compiled {
    #[allow(unsafe_code)]
    fn fill_rows<I: ImageBuffer>(
        image: &I,
        rows: &mut [Vec<u8>; 4],
        buffer_rows: usize,
        buffer_width: usize,
    ) {
        // SAFETY: `Encoder::encode` picks these operations only when `cpu::avx2` is true,
        // which it is only on a CPU with AVX2.
        unsafe { fill_rows_avx2(image, rows, buffer_rows, buffer_width) }
    }

    #[allow(unsafe_code)]
    fn component_blocks(
        samples: &[u8],
        blocks: (usize, usize),
        scales: (usize, usize),
        buffer_width: usize,
        average: bool,
        table: &QuantizationTable,
        out: &mut Vec<AlignedBlock>,
    ) {
        // SAFETY: as in `fill_rows`.
        unsafe { component_blocks_avx2(samples, blocks, scales, buffer_width, average, table, out) }
    }
}

#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)]
unsafe fn fill_rows_avx2<I: ImageBuffer>(
    image: &I,
    rows: &mut [Vec<u8>; 4],
    buffer_rows: usize,
    buffer_width: usize,
) {
    fill_rows(image, rows, buffer_rows, buffer_width);
}

#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[target_feature(enable = "avx2")]
#[allow(unsafe_code)]
unsafe fn component_blocks_avx2(
    samples: &[u8],
    blocks: (usize, usize),
    scales: (usize, usize),
    buffer_width: usize,
    average: bool,
    table: &QuantizationTable,
    out: &mut Vec<AlignedBlock>,
) {
    component_blocks::<DefaultOperations>(
        samples,
        blocks,
        scales,
        buffer_width,
        average,
        table,
        out,
    );
}

pub(crate) struct DefaultOperations;

impl Operations for DefaultOperations {}
