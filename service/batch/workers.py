"""RQ workers for articles: in `newsdesk worker` processes, or one thread in each web worker.

RQ (python-rq) is the engine, not Celery: it needs nothing but Redis and the `redis`
package we already use, its jobs are plain function calls, and its worker classes can
be bent to two needs of ours without patching it:

- CTranslate2's thread pools do not survive fork(), so workers are ``SimpleWorker``s
  that keep the packs loaded and run each article in the worker itself;
- a dead worker's article must come back quickly. RQ retries an article whose
  claim (its "execution" heartbeat) lapses; a forking RQ worker renews that claim from
  its parent process, and ``ArticleWorker`` does the same from a small thread, so the
  claim can be short (NEWSDESK_JOB_CLAIM_SECONDS) and a crash is noticed in seconds.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import threading
import time

import redis
from rq import SimpleWorker
from rq.exceptions import StopRequested
from rq.timeouts import BaseDeathPenalty

from ..config import Settings
from ..errors import ServiceError
from ..stores import redis_server
from . import queue

log = logging.getLogger(__name__)

# The settings of the worker running the current article (see ArticleWorker.work).
current_settings: contextvars.ContextVar[Settings] = contextvars.ContextVar("newsdesk_worker_settings")

_workers_lock = threading.Lock()


class _NoDeathPenalty(BaseDeathPenalty):
    """No signal-based job timeout: an article is bounded by NEWSDESK_REQUEST_TIMEOUT
    (checked between batches), and signals cannot reach a worker running in a thread."""

    def setup_death_penalty(self):
        pass

    def cancel_death_penalty(self):
        pass


class ArticleWorker(SimpleWorker):
    """An RQ worker for articles: packs stay loaded, the claim on an article is short and renewed."""

    death_penalty_class = _NoDeathPenalty

    def __init__(self, *args, settings: Settings, idle_wait: int | None = None, **kwargs):
        claim = max(2, settings.job_claim_seconds)
        # An idle worker wakes every worker_ttl - 15 s (RQ's dequeue timeout) and then
        # runs maintenance, which retries the articles of workers that died.
        kwargs.setdefault("worker_ttl", claim + 15)
        kwargs.setdefault("maintenance_interval", max(1, claim // 2))
        self.idle_wait = idle_wait  # before RQ's __init__, which reads dequeue_timeout
        super().__init__(*args, **kwargs)
        self.settings = settings
        self.claim_seconds = claim
        self.stop_requested = threading.Event()
        self.busy = False
        self.article_in_hand = None  # (job, queue) from its start until RQ has recorded how it ended

    @property
    def dequeue_timeout(self) -> int:
        # How long one wait for an article blocks; an in-process worker waits briefly,
        # so that it notices a stop request at once.
        return self.idle_wait or super().dequeue_timeout

    def heartbeat(self, *args, **kwargs):
        # RQ beats before each wait for an article, even while it retries a lost
        # connection: a stopping in-process worker leaves there and takes no new article.
        if self.stop_requested.is_set() and not self.busy:
            raise StopRequested()
        return super().heartbeat(*args, **kwargs)

    def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
        return self.claim_seconds

    def work(self, *args, **kwargs) -> bool:
        # Articles, and the failure callbacks that maintenance runs, see these settings.
        token = current_settings.set(self.settings)
        try:
            return super().work(*args, **kwargs)
        finally:
            current_settings.reset(token)

    def execute_job(self, job, queue):
        self.busy = True
        self.article_in_hand = (job, queue)
        self._forget_lapsed_executions(job)
        finished = threading.Event()
        threading.Thread(target=self._renew_claim, args=(job, finished), name="newsdesk-claim", daemon=True).start()
        try:
            super().execute_job(job, queue)
            self.article_in_hand = None  # not when Redis went away under RQ's own bookkeeping
        finally:
            self.busy = False
            finished.set()

    def request_stop(self, signum, frame):
        self.stop_requested.set()  # also while it waits for a Redis that went away (ride_out)
        super().request_stop(signum, frame)

    def give_back_article_in_hand(self) -> None:
        """Once Redis is back, retry the article this worker held when Redis went away (RQ could
        record neither its end nor its failure); one whose result was stored is not redone."""
        from rq.exceptions import NoSuchJobError
        from rq.job import JobStatus

        if self.article_in_hand is None:
            return
        job, queue_ = self.article_in_hand
        self.article_in_hand = None
        try:
            status = job.get_status(refresh=True)
        except NoSuchJobError:
            return  # its job expired or was cancelled meanwhile
        if status in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELED, JobStatus.STOPPED):
            return
        self.handle_job_failure(job, queue_, exc_string="the job queue's Redis went away while it ran")
        log.warning("worker %s: %s goes back to the queue", self.name, job.description)

    def clean_registries(self):
        super().clean_registries()
        for queue_ in self.queues:
            self._retry_taken_but_never_started(queue_)

    def _retry_taken_but_never_started(self, queue_) -> None:
        """Put back the articles a worker took off the queue but died before starting, after one claim.

        RQ 3.0 moves an article to an "intermediate" list when a worker takes it, and only then
        marks it started; a worker killed in between leaves it there, and RQ retries it after a
        fixed minute (the crash bench saw 61 s). The claim is the wait we promise for a dead worker.
        """
        from datetime import datetime, timedelta, timezone

        lock = f"newsdesk:intermediate-cleanup:{queue_.name}"
        if not self.connection.set(lock, self.name, nx=True, ex=max(1, self.claim_seconds // 2)):
            return  # another worker is doing it now
        intermediate = queue_.intermediate_queue
        for job_id in intermediate.get_job_ids():
            first_seen = intermediate.get_first_seen(job_id)  # set by RQ's own pass above
            if job_id in queue_.started_job_registry or first_seen is None:
                continue
            if datetime.now(timezone.utc) - first_seen < timedelta(seconds=self.claim_seconds):
                continue
            job = queue_.fetch_job(job_id)
            if job is not None:
                self.handle_job_failure(job, queue_, exc_string="its worker stopped after taking it, before starting it")
            intermediate.remove(job_id)

    def _forget_lapsed_executions(self, job) -> None:
        """Drop a dead worker's execution from the article's record before retrying it.

        RQ 3.0 lists an execution in the job's registry for 60 s longer than its own
        record lives; when a retried article finished inside that window, RQ failed it
        with "Execution ... not found in Redis" (seen in the kill test).
        """
        registry = job.execution_registry
        for raw in self.connection.zrange(registry.key, 0, -1):
            execution_id = raw.decode()
            if not self.connection.exists(f"rq:execution:{job.id}:{execution_id}"):
                self.connection.zrem(registry.key, execution_id)

    def _renew_claim(self, job, finished: threading.Event) -> None:
        while not finished.wait(self.claim_seconds / 3):
            execution = self.execution
            if execution is None:
                continue
            try:
                self.maintain_heartbeats(job, execution)
            except redis.RedisError as error:  # the next renewal may get through
                log.warning("could not renew the claim on %s: %s", job.id, error)

    def handle_exception(self, job, *exc_info):
        # Our own refusals (a missing pack) say all in their message: one line, not a traceback per try.
        if isinstance(exc_info[1], ServiceError):
            self.log.warning("worker %s: %s: %s", self.name, job.description, exc_info[1])
            return
        super().handle_exception(job, *exc_info)

    def _install_signal_handlers(self):
        # Python delivers signals to the main thread only; an in-process worker runs in
        # another, and stops when its process does.
        if threading.current_thread() is threading.main_thread():
            super()._install_signal_handlers()


def make_worker(settings: Settings, name: str | None = None, idle_wait: int | None = None) -> ArticleWorker:
    from rq import Queue

    connection = redis_server.connect(settings, socket_timeout=None)
    return ArticleWorker([Queue(queue.QUEUE_NAME, connection=connection)], connection=connection, name=name,
                         settings=settings, idle_wait=idle_wait)


def run_worker(settings: Settings, burst: bool = False, name: str | None = None) -> bool:
    """Work on the queue until stopped (SIGINT/SIGTERM finish the current article first), or,
    with ``burst``, until it is empty. Loads the packs first. Returns whether any article ran."""
    from .. import translation

    try:
        worker = make_worker(settings, name=name)
        worker.connection.ping()
    except redis.RedisError as error:
        raise queue.queue_unavailable(settings, error) from None
    redis_server.warn_unless_durable(settings)
    loaded = translation.preload(settings)
    log.info("worker %s: packs loaded: %s", worker.name, ", ".join(f"{a}->{b}" for a, b in loaded) or "none")
    worked = False
    while True:
        try:
            worked = worker.work(burst=burst, logging_level="INFO") or worked
        except redis.RedisError as error:  # RQ's own goodbye needs Redis too
            log.debug("worker %s: %s", worker.name, error)
        # RQ quits when Redis goes away under an article; a worker that was not asked to
        # stop waits for it and goes on (issue 31), instead of leaving the jobs to wait.
        if burst or worker.stop_requested.is_set() or _answers(worker.connection):
            return worked
        if not ride_out(worker, settings):
            return worked
        with contextlib.suppress(redis.RedisError):
            worker.register_death()  # its record may be back with a restored Redis: its name is free again
        worker.give_back_article_in_hand()
        worker = make_worker(settings, name=name)


# While Redis is away a worker tries it every OUTAGE_RETRY_SECONDS at most (backing off from
# half a second), and says so in its log every OUTAGE_LOG_SECONDS.
OUTAGE_RETRY_SECONDS = 5.0
OUTAGE_LOG_SECONDS = 5.0


def ride_out(worker: ArticleWorker, settings: Settings) -> bool:
    """Wait for the job queue's Redis to answer again: True once it does, False when the worker
    was asked to stop meanwhile."""
    from rq.exceptions import StopRequested

    where = redis_server.without_password(settings.redis_url) if settings.redis_url else "the embedded Redis"
    started, logged, delay = time.monotonic(), float("-inf"), 0.5
    try:
        while not worker.stop_requested.is_set():
            if _answers(worker.connection):
                log.warning("worker %s: the job queue's Redis answers again after %.0f s", worker.name,
                            time.monotonic() - started)
                return True
            if time.monotonic() - logged >= OUTAGE_LOG_SECONDS:
                logged = time.monotonic()
                log.warning("worker %s: the job queue's Redis (%s) does not answer for %.0f s; trying again, "
                            "the article in hand goes back to the queue when it answers", worker.name, where,
                            logged - started)
            worker.stop_requested.wait(delay)
            delay = min(2 * delay, OUTAGE_RETRY_SECONDS)
    except StopRequested:  # RQ's signal handler, when the worker is not busy
        pass
    return False


def _answers(connection: redis.Redis) -> bool:
    try:
        return bool(connection.ping())
    except redis.RedisError:
        return False


# In-process workers, one per (process, Redis): resources, like the loaded packs.
_in_process: dict[tuple[int, str], tuple[threading.Thread, ArticleWorker]] = {}


def start_in_process_worker(settings: Settings) -> None:
    """Run an ArticleWorker in a thread of this process (the embedded default), once per process.

    Called when a gunicorn worker starts and before any jobs request, so a forked or
    restarted worker starts its own.
    """
    if settings.redis_url:
        return  # web nodes stay stateless: `newsdesk worker` processes do the work
    url = redis_server.embedded_redis(settings).url
    key = (os.getpid(), url)
    with _workers_lock:
        running = _in_process.get(key)
        if running is not None and running[0].is_alive():
            return
        worker = make_worker(settings, idle_wait=1)
        thread = threading.Thread(target=_work_until_stopped, args=(worker,), name="newsdesk-jobs", daemon=True)
        _in_process[key] = (thread, worker)
    thread.start()


def _work_until_stopped(worker: ArticleWorker) -> None:
    while not worker.stop_requested.is_set():
        try:
            worker.work(logging_level="WARNING")
        except Exception:  # keep the service's jobs running whatever one pass hit
            if not worker.stop_requested.is_set():
                log.exception("in-process job worker failed; starting it again")
        worker.stop_requested.wait(1.0)


def stop_in_process_workers(timeout: float = 30.0) -> None:
    """Stop this process's in-process workers, waiting (up to ``timeout``) for one busy
    with an article to finish it, so it need not be retried; idle ones stop within a second."""
    with _workers_lock:
        running = [item for (pid, _), item in _in_process.items() if pid == os.getpid()]
    for _, worker in running:
        worker.stop_requested.set()
    deadline = time.monotonic() + timeout
    for thread, _ in running:
        thread.join(max(0.0, deadline - time.monotonic()))
