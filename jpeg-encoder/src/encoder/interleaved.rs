//! One interleaved baseline scan with Huffman tables optimised for it (thumbsmith patch).
//!
//! Upstream writes a file with optimised tables as one scan per component, a layout that some
//! decoders misread (zune-jpeg 0.5.15, inside `image` 0.25, decodes 4:2:0 files written so as
//! stripes). libjpeg, mozjpeg and libvips write one interleaved scan; so does this. The blocks
//! are transformed and quantised once (`Encoder::encode_blocks`, padded to whole MCUs), their
//! symbols counted in scan order, then written from the same blocks: no second FDCT.

use super::{AlignedBlock, Component, Encoder, Operations, get_num_bits};
use crate::EncodingError;
use crate::huffman::HuffmanTable;
use crate::image_buffer::ImageBuffer;
use crate::marker::Marker;
use crate::quantization::QuantizationTable;
use crate::writer::{JfifWrite, walk_ac_block};
use alloc::vec::Vec;

/// What an interleaved scan codes, in order: blocks MCU by MCU, and restart markers.
pub(super) enum ScanUnit<'a> {
    /// A block of component `component` and the DC value its DC difference is taken from
    /// (0 after a restart marker and at the start of the scan).
    Block {
        component: usize,
        block: &'a AlignedBlock,
        prev_dc: i16,
    },
    /// Restart marker RSTn goes here.
    Restart(u8),
}

/// Hands `emit` the units of an interleaved scan over `blocks` (each component's blocks in
/// raster order, `mcus.0 * h` columns by `mcus.1 * v` rows for its sampling factors `h`, `v`).
/// The counting pass and the writing pass both walk through here, so the optimised tables hold
/// every symbol written, restart markers included (the DC prediction resets at each).
pub(super) fn walk_interleaved<'a, E>(
    components: &[Component],
    blocks: &'a [Vec<AlignedBlock>; 4],
    (mcu_cols, mcu_rows): (usize, usize),
    restart_interval: u16,
    mut emit: impl FnMut(ScanUnit<'a>) -> Result<(), E>,
) -> Result<(), E> {
    let mut prev_dc = [0i16; 4];
    let mut restarts = 0u8;
    let mut mcus_to_go = restart_interval;

    for mcu_y in 0..mcu_rows {
        for mcu_x in 0..mcu_cols {
            if restart_interval > 0 {
                if mcus_to_go == 0 {
                    emit(ScanUnit::Restart(restarts))?;
                    restarts = (restarts + 1) & 7;
                    prev_dc = [0; 4];
                    mcus_to_go = restart_interval;
                }
                mcus_to_go -= 1;
            }

            for (i, component) in components.iter().enumerate() {
                let h = usize::from(component.horizontal_sampling_factor);
                let v = usize::from(component.vertical_sampling_factor);
                let stride = mcu_cols * h;
                for row in mcu_y * v..(mcu_y + 1) * v {
                    let first = row * stride + mcu_x * h;
                    for block in &blocks[i][first..first + h] {
                        emit(ScanUnit::Block {
                            component: i,
                            block,
                            prev_dc: prev_dc[i],
                        })?;
                        prev_dc[i] = block.data[0];
                    }
                }
            }
        }
    }
    Ok(())
}

impl<W: JfifWrite> Encoder<W> {
    /// Encodes all components in one scan with Huffman tables made for it. Only for sampling
    /// factors of 1 and 2 (`SamplingFactor::supports_interleaved`), as the unoptimised
    /// interleaved writer; both give the same coefficients, since `fill_rows` pads the image as
    /// that writer does.
    pub(super) fn encode_image_interleaved_optimized<I: ImageBuffer, OP: Operations>(
        &mut self,
        image: I,
        q_tables: &[QuantizationTable; 2],
    ) -> Result<(), EncodingError> {
        let blocks = self.encode_blocks::<_, OP>(&image, q_tables, true);
        let (max_h, max_v) = self.get_max_sampling_size();
        let mcus = (
            usize::from(image.width()).div_ceil(8 * max_h),
            usize::from(image.height()).div_ceil(8 * max_v),
        );
        let restart_interval = self.restart_interval.unwrap_or(0);

        // Count the symbols, one DC and one AC histogram per table (luma 0, chroma 1); the
        // 257th entry reserves a code so no real code is all ones (T.81 K.2).
        let mut dc_freq = [[0u32; 257]; 2];
        let mut ac_freq = [[0u32; 257]; 2];
        for freq in dc_freq.iter_mut().chain(ac_freq.iter_mut()) {
            freq[256] = 1;
        }
        let components = &self.components;
        let Ok(()) = walk_interleaved(components, &blocks, mcus, restart_interval, |unit| {
            if let ScanUnit::Block {
                component,
                block,
                prev_dc,
            } = unit
            {
                let component = &components[component];
                let dc = &mut dc_freq[usize::from(component.dc_huffman_table)];
                dc[usize::from(get_num_bits(block.data[0] - prev_dc))] += 1;
                let ac = &mut ac_freq[usize::from(component.ac_huffman_table)];
                let count = |symbol: u8, _, _| {
                    ac[usize::from(symbol)] += 1;
                    Ok::<(), core::convert::Infallible>(())
                };
                let Ok(band_ends_in_zeros) = walk_ac_block(block, 1, 64, count);
                if band_ends_in_zeros {
                    ac[0] += 1;
                }
            }
            Ok::<(), core::convert::Infallible>(())
        });

        let tables = self.components.len().min(2);
        for table in 0..tables {
            self.huffman_tables[table] = (
                HuffmanTable::new_optimized(dc_freq[table]),
                HuffmanTable::new_optimized(ac_freq[table]),
            );
        }

        self.write_frame_header(&image, q_tables)?;
        let components: Vec<&Component> = self.components.iter().collect();
        self.writer.write_scan_header(&components, None)?;

        let (writer, components, tables) =
            (&mut self.writer, &self.components, &self.huffman_tables);
        walk_interleaved(
            components,
            &blocks,
            mcus,
            restart_interval,
            |unit| match unit {
                ScanUnit::Block {
                    component,
                    block,
                    prev_dc,
                } => {
                    let component = &components[component];
                    writer.write_block(
                        block,
                        prev_dc,
                        &tables[usize::from(component.dc_huffman_table)].0,
                        &tables[usize::from(component.ac_huffman_table)].1,
                    )
                }
                ScanUnit::Restart(n) => {
                    writer.finalize_bit_buffer()?;
                    writer.write_marker(Marker::RST(n))
                }
            },
        )?;

        self.writer.finalize_bit_buffer()
    }
}

