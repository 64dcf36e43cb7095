"""Serve the editor's desk: paste or upload an article, read the summary and translations side
by side, correct them into the translation memory, download them.

Without JavaScript a form POST to ``/`` runs the article and renders the page. With it,
static/desk.js posts to ``/runs`` instead, which starts the article in a thread of this
worker and answers at once; the page polls ``/runs/<id>`` for the steps reached and opens
``/results/<id>`` when it is done. Either way the result is kept (service/results.py) for its
page, its downloads (``/results/<id>/files/<name>``) and the editor's changes. Form POSTs are
taken only from this site's own page (CSRF: Origin, else Referer, is checked).
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import (Blueprint, Response, current_app, jsonify, redirect, render_template, request, session,
                   url_for)
from markupsafe import Markup, escape
from werkzeug.exceptions import RequestEntityTooLarge

from .. import defaults, memory, render, results
from ..errors import InvalidInput, KeyRequired, ServiceBusy, ServiceError, TooLarge
from ..stages.office import MEDIA_TYPES, Limits
from ..pipeline import (DEFAULT_TARGETS, Result, deadline, known_language, process, translate_texts,
                        translate_texts_with_alternatives, translated_document)
from ..stages.clean import HEADING, PARAGRAPH, REMOVAL_REASONS, Article
from ..stages.documents import Document, read_document
from ..stages.language import DISPLAY_NAMES, RTL_LANGUAGES, SURE_CONFIDENCE, detect_language
from ..stages.summary import DEFAULT_METHOD, METHODS
from ..translation import effective_glossary, routing
from . import access, error_responses, inputs

bp = Blueprint("web", __name__)
CHOICES = defaults.TARGETS
# Articles one worker runs in the background for the desk at once; more get 503 until one ends.
RUNS_PER_WORKER = 4
ALTERNATIVES = 3  # next-best translations offered when an editor asks for them
DOCUMENT_LABELS = {".docx": "Word", ".odt": "OpenDocument"}
# What each download is: (extension, label, media type, renderer).
FILE_KINDS = {"md": ("Markdown", "text/markdown", render.to_markdown),
              "txt": ("Text", "text/plain", render.to_text),
              "html": ("HTML", "text/html", render.to_html),
              "xlf": ("XLIFF", "application/xliff+xml", render.to_xliff)}


@bp.record_once
def _make_room(state) -> None:
    state.app.extensions["newsdesk.desk_runs"] = threading.BoundedSemaphore(RUNS_PER_WORKER)


@bp.get("/")
def form():
    """The empty form, and this browser's recent articles."""
    return render_template("desk.html", **_page(_defaults()), recent=_recent_runs(inputs.current_settings()))


@bp.post("/")
def submit():
    """Run the pasted or uploaded article here and now (the page without JavaScript)."""
    settings = inputs.current_settings()
    try:
        values = _read_form()
    except RequestEntityTooLarge:
        return _with_error(_defaults(), _too_large_message(), 413)
    try:
        _check_key(settings)
        values, document = _with_upload(_known_targets(values, settings), settings)
        values = _remembered(values, document)
        run_id = results.start(settings, owner=_owner(settings), form=values, document=document.kept)
        _remember_run(run_id)
        result = _run(settings, run_id, values, document)
    except ServiceError as error:
        return _with_error(values, str(error), error_responses.status_for(error))
    return render_template("desk.html", **_result_page(run_id, result, values, document=document.name))


