"""Keep the web desk's results for a while: an article's progress while it runs, then its
result, for the page, the downloads and the editor's changes.

Kept where every worker sees every run (the article runs in the worker that took it, and the
page polls whichever worker answers): one private SQLite file (NEWSDESK_RESULTS_DB), or, with
NEWSDESK_REDIS_URL, that Redis, so that every node behind a load balancer does (issue 33).
A run is found by its random id, and only by the key that started it (when keys are on).
Runs older than NEWSDESK_KEEP_RESULTS hours are removed (the file's whenever a new one starts,
Redis's when they expire).
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Callable
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
    _store(settings).start(_Row(id=run_id, owner=owner, started=time.time(), status=RUNNING,
                                form=json.dumps(dict(form), ensure_ascii=False), document=document[0] if document else ""),
                           document=document[1] if document else None)
    return run_id


def document_of(settings: Settings, run: Run) -> tuple[str, bytes]:
    """The .docx/.odt uploaded with ``run`` (one load() returned, so its owner is checked)."""
    data = _store(settings).document(run.id) if run.document else None
    if data is None:
        raise InvalidInput("this result was not made from a .docx or .odt upload, so it has no translated document")
    return run.document, data


def keep_finished(settings: Settings, *, owner: str, form: Mapping[str, object], result: Result) -> str:
    """Record a run whose result was made elsewhere (a batch job's article, opened on the desk to
    review and correct) and return its id: a desk result of its own, the job's left as it is."""
    run_id = start(settings, owner=owner, form=form)
    finish(settings, run_id, result)
    return run_id


def add_step(settings: Settings, run_id: str, reached: Step) -> None:
    """Note a step the run reached (called from the translation threads too)."""
    _store(settings).add_step(run_id, reached)


def finish(settings: Settings, run_id: str, result: Result) -> None:
    """Store the run's result (status DONE)."""
    _store(settings).update(run_id, status=DONE, result=json.dumps(_result_data(result), ensure_ascii=False))


def fail(settings: Settings, run_id: str, *, error: str, status: int) -> None:
    """Store why the run failed (status FAILED) and the HTTP status that error answers with."""
    _store(settings).update(run_id, status=FAILED, error=error, error_status=status)


def load(settings: Settings, run_id: str, *, owner: str) -> Run:
    """The run ``run_id`` of ``owner`` (JobNotFound when there is none, or it is someone else's)."""
    return _run_of(_store(settings).load(run_id), settings, run_id=run_id, owner=owner)


def _run_of(row: _Row | None, settings: Settings, *, run_id: str, owner: str) -> Run:
    if row is None or row.owner != owner:
        hours = "" if settings.keep_results is None else f" (results are kept {settings.keep_results:g} hours)"
        raise JobNotFound(f"no desk result {run_id!r} here{hours}: send the article again from the form")
    result = None if row.result is None else _result_from(json.loads(row.result))
    return Run(id=row.id, status=row.status, steps=row.steps, form=MappingProxyType(json.loads(row.form)),
               result=result, error=row.error, error_status=row.error_status, started=row.started,
               document=row.document)


def edit(settings: Settings, run_id: str, *, owner: str, language: str, index: int, text: str) -> Result:
    """Replace body sentence ``index`` of the ``language`` translation with the editor's ``text``
    (marked reviewed), so the page and the downloads show it; return the changed result. Read and
    written in one change: two editors' edits of one result, on any nodes, both stay."""
    edited: list[Result] = []

    def changed(row: _Row | None) -> dict:
        run = _run_of(row, settings, run_id=run_id, owner=owner)
        if run.result is None or language not in run.result.translations:
            raise InvalidInput(f"this result has no {language} translation to edit: choose one of "
                               f"{', '.join(run.result.translations) if run.result else 'none (it is still running)'}")
        item = run.result.translations[language]
        if not 0 <= index < len(item.sentences):
            raise InvalidInput(f"sentence {index} is not in this article: it has sentences 0 to {len(item.sentences) - 1}")
        sentences = list(item.sentences)
        sentences[index] = text
        changed_item = replace(item, sentences=tuple(sentences), reviewed=tuple(sorted({*item.reviewed, index})),
                               summary=tuple(sentences[chosen] for chosen in run.result.summary))
        result = replace(run.result, translations=MappingProxyType({**run.result.translations, language: changed_item}))
        edited[:] = [result]
        return {"result": json.dumps(_result_data(result), ensure_ascii=False)}

    _store(settings).change(run_id, changed)
    return edited[0]


