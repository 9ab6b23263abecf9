//! The one error type. Its `Display` is the only message text in the project: every binding
//! passes it through unchanged and maps the variant (never the text) to its own error class.

/// Everything that can go wrong, by category. Bindings match on the variant without a wildcard,
/// so adding a variant is a compile error in each of them until it is mapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The bytes are an image format thumbsmith does not decode (or not an image at all).
    #[error(
        "unsupported image format: {format} (thumbsmith reads {})",
        crate::sniff::READABLE
    )]
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
    Io {
        path: String,
        /// What kind of failure, so bindings can raise their language's own class for it
        /// (Python's `FileNotFoundError`, `PermissionError`).
        kind: IoErrorKind,
        reason: String,
    },

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

    // Generic only in these one-line wrappers: the bodies take `&dyn Display`, so each decoder's
    // error type does not get its own copy of the string building (the browser package's size).
    pub(crate) fn corrupt(format: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Error::CorruptInput {
            format: format.into(),
            reason: displayed(&reason),
        }
    }

    pub(crate) fn encode(format: impl Into<String>, reason: impl std::fmt::Display) -> Self {
        Error::EncodeFailed {
            format: format.into(),
            reason: displayed(&reason),
        }
    }

    /// A failed read or write of `path`.
    pub fn io(path: &std::path::Path, err: &std::io::Error) -> Self {
        Error::Io {
            path: path.display().to_string(),
            kind: IoErrorKind::of(err),
            reason: err.to_string(),
        }
    }

    /// The variant's structured facts beside its message, named in snake_case (`option` is the
    /// option's snake_case name): what bindings attach to the error they raise, so callers never
    /// parse the message. [`Error::facts_camel_case`] gives the JavaScript spelling.
    pub fn facts(&self) -> Vec<(&'static str, serde_json::Value)> {
        match self {
            Error::UnsupportedFormat { format } => vec![("format", format.as_str().into())],
            Error::CorruptInput { format, reason: _ } => vec![("format", format.as_str().into())],
            Error::LimitExceeded {
                what: _,
                value,
                limit,
                option,
            } => vec![
                ("value", (*value).into()),
                ("limit", (*limit).into()),
                ("option", (*option).into()),
            ],
            Error::InvalidOption(_) => vec![],
            Error::EncodeFailed { format, reason: _ } => vec![("format", format.as_str().into())],
            Error::Io {
                path,
                kind,
                reason: _,
            } => vec![
                ("path", path.as_str().into()),
                ("kind", kind.as_str().into()),
            ],
            Error::Internal(_) => vec![],
        }
    }

    /// [`Error::facts`] as JavaScript callers spell them: the option a `LimitExceeded` names is
    /// given in lowerCamelCase (`maxInputPixels`), the way they pass it.
    pub fn facts_camel_case(&self) -> Vec<(&'static str, serde_json::Value)> {
        let mut facts = self.facts();
        for (name, value) in &mut facts {
            if let ("option", serde_json::Value::String(option)) = (*name, &*value) {
                *value = crate::key_case::lower_camel_case(option).into();
            }
        }
        facts
    }
}

/// The kinds of I/O failure a binding can map to its language's own error class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoErrorKind {
    NotFound,
    PermissionDenied,
    /// Any other failure; the message says which.
    Other,
}

impl IoErrorKind {
    fn of(err: &std::io::Error) -> Self {
        match err.kind() {
            std::io::ErrorKind::NotFound => IoErrorKind::NotFound,
            std::io::ErrorKind::PermissionDenied => IoErrorKind::PermissionDenied,
            // `io::ErrorKind` is non-exhaustive: every other kind is told by the message.
            _ => IoErrorKind::Other,
        }
    }

    /// A stable name: `"not_found"`, `"permission_denied"` or `"other"`.
    pub fn as_str(self) -> &'static str {
        match self {
            IoErrorKind::NotFound => "not_found",
            IoErrorKind::PermissionDenied => "permission_denied",
            IoErrorKind::Other => "other",
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

/// `reason.to_string()`, once for every type.
#[inline(never)]
fn displayed(reason: &dyn std::fmt::Display) -> String {
    reason.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_failures_keep_their_kind() {
        use std::io::{Error as IoError, ErrorKind};
        let path = std::path::Path::new("/x.jpg");
        let kind_of = |kind| match Error::io(path, &IoError::from(kind)) {
            Error::Io { kind, .. } => kind,
            other => panic!("{other:?}"),
        };
        assert_eq!(kind_of(ErrorKind::NotFound), IoErrorKind::NotFound);
        assert_eq!(
            kind_of(ErrorKind::PermissionDenied),
            IoErrorKind::PermissionDenied
        );
        assert_eq!(kind_of(ErrorKind::IsADirectory), IoErrorKind::Other);
        let missing = std::fs::read("/no/such/file.jpg").unwrap_err();
        let facts = Error::io(path, &missing).facts();
        assert_eq!(facts[1], ("kind", "not_found".into()));
    }

    #[test]
    fn facts_name_the_option_in_each_spelling() {
        let error = Error::LimitExceeded {
            what: "input size in bytes",
            value: 11,
            limit: 10,
            option: "max_input_bytes",
        };
        assert_eq!(error.facts()[2], ("option", "max_input_bytes".into()));
        assert_eq!(
            error.facts_camel_case()[2],
            ("option", "maxInputBytes".into())
        );
        assert_eq!(error.facts()[..2], error.facts_camel_case()[..2]);
    }
}
