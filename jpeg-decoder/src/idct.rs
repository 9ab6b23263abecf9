//! Inverse DCTs for the planar JPEG decoder. At full size, libjpeg's "islow" algorithm
//! (jidctint.c — the Loeffler–Ligtenberg–Moschytz butterfly, 13-bit constants, 2 extra bits
//! between the passes): 12 multiplications per 8 points where a coefficient matrix needs 64. The
//! butterfly is written once, generic over its arithmetic: on plain `i32`s, one column and then
//! one row at a time (small code: the browser build's size budget is tight), and on AVX2
//! registers through intrinsics on x86-64, eight columns or rows at once with the transposes in
//! registers. Both are the same wrapping integer arithmetic, so every build gives the same bytes.
//! The scaled sizes use coefficient matrices ([`transform`]): up to 4 outputs as plain loops
//! (whose time is small next to the entropy decoding's), 5–7 outputs with AVX2 through
//! [`matrix_avx2`], whose even/odd split halves the multiplications.

use crate::header::ZIGZAG;

/// The arithmetic the butterfly needs, on one value or on a vector of lanes; all wrapping, so a
/// damaged file gives garbage pixels, not a panic.
trait Arithmetic: Copy {
    fn add(self, other: Self) -> Self;
    fn sub(self, other: Self) -> Self;
    fn mul(self, constant: i32) -> Self;
    fn shl<const BITS: i32>(self) -> Self;
    /// `(self + 2^(BITS−1)) >> BITS`, arithmetic.
    fn descale<const BITS: i32>(self) -> Self;
}

/// Eight lanes: a whole pass at once, with the transposes between and after the passes.
#[cfg(target_arch = "x86_64")]
trait Lanes: Arithmetic {
    fn load(values: &[i32; 8]) -> Self;
    fn transpose(rows: [Self; 8]) -> [Self; 8];
    /// Adds 128, clamps to 0–255 and stores the first `size` lanes of the first `size` rows.
    fn store(rows: [Self; 8], out: &mut [u8], stride: usize, size: usize);
}

const CONST_BITS: i32 = 13;
const PASS1_BITS: i32 = 2;
const FIX_0_298631336: i32 = 2446;
const FIX_0_390180644: i32 = 3196;
const FIX_0_541196100: i32 = 4433;
const FIX_0_765366865: i32 = 6270;
const FIX_0_899976223: i32 = 7373;
const FIX_1_175875602: i32 = 9633;
const FIX_1_501321110: i32 = 12299;
const FIX_1_847759065: i32 = 15137;
const FIX_1_961570560: i32 = 16069;
const FIX_2_053119869: i32 = 16819;
const FIX_2_562915447: i32 = 20995;
const FIX_3_072711026: i32 = 25172;

/// One 8-point pass: `input[k]` holds frequency k (one transform per lane), the result sample n
/// still scaled by 2^CONST_BITS (the caller descales).
#[inline(always)]
fn butterfly<L: Arithmetic>(input: [L; 8]) -> [L; 8] {
    // Even part.
    let z1 = input[2].add(input[6]).mul(FIX_0_541196100);
    let tmp2 = z1.add(input[6].mul(-FIX_1_847759065));
    let tmp3 = z1.add(input[2].mul(FIX_0_765366865));
    let tmp0 = input[0].add(input[4]).shl::<CONST_BITS>();
    let tmp1 = input[0].sub(input[4]).shl::<CONST_BITS>();
    let (tmp10, tmp13) = (tmp0.add(tmp3), tmp0.sub(tmp3));
    let (tmp11, tmp12) = (tmp1.add(tmp2), tmp1.sub(tmp2));
    // Odd part.
    let (t0, t1, t2, t3) = (input[7], input[5], input[3], input[1]);
    let z1 = t0.add(t3);
    let z2 = t1.add(t2);
    let z3 = t0.add(t2);
    let z4 = t1.add(t3);
    let z5 = z3.add(z4).mul(FIX_1_175875602);
    let (t0, t1) = (t0.mul(FIX_0_298631336), t1.mul(FIX_2_053119869));
    let (t2, t3) = (t2.mul(FIX_3_072711026), t3.mul(FIX_1_501321110));
    let (z1, z2) = (z1.mul(-FIX_0_899976223), z2.mul(-FIX_2_562915447));
    let z3 = z3.mul(-FIX_1_961570560).add(z5);
    let z4 = z4.mul(-FIX_0_390180644).add(z5);
    let t0 = t0.add(z1).add(z3);
    let t1 = t1.add(z2).add(z4);
    let t2 = t2.add(z2).add(z3);
    let t3 = t3.add(z1).add(z4);
    [
        tmp10.add(t3),
        tmp11.add(t2),
        tmp12.add(t1),
        tmp13.add(t0),
        tmp13.sub(t0),
        tmp12.sub(t1),
        tmp11.sub(t2),
        tmp10.sub(t3),
    ]
}