@bp.post("/runs")
def start_run():
    """Start the article in the background (the page with JavaScript): 202 with where to
    follow it, or the error as JSON."""
    settings = inputs.current_settings()
    try:
        values = _read_form()
    except RequestEntityTooLarge:
        return jsonify(error=_too_large_message()), 413
    room = current_app.extensions["newsdesk.desk_runs"]
    try:
        _check_key(settings)
        values, document = _with_upload(_known_targets(values, settings), settings)
        values = _remembered(values, document)
        if not room.acquire(blocking=False):
            raise ServiceBusy(f"this server is already working on {RUNS_PER_WORKER} articles from the desk: "
                              "send this one again in a moment")
        run_id = results.start(settings, owner=_owner(settings), form=values, document=document.kept)
        _remember_run(run_id)
    except ServiceError as error:
        return jsonify(error=str(error)), error_responses.status_for(error)

    def run_and_make_room() -> None:
        try:
            _run(settings, run_id, values, document)
        except ServiceError:
            pass  # stored by _run for the page to show
        finally:
            room.release()

    threading.Thread(target=run_and_make_room, name=f"desk-run-{run_id[:6]}", daemon=True).start()
    return jsonify(id=run_id, progress=url_for("web.run_progress", run_id=run_id),
                   page=url_for("web.result_page", run_id=run_id)), 202


@bp.get("/runs/<run_id>")
def run_progress(run_id: str):
    """How far the article got: {"status", "steps", "page", "error"}."""
    run = _load(run_id)
    return jsonify(status=run.status, steps=[_step_label(step) for step in run.steps],
                   page=url_for("web.result_page", run_id=run.id), error=run.error)


@bp.get("/results/<run_id>")
def result_page(run_id: str):
    """The desk with a kept result: the same page the form POST renders."""
    try:
        run = _load(run_id)
    except ServiceError as error:
        return _with_error(_defaults(), str(error), error_responses.status_for(error))
    values = {**_defaults(), **run.form, "targets": tuple(run.form.get("targets", ()))}
    if run.status == results.FAILED:
        return _with_error(values, run.error, run.error_status or 500)
    if run.result is None:  # still running: the page without JavaScript can reload this
        return render_template("desk.html", **_page(values), running=run, steps=map(_step_label, run.steps),
                               refresh=url_for("web.result_page", run_id=run.id)), 202
    return render_template("desk.html", **_result_page(run.id, run.result, values, document=run.document))


@bp.post("/results/<run_id>/lines/<int:index>/restore")
def restore_line(run_id: str, index: int):
    """Put a line the cleaner left out back into the article and run it again (issue 28): the
    new result opens at its own address; the first one stays as it was."""
    def changed(run: results.Run, result: Result, settings) -> dict:
        if index not in _restorable(result, run.form):
            raise InvalidInput(f"line {index} of what was left out cannot be put back: only lines the cleaner left "
                               "out of the text itself can (not those left out when a file was read)")
        return {"keep": [*run.form.get("keep", ()), result.article.removed[index].text]}

    return _run_again(run_id, changed)


@bp.post("/results/<run_id>/source")
def rerun_from_source(run_id: str):
    """Run the article again from the source language the page offers (the detected one)."""
    def changed(run: results.Run, result: Result, settings) -> dict:
        return {"source": known_language(request.form.get("source", ""), what="field 'source'", settings=settings,
                                         auto=True)}

    return _run_again(run_id, changed)


@bp.post("/batch/<job_id>/articles/<int:index>/desk")
def open_job_article(job_id: str, index: int):
    """Article ``index`` of a batch job on the desk, to review and correct like one sent from the
    form: its result is kept as a desk result of its own (303 to its page)."""
    from ..batch import jobs
    from .job_files import call_queue

    settings = inputs.current_settings()
    try:
        _check_key(settings)
        key = access.web_key(settings) if settings.api_keys else None
        job_owner = key.id if key else ""  # a job belongs to its key's id, a desk result to its name
        report = call_queue(lambda connection: jobs.status(connection, job_id, job_owner))
        stored = call_queue(lambda connection: jobs.article_result(connection, job_id, index, job_owner))
        result = render.from_dict(stored["result"], stored["paragraph_index"])
        options = report["options"]
        text = _article_text(result.article)
        values = {**_defaults(), "text": text, "article": text, "targets": tuple(options["targets"]),
                  "summary": str(options["summary"]), "method": options["method"], "source": options["source"]}
        run_id = results.keep_finished(settings, owner=_owner(settings), form=values, result=result)
        _remember_run(run_id)
    except ServiceError as error:
        return _with_error(_defaults(), str(error), error_responses.status_for(error))
    return redirect(url_for("web.result_page", run_id=run_id), 303)


