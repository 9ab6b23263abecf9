//! JPEG time bombs: files whose headers ask for far more work than their bytes pay for.
//!
//! The generator writes Huffman tables whose only code is the 1-bit `0`, and scans with no
//! entropy-coded bytes at all: a decoder reads zeros past the end of a scan's data, so every
//! block of every scan decodes (a DC difference of 0, a refinement bit of 0, an end of band)
//! from nothing. A scan costs 10 bytes of file and a pass over every block of the picture.

use super::*;

/// A JPEG written segment by segment.
struct Jpeg(Vec<u8>);

/// A scan: its components (by id), spectral selection and successive approximation.
#[derive(Clone, Copy)]
struct Scan<'a> {
    components: &'a [u8],
    start: u8,
    end: u8,
    high: u8,
    low: u8,
}

const DC_FIRST: Scan = Scan {
    components: &[1, 2, 3],
    start: 0,
    end: 0,
    high: 0,
    low: 1,
};
const DC_REFINE: Scan = Scan {
    high: 1,
    low: 0,
    ..DC_FIRST
};

impl Jpeg {
    fn new() -> Jpeg {
        Jpeg(vec![0xFF, 0xD8])
    }

    fn segment(mut self, marker: u8, body: &[u8]) -> Jpeg {
        self.0.extend_from_slice(&[0xFF, marker]);
        self.0
            .extend_from_slice(&(body.len() as u16 + 2).to_be_bytes());
        self.0.extend_from_slice(body);
        self
    }

    /// A frame header (`marker`: SOF0, SOF2…) of 8-bit samples: components 1, 2, 3 (or 1
    /// alone) sampled `sampling` (`0x22` for 4:2:0 luma) and 1×1, quantisation table 0.
    fn frame(self, marker: u8, (width, height): (u16, u16), components: u8, sampling: u8) -> Jpeg {
        let mut body = vec![8];
        body.extend_from_slice(&height.to_be_bytes());
        body.extend_from_slice(&width.to_be_bytes());
        body.push(components);
        for id in 1..=components {
            body.extend_from_slice(&[id, if id == 1 { sampling } else { 0x11 }, 0]);
        }
        self.segment(marker, &body)
    }

    /// Quantisation table 0 (every step 1) and DC and AC tables 0 whose one code is `0`
    /// (DC: a difference of size 0; AC: an end of block, or of a band of 1 block).
    fn tables(self) -> Jpeg {
        let mut dqt = vec![0];
        dqt.extend_from_slice(&[1; 64]);
        self.segment(0xDB, &dqt).segment(0xC4, &one_code_tables(1))
    }

    fn scan(mut self, scan: Scan) -> Jpeg {
        let mut body = vec![scan.components.len() as u8];
        for &id in scan.components {
            body.extend_from_slice(&[id, 0x00]);
        }
        body.extend_from_slice(&[scan.start, scan.end, scan.high << 4 | scan.low]);
        self = self.segment(0xDA, &body);
        self
    }

    fn end(mut self) -> Vec<u8> {
        self.0.extend_from_slice(&[0xFF, 0xD9]);
        self.0
    }
}

/// DC and AC table 0 (`copies` times over, each replacing the last) whose one code is `0`.
fn one_code_tables(copies: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(copies * 36);
    for _ in 0..copies {
        for class in [0x00, 0x10] {
            body.push(class);
            body.push(1);
            body.extend_from_slice(&[0; 15]);
            body.push(0);
        }
    }
    body
}

/// A progressive 4:4:4 `size`×`size` picture with a first DC scan and then `refinements` DC
/// refinement scans of all three components: each a pass over every block of the picture, even
/// at 1/8 scale (where a decoder reads the DC scans alone). At 16383² (the default pixel limit)
/// a pass is 12.6 million blocks.
fn dc_refinements(size: u16, refinements: usize) -> Vec<u8> {
    let mut jpeg = Jpeg::new()
        .tables()
        .frame(0xC2, (size, size), 3, 0x11)
        .scan(DC_FIRST);
    for _ in 0..refinements {
        jpeg = jpeg.scan(DC_REFINE);
    }
    jpeg.end()
}

/// The error a JPEG over one of the decoder's fixed bounds gets: no option raises them.
fn assert_too_many<T: std::fmt::Debug>(result: &thumbsmith::Result<T>, what: &str) {
    match result {
        Err(Error::UnsupportedFormat { format }) => {
            assert!(format.contains(what), "{format}")
        }
        other => panic!("expected {what} to be refused, got {other:?}"),
    }
}

#[test]
fn a_progressive_jpeg_in_thousands_of_scans_is_refused_from_its_headers() {
    let bomb = dc_refinements(16383, 5000);
    keep("jpeg-5000-scans.jpg", &bomb);
    assert!(bomb.len() < 100_000, "{} bytes", bomb.len());
    let (result, cost) = measure(|| process(&bomb, &Options::avatar(512)));
    assert_too_many(&result, "more than 100 scans");
    assert_within_bounds("5000 scans", &cost, 0);
    assert_too_many(&thumbsmith::metadata(&bomb), "more than 100 scans");
}

