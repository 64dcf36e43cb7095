"""Configure gunicorn from the environment (the Procfile's ``web:`` line loads this).

PORT (default 8000) and HOST (default 0.0.0.0) set the address; NEWSDESK_WORKERS,
NEWSDESK_THREADS and NEWSDESK_TIMEOUT the process model. Without NEWSDESK_REDIS_URL the
master also runs the embedded Redis for batch jobs, and each worker a job thread.
"""

import os
import tempfile

from .. import machine

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
# One worker whose packs hold a CTranslate2 replica per core (NEWSDESK_INTER_THREADS, chosen from
# the cores this process may use and divided by the workers, service/machine.py): all
# concurrent requests meet in one batcher per pack, which decodes a batch per replica at once,
# so one batch's turnaround overlaps the other's decoding. Two single-replica workers split the
# clients between two batchers and left a core idle at every turnaround: 16 small clients got
# 0.73x raw CTranslate2 that way, 0.9x this way, and articles 10 % more, in half the memory
# (bench/serve_bench.py; docs/benchmarks.md).
workers = machine.gunicorn_workers(os.environ)
# A request thread per client whose sentences are to share a batch: a thread waiting for its
# batch costs no CPU (the asyncio front holds the connections), and 32 covers 16 clients with
# room for the page, /health and articles (translation/batching.py).
threads = int(os.environ.get("NEWSDESK_THREADS", "32"))
# An asyncio worker that reads whole requests before a thread runs them (service/http/front.py):
# a client that sends or reads slowly holds no thread.
worker_class = "service.http.front.BufferingWorker"
timeout = int(os.environ.get("NEWSDESK_TIMEOUT", "120"))
# create_app() runs once in the master: packs are installed once, not once per worker.
preload_app = True
accesslog = "-"

# /metrics adds up every worker's counts (service/metrics.py): prometheus_client writes each
# worker's to files in this folder, a fresh one per start so that no old counts come back.
if os.environ.get("NEWSDESK_METRICS", "").strip().lower() in {"1", "true", "yes", "on"}:
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="newsdesk-metrics-"))


def when_ready(server):
    """Say which cores, lanes and threads the service runs with; start the embedded Redis for
    batch jobs in the master, before the workers fork, so they all share it (only without
    NEWSDESK_REDIS_URL)."""
    from service.stores import redis_server

    settings = server.app.wsgi().config["NEWSDESK"]
    server.log.info("%s", machine.startup_line(cores=machine.read_cores(), workers=server.cfg.workers,
                                               lanes=settings.inter_threads, threads=settings.intra_threads))
    if not settings.redis_url:
        redis_server.embedded_redis(settings)
    redis_server.warn_unless_durable(settings)


def post_worker_init(worker):
    """Load the installed packs in each worker, after the fork, before its first request,
    and start its batch-job worker thread (embedded default only).

    Not in the master: CTranslate2 translators own threads, and threads do not survive
    a fork.
    """
    from service.batch import workers
    from service.translation import preload

    settings = worker.wsgi.config["NEWSDESK"]
    if settings.preload_packs:
        preload(settings)
    try:
        workers.start_in_process_worker(settings)
    except Exception:  # the service still serves single articles; jobs requests retry this
        worker.log.exception("could not start the batch-job worker")


def child_exit(server, worker):
    """A worker is gone: its live gauges (loaded packs, memory) no longer count."""
    from service.metrics import worker_gone

    worker_gone(worker.pid)


def worker_exit(server, worker):
    """A stopping worker finishes the article its job thread is on (within graceful_timeout)."""
    from service.batch import workers

    workers.stop_in_process_workers(timeout=server.cfg.graceful_timeout)
