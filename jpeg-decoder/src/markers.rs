//! Walking a JPEG's marker segments (ITU T.81 B.1.1.2–B.1.1.4, B.1.4): the one walker every
//! reader of the headers uses — the header parser, the scan finder of multi-scan files, and
//! callers that look for a segment (a frame header, an APPn) without decoding.

use std::fmt;

use crate::error::{corrupt, Result};

/// Start of scan: its segment is the scan header, the entropy-coded data follows it.
pub const SOS: u8 = 0xDA;
/// End of image.
pub const EOI: u8 = 0xD9;

/// One marker and its segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment<'a> {
    pub marker: u8,
    /// The segment's parameters, after its length field (empty for markers without a segment:
    /// SOI, EOI, RSTn, TEM). For [`SOS`], the scan header only.
    pub body: &'a [u8],
    /// Where the marker's 0xFF is in the input.
    pub start: usize,
    /// Where the input goes on after the segment (for [`SOS`], where its entropy-coded data
    /// starts).
    pub end: usize,
}

/// Whether `marker` stands alone, without a length and parameters.
fn stands_alone(marker: u8) -> bool {
    matches!(marker, 0x01 | 0xD0..=0xD9)
}

/// The marker at or after `at` and its segment. Bytes before the marker's 0xFF (padding some
/// writers leave between segments) and fill 0xFF bytes are skipped, as decoders do.
pub fn segment_at(data: &[u8], at: usize) -> Result<Segment<'_>> {
    let rest = data.get(at..).unwrap_or_default();
    let mut start = at + memchr::memchr(0xFF, rest).ok_or_else(|| corrupt("no marker"))?;
    while data.get(start + 1) == Some(&0xFF) {
        start += 1;
    }
    let marker = *data.get(start + 1).ok_or_else(|| corrupt("no marker"))?;
    let after_marker = start + 2;
    if stands_alone(marker) {
        return Ok(Segment {
            marker,
            body: &[],
            start,
            end: after_marker,
        });
    }
    let length = data
        .get(after_marker..after_marker + 2)
        .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        .filter(|&length| length >= 2 && after_marker + length <= data.len())
        .ok_or_else(|| corrupt("bad segment length"))?;
    Ok(Segment {
        marker,
        body: &data[after_marker + 2..after_marker + length],
        start,
        end: after_marker + length,
    })
}

/// The segments of a JPEG after its start of image, up to and including the first scan header
/// (or an end of image, or the first malformed segment, which is yielded as the error).
/// Restart and TEM markers between segments are skipped. Segment lengths are followed, so an
/// EXIF thumbnail's own markers are not mistaken for the file's.
pub fn segments(input: &[u8]) -> impl Iterator<Item = Result<Segment<'_>>> {
    let mut at = Some(2);
    std::iter::from_fn(move || loop {
        let segment = segment_at(input, at?);
        at = match &segment {
            Ok(s) if s.marker != SOS && s.marker != EOI => Some(s.end),
            _ => None,
        };
        match segment {
            Ok(s) if stands_alone(s.marker) && s.marker != EOI => continue,
            other => return Some(other),
        }
    })
}

/// The first scan's header segment, when the headers before it are well-formed.
fn first_scan(input: &[u8]) -> Option<Segment<'_>> {
    segments(input)
        .map_while(Result::ok)
        .find(|s| s.marker == SOS)
}

/// Whether the JPEG has an end-of-image marker after its first scan. Inside entropy-coded data
/// 0xFF is always followed by 0x00 or a restart marker, so 0xFF 0xD9 there is the real end.
pub fn is_complete(input: &[u8]) -> bool {
    // Searched from the end, where the marker almost always is (same answer, one comparison
    // instead of a pass over the whole file).
    first_scan(input)
        .is_some_and(|scan| input[scan.end..].windows(2).rev().any(|w| w == [0xFF, EOI]))
}

/// The position of the next marker (its 0xFF) at or after `at` that ends entropy-coded data:
/// not a stuffed 0xFF 0x00, not a restart marker.
pub fn entropy_coded_end(data: &[u8], mut at: usize) -> Option<usize> {
    while let Some(offset) = data.get(at..).and_then(|rest| memchr::memchr(0xFF, rest)) {
        at += offset;
        match data.get(at + 1) {
            Some(0x00 | 0xD0..=0xD7) => at += 2,
            Some(0xFF) => at += 1,
            Some(_) => return Some(at),
            None => break,
        }
    }
    None
}

