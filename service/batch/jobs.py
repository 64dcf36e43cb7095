"""Batch jobs: many articles in, each one cleaned, summarized and translated by any worker.

A batch is one record of ours in Redis plus one RQ job per article (service/batch/workers.py),
so workers share a batch article by article and a dead worker's article is retried
alone. RQ keeps the queue; these keys keep what RQ does not:

    newsdesk:job:<id>:meta      options, total, owner, state, timestamps
    newsdesk:job:<id>:articles  index -> {"name", "text", "left_out", "main_content"}
    newsdesk:job:<id>:results   index -> the article's result (as the API's /process gives it)
    newsdesk:job:<id>:errors    index -> why the article failed
    newsdesk:job:<id>:tries     index -> how many times a worker started it

An article's result is one hash field, so an article that ran twice (its worker died
after finishing it, before telling RQ) still has exactly one result. Every key of a
batch expires NEWSDESK_JOB_RESULT_TTL seconds after its last article was done.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass

import redis

from .. import defaults, outcome, render
from ..config import Settings
from ..errors import (
    BadLanguagePack,
    IdempotencyConflict,
    InvalidInput,
    JobNotFinished,
    JobNotFound,
    LanguagePackMissing,
    QueueFull,
    ServiceError,
    TooLarge,
)
from ..stages.clean import Article, Block, Removed
from . import workers
from .queue import QUEUE_NAME

PREFIX = "newsdesk:job:"
FIELDS = ("meta", "articles", "results", "errors", "tries")
QUEUED, RUNNING, FINISHED, CANCELLED = "queued", "running", "finished", "cancelled"


@dataclass(frozen=True)
class JobOptions:
    """What to do with every article of a batch (the /process options)."""

    targets: tuple[str, ...]
    summary: int | str = defaults.SUMMARY_LENGTH
    method: str = defaults.SUMMARY_METHOD
    source: str = defaults.SOURCE


@dataclass(frozen=True)
class ArticleInput:
    """One article of a batch: its name (file name or given id) and text, or why it could not be read."""

    name: str
    text: str = ""
    error: str = ""
    left_out: tuple[str, ...] = ()  # the page's lines outside the article (documents.Document)
    main_content: bool = False  # the text is an .html page's main content (documents.Document)
    outline: Article | None = None  # a document's own structure (documents.Document)
    original: bytes = b""  # a .docx/.odt itself, for its translated copies (documents.Document)


def _stored_article(article: ArticleInput) -> dict:
    stored = {"name": article.name, "text": article.text, "left_out": list(article.left_out),
              "main_content": article.main_content}
    if article.outline is not None:
        stored["outline"] = {"title": article.outline.title,
                             "blocks": [[block.kind, block.text] for block in article.outline.blocks],
                             "removed": [[line.text, line.reason] for line in article.outline.removed]}
    if article.original:
        stored["original"] = base64.b64encode(article.original).decode("ascii")
    return stored


def _outline_of(stored: dict | None) -> Article | None:
    if stored is None:
        return None
    return Article(title=stored["title"], blocks=tuple(Block(kind, text) for kind, text in stored["blocks"]),
                   removed=tuple(Removed(text, reason) for text, reason in stored["removed"]))


def _keys(job_id: str) -> dict[str, str]:
    return {field: f"{PREFIX}{job_id}:{field}" for field in FIELDS}


def submit(connection: redis.Redis, articles: list[ArticleInput], options: JobOptions, settings: Settings,
           owner: str = "", idempotency_key: str | None = None) -> tuple[str, bool]:
    """Store a batch and queue its articles; return (job id, whether it is new).

    With an ``idempotency_key`` already used by ``owner`` for the same batch, return that
    job and queue nothing; for a different batch, IdempotencyConflict.
    """
    from rq import Callback, Queue, Retry

    if not articles:
        raise InvalidInput('the batch has no articles: send a list such as {"articles": [{"id": "a1", '
                           '"text": "..."}], "targets": ["de"]}')
    if settings.max_job_articles is not None and len(articles) > settings.max_job_articles:
        raise TooLarge(f"the batch has {len(articles):,} articles; the limit is {settings.max_job_articles:,} "
                       "(NEWSDESK_MAX_JOB_ARTICLES): split it into several jobs")
    size = sum(len(article.text.encode("utf-8", "surrogatepass")) + len(article.original) for article in articles)
    _check_room(connection, owner, size, settings)
    job_id = uuid.uuid4().hex
    fingerprint = _fingerprint(articles, options)
    ttl = settings.job_result_ttl
    if idempotency_key is not None:
        claim_key = f"newsdesk:idempotency:{_digest(owner)}:{_digest(idempotency_key)}"
        if not connection.set(claim_key, f"{job_id} {fingerprint}", nx=True, ex=ttl):
            previous = (connection.get(claim_key) or b"").decode()
            previous_id, _, previous_fingerprint = previous.partition(" ")
            if previous_fingerprint != fingerprint:
                raise IdempotencyConflict(
                    "this Idempotency-Key was already used for a different batch: use a new key for new work")
            # The claim is set before the job is stored: a twin request arriving in between
            # waits for it rather than queueing the batch a second time.
            for _ in range(100):
                if connection.exists(_keys(previous_id)["meta"]):
                    return previous_id, False
                time.sleep(0.02)
            connection.set(claim_key, f"{job_id} {fingerprint}", ex=ttl)  # its job is gone: run anew
    keys = _keys(job_id)
    now = time.time()
    meta = {"id": job_id, "owner": owner, "state": QUEUED, "total": len(articles), "created": now,
            "options": json.dumps(asdict(options)), "names": json.dumps([article.name for article in articles])}
    queue = Queue(QUEUE_NAME, connection=connection)
    retry = Retry(max=settings.job_retries) if settings.job_retries > 0 else None
    runnable = [index for index, article in enumerate(articles) if not article.error]
    with connection.pipeline() as pipe:
        pipe.hset(keys["meta"], mapping=meta)
        for start in range(0, len(articles), 500):
            chunk = {index: json.dumps(_stored_article(article), ensure_ascii=False)
                     for index, article in enumerate(articles[start:start + 500], start)}
            pipe.hset(keys["articles"], mapping=chunk)
        unreadable = {index: article.error for index, article in enumerate(articles) if article.error}
        if unreadable:
            pipe.hset(keys["errors"], mapping=unreadable)
        if not runnable:
            pipe.hset(keys["meta"], mapping={"state": FINISHED, "finished": now})
            pipe.delete(keys["articles"])
        for key in keys.values():
            pipe.expire(key, ttl)
        pipe.hset(_owner_key(owner), job_id, size)
        pipe.expire(_owner_key(owner), ttl)
        queue.enqueue_many([
            Queue.prepare_data(run_article, args=(job_id, index), job_id=f"{job_id}-{index}",
                               timeout=-1, result_ttl=0, failure_ttl=ttl, retry=retry,
                               on_failure=Callback(article_failed), description=f"article {index} of job {job_id}")
            for index in runnable
        ], pipeline=pipe)
        try:
            pipe.execute()
        except redis.exceptions.OutOfMemoryError:
            raise queue_full(settings) from None
    return job_id, True


# Every job's article bytes per owner, while they are kept: what NEWSDESK_MAX_STORED_JOB_BYTES bounds.
def queue_depth(connection: redis.Redis) -> int:
    """Articles waiting in the queue for a worker."""
    from rq import Queue

    return Queue(QUEUE_NAME, connection=connection).count


def _owner_key(owner: str) -> str:
    return f"newsdesk:owner:{_digest(owner)}:jobs"


def _check_room(connection: redis.Redis, owner: str, size: int, settings: Settings) -> None:
    """Refuse a job that would take the owner past its stored bytes, or Redis past its memory."""
    limit = settings.max_stored_job_bytes
    if limit is not None:
        held = _bytes_held(connection, owner)
        if held + size > limit:
            raise TooLarge(f"this job's articles ({size:,} bytes) and those already kept for this API key "
                           f"({held:,} bytes) are over the limit of {limit:,} (NEWSDESK_MAX_STORED_JOB_BYTES): "
                           "wait for running jobs to finish, or cancel some, then send again")
    try:
        memory = connection.info("memory")
    except redis.exceptions.ResponseError:  # INFO refused (a managed Redis's ACL): its own limit still answers OOM
        return
    # Room for the articles and their results (summary and translations, a few times the text).
    if memory.get("maxmemory") and memory["used_memory"] + 4 * size > memory["maxmemory"]:
        raise queue_full(settings)


def _bytes_held(connection: redis.Redis, owner: str) -> int:
    """The article bytes of the owner's jobs still waiting or running; forgets jobs done or gone."""
    held = 0
    for job_id, size in connection.hgetall(_owner_key(owner)).items():
        state = connection.hget(_keys(job_id.decode())["meta"], "state")
        if state is None or state.decode() in (FINISHED, CANCELLED):
            connection.hdel(_owner_key(owner), job_id)
        else:
            held += int(size)
    return held


