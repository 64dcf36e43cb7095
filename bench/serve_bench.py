"""Drive the real gunicorn service (the Procfile's web: line) with concurrent clients.

    .venv/bin/python bench/serve_bench.py [--clients 4] [--seconds 30] [--targets de]
        [--workers 1 --threads 32 --inter-threads 2] [--libretranslate LT_PYTHON [--libretranslate-threads 0 1]]

Serves the Transformer-base-cost packs bench/translate_bench.py builds (built here if
missing) on 127.0.0.1 only, and prints: start-up to ready, worker memory (RSS) after
loading and after the run, the cost of a cached article against a new one, then for N
clients posting different news articles for a bounded time: requests, errors by status,
throughput in articles x languages per second, p50/p90 latency.

First, the small-request load (--small-only runs just that): 16 clients each POSTing one
new NTREX sentence to /translate: as it was (2 workers x 2 threads, a batch per request), with the
last default (2 workers x 8 threads, one replica each, shared batches) and with the current one
(--workers x --threads, --inter-threads replicas, shared batches, each --batch-waits value),
against raw CTranslate2 in batches of 16 and of 8 on both cores, in the same run; sentences/s,
their ratio, p50/p90 latency, and a lone client's.

With --libretranslate (the python of a LibreTranslate virtual environment; `make
bench-libretranslate` makes one), the same clients then send the same articles to
LibreTranslate's POST /translate on the same packs, in the same run, and the script
prints newsdesk's throughput over LibreTranslate's.
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

from bench.translate_bench import OUT, bench_settings, english_text, install_packs  # noqa: E402


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def post(url: str, payload: dict, timeout: float = 300) -> tuple[int, float, dict | None]:
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


def process_rss_mb(pids: list[int]) -> list[float]:
    listing = subprocess.run(["ps", "-o", "rss=", "-p", ",".join(map(str, pids))], capture_output=True, text=True)
    return [int(value) / 1024 for value in listing.stdout.split()]


def worker_pids(master: int) -> list[int]:
    """The gunicorn master's workers: its children, less the embedded Redis it runs for batch jobs."""
    listing = subprocess.run(["ps", "--ppid", str(master), "-o", "pid=,comm="], capture_output=True, text=True).stdout
    return [int(line.split()[0]) for line in listing.splitlines() if line.split()[1:] != ["redis-server"]]


def megabytes(values: list[float]) -> str:
    return ", ".join(f"{mb:.0f} MB" for mb in values)


def article(corpus: list[str], number: int, sentences: int = 18) -> str:
    """Article ``number``: 18 consecutive NTREX sentences in 6 paragraphs, different for each number."""
    start = (number * sentences) % (len(corpus) - sentences)
    chosen = corpus[start : start + sentences]
    paragraphs = [" ".join(chosen[i : i + 3]) for i in range(0, sentences, 3)]
    return f"News digest number {number}\n\n" + "\n\n".join(paragraphs)


def wait_until(check, server: subprocess.Popen, limit: float = 180) -> float:
    started = time.perf_counter()
    while True:
        try:
            if check():
                return time.perf_counter() - started
        except (urllib.error.URLError, OSError):
            pass
        if server.poll() is not None or time.perf_counter() - started > limit:
            raise SystemExit("the server did not become ready")
        time.sleep(0.1)


def load_run(send, clients: int, seconds: float, max_requests: int, first: int) -> tuple[list[tuple[int, float]], float]:
    """``clients`` threads call send(article number) for ``seconds``; returns (status, seconds) and wall time."""
    results: list[tuple[int, float]] = []
    counter = iter(range(first, first + max_requests))
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def client() -> None:
        while time.perf_counter() < deadline:
            with lock:
                number = next(counter, None)
            if number is None:
                return
            outcome = send(number)
            with lock:
                results.append(outcome)

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def report(name: str, results: list[tuple[int, float]], elapsed: float, languages: int, clients: int) -> float:
    latencies = sorted(seconds for status, seconds in results if status == 200)
    errors: dict[int, int] = {}
    for status, _ in results:
        if status != 200:
            errors[status] = errors.get(status, 0) + 1
    throughput = len(latencies) * languages / elapsed
    print(f"{name}: {clients} clients, {elapsed:.1f} s: {len(results)} requests, {len(latencies)} ok, "
          f"errors {errors or 'none'}")
    if latencies:
        p90 = latencies[min(len(latencies) - 1, int(0.9 * len(latencies)))]
        print(f"  throughput {throughput:.3f} articles x languages / s; latency p50 "
              f"{statistics.median(latencies) * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms")
    return throughput


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)


