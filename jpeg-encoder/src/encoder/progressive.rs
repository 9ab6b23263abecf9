//! The progressive scans: spectral selection, a Huffman table per scan, EOB runs.

use super::*;

impl<W: JfifWrite> Encoder<W> {
    /// Encode image in progressive mode
    ///
    /// This only support spectral selection for now
    pub(super) fn encode_image_progressive<I: ImageBuffer, OP: Operations>(
        &mut self,
        image: I,
        scans: u8,
        q_tables: &[QuantizationTable; 2],
    ) -> Result<(), EncodingError> {
        let blocks = self.encode_blocks::<_, OP>(&image, q_tables, false);

        if self.optimize_huffman_table {
            self.optimize_huffman_table(&blocks);
        }

        self.write_frame_header(&image, q_tables)?;

        self.write_dc_scans(&blocks)?;
        self.write_ac_scans(&blocks, scans)?;

        Ok(())
    }

    /// Phase 1 of [`Self::encode_image_progressive`]: a DC scan per component.
    fn write_dc_scans(&mut self, blocks: &[Vec<AlignedBlock>; 4]) -> Result<(), EncodingError> {
        // Phase 1: DC Scan
        //          Only the DC coefficients can be transfer in the first component scans
        for (i, component) in self.components.iter().enumerate() {
            self.writer.write_scan_header(&[component], Some((0, 0)))?;

            let restart_interval = self.restart_interval.unwrap_or(0);
            let mut restarts = 0;
            let mut restarts_to_go = restart_interval;

            let mut prev_dc = 0;

            for block in &blocks[i] {
                if restart_interval > 0 && restarts_to_go == 0 {
                    self.writer.finalize_bit_buffer()?;
                    self.writer
                        .write_marker(Marker::RST((restarts % 8) as u8))?;

                    prev_dc = 0;
                }

                self.writer.write_dc(
                    block.data[0],
                    prev_dc,
                    &self.huffman_tables[component.dc_huffman_table as usize].0,
                )?;

                prev_dc = block.data[0];

                if restart_interval > 0 {
                    if restarts_to_go == 0 {
                        restarts_to_go = restart_interval;
                        restarts += 1;
                        restarts &= 7;
                    }
                    restarts_to_go -= 1;
                }
            }

            self.writer.finalize_bit_buffer()?;
        }

        Ok(())
    }

    /// Phase 2 of [`Self::encode_image_progressive`]: the AC bands of `scans - 1` scans per
    /// component.
    fn write_ac_scans(
        &mut self,
        blocks: &[Vec<AlignedBlock>; 4],
        scans: u8,
    ) -> Result<(), EncodingError> {
        // Phase 2: AC scans
        //
        // thumbsmith patch: runs of blocks whose band holds only zeros are coded as one EOBn
        // symbol (EOB runs, T.81 G.1.2.2) rather than an EOB per block, and each scan gets a
        // Huffman table made for its own symbols, written just before it (as libjpeg does).
        // The crate coded every empty band of every block and shared one table between all
        // bands of a component, which made a progressive file much larger than the baseline
        // one for the same coefficients, where libjpeg's is about the same size. EOBn symbols are
        // not in the standard tables, so a progressive file always gets its own tables
        // (libjpeg too forces `optimize_coding` in progressive mode).
        let scans = scans as usize - 1;

        let values_per_scan = 64 / scans;

        for scan in 0..scans {
            let start = (scan * values_per_scan).max(1);
            let end = if scan == scans - 1 {
                // ensure last scan is always transfers the remaining coefficients
                64
            } else {
                (scan + 1) * values_per_scan
            };

            for (i, component) in self.components.iter().enumerate() {
                let restart_interval = self.restart_interval.unwrap_or(0);

                let mut freq = [0u32; 257];
                freq[256] = 1;
                let _ = walk_ac_band(&blocks[i], start, end, restart_interval, |token| {
                    if let AcToken::Code { symbol, .. } = token {
                        freq[symbol as usize] += 1;
                    }
                    Ok::<(), core::convert::Infallible>(())
                });
                let table = HuffmanTable::new_optimized(freq);
                self.writer.write_huffman_segment(
                    CodingClass::Ac,
                    component.ac_huffman_table,
                    &table,
                )?;

                self.writer
                    .write_scan_header(&[component], Some((start as u8, end as u8 - 1)))?;

                let writer = &mut self.writer;
                walk_ac_band(
                    &blocks[i],
                    start,
                    end,
                    restart_interval,
                    |token| match token {
                        AcToken::Code { symbol, size, bits } => {
                            writer.huffman_encode_value(size, symbol, bits, &table)
                        }
                        AcToken::Restart(n) => {
                            writer.finalize_bit_buffer()?;
                            writer.write_marker(Marker::RST(n))
                        }
                    },
                )?;

                writer.finalize_bit_buffer()?;
            }
        }

        Ok(())
    }
}

/// One unit of a progressive AC scan's entropy-coded data (thumbsmith patch).
enum AcToken {
    /// A Huffman symbol followed by `size` extra bits.
    Code { symbol: u8, size: u8, bits: u16 },
    /// A restart marker RSTn is due here.
    Restart(u8),
}

/// Walks one spectral band (`start..end`, zig-zag order) of a component's blocks as a first
/// progressive AC scan (no successive approximation) codes it, EOB runs included, and hands each
/// token to `emit`. Both counting the symbols for the scan's Huffman table and writing the scan go
/// through here, so the table always fits the data (thumbsmith patch).
fn walk_ac_band<E>(
    blocks: &[AlignedBlock],
    start: usize,
    end: usize,
    restart_interval: u16,
    mut emit: impl FnMut(AcToken) -> Result<(), E>,
) -> Result<(), E> {
    // An EOB run of n blocks is the symbol (log2 n) << 4 and the bits of n below its top bit.
    fn end_run<E>(run: &mut u16, emit: &mut impl FnMut(AcToken) -> Result<(), E>) -> Result<(), E> {
        if *run > 0 {
            let size = (15 - run.leading_zeros()) as u8;
            let bits = *run & ((1 << size) - 1);
            emit(AcToken::Code {
                symbol: size << 4,
                size,
                bits,
            })?;
            *run = 0;
        }
        Ok(())
    }

    let mut eob_run = 0u16;
    let mut restarts = 0u8;
    let mut restarts_to_go = restart_interval;

    for block in blocks {
        if restart_interval > 0 {
            if restarts_to_go == 0 {
                end_run(&mut eob_run, &mut emit)?;
                emit(AcToken::Restart(restarts))?;
                restarts = (restarts + 1) & 7;
                restarts_to_go = restart_interval;
            }
            restarts_to_go -= 1;
        }

        // A block with a nonzero coefficient in the band ends the EOB run before its symbols.
        if nonzero_mask(block) & band_mask(start, end) != 0 {
            end_run(&mut eob_run, &mut emit)?;
        }
        let band_ends_in_zeros = walk_ac_block(block, start, end, |symbol, size, bits| {
            emit(AcToken::Code { symbol, size, bits })
        })?;

        if band_ends_in_zeros {
            eob_run += 1;
            // The longest run one symbol can code (EOB14 with 14 extra bits) is 0x7FFF.
            if eob_run == 0x7FFF {
                end_run(&mut eob_run, &mut emit)?;
            }
        }
    }

    end_run(&mut eob_run, &mut emit)
}
