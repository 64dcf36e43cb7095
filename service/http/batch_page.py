"""Serve the batch page at /batch: upload many articles, watch the job, download the results.

The page is the browser's door to batch jobs, beside the JSON one (/api/v1/jobs): an editor
uploads a .zip, a .jsonl or several article files, follows the job on /batch/<id> (static/
batch.js polls /batch/<id>/status; without JavaScript a Refresh link does), cancels it, and
downloads the result .zip. This browser's jobs are listed from the ids its session keeps.
With API keys on, the browser must be signed in on the main form; a job then belongs to
that key, as a job sent with the key in X-API-Key does. Form POSTs from other sites get 403.
"""

from __future__ import annotations

import logging

from flask import Blueprint, g, jsonify, redirect, render_template, request, send_file, session, url_for
from werkzeug.exceptions import HTTPException

from .. import defaults, render, translation
from ..batch import jobs
from ..errors import InvalidInput, JobNotFound, KeyRequired, ServiceError, TooLarge
from ..stages.documents import OFFICE_SUFFIXES, read_document
from ..stages.office import Limits
from ..stages.language import DISPLAY_NAMES
from . import access, error_responses, inputs
from .job_files import (batch_articles, call_queue, check_packs_here, checked_article, results_archive,
                        start_a_worker_here, started_records)

log = logging.getLogger(__name__)

bp = Blueprint("batch_page", __name__)

CHOICES = defaults.TARGETS
SOURCES = ("auto", *CHOICES, "en")
RECENT = "batch_jobs"  # the session's list of this browser's job ids, newest first
RECENT_LIMIT = 20
ARCHIVES = (".zip", ".jsonl")  # one of these is a whole batch; any other file is one article
DOWNLOADS = (("markdown", "Markdown"), ("text", "plain text"), ("html", "HTML"), ("json", "JSON"), ("xliff", "XLIFF"))
ARTICLES_PER_PAGE = 100
ARTICLE_LABELS = {"done": "Done", "failed": "Failed", "pending": "Waiting", "cancelled": "Skipped (cancelled)"}
STATE_LABELS = {jobs.QUEUED: "Queued, waiting for a worker", jobs.RUNNING: "Running", jobs.FINISHED: "Finished",
                jobs.CANCELLED: "Cancelled"}
SIGN_IN_FIRST = ("This service needs an API key, and this browser is not signed in: enter your key once on the "
                 "main page (/), then come back to /batch.")


# --- the views: parse, call, render ------------------------------------------------

@bp.get("/batch")
def form():
    """The upload form and this browser's recent jobs."""
    return _form_page(_defaults())


@bp.post("/batch")
def submit():
    """Queue the uploaded articles as one job, then show it (303 to its page)."""
    settings = inputs.current_settings()
    values = _read_form()
    owner = _owner(settings)
    options = _options(values, settings)
    articles = _articles(settings)
    check_packs_here(options, settings)
    job_id, _ = call_queue(lambda connection: jobs.submit(connection, articles, options, settings, owner))
    _remember(job_id)
    return redirect(url_for("batch_page.job", job_id=job_id), 303)


