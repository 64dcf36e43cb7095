"""The batch-job functions under their path before service/batch/ (issue 14), for RQ articles queued then.

RQ stores a queued article as the dotted path of its function and callback; articles queued
by an earlier version name service.jobs.run_article and service.jobs.article_failed. They
wait in Redis at most NEWSDESK_JOB_RESULT_TTL (7 days by default), so this module can go
in a release made after 2026-12-15.
"""

from .batch.jobs import article_failed, run_article

__all__ = ["article_failed", "run_article"]
