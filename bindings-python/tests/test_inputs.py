"""Every kind of `data` gives the same result as plain bytes."""

import array
import io
import pathlib

import pytest
from werkzeug.datastructures import FileStorage

import thumbsmith
from conftest import FIXTURES, fixture_bytes

AVATAR = {"width": 64, "height": 64}


def expected() -> bytes:
    return thumbsmith.process(fixture_bytes("exif-6.jpg"), **AVATAR).data


def as_inputs():
    data = fixture_bytes("exif-6.jpg")
    path = FIXTURES / "exif-6.jpg"
    padded = b"xx" + data + b"yy"
    return {
        "bytes": lambda: data,
        "bytearray": lambda: bytearray(data),
        "memoryview": lambda: memoryview(data),
        "memoryview-slice": lambda: memoryview(padded)[2:-2],
        "memoryview-of-bytearray": lambda: memoryview(bytearray(data)),
        "array": lambda: array.array("B", data),
        "str-path": lambda: str(path),
        "pathlib": lambda: path,
        "binary-file": lambda: open(path, "rb"),
        "bytesio": lambda: io.BytesIO(data),
        "werkzeug-filestorage": lambda: FileStorage(
            stream=io.BytesIO(data), filename="me.jpg", content_type="image/jpeg"
        ),
    }


@pytest.mark.parametrize("kind", list(as_inputs()))
def test_every_input_kind_processes_the_same(kind):
    data = as_inputs()[kind]()
    try:
        result = thumbsmith.process(data, **AVATAR)
    finally:
        if hasattr(data, "close"):
            data.close()
    assert result.data == expected()
    assert (result.width, result.height, result.orientation) == (64, 64, 6)


@pytest.mark.parametrize("kind", list(as_inputs()))
def test_every_input_kind_reads_metadata(kind):
    meta = thumbsmith.metadata(as_inputs()[kind]())
    assert (meta.format, meta.width, meta.height, meta.orientation) == ("jpeg", 64, 96, 6)
    assert (meta.oriented_width, meta.oriented_height) == (96, 64)


@pytest.mark.parametrize("kind", list(as_inputs()))
def test_every_input_kind_makes_a_thumbnail(kind):
    assert thumbsmith.thumbnail(as_inputs()[kind](), 64, 64) == expected()


def test_a_file_object_is_read_from_its_position():
    data = fixture_bytes("photo.jpg")
    stream = io.BytesIO(b"junk" + data)
    stream.seek(4)
    assert thumbsmith.process(stream).data == thumbsmith.process(data).data


def test_a_mutable_buffer_is_copied_before_the_work():
    # The bytes are taken while the GIL is held: changing the buffer afterwards cannot matter.
    buffer = bytearray(fixture_bytes("photo.jpg"))
    before = thumbsmith.process(buffer, width=32).data
    buffer[:] = b"\0" * len(buffer)
    assert before == thumbsmith.process(fixture_bytes("photo.jpg"), width=32).data


def test_a_text_mode_file_is_refused(tmp_path: pathlib.Path):
    with open(FIXTURES / "text.txt", encoding="utf-8") as text:
        with pytest.raises(TypeError, match="binary mode"):
            thumbsmith.process(text)


def test_a_reader_returning_something_else_is_refused():
    class Odd:
        def read(self) -> int:
            return 7

    with pytest.raises(TypeError, match="read\\(\\) returned int, not bytes"):
        thumbsmith.metadata(Odd())


@pytest.mark.parametrize("value", [42, None, 3.5, ["photo.jpg"], {"data": b""}])
def test_other_types_are_a_type_error_naming_the_type(value):
    with pytest.raises(TypeError, match=type(value).__name__):
        thumbsmith.process(value)


def test_bytes_are_never_taken_for_a_path():
    with pytest.raises(thumbsmith.UnsupportedFormatError):
        thumbsmith.process(str(FIXTURES / "photo.jpg").encode())
