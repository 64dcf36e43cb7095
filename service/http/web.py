"""Serve the web form: paste or upload an article, read the summary and translations.

Works with JavaScript off (a plain form POST renders the results on the server);
static/desk.js only adds copy buttons, a busy notice and click-to-see-the-source. Form
POSTs are taken only from this site's own page (CSRF: Origin, else Referer, is checked).
"""

from __future__ import annotations

import json
from urllib.parse import quote

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge

from .. import defaults, render
from ..errors import KeyRequired, ServiceError
from ..pipeline import DEFAULT_TARGETS, deadline, process
from ..stages.clean import HEADING, PARAGRAPH, REMOVAL_REASONS
from ..stages.documents import Document, read_document
from ..stages.language import DISPLAY_NAMES, RTL_LANGUAGES
from ..stages.summary import DEFAULT_METHOD, METHODS
from . import access, error_responses, inputs

bp = Blueprint("web", __name__)
CHOICES = defaults.TARGETS


@bp.get("/")
def form():
    """The empty form."""
    return render_template("desk.html", **_page(_defaults()))


@bp.post("/")
def submit():
    """Process the pasted or uploaded article; show the results, or the error inline."""
    settings = inputs.current_settings()
    try:
        values = _read_form()
    except RequestEntityTooLarge:
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        return _with_error(_defaults(), f"The upload is over the limit of {limit:,} bytes: send a shorter article.", 413)
    try:
        _check_key(settings)
        uploaded = _upload(settings)
        if uploaded.text:  # an uploaded file wins over the text box, and shows in it afterwards
            values["article"], values["text"] = uploaded.text, values["text"] or uploaded.text
        inputs.check_length("text", values["article"], settings)
        result = process(values["article"], targets=values["targets"], summary=values["summary"],
                         method=values["method"], source=values["source"], settings=settings,
                         deadline=deadline(settings), left_out=uploaded.left_out)
    except ServiceError as error:
        return _with_error(values, str(error), error_responses.status_for(error))
    return render_template("desk.html", **_page(values), result=result, views=_views(result, values["targets"]),
                           downloads=_downloads(result, values["targets"]), reasons=REMOVAL_REASONS)


@bp.before_request
def refuse_forms_from_other_sites():
    """A form POST sent from another site's page (CSRF) gets 403, the reason drawn on the form."""
    sender = access.cross_site_sender()
    # The form comes back empty: what a page elsewhere sent is not the editor's text.
    return None if sender is None else _with_error(_defaults(), access.cross_site_message(sender), 403)


@bp.errorhandler(429)
def too_many_requests(error):
    """Over the rate limit (Flask-Limiter): the form comes back filled in, with the reason."""
    return _with_error(_read_form(), f"Too many requests: the limit is {error.description}. Wait a moment "
                       "(the Retry-After header says how long), then send again.", 429)


@bp.post("/key/forget")
def forget_key():
    """Sign out: end this browser's session, here and in every copy of its cookie."""
    access.forget_web_key(inputs.current_settings())
    return redirect(url_for("web.form"), 303)


def _check_key(settings) -> None:
    """With keys on, the form asks once; the session cookie signs the browser in after that."""
    if not settings.api_keys or access.web_key(settings):
        return
    typed = request.form.get("api_key", "").strip()
    if not typed:
        raise KeyRequired("This service needs an API key: enter yours above (your administrator can make one "
                          "with `newsdesk keys add NAME`).")
    access.remember_web_key(settings, typed)


def _defaults() -> dict:
    return {"text": "", "article": "", "targets": DEFAULT_TARGETS, "summary": str(defaults.SUMMARY_LENGTH),
            "method": DEFAULT_METHOD, "source": defaults.SOURCE}


def _read_form() -> dict:
    form = request.form
    text = form.get("text", "")
    return {"text": text, "article": text, "targets": tuple(c for c in form.getlist("target") if c in CHOICES),
            "summary": form.get("summary", "").strip() or str(defaults.SUMMARY_LENGTH),
            "method": form.get("method", DEFAULT_METHOD), "source": form.get("source", defaults.SOURCE)}


def _upload(settings) -> Document:
    """The uploaded file, or an empty Document when none was sent."""
    upload = inputs.uploaded_file(request, settings)
    return read_document(upload.filename, upload.read()) if upload else Document("")


def _with_error(values: dict, message: str, status: int):
    # The form comes back filled in: nothing the editor typed is lost.
    return render_template("desk.html", **_page(values), error=message), status


def _page(values: dict) -> dict:
    settings = inputs.current_settings()
    signed_in = access.web_key(settings) if settings.api_keys else None
    return {"needs_key": settings.api_keys and signed_in is None, "signed_in": signed_in,
            "values": values, "choices": [(code, DISPLAY_NAMES[code]) for code in CHOICES], "methods": METHODS, "default_method": DEFAULT_METHOD,
            "sources": ["auto", *CHOICES, "en"], "names": DISPLAY_NAMES, "max_characters": settings.max_characters}


def _views(result, targets) -> list[dict]:
    """The original, then one block per language, sentence by sentence with its source."""
    source = {"code": result.source, "is_source": True, "title": result.article.title, "teaser": result.article.teaser,
              "summary": result.summary_sentences, "headings": result.article.headings, "sentences": result.sentences}
    views = [source]
    for code in targets:
        item = result.translations[code]
        views.append({"code": code, "is_source": False, "title": item.title, "teaser": item.teaser,
                      "summary": list(item.summary), "headings": item.headings, "sentences": item.sentences})
    for view in views:
        view["name"] = DISPLAY_NAMES.get(view["code"], view["code"])
        view["rtl"] = view["code"] in RTL_LANGUAGES
        view["paragraphs"] = _paragraphs(result, view["headings"], view["sentences"])
    return views


def _paragraphs(result, headings, sentences) -> list[dict]:
    paragraphs, heading = [], iter(headings)
    for index, block in enumerate(result.article.blocks):
        if block.kind == HEADING:
            paragraphs.append({"kind": HEADING, "text": next(heading)})
        else:
            paragraphs.append({"kind": PARAGRAPH, "sentences": [
                (i, sentences[i], result.sentences[i]) for i, owner in enumerate(result.paragraph_index) if owner == index]})
    return paragraphs


def _downloads(result, targets) -> list[dict]:
    """Markdown and XLIFF per language and JSON of everything, named after the article
    (secret-talks.de.md), as data: links (no JavaScript needed)."""
    stem = render.file_stem(result)
    links = [{"label": f"Markdown ({DISPLAY_NAMES.get(code, code)})", "name": f"{stem}.{code}.md",
              "href": "data:text/markdown;charset=utf-8," + quote(render.to_markdown(result, code))} for code in targets]
    links += [{"label": f"XLIFF ({DISPLAY_NAMES.get(code, code)})", "name": f"{stem}.{code}.xlf",
               "href": "data:application/xliff+xml;charset=utf-8," + quote(render.to_xliff(result, code))}
              for code in targets]
    links.append({"label": "JSON (everything)", "name": f"{stem}.json",
                  "href": "data:application/json;charset=utf-8," + quote(json.dumps(render.to_dict(result), ensure_ascii=False))})
    return links
