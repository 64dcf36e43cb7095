"""Drive the real gunicorn service (the Procfile's web: line) with concurrent clients.

    .venv/bin/python bench/serve_bench.py [--clients 4] [--seconds 30] [--targets de] [--workers 2 --threads 2]

Uses the Transformer-base-cost packs bench/translate_bench.py builds (built here if
missing), serves them on 127.0.0.1 only, and prints: start-up to ready, worker memory
(RSS) after loading and after the run, the cost of a cached article against a new one,
then for N clients posting different news articles for a bounded time: requests,
errors by status, throughput in articles x languages per second, p50/p90 latency.
"""

from __future__ import annotations

import argparse
import json
import os
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
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.translate_bench import OUT, english_text  # noqa: E402
from tests.argospack import build_random_pack  # noqa: E402


def ensure_packs(corpus: list[str], targets: list[str]) -> None:
    from service import langpacks
    from service.config import Settings

    settings = Settings.load(overrides={"packages_dir": OUT / "packages", "langpacks_dir": REPO / "langpacks"})
    for target in targets:
        archive = OUT / f"translate-en_{target}-1_0.argosmodel"
        if not archive.exists():
            build_random_pack(OUT, "en", target, corpus, seed=len(target) + ord(target[0]))
        langpacks.install_archive(archive, settings)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post(url: str, payload: dict, timeout: float = 120) -> tuple[int, float, dict | None]:
    request = urllib.request.Request(url, data=json.dumps(payload).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.loads(response.read())
            return response.status, time.perf_counter() - started, body
    except urllib.error.HTTPError as error:
        return error.code, time.perf_counter() - started, None
    except (urllib.error.URLError, OSError):
        return 0, time.perf_counter() - started, None


def worker_rss_mb(master: int) -> list[float]:
    listing = subprocess.run(["ps", "--ppid", str(master), "-o", "rss="], capture_output=True, text=True).stdout
    return [int(value) / 1024 for value in listing.split()]


def article(corpus: list[str], number: int, sentences: int = 18) -> str:
    start = (number * sentences) % (len(corpus) - sentences)
    chosen = corpus[start : start + sentences]
    paragraphs = [" ".join(chosen[i : i + 3]) for i in range(0, sentences, 3)]
    return f"News digest number {number}\n\n" + "\n\n".join(paragraphs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-requests", type=int, default=400)
    parser.add_argument("--targets", default="de")
    parser.add_argument("--workers", default="2")
    parser.add_argument("--threads", default="2")
    args = parser.parse_args()
    corpus, origin = english_text()
    targets = args.targets.split(",")
    ensure_packs(corpus, ["ar", "de", "ru"])
    drop_in = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    shutil.copy(REPO / "langpacks" / "manifest.json", drop_in / "manifest.json")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = next(line for line in (REPO / "Procfile").read_text().splitlines() if line.startswith("web:"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "PORT": str(port),
           "HOST": "127.0.0.1", "NEWSDESK_PACKAGES_DIR": str(OUT / "packages"), "NEWSDESK_LANGPACKS_DIR": str(drop_in),
           "NEWSDESK_DOWNLOAD_MISSING": "0", "NEWSDESK_WORKERS": args.workers, "NEWSDESK_THREADS": args.threads,
           # random weights never end a sentence: cap output at the input's length, like the other bench
           "NEWSDESK_DECODING_RATIO": "1.0", "NEWSDESK_DECODING_EXTRA": "0"}
    started = time.perf_counter()
    # exec: the shell becomes the gunicorn master, whose children are the workers.
    server = subprocess.Popen(["sh", "-c", "exec " + command.removeprefix("web:").strip()], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        # Ready = a worker answers with the three packs loaded (the bench has no x->en
        # packs, so /ready, which wants the whole manifest, would stay 503).
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/v1/stats", timeout=5) as response:
                    if len(json.loads(response.read())["loaded"]) == 3:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if server.poll() is not None or time.perf_counter() - started > 120:
                raise SystemExit("gunicorn did not become ready")
            time.sleep(0.1)
        ready_after = time.perf_counter() - started
        time.sleep(2)  # let every worker finish loading its packs
        print(f"articles: {origin}; gunicorn {args.workers} workers x {args.threads} threads; targets {targets}")
        print(f"start-up to a worker serving with ar, de, ru loaded: {ready_after:.2f} s")
        print(f"worker RSS after loading ar, de, ru packs: {', '.join(f'{mb:.0f} MB' for mb in worker_rss_mb(server.pid))}")

        fresh = [post(f"{base}/api/v1/process", {"text": article(corpus, 999), "targets": targets})[1] for _ in range(1)]
        cached = [post(f"{base}/api/v1/process", {"text": article(corpus, 999), "targets": targets})[1] for _ in range(6)]
        print(f"same article again (sentence cache): new {fresh[0] * 1000:.0f} ms, repeated median "
              f"{statistics.median(cached) * 1000:.0f} ms (a worker that has not seen it yet translates it once)")

        results: list[tuple[int, float]] = []
        counter = iter(range(args.max_requests))
        lock = threading.Lock()
        deadline = time.perf_counter() + args.seconds

        def client() -> None:
            while time.perf_counter() < deadline:
                with lock:
                    number = next(counter, None)
                if number is None:
                    return
                status, seconds, _ = post(f"{base}/api/v1/process", {"text": article(corpus, number), "targets": targets})
                with lock:
                    results.append((status, seconds))

        run_started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - run_started
        latencies = sorted(seconds for status, seconds in results if status == 200)
        errors: dict[int, int] = {}
        for status, _ in results:
            if status != 200:
                errors[status] = errors.get(status, 0) + 1
        ok = len(latencies)
        print(f"{args.clients} clients, {elapsed:.1f} s: {len(results)} requests, {ok} ok, errors {errors or 'none'}")
        if ok:
            p90 = latencies[min(len(latencies) - 1, int(0.9 * len(latencies)))]
            print(f"throughput {ok * len(targets) / elapsed:.2f} articles x languages / s; "
                  f"latency p50 {statistics.median(latencies) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms")
        print(f"worker RSS after the run: {', '.join(f'{mb:.0f} MB' for mb in worker_rss_mb(server.pid))}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(drop_in, ignore_errors=True)


if __name__ == "__main__":
    main()
