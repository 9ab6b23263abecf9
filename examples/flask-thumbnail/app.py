"""A Flask backend route that makes the 512×512 avatar itself (an admin upload, a re-crop, the
fallback when the serverless thumbnail step is not deployed).

    flask --app app run            # then:
    curl -F avatar=@photo.jpg http://127.0.0.1:5000/avatar -o avatar.jpg

Its tests (test_app.py, Flask's test client) run in `make -C bindings-python test`, in that venv.
"""

from __future__ import annotations

from flask import Flask, Response, request

import thumbsmith

AVATAR_SIZE = 512

# What each thumbsmith error means to the client; anything else is the server's fault (500).
STATUS_BY_CODE = {
    "ERR_UNSUPPORTED_FORMAT": 415,
    "ERR_CORRUPT_INPUT": 422,
    "ERR_LIMIT_EXCEEDED": 413,
}


def create_app() -> Flask:
    app = Flask(__name__)
    # Flask refuses bigger request bodies itself, before thumbsmith sees them.
    app.config["MAX_CONTENT_LENGTH"] = 25 * 1024 * 1024

    @app.post("/avatar")
    def avatar() -> Response | tuple[dict[str, str], int]:
        upload = request.files.get("avatar")
        if upload is None:
            return {"error": "send the photo as the multipart field `avatar`"}, 400
        try:
            # The upload itself goes in (a werkzeug FileStorage): no .read() needed. The GIL is
            # released while it is decoded, so Flask's other request threads keep serving.
            result = thumbsmith.process(upload, width=AVATAR_SIZE, height=AVATAR_SIZE)
        except thumbsmith.Error as error:
            return {"error": str(error), "code": error.code}, STATUS_BY_CODE.get(error.code, 500)
        return Response(result.data, mimetype=result.mime_type)

    return app


app = create_app()
