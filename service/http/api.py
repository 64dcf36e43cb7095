"""Serve the JSON API (/api/v1), health and readiness."""

from __future__ import annotations

import logging
import os

from flask import Blueprint, jsonify, request

from .. import defaults, outcome, translation
from ..pipeline import DEFAULT_TARGETS, deadline, process
from ..stages.documents import Document, read_page
from ..translation import packs
from . import inputs
from .openapi import served_document

log = logging.getLogger(__name__)
bp = Blueprint("api", __name__, url_prefix="/api/v1")
health = Blueprint("health", __name__)

def _article(fields: dict) -> Document:
    text = inputs.text_field(fields, "text", inputs.current_settings())
    if inputs.choice_field(fields, "format", inputs.FORMATS, "text") == "html":
        return read_page(text)
    return Document(text)


@bp.post("/process")
def process_article():
    """Clean, summarize and translate one article (JSON or form)."""
    fields = inputs.request_fields(request)
    settings = inputs.current_settings()
    article = _article(fields)
    targets = inputs.targets_field(fields, settings, DEFAULT_TARGETS)
    source = inputs.language_field(fields, "source", settings, default="auto", auto=True)
    result = process(article.text, targets=targets, summary=inputs.summary_field(fields),
                     method=inputs.method_field(fields), source=source, settings=settings,
                     deadline=deadline(settings), left_out=article.left_out, main_content=article.main_content,
                     alternatives=inputs.alternatives_field(fields), glossary=inputs.glossary_field(fields))
    return jsonify(outcome.to_dict(result))


@bp.post("/summarize")
def summarize_article():
    """Clean and summarize one article; needs no language pack."""
    fields = inputs.request_fields(request)
    settings = inputs.current_settings()
    article = _article(fields)
    source = inputs.language_field(fields, "source", settings, default="auto", auto=True)
    result = process(article.text, targets=(), summary=inputs.summary_field(fields),
                     method=inputs.method_field(fields), source=source, settings=settings,
                     deadline=deadline(settings), left_out=article.left_out,
                     main_content=article.main_content)
    data = outcome.to_dict(result)
    del data["translations"]
    return jsonify(data)


@bp.get("/languages")
def languages():
    """Installed pairs, the pairs reachable through English, and what is missing."""
    settings = inputs.current_settings()
    installed = packs.installed_packs(settings.packages_dir)
    return jsonify(
        installed=[{"code": p.code, "source": p.from_code, "target": p.to_code, "version": p.version} for p in installed],
        pairs=[{"source": a, "target": b, "via": via} for a, b, via in translation.reachable_pairs(settings)],
        missing=_missing(settings),
    )


def _missing(settings) -> list[dict]:
    """Every pack the manifest names that is not installed; "optional" unless the default job needs it."""
    default_job = {(defaults.DEFAULT_JOB_SOURCE, target) for target in DEFAULT_TARGETS}
    return [
        {"code": ref.code, "pair": f"{ref.from_code}->{ref.to_code}",
         "optional": (ref.from_code, ref.to_code) not in default_job, "fix": packs.how_to_get(ref, settings.langpacks_dir)}
        for ref in packs.missing_packs(settings)
    ]


@bp.get("/stats")
def stats():
    """This worker's sentence cache (hit rate), loaded packs, and the device they run on."""
    shared = translation.shared_cache(inputs.current_settings())
    return jsonify(pid=os.getpid(), sentence_cache=translation.sentence_cache(inputs.current_settings()).stats(),
                   shared_cache=shared.stats() if shared else None,
                   loaded=[f"{a}->{b}" for a, b in translation.loaded_pairs()],
                   engine=dict(zip(("device", "compute_type"), translation.engine(inputs.current_settings()))))


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 document of this service."""
    return jsonify(served_document(inputs.current_settings()))


@health.get("/health")
def alive():
    """Answer 200 while the process serves requests."""
    return jsonify(status="ok")


@health.get("/ready")
def ready():
    """200 when the default job works: an English article into every default target (its packs are
    installed and load); else 503 and why. Packs for articles in other languages are listed as
    optional when missing."""
    settings = inputs.current_settings()
    missing = _missing(settings)
    needed = [pack for pack in missing if not pack["optional"]]
    optional = [pack for pack in missing if pack["optional"]]
    if needed:
        return jsonify(status="not ready", error="missing language packs: " + ", ".join(m["code"] for m in needed),
                       missing=needed, optional_missing=optional), 503
    installed = packs.installed_packs(settings.packages_dir)
    for pack in installed:
        translation.load_pack(pack.from_code, pack.to_code, settings)  # BadLanguagePack -> 503
    if settings.redis_url and (down := _queue_down(settings)):
        # Articles and documents still work; batch jobs wait until the queue answers (issue 31).
        return jsonify(status="not ready", error=down, queue="down"), 503
    return jsonify(status="ready", packs=[pack.code for pack in installed], optional_missing=optional)


def _queue_down(settings) -> str | None:
    """Why NEWSDESK_REDIS_URL's job queue does not answer, or None when it does."""
    import redis

    from ..batch import queue
    from ..stores import redis_server

    try:
        redis_server.connect(settings).ping()
    except redis.RedisError as error:
        return str(queue.queue_unavailable(settings, error))
    return None
