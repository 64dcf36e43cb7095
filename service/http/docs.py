"""Serve the API's documentation page at /docs (Swagger UI, shipped with the app: no CDN)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("docs", __name__)
