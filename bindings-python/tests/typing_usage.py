"""Checked by `mypy --strict --warn-unused-ignores` in `make test` (never run): the stubs accept
what users write and refuse what the core would refuse by name. Each `type: ignore[...]` below
must be needed, or mypy fails on the unused ignore."""

import io
import pathlib

from werkzeug.datastructures import FileStorage

import thumbsmith
from thumbsmith.options import Options


def accepted(upload: FileStorage, path: pathlib.Path) -> None:
    avatar: bytes = thumbsmith.thumbnail(upload, 512, 512)
    result = thumbsmith.process(
        path, width=256, position={"x": 0.5, "y": 0.3}, format="webp", background=[0, 0, 0]
    )
    print(avatar[:2], result.data, result.crop.left, result.thumbhash, result.mime_type)
    served: tuple[str, int] = (result.mime_type, result.size)
    print(served)
    meta = thumbsmith.metadata(io.BytesIO(b""))
    print(meta.oriented_width + meta.frames, meta.color_model.upper())
    for data in (b"", bytearray(), memoryview(b""), "photo.jpg"):
        thumbsmith.thumbnail(data, None, 64, crop={"left": 0, "top": 0, "width": 1, "height": 1})
    options: Options = {"width": 64, "fit": "contain", "kernel": "mitchell"}
    thumbsmith.process(b"", **options)
    try:
        thumbsmith.process(b"")
    except thumbsmith.Error as error:
        print(error.code.lower())


def refused() -> None:
    thumbsmith.process(b"", widht=5)  # type: ignore[call-arg]
    thumbsmith.process(b"", fit="squash")  # type: ignore[arg-type]
    thumbsmith.process(b"", quality="high")  # type: ignore[arg-type]
    thumbsmith.thumbnail(b"", 5, height=5, width=6)  # type: ignore[misc]
    thumbsmith.process(42)  # type: ignore[arg-type]
    thumbsmith.process(b"").data = b""  # type: ignore[misc]
    thumbsmith.process(b"", kernel="sinc")  # type: ignore[arg-type]
