# Stubs of the native module (src/lib.rs); `make test` runs mypy.stubtest so they cannot drift.
import os
from typing import Any, Final, Protocol, Union, final

from typing_extensions import Buffer, Unpack

from thumbsmith.options import Options, ThumbnailOptions

class _BinaryReadable(Protocol):
    def read(self) -> bytes: ...

#: What every function takes as ``data``: the image bytes (any buffer), a path to read, or a
#: binary file object such as ``request.files["avatar"]``.
_Input = Union[bytes, bytearray, memoryview, Buffer, str, os.PathLike[str], _BinaryReadable]

@final
class Crop:
    """The part of the upright source that was used, in pixels."""

    @property
    def left(self) -> int: ...
    @property
    def top(self) -> int: ...
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...

@final
class Result:
    """The encoded image and what was done to make it."""

    @property
    def data(self) -> bytes: ...
    @property
    def format(self) -> str:
        """``"jpeg"``, ``"png"`` or ``"webp"``."""
    @property
    def mime_type(self) -> str:
        """``"image/jpeg"``… for a response's Content-Type."""
    @property
    def width(self) -> int: ...
    @property
    def height(self) -> int: ...
    @property
    def source_format(self) -> str: ...
    @property
    def source_width(self) -> int:
        """Source width as displayed (after EXIF orientation)."""
    @property
    def source_height(self) -> int: ...
    @property
    def orientation(self) -> int:
        """The EXIF orientation that was applied (1 when none)."""
    @property
    def crop(self) -> Crop: ...
    @property
    def thumbhash(self) -> Union[bytes, None]:
        """ThumbHash bytes, with ``thumbhash=True``."""
    @property
    def dominant_color(self) -> Union[str, None]:
        """``"#rrggbb"``, with ``dominant_color=True``."""
    @property
    def content_hash(self) -> Union[str, None]:
        """16 hex digits of SHA-256 of ``data``, with ``content_hash=True``."""

@final
class Metadata:
    """Header facts, no pixels decoded."""

    @property
    def format(self) -> str: ...
    @property
    def width(self) -> int:
        """As stored in the file."""
    @property
    def height(self) -> int: ...
    @property
    def oriented_width(self) -> int:
        """As displayed, after the EXIF orientation."""
    @property
    def oriented_height(self) -> int: ...
    @property
    def orientation(self) -> int: ...
    @property
    def has_alpha(self) -> bool: ...
    @property
    def bit_depth(self) -> int: ...
    @property
    def color_model(self) -> str:
        """``"rgb"``, ``"gray"`` or ``"cmyk"``."""
    @property
    def has_icc(self) -> bool: ...
    @property
    def has_exif(self) -> bool: ...
    @property
    def has_gps(self) -> bool: ...
    @property
    def frames(self) -> int: ...
    @property
    def progressive(self) -> bool: ...

__all__ = [
    "Crop",
    "ERROR_CODES",
    "Metadata",
    "Result",
    "__version__",
    "defaults",
    "metadata",
    "process",
    "thumbnail",
]

ERROR_CODES: Final[tuple[str, ...]]
__version__: Final[str]

def process(data: _Input, /, **options: Unpack[Options]) -> Result:
    """Crop and thumbnail ``data``; the options are the core's, as keyword arguments.

    Raises a ``thumbsmith.Error`` subclass (message from the core) on bad input or options.
    """

def thumbnail(
    data: _Input,
    /,
    width: Union[int, None],
    height: Union[int, None] = None,
    **options: Unpack[ThumbnailOptions],
) -> bytes:
    """The encoded bytes of ``process(data, width=width, height=height, **options)``."""

def metadata(data: _Input, /) -> Metadata:
    """Header facts of ``data`` without decoding pixels."""

def defaults() -> dict[str, Any]:
    """The core's default options (snake_case keys)."""
