//! The headers up to the first scan (ITU T.81 B.2): frame, quantisation and Huffman tables,
//! restart interval, and what makes a file one this decoder takes.

use std::sync::Arc;

use crate::error::{corrupt, Error, Result};
use crate::huffman::Huffman;
use crate::markers;

/// Natural (row-major) index of the k-th coefficient in zigzag order.
pub(crate) const ZIGZAG: [u8; 64] = [
    0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
    13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59,
    52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

#[derive(Clone, Copy, Default)]
pub(crate) struct Component {
    pub(crate) id: u8,
    pub(crate) h: usize,
    pub(crate) v: usize,
    pub(crate) quant: usize,
    pub(crate) dc_table: usize,
    pub(crate) ac_table: usize,
}

/// What the fast path needs from the headers, and where the entropy-coded data starts.
pub struct Header<'a> {
    pub width: u32,
    pub height: u32,
    pub(crate) components: Vec<Component>,
    pub(crate) quant: [[u16; 64]; 4],
    pub(crate) dc: Tables,
    pub(crate) ac: Tables,
    pub(crate) restart_interval: usize,
    /// The entropy-coded data of a single-scan sequential file.
    pub(crate) scan: &'a [u8],
    /// For a file coded in several scans, the input from its first scan's marker on (the tables
    /// and restart interval above are those in force before it; later ones are read on the way).
    pub(crate) scans: Option<&'a [u8]>,
}

/// Reads the headers up to the first scan; an error when the file is not one this decoder
/// decodes (the caller then uses a full-size decoder).
pub fn parse(input: &[u8]) -> Result<Header<'_>> {
    if input.len() < 4 || input[0] != 0xFF || input[1] != 0xD8 {
        return Err(corrupt("no start of image"));
    }
    // What the whole file asks for, from its headers, before a table is built or a scan read.
    markers::coding(input).check()?;
    let mut header = Header {
        width: 0,
        height: 0,
        components: Vec::new(),
        quant: [[0; 64]; 4],
        dc: Default::default(),
        ac: Default::default(),
        restart_interval: 0,
        scan: &[],
        scans: None,
    };
    let mut quant_defined = [false; 4];
    let mut adobe_transform: Option<u8> = None;
    let mut progressive = false;
    let mut segments = markers::segments(input);
    loop {
        let segment = segments.next().ok_or_else(|| corrupt("no scan"))??;
        let (marker, body) = (segment.marker, segment.body);
        match marker {
            // Baseline, extended sequential and progressive, Huffman coded.
            0xC0..=0xC2 => {
                progressive = marker == 0xC2;
                parse_frame(body, &mut header)?;
            }
            // Lossless and hierarchical: no decoder here; arithmetic coded: the full decoder's.
            0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                return Err(match markers::Frame::of(marker) {
                    Some(frame) if frame.is_lossless() || frame.is_hierarchical() => {
                        Error::UnsupportedProcess(frame)
                    }
                    _ => Error::Unsupported("arithmetic coding"),
                });
            }
            markers::EOI => return Err(corrupt("no scan")),
            0xC4 => parse_huffman(body, &mut header.dc, &mut header.ac)?,
            0xDB => parse_quant(body, &mut header.quant, &mut quant_defined)?,
            0xDD => {
                if body.len() < 2 {
                    return Err(corrupt("bad restart interval"));
                }
                header.restart_interval = usize::from(u16::from_be_bytes([body[0], body[1]]));
            }
            0xEE if body.len() >= 12 && body.starts_with(b"Adobe") => {
                adobe_transform = Some(body[11]);
            }
            markers::SOS => {
                if progressive || !is_single_scan(body, &mut header.components) {
                    header.scans = Some(&input[segment.start..]);
                } else {
                    header.scan = &input[segment.end..];
                }
                break;
            }
            _ => {}
        }
    }
    check_components(&mut header, adobe_transform)?;
    check_tables(&header, &quant_defined)?;
    Ok(header)
}

/// A start-of-frame body (T.81 B.2.2): size and components, when 8-bit gray or three components.
fn parse_frame(body: &[u8], header: &mut Header<'_>) -> Result<()> {
    if body.len() < 6 || body[0] != 8 {
        return Err(Error::Unsupported("not 8-bit"));
    }
    header.height = u32::from(u16::from_be_bytes([body[1], body[2]]));
    header.width = u32::from(u16::from_be_bytes([body[3], body[4]]));
    let count = usize::from(body[5]);
    header.components.clear();
    if header.width == 0 || header.height == 0 {
        return Err(corrupt("zero size"));
    }
    if !(count == 1 || count == 3) || body.len() < 6 + 3 * count {
        return Err(Error::Unsupported("not gray or three components"));
    }
    for c in body[6..6 + 3 * count].chunks_exact(3) {
        header.components.push(Component {
            id: c[0],
            h: usize::from(c[1] >> 4),
            v: usize::from(c[1] & 15),
            quant: usize::from(c[2]),
            ..Component::default()
        });
    }
    Ok(())
}

