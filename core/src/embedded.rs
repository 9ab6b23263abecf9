//! The metadata a file carries beside its pixels (ICC profiles, EXIF), read with a bound.
//!
//! The pixel limit says nothing about these blocks, and some of them are compressed: a PNG
//! `iCCP` chunk of a few hundred kilobytes can inflate to gigabytes. Every block is therefore
//! measured against [`Options::max_metadata_bytes`](crate::Options::max_metadata_bytes) before
//! (or, when compressed, while) it is allocated, and a block over the limit fails the job with
//! [`Error::LimitExceeded`] naming the block. Blocks stored uncompressed can never be larger than
//! the input, so for them the check is what refuses a job, not what bounds its memory.

use crate::error::{check_limit, Error, Result};

/// The option every check here names.
const OPTION: &str = "max_metadata_bytes";

/// Refuses a metadata block of `len` bytes over `limit`.
pub(crate) fn check(what: &'static str, len: usize, limit: u64) -> Result<()> {
    check_limit(what, len as u64, limit, OPTION)
}

/// The PNG chunks before the first `IDAT`, as (type, data). Stops at the first chunk whose
/// declared length runs past the end of the input (the png crate reports that file as corrupt).
fn png_chunks_before_idat(input: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut at = 8; // the signature
    std::iter::from_fn(move || {
        let header = input.get(at..at + 8)?;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = [header[4], header[5], header[6], header[7]];
        if &kind == b"IDAT" {
            return None;
        }
        let data = input.get(at + 8..(at + 8).checked_add(len)?)?;
        at += 12 + len; // length, type, data, CRC
        Some((kind, data))
    })
}

/// The ICC profile of a PNG's first `iCCP` chunk (the only one the format allows), inflated to
/// at most `limit` bytes: decompression stops as soon as the profile would pass the limit, so a
/// profile bomb costs `limit` bytes of memory, not what it expands to. A chunk that does not
/// inflate is ignored, as the png crate does (it is ancillary: the picture is still readable).
pub(crate) fn png_icc(input: &[u8], limit: u64) -> Result<Option<Vec<u8>>> {
    let Some((_, data)) = png_chunks_before_idat(input).find(|(kind, _)| kind == b"iCCP") else {
        return Ok(None);
    };
    // A profile name of 1–79 Latin-1 bytes, a NUL, the compression method (0: zlib).
    let Some(name_end) = data.iter().take(80).position(|&b| b == 0) else {
        return Ok(None);
    };
    let Some(compressed) = data.get(name_end + 2..).filter(|_| data[name_end + 1] == 0) else {
        return Ok(None);
    };
    // One byte over the limit is enough to know the profile is too large.
    let bound = usize::try_from(limit.saturating_add(1)).unwrap_or(usize::MAX);
    match fdeflate::decompress_to_vec_bounded(compressed, bound) {
        Ok(profile) => {
            check(
                "PNG iCCP colour profile size in bytes",
                profile.len(),
                limit,
            )?;
            Ok(Some(profile))
        }
        Err(fdeflate::BoundedDecompressionError::OutputTooLarge { .. }) => {
            Err(Error::LimitExceeded {
                what: "PNG iCCP colour profile size in bytes (inflated, at least)",
                value: limit.saturating_add(1),
                limit,
                option: OPTION,
            })
        }
        Err(fdeflate::BoundedDecompressionError::DecompressionError { .. }) => Ok(None),
    }
}

/// The declared size of a WebP (RIFF) file's first chunk named `fourcc`, if it has one.
pub(crate) fn riff_chunk_len(input: &[u8], fourcc: &[u8; 4]) -> Option<u64> {
    let mut at: usize = 12; // "RIFF", the file size, "WEBP"
    while let Some(header) = input.get(at..at.checked_add(8)?) {
        let len = u32::from_le_bytes([header[4], header[5], header[6], header[7]]);
        if &header[..4] == fourcc {
            return Some(u64::from(len));
        }
        // Chunks are padded to an even size.
        let len = len as usize;
        at = len.checked_add(8 + (len & 1))?.checked_add(at)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&[0; 4]); // the CRC is not read here
        out
    }

    fn png_with_iccp(profile: &[u8]) -> Vec<u8> {
        let mut iccp = b"name\0\0".to_vec();
        iccp.extend(fdeflate::compress_to_vec(profile));
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"iCCP", &iccp));
        png.extend(chunk(b"IDAT", &[]));
        png
    }

    #[test]
    fn a_profile_at_the_limit_is_read_and_one_byte_more_is_refused() {
        let profile: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let png = png_with_iccp(&profile);
        assert_eq!(png_icc(&png, 1000).unwrap().as_deref(), Some(&profile[..]));
        match png_icc(&png, 999) {
            Err(Error::LimitExceeded {
                limit: 999, option, ..
            }) => assert_eq!(option, OPTION),
            other => panic!("expected LimitExceeded, got {other:?}"),
        }
    }

    #[test]
    fn chunks_after_the_first_idat_and_broken_ones_are_not_profiles() {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IDAT", &[]));
        png.extend(chunk(b"iCCP", b"name\0\0xx"));
        assert_eq!(png_icc(&png, 10).unwrap(), None);
        let mut broken = png_with_iccp(b"profile");
        broken[8 + 25 + 8 + 6] ^= 0xff; // signature, IHDR, iCCP's length and type, name: zlib's CMF
        assert_eq!(png_icc(&broken, 10).unwrap(), None);
        // A declared length past the end of the input ends the walk.
        let mut short = b"\x89PNG\r\n\x1a\n".to_vec();
        short.extend_from_slice(&u32::MAX.to_be_bytes());
        short.extend_from_slice(b"iCCP");
        assert_eq!(png_icc(&short, 10).unwrap(), None);
    }

    #[test]
    fn riff_chunks_are_found_past_padded_ones() {
        let mut webp = b"RIFF\0\0\0\0WEBP".to_vec();
        webp.extend_from_slice(b"VP8X\x03\0\0\0abc\0");
        webp.extend_from_slice(b"ICCP\x00\x00\x00\x40");
        assert_eq!(riff_chunk_len(&webp, b"ICCP"), Some(0x4000_0000));
        assert_eq!(riff_chunk_len(&webp, b"EXIF"), None);
    }
}
