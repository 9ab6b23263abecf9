//! The planar JPEG decoder crate (thumbsmith-jpeg-decoder) directly, at every scale and window.
//! Input: 5 job bytes, then the file (JPEG magic bytes forced):
//!
//! | byte | meaning |
//! |---|---|
//! | 0 | scale: eighths = byte mod 8 + 1; bit 7: decode only a window (bytes 1–4) |
//! | 1, 2 | the luma window's left, top as 256ths of the scaled luma plane |
//! | 3, 4 | its width, height as 256ths of what is right of / below it (at least 1) |
//!
//! The chroma window is the luma one in chroma samples, rounded outwards. Headers over 4 M
//! pixels are skipped, as the pipeline refuses them before decoding. `THUMBSMITH_CPU=portable`
//! in the environment fuzzes the portable copy instead of the AVX2 one.
#![no_main]
use libfuzzer_sys::fuzz_target;
use thumbsmith_jpeg_decoder::{decode, parse, scaled_length, Rect};

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let (job, file) = data.split_at(5);
    let file = thumbsmith_fuzz::forced(file, thumbsmith_fuzz::magic::JPEG);
    let Ok(header) = parse(&file) else {
        return;
    };
    if u64::from(header.width) * u64::from(header.height) > thumbsmith_fuzz::MAX_INPUT_PIXELS {
        return;
    }
    let eighths = u32::from(job[0] % 8) + 1;
    let (across, down) = header.subsampling();
    let (lw, lh) = (
        scaled_length(header.width, eighths, 1),
        scaled_length(header.height, eighths, 1),
    );
    let parts = (job[0] & 0x80 != 0).then(|| {
        let at = |total: u32, b: u8| (u64::from(total) * u64::from(b) / 256) as u32;
        let (x, y) = (at(lw, job[1]), at(lh, job[2]));
        let span = |rest: u32, b: u8| ((u64::from(rest) * (u64::from(b) + 1)) / 256).max(1) as u32;
        let luma = Rect {
            x,
            y,
            width: span(lw.saturating_sub(x), job[3]),
            height: span(lh.saturating_sub(y), job[4]),
        };
        let chroma = Rect {
            x: luma.x / across,
            y: luma.y / down,
            width: (luma.x + luma.width).div_ceil(across) - luma.x / across,
            height: (luma.y + luma.height).div_ceil(down) - luma.y / down,
        };
        (luma, chroma)
    });
    let Ok(planes) = decode(&header, eighths, parts) else {
        return;
    };
    // What `decode` documents: each plane holds its part (all of it without parts).
    let luma = &planes.luma;
    assert_eq!(
        luma.data.len(),
        luma.width as usize * luma.height as usize * usize::from(luma.channels)
    );
    assert_eq!(
        (luma.width, luma.height),
        (planes.luma_part.width, planes.luma_part.height)
    );
    if parts.is_none() {
        assert_eq!((luma.width, luma.height), (lw, lh));
    }
    if let Some((chroma, part)) = &planes.chroma {
        assert_eq!((chroma.width, chroma.height), (part.width, part.height));
        assert_eq!(
            chroma.data.len(),
            chroma.width as usize * chroma.height as usize * usize::from(chroma.channels)
        );
    }
});
