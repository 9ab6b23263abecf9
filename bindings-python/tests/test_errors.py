"""Every core error variant arrives as its class, with the core's message and code unchanged."""

import pytest

import thumbsmith
from conftest import FIXTURES, fixture_bytes

CLASSES = {
    "ERR_UNSUPPORTED_FORMAT": thumbsmith.UnsupportedFormatError,
    "ERR_CORRUPT_INPUT": thumbsmith.CorruptInputError,
    "ERR_LIMIT_EXCEEDED": thumbsmith.LimitExceededError,
    "ERR_INVALID_OPTION": thumbsmith.InvalidOptionError,
    "ERR_ENCODE_FAILED": thumbsmith.EncodeError,
    "ERR_IO": thumbsmith.IoError,
    "ERR_INTERNAL": thumbsmith.InternalError,
}


def test_there_is_one_class_per_core_code():
    assert set(CLASSES) == set(thumbsmith.ERROR_CODES)
    assert len(set(CLASSES.values())) == len(CLASSES)
    assert all(issubclass(cls, thumbsmith.Error) for cls in CLASSES.values())


@pytest.mark.parametrize(
    "cls, python_base",
    [
        (thumbsmith.UnsupportedFormatError, ValueError),
        (thumbsmith.CorruptInputError, ValueError),
        (thumbsmith.LimitExceededError, ValueError),
        (thumbsmith.InvalidOptionError, ValueError),
        (thumbsmith.IoError, OSError),
        (thumbsmith.InternalError, RuntimeError),
    ],
)
def test_bad_input_is_a_value_error_and_io_an_os_error(cls, python_base):
    assert issubclass(cls, python_base)


# (fixture, options, class, the core's exact message)
FIXTURE_ERRORS = [
    (
        "bomb.png",
        {},
        thumbsmith.LimitExceededError,
        "input pixel count 3600000000 exceeds the limit of 268402689 "
        "(raise `max_input_pixels` to allow it)",
    ),
    ("empty.bin", {}, thumbsmith.CorruptInputError, "corrupt unknown input: the input is empty (0 bytes)"),
    ("truncated.jpg", {}, thumbsmith.CorruptInputError, None),
    ("random.bin", {}, thumbsmith.UnsupportedFormatError, None),
    ("text.txt", {}, thumbsmith.UnsupportedFormatError, None),
    (
        # WebP cannot hold more than 16383 pixels a side; the output limit is raised past it.
        "photo.jpg",
        {"format": "webp", "lossless": True, "width": 16384, "height": 1, "fit": "fill",
         "max_output_dimension": 20000},
        thumbsmith.EncodeError,
        "cannot encode webp: 16384×1 is larger than WebP's 16383×16383",
    ),
    (
        "photo.jpg",
        {"max_input_bytes": 100},
        thumbsmith.LimitExceededError,
        None,
    ),
]


@pytest.mark.parametrize("name, options, cls, message", FIXTURE_ERRORS)
def test_each_bad_fixture_raises_its_class(name, options, cls, message):
    with pytest.raises(cls) as caught:
        thumbsmith.process(fixture_bytes(name), **options)
    error = caught.value
    assert error.code in thumbsmith.ERROR_CODES
    assert CLASSES[error.code] is cls
    if message is not None:
        assert str(error) == message
    # Only the core's Display: one line, no Python decoration added to it.
    assert error.args == (str(error),)


@pytest.mark.parametrize(
    "name, cls",
    [
        ("empty.bin", thumbsmith.CorruptInputError),
        ("random.bin", thumbsmith.UnsupportedFormatError),
        ("text.txt", thumbsmith.UnsupportedFormatError),
    ],
)
def test_metadata_raises_the_same_classes(name, cls):
    with pytest.raises(cls):
        thumbsmith.metadata(fixture_bytes(name))


def test_the_same_errors_come_from_paths_and_file_objects():
    for name, options, cls, message in FIXTURE_ERRORS:
        with pytest.raises(cls) as from_path:
            thumbsmith.process(FIXTURES / name, **options)
        with open(FIXTURES / name, "rb") as file, pytest.raises(cls) as from_file:
            thumbsmith.process(file, **options)
        assert str(from_path.value) == str(from_file.value)


