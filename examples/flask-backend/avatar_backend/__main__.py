"""`python -m avatar_backend --port 8000`: Werkzeug's threaded server on 127.0.0.1, for the local
stack. In production run `create_app()` under a WSGI server (gunicorn, or a Lambda adapter)."""

import argparse

from werkzeug.serving import run_simple

from . import create_app

parser = argparse.ArgumentParser()
parser.add_argument("--host", default="127.0.0.1")
parser.add_argument("--port", type=int, default=8000)
args = parser.parse_args()
run_simple(args.host, args.port, create_app(), threaded=True)