@bp.get("/batch/<job_id>")
def job(job_id: str):
    """One job: its state, progress, its articles (a page of ARTICLES_PER_PAGE, each to open on the
    desk once done), a cancel button and, once done, the downloads."""
    owner = _owner(inputs.current_settings())
    report = call_queue(lambda connection: jobs.status(connection, job_id, owner))
    page = inputs.count_field(dict(request.args), "page", 1, least=1)
    total, rows = call_queue(lambda connection: jobs.articles(connection, job_id, owner,
                                                              first=(page - 1) * ARTICLES_PER_PAGE,
                                                              count=ARTICLES_PER_PAGE))
    if not rows and page > 1:  # past the last page (an old link): the last one
        return redirect(url_for("batch_page.job", job_id=job_id, page=max(1, -(-total // ARTICLES_PER_PAGE))), 303)
    return render_template("batch.html", **_page(), job=_job_view(report), downloads=_downloads(job_id),
                           articles=[_article_view(row) for row in rows], pages=_pages(job_id, page, total))


@bp.get("/batch/<job_id>/status")
def status(job_id: str):
    """The job's status as JSON (what batch.js polls): /api/v1/jobs/<id>'s body, plus the page's message."""
    owner = _owner(inputs.current_settings())
    report = call_queue(lambda connection: jobs.status(connection, job_id, owner))
    response = jsonify({**report, "message": _progress_message(report), "links": _links(job_id)})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/batch/<job_id>/cancel")
def cancel(job_id: str):
    """Cancel the job: articles not yet started are skipped; then back to its page."""
    owner = _owner(inputs.current_settings())
    call_queue(lambda connection: jobs.cancel(connection, job_id, owner))
    return redirect(url_for("batch_page.job", job_id=job_id), 303)


@bp.get("/batch/<job_id>/result.zip")
def result(job_id: str):
    """The results as a .zip of the files `newsdesk process` writes (?files=markdown|text|html|json|xliff)."""
    files = inputs.choice_field(dict(request.args), "files", tuple(render.FORMATS), defaults.OUTPUT_FORMAT)
    owner = _owner(inputs.current_settings())
    report = call_queue(lambda connection: jobs.status(connection, job_id, owner))
    records = call_queue(lambda connection: started_records(jobs.results(connection, job_id, owner)))
    archive = results_archive(records, report, files)
    return send_file(archive, mimetype="application/zip", as_attachment=True, download_name=f"newsdesk-{job_id}.zip")


# --- before every request, and errors ----------------------------------------------

@bp.before_request
def refuse_forms_from_other_sites():
    """A form POST sent from another site's page (CSRF) gets 403, the reason drawn on the page."""
    sender = access.cross_site_sender()
    if sender is not None:  # the form comes back as new: what a page elsewhere sent is not the editor's
        return _form_page(_defaults(), access.cross_site_message(sender), 403)
    return None


bp.before_request(start_a_worker_here)


@bp.errorhandler(ServiceError)
def service_error(error: ServiceError):
    """Our errors: the message inline on the page (or as JSON for batch.js), with its status."""
    status_code = error_responses.status_for(error)
    log.warning("request %s: %d %s", g.get("request_id"), status_code, error)
    if isinstance(error, JobNotFound) and request.endpoint != "batch_page.status":
        _forget((request.view_args or {}).get("job_id", ""))
    return _error(str(error), status_code)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException):
    """Too large, too many requests and the like: said on the page, the chosen options kept where they can be."""
    message = error.description
    if error.code == 413:
        message = _too_large_message()
    elif error.code == 429:  # Flask-Limiter's
        message = (f"Too many requests: the limit is {error.description}. Wait a moment (the Retry-After header "
                   "says how long), then send again.")
    return _error(message, error.code)


@bp.errorhandler(Exception)
def unexpected(error: Exception):
    """Anything else: logged with its traceback; the page says where to look, never shows it."""
    log.exception("request %s failed", g.get("request_id"))
    return _error(f"internal error; the server log has the details (request id {g.get('request_id')})", 500)


def _error(message: str, status_code: int):
    if request.endpoint == "batch_page.status":
        return jsonify(error=message), status_code
    return _form_page(_values_sent(), message, status_code)


# What could not be done, as the error box's first words, by the view that failed.
ERROR_TITLES = {"batch_page.submit": "Could not start the batch job.", "batch_page.job": "Could not show the job.",
                "batch_page.cancel": "Could not cancel the job.", "batch_page.result": "Could not download the results."}


def _too_large_message() -> str:
    """Werkzeug's 413 is a body over the limit, or a form of too many parts: say which."""
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length <= limit:
        return (f"The upload has more than {request.max_form_parts:,} files and fields: put the articles in one "
                ".zip and upload that.")
    return (f"The upload is over the limit of {limit:,} bytes (NEWSDESK_MAX_JOB_BYTES): split it into several "
            "jobs.")


# --- reading the form ---------------------------------------------------------------

def _defaults() -> dict:
    reachable = _reachable(inputs.current_settings())
    return {"targets": tuple(code for code in defaults.TARGETS if code in reachable),
            "summary": str(defaults.SUMMARY_LENGTH), "method": defaults.SUMMARY_METHOD, "source": defaults.SOURCE}


def _read_form() -> dict:
    form = request.form
    return {"targets": tuple(code for code in form.getlist("target") if code in CHOICES),
            "summary": form.get("summary", "").strip() or str(defaults.SUMMARY_LENGTH),
            "method": form.get("method", defaults.SUMMARY_METHOD), "source": form.get("source", defaults.SOURCE)}


def _values_sent() -> dict:
    """What the editor chose, for a page drawn after an error; the defaults when the form itself is unreadable."""
    if request.method != "POST" or request.endpoint != "batch_page.submit":
        return _defaults()
    try:
        return _read_form()
    except HTTPException:  # over the size limit: werkzeug will not parse it
        return _defaults()


def _options(values: dict, settings) -> jobs.JobOptions:
    if not values["targets"]:
        raise InvalidInput("Choose at least one language to translate into.")
    summary = inputs.summary_field(values)
    return jobs.JobOptions(
        targets=inputs.targets_field({"targets": list(values["targets"])}, settings, defaults.TARGETS),
        summary=int(summary) if summary.isdigit() else summary,
        method=inputs.method_field(values),
        source=inputs.language_field(values, "source", settings, default=defaults.SOURCE, auto=True),
    )


def _articles(settings) -> list[jobs.ArticleInput]:
    """One .zip or .jsonl (the API's reader), or any number of article files, each one article."""
    uploads = [upload for upload in request.files.getlist("file") if upload.filename]
    if not uploads:
        raise InvalidInput("No file was uploaded: choose a .zip or .jsonl of articles, or several .txt, .md or "
                           ".html files.")
    archives = [upload.filename for upload in uploads if upload.filename.lower().endswith(ARCHIVES)]
    if archives and len(uploads) > 1:
        raise InvalidInput(f"{archives[0]} is a whole batch: upload a .zip or .jsonl on its own, or several .txt, "
                           ".md or .html files without it.")
    if archives:
        return batch_articles({}, settings)
    return [_file_article(upload, settings) for upload in uploads]


def _file_article(upload, settings) -> jobs.ArticleInput:
    """One uploaded file as an article; one that cannot be read fails on its own, as in a .zip."""
    name, limit, setting = upload.filename, settings.max_request_bytes, "NEWSDESK_MAX_REQUEST_BYTES"
    if name.lower().endswith(OFFICE_SUFFIXES):
        limit, setting = settings.max_document_bytes, "NEWSDESK_MAX_DOCUMENT_BYTES"
    data = upload.read(limit + 1 if limit is not None else -1)
    if limit is not None and len(data) > limit:
        return jobs.ArticleInput(name, error=f"{name}: it is over {limit:,} bytes, the limit for one article "
                                 f"({setting}): send it on its own or split it")
    try:
        document = read_document(name, data, limits=Limits.of(settings))
    except (InvalidInput, TooLarge) as error:
        return jobs.ArticleInput(name, error=str(error))
    return checked_article(jobs.ArticleInput(name, document.text, left_out=document.left_out, main_content=document.main_content,
                                             outline=document.outline, original=document.original), settings)


# --- who, and which jobs --------------------------------------------------------------

def _owner(settings) -> str:
    """The job owner, as /api/v1/jobs computes it: the signed-in key's id with keys on, else ""."""
    if not settings.api_keys:
        return ""
    record = _signed_in(settings)
    if record is None:
        raise KeyRequired(SIGN_IN_FIRST)
    return record.id


def _signed_in(settings):
    """The key this browser signed in with on the main form (looked up once per request), or None."""
    if "batch_signed_in" not in g:
        g.batch_signed_in = access.web_key(settings) if settings.api_keys else None
    return g.batch_signed_in


def _remember(job_id: str) -> None:
    session[RECENT] = [job_id, *(known for known in session.get(RECENT, []) if known != job_id)][:RECENT_LIMIT]


def _forget(job_id: str) -> None:
    if job_id in session.get(RECENT, []):
        session[RECENT] = [known for known in session[RECENT] if known != job_id]


def _recent_jobs(settings) -> list[dict]:
    """This browser's jobs still kept, newest first; ids whose jobs are gone are dropped."""
    owner, found = _owner(settings), []
    for job_id in session.get(RECENT, []):
        try:
            found.append(_job_view(call_queue(lambda connection: jobs.status(connection, job_id, owner))))
        except JobNotFound:
            _forget(job_id)
    return found


# --- rendering -------------------------------------------------------------------------

def _form_page(values: dict, error: str | None = None, status_code: int = 200):
    settings = inputs.current_settings()
    recent, recent_error = [], None
    if not settings.api_keys or _signed_in(settings):
        try:
            recent = _recent_jobs(settings)
        except ServiceError as problem:  # e.g. the queue is down: the form still shows, and says so
            recent_error = str(problem)
    return render_template("batch.html", **_page(), values=values, error=error, recent=recent,
                           recent_error=recent_error,
                           error_title=ERROR_TITLES.get(request.endpoint, "Could not do that.")), status_code


def _page() -> dict:
    settings = inputs.current_settings()
    signed_in = _signed_in(settings)
    reachable = _reachable(settings)
    return {"needs_key": settings.api_keys and signed_in is None, "signed_in": signed_in,
            "choices": [(code, DISPLAY_NAMES[code], code in reachable) for code in CHOICES],
            "methods": defaults.SUMMARY_METHODS, "default_method": defaults.SUMMARY_METHOD, "sources": SOURCES,
            "names": DISPLAY_NAMES, "settings": settings, "sign_in_first": SIGN_IN_FIRST}


def _reachable(settings) -> set[str]:
    """Targets some installed pack translates into; all of them on a web node with no packs of its own
    (`newsdesk worker`s elsewhere have them), as check_packs_here decides."""
    pairs = translation.installed_pairs(settings)
    if settings.redis_url and not pairs:
        return set(CHOICES)
    return {target for _, target in pairs}


def _job_view(report: dict) -> dict:
    """The status report with what the page shows of it."""
    progress = report["progress"]
    return {**report, "label": STATE_LABELS[report["status"]], "message": _progress_message(report),
            "processed": progress["done"] + progress["failed"], "short_id": report["id"][:8],
            "over": report["status"] in (jobs.FINISHED, jobs.CANCELLED),
            "created_at": report["created"].replace("T", " ").replace("Z", " UTC"),
            "languages": ", ".join(DISPLAY_NAMES.get(code, code) for code in report["options"]["targets"])}


def _progress_message(report: dict) -> str:
    """"Running: 3 of 5 articles processed (2 done, 1 failed)." — the one wording, for the page and batch.js."""
    progress = report["progress"]
    total = progress["total"]
    return (f"{STATE_LABELS[report['status']]}: {progress['done'] + progress['failed']} of {total} "
            f"article{'s' if total != 1 else ''} processed ({progress['done']} done, {progress['failed']} failed).")


def _links(job_id: str) -> dict:
    return {"page": url_for("batch_page.job", job_id=job_id), "status": url_for("batch_page.status", job_id=job_id),
            "cancel": url_for("batch_page.cancel", job_id=job_id), "result": url_for("batch_page.result", job_id=job_id)}


def _article_view(row: dict) -> dict:
    """One article's row: its status in words, its language's name, its time to a tenth of a second."""
    seconds = row.get("seconds")
    return {**row, "label": ARTICLE_LABELS[row["status"]], "number": row["index"] + 1,
            "language_name": DISPLAY_NAMES.get(row.get("language", ""), row.get("language", "")),
            "time": f"{seconds:.1f} s" if seconds is not None else ""}


def _pages(job_id: str, page: int, total: int) -> dict:
    """Which articles this page lists, and links to the pages before and after it."""
    last = max(1, -(-total // ARTICLES_PER_PAGE))
    first = (page - 1) * ARTICLES_PER_PAGE

    def link(number: int) -> str | None:
        return url_for("batch_page.job", job_id=job_id, page=number) if 1 <= number <= last else None

    return {"page": page, "last": last, "first": first + 1, "shown_to": min(first + ARTICLES_PER_PAGE, total),
            "total": total, "previous": link(page - 1), "next": link(page + 1)}


def _downloads(job_id: str) -> list[dict]:
    return [{"files": files, "label": label, "href": url_for("batch_page.result", job_id=job_id, files=files)}
            for files, label in DOWNLOADS]