def run_newsdesk(args, corpus: list[str], targets: list[str]) -> float:
    drop_in = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    shutil.copy(REPO / "service" / "translation" / "manifest.json", drop_in / "manifest.json")
    server, base = start_newsdesk(args, drop_in, inter_threads=args.inter_threads)
    try:
        # Ready = a worker answers with the three packs loaded (the bench has no x->en
        # packs, so /ready, which wants the whole manifest, would stay 503).
        def loaded() -> bool:
            with urllib.request.urlopen(f"{base}/api/v1/stats", timeout=5) as response:
                return len(json.loads(response.read())["loaded"]) == 3

        ready_after = wait_until(loaded, server)
        time.sleep(2)  # let every worker finish loading its packs
        workers = worker_pids(server.pid)
        print(f"\nnewsdesk: gunicorn {args.workers} workers x {args.threads} threads, {replicas(args)} "
              f"replicas per pack; targets {targets}")
        print(f"  start-up to a worker serving with ar, de, ru loaded: {ready_after:.2f} s")
        print(f"  RSS after loading ar, de, ru: master {megabytes(process_rss_mb([server.pid]))}; "
              f"workers {megabytes(process_rss_mb(workers))}")

        def send(number: int) -> tuple[int, float]:
            status, seconds, _ = post(f"{base}/api/v1/process", {"text": article(corpus, number), "targets": targets})
            return status, seconds

        new = send(100_000)[1]
        repeated = [send(100_000)[1] for _ in range(6)]
        print(f"  same article again (sentence cache): new {new * 1000:.0f} ms, repeated median "
              f"{statistics.median(repeated) * 1000:.0f} ms (a worker that has not seen it yet translates it once)")
        results, elapsed = load_run(send, args.clients, args.seconds, args.max_requests, first=0)
        throughput = report("  newsdesk", results, elapsed, len(targets), args.clients)
        with urllib.request.urlopen(f"{base}/api/v1/stats", timeout=5) as response:
            cache = json.loads(response.read())["sentence_cache"]
        print(f"  sentence cache of the worker that answered /stats: {cache}")
        print(f"  worker RSS after the run: {megabytes(process_rss_mb(workers))} "
              f"(same workers: {sorted(workers) == sorted(worker_pids(server.pid))})")
        return throughput
    finally:
        stop(server)
        shutil.rmtree(drop_in, ignore_errors=True)


def replicas(args) -> str:
    """--inter-threads as the report says it: the number, or the service's own choice."""
    return args.inter_threads or "cores/workers"


