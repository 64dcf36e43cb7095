"""Serve the translation memory (/api/v1/memory): store, list and remove editors' corrections.

With API keys on, all three take a key with the ``edit`` role (issue 31): a correction changes
what every key's translations say, and the sentences stored are the desks' articles.

Also the body of LibreTranslate's POST /suggest (``suggest``), which stores a suggestion in the
memory when NEWSDESK_SUGGESTIONS is on; libre.py routes it, with LibreTranslate's messages.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, request

from ..desk import memory
from ..errors import InvalidInput
from ..pipeline import detect_source_language, known_language
from ..stages.sentences import split_sentences
from . import access, inputs
from .error_responses import libretranslate_refusal

bp = Blueprint("memory", __name__, url_prefix="/api/v1/memory")
MAX_LIMIT = 1_000
# What each field of /suggest holds, for the message when it is missing.
SUGGESTION_FIELDS = {"q": "the original text", "s": "the suggested translation of q",
                     "source": "the language code of q", "target": "the language code of s"}


@bp.put("")
def put_entry():
    """Store the correction {"source", "target", "sentence", "translation"}; answer it as stored."""
    access.require_role("edit")
    fields = inputs.request_fields(request)
    settings = inputs.current_settings()
    source, target = _pair(fields)
    entry = memory.put(settings, source=source, target=target, sentence=inputs.text_field(fields, "sentence", settings),
                       translation=inputs.text_field(fields, "translation", settings), changed_by=access.changed_by())
    return jsonify(asdict(entry))


@bp.get("")
def list_entries():
    """{"entries": [...]}, filtered by the query's source, target, search and changed_by (a key's name:
    the corrections it changed last); paged by limit and offset.

    The desks' sentences are their articles': listing them takes an ``edit`` key."""
    access.require_role("edit")
    fields = request.args.to_dict()
    settings = inputs.current_settings()
    source = _language(fields, "source") if "source" in fields else None
    target = _language(fields, "target") if "target" in fields else None
    found = memory.entries(settings, source=source, target=target, search=fields.get("search") or None,
                           limit=inputs.count_field(fields, "limit", memory.DEFAULT_LIMIT, least=1, most=MAX_LIMIT),
                           offset=inputs.count_field(fields, "offset", 0, least=0), changed_by=fields.get("changed_by") or None)
    return jsonify(entries=[asdict(entry) for entry in found])


@bp.delete("")
def remove_entry():
    """Remove the correction named by source, target and sentence (JSON body, form or query); answer it."""
    access.require_role("edit")
    fields = {**request.args.to_dict(), **inputs.request_fields(request)}
    settings = inputs.current_settings()
    source, target = _pair(fields)
    entry = memory.remove(settings, source=source, target=target,
                          sentence=inputs.text_field(fields, "sentence", settings))
    return jsonify(removed=asdict(entry))


def _pair(fields: dict) -> tuple[str, str]:
    return _language(fields, "source"), _language(fields, "target")


def _language(fields: dict, name: str) -> str:
    """A known language code. Not inputs.language_field: for a field named source its message offers
    'auto', and a correction is always of one named language."""
    value = fields.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidInput(f"field {name!r} must be a language code (a string) such as 'en' or 'de'")
    if value is None or not value.strip():
        raise InvalidInput(f"field {name!r} is missing: give a language code such as 'en' or 'de'")
    return known_language(value, what=f"field {name!r}", settings=inputs.current_settings())


def suggest():
    """LibreTranslate's POST /suggest: store s as the translation of q (source -> target) in the memory.

    As LibreTranslate: refused (403) unless NEWSDESK_SUGGESTIONS is on, checked first; then each of
    q, s, source and target missing or empty is a 400, in its words (error_responses). Text of
    several sentences is stored sentence by sentence when q and s split into as many, else whole.
    """
    settings = inputs.current_settings()
    if not settings.suggestions:
        raise libretranslate_refusal(InvalidInput(
            "this service keeps no suggestions (NEWSDESK_SUGGESTIONS is off); its administrator can turn it on, "
            "and suggestions then go into the translation memory, which editors review at /api/v1/memory"),
            "suggestions_disabled")
    access.require_role("edit")  # as LibreTranslate stores suggestions only from trusted callers
    fields = inputs.libretranslate_fields(request, settings)
    for name, holds in SUGGESTION_FIELDS.items():
        if not fields.get(name):
            raise libretranslate_refusal(InvalidInput(f"field {name!r} is missing: send {holds}"), "missing", name=name)
    q, s = inputs.text_field(fields, "q", settings), inputs.text_field(fields, "s", settings)
    target = inputs.language_field(fields, "target", settings)
    source = inputs.language_field(fields, "source", settings, auto=True)
    if source == "auto":  # LibreTranslate's page sends the source it shows, "auto" included
        source = detect_source_language(q, targets=(target,), settings=settings, label="q").code
    memory.put_many(settings, corrections=_sentence_pairs(q, s, source=source, target=target),
                    changed_by=access.changed_by())
    return jsonify(success=True)


def _sentence_pairs(text: str, translation: str, *, source: str, target: str) -> list[memory.Correction]:
    """One correction per sentence when both sides have as many sentences (the memory is matched per
    sentence), else one for the whole text."""
    sentences, translated = split_sentences(text, source), split_sentences(translation, target)
    if len(sentences) != len(translated):
        sentences, translated = [text], [translation]
    return [memory.Correction(source, target, sentence, line) for sentence, line in zip(sentences, translated)]
