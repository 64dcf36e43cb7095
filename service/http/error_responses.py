"""The one place where errors become responses: our error tree to statuses, and every error to JSON.

The API, the web page's JSON errors and the LibreTranslate routes all answer through
``register_error_handlers``; the page draws its own messages with ``status_for``. The
LibreTranslate routes answer in LibreTranslate's words and statuses, which its clients show
and match (issue 20), with newsdesk's own message, which says how to fix it, in "explanation".
"""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, request, url_for
from werkzeug.exceptions import HTTPException

from ..errors import (
    BadLanguagePack,
    DownloadFailed,
    IdempotencyConflict,
    InvalidInput,
    JobNotFinished,
    JobNotFound,
    KeyRejected,
    KeyRequired,
    LanguagePackMissing,
    QueueFull,
    RoleTooLow,
    ServiceBusy,
    ServiceError,
    TimedOut,
    TooLarge,
    UnsupportedLanguage,
)

log = logging.getLogger(__name__)

# The one mapping of the error tree to HTTP statuses, for the API, the page and LibreTranslate's routes.
STATUS_BY_ERROR = [
    (InvalidInput, 400),
    (UnsupportedLanguage, 400),
    (KeyRequired, 401),
    (KeyRejected, 403),
    (RoleTooLow, 403),
    (JobNotFound, 404),
    (JobNotFinished, 409),
    (IdempotencyConflict, 409),
    (TooLarge, 413),
    (TimedOut, 504),
    (LanguagePackMissing, 503),
    (QueueFull, 503),
    (ServiceBusy, 503),
    (BadLanguagePack, 503),
    (DownloadFailed, 503),
]


# The blueprint of LibreTranslate's routes (service/http/libre.py), which answer in its words.
LIBRETRANSLATE_BLUEPRINT = "libretranslate"
# LibreTranslate's words and statuses for its refusals, from its libretranslate/app.py (1.6-1.9),
# by the case libre.py names when it refuses (``libretranslate_refusal``).
LIBRETRANSLATE_WORDS = {
    "missing": (400, "Invalid request: missing {name} parameter"),
    "invalid_json": (400, "Invalid JSON format"),
    "not_a_number": (400, "Invalid request: {name} parameter is not a number"),
    "over_maximum": (400, "Invalid request: {name} parameter must be <= {value}"),
    # Its --char-limit (each text) and --batch-limit (texts in q) say it alike.
    "over_limit": (400, "Invalid request: request ({size}) exceeds text limit ({limit})"),
    "unsupported_language": (400, "{code} is not supported"),
    "unsupported_format": (400, "{format} format is not supported"),
    "unreachable": (400, "{target_name} ({target}) is not available as a target language from "
                         "{source_name} ({source})"),
    "file_format": (400, "Invalid request: file format not supported"),
    "invalid_filename": (400, "Invalid filename"),
    # LibreTranslate answers a 500 for a file it no longer has; a 404 says what happened.
    "file_not_found": (404, "File not found"),
    "suggestions_disabled": (403, "Suggestions are disabled on this server."),
}
# Refusals of the key check (service/http/access.py), which runs before any route: in LibreTranslate's
# words by their kind. LibreTranslate answers a missing key with 400, not 401.
LIBRETRANSLATE_WORDS_BY_KIND = [
    (KeyRejected, (403, "Invalid API key")),
    (RoleTooLow, (403, "Invalid API key")),
    (KeyRequired, (400, "Please contact the server operator to get an API key")),
]
LIBRETRANSLATE_WORDS_ATTRIBUTE = "libretranslate_words"


def libretranslate_refusal(error: ServiceError, case: str, **values) -> ServiceError:
    """``error`` (newsdesk's message) marked with LibreTranslate's words and status for ``case``,
    which the LibreTranslate routes answer with; ``values`` fill in the words."""
    status, words = LIBRETRANSLATE_WORDS[case]
    setattr(error, LIBRETRANSLATE_WORDS_ATTRIBUTE, (status, words.format(**values)))
    return error


def _libretranslate_words(error: ServiceError) -> tuple[int, str] | None:
    """LibreTranslate's status and words for ``error``, or None where it has none (newsdesk's stand)."""
    marked = getattr(error, LIBRETRANSLATE_WORDS_ATTRIBUTE, None)
    return marked or next((words for kind, words in LIBRETRANSLATE_WORDS_BY_KIND if isinstance(error, kind)), None)


def _answer(error: ServiceError) -> tuple[dict, int]:
    """The JSON body and status of one of our errors, in LibreTranslate's words on its routes."""
    status, body = status_for(error), {"error": str(error)}
    words = _libretranslate_words(error) if request.blueprint == LIBRETRANSLATE_BLUEPRINT else None
    if words is not None:
        status, body = words[0], {"error": words[1], "explanation": str(error)}
    if isinstance(error, LanguagePackMissing) and error.pairs:
        body["missing"] = list(error.pairs)
    return body, status


def status_for(error: ServiceError) -> int:
    """The HTTP status of one of our errors; anything unlisted means the server is not set up (503)."""
    return next((code for kind, code in STATUS_BY_ERROR if isinstance(error, kind)), 503)


def body_too_large(*, limit: int, setting: str) -> str:
    """The 413 message for a body over ``limit`` bytes: the app's and the front's (service/http/front.py)."""
    return f"the request body is over the limit of {limit:,} bytes ({setting}): send less"


def _too_large_message() -> str:
    """Werkzeug answers 413 for a body over the limit and for a form of too many parts: say which."""
    limit = request.max_content_length
    if limit is None or request.content_length is None or request.content_length > limit:
        setting = "NEWSDESK_MAX_JOB_BYTES" if request.blueprint == "jobs" else "NEWSDESK_MAX_REQUEST_BYTES"
        return body_too_large(limit=limit, setting=setting) if limit is not None else "the request body is too large"
    return (f"the form has more than {request.max_form_parts:,} fields and files: send the article in one field "
            "(text) or as JSON")


def register_error_handlers(app: Flask) -> None:
    """Give every error a JSON body with ``error`` and the status of its kind."""

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        body, status = _answer(error)
        log.warning("request %s: %d %s", g.get("request_id"), status, error)
        return jsonify(body), status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = error.description
        if error.code == 404 and request.url_rule is None:  # no such path (not a missing file or job)
            message = f"{message.rstrip('.')}; the API is described at {url_for('docs.page')}"
        elif error.code == 413:
            message = _too_large_message()
        elif error.code == 429:  # Flask-Limiter's; its after_request adds Retry-After
            message = (f"too many requests: the limit is {error.description} per API key, or per address without "
                       "one (NEWSDESK_RATE_LIMIT); wait the seconds Retry-After gives, then send again")
        if error.code == 429 and request.blueprint == LIBRETRANSLATE_BLUEPRINT:
            response = jsonify(error=f"Slowdown: {error.description}", explanation=message)  # LibreTranslate's words
        else:
            response = jsonify(error=message)
        response.status_code = error.code
        for header, value in error.get_headers():  # e.g. Allow on a 405 (RFC 9110)
            if header.lower() != "content-type":
                response.headers[header] = value
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("request %s failed", g.get("request_id"))
        return jsonify(error=f"internal error; the server log has the details (request id {g.get('request_id')})"), 500
