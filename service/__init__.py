"""newsdesk: clean, summarize and translate news articles offline.

``create_app`` is the Flask application factory (gunicorn: ``service:create_app()``).
Importing this package stays light: Flask, CTranslate2 and the packs load on use, so the
stages and the command line start without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> "Flask":
    """Create the newsdesk web app (see service.http.create_app)."""
    from .http import create_app as create_http_app

    return create_http_app(test_config)
