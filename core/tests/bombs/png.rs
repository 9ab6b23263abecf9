//! PNG bombs in the pixel data: image data that inflates far past the rows the header
//! declares, a file of hundreds of thousands of IDAT chunks, an APNG of thousands of frames.

use super::*;

/// The signature and IHDR of a `width`×`height` 8-bit gray PNG.
fn png_head(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend(png_chunk(b"IHDR", &ihdr));
    out
}

/// The rows of a `width`×`height` gray picture (filter byte 0, gray 128), then `extra` MiB of
/// zeros, zlib-compressed.
fn rows_then_zeros(width: usize, height: usize, extra: usize) -> Vec<u8> {
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    for _ in 0..height {
        z.write_all(&[0]).unwrap();
        z.write_all(&vec![128; width]).unwrap();
    }
    let zeros = vec![0u8; MIB];
    for _ in 0..extra {
        z.write_all(&zeros).unwrap();
    }
    z.finish().unwrap()
}

fn assert_size(output: &thumbsmith::Output, size: u32) {
    assert_eq!((output.width, output.height), (size, size));
}

#[test]
fn image_data_past_the_declared_rows_is_not_inflated() {
    // 16 rows of 16 pixels, then 256 MiB of zeros in the same zlib stream: a 260 KB file.
    let mut bomb = png_head(16, 16);
    bomb.extend(png_chunk(b"IDAT", &rows_then_zeros(16, 16, 256)));
    bomb.extend(png_chunk(b"IEND", &[]));
    keep("png-idat-256mib-past-rows.png", &bomb);
    let (result, cost) = measure(|| process(&bomb, &Options::avatar(16)));
    assert_size(&result.expect("the declared rows decode"), 16);
    assert_within_bounds("256 MiB past the rows", &cost, 0);
    assert!(cost.peak < 16 * MIB, "peak heap {} bytes", cost.peak);
}

#[test]
fn hundreds_of_thousands_of_idat_chunks_stay_within_bounds() {
    // A 1024×1024 picture's zlib stream one byte a chunk, between empty chunks: 10 MB, 830,000
    // chunks.
    let data = rows_then_zeros(1024, 1024, 0);
    let mut bomb = png_head(1024, 1024);
    let empty = png_chunk(b"IDAT", &[]);
    let per_byte = 10_000_000 / 12 / data.len();
    for byte in data.chunks(1) {
        bomb.extend(png_chunk(b"IDAT", byte));
        bomb.extend(empty.repeat(per_byte));
    }
    bomb.extend(png_chunk(b"IEND", &[]));
    keep("png-idat-chunks.png", &bomb);
    let (result, cost) = measure(|| process(&bomb, &Options::avatar(64)));
    assert_size(&result.expect("decodes"), 64);
    assert_within_bounds("IDAT chunks", &cost, 1024 * 1024);
}

#[test]
fn an_apng_of_thousands_of_frames_reads_only_the_first() {
    // The default image is the first frame; 100,000 more follow, each a fcTL and an fdAT.
    let rows = rows_then_zeros(16, 16, 0);
    let mut bomb = png_head(16, 16);
    let frames = 100_001u32;
    let mut actl = frames.to_be_bytes().to_vec();
    actl.extend_from_slice(&0u32.to_be_bytes());
    bomb.extend(png_chunk(b"acTL", &actl));
    let fctl = |sequence: u32| {
        let mut body = sequence.to_be_bytes().to_vec();
        for value in [16u32, 16, 0, 0] {
            body.extend_from_slice(&value.to_be_bytes());
        }
        body.extend_from_slice(&[0, 1, 0, 1, 0, 0]); // delay 1/1 s, no dispose, source
        png_chunk(b"fcTL", &body)
    };
    bomb.extend(fctl(0));
    bomb.extend(png_chunk(b"IDAT", &rows));
    for frame in 1..frames {
        bomb.extend(fctl(2 * frame - 1));
        let mut fdat = (2 * frame).to_be_bytes().to_vec();
        fdat.extend_from_slice(&rows);
        bomb.extend(png_chunk(b"fdAT", &fdat));
    }
    bomb.extend(png_chunk(b"IEND", &[]));
    keep("png-apng-100k-frames.png", &bomb);
    let (meta, cost) = measure(|| thumbsmith::metadata(&bomb));
    assert_eq!(meta.unwrap().frames, frames);
    assert_within_bounds("APNG frames, header", &cost, 0);
    let (result, cost) = measure(|| process(&bomb, &Options::avatar(16)));
    assert_size(&result.expect("the first frame"), 16);
    assert_within_bounds("APNG frames", &cost, 0);
}
