//! Metadata blocks (ICC profiles, EXIF) that inflate or declare far more than they hold.

use super::*;

fn assert_metadata_limit(result: thumbsmith::Result<thumbsmith::Output>, what_has: &str) {
    match result {
        Err(Error::LimitExceeded { what, option, .. }) => {
            assert_eq!(option, "max_metadata_bytes");
            assert!(what.contains(what_has), "{what}");
        }
        other => panic!("expected a metadata LimitExceeded, got {other:?}"),
    }
}

#[test]
fn a_png_colour_profile_bomb_is_refused_without_inflating_it() {
    // The reported attack: 400 MB of zeros in iCCP, a 408 KB file.
    let mut iccp = b"bomb\0\0".to_vec();
    iccp.extend(zlib_zeros(400));
    let bomb = png_with(&[png_chunk(b"iCCP", &iccp)]);
    assert!(bomb.len() < 500_000, "{} bytes", bomb.len());
    let (result, peak) = measured(&bomb, &Options::avatar(512));
    assert_metadata_limit(result, "iCCP");
    // The default limit (4 MiB) and the file itself, with room for the decoders' own state.
    assert!(peak < 16 * MIB, "peak heap {peak} bytes");
    // `metadata()` reads the header with the same bound.
    assert!(matches!(
        thumbsmith::metadata(&bomb),
        Err(Error::LimitExceeded { .. })
    ));
}

#[test]
fn a_profile_under_a_raised_limit_is_read() {
    let mut iccp = b"big\0\0".to_vec();
    iccp.extend(zlib_zeros(6));
    let png = png_with(&[png_chunk(b"iCCP", &iccp)]);
    assert_metadata_limit(process(&png, &Options::avatar(8)), "iCCP");
    let options = options(r#"{"width": 8, "height": 8, "max_metadata_bytes": 8388608}"#);
    let meta = thumbsmith::metadata(&png).map(|m| m.has_icc);
    assert!(matches!(meta, Err(Error::LimitExceeded { .. })), "{meta:?}");
    // Six MiB of zeros is no valid profile: the picture is kept as it is, as without one.
    let output = process(&png, &options).expect("raised limit");
    assert_eq!((output.width, output.height), (8, 8));
}

#[test]
fn png_text_bombs_are_never_inflated() {
    // zTXt and compressed iTXt carry nothing thumbsmith uses: skipped, the picture kept.
    let mut ztxt = b"Comment\0\0".to_vec();
    ztxt.extend(zlib_zeros(400));
    let mut itxt = b"XML:com.adobe.xmp\0\x01\0\0\0".to_vec();
    itxt.extend(zlib_zeros(400));
    let bomb = png_with(&[png_chunk(b"zTXt", &ztxt), png_chunk(b"iTXt", &itxt)]);
    let (result, peak) = measured(&bomb, &Options::avatar(64));
    let output = result.expect("text chunks are skipped");
    assert_eq!((output.width, output.height), (64, 64));
    assert!(peak < 16 * MIB, "peak heap {peak} bytes");
}

/// `jpeg` with `profile` in APP2 ICC_PROFILE segments right after SOI.
fn jpeg_with_icc(jpeg: &[u8], profile: &[u8]) -> Vec<u8> {
    let parts: Vec<&[u8]> = profile.chunks(65_519).collect();
    let mut out = jpeg[..2].to_vec();
    for (i, part) in parts.iter().enumerate() {
        out.extend_from_slice(&[0xFF, 0xE2]);
        out.extend_from_slice(&((part.len() + 16) as u16).to_be_bytes());
        out.extend_from_slice(b"ICC_PROFILE\0");
        out.extend_from_slice(&[i as u8 + 1, parts.len() as u8]);
        out.extend_from_slice(part);
    }
    out.extend_from_slice(&jpeg[2..]);
    out
}

#[test]
fn a_jpeg_profile_chain_over_the_limit_is_refused() {
    let big = jpeg_with_icc(&fixture("photo.jpg"), &vec![0; 5 * MIB]);
    assert_metadata_limit(process(&big, &Options::avatar(64)), "ICC");
    let small = jpeg_with_icc(&fixture("photo.jpg"), &[0; 1000]);
    process(&small, &Options::avatar(64)).expect("a small profile");
}

/// `webp` (a simple lossy file) rewritten as an extended one with an ICCP chunk.
fn webp_with_iccp(webp: &[u8], declared: u32, profile: &[u8]) -> Vec<u8> {
    let meta = thumbsmith::metadata(webp).unwrap();
    let mut body = b"WEBPVP8X\x0a\0\0\0\x20\0\0\0".to_vec();
    body.extend_from_slice(&(meta.width - 1).to_le_bytes()[..3]);
    body.extend_from_slice(&(meta.height - 1).to_le_bytes()[..3]);
    body.extend_from_slice(b"ICCP");
    body.extend_from_slice(&declared.to_le_bytes());
    body.extend_from_slice(profile);
    if profile.len() % 2 == 1 {
        body.push(0);
    }
    body.extend_from_slice(&webp[12..]);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend(body);
    out
}

#[test]
fn a_webp_profile_over_the_limit_is_refused_before_it_is_allocated() {
    let lossy = fixture("lossy.webp");
    let big = webp_with_iccp(&lossy, 5 * MIB as u32, &vec![0; 5 * MIB]);
    let (result, peak) = measured(&big, &Options::avatar(64));
    assert_metadata_limit(result, "ICCP");
    assert!(peak < 8 * MIB, "peak heap {peak} bytes");
    let small = webp_with_iccp(&lossy, 1000, &[0; 1000]);
    process(&small, &Options::avatar(64)).expect("a small profile");
}

/// `gif` with `profile` in an ICCRGBG1 application extension after its global colour table.
fn gif_with_icc(gif: &[u8], profile: &[u8]) -> Vec<u8> {
    let flags = gif[10];
    let table = if flags & 0x80 != 0 {
        3 << ((flags & 7) + 1)
    } else {
        0
    };
    let at = 13 + table;
    let mut out = gif[..at].to_vec();
    out.extend_from_slice(b"\x21\xFF\x0BICCRGBG1012");
    for block in profile.chunks(255) {
        out.push(block.len() as u8);
        out.extend_from_slice(block);
    }
    out.push(0);
    out.extend_from_slice(&gif[at..]);
    out
}

#[test]
fn a_gif_profile_over_the_limit_is_refused() {
    let gif = fixture("animated.gif");
    let big = gif_with_icc(&gif, &vec![1; 5 * MIB]);
    assert_metadata_limit(process(&big, &Options::avatar(64)), "ICC");
    let small = gif_with_icc(&gif, &[1; 1000]);
    assert!(thumbsmith::metadata(&small).unwrap().has_icc);
}