def _article_text(article: Article) -> str:
    """The cleaned article as the form holds a text: title, teaser, then each block, a blank line
    apart (a job's own text is gone once it is finished; this is what running it again reads)."""
    return "\n\n".join(part for part in (article.title, article.teaser, *(block.text for block in article.blocks))
                       if part)


def _run_again(run_id: str, changed):
    """Run a kept article again with ``changed(run, result, settings)``'s values over its own, as a
    new result; its page opens (303), or the form with why not."""
    settings = inputs.current_settings()
    try:
        run = _load(run_id)
        result = _finished(run_id)
        values = {**_defaults(), **run.form, "targets": tuple(run.form.get("targets", ())),
                  **changed(run, result, settings)}
        rerun = values.get("rerun") or {"left_out": [], "main_content": False}
        upload = _Upload(left_out=tuple(rerun["left_out"]), main_content=rerun["main_content"])
        new_id = results.start(settings, owner=_owner(settings), form=values)
        _remember_run(new_id)
        _run(settings, new_id, values, upload)
    except ServiceError as error:
        return _with_error(_defaults(), str(error), error_responses.status_for(error))
    return redirect(url_for("web.result_page", run_id=new_id), 303)


@bp.get("/results/<run_id>/files/<name>")
def download(run_id: str, name: str):
    """One file of a kept result: STEM.LANG.md|txt|html|xlf, or STEM.json with everything; for a
    .docx/.odt upload also STEM.LANG.docx (the document translated) and STEM.LANG.summary.docx."""
    run = _load(run_id)
    result = _finished(run_id)
    stem = render.file_stem(result)
    if name == f"{stem}.json":
        return _attachment(render.to_json(result), "application/json", name)
    if run.document:
        suffix = Path(run.document).suffix.lower()
        for language in result.translations:
            copy_name, summary_name = render.document_file_names(stem, suffix, language)
            if name == copy_name:
                settings = inputs.current_settings()
                document_name, original = results.document_of(settings, run)
                return _attachment(translated_document(document_name, original, source=result.source,
                                                       target=language, settings=settings,
                                                       deadline=deadline(settings)),
                                   MEDIA_TYPES[suffix], name)
            if name == summary_name:
                return _attachment(render.to_summary_document(result, language, suffix=suffix), MEDIA_TYPES[suffix],
                                   name)
    match = re.fullmatch(rf"{re.escape(stem)}\.(\w+)\.(\w+)", name)
    languages = (result.source, *result.translations)
    if match is None or match[1] not in languages or match[2] not in FILE_KINDS or (
            match[2] == "xlf" and match[1] not in result.translations):
        raise InvalidInput(f"this result has no file {name!r}: its files are listed on its page, "
                           f"{url_for('web.result_page', run_id=run_id)}")
    _label, media_type, make = FILE_KINDS[match[2]]
    return _attachment(make(result, match[1]), media_type, name)


@bp.post("/results/<run_id>/sentences/<language>/<int:index>")
def save_sentence(run_id: str, language: str, index: int):
    """The editor's correction of one sentence: into the translation memory (so the next article
    with that sentence gets it) and into this result (its page and downloads)."""
    settings = inputs.current_settings()
    fields = inputs.request_fields(request)
    text = fields.get("text")
    if isinstance(text, str) and not text.strip():
        raise InvalidInput("the corrected sentence is empty: type the translation, or press Escape to keep it")
    text = inputs.text_field(fields, "text", settings).strip()
    result = _finished(run_id)
    # Checked before anything is stored, so that a refused correction changes nothing.
    if language not in result.translations:
        raise InvalidInput(f"this result has no {language} translation to correct: it has "
                           f"{', '.join(result.translations) or 'none'}")
    if not 0 <= index < len(result.sentences):
        raise InvalidInput(f"sentence {index} is not in this article: it has sentences 0 to {len(result.sentences) - 1}")
    # Into the memory, which every key's translations read, only with the edit role (issue 31);
    # a translate key's correction changes its own result.
    correction = {"source": result.source, "target": language, "sentence": result.sentences[index], "translation": text}
    shared = _may_edit(settings)
    entry = memory.put(settings, **correction, changed_by=access.changed_by()) if shared \
        else memory.checked(settings, **correction)
    results.edit(settings, run_id, owner=_owner(settings), language=language, index=index, text=entry.translation)
    return jsonify(saved=True, sentence=entry.sentence, translation=entry.translation, memory=shared)