/// Pass descaling: 2 extra bits kept after the columns; the rows also remove the 2D factor 8.
const COLUMN_SHIFT: i32 = CONST_BITS - PASS1_BITS;
const ROW_SHIFT: i32 = CONST_BITS + PASS1_BITS + 3;

/// `NONZERO`: only the first `NONZERO` rows and columns of coefficients may be non-zero. The
/// rest enter both passes as constant zeros, so the compiler drops the arithmetic on them: the
/// same integers as the whole butterfly, with fewer instructions for the sparse blocks that are
/// most of a photo's (most blocks of a photo reach no further than 6×6, many no further than
/// 2×2 or 4×4).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn idct_with<L: Lanes, const NONZERO: usize>(
    coefficients: &[i32; 64],
    out: &mut [u8],
    stride: usize,
) {
    let zero = L::load(&[0; 8]);
    let rows: [L; 8] = std::array::from_fn(|v| match v < NONZERO {
        true => L::load(coefficients[v * 8..v * 8 + 8].try_into().unwrap()),
        false => zero,
    });
    // Down the columns (lanes are columns), then along the rows (lanes are rows). A zero column
    // of coefficients stays zero through the first pass (descaling 0 gives 0).
    let columns_done = butterfly(rows).map(L::descale::<{ CONST_BITS - PASS1_BITS }>);
    let mut transposed = L::transpose(columns_done);
    transposed[NONZERO..].fill(zero);
    let rows_done = butterfly(transposed).map(L::descale::<{ CONST_BITS + PASS1_BITS + 3 }>);
    L::store(L::transpose(rows_done), out, stride, 8);
}

/// A scaled IDCT by `matrix` (`matrix[x][u]`: output x's weight of frequency u, N rows for N
/// outputs, the same for rows and columns) on eight lanes, descaled as [`idct_with`] does: the
/// same integers as [`transform`]'s plain loops. Output `N − 1 − x`'s weights are output x's with
/// the odd frequencies negated (and the middle output of an odd N has no odd ones), so each
/// pass sums the even and the odd frequencies once for both outputs. Only the first `rows` and
/// `columns` of coefficients are read (the rest are zero).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn matrix_with<L: Lanes>(
    coefficients: &[i32; 64],
    extent: (usize, usize),
    matrix: &[[i32; 8]],
    out: &mut [u8],
    stride: usize,
) {
    // One copy per size, so the passes' loops have fixed bounds (only 5–7 come here).
    match matrix.len() {
        5 => matrix_sized::<L, 5>(coefficients, extent, matrix, out, stride),
        6 => matrix_sized::<L, 6>(coefficients, extent, matrix, out, stride),
        _ => matrix_sized::<L, 7>(coefficients, extent, matrix, out, stride),
    }
}

#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn matrix_sized<L: Lanes, const N: usize>(
    coefficients: &[i32; 64],
    (rows, columns): (usize, usize),
    matrix: &[[i32; 8]],
    out: &mut [u8],
    stride: usize,
) {
    let zero = L::load(&[0; 8]);
    let input: [L; 8] = std::array::from_fn(|v| match v < rows {
        true => L::load(coefficients[v * 8..v * 8 + 8].try_into().unwrap()),
        false => zero,
    });
    // Down the columns (lanes are columns), then along the rows (lanes are rows).
    let columns_done =
        matrix_pass::<L, N>(&input, rows, matrix).map(L::descale::<{ CONST_BITS - PASS1_BITS }>);
    let rows_done = matrix_pass::<L, N>(&L::transpose(columns_done), columns, matrix)
        .map(L::descale::<{ CONST_BITS + PASS1_BITS + 3 }>);
    L::store(L::transpose(rows_done), out, stride, N);
}