#[test]
fn scans_that_pass_over_the_picture_too_often_are_refused_from_its_headers() {
    // 17 scans, each a pass over 12.6 million blocks, in 300 bytes.
    let bomb = dc_refinements(16383, 16);
    keep("jpeg-17-passes.jpg", &bomb);
    let (result, cost) = measure(|| process(&bomb, &Options::avatar(512)));
    assert_too_many(&result, "more than 16 passes over its blocks");
    assert_within_bounds("17 passes", &cost, 0);
    assert_too_many(&thumbsmith::metadata(&bomb), "passes");
    // The most the bound allows, at the pixel limit: read (the release CLI's figures are in
    // the commit that set the bound), and at a sixteenth of the pixels, decoded within bounds.
    let at_most = dc_refinements(16383, 15);
    keep("jpeg-16-passes.jpg", &at_most);
    thumbsmith::metadata(&at_most).expect("16 passes are allowed");
    let smaller = dc_refinements(4096, 15);
    let (result, cost) = measure(|| process(&smaller, &Options::avatar(512)));
    result.expect("16 passes over 4096² decode");
    assert_within_bounds("16 passes over 4096²", &cost, 0);
}

#[test]
fn a_flood_of_huffman_tables_is_refused_before_they_are_built() {
    // 10 MB of table definitions before the frame header: each one a table to build.
    let copies = 10_000_000 / 36 / 1820;
    let mut jpeg = Jpeg::new();
    for _ in 0..copies {
        jpeg = jpeg.segment(0xC4, &one_code_tables(1820));
    }
    let bomb = jpeg
        .tables()
        .frame(0xC0, (64, 64), 1, 0x11)
        .scan(Scan {
            components: &[1],
            start: 0,
            end: 63,
            high: 0,
            low: 0,
        })
        .end();
    keep("jpeg-huffman-flood.jpg", &bomb);
    let (result, cost) = measure(|| process(&bomb, &Options::avatar(512)));
    assert_too_many(&result, "table definitions");
    assert_within_bounds("Huffman flood", &cost, 0);
    let (result, cost) = measure(|| thumbsmith::metadata(&bomb));
    assert_too_many(&result, "table definitions");
    assert_within_bounds("Huffman flood, header", &cost, 0);
}

#[test]
fn restart_intervals_without_their_markers_stay_within_bounds() {
    // A restart every MCU and not one marker: the planar decoder stops at the first missing
    // one, and the file goes to the full-size decoder, which reads past them.
    let bomb = |sof: u8, scan: Scan| {
        Jpeg::new()
            .tables()
            .segment(0xDD, &[0, 1])
            .frame(sof, (16383, 16383), 3, 0x11)
            .scan(scan)
            .end()
    };
    // Sequential: the full-size decode holds the pixels, nothing more.
    let all = Scan {
        components: &[1, 2, 3],
        start: 0,
        end: 63,
        high: 0,
        low: 0,
    };
    let sequential = bomb(0xC0, all);
    keep("jpeg-restarts-baseline.jpg", &sequential);
    let (result, cost) = measure(|| process(&sequential, &Options::avatar(512)));
    result.expect("decoded by the full-size decoder");
    let pixels = 16383 * 16383 * 3;
    assert!(
        cost.peak <= pixels + 256 * MIB,
        "peak heap {} bytes",
        cost.peak
    );
    // Progressive: the full-size decoder would hold every coefficient too, 1.6 GB: refused.
    let progressive = bomb(0xC2, DC_FIRST);
    keep("jpeg-restarts-progressive.jpg", &progressive);
    let (result, cost) = measure(|| process(&progressive, &Options::avatar(512)));
    assert_too_many(&result, "bytes of coefficients");
    assert_within_bounds("progressive restarts", &cost, 0);
}

#[test]
fn a_flood_of_empty_segments_is_walked_within_bounds() {
    // 10 MB of empty COM segments before the frame header: 2.5 million segments that every
    // reader of the headers (probe, the bounds, both decoders) walks.
    let mut jpeg = Jpeg::new();
    jpeg.0.extend([0xFF, 0xFE, 0, 2].repeat(2_500_000));
    let bomb = jpeg
        .tables()
        .frame(0xC0, (64, 64), 1, 0x11)
        .scan(Scan {
            components: &[1],
            start: 0,
            end: 63,
            high: 0,
            low: 0,
        })
        .end();
    keep("jpeg-segment-flood.jpg", &bomb);
    let (result, cost) = measure(|| process(&bomb, &Options::avatar(64)));
    result.expect("a 64×64 picture");
    assert_within_bounds("segment flood", &cost, 0);
    let (result, cost) = measure(|| thumbsmith::metadata(&bomb));
    result.expect("its header");
    assert_within_bounds("segment flood, header", &cost, 0);
}
