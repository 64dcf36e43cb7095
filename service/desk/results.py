"""Keep the web desk's results for a while: an article's progress while it runs, then its
result, for the page, the downloads and the editor's changes.

One private SQLite file (NEWSDESK_RESULTS_DB), so that every gunicorn worker sees every run:
the article runs in the worker that took it, and the page polls whichever worker answers.
A run is found by its random id, and only by the key that started it (when keys are on).
Runs older than NEWSDESK_KEEP_RESULTS hours are removed whenever a new one starts.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

from .. import outcome, stores
from ..config import Settings
from ..errors import InvalidInput, JobNotFound
from ..outcome import Result, Step

RUNNING, DONE, FAILED = "running", "done", "failed"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, owner TEXT NOT NULL, started REAL NOT NULL, "
    "status TEXT NOT NULL, form TEXT NOT NULL, result TEXT, error TEXT, error_status INTEGER)",
    # A row a step: the translation threads add theirs at the same time, and none is lost.
    "CREATE TABLE IF NOT EXISTS steps (number INTEGER PRIMARY KEY AUTOINCREMENT, run TEXT NOT NULL, "
    "stage TEXT NOT NULL, language TEXT, count INTEGER)",
    "CREATE INDEX IF NOT EXISTS steps_of_run ON steps (run)",
    # An uploaded .docx/.odt, for its translated copies (made when they are downloaded).
    "CREATE TABLE IF NOT EXISTS documents (run TEXT PRIMARY KEY, name TEXT NOT NULL, data BLOB NOT NULL)",
)


@dataclass(frozen=True)
class Run:
    """One article sent from the desk: how far it got, and what came of it."""

    id: str
    status: str  # RUNNING, DONE or FAILED
    steps: tuple[Step, ...]
    form: Mapping[str, object]  # what the editor sent (text, targets, options), to fill the form again
    result: Result | None = None
    error: str | None = None
    error_status: int | None = None
    started: float = field(default=0.0)
    document: str = ""  # the uploaded .docx/.odt's file name, when one was kept (document_of)


def start(settings: Settings, *, owner: str, form: Mapping[str, object], document: tuple[str, bytes] | None = None) -> str:
    """Record a new run (status RUNNING) and return its id; remove runs past their time.

    ``document``: (file name, bytes) of an uploaded .docx/.odt, kept with the run."""
    run_id = secrets.token_urlsafe(16)
    with stores.transaction(settings.results_db, _SCHEMA) as database:
        if settings.keep_results is not None:
            expired = time.time() - settings.keep_results * 3600
            database.execute("DELETE FROM steps WHERE run IN (SELECT id FROM runs WHERE started < ?)", (expired,))
            database.execute("DELETE FROM documents WHERE run IN (SELECT id FROM runs WHERE started < ?)",
                             (expired,))
            database.execute("DELETE FROM runs WHERE started < ?", (expired,))
        database.execute("INSERT INTO runs (id, owner, started, status, form) VALUES (?, ?, ?, ?, ?)",
                         (run_id, owner, time.time(), RUNNING, json.dumps(dict(form), ensure_ascii=False)))
        if document is not None:
            database.execute("INSERT INTO documents (run, name, data) VALUES (?, ?, ?)", (run_id, *document))
    return run_id


def document_of(settings: Settings, run: Run) -> tuple[str, bytes]:
    """The .docx/.odt uploaded with ``run`` (one load() returned, so its owner is checked)."""
    with stores.transaction(settings.results_db, _SCHEMA) as database:
        row = database.execute("SELECT name, data FROM documents WHERE run = ?", (run.id,)).fetchone()
    if row is None:
        raise InvalidInput("this result was not made from a .docx or .odt upload, so it has no translated document")
    return row[0], bytes(row[1])


def keep_finished(settings: Settings, *, owner: str, form: Mapping[str, object], result: Result) -> str:
    """Record a run whose result was made elsewhere (a batch job's article, opened on the desk to
    review and correct) and return its id: a desk result of its own, the job's left as it is."""
    run_id = start(settings, owner=owner, form=form)
    finish(settings, run_id, result)
    return run_id