def _may_edit(settings) -> bool:
    """Whether this page's corrections go into the shared memory: keys off, or a key with ``edit``."""
    if not settings.api_keys:
        return True
    record = access.web_key(settings)
    return record is not None and record.may("edit")


@bp.get("/results/<run_id>/sentences/<language>/<int:index>/alternatives")
def alternatives(run_id: str, language: str, index: int):
    """Next-best translations of one sentence, made when the editor asks for them."""
    settings = inputs.current_settings()
    result = _finished(run_id)
    if not 0 <= index < len(result.sentences) or language not in result.translations:
        raise InvalidInput(f"this result has no {language} sentence {index}")
    with _desk_room():
        [(best, others)] = translate_texts_with_alternatives([result.sentences[index]], result.source, language,
                                                             settings, deadline(settings), alternatives=ALTERNATIVES)
    current = result.translations[language].sentences[index]
    return jsonify(alternatives=[text for text in dict.fromkeys((best, *others)) if text != current])


@bp.get("/results/<run_id>/back/<language>")
def back_translation(run_id: str, language: str):
    """One translation, as it stands now (corrections included), translated back into the
    article's language: an editor who cannot read the target checks what it says (issue 28)."""
    settings = inputs.current_settings()
    result = _finished(run_id)
    if language not in result.translations:
        raise InvalidInput(f"this result has no {language} translation to translate back: it has "
                           f"{', '.join(result.translations) or 'none'}")
    with _desk_room():
        sentences = translate_texts(list(result.translations[language].sentences), language, result.source, settings,
                                    deadline(settings))
    return jsonify(language=result.source, name=DISPLAY_NAMES.get(result.source, result.source), sentences=sentences)


@contextlib.contextmanager
def _desk_room():
    """One of the desk's places for model work (RUNS_PER_WORKER, shared with the article runs): a GET
    that translates (alternatives, back-translation) is no free way to keep the cores busy."""
    room = current_app.extensions["newsdesk.desk_runs"]
    if not room.acquire(blocking=False):
        raise ServiceBusy(f"this server is already working on {RUNS_PER_WORKER} articles from the desk: "
                          "ask again in a moment")
    try:
        yield
    finally:
        room.release()


@bp.before_request
def refuse_forms_from_other_sites():
    """A form POST sent from another site's page (CSRF) gets 403, the reason drawn on the form."""
    sender = access.cross_site_sender()
    # The form comes back empty: what a page elsewhere sent is not the editor's text.
    return None if sender is None else _with_error(_defaults(), access.cross_site_message(sender), 403)


@bp.errorhandler(413)
def too_large(error):
    """A body over its limit, found before the route read it (by the cross-site check, say): the
    page gets the form back with the reason, the script behind the page its JSON."""
    if request.endpoint == "web.start_run":
        return jsonify(error=_too_large_message()), 413
    return _with_error(_defaults(), _too_large_message(), 413)


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