/// The most scans a file may have (T.81 sets no bound). Every scan is a pass over every block of
/// its components, however few bytes it has: an end-of-band run codes thousands of blocks in a
/// few bits, and a decoder reads zeros past the end of a scan's data. So a small file of many
/// scans costs a decoder as many passes over the picture (libjpeg-turbo's report "Two Issues
/// with the JPEG Standard", LJT-01-003). libjpeg's progression writes 10 (gray: 6), and no file
/// of the test corpus or fixtures has more than 14; zune-jpeg refuses more than 100 by default,
/// libjpeg-turbo's fuzzers more than 500. At 100 a file this decoder reads is one the full-size
/// decoder reads too.
pub const MAX_SCANS: usize = 100;

/// The most Huffman and quantisation tables a file may define, counting every redefinition.
/// Each costs a table build (the Huffman lookahead tables are 6 KiB), and a 64 KiB segment
/// holds 3,640 of them: without a bound a file could be all table builds. A file needs 4 to
/// 8 and at most a few per scan (the corpus and fixtures: at most 14 in all).
pub const MAX_TABLES: usize = 8 * MAX_SCANS;

/// The most passes over its blocks a file's scans may make together: the blocks every scan
/// codes, over the frame's blocks. A scan count alone does not bound the work: 100 scans of a
/// 16383×16383 picture are 100 passes over up to 12.6 million blocks, each pass coded in a few
/// bytes. libjpeg's progression makes 4.7 (4:4:4) to 6 (gray), and so do the progressive files
/// of the test corpus and fixtures (4 to 6); the bound leaves more than twice that.
pub const MAX_PASSES: u64 = 16;

/// What a JPEG's headers ask of a decoder, read without decoding: how many scans, how many
/// table definitions, and how many blocks all the scans together code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coding {
    pub scans: usize,
    pub tables: usize,
    /// Over every scan, the blocks of its components it codes (an interleaved scan codes its
    /// components' blocks in whole MCUs, a scan of one component that component's own).
    pub blocks: u64,
    /// The frame's blocks, over its components: what one pass over the picture codes.
    pub frame_blocks: u64,
}

impl Coding {
    /// Refuses a file over [`MAX_SCANS`], [`MAX_TABLES`] or [`MAX_PASSES`].
    pub fn check(&self) -> Result<(), crate::Error> {
        let too_many = |what, limit| Err(crate::Error::TooMany { what, limit });
        if self.scans > MAX_SCANS {
            return too_many("scans", MAX_SCANS as u64);
        }
        if self.tables > MAX_TABLES {
            return too_many("table definitions", MAX_TABLES as u64);
        }
        if self.blocks > MAX_PASSES.saturating_mul(self.frame_blocks) {
            return too_many("passes over its blocks", MAX_PASSES);
        }
        Ok(())
    }
}

/// Walks every segment and scan of `input` (the entropy-coded data is stepped over with a
/// marker search, not decoded: one pass over the bytes) and counts what [`Coding`] counts, up
/// to the end of image or the first malformed segment.
pub fn coding(input: &[u8]) -> Coding {
    let mut coding = Coding::default();
    // Each component's id and (horizontal, vertical) sampling, the largest factors and the MCU
    // grid. Counts saturate: a file of a million scans must not overflow them.
    let mut components: Vec<(u8, u64, u64)> = Vec::new();
    let (mut mcus, mut max) = ((0u64, 0u64), (1u64, 1u64));
    let mut size = (0u64, 0u64);
    let mut at = 2;
    while let Ok(segment) = segment_at(input, at) {
        at = segment.end;
        let body = segment.body;
        match segment.marker {
            EOI => break,
            0xC4 => coding.tables += table_count(body, |class_id| 17 + table_symbols(class_id)),
            0xDB => {
                coding.tables +=
                    table_count(body, |pq_tq| 1 + 64 * (1 + usize::from(pq_tq[0] >> 4 != 0)))
            }
            marker if Frame::of(marker).is_some() && body.len() >= 6 => {
                size = (
                    u64::from(u16::from_be_bytes([body[3], body[4]])),
                    u64::from(u16::from_be_bytes([body[1], body[2]])),
                );
                components = body[6..]
                    .chunks_exact(3)
                    .take(usize::from(body[5]))
                    .map(|c| {
                        (
                            c[0],
                            u64::from(c[1] >> 4).max(1),
                            u64::from(c[1] & 15).max(1),
                        )
                    })
                    .collect();
                max = components
                    .iter()
                    .fold((1, 1), |m, c| (m.0.max(c.1), m.1.max(c.2)));
                mcus = (size.0.div_ceil(8 * max.0), size.1.div_ceil(8 * max.1));
                coding.frame_blocks = components
                    .iter()
                    .map(|c| own_blocks(size, max, (c.1, c.2)))
                    .sum();
            }
            SOS => {
                coding.scans += 1;
                let count = usize::from(body.first().copied().unwrap_or(0));
                let ids = body.get(1..1 + 2 * count).unwrap_or_default();
                let sampled: Vec<(u64, u64)> = ids
                    .chunks_exact(2)
                    .filter_map(|s| components.iter().find(|c| c.0 == s[0]))
                    .map(|c| (c.1, c.2))
                    .collect();
                let blocks = match sampled[..] {
                    [one] => own_blocks(size, max, one),
                    _ => mcus.0 * mcus.1 * sampled.iter().map(|s| s.0 * s.1).sum::<u64>(),
                };
                coding.blocks = coding.blocks.saturating_add(blocks);
                match entropy_coded_end(input, at) {
                    Some(end) => at = end,
                    None => break,
                }
            }
            _ => {}
        }
    }
    coding
}

