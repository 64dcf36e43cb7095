"""Serve the JSON API (/api/v1), health and readiness, and map every error to JSON."""

from __future__ import annotations

import logging
import os
import re
import uuid

from flask import Blueprint, Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException

from . import langpacks, render, translation, webinput
from .documents import Document, read_page
from .errors import LanguagePackMissing, ServiceError
from .language import DISPLAY_NAMES
from .openapi import openapi_document
from .pipeline import DEFAULT_TARGETS, deadline, process

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api/v1")
health = Blueprint("health", __name__)

def _article(fields: dict) -> Document:
    text = webinput.text_field(fields, "text", webinput.current_settings())
    if webinput.choice_field(fields, "format", webinput.FORMATS, "text") == "html":
        return read_page(text)
    return Document(text)


@bp.post("/process")
def process_article():
    """Clean, summarize and translate one article (JSON or form)."""
    fields = webinput.request_fields(request)
    settings = webinput.current_settings()
    article = _article(fields)
    targets = webinput.targets_field(fields, settings, DEFAULT_TARGETS)
    source = webinput.language_field(fields, "source", settings, default="auto", auto=True)
    result = process(article.text, targets=targets, summary=webinput.summary_field(fields),
                     method=webinput.method_field(fields), source=source, settings=settings,
                     deadline=deadline(settings), left_out=article.left_out)
    return jsonify(render.to_dict(result))


@bp.post("/summarize")
def summarize_article():
    """Clean and summarize one article; needs no language pack."""
    fields = webinput.request_fields(request)
    settings = webinput.current_settings()
    article = _article(fields)
    source = webinput.language_field(fields, "source", settings, default="auto", auto=True)
    result = process(article.text, targets=(), summary=webinput.summary_field(fields),
                     method=webinput.method_field(fields), source=source, settings=settings, left_out=article.left_out)
    data = render.to_dict(result)
    del data["translations"]
    return jsonify(data)


@bp.get("/languages")
def languages():
    """Installed pairs, the pairs reachable through English, and what is missing."""
    settings = webinput.current_settings()
    installed = langpacks.installed_packs(settings.packages_dir)
    return jsonify(
        installed=[{"code": p.code, "source": p.from_code, "target": p.to_code, "version": p.version} for p in installed],
        pairs=[{"source": a, "target": b, "via": via} for a, b, via in translation.reachable_pairs(settings)],
        missing=_missing(settings),
    )


def _missing(settings) -> list[dict]:
    return [
        {"code": ref.code, "pair": f"{ref.from_code}->{ref.to_code}", "fix": langpacks.how_to_get(ref, settings.langpacks_dir)}
        for ref in langpacks.missing_packs(settings)
    ]


@bp.get("/stats")
def stats():
    """This worker's sentence cache (hit rate) and loaded packs."""
    shared = translation.shared_cache(webinput.current_settings())
    return jsonify(pid=os.getpid(), sentence_cache=translation.sentence_cache(webinput.current_settings()).stats(),
                   shared_cache=shared.stats() if shared else None,
                   loaded=[f"{a}->{b}" for a, b in translation.loaded_pairs()])


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document of this service."""
    pairs = translation.reachable_pairs(webinput.current_settings())
    sources = sorted({a for a, _, _ in pairs}) or sorted(DISPLAY_NAMES)
    targets = sorted({b for _, b, _ in pairs} | set(sources)) if pairs else sorted(DISPLAY_NAMES)
    return jsonify(openapi_document(sources, targets))


@health.get("/health")
def alive():
    """Answer 200 while the process serves requests."""
    return jsonify(status="ok")


@health.get("/ready")
def ready():
    """200 when every pack the manifest names is installed and loads; else 503 and why."""
    settings = webinput.current_settings()
    missing = _missing(settings)
    if missing:
        return jsonify(status="not ready", error="missing language packs: " + ", ".join(m["code"] for m in missing),
                       missing=missing), 503
    packs = langpacks.installed_packs(settings.packages_dir)
    for pack in packs:
        translation.load_pack(pack.from_code, pack.to_code, settings)  # BadLanguagePack -> 503
    return jsonify(status="ready", packs=[pack.code for pack in packs])


# --- one place for errors -----------------------------------------------------------

_REQUEST_ID = re.compile(r"^[\w.-]{1,64}$")


def register_error_handlers(app: Flask) -> None:
    """Give every response a request id and every error a JSON body with ``error``."""

    memory = translation.IdleMemoryRelease()

    @app.before_request
    def assign_request_id():
        given = request.headers.get("X-Request-Id", "")
        g.request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        if request.method == "POST":
            memory.enter()
            g.counted_in_flight = True

    @app.after_request
    def send_request_id(response):
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if g.get("counted_in_flight"):
            # Once the body is sent, so no client waits for it.
            response.call_on_close(memory.leave)
        return response

    @app.errorhandler(ServiceError)
    def service_error(error: ServiceError):
        status = webinput.status_for(error)
        log.warning("request %s: %d %s", g.get("request_id"), status, error)
        body = {"error": str(error)}
        if isinstance(error, LanguagePackMissing) and error.pairs:
            body["missing"] = list(error.pairs)
        return jsonify(body), status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = error.description
        if error.code == 413:
            limit = request.max_content_length
            setting = "NEWSDESK_MAX_JOB_BYTES" if request.blueprint == "jobs" else "NEWSDESK_MAX_REQUEST_BYTES"
            message = f"the request body is over the limit of {limit:,} bytes ({setting}): send less"
        elif error.code == 429:  # Flask-Limiter's; its after_request adds Retry-After
            message = (f"too many requests: the limit is {error.description} per API key, or per address without "
                       "one (NEWSDESK_RATE_LIMIT); wait the seconds Retry-After gives, then send again")
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