#[cfg(test)]
mod tests {
    use crate::{ColorType, Encoder, SamplingFactor};
    use alloc::vec::Vec;

    fn picture(width: usize, height: usize, channels: usize) -> Vec<u8> {
        (0..width * height * channels)
            .map(|i| {
                let (x, y, c) = (i / channels % width, i / channels / width, i % channels);
                ((x * 7 + y * 3 + c * 50) ^ (x * y / 5)) as u8
            })
            .collect()
    }

    fn encode(
        pixels: &[u8],
        (width, height): (u16, u16),
        color: ColorType,
        sampling: SamplingFactor,
        optimized: bool,
        restart_interval: u16,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = Encoder::new(&mut out, 80);
        encoder.set_sampling_factor(sampling);
        encoder.set_optimized_huffman_tables(optimized);
        encoder.set_restart_interval(restart_interval);
        encoder.encode(pixels, width, height, color).unwrap();
        out
    }

    /// Where the scan headers (0xFF 0xDA) start; entropy-coded data never holds that pair.
    fn scans(jpeg: &[u8]) -> Vec<usize> {
        let sos = jpeg
            .windows(2)
            .enumerate()
            .filter(|(_, w)| *w == [0xFF, 0xDA]);
        sos.map(|(at, _)| at).collect()
    }

    /// Optimised tables give one scan of all components with the coefficients of the
    /// unoptimised interleaved writer (so the same pixels), at sizes that are and are not whole
    /// MCUs, with and without restart markers, and fewer bytes.
    #[test]
    fn optimized_tables_write_one_interleaved_scan_of_the_same_coefficients() {
        use SamplingFactor::*;
        let samplings = [R_4_4_4, R_4_2_2, R_4_2_0, R_4_4_0, F_1_2, F_2_1];
        for (width, height) in [(1u16, 1u16), (7, 3), (33, 17), (64, 48)] {
            for (color, channels) in [(ColorType::Rgb, 3), (ColorType::Luma, 1)] {
                let pixels = picture(usize::from(width), usize::from(height), channels);
                for sampling in samplings {
                    for restart_interval in [0, 1, 3] {
                        let size = (width, height);
                        let plain = encode(&pixels, size, color, sampling, false, restart_interval);
                        let optimized =
                            encode(&pixels, size, color, sampling, true, restart_interval);
                        let what = alloc::format!(
                            "{width}×{height} {color:?} {sampling:?} restart {restart_interval}"
                        );
                        let at = scans(&optimized);
                        assert_eq!(at.len(), 1, "{what}");
                        assert_eq!(usize::from(optimized[at[0] + 4]), channels, "{what}");
                        let decode = |jpeg: &[u8]| jpeg_decoder::Decoder::new(jpeg).decode();
                        assert_eq!(
                            decode(&optimized).unwrap(),
                            decode(&plain).unwrap(),
                            "{what}"
                        );
                        if width >= 33 {
                            assert!(optimized.len() < plain.len(), "{what}");
                        }
                    }
                }
            }
        }
    }

    /// Sampling factors of 4 cannot be interleaved here: a scan per component, as upstream.
    #[test]
    fn sampling_factors_of_four_keep_a_scan_per_component() {
        let pixels = picture(40, 24, 3);
        let size = (40, 24);
        let jpeg = encode(
            &pixels,
            size,
            ColorType::Rgb,
            SamplingFactor::F_4_1,
            true,
            0,
        );
        assert_eq!(scans(&jpeg).len(), 3);
    }
}
