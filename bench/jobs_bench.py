"""Batch jobs: articles per minute with one and two `newsdesk worker`s, the queue's own
cost, and what happens to a killed worker's article. Prints figures; asserts nothing.

Uses the Transformer-base-cost packs of translate_bench.py (built once in bench/out) and
the embedded Redis (a real redis-server, the one newsdesk runs without
NEWSDESK_REDIS_URL), with workers as separate processes, exactly as on a real deployment:

    .venv/bin/python bench/jobs_bench.py [--articles 24] [--targets ar,de,ru]

Figures, all from one run:
- direct: the same articles through pipeline.process() one after another in one
  process, no queue (the floor for one worker);
- 1 worker, 2 workers: submit -> every article finished, articles per minute;
- queue overhead: (1 worker's time - direct time) / articles, and the round trip of a
  one-article job whose article needs no translation (submit -> finished);
- kill: two workers, the one holding an article is SIGKILLed; when the article was
  retried, how often it ran, and whether the job's results are complete.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.serve_bench import article  # noqa: E402
from bench.translate_bench import OUT, bench_settings, english_text, install_packs  # noqa: E402
from service import batch, pipeline  # noqa: E402
from service.batch import jobs, queue
from service.stores import redis_server

CLAIM_SECONDS = 10


# Every article is translated afresh: no sentence cache, in the worker or shared in Redis.
NO_CACHE = {"NEWSDESK_CACHE_SENTENCES": "0", "NEWSDESK_CACHE_REDIS_URL": "off"}


def start_workers(count: int, url: str, prefix: str) -> dict[str, subprocess.Popen]:
    environment = {**os.environ, **NO_CACHE, "NEWSDESK_REDIS_URL": url, "NEWSDESK_PACKAGES_DIR": str(OUT / "packages"),
                   "NEWSDESK_JOB_CLAIM_SECONDS": str(CLAIM_SECONDS)}
    names = [f"{prefix}-{number}" for number in range(1, count + 1)]
    return {name: subprocess.Popen([sys.executable, "-m", "service.cli", "worker", "--name", name], cwd=REPO,
                                   env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name in names}


def wait_for_workers(connection, names: list[str], limit: float = 120) -> None:
    """Until every worker is registered, which it does once its packs are loaded."""
    from rq import Worker

    deadline = time.monotonic() + limit
    while {worker.name for worker in Worker.all(connection=connection)} < set(names):
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not start")
        time.sleep(0.1)


def stop_workers(workers: dict[str, subprocess.Popen]) -> None:
    for process in workers.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in workers.values():
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_finished(connection, job_id: str, poll: float = 0.05, limit: float = 1800) -> dict:
    deadline = time.monotonic() + limit
    while True:
        report = jobs.status(connection, job_id)
        if report["status"] == "finished" or time.monotonic() > deadline:
            return report
        time.sleep(poll)


def run_job(connection, settings, texts: list[str], targets: tuple[str, ...], poll: float = 0.05) -> tuple[float, dict]:
    articles = [jobs.ArticleInput(f"article-{number}", text) for number, text in enumerate(texts)]
    started = time.perf_counter()
    job_id, _ = jobs.submit(connection, articles, jobs.JobOptions(targets=targets), settings)
    report = wait_finished(connection, job_id, poll)
    return time.perf_counter() - started, report


def throughput(connection, settings, url: str, texts: list[str], targets: tuple[str, ...], count: int) -> float:
    workers = start_workers(count, url, f"bench{count}")
    try:
        wait_for_workers(connection, list(workers))
        seconds, report = run_job(connection, settings, texts, targets)
    finally:
        stop_workers(workers)
    progress = report["progress"]
    print(f"  {count} worker{'s' if count > 1 else ''}: {len(texts)} articles in {seconds:.1f} s = "
          f"{60 * len(texts) / seconds:.1f} articles/min ({progress['done']} done, {progress['failed']} failed)")
    return seconds


def queue_round_trip(connection, settings, url: str, rounds: int = 20) -> list[float]:
    """One article that needs no translation, submit -> finished, with one idle worker waiting."""
    workers = start_workers(1, url, "trip")
    try:
        wait_for_workers(connection, list(workers))
        times = [run_job(connection, settings, ["A short note. It has two sentences."], (), poll=0.002)[0]
                 for _ in range(rounds)]
    finally:
        stop_workers(workers)
    return times


def kill_one(connection, settings, url: str, texts: list[str], targets: tuple[str, ...]) -> None:
    from rq import Worker
    from rq.job import Job

    workers = start_workers(2, url, "kill")
    try:
        wait_for_workers(connection, list(workers))
        articles = [jobs.ArticleInput(f"article-{number}", text) for number, text in enumerate(texts)]
        job_id, _ = jobs.submit(connection, articles, jobs.JobOptions(targets=targets), settings)
        time.sleep(3)  # both workers are now in the middle of an article
        victim = None
        while victim is None:
            victim = next((worker for worker in Worker.all(connection=connection)
                           if worker.name in workers and worker.get_current_job_id()), None)
        index = int(victim.get_current_job_id().rsplit("-", 1)[1])
        killed_at = time.perf_counter()
        workers[victim.name].send_signal(signal.SIGKILL)
        requeued_after = redone_after = None
        rq_job = Job.fetch(f"{job_id}-{index}", connection=connection)
        while True:  # note when the killed article is queued again and when its result appears
            if requeued_after is None and rq_job.get_status(refresh=True) == "queued":
                requeued_after = time.perf_counter() - killed_at
            if redone_after is None and connection.hexists(f"newsdesk:job:{job_id}:results", index):
                redone_after = time.perf_counter() - killed_at
            report = jobs.status(connection, job_id)
            if report["status"] == "finished":
                break
            time.sleep(0.05)
        finished_after = time.perf_counter() - killed_at
        records = list(jobs.results(connection, job_id))
        held = records[index]
        print(f"  kill: SIGKILLed {victim.name} while it held article {index} of {len(texts)}; the article was "
              f"queued again {requeued_after:.1f} s later (claim {CLAIM_SECONDS} s), behind the articles still "
              f"waiting; its result was in after {redone_after:.1f} s, the job finished after {finished_after:.1f} s: "
              f"{report['progress']}, errors {report['errors']}")
        print(f"  article {index}: {held['status']}, tries {held['tries']}; retried {report['retried']}; each article "
              f"once: {[record['index'] for record in records] == list(range(len(texts)))}")
    finally:
        stop_workers(workers)


def direct(count: int, targets: tuple[str, ...]) -> float:
    """The same articles through pipeline.process() in a fresh process (packs loaded first), no queue."""
    probe = subprocess.run([sys.executable, __file__, "--direct-probe", str(count), "--targets", ",".join(targets)],
                           capture_output=True, text=True, check=True, env={**os.environ, **NO_CACHE})
    seconds = float(probe.stdout.split()[-1])
    print(f"  direct, pipeline.process() one article after another: {count} articles in {seconds:.1f} s = "
          f"{60 * count / seconds:.1f} articles/min")
    return seconds


def direct_probe(texts: list[str], targets: tuple[str, ...]) -> None:
    from service import translation

    settings = bench_settings(cache_sentences=0)
    translation.preload(settings)
    started = time.perf_counter()
    for text in texts:
        pipeline.process(text, targets=targets, settings=settings)
    print(time.perf_counter() - started)


def submit_cost(connection, settings, count: int = 1000) -> None:
    """Storing and queueing a big batch, no worker running; the queue is emptied after."""
    from rq import Queue

    articles = [jobs.ArticleInput(f"article-{number}", f"Article {number}. It has two sentences.")
                for number in range(count)]
    started = time.perf_counter()
    jobs.submit(connection, articles, jobs.JobOptions(targets=("de",)), settings)
    seconds = time.perf_counter() - started
    Queue(queue.QUEUE_NAME, connection=connection).empty()
    print(f"  submitting a {count}-article job (stored and queued): {seconds * 1000:.0f} ms = "
          f"{seconds / count * 1e6:.0f} µs per article")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=24)
    parser.add_argument("--targets", default="ar,de,ru")
    parser.add_argument("--rounds", type=int, default=2, help="times each of direct, 1 and 2 workers runs, in turn")
    parser.add_argument("--direct-probe", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    targets = tuple(code for code in args.targets.split(",") if code)
    corpus, origin = english_text()
    if args.direct_probe:
        direct_probe([article(corpus, number) for number in range(args.direct_probe)], targets)
        return
    install_packs(corpus)
    texts = [article(corpus, number) for number in range(args.articles)]
    settings = bench_settings(cache_sentences=0, jobs_dir=Path(tempfile.mkdtemp(prefix="newsdesk-jobs-bench-")),
                              job_claim_seconds=CLAIM_SECONDS)
    print(f"{args.articles} articles of 18 sentences ({origin}), targets {','.join(targets)}, base-cost packs, "
          f"sentence cache off, {os.cpu_count()} CPUs; {args.rounds} rounds, in turn")

    url = redis_server.embedded_redis(settings).url
    connection = redis_server.connect(settings, socket_timeout=None)
    times: dict[str, list[float]] = {"direct": [], "1 worker": [], "2 workers": []}
    for _ in range(args.rounds):
        times["direct"].append(direct(len(texts), targets))
        times["1 worker"].append(throughput(connection, settings, url, texts, targets, 1))
        times["2 workers"].append(throughput(connection, settings, url, texts, targets, 2))
    medians = {name: statistics.median(values) for name, values in times.items()}
    print("  medians: " + "; ".join(f"{name} {60 * len(texts) / seconds:.1f} articles/min"
                                    for name, seconds in medians.items()))
    print(f"  2 workers / 1 worker: {medians['1 worker'] / medians['2 workers']:.2f}x the articles per minute")
    one, plain = medians["1 worker"], medians["direct"]
    print(f"  queue overhead with 1 worker: {(one - plain) / len(texts) * 1000:.0f} ms per article "
          f"({(one - plain) / plain * 100:+.1f} % of the direct time)")
    submit_cost(connection, settings)
    trips = queue_round_trip(connection, settings, url)
    print(f"  one-article job that needs no translation, submit -> finished: median {statistics.median(trips) * 1000:.0f}"
          f" ms, p90 {sorted(trips)[int(len(trips) * 0.9) - 1] * 1000:.0f} ms over {len(trips)} jobs")
    kill_one(connection, settings, url, texts[:8], targets)
    batch.stop()


if __name__ == "__main__":
    main()