def add_step(settings: Settings, run_id: str, reached: Step) -> None:
    """Note a step the run reached (called from the translation threads too)."""
    with stores.transaction(settings.results_db, _SCHEMA) as database:
        database.execute("INSERT INTO steps (run, stage, language, count) VALUES (?, ?, ?, ?)",
                         (run_id, reached.stage, reached.language, reached.count))


def finish(settings: Settings, run_id: str, result: Result) -> None:
    """Store the run's result (status DONE)."""
    _update(settings, run_id, status=DONE, result=json.dumps(_result_data(result), ensure_ascii=False))


def fail(settings: Settings, run_id: str, *, error: str, status: int) -> None:
    """Store why the run failed (status FAILED) and the HTTP status that error answers with."""
    _update(settings, run_id, status=FAILED, error=error, error_status=status)


def load(settings: Settings, run_id: str, *, owner: str) -> Run:
    """The run ``run_id`` of ``owner`` (JobNotFound when there is none, or it is someone else's)."""
    with stores.transaction(settings.results_db, _SCHEMA) as database:
        row = database.execute("SELECT id, status, form, result, error, error_status, started, owner "
                               "FROM runs WHERE id = ?", (run_id,)).fetchone()
        steps = database.execute("SELECT stage, language, count FROM steps WHERE run = ? ORDER BY number",
                                 (run_id,)).fetchall()
        document = database.execute("SELECT name FROM documents WHERE run = ?", (run_id,)).fetchone()
    if row is None or row[7] != owner:
        hours = "" if settings.keep_results is None else f" (results are kept {settings.keep_results:g} hours)"
        raise JobNotFound(f"no desk result {run_id!r} here{hours}: send the article again from the form")
    result = None if row[3] is None else _result_from(json.loads(row[3]))
    return Run(id=row[0], status=row[1], steps=tuple(Step(stage, language, count) for stage, language, count in steps),
               form=MappingProxyType(json.loads(row[2])), result=result, error=row[4], error_status=row[5],
               started=row[6], document=document[0] if document else "")


def edit(settings: Settings, run_id: str, *, owner: str, language: str, index: int, text: str) -> Result:
    """Replace body sentence ``index`` of the ``language`` translation with the editor's ``text``
    (marked reviewed), so the page and the downloads show it; return the changed result."""
    run = load(settings, run_id, owner=owner)
    if run.result is None or language not in run.result.translations:
        raise InvalidInput(f"this result has no {language} translation to edit: choose one of "
                           f"{', '.join(run.result.translations) if run.result else 'none (it is still running)'}")
    item = run.result.translations[language]
    if not 0 <= index < len(item.sentences):
        raise InvalidInput(f"sentence {index} is not in this article: it has sentences 0 to {len(item.sentences) - 1}")
    sentences = list(item.sentences)
    sentences[index] = text
    edited = replace(item, sentences=tuple(sentences), reviewed=tuple(sorted({*item.reviewed, index})),
                     summary=tuple(sentences[chosen] for chosen in run.result.summary))
    result = replace(run.result, translations=MappingProxyType({**run.result.translations, language: edited}))
    _update(settings, run_id, result=json.dumps(_result_data(result), ensure_ascii=False))
    return result


def _update(settings: Settings, run_id: str, **columns) -> None:
    assignments = ", ".join(f"{name} = ?" for name in columns)
    with stores.transaction(settings.results_db, _SCHEMA) as database:
        database.execute(f"UPDATE runs SET {assignments} WHERE id = ?", (*columns.values(), run_id))


def _result_data(result: Result) -> dict:
    return {"result": outcome.to_dict(result), "paragraph_index": list(result.paragraph_index),
            "failed": dict(result.failed)}


def _result_from(data: dict) -> Result:
    rebuilt = outcome.from_dict(data["result"], data["paragraph_index"])
    return replace(rebuilt, failed=MappingProxyType(data["failed"]))
