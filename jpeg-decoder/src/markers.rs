//! Walking a JPEG's marker segments (ITU T.81 B.1.1.2–B.1.1.4).

/// The markers of a JPEG's segments up to and including its first scan (start of scan), each
/// with the segment's body (its length field excluded; for the scan, everything after the
/// header's length field up to the end of the file). Segment lengths are followed, so an EXIF
/// thumbnail's own markers are not mistaken for the file's.
pub fn segments(input: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    let mut at = 2;
    std::iter::from_fn(move || {
        while at + 4 <= input.len() {
            if input[at] != 0xFF {
                at += 1; // tolerate padding between segments, as decoders do
                continue;
            }
            let marker = input[at + 1];
            if marker == 0xFF || (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
                at += 1;
                continue;
            }
            let length = usize::from(u16::from_be_bytes([input[at + 2], input[at + 3]]));
            let body_start = at + 4;
            if marker == 0xDA {
                at = input.len();
                return Some((marker, &input[body_start..]));
            }
            at += 2 + length;
            return Some((
                marker,
                &input[body_start..at.min(input.len()).max(body_start)],
            ));
        }
        None
    })
}

/// Whether the JPEG has an end-of-image marker after its first scan. Inside entropy-coded data
/// 0xFF is always followed by 0x00 or a restart marker, so 0xFF 0xD9 there is the real end.
pub fn is_complete(input: &[u8]) -> bool {
    // Searched from the end, where the marker almost always is (same answer, one comparison
    // instead of a pass over the whole file).
    segments(input)
        .find(|&(marker, _)| marker == 0xDA)
        .is_some_and(|(_, scan)| scan.windows(2).rev().any(|w| w == [0xFF, 0xD9]))
}