def queue_full(settings: Settings) -> QueueFull:
    where = "NEWSDESK_JOBS_MAX_MEMORY" if not settings.redis_url else "the maxmemory of NEWSDESK_REDIS_URL's Redis"
    return QueueFull(f"the job store is full ({where}); nothing stored is removed to make room: fetch the results "
                     "of finished jobs, cancel jobs no longer wanted, or raise the limit, then send again")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _fingerprint(articles: list[ArticleInput], options: JobOptions) -> str:
    return _digest(json.dumps([asdict(options), [_stored_article(article) | {"error": article.error}
                                                 for article in articles]], ensure_ascii=False))


def _meta(connection: redis.Redis, job_id: str, owner: str) -> dict[str, str]:
    raw = connection.hgetall(_keys(job_id)["meta"]) if _valid_id(job_id) else {}
    meta = {key.decode(): value.decode() for key, value in raw.items()}
    if not meta or meta.get("owner", "") != owner:
        raise JobNotFound(f"there is no job {job_id!r}: it was never submitted (by this API key), or its results "
                          "were removed after NEWSDESK_JOB_RESULT_TTL seconds")
    return meta


def _valid_id(job_id: str) -> bool:
    return len(job_id) == 32 and all(character in "0123456789abcdef" for character in job_id)


