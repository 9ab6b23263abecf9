//! The one error type. Its `Display` is the only message text in the project: every binding
//! passes it through unchanged and maps the variant (never the text) to its own error class.

/// Everything that can go wrong, by category. Bindings match on the variant without a wildcard,
/// so adding a variant is a compile error in each of them until it is mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bytes are an image format thumbsmith does not decode (or not an image at all).
    #[error("unsupported image format: {format} (thumbsmith reads JPEG, PNG, WebP and GIF)")]
    UnsupportedFormat { format: String },

    /// The bytes claim a supported format but cannot be decoded: truncated, damaged or empty.
    #[error("corrupt {format} input: {reason}")]
    CorruptInput { format: String, reason: String },

    /// A configured limit refused the job before the work (and the memory) was spent.
    #[error("{what} {value} exceeds the limit of {limit} (raise `{option}` to allow it)")]
    LimitExceeded {
        what: &'static str,
        value: u64,
        limit: u64,
        option: &'static str,
    },

    /// The options are wrong: unknown key, bad value, impossible crop.
    #[error("invalid option: {0}")]
    InvalidOption(String),

    /// The encoder refused the result (e.g. a format that cannot hold the size asked for).
    #[error("cannot encode {format}: {reason}")]
    EncodeFailed { format: String, reason: String },

    /// Reading an input file or writing an output file failed.
    #[error("cannot read or write {path}: {reason}")]
    Io { path: String, reason: String },

    /// A decoder panicked. This is a bug in thumbsmith or a library it uses; it is caught so a
    /// server keeps serving, and reported so it can be fixed.
    #[error("internal error (please report it with the input file): {0}")]
    Internal(String),
}

impl Error {
    /// A stable, machine-readable code for each variant: what Node and wasm put in `error.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::UnsupportedFormat { .. } => "ERR_UNSUPPORTED_FORMAT",
            Error::CorruptInput { .. } => "ERR_CORRUPT_INPUT",
            Error::LimitExceeded { .. } => "ERR_LIMIT_EXCEEDED",
            Error::InvalidOption(_) => "ERR_INVALID_OPTION",
            Error::EncodeFailed { .. } => "ERR_ENCODE_FAILED",
            Error::Io { .. } => "ERR_IO",
            Error::Internal(_) => "ERR_INTERNAL",
        }
    }

    /// Every code, for bindings that export the list and tests that prove each is reachable.
    pub const CODES: [&'static str; 7] = [
        "ERR_UNSUPPORTED_FORMAT",
        "ERR_CORRUPT_INPUT",
        "ERR_LIMIT_EXCEEDED",
        "ERR_INVALID_OPTION",
        "ERR_ENCODE_FAILED",
        "ERR_IO",
        "ERR_INTERNAL",
    ];

    pub(crate) fn corrupt(format: impl Into<String>, reason: impl ToString) -> Self {
        Error::CorruptInput {
            format: format.into(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn encode(format: impl Into<String>, reason: impl ToString) -> Self {
        Error::EncodeFailed {
            format: format.into(),
            reason: reason.to_string(),
        }
    }

    pub(crate) fn io(path: &std::path::Path, err: impl ToString) -> Self {
        Error::Io {
            path: path.display().to_string(),
            reason: err.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Refuses `value` over `limit`, naming what was measured and the option that sets the limit.
pub(crate) fn check_limit(
    what: &'static str,
    value: u64,
    limit: u64,
    option: &'static str,
) -> Result<()> {
    if value > limit {
        return Err(Error::LimitExceeded {
            what,
            value,
            limit,
            option,
        });
    }
    Ok(())
}