def start_newsdesk(args, drop_in: Path, **settings: str) -> tuple[subprocess.Popen, str]:
    """The Procfile's web: line on a free port with the bench packs; extra NEWSDESK_* settings as keywords
    (None: left to the service)."""
    port = free_port()
    command = next(line for line in (REPO / "Procfile").read_text().splitlines() if line.startswith("web:"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "PORT": str(port),
           "HOST": "127.0.0.1", "NEWSDESK_PACKAGES_DIR": str(OUT / "packages"), "NEWSDESK_LANGPACKS_DIR": str(drop_in),
           "NEWSDESK_DOWNLOAD_MISSING": "0", "NEWSDESK_WORKERS": args.workers, "NEWSDESK_THREADS": args.threads,
           "NEWSDESK_RATE_LIMIT": "none",  # all clients share one address: measure the model, not the limiter
           **{f"NEWSDESK_{name.upper()}": value for name, value in settings.items() if value is not None}}
    # exec: the shell becomes the gunicorn master, whose children are the workers.
    server = subprocess.Popen(["sh", "-c", "exec " + command.removeprefix("web:").strip()], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    return server, f"http://127.0.0.1:{port}"


def small_requests(args, corpus: list[str], **settings: str) -> dict:
    """LibreTranslate's common load: ``args.small_clients`` clients each POSTing one new NTREX
    sentence to /translate at a time; and one client alone, for its latency."""
    drop_in = Path(tempfile.mkdtemp(prefix="newsdesk-bench-"))
    shutil.copy(REPO / "service" / "translation" / "manifest.json", drop_in / "manifest.json")
    server, base = start_newsdesk(args, drop_in, cache_sentences="0", **settings)  # every sentence decoded
    try:
        def loaded() -> bool:
            with urllib.request.urlopen(f"{base}/api/v1/stats", timeout=5) as response:
                return len(json.loads(response.read())["loaded"]) == 3

        wait_until(loaded, server)
        time.sleep(2)

        def send(number: int) -> tuple[int, float]:
            status, seconds, _ = post(f"{base}/translate", {"q": corpus[number % len(corpus)], "source": "en",
                                                            "target": "de"})
            return status, seconds

        for number in range(8):  # warm both workers
            send(number)
        alone, _ = load_run(send, 1, args.small_seconds / 3, 10_000, first=10)
        many, elapsed = load_run(send, args.small_clients, args.small_seconds, 100_000, first=5_000)
        return {"alone": _latencies(alone), "many": _latencies(many), "rate": sum(1 for s, _ in many if s == 200) / elapsed,
                "errors": sum(1 for s, _ in many if s != 200)}
    finally:
        stop(server)
        shutil.rmtree(drop_in, ignore_errors=True)


def _latencies(results: list[tuple[int, float]]) -> dict:
    ok = sorted(seconds for status, seconds in results if status == 200)
    if not ok:
        return {"p50": float("nan"), "p90": float("nan")}
    return {"p50": statistics.median(ok), "p90": ok[min(len(ok) - 1, int(0.9 * len(ok)))]}


def raw_ctranslate2(corpus: list[str], seconds: float, batch: int = 16, threads: int = 2) -> float:
    """Sentences/s of CTranslate2 itself on the same en->de pack, in batches of ``batch`` new
    sentences, ``threads`` batches at a time (one per core), with newsdesk's decoding options."""
    from service.translation import load_pack
    from service.translation.decoding import ARGOS_LENGTH_PENALTY

    loaded = load_pack("en", "de", bench_settings(inter_threads=threads, intra_threads=1))
    translator, tokenizer = loaded.translator, loaded.tokenizer
    counter, lock, done = iter(range(0, 10**9, batch)), threading.Lock(), [0]
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        while time.perf_counter() < deadline:
            with lock:
                start = next(counter)
            texts = [corpus[(start + i) % len(corpus)] for i in range(batch)]
            pieces = [tokenizer.encode(text) for text in texts]
            translator.translate_batch(pieces, beam_size=4, max_batch_size=batch, length_penalty=ARGOS_LENGTH_PENALTY,
                                       replace_unknowns=True, return_scores=True)
            with lock:
                done[0] += batch

    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return done[0] / (time.perf_counter() - started)


# The process models the small-request load compares: (name, workers, threads, settings).
BEFORE = "before: 2 workers x 2 threads, 1 replica, a batch per request"
SMALL_CONFIGS = [
    (BEFORE, "2", "2", {"shared_batches": "0", "inter_threads": "1"}),
    ("2 workers x 8 threads, 1 replica each, shared batches (the last default)", "2", "8",
     {"shared_batches": "1", "inter_threads": "1"}),
]


def run_small(args, corpus: list[str]) -> None:
    print(f"\nsmall requests: {args.small_clients} clients, one NTREX sentence each per POST /translate (en->de), "
          "sentence cache off")
    runs = {}
    for name, workers, threads, settings in SMALL_CONFIGS:
        runs[name] = small_requests(argparse.Namespace(**{**vars(args), "workers": workers, "threads": threads}),
                                    corpus, **settings)
    for wait in args.batch_waits:
        name = (f"{args.workers} worker(s) x {args.threads} threads, {replicas(args)} replicas, shared batches, "
                f"wait {float(wait) * 1000:g} ms")
        runs[name] = small_requests(args, corpus, shared_batches="1", batch_wait=wait, inter_threads=args.inter_threads)
    raw = raw_ctranslate2(corpus, args.small_seconds)
    print(f"  raw CTranslate2, batches of 16, 2 at a time: {raw:.1f} sentences/s")
    # 16 clients keep 16 sentences in flight, not 32: this is the most they can fill.
    fillable = raw_ctranslate2(corpus, args.small_seconds, batch=8)
    print(f"  raw CTranslate2, batches of 8, 2 at a time: {fillable:.1f} sentences/s")
    for name, run in runs.items():
        print(f"  newsdesk, {name}: {run['rate']:.1f} sentences/s ({run['rate'] / raw:.2f}x raw 16s, "
              f"{run['rate'] / fillable:.2f}x raw 8s), errors "
              f"{run['errors']}; latency p50 {run['many']['p50'] * 1000:.0f} ms, p90 {run['many']['p90'] * 1000:.0f} ms; "
              f"a lone client p50 {run['alone']['p50'] * 1000:.1f} ms, p90 {run['alone']['p90'] * 1000:.1f} ms")
    before = runs[BEFORE]["alone"]["p50"]
    for name, run in runs.items():
        if name != BEFORE:
            print(f"  a lone request, {name} / before: {run['alone']['p50'] / before:.2f}x")


def run_libretranslate(args, corpus: list[str], intra_threads: str) -> float:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    home = Path(tempfile.mkdtemp(prefix="libretranslate-bench-"))
    env = {**os.environ, "HOME": str(home), "ARGOS_PACKAGES_DIR": str(OUT / "packages"),
           "ARGOS_INTRA_THREADS": intra_threads}
    python = os.path.abspath(args.libretranslate)  # not resolve(): the venv's python is a symlink
    server = subprocess.Popen([python, str(REPO / "bench" / "libretranslate_launch.py"),
                               "--host", "127.0.0.1", "--port", str(port), "--load-only", "en,ar,de,ru"],
                              cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        def answers() -> bool:
            status, _, body = post(f"{base}/translate", {"q": "Hello world.", "source": "en", "target": "de"}, 10)
            return status == 200 and body["translatedText"] == "<de> Hello world."

        ready_after = wait_until(answers, server)
        print(f"\nLibreTranslate 1.9.6 (its defaults; ARGOS_INTRA_THREADS={intra_threads}), target de")
        print(f"  start-up to answering: {ready_after:.2f} s; RSS {megabytes(process_rss_mb([server.pid]))}")
        # The bench packs are copy models: under LibreTranslate's decoding too, each sentence must
        # come back as itself, or the two sides would not be doing the same work.
        sample = corpus[:20]
        copied = [post(f"{base}/translate", {"q": sentence, "source": "en", "target": "de"})[2] for sentence in sample]
        exact = sum(1 for sentence, body in zip(sample, copied) if body and body["translatedText"] == f"<de> {sentence}")
        print(f"  LibreTranslate's output is the exact copy for {exact} of {len(sample)} NTREX sentences")

        def send(number: int) -> tuple[int, float]:
            text = article(corpus, number)
            status, seconds, body = post(f"{base}/translate", {"q": text, "source": "en", "target": "de"})
            if status == 200 and "<de>" not in body["translatedText"]:
                status = -1  # not a translation
            return status, seconds

        results, elapsed = load_run(send, args.clients, args.seconds, args.max_requests, first=0)
        throughput = report("  LibreTranslate", results, elapsed, 1, args.clients)
        print(f"  RSS after the run: {megabytes(process_rss_mb([server.pid]))}")

        def send_one(number: int) -> tuple[int, float]:  # the small-request load, as newsdesk got it
            status, seconds, _ = post(f"{base}/translate", {"q": corpus[number % len(corpus)], "source": "en",
                                                            "target": "de"})
            return status, seconds

        many, elapsed = load_run(send_one, args.small_clients, args.small_seconds, 100_000, first=5_000)
        rate, latency = sum(1 for status, _ in many if status == 200) / elapsed, _latencies(many)
        print(f"  small requests, {args.small_clients} clients: {rate:.1f} sentences/s, errors "
              f"{sum(1 for status, _ in many if status != 200)}; latency p50 {latency['p50'] * 1000:.0f} ms, "
              f"p90 {latency['p90'] * 1000:.0f} ms")
        return throughput
    finally:
        stop(server)
        shutil.rmtree(home, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-requests", type=int, default=400)
    parser.add_argument("--targets", default="de")
    # The Procfile's defaults (service/http/gunicorn_conf.py, NEWSDESK_INTER_THREADS).
    parser.add_argument("--workers", default="1")
    parser.add_argument("--threads", default="32")
    parser.add_argument("--inter-threads", help="NEWSDESK_INTER_THREADS: CTranslate2 replicas per pack (default: the "
                        "service's own choice, from the cores)")
    parser.add_argument("--small-clients", type=int, default=16, help="clients of the small-request load")
    parser.add_argument("--small-seconds", type=float, default=20, help="seconds of the small-request load")
    parser.add_argument("--small-only", action="store_true", help="run only the small-request load")
    parser.add_argument("--batch-waits", nargs="+", default=["0", "0.05"],
                        help="NEWSDESK_BATCH_WAIT values to run the small-request load with")
    parser.add_argument("--libretranslate", help="python of a LibreTranslate 1.9.6 virtual environment")
    parser.add_argument("--libretranslate-threads", nargs="+", default=["0", "1"],
                        help="ARGOS_INTRA_THREADS values to run LibreTranslate with (0 = its default)")
    args = parser.parse_args()
    corpus, origin = english_text()
    install_packs(corpus)
    run_small(args, corpus)
    if args.small_only:
        return
    print(f"articles: 18 sentences each from {origin}, a different article per request")
    ours = run_newsdesk(args, corpus, args.targets.split(","))
    last = run_newsdesk(argparse.Namespace(**{**vars(args), "workers": "2", "threads": "8", "inter_threads": "1"}),
                        corpus, args.targets.split(","))
    print(f"  articles, this default / the last one (2 workers x 8 threads, 1 replica each): {ours / last:.2f}x")
    if args.libretranslate:
        for intra_threads in args.libretranslate_threads:
            theirs = run_libretranslate(args, corpus, intra_threads)
            if theirs:
                print(f"  newsdesk / LibreTranslate (ARGOS_INTRA_THREADS={intra_threads}): {ours / theirs:.2f}x")


if __name__ == "__main__":
    main()
