"""Serve the glossary at /api/v1/glossary (GET it, PUT a new one, see and undo its changes).

There is one glossary for the whole service, even with API keys on: a newsroom's house
spellings ("Gaddafi", "Kyiv") are the newsroom's, so every key reads the same one, and every
translation, whoever asked for it, writes a name the same way. Replacing it takes an
``admin`` key (issue 31: any key could wipe it). A caller
that needs other spellings for one request sends them in that request's "glossary" field
(``inputs.inline_glossary``), which goes over the stored one for that request only.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, request

from ..desk import glossary as stored_glossary
from ..errors import InvalidInput
from ..translation.terms import Glossary
from . import access, inputs

bp = Blueprint("glossary", __name__, url_prefix="/api/v1")

SHAPE = '{"terms": {"de": {"Gadhafi": "Gaddafi"}}, "keep": ["NTC"]}'
PUT_FIELDS = ("terms", "keep", "version")  # "version" as GET gives it back; it is ignored


@bp.get("/glossary")
def show_glossary():
    """The service's glossary: terms per target language, kept terms, and its version."""
    return jsonify(stored_glossary.load(inputs.current_settings()).as_dict())


@bp.put("/glossary")
def replace_glossary():
    """Replace the whole glossary with the body's (the shape GET answers); answer what is stored.

    With keys on, only an ``admin`` key may: one request replaces every desk's house spellings."""
    access.require_role("admin")
    fields = _glossary_body()
    new = Glossary(by_target=inputs.terms_field(fields.get("terms", {}), label="field 'terms'"),
                   keep=inputs.keep_field(fields.get("keep", []), label="field 'keep'"))
    return jsonify(stored_glossary.replace_all(inputs.current_settings(), new,
                                               changed_by=access.changed_by()).as_dict())


@bp.get("/glossary/changes")
def glossary_changes():
    """Every entry with who last changed it and when (``?changed_by=NAME``: that key's), and the
    version kept for undo. With keys on, an ``edit`` key."""
    access.require_role("edit")
    settings = inputs.current_settings()
    kept = stored_glossary.previous(settings)
    return jsonify(entries=[asdict(change) for change in stored_glossary.changes(
                       settings, changed_by=request.args.get("changed_by"))],
                   previous=asdict(kept) if kept else None)


@bp.post("/glossary/restore")
def restore_glossary():
    """Bring back the glossary as it was before it was last replaced, imported into or restored
    (the one of now is kept in its place); answer what is stored. With keys on, an ``admin`` key."""
    access.require_role("admin")
    restored, _kept = stored_glossary.restore(inputs.current_settings(), changed_by=access.changed_by())
    return jsonify(restored.as_dict())


def _glossary_body() -> dict:
    if not request.is_json:
        raise InvalidInput(f"send the glossary as JSON (Content-Type: application/json), e.g. {SHAPE}")
    fields = inputs.json_body(request)
    if not isinstance(fields, dict):
        raise InvalidInput(f"the body must be a JSON object, e.g. {SHAPE}")
    unknown = sorted(set(fields) - set(PUT_FIELDS))
    if unknown:
        raise InvalidInput(f"field {unknown[0]!r} is not part of a glossary: send 'terms' and 'keep', e.g. {SHAPE}")
    if "terms" not in fields and "keep" not in fields:
        raise InvalidInput(f"send the whole glossary, e.g. {SHAPE}; to empty it send "
                           '{"terms": {}, "keep": []}')
    return fields