/// The blocks of a component sampled `(h, v)` in a frame of `size` whose largest factors are
/// `max`: its own grid, without the padding an interleaved scan's MCUs add (T.81 A.2.1).
fn own_blocks(size: (u64, u64), max: (u64, u64), (h, v): (u64, u64)) -> u64 {
    let across = (size.0 * h).div_ceil(max.0).div_ceil(8);
    let down = (size.1 * v).div_ceil(max.1).div_ceil(8);
    across * down
}

/// How many tables a DHT or DQT segment's body defines, each `length(first bytes)` long.
fn table_count(mut body: &[u8], length: impl Fn(&[u8]) -> usize) -> usize {
    let mut count = 0;
    while !body.is_empty() {
        count += 1;
        body = body.get(length(body)..).unwrap_or_default();
    }
    count
}

/// The symbols a DHT table (from its class and id byte on) lists: the sum of its 16 counts.
fn table_symbols(table: &[u8]) -> usize {
    let counts = table.get(1..17).unwrap_or_default();
    counts.iter().map(|&c| usize::from(c)).sum()
}

/// The frame header (SOFn) segment, when the headers before it are well-formed.
pub fn frame_header(input: &[u8]) -> Option<Segment<'_>> {
    segments(input)
        .map_while(Result::ok)
        .find(|s| Frame::of(s.marker).is_some())
}

/// What a frame header's marker says about how the picture is coded (T.81 table B.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame {
    /// The SOFn marker: 0xC0 + n.
    pub marker: u8,
}

impl Frame {
    /// The frame kind of `marker`, when it is a frame header's (SOF0–3, 5–7, 9–11, 13–15; not
    /// DHT 0xC4, JPG 0xC8 or DAC 0xCC).
    pub fn of(marker: u8) -> Option<Frame> {
        matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF)
            .then_some(Frame { marker })
    }

    /// n of SOFn.
    pub fn number(self) -> u8 {
        self.marker - 0xC0
    }

    /// Lossless (SOF3, 7, 11, 15): predictive coding, no DCT.
    pub fn is_lossless(self) -> bool {
        self.number() % 4 == 3
    }

    /// Hierarchical (differential; SOF5–7, 13–15): a picture coded as a pyramid of frames.
    pub fn is_hierarchical(self) -> bool {
        matches!(self.number(), 5..=7 | 13..=15)
    }

    /// Arithmetic coded (SOF9–11, 13–15) rather than Huffman coded.
    pub fn is_arithmetic(self) -> bool {
        self.number() >= 8
    }

    /// Progressive (SOF2, 6, 10, 14).
    pub fn is_progressive(self) -> bool {
        self.number() % 4 == 2
    }
}