def _result_data(result: Result) -> dict:
    return {"result": outcome.to_dict(result), "paragraph_index": list(result.paragraph_index),
            "failed": dict(result.failed)}


def _result_from(data: dict) -> Result:
    rebuilt = outcome.from_dict(data["result"], data["paragraph_index"])
    return replace(rebuilt, failed=MappingProxyType(data["failed"]))


# --- where runs are kept ----------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One run as kept: its columns, with the result and form as JSON."""

    id: str
    owner: str
    started: float
    status: str
    form: str
    result: str | None = None
    error: str | None = None
    error_status: int | None = None
    document: str = ""  # the uploaded file's name ("" none)
    steps: tuple[Step, ...] = ()


_COLUMNS = ("status", "result", "error", "error_status")  # what update() and change() may set


def _store(settings: Settings) -> _SqliteRuns | _RedisRuns:
    """The desk's runs: NEWSDESK_REDIS_URL's Redis when set (a result started on one node opens on every
    node), else the file every worker of this machine reads."""
    return _RedisRuns(settings) if settings.redis_url else _SqliteRuns(settings)


class _SqliteRuns:
    """The runs in one private SQLite file (NEWSDESK_RESULTS_DB)."""

    def __init__(self, settings: Settings):
        self.path, self.keep_results = settings.results_db, settings.keep_results

    def start(self, row: _Row, *, document: bytes | None) -> None:
        with stores.transaction(self.path, _SCHEMA) as database:
            if self.keep_results is not None:
                expired = time.time() - self.keep_results * 3600
                database.execute("DELETE FROM steps WHERE run IN (SELECT id FROM runs WHERE started < ?)", (expired,))
                database.execute("DELETE FROM documents WHERE run IN (SELECT id FROM runs WHERE started < ?)",
                                 (expired,))
                database.execute("DELETE FROM runs WHERE started < ?", (expired,))
            database.execute("INSERT INTO runs (id, owner, started, status, form) VALUES (?, ?, ?, ?, ?)",
                             (row.id, row.owner, row.started, row.status, row.form))
            if document is not None:
                database.execute("INSERT INTO documents (run, name, data) VALUES (?, ?, ?)",
                                 (row.id, row.document, document))

    def document(self, run_id: str) -> bytes | None:
        with stores.transaction(self.path, _SCHEMA) as database:
            found = database.execute("SELECT data FROM documents WHERE run = ?", (run_id,)).fetchone()
        return bytes(found[0]) if found else None

    def add_step(self, run_id: str, reached: Step) -> None:
        with stores.transaction(self.path, _SCHEMA) as database:
            database.execute("INSERT INTO steps (run, stage, language, count) VALUES (?, ?, ?, ?)",
                             (run_id, reached.stage, reached.language, reached.count))

    def update(self, run_id: str, **columns) -> None:
        with stores.transaction(self.path, _SCHEMA) as database:
            self._set(database, run_id, columns)

    @staticmethod
    def _set(database: sqlite3.Connection, run_id: str, columns: dict) -> None:
        assert set(columns) <= set(_COLUMNS)
        assignments = ", ".join(f"{name} = ?" for name in columns)
        database.execute(f"UPDATE runs SET {assignments} WHERE id = ?", (*columns.values(), run_id))

    def load(self, run_id: str) -> _Row | None:
        with stores.transaction(self.path, _SCHEMA) as database:
            return self._read(database, run_id)

    def change(self, run_id: str, changed: Callable[[_Row | None], dict]) -> None:
        with stores.transaction(self.path, _SCHEMA) as database:
            database.execute("BEGIN IMMEDIATE")  # no other writer between this read and the write
            self._set(database, run_id, changed(self._read(database, run_id)))

    @staticmethod
    def _read(database: sqlite3.Connection, run_id: str) -> _Row | None:
        row = database.execute("SELECT id, owner, started, status, form, result, error, error_status "
                               "FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            return None
        steps = database.execute("SELECT stage, language, count FROM steps WHERE run = ? ORDER BY number",
                                 (run_id,)).fetchall()
        document = database.execute("SELECT name FROM documents WHERE run = ?", (run_id,)).fetchone()
        return _Row(*row, document=document[0] if document else "",
                    steps=tuple(Step(stage, language, count) for stage, language, count in steps))


# In Redis a run is a hash of its columns, a list of its steps and its uploaded document, each
# expiring NEWSDESK_KEEP_RESULTS hours after the run started, as the file's are removed then.
_REDIS_PREFIX = "newsdesk:run"
# A step or an update of a run that has expired is dropped (the file's UPDATE finds no row either).
_ADD_STEP_SCRIPT = """
local left = redis.call('PTTL', KEYS[1])
if left == -2 then return 0 end
redis.call('RPUSH', KEYS[2], ARGV[1])
if left > 0 then redis.call('PEXPIRE', KEYS[2], left) end
return 1
"""
_UPDATE_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV))
return 1
"""


class _RedisRuns:
    """The runs in NEWSDESK_REDIS_URL's Redis, which every web node reads (issue 33)."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def _call(self, operation):
        from ..stores import redis_server

        return redis_server.shared(self.settings, operation, what="the desk's results")

    @staticmethod
    def _keys(run_id: str) -> tuple[str, str, str]:
        return f"{_REDIS_PREFIX}:{run_id}", f"{_REDIS_PREFIX}:{run_id}:steps", f"{_REDIS_PREFIX}:{run_id}:document"

    def start(self, row: _Row, *, document: bytes | None) -> None:
        run, _steps, kept_document = self._keys(row.id)
        seconds = None if self.settings.keep_results is None else max(1, round(self.settings.keep_results * 3600))

        def write(client) -> None:
            transaction = client.pipeline(transaction=True)
            transaction.hset(run, mapping={"owner": row.owner, "started": repr(row.started), "status": row.status,
                                           "form": row.form, "document": row.document})
            if document is not None:
                transaction.set(kept_document, document)
            if seconds is not None:
                transaction.expire(run, seconds)
                if document is not None:
                    transaction.expire(kept_document, seconds)
            transaction.execute()

        self._call(write)

    def document(self, run_id: str) -> bytes | None:
        return self._call(lambda client: client.get(self._keys(run_id)[2]))

    def add_step(self, run_id: str, reached: Step) -> None:
        step = json.dumps([reached.stage, reached.language, reached.count], ensure_ascii=False)
        self._call(lambda client: client.eval(_ADD_STEP_SCRIPT, 2, *self._keys(run_id)[:2], step))

    def update(self, run_id: str, **columns) -> None:
        self._call(lambda client: client.eval(_UPDATE_SCRIPT, 1, self._keys(run_id)[0], *self._fields(columns)))

    @staticmethod
    def _fields(columns: dict) -> list[str]:
        assert set(columns) <= set(_COLUMNS)
        return [part for name, value in columns.items() for part in (name, "" if value is None else str(value))]

    def load(self, run_id: str) -> _Row | None:
        run, steps, _document = self._keys(run_id)

        def read(client):
            transaction = client.pipeline(transaction=True)
            transaction.hgetall(run)
            transaction.lrange(steps, 0, -1)
            return transaction.execute()

        return self._row(run_id, *self._call(read))

    def change(self, run_id: str, changed: Callable[[_Row | None], dict]) -> None:
        run, steps, _document = self._keys(run_id)

        def attempt(pipe) -> None:
            columns = changed(self._row(run_id, pipe.hgetall(run), pipe.lrange(steps, 0, -1)))
            pipe.multi()
            pipe.eval(_UPDATE_SCRIPT, 1, run, *self._fields(columns))

        self._call(lambda client: client.transaction(attempt, run))

    @staticmethod
    def _row(run_id: str, fields: dict[bytes, bytes], steps: list[bytes]) -> _Row | None:
        if not fields:
            return None
        value = {name.decode(): text.decode() for name, text in fields.items()}
        return _Row(id=run_id, owner=value["owner"], started=float(value["started"]), status=value["status"],
                    form=value["form"], result=value.get("result") or None, error=value.get("error") or None,
                    error_status=int(value["error_status"]) if value.get("error_status") else None,
                    document=value.get("document", ""),
                    steps=tuple(Step(*json.loads(step)) for step in steps))
