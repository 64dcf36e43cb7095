"""Serve batch jobs over HTTP (/api/v1/jobs): submit, follow, fetch results, cancel."""

from __future__ import annotations

import json

from flask import Blueprint, Response, g, jsonify, request, send_file, url_for

from .. import render
from ..batch import jobs
from ..errors import InvalidInput
from ..pipeline import DEFAULT_TARGETS
from . import inputs
from .job_files import batch_articles, call_queue, check_packs_here, results_archive, start_a_worker_here, started_records

bp = Blueprint("jobs", __name__, url_prefix="/api/v1/jobs")

RESULT_FORMATS = ("jsonl", "zip")
FILE_FORMATS = tuple(render.FORMATS)


bp.before_request(start_a_worker_here)


def _owner() -> str:
    key = g.get("api_key")
    return key.id if key is not None else ""


@bp.post("")
def submit():
    """Queue a batch: a JSON list of articles, or an uploaded .zip or .jsonl of them."""
    settings = inputs.current_settings()
    fields = inputs.request_fields(request)
    articles = batch_articles(fields, settings)
    options = jobs.JobOptions(
        targets=inputs.targets_field(fields, settings, DEFAULT_TARGETS),
        summary=inputs.summary_field(fields),
        method=inputs.method_field(fields),
        source=inputs.language_field(fields, "source", settings, default="auto", auto=True),
    )
    check_packs_here(options, settings)
    key = _idempotency_key()
    job_id, new = call_queue(lambda connection: jobs.submit(connection, articles, options, settings, _owner(), key))
    body = call_queue(lambda connection: jobs.status(connection, job_id, _owner()))
    body["links"] = _links(job_id)
    response = jsonify(body)
    response.status_code = 202 if new else 200
    response.headers["Location"] = body["links"]["self"]
    if not new:
        response.headers["Idempotent-Replayed"] = "true"
    return response


def _idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is not None and not 1 <= len(key) <= 255:
        raise InvalidInput("the Idempotency-Key header must have 1 to 255 characters, e.g. a UUID")
    return key


def _links(job_id: str) -> dict:
    return {"self": url_for("jobs.show", job_id=job_id), "result": url_for("jobs.result", job_id=job_id)}


@bp.get("/<job_id>")
def show(job_id: str):
    """A job's status, progress and per-article errors."""
    body = call_queue(lambda connection: jobs.status(connection, job_id, _owner()))
    body["links"] = _links(job_id)
    return jsonify(body)


@bp.delete("/<job_id>")
def cancel(job_id: str):
    """Cancel a job: articles not yet started are skipped."""
    body = call_queue(lambda connection: jobs.cancel(connection, job_id, _owner()))
    body["links"] = _links(job_id)
    return jsonify(body)


@bp.get("/<job_id>/result")
def result(job_id: str):
    """The results: JSON lines (default) or ?format=zip of per-language files (?files=markdown)."""
    fields = dict(request.args)
    output = inputs.choice_field(fields, "format", RESULT_FORMATS, "jsonl")
    files = inputs.choice_field(fields, "files", FILE_FORMATS, "markdown")
    partial = fields.get("partial", "0") in ("1", "true", "yes")
    report = call_queue(lambda connection: jobs.status(connection, job_id, _owner()))
    # Read lazily, a few hundred articles at a time: a big job's results never sit in memory whole.
    records = call_queue(lambda connection: started_records(jobs.results(connection, job_id, _owner(), partial)))
    if output == "jsonl":
        lines = (json.dumps(_public(record), ensure_ascii=False) + "\n" for record in records)
        return Response(lines, mimetype="application/x-ndjson")
    archive = results_archive(records, report, files)
    return send_file(archive, mimetype="application/zip", as_attachment=True, download_name=f"newsdesk-{job_id}.zip")


def _public(record: dict) -> dict:
    # The translated documents are files, in the .zip; the JSON lines name them only.
    public = {key: value for key, value in record.items() if key not in ("paragraph_index", "documents")}
    if record.get("documents"):
        public["documents"] = sorted(record["documents"])
    return public
