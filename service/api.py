"""Serve the HTTP API: liveness, readiness, and one mapping from errors to JSON."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, current_app, jsonify
from werkzeug.exceptions import HTTPException

from . import langpacks
from .errors import (
    BadLanguagePack,
    DownloadFailed,
    InvalidInput,
    LanguagePackMissing,
    ServiceError,
    UnsupportedLanguage,
)

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__)

STATUS_BY_ERROR = [
    (InvalidInput, 400),
    (UnsupportedLanguage, 400),
    (LanguagePackMissing, 503),
    (BadLanguagePack, 503),
    (DownloadFailed, 503),
]


@bp.get("/health")
def health():
    """Answer 200 while the process serves requests."""
    return jsonify(status="ok")


@bp.get("/ready")
def ready():
    """Answer 200 when every pack the manifest names is installed, else 503 with the fix."""
    settings = current_app.config["NEWSDESK"]
    missing = langpacks.missing_packs(settings)
    if missing:
        return jsonify(
            status="not ready",
            error="missing language packs: " + ", ".join(ref.code for ref in missing),
            missing=[
                {"code": ref.code, "pair": f"{ref.from_code}->{ref.to_code}", "fix": langpacks.how_to_get(ref, settings.langpacks_dir)}
                for ref in missing
            ],
        ), 503
    return jsonify(status="ready", packs=[pack.code for pack in langpacks.installed_packs(settings.packages_dir)])


def register_error_handlers(app: Flask) -> None:
    """Map every error to a JSON body with an ``error`` field; never leak a traceback."""

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        # Anything else of ours (say, no pack manifest) means the server is not set up.
        status = next((code for kind, code in STATUS_BY_ERROR if isinstance(error, kind)), 503)
        return jsonify(error=str(error)), status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        return jsonify(error=error.description), error.code

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        return jsonify(error="internal error; the server log has the details"), 500