def _run(settings, run_id: str, values: dict, upload: _Upload) -> Result:
    """Process the article, noting each step for the progress display; keep the result or the error."""
    try:
        result = process(values["article"], targets=values["targets"], summary=values["summary"],
                         method=values["method"], source=values["source"], settings=settings,
                         deadline=deadline(settings), left_out=upload.left_out, main_content=upload.main_content,
                         outline=upload.outline, keep=tuple(values.get("keep", ())), partial=True,
                         on_step=lambda reached: results.add_step(settings, run_id, reached))
    except ServiceError as error:
        results.fail(settings, run_id, error=str(error), status=error_responses.status_for(error))
        raise
    results.finish(settings, run_id, result)
    return result


def _load(run_id: str) -> results.Run:
    settings = inputs.current_settings()
    if settings.api_keys and not access.web_key(settings):
        raise KeyRequired("This service needs an API key: enter yours on the form first.")
    return results.load(settings, run_id, owner=_owner(settings))


def _finished(run_id: str) -> Result:
    run = _load(run_id)
    if run.result is None:
        raise InvalidInput(f"this article is {run.status}, so it has nothing to download or edit yet"
                           + (f": {run.error}" if run.error else ""))
    return run.result


def _attachment(body: str | bytes, media_type: str, name: str) -> Response:
    response = Response(body, mimetype=media_type)
    response.headers.set("Content-Disposition", "attachment", filename=name)
    return response


def _owner(settings) -> str:
    """Whose results these are: the signed-in key's name, or everyone's when keys are off."""
    signed_in = access.web_key(settings) if settings.api_keys else None
    return signed_in.name if signed_in else ""


def _check_key(settings) -> None:
    """With keys on, the form asks once; the session cookie signs the browser in after that."""
    if not settings.api_keys or access.web_key(settings):
        return
    typed = request.form.get("api_key", "").strip()
    if not typed:
        raise KeyRequired("This service needs an API key: enter yours above (your administrator can make one "
                          "with `newsdesk keys add NAME`).")
    access.remember_web_key(settings, typed)


def _too_large_message() -> str:
    """An article over the form's limit, in the newsroom's words: how much the desk takes, pasted
    and as a file, and how much this was; the setting that says so goes to the operator's log."""
    settings = inputs.current_settings()
    limit, sent = request.max_content_length, request.content_length
    current_app.logger.warning("refused a desk form of %s bytes: over %s bytes (%s)", sent, limit,
                               settings.upload_setting)
    pasted = (f"pasted text of up to {settings.max_characters:,} characters and "
              if settings.max_characters is not None else "")
    this = f"; this was {_in_megabytes(sent)}" if sent else ""
    return (f"The article is too large: the desk takes {pasted}a file of up to {_in_megabytes(limit)}{this}. "
            "Shorten it, or send it in parts.")


def _check_article_length(text: str, settings) -> None:
    """The API's length check in the page's words (desk.js says the same before sending); the
    setting that sets the limit goes to the operator's log."""
    limit = settings.max_characters
    if limit is None or len(text) <= limit:
        return
    current_app.logger.warning("refused a desk article of %s characters: over %s (NEWSDESK_MAX_CHARACTERS)",
                               len(text), limit)
    raise TooLarge(f"The article has {len(text):,} characters; the limit is {limit:,}: shorten it, or send it in parts.")


def _in_megabytes(size: int) -> str:
    """20,000,000 bytes as "20 MB", 2,040,000 as "2.04 MB", 200,000 as "200 kB": a file's size as people say it."""
    if size < 1_000_000:
        return f"{size / 1000:,.0f} kB"
    return f"{size / 1_000_000:,.2f}".rstrip("0").rstrip(".") + " MB"


def _defaults() -> dict:
    return {"text": "", "article": "", "targets": DEFAULT_TARGETS, "summary": str(defaults.SUMMARY_LENGTH),
            "method": DEFAULT_METHOD, "source": defaults.SOURCE}


def _read_form() -> dict:
    form = request.form
    text = form.get("text", "")
    return {"text": text, "article": text, "targets": tuple(c for c in form.getlist("target") if c.strip()),
            "summary": form.get("summary", "").strip() or str(defaults.SUMMARY_LENGTH),
            "method": form.get("method", DEFAULT_METHOD), "source": form.get("source", defaults.SOURCE)}


