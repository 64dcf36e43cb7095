"""Batch jobs: many articles submitted at once, run by RQ workers on Redis, results kept for a while.

- ``jobs``: a job's record in Redis, submitting, status, results, cancelling, and the
  function each worker runs per article (the pipeline, without Flask);
- ``workers``: RQ workers, in `newsdesk worker` processes or one thread per web worker;
- ``queue``: the Redis connection, or the embedded redis-server the service starts itself.
"""

from __future__ import annotations


def stop() -> None:
    """Stop this process's in-process workers (letting a busy one finish its article), then its embedded Redis."""
    from . import queue, workers

    workers.stop_in_process_workers()
    queue.stop_servers()
