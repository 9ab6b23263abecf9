# Stubs of the native module (src/lib.rs); `make test` runs mypy.stubtest so they cannot drift.
# The option and result types are generated from the core's (options.py, results.py).
import os
from typing import Any, Final, Protocol, Union

from typing_extensions import Buffer, Unpack

from thumbsmith.options import Options, ThumbnailOptions
from thumbsmith.results import Metadata, Result

class _BinaryReadable(Protocol):
    def read(self) -> bytes: ...

#: What every function takes as ``data``: the image bytes (any buffer), a path to read, or a
#: binary file object such as ``request.files["avatar"]``.
_Input = Union[bytes, bytearray, memoryview, Buffer, str, os.PathLike[str], _BinaryReadable]

__all__ = [
    "ERROR_CODES",
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
