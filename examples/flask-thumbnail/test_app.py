"""The Flask example, through Flask's test client with real multipart uploads."""

import io
from pathlib import Path

import pytest

import thumbsmith
from app import create_app

FIXTURES = Path(__file__).resolve().parents[2] / "core" / "tests" / "fixtures"


@pytest.fixture
def client():
    app = create_app()
    app.config["TESTING"] = True
    return app.test_client()


def upload(client, name: str, field: str = "avatar"):
    data = (FIXTURES / name).read_bytes()
    return client.post(
        "/avatar",
        data={field: (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_an_upload_becomes_the_512_avatar(client):
    response = upload(client, "photo.jpg")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    meta = thumbsmith.metadata(response.data)
    assert (meta.format, meta.width, meta.height) == ("jpeg", 512, 512)
    # The bytes of the avatar job itself, as every other binding makes it.
    photo = (FIXTURES / "photo.jpg").read_bytes()
    assert response.data == thumbsmith.thumbnail(photo, 512, 512)


def test_a_sideways_phone_photo_comes_back_upright_and_without_gps(client):
    response = upload(client, "exif-6.jpg")
    assert response.status_code == 200
    meta = thumbsmith.metadata(response.data)
    assert (meta.width, meta.height, meta.orientation, meta.has_gps) == (512, 512, 1, False)
    source = (FIXTURES / "exif-6.jpg").read_bytes()
    assert response.data == thumbsmith.process(source, width=512, height=512).data


def test_a_png_with_a_jpeg_name_is_still_a_png_to_decode(client):
    response = upload(client, "mislabelled.jpg")
    assert response.status_code == 200
    assert thumbsmith.metadata(response.data).width == 512


@pytest.mark.parametrize(
    "name, status, code",
    [
        ("text.txt", 415, "ERR_UNSUPPORTED_FORMAT"),
        ("truncated.jpg", 422, "ERR_CORRUPT_INPUT"),
        ("empty.bin", 422, "ERR_CORRUPT_INPUT"),
        ("bomb.png", 413, "ERR_LIMIT_EXCEEDED"),
    ],
)
def test_bad_uploads_get_the_core_message(client, name, status, code):
    response = upload(client, name)
    assert response.status_code == status
    assert response.json is not None
    assert response.json["code"] == code
    with pytest.raises(thumbsmith.Error) as direct:
        thumbsmith.process(FIXTURES / name, width=512, height=512)
    assert response.json["error"] == str(direct.value)


def test_a_request_without_the_field_is_a_400(client):
    response = upload(client, "photo.jpg", field="photo")
    assert response.status_code == 400
    assert "avatar" in response.json["error"]
