//! The decoder's one error type.

/// Why a JPEG was not decoded. Callers that have another decoder to fall back on (the full-size
/// one of an image library) usually take every variant but [`Error::TooMany`] as "use the other
/// decoder" (a file over those bounds costs any decoder as much); those that report errors map
/// [`Error::Corrupt`] to a damaged input and the others to an unsupported one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bytes break the JPEG syntax: a bad table, a bad Huffman code, a missing marker,
    /// a truncated segment.
    #[error("corrupt JPEG: {0}")]
    Corrupt(&'static str),
    /// A valid JPEG this decoder does not read (12-bit samples, CMYK or RGB components,
    /// arithmetic coding, sampling factors it has no layout for).
    #[error("JPEG not decoded by this decoder: {0}")]
    Unsupported(&'static str),
    /// A JPEG coding process this decoder does not read, named by its frame marker: lossless
    /// and hierarchical (T.81 H and J), which full-size decoders rarely read either.
    #[error("JPEG {0} is not supported")]
    UnsupportedProcess(crate::markers::Frame),
    /// A file whose headers ask for more work than real files do: more scans than
    /// [`MAX_SCANS`](crate::markers::MAX_SCANS), table definitions than
    /// [`MAX_TABLES`](crate::markers::MAX_TABLES) or passes over its blocks than
    /// [`MAX_PASSES`](crate::markers::MAX_PASSES) (see [`Coding`](crate::markers::Coding)).
    /// Refused before anything is decoded: a scan is a pass over the picture however few
    /// bytes it has.
    #[error("JPEG with more than {limit} {what}")]
    TooMany { what: &'static str, limit: u64 },
    /// A scale outside 1/8…8/8 was asked for.
    #[error("scale {0}/8 is outside 1/8 to 8/8")]
    Scale(u32),
    /// An invariant of the decoder broke: a bug, please report it with the file.
    #[error("internal error in the JPEG decoder: {0}")]
    Internal(&'static str),
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;

/// Cold and out of line: the hot decoding loops only branch to it.
#[cold]
#[inline(never)]
pub(crate) fn corrupt(why: &'static str) -> Error {
    Error::Corrupt(why)
}