/// One pass of [`matrix_with`]: `input[u]` holds frequency u (zero from `count` on), output x
/// of each lane, still scaled (a function, not a closure, so it is compiled with the caller's
/// target features and its intrinsics inline). Every matrix's first column is 2^13, a shift.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn matrix_pass<L: Lanes, const N: usize>(
    input: &[L; 8],
    count: usize,
    matrix: &[[i32; 8]],
) -> [L; 8] {
    let zero = L::load(&[0; 8]);
    let mut result = [zero; 8];
    for x in 0..N.div_ceil(2) {
        let weights = &matrix[x];
        let mut even = input[0].shl::<CONST_BITS>();
        let mut odd = zero;
        for u in 1..N {
            if u >= count {
                break;
            }
            let term = input[u].mul(weights[u]);
            if u % 2 == 0 {
                even = even.add(term);
            } else {
                odd = odd.add(term);
            }
        }
        result[x] = even.add(odd);
        result[N - 1 - x] = even.sub(odd);
    }
    result
}

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::matrix_avx2;

/// The IDCT of one block's dequantised coefficients (natural order) into 8 rows of 8 samples,
/// `stride` apart, level-shifted and clamped to 0–255. `extent`: the coefficients outside the
/// first `extent` rows and columns are zero.
#[inline(always)]
pub(crate) fn islow(
    coefficients: &[i32; 64],
    extent: usize,
    out: &mut [u8],
    stride: usize,
    avx2: bool,
) {
    #[cfg(target_arch = "x86_64")]
    if avx2 {
        // SAFETY: the caller passes `avx2` only when the CPU has it.
        return unsafe { x86::idct_avx2(coefficients, extent, out, stride) };
    }
    let _ = (avx2, extent);
    idct_portable(coefficients, out, stride);
}

/// The butterfly on one column, then on one row, at a time: the same values as the lanes, in
/// a few hundred bytes of code. Not inlined, so there is one copy however many places decode.
#[inline(never)]
fn idct_portable(coefficients: &[i32; 64], out: &mut [u8], stride: usize) {
    let mut columns_done = [[0i32; 8]; 8];
    for u in 0..8 {
        let column = butterfly(std::array::from_fn(|v| coefficients[v * 8 + u]));
        for (row, value) in columns_done.iter_mut().zip(column) {
            row[u] = value.descale::<COLUMN_SHIFT>();
        }
    }
    for (row, values) in out.chunks_mut(stride).zip(columns_done) {
        for (sample, value) in row[..8].iter_mut().zip(butterfly(values)) {
            *sample = value.descale::<ROW_SHIFT>().wrapping_add(128).clamp(0, 255) as u8;
        }
    }
}

/// The first `size` (1…8) of `samples` into `row`: one fixed-size move per size, where a slice
/// copy of a length known only at run time would be a call to `memcpy` per row.
#[inline(always)]
pub(crate) fn store_row(row: &mut [u8], samples: &[u8; 8], size: usize) {
    match size {
        8 => row[..8].copy_from_slice(samples),
        7 => row[..7].copy_from_slice(&samples[..7]),
        6 => row[..6].copy_from_slice(&samples[..6]),
        5 => row[..5].copy_from_slice(&samples[..5]),
        4 => row[..4].copy_from_slice(&samples[..4]),
        3 => row[..3].copy_from_slice(&samples[..3]),
        2 => row[..2].copy_from_slice(&samples[..2]),
        _ => row[0] = samples[0],
    }
}