@dataclass(frozen=True)
class _Upload:
    """What the form's upload gave besides its text: the lines reading it left out, and a .docx/.odt
    itself (name and bytes, ``kept`` with the run) for its translated copies."""

    left_out: tuple[str, ...] = ()
    main_content: bool = False  # the text is an .html page's main content (documents.Document.main_content)
    outline: Article | None = None  # a document's own structure (documents.Document.outline)
    name: str = ""
    kept: tuple[str, bytes] | None = None


RECENT_RUNS = "desk_runs"  # the session's list of this browser's result ids, newest first
RECENT_RUNS_LIMIT = 10


def _remember_run(run_id: str) -> None:
    session[RECENT_RUNS] = [run_id, *(known for known in session.get(RECENT_RUNS, []) if known != run_id)][
        :RECENT_RUNS_LIMIT]


def _recent_runs(settings) -> list[dict]:
    """This browser's articles still kept (NEWSDESK_KEEP_RESULTS), newest first; gone ones are dropped."""
    found = []
    for run_id in session.get(RECENT_RUNS, []):
        try:
            run = results.load(settings, run_id, owner=_owner(settings))
        except ServiceError:
            continue
        title = run.result.article.title if run.result else ""
        found.append({"href": url_for("web.result_page", run_id=run.id), "title": title or "Untitled article",
                      "status": run.status, "when": time.strftime("%H:%M", time.localtime(run.started)),
                      "languages": ", ".join(DISPLAY_NAMES.get(code, code) for code in run.form.get("targets", ()))})
    return found


def _remembered(values: dict, upload: _Upload) -> dict:
    """The values with what a rerun of the article needs from its upload (putting a line back)."""
    return {**values, "rerun": {"left_out": list(upload.left_out), "main_content": upload.main_content,
                                "outlined": upload.outline is not None}}


def _restorable(result: Result, values: dict) -> set[int]:
    """Which of the article's left-out lines can be put back: those the cleaner left out of the
    text itself. A document's own outline is not cleaned, and lines reading a file left out
    are not in the text; a credit cut off its line is part of another."""
    rerun = values.get("rerun")
    if rerun is None or rerun.get("outlined"):
        return set()
    lines = {" ".join(line.split()) for line in values.get("article", "").splitlines()}
    return {index for index, line in enumerate(result.article.removed) if line.reason != "outside" and line.text in lines}


def _known_targets(values: dict, settings) -> dict:
    """The form's values with each target checked as every door checks it (issue 28): a code
    newsdesk does not know is said on the page, never dropped in silence."""
    return {**values, "targets": tuple(known_language(code, what="field 'target'", settings=settings)
                                       for code in values["targets"])}


def _with_upload(values: dict, settings) -> tuple[dict, _Upload]:
    """The form's values with the uploaded file's text (it wins over the text box, and shows in it
    afterwards), checked for length; and what else the upload gave."""
    upload = inputs.uploaded_file(request, settings)
    document = read_document(upload.filename, upload.read(), limits=Limits.of(settings)) if upload else Document("")
    if document.text:
        values = {**values, "article": document.text, "text": values["text"] or document.text}
    _check_article_length(values["article"], settings)
    if not document.original:
        return values, _Upload(left_out=document.left_out, main_content=document.main_content, outline=document.outline)
    name = Path(upload.filename).name
    return values, _Upload(left_out=document.left_out, main_content=document.main_content, outline=document.outline, name=name,
                           kept=(name, document.original))


def _with_error(values: dict, message: str, status: int):
    # The form comes back filled in: nothing the editor typed is lost.
    return render_template("desk.html", **_page(values), error=message), status


