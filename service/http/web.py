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
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import (Blueprint, Response, current_app, jsonify, redirect, render_template, request, session,
                   url_for)
from werkzeug.exceptions import RequestEntityTooLarge

from .. import defaults, outcome, render
from ..desk import memory, results
from ..errors import InvalidInput, KeyRequired, ServiceBusy, ServiceError, TooLarge
from ..outcome import Result
from ..pipeline import (DEFAULT_TARGETS, deadline, known_language, process, translate_texts,
                        translate_texts_with_alternatives, translated_document)
from ..stages.clean import Article
from ..stages.documents import Document, read_document
from ..stages.language import DISPLAY_NAMES
from ..stages.office import MEDIA_TYPES, Limits
from ..stages.summary import DEFAULT_METHOD
from . import access, error_responses, inputs
from . import desk_views as views

bp = Blueprint("web", __name__)
# Articles one worker runs in the background for the desk at once; more get 503 until one ends.
RUNS_PER_WORKER = 4
ALTERNATIVES = 3  # next-best translations offered when an editor asks for them


@bp.record_once
def _make_room(state) -> None:
    state.app.extensions["newsdesk.desk_runs"] = threading.BoundedSemaphore(RUNS_PER_WORKER)


@bp.get("/")
def form():
    """The empty form, and this browser's recent articles."""
    return render_template("desk.html", **views.page(_defaults()), recent=_recent_runs(inputs.current_settings()))


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
    return render_template("desk.html", **views.result_page(run_id, result, values, document=document.name))


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
        try:
            run_id = results.start(settings, owner=_owner(settings), form=values, document=document.kept)
            _remember_run(run_id)
        except BaseException:  # the shared Redis did not answer: the place is free again
            room.release()
            raise
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
    return jsonify(status=run.status, steps=[views.step_label(step) for step in run.steps],
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
        return render_template("desk.html", **views.page(values), running=run, steps=map(views.step_label, run.steps),
                               refresh=url_for("web.result_page", run_id=run.id)), 202
    return render_template("desk.html", **views.result_page(run.id, run.result, values, document=run.document))


@bp.post("/results/<run_id>/lines/<int:index>/restore")
def restore_line(run_id: str, index: int):
    """Put a line the cleaner left out back into the article and run it again (issue 28): the
    new result opens at its own address; the first one stays as it was."""
    def changed(run: results.Run, result: Result, settings) -> dict:
        if index not in views.restorable(result, run.form):
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
        result = outcome.from_dict(stored["result"], stored["paragraph_index"])
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
    if match is None or match[1] not in languages or match[2] not in views.FILE_KINDS or (
            match[2] == "xlf" and match[1] not in result.translations):
        raise InvalidInput(f"this result has no file {name!r}: its files are listed on its page, "
                           f"{url_for('web.result_page', run_id=run_id)}")
    _label, media_type, make = views.FILE_KINDS[match[2]]
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
    shared = views.may_edit(settings)
    entry = memory.put(settings, **correction, changed_by=access.changed_by()) if shared \
        else memory.checked(settings, **correction)
    results.edit(settings, run_id, owner=_owner(settings), language=language, index=index, text=entry.translation)
    return jsonify(saved=True, sentence=entry.sentence, translation=entry.translation, memory=shared)


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
    return render_template("desk.html", **views.page(values), error=message), status
