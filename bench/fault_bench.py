"""Load and faults against the real gunicorn service (the Procfile's web: line), 127.0.0.1 only.

    .venv/bin/python bench/fault_bench.py [--clients 6] [--seconds 60] [--json]
    .venv/bin/python bench/fault_bench.py --short --json     # the bounded form CI runs (tests/test_faults.py)

Uses small generated packs (tests/argospack.py copy models) so that the run measures the
service, not the model. Seven parts, each against a fresh server:

1. load: N clients for a bounded time send a mix of real articles, articles over the
   character limit, hostile HTML, malformed JSON, unknown languages and wrong methods,
   and documents to /translate_file: a .docx article, a PDF stream bomb (stream ended by a
   lone CR, 300 MB), a PDF of tiny text operators, a UTF-16 .docx with an outside entity.
   Expected: no 5xx, every refusal the documented 4xx, no worker restarted, worker
   memory flat (within RSS_GROWTH_MB of its size after warm-up).
2. kill: one worker, a long article in flight, SIGKILL the worker. Expected: that
   client gets an error, the master starts a new worker, the next request succeeds.
3. timeout: NEWSDESK_REQUEST_TIMEOUT=0.5 s and an article that takes longer. Expected:
   504 with its message, well before gunicorn's own timeout, and the worker serves on.
4. crash: a batch job on the embedded Redis; SIGKILL the master, its workers and its
   redis-server at once, right after the 202 (not with --short) and again half-way, then
   start the service again on the same jobs folder. What was on disk at the kill is read
   from a copy of the folder. Expected: no article lost or stored twice, and only the
   articles in flight at the kill run again.
5. slow: 8 clients send a POST's headers, then its body at 1 byte/s, to a one-worker
   service while /health is timed. Expected: /health answers within 2 s. Without --short,
   the same with gunicorn's gthread worker, the "before" figure (/health waits there).
6. keys: NEWSDESK_RATE_LIMIT=10/minute, keys off, two workers, 30 POSTs each with a new
   made-up X-API-Key. Expected: exactly 10 allowed, counted across both workers.
7. zipbomb: a ~200 KB .zip whose one member unpacks to 190 MB, uploaded as a batch.
   Expected: the article fails naming NEWSDESK_MAX_REQUEST_BYTES, and worker memory
   grows by far less than the member.

Prints the figures (and with --json one JSON line); exits 1 when an expectation fails.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import random
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections import Counter
from collections.abc import Iterator
from http.client import HTTPException
from pathlib import Path

import redis

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.serve_bench import free_port, process_rss_mb, stop, wait_until, worker_pids  # noqa: E402

HARBOUR = (REPO / "tests" / "data" / "harbour_strike.txt").read_text(encoding="utf-8")
HOSTILE_HTML = ("<html><head><script>while(true){}</script></head><body>" + "<div>" * 1500
                + '<p title="' + "x" * 30_000 + '">Port workers went back to work on Monday.</p>'
                + "<iframe src='http://example.com'></iframe>" + "</div>" * 1500 + "</body></html>")
MAX_CHARACTERS = 60_000
WARM_UP_ROUNDS, WARM_MB = 6, 8
# A document read in the worker itself kept 0.8-1.4 GB after a stream bomb (issue 31); read in
# its fenced child, the worker stays within this of its size after warm-up.
RSS_GROWTH_MB = 64


def call(url: str, body: bytes | None = None, content_type: str = "application/json", timeout: float = 120,
         headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET, or POST ``body``; return (status, response body). Status 0: the connection failed or was cut."""
    request = urllib.request.Request(url, data=body, method="GET" if body is None else "POST",
                                     headers={"Content-Type": content_type, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, HTTPException, OSError):
        return 0, b""


def send(url: str, body: bytes, content_type: str = "application/json", timeout: float = 120) -> tuple[int, float]:
    """POST; return (status, seconds). Status 0: the connection failed or was cut."""
    started = time.perf_counter()
    status, _ = call(url, body, content_type, timeout)
    return status, time.perf_counter() - started


def call_json(url: str, payload: dict | None = None, timeout: float = 60) -> tuple[int, dict]:
    status, body = call(url, None if payload is None else json.dumps(payload).encode(), timeout=timeout)
    return status, json.loads(body) if body else {}


def mix(number: int) -> tuple[str, str, bytes, str, set[int]]:
    """Request ``number`` of the load mix: (kind, path, body, content type, acceptable statuses)."""
    kinds = [
        ("article", json.dumps({"text": HARBOUR.replace("Tuesday", f"day {number}"), "targets": ["de", "ru"]}), {200}),
        ("huge text", json.dumps({"text": "word " * (MAX_CHARACTERS // 5 + 1000), "targets": ["de"]}), {413}),
        ("hostile html", json.dumps({"text": HOSTILE_HTML, "format": "html", "targets": ["de"]}), {200}),
        ("bad json", '{"text": "unclosed', {400}),
        ("unknown language", json.dumps({"text": HARBOUR, "targets": ["xx"]}), {400, 503}),
        ("wrong method", json.dumps({"text": HARBOUR, "method": "magic", "targets": ["de"]}), {400}),
    ]
    documents = list(hostile_documents().items())
    turn = number % (len(kinds) + len(documents))
    if turn >= len(kinds):  # a document, read in its fenced child process
        kind, (name, data, expected) = documents[turn - len(kinds)]
        body, content_type = multipart({"source": "en", "target": "de"}, name, data)
        return kind, "/translate_file", body, content_type, expected
    kind, body, expected = kinds[turn]
    return kind, "/api/v1/process", body.encode(), "application/json", expected


@functools.cache
def hostile_documents() -> dict[str, tuple[str, bytes, set[int]]]:
    """The documents of the load mix, by kind: (file name, bytes, acceptable statuses)."""
    from tests import hostile_files as hostile

    filters, stream, end_of_line = hostile.stream_bombs(size=300_000_000)["stream-CR"]
    article = hostile.word_document(HARBOUR.split("\n\n")[:6])
    return {
        "docx article": ("harbour.docx", article, {200}),
        "pdf stream bomb": ("bomb.pdf", hostile.with_stream(hostile.PAGE_TEXT, stream, filters=filters,
                                                            end_of_line=end_of_line), {413}),
        "pdf of tiny ops": ("operators.pdf", hostile.tiny_operators(MAX_CHARACTERS * 2), {413}),
        "docx utf-16 xxe": ("xxe.docx", hostile.with_entity(article), {400}),
    }


class Server:
    """The Procfile's web: line on 127.0.0.1 with the generated packs installed, ``args`` appended.

    Its jobs folder (the embedded Redis: jobs and rate-limit counters) and keys file are its
    own, beside the packs, unless NEWSDESK_JOBS_DIR says otherwise: never the user's.
    """

    def __init__(self, packages: Path, langpacks: Path, *args: str, **env: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        home = packages.parent / f"server-{self.port}"
        command = next(line for line in (REPO / "Procfile").read_text().splitlines() if line.startswith("web:"))
        environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
                       "PORT": str(self.port), "HOST": "127.0.0.1", "NEWSDESK_PACKAGES_DIR": str(packages),
                       "NEWSDESK_LANGPACKS_DIR": str(langpacks), "NEWSDESK_DOWNLOAD_MISSING": "0",
                       "NEWSDESK_MAX_CHARACTERS": str(MAX_CHARACTERS), "NEWSDESK_RATE_LIMIT": "none",
                       "NEWSDESK_JOBS_DIR": str(home / "jobs"), "NEWSDESK_KEYS_DB": str(home / "keys.sqlite3"), **env}
        self.jobs_dir = Path(environment["NEWSDESK_JOBS_DIR"]).resolve()
        line = "exec " + command.removeprefix("web:").strip() + " " + shlex.join(args)
        self.process = subprocess.Popen(["sh", "-c", line], cwd=REPO, env=environment, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, start_new_session=True)

        def healthy() -> bool:
            with urllib.request.urlopen(f"{self.base}/ready", timeout=5) as response:
                return response.status == 200

        self.ready_after = wait_until(healthy, self.process, limit=60)

    def workers(self) -> list[int]:
        return worker_pids(self.process.pid)

    def queue(self) -> redis.Redis:
        """A client for its embedded Redis."""
        return redis.Redis.from_url((self.jobs_dir / "redis.url").read_text().strip(), socket_timeout=5)

    def kill_everything(self) -> list[str]:
        """SIGKILL the master, its workers and its Redis at once; return what still runs after 10 s."""
        with self.queue() as client:
            own = int(client.info("server")["process_id"])
        # For reading its data after: the program as it was started (its title's first word). Not
        # /proc/PID/exe: Debian's redis-server is a link to redis-check-rdb, which acts by its name.
        self.redis_binary = Path(f"/proc/{own}/cmdline").read_bytes().split(b"\0")[0].split()[0].decode()
        redis_pids = {own} | set(self._redis_servers())
        os.killpg(self.process.pid, signal.SIGKILL)  # the session's group: master, workers, their redis-server
        for pid in redis_pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait()
        deadline = time.monotonic() + 10
        while (left := self._survivors(redis_pids)) and time.monotonic() < deadline:
            time.sleep(0.05)
        return left

    def _redis_servers(self) -> Iterator[int]:
        """redis-servers serving this jobs folder: they run in it (--dir), whatever their title says."""
        for pid, _, _, command in processes():
            with contextlib.suppress(OSError):
                if "redis-server" in " ".join(command) and Path(f"/proc/{pid}/cwd").resolve() == self.jobs_dir:
                    yield pid

    def _survivors(self, redis_pids: set[int]) -> list[str]:
        ours = redis_pids | set(self._redis_servers())
        return [f"{pid} {' '.join(command)}" for pid, group, state, command in processes()
                if state != "Z" and (group == self.process.pid or pid in ours)]

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        with contextlib.suppress(ProcessLookupError):  # none left after kill_everything
            stop(self.process)


def processes() -> Iterator[tuple[int, int, str, list[str]]]:
    """(pid, process group, state, command line) of every process in /proc."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state, _, group = (entry / "stat").read_text().rpartition(")")[2].split()[:3]
            command = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except (OSError, ValueError):
            continue  # gone meanwhile
        yield int(entry.name), int(group), state, [part for part in command if part]


def load(packages: Path, langpacks: Path, clients: int, seconds: float) -> dict:
    with Server(packages, langpacks, NEWSDESK_WORKERS="2", NEWSDESK_THREADS="2") as server:
        # The first worker may answer before the master has forked the second: wait for both, or
        # the second one's arrival reads as a restart.
        started = time.monotonic()
        while len(server.workers()) < 2 and time.monotonic() - started < 30:
            time.sleep(0.1)
        workers = server.workers()
        rss_loaded = process_rss_mb(workers)
        # Warm up: the first requests load what loads on use (the language-detection
        # model, lxml, sumy, the documents' forkserver); memory must be flat from there on.
        # Rounds go on until a round grows no worker by more than WARM_MB: which worker takes
        # a request is the kernel's choice, so one round may leave a worker cold.
        rss_start = rss_loaded
        for _round in range(WARM_UP_ROUNDS):
            for number in range(2 * len(hostile_documents()) + 2 * 6):
                _, path, body, content_type, _ = mix(number)
                send(server.base + path, body, content_type)
            rss_before, rss_start = rss_start, process_rss_mb(workers)
            if max(after - before for before, after in zip(rss_before, rss_start)) <= WARM_MB:
                break
        outcomes: list[tuple[str, int, float, set[int]]] = []
        lock = threading.Lock()
        counter = iter(range(10**9))
        deadline = time.perf_counter() + seconds

        def client() -> None:
            while time.perf_counter() < deadline:
                with lock:
                    number = next(counter)
                kind, path, body, content_type, expected = mix(number)
                status, elapsed = send(server.base + path, body, content_type)
                with lock:
                    outcomes.append((kind, status, elapsed, expected))

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        rss_end = process_rss_mb(workers)
        restarted = sorted(workers) != sorted(server.workers())
    by_kind: dict[str, dict[str, int]] = {}
    for kind, status, _, _ in outcomes:
        by_kind.setdefault(kind, {})
        by_kind[kind][str(status)] = by_kind[kind].get(str(status), 0) + 1
    unexpected = [(kind, status) for kind, status, _, expected in outcomes if status not in expected]
    latencies = sorted(elapsed for kind, status, elapsed, _ in outcomes if kind == "article" and status == 200)
    return {
        "requests": len(outcomes),
        "statuses_by_kind": by_kind,
        "server_errors": sum(1 for _, status, _, _ in outcomes if status >= 500 or status == 0),
        "unexpected": len(unexpected),
        "article_p50_ms": round(statistics.median(latencies) * 1000) if latencies else None,
        "article_p90_ms": round(latencies[int(0.9 * (len(latencies) - 1))] * 1000) if latencies else None,
        "workers_restarted": restarted,
        "rss_loaded_mb": [round(mb) for mb in rss_loaded],
        "rss_start_mb": [round(mb) for mb in rss_start],
        "rss_end_mb": [round(mb) for mb in rss_end],
    }


SYLLABLES = "ka lo mi re to san du vel mor ein tra bel ost und ar pe ni gor lu fa".split()


def long_article(paragraphs: int) -> str:
    """Paragraphs that differ in most words: near-copies would be dropped by cleaning as pull quotes."""
    rng = random.Random(7)
    return "\n\n".join(
        "Dock workers in " + " ".join("".join(rng.choice(SYLLABLES) for _ in range(3)) for _ in range(10))
        + " said on Monday that the strike would end." for _ in range(paragraphs))


def kill(packages: Path, langpacks: Path) -> dict:
    """SIGKILL the only worker while it translates; the master must replace it."""
    with Server(packages, langpacks, NEWSDESK_WORKERS="1", NEWSDESK_THREADS="2", NEWSDESK_MAX_BATCH_SIZE="1",
                NEWSDESK_MAX_CHARACTERS="1000000", NEWSDESK_REQUEST_TIMEOUT="300") as server:
        [worker] = server.workers()
        outcome: dict = {}

        def in_flight() -> None:  # well over a minute of work: still running when the worker dies
            body = json.dumps({"text": long_article(3000), "targets": ["de", "ru", "ar"]}).encode()
            outcome["status"], outcome["seconds"] = send(f"{server.base}/api/v1/process", body)

        thread = threading.Thread(target=in_flight)
        thread.start()
        time.sleep(1.5)  # the request is now being translated
        os.kill(worker, signal.SIGKILL)
        thread.join()

        def replaced() -> bool:
            return bool(server.workers()) and server.workers() != [worker]

        wait_until(replaced, server.process, limit=30)
        after, _ = send(f"{server.base}/api/v1/process", json.dumps({"text": HARBOUR, "targets": ["de"]}).encode())
        return {"killed_request_status": outcome.get("status"), "next_request_status": after,
                "old_worker": worker, "new_workers": server.workers(), "master_alive": server.process.poll() is None}


def timeout(packages: Path, langpacks: Path) -> dict:
    """A request over NEWSDESK_REQUEST_TIMEOUT gets 504 (not a hung connection); the worker serves on."""
    with Server(packages, langpacks, NEWSDESK_WORKERS="1", NEWSDESK_THREADS="2", NEWSDESK_MAX_BATCH_SIZE="1",
                NEWSDESK_REQUEST_TIMEOUT="0.5") as server:
        workers = server.workers()
        body = json.dumps({"text": long_article(400), "targets": ["de", "ru", "ar"]}).encode()
        request = urllib.request.Request(f"{server.base}/api/v1/process", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        started = time.perf_counter()
        try:
            urllib.request.urlopen(request, timeout=60)
            status, message = 200, None
        except urllib.error.HTTPError as error:
            status, message = error.code, json.loads(error.read()).get("error")
        seconds = time.perf_counter() - started
        after, _ = send(f"{server.base}/api/v1/process", json.dumps({"text": HARBOUR, "targets": ["de"]}).encode())
        return {"status": status, "error": message, "seconds": round(seconds, 2), "next_request_status": after,
                "same_worker": workers == server.workers()}


JOB_TARGETS = ["de"]
CRASH_PARAGRAPHS = 12  # about a second per article with the copy packs
QUEUE_KEY = "rq:queue:newsdesk-articles"  # service/batch/queue.py's QUEUE_NAME, as RQ keys it
STARTED_KEY = "rq:wip:newsdesk-articles"  # its StartedJobRegistry


def crash(packages: Path, langpacks: Path, articles: int, after: float) -> dict:
    """SIGKILL everything once ``after`` of the job's articles are done (0: at the 202); restart; finish it."""
    jobs_dir = packages.parent / f"crash-{after:g}"
    env = {"NEWSDESK_WORKERS": "2", "NEWSDESK_JOBS_DIR": str(jobs_dir), "NEWSDESK_JOB_CLAIM_SECONDS": "2",
           "NEWSDESK_CACHE_SENTENCES": "0"}
    batch = [{"id": f"wire-{number:02d}", "text": f"Report {number}.\n\n" + long_article(CRASH_PARAGRAPHS)}
             for number in range(articles)]
    with Server(packages, langpacks, **env) as server:
        status, job = call_json(f"{server.base}/api/v1/jobs", {"articles": batch, "targets": JOB_TARGETS})
        job_url = f"{server.base}/api/v1/jobs/{job['id']}"
        if after:
            while call_json(job_url)[1]["progress"]["done"] < after * articles:
                time.sleep(0.05)
            time.sleep(0.2)  # into the next articles: not at the instant a worker takes one
        survivors = server.kill_everything()
    at_kill = persisted(server.redis_binary, jobs_dir, job["id"])
    with Server(packages, langpacks, **env) as server:
        job_url = f"{server.base}/api/v1/jobs/{job['id']}"
        started = time.perf_counter()
        while (report := call_json(job_url)[1]).get("status") in ("queued", "running") \
                and time.perf_counter() - started < 180:
            time.sleep(0.1)
        finished_after = time.perf_counter() - started
        lines = [json.loads(line) for line in call(job_url + "/result", timeout=60)[1].splitlines()]
    return {"articles": articles, "submit_status": status, "survivors": survivors, "at_kill": at_kill,
            "status": report.get("status"), "progress": report.get("progress"), "retried": report.get("retried"),
            "restart_to_finished_s": round(finished_after, 1), **rework(lines, at_kill, articles)}


def persisted(binary: str, jobs_dir: Path, job_id: str) -> dict:
    """What a killed service's Redis had on disk for the job: read by a redis-server of ours from a copy."""
    with tempfile.TemporaryDirectory(prefix="newsdesk-at-kill-") as folder:
        copy = Path(folder) / "jobs"
        shutil.copytree(jobs_dir, copy, ignore=shutil.ignore_patterns("redis.lock", "redis.url", "redis.log"))
        server = subprocess.Popen([binary, "--port", "0", "--unixsocket", f"{folder}/redis.sock", "--dir", str(copy),
                                   "--dbfilename", "jobs.rdb", "--appendonly", "yes", "--appendfilename", "jobs.aof",
                                   "--save", ""], stdout=subprocess.DEVNULL)
        try:
            client = redis.Redis(unix_socket_path=f"{folder}/redis.sock", socket_timeout=5)
            wait_until(lambda: answers(client), server, limit=10)
            keys = f"newsdesk:job:{job_id}:"
            tries = {int(index) for index in client.hkeys(keys + "tries")}
            done = {int(index) for index in client.hkeys(keys + "results")}
            # RQ moves an article it takes to this list, then to its started registry.
            taken = {int(name.rpartition(b"-")[2]) for name in client.lrange(QUEUE_KEY + ":intermediate", 0, -1)}
            # Then to its started registry ("<job>-<index>:<execution>") a moment before run_article counts a try.
            started = {int(entry.partition(b":")[0].rpartition(b"-")[2])
                       for entry in client.zrange(STARTED_KEY, 0, -1)}
            return {"stored": client.exists(keys + "meta") == 1, "done": len(done), "running": sorted(tries - done),
                    "taken_not_started": sorted((taken | started) - tries - done)}
        finally:
            server.terminate()
            server.wait(10)


def answers(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def rework(lines: list[dict], at_kill: dict, articles: int) -> dict:
    """Articles lost or stored twice, and the work done again: each extra try x that article's own seconds.

    An article in flight at the kill must run again (its first try counts whole here, an
    upper bound); one that was not, finished chiefly, should not.
    """
    done = [line for line in lines if line.get("status") == "done"]
    indices = [line["index"] for line in done]
    seconds = {line["index"]: line["result"]["timings"]["total"] for line in done}
    again = {line["index"]: (line["tries"] - 1) * seconds.get(line["index"], 0) for line in lines
             if line.get("tries", 0) > 1}
    needless = set(again) - set(at_kill["running"]) - set(at_kill["taken_not_started"])
    return {"lost": articles - len(set(indices)), "duplicates": len(indices) - len(set(indices)),
            "article_seconds": round(statistics.mean(seconds.values()), 3) if seconds else None,
            "rerun": sorted(again), "rerun_not_in_flight": sorted(needless),
            "redone_seconds": round(sum(again.values()), 2),
            "finished_redone_seconds": round(sum(again[index] for index in needless), 2)}


HEALTH_TIMEOUT = 5.0


def slow(packages: Path, langpacks: Path, *args: str) -> dict:
    """8 clients drip a POST body at 1 byte/s; time /health 10 times meanwhile.

    One worker, so that every slow client and every probe meet in it (with two, a probe
    may just land on the other one).
    """
    with Server(packages, langpacks, *args, NEWSDESK_WORKERS="1", NEWSDESK_THREADS="2") as server:
        head = (b"POST /api/v1/process HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                b"Content-Length: 1000\r\n\r\n")
        clients = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(8)]
        stopped = threading.Event()

        def drip() -> None:
            for client in clients:
                client.sendall(head)
            while not stopped.wait(1.0):
                for client in clients:
                    with contextlib.suppress(OSError):
                        client.send(b" ")

        dripper = threading.Thread(target=drip)
        dripper.start()
        time.sleep(1.5)  # every slow client is in
        latencies = []
        for _ in range(10):
            started = time.perf_counter()
            status, _ = call(f"{server.base}/health", timeout=HEALTH_TIMEOUT)
            latencies.append(time.perf_counter() - started if status == 200 else None)
            time.sleep(0.5)
        stopped.set()
        dripper.join()
        for client in clients:
            client.close()
    answered = [seconds for seconds in latencies if seconds is not None]
    return {"worker": " ".join(args) or "Procfile", "probes": len(latencies), "timeouts": latencies.count(None),
            "max_s": round(max(answered), 3) if len(answered) == len(latencies) else None,
            "median_s": round(statistics.median(answered), 3) if answered else None}


def keys(packages: Path, langpacks: Path) -> dict:
    """30 POSTs, each with a new made-up X-API-Key (keys off), against 10/minute shared by two workers."""
    log = packages.parent / "keys-access.log"
    log.unlink(missing_ok=True)
    with Server(packages, langpacks, "--access-logfile", str(log), "--access-logformat", "%(p)s %(U)s %(s)s",
                NEWSDESK_RATE_LIMIT="10/minute", NEWSDESK_WORKERS="2", NEWSDESK_API_KEYS="0") as server:
        body = json.dumps({"text": HARBOUR}).encode()
        statuses: list[int] = []
        lock = threading.Lock()

        def client() -> None:
            for _ in range(5):
                status, _ = call(f"{server.base}/api/v1/summarize", body, headers={"X-API-Key": secrets.token_hex(16)})
                with lock:
                    statuses.append(status)

        threads = [threading.Thread(target=client) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    by_worker: dict[str, Counter] = {}
    for pid, path, status in (line.split() for line in log.read_text().splitlines()):
        if path == "/api/v1/summarize":
            by_worker.setdefault(pid.strip("<>"), Counter())[status] += 1
    # Counted together: a worker refused a request before it had allowed 10 itself.
    shared = any(counts["429"] and counts["200"] < 10 for counts in by_worker.values())
    return {"requests": len(statuses), "allowed": statuses.count(200), "limited": statuses.count(429),
            "other": len(statuses) - statuses.count(200) - statuses.count(429),
            "by_worker": {pid: dict(counts) for pid, counts in by_worker.items()}, "counted_together": shared}


BOMB_MB = 190


def zip_bomb(folder: Path) -> Path:
    """A .zip of about 200 KB whose one member unpacks to BOMB_MB MB of text (deflate packs 1,000:1 at most)."""
    path = folder / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("wire/bomb.txt", "w") as member:
            for _ in range(BOMB_MB):
                member.write(b"a" * 1_000_000)
    return path


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """A process's resident memory now (VmRSS), or at its highest so far (VmHWM), in MB."""
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return int(next(line for line in status if line.startswith(field + ":")).split()[1]) / 1024


def rss_peaks(pids: list[int], stopped: threading.Event, peaks: dict[int, float]) -> None:
    """Until ``stopped``, note each process's largest RSS, every 50 ms."""
    while not stopped.wait(0.05):
        for pid in pids:
            with contextlib.suppress(OSError):
                peaks[pid] = max(peaks[pid], rss_mb(pid))


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    """A form body with ``fields`` and one uploaded file, and its content type."""
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
             for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + content)
    return b"".join(parts) + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def zipbomb(packages: Path, langpacks: Path) -> dict:
    """Upload the zip bomb as a batch job; watch the workers' memory while it is read."""
    archive = zip_bomb(packages.parent)
    body, content_type = multipart({"targets": "de"}, archive.name, archive.read_bytes())
    with Server(packages, langpacks, NEWSDESK_WORKERS="2") as server:
        time.sleep(2)  # let every worker finish loading its packs
        before = {pid: rss_mb(pid) for pid in server.workers()}
        high_before = {pid: rss_mb(pid, "VmHWM") for pid in before}
        peaks = dict(before)
        stopped = threading.Event()
        sampler = threading.Thread(target=rss_peaks, args=(list(before), stopped, peaks))
        sampler.start()
        status, answer = call(f"{server.base}/api/v1/jobs", body, content_type)
        time.sleep(0.2)
        stopped.set()
        sampler.join()
        high_after = {pid: rss_mb(pid, "VmHWM") for pid in before}
    report = json.loads(answer) if answer else {}
    return {"zip_kb": round(archive.stat().st_size / 1024), "member_mb": BOMB_MB, "status": status,
            "job_status": report.get("status"), "progress": report.get("progress"),
            "error": (report.get("errors") or [{}])[0].get("error") or report.get("error"),
            "rss_before_mb": [round(mb) for mb in before.values()],
            "rss_peak_mb": [round(mb) for mb in peaks.values()],
            "rss_growth_mb": round(max(peaks[pid] - mb for pid, mb in before.items()), 1),
            "hwm_growth_mb": round(max(high_after[pid] - mb for pid, mb in high_before.items()), 1)}


def build_packs(folder: Path) -> tuple[Path, Path]:
    from service.translation import packs as langpacks
    from service.config import Settings
    from tests.argospack import build_pack

    packages, drop_in = folder / "packages", folder / "langpacks"
    drop_in.mkdir(parents=True)
    (drop_in / "manifest.json").write_text(json.dumps({"packs": [
        {"code": f"translate-en_{t}", "from_code": "en", "to_code": t, "package_version": "1.0"}
        for t in ("ar", "de", "ru")]}))
    settings = Settings.load(overrides={"packages_dir": packages, "langpacks_dir": drop_in})
    for target in ("ar", "de", "ru"):
        langpacks.install_archive(build_pack(folder / "archives", "en", target), settings)
    return packages, drop_in


def check(results: dict) -> list[str]:
    """What went against expectations, in words."""
    problems = []
    run = results["load"]
    if run["server_errors"]:
        problems.append(f"load: {run['server_errors']} requests got a 5xx or a cut connection")
    if run["unexpected"]:
        problems.append(f"load: {run['unexpected']} requests got a status other than the expected one")
    if run["workers_restarted"]:
        problems.append("load: a worker was restarted")
    grown = max(end - start for start, end in zip(run["rss_start_mb"], run["rss_end_mb"]))
    if grown > RSS_GROWTH_MB:
        problems.append(f"load: a worker grew by {grown} MB (RSS after warm-up {run['rss_start_mb']} MB, at the end "
                        f"{run['rss_end_mb']} MB; at most {RSS_GROWTH_MB} MB expected)")
    killed = results["kill"]
    if killed["killed_request_status"] != 0 or killed["next_request_status"] != 200 or not killed["master_alive"]:
        problems.append(f"kill: {killed}")
    timed = results["timeout"]
    if timed["status"] != 504 or timed["next_request_status"] != 200 or not timed["same_worker"]:
        problems.append(f"timeout: {timed}")
    for name, crashed in results["crash"].items():
        whole = crashed["status"] == "finished" and crashed["progress"] == {
            "done": crashed["articles"], "failed": 0, "total": crashed["articles"]}
        if crashed["survivors"] or not crashed["at_kill"]["stored"] or not whole or crashed["lost"] \
                or crashed["duplicates"] or crashed["rerun_not_in_flight"]:
            problems.append(f"crash {name}: {crashed}")
    dripped = results["slow"]["procfile"]
    if dripped["timeouts"] or dripped["max_s"] >= 2:
        problems.append(f"slow: /health took up to {dripped['max_s']} s, {dripped['timeouts']} timed out")
    limited = results["keys"]
    if (limited["allowed"], limited["limited"], limited["other"]) != (10, 20, 0):
        problems.append(f"keys: {limited['allowed']} allowed, {limited['limited']} limited, {limited['other']} other "
                        "(expected 10, 20, 0)")
    bomb = results["zipbomb"]
    if "NEWSDESK_MAX_REQUEST_BYTES" not in (bomb["error"] or "") or max(bomb["rss_growth_mb"], bomb["hwm_growth_mb"]) \
            > BOMB_MB / 4:
        problems.append(f"zipbomb: {bomb}")
    return problems


def print_figures(results: dict, clients: int, seconds: float) -> None:
    run = results["load"]
    print(f"load: {clients} clients, {seconds:g} s, {run['requests']} requests; 5xx or cut: {run['server_errors']}; "
          f"unexpected statuses: {run['unexpected']}; article p50 {run['article_p50_ms']} ms, "
          f"p90 {run['article_p90_ms']} ms")
    for kind, statuses in run["statuses_by_kind"].items():
        print(f"  {kind:17s} {statuses}")
    print(f"  worker RSS with packs loaded {run['rss_loaded_mb']} MB, after warm-up {run['rss_start_mb']} MB, "
          f"at the end {run['rss_end_mb']} MB; "
          f"workers restarted: {run['workers_restarted']}")
    killed = results["kill"]
    print(f"kill: the request in flight got status {killed['killed_request_status']} (0 = connection cut); "
          f"worker {killed['old_worker']} replaced by {killed['new_workers']}; next request {killed['next_request_status']}")
    timed = results["timeout"]
    print(f"timeout: status {timed['status']} after {timed['seconds']} s ({timed['error']}); "
          f"next request {timed['next_request_status']}; same worker: {timed['same_worker']}")
    for name, crashed in results["crash"].items():
        at_kill = crashed["at_kill"]
        print(f"crash {name}: {crashed['articles']} articles; on disk at the kill: {at_kill['done']} done, running "
              f"{at_kill['running']}, taken but not started {at_kill['taken_not_started']}; still running after: "
              f"{len(crashed['survivors'])}; after the restart {crashed['status']} {crashed['progress']} in "
              f"{crashed['restart_to_finished_s']} s")
        print(f"  lost {crashed['lost']}, stored twice {crashed['duplicates']}; run again {crashed['rerun']} "
              f"(not in flight at the kill: {crashed['rerun_not_in_flight']}); redone {crashed['redone_seconds']} s "
              f"of work at {crashed['article_seconds']} s per article, of it finished work "
              f"{crashed['finished_redone_seconds']} s")
        if at_kill["taken_not_started"]:
            print("  an article a worker had taken but not started is put back after one claim "
                  "(NEWSDESK_JOB_CLAIM_SECONDS; ArticleWorker._retry_taken_but_never_started), not RQ's fixed minute")
    for name, dripped in results["slow"].items():
        print(f"slow ({name}): 8 clients at 1 byte/s; /health x{dripped['probes']}: timed out ({HEALTH_TIMEOUT:g} s) "
              f"{dripped['timeouts']}, max {dripped['max_s']} s, median {dripped['median_s']} s (None: no answer)")
    limited = results["keys"]
    print(f"keys: {limited['requests']} POSTs with new made-up keys at 10/minute: {limited['allowed']} allowed, "
          f"{limited['limited']} limited, {limited['other']} other; by worker {limited['by_worker']} "
          f"(counted together: {limited['counted_together']})")
    bomb = results["zipbomb"]
    print(f"zipbomb: {bomb['zip_kb']} KB unpacking to {bomb['member_mb']} MB: status {bomb['status']}, job "
          f"{bomb['job_status']} {bomb['progress']} ({bomb['error']}); worker RSS {bomb['rss_before_mb']} -> peak "
          f"{bomb['rss_peak_mb']} MB (+{bomb['rss_growth_mb']} MB; VmHWM +{bomb['hwm_growth_mb']} MB)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--articles", type=int, default=16, help="articles in each crash round's job")
    parser.add_argument("--short", action="store_true", help="the bounded CI form: 4 clients, 10 s, the crash "
                        "half-way only (a kill at the 202 may wait a minute for RQ), no gthread run")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    args = parser.parse_args()
    clients, seconds, articles = (4, 10.0, 10) if args.short else (args.clients, args.seconds, args.articles)
    with tempfile.TemporaryDirectory(prefix="newsdesk-faults-") as scratch:
        packages, drop_in = build_packs(Path(scratch))
        results = {"load": load(packages, drop_in, clients, seconds), "kill": kill(packages, drop_in),
                   "timeout": timeout(packages, drop_in), "crash": {}, "slow": {}}
        if not args.short:
            results["crash"]["at_202"] = crash(packages, drop_in, articles, after=0)
        results["crash"]["half_way"] = crash(packages, drop_in, articles, after=0.5)
        results["slow"]["procfile"] = slow(packages, drop_in)
        if not args.short:
            results["slow"]["gthread"] = slow(packages, drop_in, "--worker-class", "gthread")
        results["keys"] = keys(packages, drop_in)
        results["zipbomb"] = zipbomb(packages, drop_in)
    print_figures(results, clients, seconds)
    problems = check(results)
    for problem in problems:
        print(f"FAILED {problem}")
    if args.json:
        print(json.dumps(results))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
