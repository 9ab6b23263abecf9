"""Crop and thumbnail images: upright, sRGB, metadata stripped — the same bytes as thumbsmith in
Rust, Node and the browser.

>>> import thumbsmith
>>> avatar = thumbsmith.thumbnail(request.files["avatar"], 512, 512)   # doctest: +SKIP
>>> result = thumbsmith.process("photo.jpg", width=256, format="webp", lossless=True)  # doctest: +SKIP

Options are the core's, as snake_case keyword arguments; ``defaults()`` lists them with their
default values.
"""

from thumbsmith._thumbsmith import (
    ERROR_CODES,
    __version__,
    defaults,
    metadata,
    process,
    thumbnail,
)
from thumbsmith.exceptions import (
    CorruptInputError,
    EncodeError,
    Error,
    InternalError,
    InvalidOptionError,
    IoError,
    NotFoundError,
    PermissionDeniedError,
    LimitExceededError,
    UnsupportedFormatError,
)
from thumbsmith.results import Crop, Metadata, Result

__all__ = [
    "process",
    "thumbnail",
    "metadata",
    "defaults",
    "Result",
    "Crop",
    "Metadata",
    "ERROR_CODES",
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
    "__version__",
]
