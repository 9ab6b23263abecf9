//! The scans of a file coded in several scans, found before any is read (a marker search):
//! each scan's header checked against the frame, and the tables and restart interval in force
//! at its marker.

use std::sync::Arc;

use super::Store;
use crate::bitstream::Bits;
use crate::error::{corrupt, Result};
use crate::header::{parse_huffman, parse_quant, Component, Header, Tables};
use crate::huffman::Huffman;
use crate::markers;

/// One scan (T.81 B.2.3): what it codes, the tables and restart interval in force at its
/// marker, and where its reading stands.
pub(super) struct Scan<'a> {
    /// Frame component indices, with their tables.
    pub(super) components: Vec<usize>,
    pub(super) tables: Vec<ComponentTables>,
    pub(super) spectral: Spectral,
    pub(super) restart_interval: usize,
    pub(super) bits: Bits<'a>,
    pub(super) running: Running,
}

/// A scan component's DC and AC tables (`None` where the scan reads no code of that kind).
pub(super) type ComponentTables = (Option<Arc<Huffman>>, Option<Arc<Huffman>>);

/// The coefficients a scan codes: zigzag positions `start..=end`, from bit `low` up (`high`:
/// the bit above, 0 in a first pass).
#[derive(Clone, Copy)]
pub(super) struct Spectral {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) high: u32,
    pub(super) low: u32,
}

/// The per-block state a scan carries from block to block, reset at each restart marker.
#[derive(Clone, Copy)]
pub(super) struct Running {
    pub(super) predictors: [i32; 4],
    pub(super) end_of_bands: u32,
}

/// Every scan found before any is read: their tables, restart intervals and data. Each store
/// takes the quantisation table in force at its component's first scan; the tables in force at
/// the end are returned for components no scan reads.
pub(super) fn find_scans<'a>(
    header: &Header<'_>,
    scans: &'a [u8],
    size: usize,
    stores: &mut [Store],
) -> Result<(Vec<Scan<'a>>, [[u16; 64]; 4])> {
    let components = &header.components;
    let mut dc: Tables = header.dc.clone();
    let mut ac: Tables = header.ac.clone();
    let mut quant = header.quant;
    let mut restart_interval = header.restart_interval;
    let mut found = Vec::new();
    let mut at = 0;
    loop {
        let segment = markers::segment_at(scans, at)?;
        let (marker, body) = (segment.marker, segment.body);
        at = segment.end;
        match marker {
            markers::EOI => break,
            0xC4 => parse_huffman(body, &mut dc, &mut ac)?,
            0xDB => parse_quant(body, &mut quant, &mut [false; 4])?,
            0xDD => {
                let interval = body
                    .get(..2)
                    .ok_or_else(|| corrupt("bad restart interval"))?;
                restart_interval = usize::from(u16::from_be_bytes([interval[0], interval[1]]));
            }
            markers::SOS => {
                let data = &scans[at..];
                let scan = parse_scan(body, components, &dc, &ac, restart_interval, data)?;
                for &c in &scan.components {
                    stores[c].quant.get_or_insert(quant[components[c].quant]);
                }
                // At 1/8 the IDCT reads the DC alone: AC scans are jumped over unread.
                if size > 1 || scan.spectral.start == 0 {
                    found.push(scan);
                }
                at = markers::entropy_coded_end(scans, at)
                    .ok_or_else(|| corrupt("no end of image"))?;
            }
            // Frame headers cannot come again; anything else (APPn, COM, DNL) is not ours.
            0xC0..=0xCF => return Err(corrupt("second frame header")),
            _ => {}
        }
    }
    Ok((found, quant))
}

/// Reads a scan header (T.81 B.2.3), checks it against the frame and the tables in force, and
/// sets a bit reader at the start of its entropy-coded `data`.
fn parse_scan<'a>(
    body: &[u8],
    components: &[Component],
    dc: &Tables,
    ac: &Tables,
    restart_interval: usize,
    data: &'a [u8],
) -> Result<Scan<'a>> {
    let count = usize::from(*body.first().ok_or_else(|| corrupt("bad scan header"))?);
    if count == 0 || count > components.len() || body.len() < 4 + 2 * count {
        return Err(corrupt("bad scan header"));
    }
    let spectral = &body[1 + 2 * count..];
    let (start, end) = (usize::from(spectral[0]), usize::from(spectral[1]));
    let (high, low) = (u32::from(spectral[2] >> 4), u32::from(spectral[2] & 15));
    let valid = start <= end
        && end <= 63
        && low <= 13
        && (start == 0 || count == 1)
        && (start > 0 || end == 0 || high == 0 && low == 0);
    if !valid {
        return Err(corrupt("bad scan header"));
    }
    // The tables the scan reads must be there: DC tables for a first DC scan, AC tables for
    // any scan with AC coefficients (refinement scans read AC codes too, never DC ones).
    let (needs_dc, needs_ac) = (start == 0 && high == 0, end > 0);
    let table = |tables: &Tables, id: u8, needed: bool| match needed {
        true => tables
            .get(usize::from(id))
            .cloned()
            .flatten()
            .map(Some)
            .ok_or_else(|| corrupt("bad scan header")),
        false => Ok(None),
    };
    let mut scan_components = Vec::with_capacity(count);
    let mut tables = Vec::with_capacity(count);
    for selector in body[1..1 + 2 * count].chunks_exact(2) {
        let index = components
            .iter()
            .position(|c| c.id == selector[0])
            .ok_or_else(|| corrupt("scan names an unknown component"))?;
        scan_components.push(index);
        tables.push((
            table(dc, selector[1] >> 4, needs_dc)?,
            table(ac, selector[1] & 15, needs_ac)?,
        ));
    }
    Ok(Scan {
        components: scan_components,
        tables,
        spectral: Spectral {
            start,
            end,
            high,
            low,
        },
        restart_interval,
        bits: Bits::new(data),
        running: Running {
            predictors: [0; 4],
            end_of_bands: 0,
        },
    })
}
