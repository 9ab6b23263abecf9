"""The functions, result types, defaults, stubs-adjacent facts."""

import re
import typing

import thumbsmith
from conftest import REPO, fixture_bytes
from thumbsmith.options import Options, ThumbnailOptions


def test_defaults_come_from_the_core_and_are_its_defaults():
    defaults = thumbsmith.defaults()
    photo = fixture_bytes("photo.jpg")
    # Passing every default explicitly changes nothing.
    assert thumbsmith.process(photo, **defaults).data == thumbsmith.process(photo).data
    assert defaults is not thumbsmith.defaults()  # a fresh dict each call: callers may edit it


def test_the_typed_options_name_exactly_the_core_options():
    keys = set(typing.get_type_hints(Options))
    assert keys == set(thumbsmith.defaults())
    assert keys - set(typing.get_type_hints(ThumbnailOptions)) == {"width", "height"}


def test_thumbnail_is_process_data():
    photo = fixture_bytes("photo.jpg")
    assert thumbsmith.thumbnail(photo, 48) == thumbsmith.process(photo, width=48).data
    assert (
        thumbsmith.thumbnail(photo, 48, 20, format="png", fit="contain")
        == thumbsmith.process(photo, width=48, height=20, format="png", fit="contain").data
    )
    assert thumbsmith.thumbnail(photo, None, 30) == thumbsmith.process(photo, height=30).data


def test_the_result_describes_the_job():
    result = thumbsmith.process(
        fixture_bytes("exif-6.jpg"), width=40, height=40, thumbhash=True, dominant_color=True,
        content_hash=True,
    )
    assert isinstance(result.data, bytes)
    assert result.data[:3] == b"\xff\xd8\xff"
    assert (result.format, result.mime_type, result.source_format) == ("jpeg", "image/jpeg", "jpeg")
    assert (result.width, result.height) == (40, 40)
    assert (result.source_width, result.source_height, result.orientation) == (96, 64, 6)
    assert result.crop == thumbsmith.process(fixture_bytes("exif-6.jpg"), width=40, height=40).crop
    assert (result.crop.width, result.crop.height) == (64, 64)
    assert isinstance(result.thumbhash, bytes) and len(result.thumbhash) > 5
    assert re.fullmatch(r"#[0-9a-f]{6}", result.dominant_color or "")
    assert re.fullmatch(r"[0-9a-f]{16}", result.content_hash or "")
    assert result.size == len(result.data)
    # The dataclass's repr leaves the bytes out.
    assert repr(result).startswith(
        f"Result(format='jpeg', mime_type='image/jpeg', size={result.size}, width=40, height=40, "
    )
    assert repr(result.crop) == (
        f"Crop(left={result.crop.left}, top=0, width=64, height=64)"
    )


def test_extras_are_none_unless_asked_for():
    result = thumbsmith.process(fixture_bytes("photo.jpg"), width=16)
    assert (result.thumbhash, result.dominant_color, result.content_hash) == (None, None, None)


def test_png_and_webp_outputs():
    alpha = fixture_bytes("alpha.png")
    png = thumbsmith.process(alpha, width=32, format="png")
    assert (png.format, png.mime_type, png.data[:4]) == ("png", "image/png", b"\x89PNG")
    webp = thumbsmith.process(alpha, width=32, format="webp", lossless=True)
    assert (webp.format, webp.mime_type, webp.data[8:12]) == ("webp", "image/webp", b"WEBP")


def test_metadata_reports_the_header():
    meta = thumbsmith.metadata(fixture_bytes("exif-6.jpg"))
    assert (meta.format, meta.width, meta.height) == ("jpeg", 64, 96)
    assert (meta.oriented_width, meta.oriented_height, meta.orientation) == (96, 64, 6)
    assert (meta.has_exif, meta.has_gps, meta.has_alpha, meta.color_model) == (True, True, False, "rgb")
    assert (meta.bit_depth, meta.frames, meta.progressive) == (8, 1, False)
    assert thumbsmith.metadata(fixture_bytes("patches-cmyk.jpg")).color_model == "cmyk"
    assert thumbsmith.metadata(fixture_bytes("animated.gif")).frames > 1
    assert thumbsmith.metadata(fixture_bytes("progressive.jpg")).progressive
    assert thumbsmith.metadata(fixture_bytes("rgb16.png")).bit_depth == 16
    assert repr(meta).startswith(
        "Metadata(format='jpeg', width=64, height=96, oriented_width=96, oriented_height=64, "
        "orientation=6"
    )


def test_results_are_read_only():
    result = thumbsmith.process(fixture_bytes("photo.jpg"), width=16)
    for attribute in ("data", "width", "crop"):
        try:
            setattr(result, attribute, None)
        except AttributeError:
            continue
        raise AssertionError(f"{attribute} could be set")


def test_the_version_is_the_cargo_version():
    # [workspace.package] version in the root Cargo.toml (no tomllib: the tests run on 3.9 too).
    cargo = (REPO / "Cargo.toml").read_text()
    package = cargo[cargo.index("[workspace.package]"):]
    version = re.search(r'^version = "([^"]+)"', package, re.MULTILINE)
    assert version and thumbsmith.__version__ == version.group(1)
    from importlib.metadata import version

    assert version("thumbsmith") == thumbsmith.__version__
