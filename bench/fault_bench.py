"""Load and faults against the real gunicorn service (the Procfile's web: line), 127.0.0.1 only.

    .venv/bin/python bench/fault_bench.py [--clients 6] [--seconds 60] [--json]
    .venv/bin/python bench/fault_bench.py --short --json     # the bounded form CI runs (tests/test_faults.py)

Uses small generated packs (tests/argospack.py copy models) so that the run measures the
service, not the model. Three parts, each against a fresh server:

1. load: N clients for a bounded time send a mix of real articles, articles over the
   character limit, hostile HTML, malformed JSON, unknown languages and wrong methods.
   Expected: no 5xx, every refusal the documented 4xx, no worker restarted, worker
   memory flat (RSS at start and end are printed).
2. kill: one worker, a long article in flight, SIGKILL the worker. Expected: that
   client gets an error, the master starts a new worker, the next request succeeds.
3. timeout: NEWSDESK_REQUEST_TIMEOUT=0.5 s and an article that takes longer. Expected:
   504 with its message, well before gunicorn's own timeout, and the worker serves on.

Prints the figures (and with --json one JSON line); exits 1 when an expectation fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from http.client import HTTPException
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.serve_bench import free_port, process_rss_mb, stop, wait_until, worker_pids  # noqa: E402

HARBOUR = (REPO / "tests" / "data" / "harbour_strike.txt").read_text(encoding="utf-8")
HOSTILE_HTML = ("<html><head><script>while(true){}</script></head><body>" + "<div>" * 1500
                + '<p title="' + "x" * 30_000 + '">Port workers went back to work on Monday.</p>'
                + "<iframe src='http://example.com'></iframe>" + "</div>" * 1500 + "</body></html>")
MAX_CHARACTERS = 60_000


def send(url: str, body: bytes, content_type: str = "application/json", timeout: float = 120) -> tuple[int, float]:
    """POST; return (status, seconds). Status 0: the connection failed or was cut."""
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": content_type})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read()
            return response.status, time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, time.perf_counter() - started
    except (urllib.error.URLError, HTTPException, OSError):
        return 0, time.perf_counter() - started


def mix(number: int) -> tuple[str, bytes, str, set[int]]:
    """Request ``number`` of the load mix: (kind, body, content type, acceptable statuses)."""
    kinds = [
        ("article", json.dumps({"text": HARBOUR.replace("Tuesday", f"day {number}"), "targets": ["de", "ru"]}), {200}),
        ("huge text", json.dumps({"text": "word " * (MAX_CHARACTERS // 5 + 1000), "targets": ["de"]}), {413}),
        ("hostile html", json.dumps({"text": HOSTILE_HTML, "format": "html", "targets": ["de"]}), {200}),
        ("bad json", '{"text": "unclosed', {400}),
        ("unknown language", json.dumps({"text": HARBOUR, "targets": ["xx"]}), {400, 503}),
        ("wrong method", json.dumps({"text": HARBOUR, "method": "magic", "targets": ["de"]}), {400}),
    ]
    kind, body, expected = kinds[number % len(kinds)]
    return kind, body.encode(), "application/json", expected


class Server:
    """The Procfile's web: line on 127.0.0.1 with the generated packs installed."""

    def __init__(self, packages: Path, langpacks: Path, **env: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = next(line for line in (REPO / "Procfile").read_text().splitlines() if line.startswith("web:"))
        environment = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}",
                       "PORT": str(self.port), "HOST": "127.0.0.1", "NEWSDESK_PACKAGES_DIR": str(packages),
                       "NEWSDESK_LANGPACKS_DIR": str(langpacks), "NEWSDESK_DOWNLOAD_MISSING": "0",
                       "NEWSDESK_MAX_CHARACTERS": str(MAX_CHARACTERS), "NEWSDESK_RATE_LIMIT": "none", **env}
        self.process = subprocess.Popen(["sh", "-c", "exec " + command.removeprefix("web:").strip()], cwd=REPO,
                                        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)

        def healthy() -> bool:
            with urllib.request.urlopen(f"{self.base}/ready", timeout=5) as response:
                return response.status == 200

        self.ready_after = wait_until(healthy, self.process, limit=60)

    def workers(self) -> list[int]:
        return worker_pids(self.process.pid)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        stop(self.process)


def load(packages: Path, langpacks: Path, clients: int, seconds: float) -> dict:
    with Server(packages, langpacks, NEWSDESK_WORKERS="2", NEWSDESK_THREADS="2") as server:
        workers = server.workers()
        rss_loaded = process_rss_mb(workers)
        # Warm up: the first requests load what loads on use (the language-detection
        # model, lxml, sumy); memory must be flat from there on.
        for number in range(6 * 4):
            _, body, content_type, _ = mix(number)
            send(f"{server.base}/api/v1/process", body, content_type)
        rss_start = process_rss_mb(workers)
        outcomes: list[tuple[str, int, float, set[int]]] = []
        lock = threading.Lock()
        counter = iter(range(10**9))
        deadline = time.perf_counter() + seconds

        def client() -> None:
            while time.perf_counter() < deadline:
                with lock:
                    number = next(counter)
                kind, body, content_type, expected = mix(number)
                status, elapsed = send(f"{server.base}/api/v1/process", body, content_type)
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
    killed = results["kill"]
    if killed["killed_request_status"] != 0 or killed["next_request_status"] != 200 or not killed["master_alive"]:
        problems.append(f"kill: {killed}")
    timed = results["timeout"]
    if timed["status"] != 504 or timed["next_request_status"] != 200 or not timed["same_worker"]:
        problems.append(f"timeout: {timed}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--short", action="store_true", help="the bounded CI form: 4 clients, 10 s")
    parser.add_argument("--json", action="store_true", help="also print the results as one JSON line")
    args = parser.parse_args()
    clients, seconds = (4, 10.0) if args.short else (args.clients, args.seconds)
    with tempfile.TemporaryDirectory(prefix="newsdesk-faults-") as scratch:
        packages, drop_in = build_packs(Path(scratch))
        results = {"load": load(packages, drop_in, clients, seconds), "kill": kill(packages, drop_in),
                   "timeout": timeout(packages, drop_in)}
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
    problems = check(results)
    for problem in problems:
        print(f"FAILED {problem}")
    if args.json:
        print(json.dumps(results))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