def test_unsupported_format_names_what_it_is():
    with pytest.raises(thumbsmith.UnsupportedFormatError, match="^unsupported image format: "):
        thumbsmith.process(fixture_bytes("text.txt"))


def test_a_missing_file_is_a_file_not_found_error():
    missing = FIXTURES / "no-such-file.jpg"
    with pytest.raises(FileNotFoundError) as caught:
        thumbsmith.process(missing)
    assert isinstance(caught.value, thumbsmith.IoError)
    assert isinstance(caught.value, thumbsmith.NotFoundError)
    assert caught.value.code == "ERR_IO"
    assert (caught.value.kind, caught.value.path) == ("not_found", str(missing))
    assert str(caught.value).startswith(f"cannot read or write {missing}: ")


def test_other_io_failures_are_io_errors_of_kind_other(tmp_path):
    # A directory is no file: neither FileNotFoundError nor PermissionError.
    with pytest.raises(thumbsmith.IoError) as caught:
        thumbsmith.process(tmp_path)
    assert caught.value.kind == "other"
    assert not isinstance(caught.value, (FileNotFoundError, PermissionError))


def test_a_limit_error_carries_its_facts():
    with pytest.raises(thumbsmith.LimitExceededError) as caught:
        thumbsmith.process(FIXTURES / "photo.jpg", max_input_bytes=10)
    error = caught.value
    assert (error.option, error.limit, error.value) == (
        "max_input_bytes", 10, (FIXTURES / "photo.jpg").stat().st_size)


def test_an_oversize_file_is_refused_before_it_is_read():
    with pytest.raises(thumbsmith.LimitExceededError, match="raise `max_input_bytes`") as caught:
        thumbsmith.process(FIXTURES / "photo.jpg", max_input_bytes=10)
    assert caught.value.code == "ERR_LIMIT_EXCEEDED"


def test_an_unknown_keyword_is_the_core_message_naming_it():
    with pytest.raises(thumbsmith.InvalidOptionError) as caught:
        thumbsmith.process(fixture_bytes("photo.jpg"), widht=100)
    assert str(caught.value).startswith("invalid option: unknown field `widht`, expected one of")
    assert caught.value.code == "ERR_INVALID_OPTION"
    assert isinstance(caught.value, ValueError)


def test_unknown_keywords_of_thumbnail_too():
    with pytest.raises(thumbsmith.InvalidOptionError, match="unknown field `qualty`"):
        thumbsmith.thumbnail(fixture_bytes("photo.jpg"), 64, qualty=90)


@pytest.mark.parametrize(
    "options, fragment",
    [
        ({"fit": "squash"}, "unknown variant `squash`"),
        ({"quality": 0}, "quality must be 1–100, got 0"),
        ({"width": 0}, "width and height must be at least 1"),
        ({"width": -5}, "invalid option: "),
        ({"width": 10.5}, "invalid option: "),
        ({"width": "wide"}, "invalid option: "),
        ({"position": {"x": 2, "y": 0}}, "fractions in 0–1"),
        ({"crop": {"left": 0, "top": 0, "width": 5}}, "missing field `height`"),
        ({"background": object()}, "invalid option: "),
        ({"quality": 1 + 2j}, "invalid option: "),
    ],
)
def test_bad_values_are_refused_by_the_core(options, fragment):
    with pytest.raises(thumbsmith.InvalidOptionError) as caught:
        thumbsmith.process(fixture_bytes("photo.jpg"), **options)
    assert fragment in str(caught.value)
    assert str(caught.value).startswith("invalid option: ")


def test_a_crop_outside_the_image_is_an_invalid_option():
    with pytest.raises(thumbsmith.InvalidOptionError):
        thumbsmith.process(
            fixture_bytes("photo.jpg"), crop={"left": 150, "top": 0, "width": 50, "height": 10}
        )


def test_errors_can_be_caught_as_the_base_class():
    with pytest.raises(thumbsmith.Error) as caught:
        thumbsmith.thumbnail(fixture_bytes("empty.bin"), 10)
    assert caught.value.code == "ERR_CORRUPT_INPUT"
