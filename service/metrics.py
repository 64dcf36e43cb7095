"""Count what the service does, for Prometheus (GET /metrics when NEWSDESK_METRICS is on).

prometheus_client keeps the counts. Under gunicorn every worker is a process of its own, so
the Procfile's config points PROMETHEUS_MULTIPROC_DIR at a fresh folder before the app is
loaded (service/http/gunicorn_conf.py): each worker then writes its counts to files there,
and /metrics adds up all workers' files, whichever worker answers. Elsewhere (the
development server, the tests) the counts live in this process.

The metric objects are the module's only state, like the model caches: counting must cost
a dictionary lookup, not a settings read. (Counting is cheap enough to happen with metrics
off too; only /metrics is off.)
"""

from __future__ import annotations

import functools
import os
import resource
import threading
from types import SimpleNamespace

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"  # prometheus_client's CONTENT_TYPE_LATEST


_making = threading.Lock()  # the first requests of a worker arrive together


def _families() -> SimpleNamespace:
    """The metric objects, made on first use: prometheus_client picks in-process or per-worker-file
    counting when it is imported, so it is imported only after gunicorn's config has set
    PROMETHEUS_MULTIPROC_DIR, and after the fork."""
    with _making:
        return _made()


@functools.cache
def _made() -> SimpleNamespace:
    from prometheus_client import Counter, Gauge, Histogram

    return SimpleNamespace(
        requests=Counter("newsdesk_requests", "HTTP requests answered, by route, method and status",
                         ["route", "method", "status"]),
        latency=Histogram("newsdesk_request_seconds", "Time to answer an HTTP request, by route", ["route"],
                          buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)),
        sentences=Counter("newsdesk_sentences_translated", "Sentences decoded by a model (not from a cache), by pack",
                          ["source", "target"]),
        cache=Counter("newsdesk_sentence_cache", "Sentence cache lookups, by result (hit or miss)", ["result"]),
        batch_sentences=Histogram("newsdesk_batch_sentences", "Sentences (parts) in one CTranslate2 batch",
                                  buckets=(1, 2, 4, 8, 16, 32, 64, 128)),
        batch_requests=Histogram("newsdesk_batch_requests", "Requests whose sentences shared one CTranslate2 batch",
                                 buckets=(1, 2, 4, 8, 16, 32)),
        batch_wait=Histogram("newsdesk_batch_wait_seconds", "Time a request's sentences waited for their batch to begin",
                             buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)),
        queue_depth=Gauge("newsdesk_job_queue_depth", "Batch-job articles waiting in the queue",
                          multiprocess_mode="mostrecent"),
        loaded_packs=Gauge("newsdesk_loaded_packs", "Language packs loaded in a worker", multiprocess_mode="liveall"),
        worker_memory=Gauge("newsdesk_worker_max_rss_bytes", "Peak resident memory of a worker",
                            multiprocess_mode="liveall"),
        # The same in every worker: the one last written stands for all.
        cores_usable=Gauge("newsdesk_cores_usable", "CPU cores this process may use (CPU affinity, and the cgroup "
                           "quota rounded down)", multiprocess_mode="mostrecent"),
        lanes=Gauge("newsdesk_lanes", "CTranslate2 batches decoded at once per pack (NEWSDESK_INTER_THREADS)",
                    multiprocess_mode="mostrecent"),
        intra_threads=Gauge("newsdesk_intra_threads", "CTranslate2 threads per batch (NEWSDESK_INTRA_THREADS)",
                            multiprocess_mode="mostrecent"),
    )


def _multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def count_request(*, route: str, method: str, status: int, seconds: float) -> None:
    families = _families()
    families.requests.labels(route=route, method=method, status=str(status)).inc()
    families.latency.labels(route=route).observe(seconds)


def count_decoded(*, source: str, target: str, sentences: int) -> None:
    if sentences:
        _families().sentences.labels(source=source, target=target).inc(sentences)


def count_cache(*, hits: int, misses: int) -> None:
    if hits:
        _families().cache.labels(result="hit").inc(hits)
    if misses:
        _families().cache.labels(result="miss").inc(misses)


def count_batch(report) -> None:
    """A translation.batching.BatchReport."""
    families = _families()
    families.batch_sentences.observe(report.parts)
    families.batch_requests.observe(report.requests)
    families.batch_wait.observe(report.waited)


def note_worker(*, loaded_packs: int, queue_depth: int | None) -> None:
    """This worker's loaded packs and peak memory (ru_maxrss is in KiB on Linux); the job queue's depth."""
    families = _families()
    families.loaded_packs.set(loaded_packs)
    families.worker_memory.set(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    if queue_depth is not None:
        families.queue_depth.set(queue_depth)


def note_cores(*, usable: int, lanes: int, intra_threads: int) -> None:
    """The cores this process may use, and the lanes and threads each pack was loaded with."""
    families = _families()
    families.cores_usable.set(usable)
    families.lanes.set(lanes)
    families.intra_threads.set(intra_threads)


def exposition() -> bytes:
    """Every worker's counts in Prometheus' text format."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess

    _families()
    if not _multiprocess():
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry)


def worker_gone(pid: int) -> None:
    """Drop a stopped worker's live gauges (gunicorn's child_exit)."""
    if _multiprocess():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