/// Inverse DCTs to N = 1…7 outputs from the first N of 8 coefficients, as matrices
/// `√2 · C(u) · cos((2x+1)uπ/2N) · A(u) · 2^13` (libjpeg's islow scaling: a DC of d gives d·2^13)
/// with `A(u) = sin(g·uπ/16) / (g·sin(uπ/16))`, g = 8/N. `A` makes each output exactly the mean
/// of the g full-size pixels it stands for (what a full decode followed by a box filter gives),
/// not a point sample of a lower-frequency cosine; for a g that is not a whole number (N = 3, 5,
/// 6, 7) the same formula is a box of g pixels spread over the pixels it partly covers.
/// Integers, computed once offline, so no platform's `cos` can change a bit. Matrices rather
/// than butterflies because they skip the all-zero rows and columns most blocks have; the
/// full-size IDCT is [`islow`]'s butterfly.
pub(crate) const IDCT_1: [[i32; 8]; 1] = [[8192, 0, 0, 0, 0, 0, 0, 0]];
pub(crate) const IDCT_2: [[i32; 8]; 2] = [
    [8192, 7423, 0, 0, 0, 0, 0, 0],
    [8192, -7423, 0, 0, 0, 0, 0, 0],
];
pub(crate) const IDCT_3: [[i32; 8]; 3] = [
    [8192, 9643, 4916, 0, 0, 0, 0, 0],
    [8192, 0, -9832, 0, 0, 0, 0, 0],
    [8192, -9643, 4916, 0, 0, 0, 0, 0],
];
pub(crate) const IDCT_4: [[i32; 8]; 4] = [
    [8192, 10498, 7568, 3686, 0, 0, 0, 0],
    [8192, 4348, -7568, -8900, 0, 0, 0, 0],
    [8192, -4348, -7568, 8900, 0, 0, 0, 0],
    [8192, -10498, 7568, -3686, 0, 0, 0, 0],
];
pub(crate) const IDCT_5: [[i32; 8]; 5] = [
    [8192, 10908, 8997, 6198, 3009, 0, 0, 0],
    [8192, 6741, -3437, -10028, -7879, 0, 0, 0],
    [8192, 0, -11122, 0, 9739, 0, 0, 0],
    [8192, -6741, -3437, 10028, -7879, 0, 0, 0],
    [8192, -10908, 8997, -6198, 3009, 0, 0, 0],
];
pub(crate) const IDCT_6: [[i32; 8]; 6] = [
    [8192, 11134, 9832, 7820, 5321, 2613, 0, 0],
    [8192, 8151, 0, -7820, -10642, -7138, 0, 0],
    [8192, 2983, -9832, -7820, 5321, 9750, 0, 0],
    [8192, -2983, -9832, 7820, 5321, -9750, 0, 0],
    [8192, -8151, 0, 7820, -10642, 7138, 0, 0],
    [8192, -11134, 9832, -7820, 5321, -2613, 0, 0],
];
pub(crate) const IDCT_7: [[i32; 8]; 7] = [
    [8192, 11273, 10355, 8894, 6988, 4766, 2380, 0],
    [8192, 9040, 2558, -4936, -10098, -10709, -6670, 0],
    [8192, 5017, -7166, -11091, -2494, 8588, 9638, 0],
    [8192, 0, -11493, 0, 11208, 0, -10697, 0],
    [8192, -5017, -7166, 11091, -2494, -8588, 9638, 0],
    [8192, -9040, 2558, 4936, -10098, 10709, -6670, 0],
    [8192, -11273, 10355, -8894, 6988, -4766, 2380, 0],
];

/// The matrix of a scaled size; none at full size, where [`islow`] transforms.
pub(crate) fn idct_matrix(size: usize) -> &'static [[i32; 8]] {
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
pub(crate) const PASS1_SHIFT: u32 = 13 - 2;
pub(crate) const FINAL_SHIFT: u32 = 13 + 2 + 3;

