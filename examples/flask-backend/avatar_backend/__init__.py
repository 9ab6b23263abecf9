"""The Flask backend of the serverless avatar flow (see examples/README.md)."""

from .app import create_app
from .config import Settings

__all__ = ["create_app", "Settings"]
