"""Serve the glossary and the translation memory as pages: /glossary and /memory.

The browser's door to what the CLI and /api/v1/glossary and /api/v1/memory already do (issue
28): an editor lists the house spellings and the kept (do-not-translate) terms with who changed
each last, adds, changes or removes one, and brings back the glossary kept before the last
replace; on /memory they search the stored corrections, add one and remove one. Forms only, no
script: each POST answers the page again with what it did, or why not, inline.

With API keys on, the browser signs in on the main form; then the key's role decides (docs/operations.md,
"Roles"): any key reads the glossary, ``edit`` changes terms and lists, adds and
removes corrections, ``admin`` restores the glossary. Form POSTs from other sites get 403.
"""

from __future__ import annotations

import logging

from flask import Blueprint, g, render_template, request

from ..desk import glossary as stored_glossary
from ..desk import memory
from ..errors import KeyRequired, ServiceError
from ..pipeline import known_language, known_languages
from ..stages.language import DISPLAY_NAMES
from ..translation.terms import KEEP, clean_language, clean_term
from . import access, error_responses, inputs

log = logging.getLogger(__name__)

bp = Blueprint("terms_page", __name__)

PAGE_SIZE = 50  # corrections listed on one page of /memory
SIGN_IN_FIRST = ("This service needs an API key, and this browser is not signed in: enter your key once on the "
                 "main page, then come back here.")


# --- the glossary ------------------------------------------------------------------------

@bp.get("/glossary")
def glossary_page():
    return _glossary_page()


@bp.post("/glossary/terms")
def add_term():
    """Add a term for one language, or change how that language writes it."""
    def act(settings) -> str:
        target = known_language(request.form.get("target", ""), what="Language", settings=settings)
        source_term = clean_term(request.form.get("source_term", ""), what="The term")
        target_term = clean_term(request.form.get("target_term", ""), what="How it is written")
        before = stored_glossary.add_term(settings, target=target, source_term=source_term,
                                          target_term=target_term, changed_by=access.changed_by())
        said = f"{source_term!r} is written {target_term!r} in {_name(target)}"
        return f"Added: {said}." if before is None else (
            f"Unchanged: {said} already." if before == target_term else f"Changed: {said} (it was {before!r}).")

    return _action(act, role="edit", page=_glossary_page)


@bp.post("/glossary/keep")
def keep_term():
    """Keep a term as it is in every language (a name, an acronym)."""
    def act(settings) -> str:
        term = clean_term(request.form.get("term", ""), what="The term to keep")
        if stored_glossary.keep_term(settings, term, changed_by=access.changed_by()):
            return f"Kept: {term!r} stays as it is in every language."
        return f"Unchanged: {term!r} was kept already."

    return _action(act, role="edit", page=_glossary_page)


@bp.post("/glossary/remove")
def remove_term():
    """Remove one entry: a term for one language, or keeping a term."""
    def act(settings) -> str:
        term = clean_term(request.form.get("term", ""), what="The term to remove")
        target = request.form.get("target", "")
        removed = stored_glossary.remove_term(settings, term,
                                              target=target if target == KEEP else clean_language(target, what="Language"))
        return "Removed: " + "; ".join("keeping " + repr(term) if language == KEEP else
                                       f"{term!r} in {_name(language)} ({written!r})"
                                       for language, written in removed.items()) + "."

    return _action(act, role="edit", page=_glossary_page)


@bp.post("/glossary/restore")
def restore_glossary():
    """Bring back the glossary kept before the last replace, import or restore."""
    def act(settings) -> str:
        restored, kept = stored_glossary.restore(settings, changed_by=access.changed_by())
        return (f"Restored the glossary set aside {kept.saved} by {kept.saved_by} ({kept.why}): {restored.size} "
                "entries. The one it replaced is kept in its place: restore again to bring it back.")

    return _action(act, role="admin", page=_glossary_page)


def _action(act, *, role: str, page):
    """Do ``act(settings)`` with ``role``; answer ``page`` with what it did, or why not (what was
    typed kept in the form)."""
    settings = inputs.current_settings()
    try:
        access.require_role(role)
        message = act(settings)
    except ServiceError as error:
        return page(error=_said(error), status=error_responses.status_for(error), values=request.form)
    return page(message=message)