def status(connection: redis.Redis, job_id: str, owner: str = "") -> dict:
    """The job's state, progress (done / failed / total) and every failed article's error."""
    meta = _meta(connection, job_id, owner)
    keys = _keys(job_id)
    with connection.pipeline() as pipe:
        pipe.hlen(keys["results"])
        pipe.hgetall(keys["errors"])
        pipe.hgetall(keys["tries"])
        pipe.ttl(keys["meta"])
        done, errors, tries, expires_in = pipe.execute()
    names = json.loads(meta["names"])
    total = int(meta["total"])
    state = meta["state"]
    if state not in (FINISHED, CANCELLED):
        state = RUNNING if done or errors or tries else QUEUED
    failed = sorted((int(index), message.decode()) for index, message in errors.items())
    retried = sorted((int(index), int(count)) for index, count in tries.items() if int(count) > 1)
    return {
        "id": job_id,
        "status": state,
        "progress": {"done": done, "failed": len(failed), "total": total},
        "options": json.loads(meta["options"]),
        "created": _iso(meta["created"]),
        "finished": _iso(meta["finished"]) if "finished" in meta else None,
        "expires_in": expires_in if state in (FINISHED, CANCELLED) else None,
        "errors": [{"index": index, "name": names[index], "error": message} for index, message in failed],
        "retried": [{"index": index, "name": names[index], "tries": count} for index, count in retried],
    }


def _iso(timestamp: str) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(timestamp)))


def results(connection: redis.Redis, job_id: str, owner: str = "", partial: bool = False) -> Iterator[dict]:
    """One record per article, in submission order: its result, or why it failed.

    Until the job is finished (or cancelled) this is JobNotFinished, unless ``partial``.
    """
    report = status(connection, job_id, owner)
    if report["status"] in (QUEUED, RUNNING) and not partial:
        progress = report["progress"]
        raise JobNotFinished(
            f"job {job_id} is still {report['status']} ({progress['done'] + progress['failed']} of "
            f"{progress['total']} articles done): wait until its status is finished, or ask for the results so far "
            "with ?partial=1")
    names = json.loads(connection.hget(_keys(job_id)["meta"], "names") or "[]")
    yield from _records(connection, job_id, report, range(len(names)), names=names)