/// Whether the frame's components are a YCbCr or gray layout the fast path decodes; a gray
/// frame's sampling factors are reset to one block per MCU.
fn check_components(header: &mut Header<'_>, adobe_transform: Option<u8>) -> Result<()> {
    let components = &header.components;
    if components.is_empty() {
        return Err(corrupt("no frame header"));
    }
    if components.len() == 3 {
        // RGB JPEGs (Adobe transform 0, or components named R, G, B) are left to zune-jpeg.
        let named_rgb = components.iter().map(|c| c.id).eq(*b"RGB");
        if adobe_transform == Some(0) || (adobe_transform.is_none() && named_rgb) {
            return Err(Error::Unsupported("RGB, not YCbCr"));
        }
        // Chroma at 1, 2 or 4 luma samples each way: 4:4:4, 4:2:2, 4:2:0, 4:4:0 and the
        // rarer 4:1:1 and 4:1:0 (zune-jpeg 0.5 decodes those last two to wrong colours). Not 3,
        // whose windows in the chroma plane are not exact in f64; at most the 10 blocks an MCU
        // may have (T.81 B.2.3).
        let luma = components[0];
        let chroma_1x1 = components[1..].iter().all(|c| c.h == 1 && c.v == 1);
        let factor = |f: usize| matches!(f, 1 | 2 | 4);
        if !factor(luma.h) || !factor(luma.v) || luma.h * luma.v > 8 || !chroma_1x1 {
            return Err(Error::Unsupported("sampling"));
        }
    } else {
        // One component is one block per MCU whatever its sampling factors say.
        header.components[0].h = 1;
        header.components[0].v = 1;
    }
    Ok(())
}

/// Every component's quantisation table is defined, and, for a single-scan file, its Huffman
/// tables too (a file in several scans may define tables between them; its scans check theirs).
fn check_tables(header: &Header<'_>, quant_defined: &[bool; 4]) -> Result<()> {
    for c in &header.components {
        let tables_present = c.quant < 4
            && quant_defined[c.quant]
            && (header.scans.is_some()
                || header.dc[c.dc_table].is_some() && header.ac[c.ac_table].is_some());
        if !tables_present {
            return Err(Error::Unsupported("missing table"));
        }
    }
    Ok(())
}

pub(crate) fn parse_quant(
    mut body: &[u8],
    quant: &mut [[u16; 64]; 4],
    defined: &mut [bool; 4],
) -> Result<()> {
    while let Some(&pq_tq) = body.first() {
        let (precision, id) = (pq_tq >> 4, usize::from(pq_tq & 15));
        let size = if precision == 0 { 64 } else { 128 };
        if id > 3 || precision > 1 || body.len() < 1 + size {
            return Err(corrupt("bad quantisation table"));
        }
        for k in 0..64 {
            let value = if precision == 0 {
                u16::from(body[1 + k])
            } else {
                u16::from_be_bytes([body[1 + 2 * k], body[2 + 2 * k]])
            };
            quant[id][usize::from(ZIGZAG[k])] = value;
        }
        defined[id] = true;
        body = &body[1 + size..];
    }
    Ok(())
}

/// The four Huffman table slots of each class. Shared, not copied: each scan of a progressive
/// file keeps the tables in force at its marker until its last band is read.
pub(crate) type Tables = [Option<Arc<Huffman>>; 4];

pub(crate) fn parse_huffman(mut body: &[u8], dc: &mut Tables, ac: &mut Tables) -> Result<()> {
    while let Some(&tc_th) = body.first() {
        let (class, id) = (tc_th >> 4, usize::from(tc_th & 15));
        if class > 1 || id > 3 || body.len() < 17 {
            return Err(corrupt("bad Huffman table"));
        }
        let mut counts = [0u8; 16];
        counts.copy_from_slice(&body[1..17]);
        let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
        if total > 256 || body.len() < 17 + total {
            return Err(corrupt("bad Huffman table"));
        }
        let table = Huffman::new(&counts, &body[17..17 + total], class == 1)?;
        if class == 0 {
            dc[id] = Some(Arc::new(table));
        } else {
            ac[id] = Some(Arc::new(table));
        }
        body = &body[17 + total..];
    }
    Ok(())
}

/// Whether a sequential file's first scan holds every component, in frame order, with every
/// coefficient (a single-scan file); if so, notes each component's tables.
pub(crate) fn is_single_scan(body: &[u8], components: &mut [Component]) -> bool {
    let count = usize::from(body.first().copied().unwrap_or(0));
    if count != components.len() || body.len() < 4 + 2 * count {
        return false;
    }
    let in_frame_order = components
        .iter()
        .zip(body[1..].chunks_exact(2))
        .all(|(component, selector)| selector[0] == component.id && selector[1] & 0xCC == 0);
    let spectral = &body[1 + 2 * count..];
    if !in_frame_order || spectral[..3] != [0, 63, 0] {
        return false;
    }
    for (component, selector) in components.iter_mut().zip(body[1..].chunks_exact(2)) {
        component.dc_table = usize::from(selector[1] >> 4);
        component.ac_table = usize::from(selector[1] & 15);
    }
    true
}

impl Header<'_> {
    /// Luma samples per chroma sample, across and down: (2, 2) for 4:2:0, (1, 1) for 4:4:4 and
    /// gray.
    pub fn subsampling(&self) -> (u32, u32) {
        let luma = self.components[0];
        (luma.h as u32, luma.v as u32)
    }
}
