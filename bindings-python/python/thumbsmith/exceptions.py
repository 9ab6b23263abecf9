"""The exceptions thumbsmith raises: one class per core error variant.

Each message is the core's own text (the same in Rust, Node and the browser); ``.code`` is the
core's stable code (``"ERR_LIMIT_EXCEEDED"``…) for code that branches on the kind of failure.
"""


class Error(Exception):
    """Base class of every thumbsmith error."""

    #: The core's stable code, e.g. ``"ERR_CORRUPT_INPUT"``.
    code: str


class UnsupportedFormatError(Error, ValueError):
    """The bytes are not an image format thumbsmith reads (the message names them and what it found)."""


class CorruptInputError(Error, ValueError):
    """Empty, truncated or damaged input."""


class LimitExceededError(Error, ValueError):
    """A limit option refused the job before the work was done (the message names the option)."""


class InvalidOptionError(Error, ValueError):
    """An unknown keyword, a bad value, or a crop outside the image."""


class EncodeError(Error):
    """The encoder refused the result (a size beyond the format, lossy WebP in this build)."""


class IoError(Error, OSError):
    """Reading an input file or writing an output file failed (``.path``, ``.kind``)."""


class NotFoundError(IoError, FileNotFoundError):
    """The file does not exist: caught by ``except FileNotFoundError`` too."""


class PermissionDeniedError(IoError, PermissionError):
    """The file may not be read or written: caught by ``except PermissionError`` too."""


class InternalError(Error, RuntimeError):
    """A decoder panicked: a bug, caught so the server keeps serving. Please report the file."""


__all__ = [
    "Error",
    "UnsupportedFormatError",
    "CorruptInputError",
    "LimitExceededError",
    "InvalidOptionError",
    "EncodeError",
    "IoError",
    "NotFoundError",
    "PermissionDeniedError",
    "InternalError",
]