def _page(values: dict) -> dict:
    settings = inputs.current_settings()
    signed_in = access.web_key(settings) if settings.api_keys else None
    return {"needs_key": settings.api_keys and signed_in is None, "signed_in": signed_in,
            "values": values, "choices": _choices(settings, values["targets"]), "methods": METHODS,
            "default_method": DEFAULT_METHOD, "sources": ["auto", *CHOICES, "en"], "names": DISPLAY_NAMES,
            "max_characters": settings.max_characters, "may_edit": _may_edit(settings)}


def _choices(settings, chosen) -> list[dict]:
    """The target boxes: those some installed pack reaches can be ticked; the others are shown
    disabled, with the pack that would make them work."""
    reachable = {target for _source, target, _via in routing.reachable_pairs(settings)}
    boxes = []
    for code in CHOICES:
        fix = None if code in reachable else (
            f"no pack translates into {DISPLAY_NAMES[code]}: put translate-en_{code}-*.argosmodel in "
            f"{settings.langpacks_dir}/ and run `newsdesk langpacks install`")
        boxes.append({"code": code, "name": DISPLAY_NAMES[code], "checked": code in chosen and fix is None, "fix": fix})
    return boxes


def _result_page(run_id: str, result: Result, values: dict, *, document: str = "") -> dict:
    return {**_page(values), "result": result, "run_id": run_id, "views": _views(result),
            "failed": [{"code": code, "name": DISPLAY_NAMES.get(code, code), "reason": reason}
                       for code, reason in result.failed.items()],
            "downloads": _downloads(run_id, result, document=document), "reasons": REMOVAL_REASONS,
            "restorable": _restorable(result, values), "left_out_by_reason": _by_reason(result),
            "untranslated": "" if result.translations or result.failed else _why_untranslated(inputs.current_settings()),
            "source_doubt": _source_doubt(result, values)}


def _source_doubt(result: Result, values: dict):
    """The language the article reads as, when the editor chose another one and the model is sure
    (issue 28: "German" chosen for an English article gave a German card equal to the original)."""
    if values.get("source", defaults.SOURCE) == defaults.SOURCE or not result.sentences:
        return None
    detected = detect_language(" ".join(result.sentences))
    return detected if detected.code != result.source and detected.confidence >= SURE_CONFIDENCE else None


def _why_untranslated(settings) -> str:
    """Why a result has no translation although none failed: no pack, or no language ticked."""
    if not routing.reachable_pairs(settings):
        return (f"no language pack is installed. Put translate-en_de-*.argosmodel (and the ar, ru ones) in "
                f"{settings.langpacks_dir}/ and run `newsdesk langpacks install`; the cleaned article and its "
                "summary are below.")
    return "no language was ticked under Translate into. Tick one and send the article again."


def _by_reason(result: Result) -> list[tuple[str, int]]:
    """How many lines were left out for each reason, the commonest first ("3 navigation")."""
    counts: dict[str, int] = {}
    for line in result.article.removed:
        counts[line.reason] = counts.get(line.reason, 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])


def _step_label(step) -> dict:
    """A step as the progress display shows it."""
    return {"stage": step.stage, "language": step.language, "text": step.describe()}


def _views(result: Result) -> list[dict]:
    """The original, then one card per translated language, sentence by sentence with its source."""
    settings = inputs.current_settings()
    glossary = effective_glossary(settings)
    source_terms = _terms_in(result, glossary)
    source = {"code": result.source, "is_source": True, "title": result.article.title,
              "teaser": result.article.teaser, "headings": result.article.headings,
              "sentences": result.sentences, "terms": {term: "glossary term" for term in source_terms},
              "uncertain": set(), "reviewed": set(), "confidences": (), "back": False}
    views = [source]
    # the translations a pack (or a chain through English) can take back into the article's language
    back = {source_code for source_code, target, _via in routing.reachable_pairs(settings) if target == result.source}
    for code, item in result.translations.items():
        terms = glossary.for_target(code)
        marks = {terms[term]: f"glossary: {term} → {terms[term]}" for term in source_terms if term in terms}
        views.append({"code": code, "is_source": False, "title": item.title, "teaser": item.teaser,
                      "headings": item.headings, "sentences": item.sentences, "terms": marks,
                      "uncertain": set(item.uncertain), "reviewed": set(item.reviewed),
                      "confidences": item.confidences, "back": code in back})
    for view in views:
        view["name"] = DISPLAY_NAMES.get(view["code"], view["code"])
        view["rtl"] = view["code"] in RTL_LANGUAGES
        view["paragraphs"] = _paragraphs(result, view)
        view["summary"] = [(index, _marked(view["sentences"][index], view["terms"])) for index in result.summary]
    return views