def articles(connection: redis.Redis, job_id: str, owner: str = "", *, first: int = 0,
             count: int = 100) -> tuple[int, list[dict]]:
    """How many articles the job has, and ``count`` of them from ``first`` as the batch page
    lists them, at any time: index, name, status (done, failed, pending or cancelled), how many
    times a worker started it, and the title, language and seconds of a done one or the error of
    a failed one; not their texts."""
    report = status(connection, job_id, owner)
    names = json.loads(connection.hget(_keys(job_id)["meta"], "names") or "[]")
    rows = []
    for record in _records(connection, job_id, report, range(first, min(first + count, len(names))), names=names):
        row = {key: record[key] for key in ("index", "name", "status", "tries")}
        if record["status"] == "done":
            result = record["result"]
            row.update(title=result["article"]["title"], language=result["source"]["language"],
                       seconds=result["timings"].get("total"))
        elif record["status"] == "failed":
            row["error"] = record["error"]
        rows.append(row)
    return len(names), rows


def _records(connection: redis.Redis, job_id: str, report: dict, indices: range, *,
             names: list[str]) -> Iterator[dict]:
    """The records of the articles at ``indices`` (``results``), read 200 at a time."""
    keys = _keys(job_id)
    errors = {int(index): message.decode() for index, message in connection.hgetall(keys["errors"]).items()}
    tries = {int(index): int(count) for index, count in connection.hgetall(keys["tries"]).items()}
    for start in range(indices.start, indices.stop, 200):
        batch = list(range(start, min(start + 200, indices.stop)))
        for index, stored in zip(batch, connection.hmget(keys["results"], batch)):
            record = {"index": index, "name": names[index], "tries": tries.get(index, 0)}
            if stored is not None:
                data = json.loads(stored)
                record.update(status="done", result=data["result"], paragraph_index=data["paragraph_index"],
                              documents=data.get("documents", {}))
                if "documents_error" in data:
                    record["documents_error"] = data["documents_error"]
            elif index in errors:
                record.update(status="failed", error=errors[index])
            else:
                record.update(status="cancelled" if report["status"] == CANCELLED else "pending")
            yield record


def article_result(connection: redis.Redis, job_id: str, index: int, owner: str = "") -> dict:
    """Article ``index``'s stored result ({"result", "paragraph_index"}), to open it on the desk;
    InvalidInput when it has none (yet)."""
    report = status(connection, job_id, owner)
    names = json.loads(connection.hget(_keys(job_id)["meta"], "names") or "[]")
    if not 0 <= index < len(names):
        raise JobNotFound(f"job {job_id} has no article {index + 1}: it has {len(names)}")
    record = next(_records(connection, job_id, report, range(index, index + 1), names=names))
    if record["status"] != "done":
        raise InvalidInput(f"{record['name']} has no result to open ({record['status']}): "
                           + (record["error"] if record["status"] == "failed" else "wait until it is done"))
    return {"result": record["result"], "paragraph_index": record["paragraph_index"]}


def cancel(connection: redis.Redis, job_id: str, owner: str = "") -> dict:
    """Stop a job: articles not yet started are skipped; finished ones keep their results."""
    meta = _meta(connection, job_id, owner)
    if meta["state"] not in (FINISHED, CANCELLED):
        keys = _keys(job_id)
        with connection.pipeline() as pipe:
            pipe.hset(keys["meta"], mapping={"state": CANCELLED, "finished": time.time()})
            pipe.delete(keys["articles"])  # the texts go now; the results already made stay until the TTL
            pipe.hdel(_owner_key(owner), job_id)
            pipe.execute()
    return status(connection, job_id, owner)


# --- what a worker runs ------------------------------------------------------------