/// Per component: which coefficients the scaled IDCT reads, and its size.
pub(crate) struct Plan {
    /// IDCT output size: `size`×`size` output pixels per block.
    pub(crate) size: usize,
    /// Zigzag positions below this may be kept; from here on coefficients are only skipped.
    pub(crate) keep_until: usize,
    /// Bit k (zigzag position k): whether the coefficient lands inside the `size`×`size`
    /// top-left corner the IDCT reads.
    pub(crate) keep: u64,
    /// Quantisation table in zigzag order (the order coefficients arrive in), as i32.
    pub(crate) quant_zigzag: [i32; 64],
    /// The column pass's matrix, `[output row][frequency]`.
    pub(crate) vertical: [[i32; 8]; 8],
    /// The row pass's matrix transposed, `[frequency][output column]`, so that pass sums whole
    /// rows of eight lanes.
    pub(crate) horizontal_by_frequency: [[i32; 8]; 8],
}

impl Plan {
    pub(crate) fn new(size: usize, quant: &[u16; 64]) -> Plan {
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
pub(crate) struct Block {
    pub(crate) coefficients: [i32; 64],
    pub(crate) rows: usize,
    pub(crate) columns: usize,
}

/// For each zigzag position k: how many rows and columns the positions 0..=k reach. Kept per
/// block from the last coefficient stored (zigzag order only moves forward), so the IDCT skips
/// all-zero rows and columns without any per-coefficient bookkeeping.
pub(crate) const EXTENT: [(u8, u8); 64] = {
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

/// The scaled IDCT of one block into `out` (`plan.size` rows of `plan.size` samples, rows
/// `stride` apart), level-shifted and clamped to 0–255. At full size, libjpeg's butterfly
/// ([`islow`], which has copies for sparse blocks); smaller, the coefficient matrices
/// above, which skip the all-zero rows and columns.
/// `AVX2`: whether the CPU has it (the decoder is compiled once with and once without).
#[inline(always)]
pub(crate) fn transform<const AVX2: bool>(
    block: &Block,
    plan: &Plan,
    out: &mut [u8],
    stride: usize,
) {
    let size = plan.size;
    let c = &block.coefficients;
    if block.rows == 1 && block.columns == 1 {
        // DC only (most chroma blocks of a photo, many luma ones): one flat value, the mean.
        let value = ((c[0].wrapping_add(4) >> 3) + 128).clamp(0, 255) as u8;
        for row in out.chunks_mut(stride).take(size) {
            store_row(row, &[value; 8], size);
        }
        return;
    }
    if size == 8 {
        let extent = block.rows.max(block.columns);
        return islow(c, extent, out, stride, AVX2);
    }
    #[cfg(target_arch = "x86_64")]
    if AVX2 && size >= 5 {
        let extent = (block.rows, block.columns);
        // SAFETY: `AVX2` is true only in the copy compiled for, and run on, a CPU with AVX2.
        return unsafe { matrix_avx2(c, extent, idct_matrix(size), out, stride) };
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
        store_row(row, &samples, size);
    }
}

impl Arithmetic for i32 {
    #[inline(always)]
    fn add(self, other: Self) -> Self {
        self.wrapping_add(other)
    }
    #[inline(always)]
    fn sub(self, other: Self) -> Self {
        self.wrapping_sub(other)
    }
    #[inline(always)]
    fn mul(self, constant: i32) -> Self {
        self.wrapping_mul(constant)
    }
    #[inline(always)]
    fn shl<const BITS: i32>(self) -> Self {
        self.wrapping_shl(BITS as u32)
    }
    #[inline(always)]
    fn descale<const BITS: i32>(self) -> Self {
        self.wrapping_add(1 << (BITS - 1)) >> BITS
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{Arithmetic, Lanes};

    #[derive(Clone, Copy)]
    pub(crate) struct Avx2(__m256i);

    /// [`idct_with`](super::idct_with) with AVX2 registers, its copy for the block's extent.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn idct_avx2(
        coefficients: &[i32; 64],
        extent: usize,
        out: &mut [u8],
        stride: usize,
    ) {
        match extent {
            0..=2 => super::idct_with::<Avx2, 2>(coefficients, out, stride),
            3..=4 => super::idct_with::<Avx2, 4>(coefficients, out, stride),
            5..=6 => super::idct_with::<Avx2, 6>(coefficients, out, stride),
            _ => super::idct_with::<Avx2, 8>(coefficients, out, stride),
        }
    }

    /// [`matrix_with`](super::matrix_with) with AVX2 registers.
    ///
    /// # Safety
    /// The CPU must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(crate) unsafe fn matrix_avx2(
        coefficients: &[i32; 64],
        extent: (usize, usize),
        matrix: &[[i32; 8]],
        out: &mut [u8],
        stride: usize,
    ) {
        super::matrix_with::<Avx2>(coefficients, extent, matrix, out, stride);
    }

    // Every method of both impls is only reached through `idct_avx2` and `matrix_avx2`, which
    // run when the CPU has AVX2.
    impl Arithmetic for Avx2 {
        #[inline(always)]
        fn add(self, other: Self) -> Self {
            // SAFETY: reached only via `idct_avx2` / `matrix_avx2`, which run on AVX2 CPUs;
            // registers only.
            Avx2(unsafe { _mm256_add_epi32(self.0, other.0) })
        }
        #[inline(always)]
        fn sub(self, other: Self) -> Self {
            // SAFETY: reached only via `idct_avx2` / `matrix_avx2`, which run on AVX2 CPUs;
            // registers only.
            Avx2(unsafe { _mm256_sub_epi32(self.0, other.0) })
        }
        #[inline(always)]
        fn mul(self, constant: i32) -> Self {
            // SAFETY: reached only via `idct_avx2` / `matrix_avx2`, which run on AVX2 CPUs;
            // registers only.
            Avx2(unsafe { _mm256_mullo_epi32(self.0, _mm256_set1_epi32(constant)) })
        }
        #[inline(always)]
        fn shl<const BITS: i32>(self) -> Self {
            // SAFETY: reached only via `idct_avx2` / `matrix_avx2`, which run on AVX2 CPUs;
            // registers only.
            Avx2(unsafe { _mm256_slli_epi32::<BITS>(self.0) })
        }
        #[inline(always)]
        fn descale<const BITS: i32>(self) -> Self {
            // SAFETY: reached only via `idct_avx2` / `matrix_avx2`, which run on AVX2 CPUs;
            // registers only.
            unsafe {
                let rounded = _mm256_add_epi32(self.0, _mm256_set1_epi32(1 << (BITS - 1)));
                Avx2(_mm256_srai_epi32::<BITS>(rounded))
            }
        }
    }

    impl Lanes for Avx2 {
        #[inline(always)]
        fn load(values: &[i32; 8]) -> Self {
            // SAFETY: reached only via `idct_avx2` / `matrix_avx2`, which run on AVX2 CPUs;
            // the unaligned load reads the 8 `i32`s of `values`.
            Avx2(unsafe { _mm256_loadu_si256(values.as_ptr().cast()) })
        }
        #[inline(always)]
        fn transpose(rows: [Self; 8]) -> [Self; 8] {
            // SAFETY: reached only via `idct_avx2` / `matrix_avx2`, which run on AVX2 CPUs;
            // registers only.
            unsafe {
                let r = rows.map(|l| l.0);
                // 2×2 blocks of 32-bit values, then 64-bit, then the 128-bit halves.
                let a0 = _mm256_unpacklo_epi32(r[0], r[1]);
                let a1 = _mm256_unpackhi_epi32(r[0], r[1]);
                let a2 = _mm256_unpacklo_epi32(r[2], r[3]);
                let a3 = _mm256_unpackhi_epi32(r[2], r[3]);
                let a4 = _mm256_unpacklo_epi32(r[4], r[5]);
                let a5 = _mm256_unpackhi_epi32(r[4], r[5]);
                let a6 = _mm256_unpacklo_epi32(r[6], r[7]);
                let a7 = _mm256_unpackhi_epi32(r[6], r[7]);
                let b0 = _mm256_unpacklo_epi64(a0, a2);
                let b1 = _mm256_unpackhi_epi64(a0, a2);
                let b2 = _mm256_unpacklo_epi64(a1, a3);
                let b3 = _mm256_unpackhi_epi64(a1, a3);
                let b4 = _mm256_unpacklo_epi64(a4, a6);
                let b5 = _mm256_unpackhi_epi64(a4, a6);
                let b6 = _mm256_unpacklo_epi64(a5, a7);
                let b7 = _mm256_unpackhi_epi64(a5, a7);
                [
                    _mm256_permute2x128_si256::<0x20>(b0, b4),
                    _mm256_permute2x128_si256::<0x20>(b1, b5),
                    _mm256_permute2x128_si256::<0x20>(b2, b6),
                    _mm256_permute2x128_si256::<0x20>(b3, b7),
                    _mm256_permute2x128_si256::<0x31>(b0, b4),
                    _mm256_permute2x128_si256::<0x31>(b1, b5),
                    _mm256_permute2x128_si256::<0x31>(b2, b6),
                    _mm256_permute2x128_si256::<0x31>(b3, b7),
                ]
                .map(Avx2)
            }
        }
        #[inline(always)]
        fn store(rows: [Self; 8], out: &mut [u8], stride: usize, size: usize) {
            // SAFETY: reached only via `idct_avx2` / `matrix_avx2`, which run on AVX2 CPUs;
            // the unaligned store writes the 32 bytes of `buffer`; `out` through checked slices.
            unsafe {
                let level = _mm256_set1_epi32(128);
                let r = rows.map(|l| _mm256_add_epi32(l.0, level));
                // Saturating narrowings clamp exactly as `clamp(0, 255)`: i32 → i16 keeps the
                // sign and order, i16 → u8 clamps to 0–255. packs interleave 128-bit halves:
                // words [r0 lo, r1 lo, r0 hi, r1 hi], bytes then mix four rows per register.
                for first in (0..size).step_by(4) {
                    let w01 = _mm256_packs_epi32(r[first], r[first + 1]);
                    let w23 = _mm256_packs_epi32(r[first + 2], r[first + 3]);
                    let bytes = _mm256_packus_epi16(w01, w23);
                    // Per 128-bit half, 4-byte groups: [r0 r1 r2 r3] of columns 0–3 (low half)
                    // and 4–7 (high half); gather each row's 8 bytes together.
                    let order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
                    let rows4 = _mm256_permutevar8x32_epi32(bytes, order);
                    let mut buffer = [0u8; 32];
                    _mm256_storeu_si256(buffer.as_mut_ptr().cast(), rows4);
                    for (i, row) in buffer.chunks_exact(8).take(size - first).enumerate() {
                        let at = (first + i) * stride;
                        super::store_row(&mut out[at..], row.try_into().unwrap(), size);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The islow IDCT against the exact floating-point one: libjpeg's own accuracy (IEEE 1180
    /// style: within one level nearly everywhere) on random blocks of every density.
    #[test]
    fn matches_the_exact_inverse_dct() {
        let mut seed = 12345u32;
        let mut random = move || {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            seed
        };
        // Miri interprets every cosine: a few blocks of each density there.
        let blocks = if cfg!(miri) { 3 } else { 200 };
        for density in [1usize, 3, 10, 64] {
            for _ in 0..blocks {
                let mut coefficients = [0i32; 64];
                for c in coefficients.iter_mut().take(density) {
                    *c = (random() % 301) as i32 - 150;
                }
                coefficients[0] = (random() % 2001) as i32 - 1000;
                let mut out = [0u8; 64];
                idct_portable(&coefficients, &mut out, 8);
                for y in 0..8 {
                    for x in 0..8 {
                        let mut sum = 0.0f64;
                        for v in 0..8 {
                            for u in 0..8 {
                                let cu = if u == 0 { 0.5f64.sqrt() } else { 1.0 };
                                let cv = if v == 0 { 0.5f64.sqrt() } else { 1.0 };
                                let pi = std::f64::consts::PI;
                                sum += cu
                                    * cv
                                    * f64::from(coefficients[v * 8 + u])
                                    * ((2 * x + 1) as f64 * u as f64 * pi / 16.0).cos()
                                    * ((2 * y + 1) as f64 * v as f64 * pi / 16.0).cos();
                            }
                        }
                        let exact = (sum / 4.0 + 128.0).round().clamp(0.0, 255.0);
                        let got = f64::from(out[y * 8 + x]);
                        assert!((got - exact).abs() <= 1.0, "{got} vs {exact} at {x},{y}");
                    }
                }
            }
        }
    }
}
