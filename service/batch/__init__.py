"""Batch jobs: many articles submitted at once, run by RQ workers on Redis, results kept for a while.

- ``jobs``: a job's record in Redis, submitting, status, results, cancelling, and the
  function each worker runs per article (the pipeline, without Flask);
- ``workers``: RQ workers, in `newsdesk worker` processes or one thread per web worker;
- ``queue``: the job queue's name, and the message when it does not answer (the connection is
  stores/redis_server.py's).
"""

from __future__ import annotations


def stop() -> None:
    """Stop this process's in-process workers (letting a busy one finish its article), then its embedded Redis."""
    from ..stores import redis_server
    from . import workers

    workers.stop_in_process_workers()
    redis_server.stop_servers()