def _glossary_page(*, message: str = "", error: str = "", status: int = 200, values=None):
    settings = inputs.current_settings()
    page = _page(settings)
    changes = stored_glossary.changes(settings) if page["may_read"] else []
    return render_template(
        "glossary.html", **page, message=message, error=error, values=values or {},
        kept=[change for change in changes if change.target == KEEP],
        terms=[change for change in changes if change.target != KEEP],
        previous=stored_glossary.previous(settings) if page["may_read"] else None), status


# --- the memory --------------------------------------------------------------------------

@bp.get("/memory")
def memory_page():
    return _memory_page()


@bp.post("/memory/corrections")
def add_correction():
    """Store how one sentence is to be translated."""
    def act(settings) -> str:
        source = known_language(request.form.get("source", ""), what="From", settings=settings)
        target = known_language(request.form.get("target", ""), what="Into", settings=settings)
        entry = memory.put(settings, source=source, target=target, sentence=request.form.get("sentence", ""),
                           translation=request.form.get("translation", ""), changed_by=access.changed_by())
        return f"Stored: {entry.sentence!r} is translated {entry.translation!r} into {_name(entry.target)} from now on."

    return _action(act, role="edit", page=_memory_page)


@bp.post("/memory/remove")
def remove_correction():
    """Forget one correction: the model translates the sentence again."""
    def act(settings) -> str:
        entry = memory.remove(settings, source=request.form.get("source", ""), target=request.form.get("target", ""),
                              sentence=request.form.get("sentence", ""))
        return f"Removed the {entry.source}->{entry.target} correction of {entry.sentence!r}."

    return _action(act, role="edit", page=_memory_page)


def _memory_page(*, message: str = "", error: str = "", status: int = 200, values=None):
    settings = inputs.current_settings()
    page = _page(settings)
    query = {name: request.args.get(name, "").strip() for name in ("source", "target", "search")}
    offset = _offset(request.args.get("offset", "0"))
    entries, listing_error = [], ""
    if page["may_edit"]:
        try:
            entries = memory.entries(settings, source=query["source"] or None, target=query["target"] or None,
                                     search=query["search"] or None, limit=PAGE_SIZE + 1, offset=offset)
        except ServiceError as problem:  # a code typed into the address, say: the page still serves
            listing_error = str(problem)
    return render_template(
        "memory.html", **page, message=message, error=error or listing_error, values=values or {}, query=query,
        entries=entries[:PAGE_SIZE], offset=offset, more=len(entries) > PAGE_SIZE, page_size=PAGE_SIZE), status


# --- shared ------------------------------------------------------------------------------

def _page(settings) -> dict:
    """What both pages show about the browser's key and what it may do."""
    signed_in = access.web_key(settings) if settings.api_keys else None
    needs_key = bool(settings.api_keys and signed_in is None)
    role = signed_in.role if signed_in else None
    return {"signed_in": signed_in, "needs_key": needs_key, "may_read": not needs_key,
            "may_edit": not settings.api_keys or bool(signed_in and signed_in.may("edit")),
            "may_admin": not settings.api_keys or bool(signed_in and signed_in.may("admin")), "role": role,
            "languages": [(code, _name(code)) for code in known_languages(settings)], "names": DISPLAY_NAMES,
            "sign_in_first": SIGN_IN_FIRST}


def _said(error: ServiceError) -> str:
    """An error as the page says it: a missing sign-in points to the main page, not to a header."""
    return SIGN_IN_FIRST if isinstance(error, KeyRequired) else str(error)


def _name(code: str) -> str:
    return DISPLAY_NAMES.get(code, code)


def _offset(value: str) -> int:
    return int(value) if value.isdigit() else 0


@bp.before_request
def refuse_forms_from_other_sites():
    """A form POST sent from another site's page (CSRF) gets 403, the reason drawn on the page."""
    sender = access.cross_site_sender()
    if sender is None:
        return None
    log.warning("request %s: 403 cross-site form from %s", g.get("request_id"), sender)
    message = access.cross_site_message(sender)
    return _memory_page(error=message, status=403) if request.path.startswith("/memory") \
        else _glossary_page(error=message, status=403)