/// Names the process as T.81 does, with the marker: "lossless (SOF3)", "hierarchical
/// progressive, arithmetic coded (SOF14)".
impl fmt::Display for Frame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hierarchical = if self.is_hierarchical() {
            "hierarchical "
        } else {
            ""
        };
        let process = match self.number() % 4 {
            0 => "baseline",
            1 => "extended sequential",
            2 => "progressive",
            _ => "lossless",
        };
        let coding = if self.is_arithmetic() {
            ", arithmetic coded"
        } else {
            ""
        };
        write!(f, "{hierarchical}{process}{coding} (SOF{})", self.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SOI, an APP1 whose body holds a whole JPEG's markers (as an EXIF thumbnail does), padding
    /// and fill bytes, a restart marker, a frame header, a scan and its data.
    fn file() -> Vec<u8> {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend([
            0xFF, 0xE1, 0, 10, 0xFF, 0xD8, 0xFF, 0xC2, 0xFF, 0xDA, 0xFF, 0xD9,
        ]);
        jpeg.extend([0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xD0]);
        jpeg.extend([0xFF, 0xC0, 0, 5, 8, 0, 1]);
        jpeg.extend([0xFF, 0xDA, 0, 3, 1, 0x12, 0xFF, 0x00, 0x34]);
        jpeg
    }

    #[test]
    fn segment_lengths_are_followed_and_padding_skipped() {
        let jpeg = file();
        let found: Vec<(u8, &[u8])> = segments(&jpeg)
            .map(|s| s.map(|s| (s.marker, s.body)).unwrap())
            .collect();
        let app1: &[u8] = &[0xFF, 0xD8, 0xFF, 0xC2, 0xFF, 0xDA, 0xFF, 0xD9];
        assert_eq!(
            found,
            [(0xE1, app1), (0xC0, &[8, 0, 1][..]), (SOS, &[1][..])]
        );
        let frame = frame_header(&jpeg).unwrap();
        assert_eq!((frame.marker, frame.start, frame.end), (0xC0, 20, 27));
        let scan = first_scan(&jpeg).unwrap();
        assert_eq!(&jpeg[scan.end..], [0x12, 0xFF, 0x00, 0x34]);
        assert_eq!(entropy_coded_end(&jpeg, scan.end), None);
    }

    #[test]
    fn a_file_is_complete_with_an_end_of_image_after_its_scan() {
        let mut jpeg = file();
        assert!(
            !is_complete(&jpeg),
            "the APP1's end of image does not count"
        );
        jpeg.extend([0xFF, 0xD0, 0x56, 0xFF, 0xD9]);
        assert!(is_complete(&jpeg));
        let scan = first_scan(&jpeg).unwrap();
        assert_eq!(entropy_coded_end(&jpeg, scan.end), Some(jpeg.len() - 2));
    }

    #[test]
    fn a_segment_past_the_end_is_an_error() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 9, 1, 2];
        let found: Vec<_> = segments(&jpeg).collect();
        assert_eq!(found, [Err(crate::Error::Corrupt("bad segment length"))]);
        assert!(frame_header(&jpeg).is_none());
    }

    #[test]
    fn coding_counts_scans_tables_and_the_blocks_each_scan_codes() {
        // 4:2:0, 100×20: luma 13×3 blocks (MCUs 7×2 of 2×2), each chroma 7×2.
        let mut jpeg = vec![0xFF, 0xD8];
        let segment = |jpeg: &mut Vec<u8>, marker: u8, body: &[u8]| {
            jpeg.extend([0xFF, marker]);
            jpeg.extend((body.len() as u16 + 2).to_be_bytes());
            jpeg.extend(body);
        };
        let mut dqt = vec![0x00];
        dqt.extend([1; 64]);
        dqt.push(0x11); // a second, 16-bit table
        dqt.extend([0; 128]);
        segment(&mut jpeg, 0xDB, &dqt);
        let mut dht = vec![0x00, 2];
        dht.extend([0; 15]);
        dht.extend([7, 8]); // two symbols
        segment(&mut jpeg, 0xC4, &dht);
        segment(
            &mut jpeg,
            0xC2,
            &[8, 0, 20, 0, 100, 3, 1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0],
        );
        // All three interleaved, then Cb alone; data with a stuffed 0xFF and a restart marker.
        segment(&mut jpeg, SOS, &[3, 1, 0, 2, 0, 3, 0, 0, 0, 0]);
        jpeg.extend([0x12, 0xFF, 0x00, 0xFF, 0xD0, 0x34]);
        segment(&mut jpeg, SOS, &[1, 2, 0, 1, 63, 0]);
        jpeg.extend([0x56, 0xFF, 0xD9]);
        let coding = coding(&jpeg);
        let frame_blocks = 13 * 3 + 2 * 7 * 2;
        assert_eq!(
            coding,
            Coding {
                scans: 2,
                tables: 3,
                blocks: 7 * 2 * 6 + 7 * 2,
                frame_blocks,
            }
        );
        assert_eq!(coding.check(), Ok(()));
    }

    #[test]
    fn frames_name_their_process() {
        let names: Vec<String> = (0xC0..=0xCF)
            .filter_map(Frame::of)
            .map(|f| f.to_string())
            .collect();
        assert_eq!(
            names,
            [
                "baseline (SOF0)",
                "extended sequential (SOF1)",
                "progressive (SOF2)",
                "lossless (SOF3)",
                "hierarchical extended sequential (SOF5)",
                "hierarchical progressive (SOF6)",
                "hierarchical lossless (SOF7)",
                "extended sequential, arithmetic coded (SOF9)",
                "progressive, arithmetic coded (SOF10)",
                "lossless, arithmetic coded (SOF11)",
                "hierarchical extended sequential, arithmetic coded (SOF13)",
                "hierarchical progressive, arithmetic coded (SOF14)",
                "hierarchical lossless, arithmetic coded (SOF15)",
            ]
        );
        let lossless = Frame::of(0xC3).unwrap();
        assert!(lossless.is_lossless() && !lossless.is_hierarchical());
        assert!(Frame::of(0xC6).unwrap().is_progressive());
    }
}
