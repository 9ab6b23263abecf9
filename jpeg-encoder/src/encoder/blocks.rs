//! Every component's blocks transformed and quantised once, and the Huffman tables optimised
//! over them.

use super::*;

impl<W: JfifWrite> Encoder<W> {
    /// Every component's blocks, transformed and quantised, in raster order: as many as cover
    /// the image (a scan per component), or with `whole_mcus` as many as cover whole MCUs, the
    /// padding included (an interleaved scan; thumbsmith patch).
    pub(super) fn encode_blocks<I: ImageBuffer, OP: Operations>(
        &mut self,
        image: &I,
        q_tables: &[QuantizationTable; 2],
        whole_mcus: bool,
    ) -> [Vec<AlignedBlock>; 4] {
        let width = image.width();
        let height = image.height();

        let (max_h_sampling, max_v_sampling) = self.get_max_sampling_size();

        let num_cols = usize::from(width).div_ceil(8 * max_h_sampling) * max_h_sampling;
        let num_rows = usize::from(height).div_ceil(8 * max_v_sampling) * max_v_sampling;

        debug_assert!(num_cols > 0);
        debug_assert!(num_rows > 0);

        let buffer_width = num_cols * 8;
        let buffer_size = num_cols * num_rows * 64;

        let mut row: [Vec<_>; 4] = self.init_rows(buffer_size);

        OP::fill_rows(image, &mut row, num_rows * 8, buffer_width);

        let num_cols = usize::from(width).div_ceil(8);
        let num_rows = usize::from(height).div_ceil(8);

        debug_assert!(num_cols > 0);
        debug_assert!(num_rows > 0);

        let mut blocks: [Vec<_>; 4] = self.init_block_buffers(buffer_size / 64);

        for (i, component) in self.components.iter().enumerate() {
            let h_scale = max_h_sampling / component.horizontal_sampling_factor as usize;
            let v_scale = max_v_sampling / component.vertical_sampling_factor as usize;

            let (cols, rows) = if whole_mcus {
                let h = usize::from(component.horizontal_sampling_factor);
                let v = usize::from(component.vertical_sampling_factor);
                (
                    num_cols.div_ceil(max_h_sampling) * h,
                    num_rows.div_ceil(max_v_sampling) * v,
                )
            } else {
                (num_cols.div_ceil(h_scale), num_rows.div_ceil(v_scale))
            };

            debug_assert!(cols > 0);
            debug_assert!(rows > 0);

            let average = self.chroma_subsampling_method == ChromaSubsamplingMethod::Average
                && (h_scale > 1 || v_scale > 1);

            OP::component_blocks(
                &row[i],
                (cols, rows),
                (h_scale, v_scale),
                buffer_width,
                average,
                &q_tables[component.quantization_table as usize],
                &mut blocks[i],
            );
        }
        blocks
    }

    pub(super) fn init_block_buffers(&mut self, buffer_size: usize) -> [Vec<AlignedBlock>; 4] {
        // To simplify the code and to give the compiler more infos to optimize stuff we always initialize 4 components
        // Resource overhead should be minimal because an empty Vec doesn't allocate

        match self.components.len() {
            1 => [
                Vec::with_capacity(buffer_size),
                Vec::new(),
                Vec::new(),
                Vec::new(),
            ],
            3 => [
                Vec::with_capacity(buffer_size),
                Vec::with_capacity(buffer_size),
                Vec::with_capacity(buffer_size),
                Vec::new(),
            ],
            4 => [
                Vec::with_capacity(buffer_size),
                Vec::with_capacity(buffer_size),
                Vec::with_capacity(buffer_size),
                Vec::with_capacity(buffer_size),
            ],
            len => unreachable!("Unsupported component length: {}", len),
        }
    }

    // Create new huffman tables optimized for this image
    pub(super) fn optimize_huffman_table(&mut self, blocks: &[Vec<AlignedBlock>; 4]) {
        // TODO: Find out if it's possible to reuse some code from the writer

        let max_tables = self.components.len().min(2) as u8;

        for table in 0..max_tables {
            let mut dc_freq = [0u32; 257];
            dc_freq[256] = 1;
            let mut ac_freq = [0u32; 257];
            ac_freq[256] = 1;

            let mut had_ac = false;
            let mut had_dc = false;

            for (i, component) in self.components.iter().enumerate() {
                if component.dc_huffman_table == table {
                    had_dc = true;

                    let mut prev_dc = 0;

                    debug_assert!(!blocks[i].is_empty());

                    // thumbsmith patch (upstream-patches/0002): each scan here has one
                    // component, so an MCU is one block; the writer resets the DC prediction to
                    // 0 at every restart marker, and the first block after one codes its DC
                    // value itself, which the table must hold (upstream counted the difference
                    // from the block before and could write codes its table lacks).
                    let restart_interval = usize::from(self.restart_interval.unwrap_or(0));

                    for (n, block) in blocks[i].iter().enumerate() {
                        if restart_interval > 0 && n % restart_interval == 0 {
                            prev_dc = 0;
                        }

                        let value = block.data[0];
                        let diff = value - prev_dc;
                        let num_bits = get_num_bits(diff);

                        dc_freq[num_bits as usize] += 1;

                        prev_dc = value;
                    }
                }

                if component.ac_huffman_table == table {
                    had_ac = true;

                    if self.progressive_scans.is_some() {
                        // thumbsmith patch: each progressive AC scan makes its own table
                        // (`encode_image_progressive`); this one is never written.
                    } else {
                        // thumbsmith patch: the symbols `JfifWriter::write_ac_block` writes.
                        for block in &blocks[i] {
                            let count = |symbol: u8, _, _| {
                                ac_freq[symbol as usize] += 1;
                                Ok::<(), core::convert::Infallible>(())
                            };
                            let Ok(band_ends_in_zeros) = walk_ac_block(block, 1, 64, count);
                            if band_ends_in_zeros {
                                ac_freq[0] += 1;
                            }
                        }
                    }
                }
            }

            assert!(had_dc, "Missing DC data for table {}", table);
            assert!(had_ac, "Missing AC data for table {}", table);

            self.huffman_tables[table as usize].0 = HuffmanTable::new_optimized(dc_freq);
            if self.progressive_scans.is_none() {
                self.huffman_tables[table as usize].1 = HuffmanTable::new_optimized(ac_freq);
            }
        }
    }
}