def _terms_in(result: Result, glossary) -> list[str]:
    """The glossary's source terms that occur in the article (whole words), any target's."""
    text = " ".join(result.sentences)
    terms = {term for target in glossary.by_target for term in glossary.by_target[target]} | set(glossary.keep)
    return sorted(term for term in terms if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text))


def _marked(text: str, terms: dict[str, str]) -> Markup:
    """``text`` escaped, each glossary term in it wrapped in <mark> with what it stands for."""
    if not terms:
        return escape(text)
    parts, at = [], 0
    for found in _term_pattern(tuple(terms)).finditer(text):
        parts += [escape(text[at:found.start()]),
                  Markup('<mark class="term" title="{}">{}</mark>').format(terms[found[0]], found[0])]
        at = found.end()
    return Markup("").join([*parts, escape(text[at:])])


@functools.lru_cache(maxsize=64)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern:
    """One pattern for a card's glossary terms (compiled once, not once per sentence), longest first."""
    return re.compile("|".join(rf"(?<!\w){re.escape(term)}(?!\w)" for term in sorted(terms, key=len, reverse=True)))


def _paragraphs(result: Result, view: dict) -> list[dict]:
    paragraphs, heading = [], iter(view["headings"])
    for index, block in enumerate(result.article.blocks):
        if block.kind == HEADING:
            paragraphs.append({"kind": HEADING, "text": next(heading)})
            continue
        sentences = []
        for number, owner in enumerate(result.paragraph_index):
            if owner != index:
                continue
            confidence = view["confidences"][number] if view["confidences"] else None
            sentences.append({"index": number, "html": _marked(view["sentences"][number], view["terms"]),
                              "text": view["sentences"][number], "source": result.sentences[number],
                              "uncertain": number in view["uncertain"], "reviewed": number in view["reviewed"],
                              "confidence": confidence})
        paragraphs.append({"kind": PARAGRAPH, "sentences": sentences})
    return paragraphs


def _downloads(run_id: str, result: Result, *, document: str = "") -> list[dict]:
    """Per language (the original first) its files, and JSON of everything; named after the
    article (secret-talks.de.md) and served by the app. For a .docx/.odt upload (``document``)
    each translation also has the document translated and its summary as a document."""
    stem = render.file_stem(result)
    suffix = Path(document).suffix.lower()
    label = DOCUMENT_LABELS.get(suffix, "")
    rows = []
    for code in (result.source, *result.translations):
        kinds = [kind for kind in FILE_KINDS if kind != "xlf" or code in result.translations]
        files = [{"label": FILE_KINDS[kind][0], "name": f"{stem}.{code}.{kind}",
                  "href": url_for("web.download", run_id=run_id, name=f"{stem}.{code}.{kind}")} for kind in kinds]
        if label and code in result.translations:
            copy_name, summary_name = render.document_file_names(stem, suffix, code)
            files += [{"label": f"{label} (translated document)", "name": copy_name,
                       "href": url_for("web.download", run_id=run_id, name=copy_name)},
                      {"label": f"{label} (summary)", "name": summary_name,
                       "href": url_for("web.download", run_id=run_id, name=summary_name)}]
        rows.append({"name": DISPLAY_NAMES.get(code, code), "code": code, "files": files})
    everything = {"label": "JSON (everything)", "name": f"{stem}.json",
                  "href": url_for("web.download", run_id=run_id, name=f"{stem}.json")}
    return {"languages": rows, "everything": everything}