def run_article(job_id: str, index: int) -> None:
    """Process article ``index`` of job ``job_id`` (an RQ job function) and store the outcome."""
    from rq import get_current_job

    from ..pipeline import deadline, process

    connection = get_current_job().connection
    keys = _keys(job_id)
    state = connection.hget(keys["meta"], "state")
    if state is None or state.decode() == CANCELLED:
        return  # expired, or cancelled before this article started
    if connection.hexists(keys["results"], index):
        return  # stored just before a kill cut RQ's own bookkeeping short: the retry has nothing left to do
    settings = workers.current_settings.get(None) or Settings.load()
    stored_article = connection.hget(keys["articles"], index)
    if stored_article is None:
        return  # the job's keys expired while the article waited
    connection.hincrby(keys["tries"], index, 1)
    article = json.loads(stored_article)
    options = JobOptions(**json.loads(connection.hget(keys["meta"], "options")))
    try:
        result = process(article["text"], targets=options.targets, summary=options.summary, method=options.method,
                         source=options.source, settings=settings, deadline=deadline(settings),
                         left_out=tuple(article.get("left_out", ())), main_content=article.get("main_content", False),
                         outline=_outline_of(article.get("outline")),
                         aligned=bool(article.get("original")))  # its copy follows the model's alignment
    except (LanguagePackMissing, BadLanguagePack) as error:
        if not settings.redis_url:  # the service's own workers share one packs folder: none would do better
            _record(connection, job_id, index, settings, error=str(error))
            return
        raise  # this worker's packs, not the article: retried, maybe by a `newsdesk worker` that has them
    except ServiceError as error:  # the article's own problem: retrying would not help
        _record(connection, job_id, index, settings, error=str(error))
        return
    stored = {"result": outcome.to_dict(result), "paragraph_index": list(result.paragraph_index)}
    if article.get("original"):
        try:
            stored["documents"] = _document_copies(article["name"], base64.b64decode(article["original"]), result,
                                                   settings)
        except ServiceError as error:  # the article is done; only its copies are not: say why with it
            stored["documents_error"] = f"no translated documents: {error}"
    _record(connection, job_id, index, settings, result=json.dumps(stored, ensure_ascii=False))


def _document_copies(name: str, original: bytes, result, settings: Settings) -> dict[str, str]:
    """Per target, the translated .docx/.odt and its summary document, base64, by name after the
    article's stem: {"de.docx": ..., "de.summary.docx": ...} (render.document_file_names)."""
    from pathlib import PurePosixPath

    from ..pipeline import deadline, translated_document

    suffix = PurePosixPath(name).suffix.lower()
    copies = {}
    for language in result.translations:
        copy_name, summary_name = render.document_file_names("", suffix, language)
        copy = translated_document(name, original, source=result.source, target=language, settings=settings,
                                   deadline=deadline(settings))
        summary = render.to_summary_document(result, language, suffix=suffix)
        copies[copy_name.lstrip(".")] = base64.b64encode(copy).decode("ascii")
        copies[summary_name.lstrip(".")] = base64.b64encode(summary).decode("ascii")
    return copies


def article_failed(job, connection, kind, value, traceback) -> None:
    """RQ's failure callback: on an article's last try, record why it failed.

    Runs for an exception in run_article and for an article whose worker died
    (AbandonedJobError); earlier tries are retried and leave no error behind.
    """
    from rq.exceptions import AbandonedJobError

    if job.retries_left:
        return
    job_id, index = job.args
    tries = int(connection.hget(_keys(job_id)["tries"], index) or 0)
    if kind is AbandonedJobError or isinstance(value, AbandonedJobError):
        message = (f"the worker processing it stopped (killed or crashed) on each of its {tries} tries; "
                   "see the workers' logs, then submit it again")
    elif isinstance(value, ServiceError):  # e.g. no worker that tried it had the language pack
        message = f"{value} (after {tries} tries)"
    else:
        message = f"internal error ({kind.__name__}: {value}); the worker's log has the details"
    _record(connection, job_id, index, workers.current_settings.get(None) or Settings.load(), error=message)


def _record(connection: redis.Redis, job_id: str, index: int, settings: Settings, *, result: str | None = None,
            error: str | None = None) -> None:
    keys = _keys(job_id)
    with connection.pipeline() as pipe:
        if result is not None:
            pipe.hset(keys["results"], index, result)
            pipe.hdel(keys["errors"], index)
        else:
            pipe.hset(keys["errors"], index, error)
        for key in keys.values():
            pipe.expire(key, settings.job_result_ttl)
        pipe.execute()
    with connection.pipeline() as pipe:
        pipe.hlen(keys["results"])
        pipe.hlen(keys["errors"])
        pipe.hget(keys["meta"], "total")
        done, failed, total = pipe.execute()
    if total is not None and done + failed >= int(total):
        # Only the first to see the last article done marks the job finished; its texts are needed no more.
        if connection.hsetnx(keys["meta"], "finished", time.time()):
            with connection.pipeline() as pipe:
                pipe.hset(keys["meta"], "state", FINISHED)
                pipe.delete(keys["articles"])
                pipe.execute()
