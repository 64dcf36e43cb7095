"""The job queue's name in Redis, and what a door says when the queue does not answer.

The connection itself (NEWSDESK_REDIS_URL, or the embedded redis-server) is stores/redis_server.py's,
shared with the memory, the rate limits and the sentence cache.
"""

from __future__ import annotations

from ..config import Settings
from ..errors import QueueUnavailable

QUEUE_NAME = "newsdesk-articles"


def queue_unavailable(settings: Settings, error: Exception) -> QueueUnavailable:
    from ..stores import redis_server

    where = redis_server.without_password(settings.redis_url) if settings.redis_url else "the embedded Redis"
    return QueueUnavailable(f"the job queue ({where}) does not answer ({error}): check that Redis is running "
                            "and NEWSDESK_REDIS_URL points to it, then send again")
