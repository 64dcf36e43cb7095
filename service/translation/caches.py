"""Translated sentences kept for reuse: a bounded LRU per worker, and the same in Redis for every worker.

Wire copy is re-sent and re-edited all day; a sentence a pack translated once under the same
output settings is not translated again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict

from ..config import Settings
from .models import LoadedPack

log = logging.getLogger(__name__)

# Guards the choice of the worker's cache and the table of Redis caches (not their contents: each has its own lock).
_caches_lock = threading.Lock()


class SentenceCache:
    """A bounded LRU of translated sentences, shared by a worker's threads.

    Wire copy is re-sent and re-edited all day: a sentence translated once by a pack
    (with the same decoding settings) is not translated again.
    """

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._items: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get_many(self, scope: tuple, texts: list[str]) -> list[object | None]:
        with self._lock:
            found = []
            for text in texts:
                value = self._items.get((scope, text))
                if value is not None:
                    self._items.move_to_end((scope, text))
                found.append(value)
            hits = sum(value is not None for value in found)
            self.hits += hits
            self.misses += len(texts) - hits
            return found

    def put_many(self, scope: tuple, pairs: list[tuple[str, object]]) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            for text, translation in pairs:
                self._items[(scope, text)] = translation
                self._items.move_to_end((scope, text))
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)

    def stats(self) -> dict:
        with self._lock:
            asked = self.hits + self.misses
            return {"entries": len(self._items), "capacity": self.capacity, "hits": self.hits,
                    "misses": self.misses, "hit_rate": round(self.hits / asked, 4) if asked else None}

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.hits = self.misses = 0


class SharedSentenceCache:
    """The same cache in Redis, for every worker on every machine (NEWSDESK_CACHE_REDIS_URL).

    Keys hold the pack's checksum, not its path, so machines with the same pack share.
    The cache must never fail a translation: when Redis does not answer, it is skipped
    for a while and the worker translates on its own.
    """

    PAUSE_AFTER_FAILURE = 30.0  # seconds without Redis after it failed to answer

    def __init__(self, url: str, ttl: int):
        from ..stores import redis_server

        self.url = url
        self.ttl = ttl
        self._redis = redis_server.client_for(url, setting="NEWSDESK_CACHE_REDIS_URL", socket_timeout=0.5,
                                              connect_timeout=0.5)
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self.hits = self.misses = self.failures = 0

    @staticmethod
    def _key(scope: tuple, text: str) -> str:
        return "newsdesk:sentence:" + hashlib.sha256(repr((scope, text)).encode("utf-8", "surrogatepass")).hexdigest()

    def get_many(self, scope: tuple, texts: list[str]) -> list[dict | None]:
        values = self._call(lambda: self._redis.mget([self._key(scope, text) for text in texts])) if texts else None
        values = values or [None] * len(texts)
        found = [json.loads(value.decode("utf-8", "surrogatepass")) if value is not None else None for value in values]
        with self._lock:
            hits = sum(value is not None for value in found)
            self.hits += hits
            self.misses += len(texts) - hits
        return found

    def put_many(self, scope: tuple, pairs: list[tuple[str, dict]]) -> None:
        def write():
            pipeline = self._redis.pipeline(transaction=False)
            for text, value in pairs:
                pipeline.set(self._key(scope, text), json.dumps(value).encode("utf-8", "surrogatepass"), ex=self.ttl)
            pipeline.execute()

        if pairs:
            self._call(write)

    def _call(self, operation):
        import redis

        if time.monotonic() < self._paused_until:
            return None
        try:
            return operation()
        except (redis.RedisError, OSError) as error:
            with self._lock:
                self.failures += 1
            self._paused_until = time.monotonic() + self.PAUSE_AFTER_FAILURE
            log.warning("shared sentence cache at %s did not answer (%s); translating without it for %.0f s",
                        _shown(self.url), error, self.PAUSE_AFTER_FAILURE)
            return None

    def stats(self) -> dict:
        with self._lock:
            asked = self.hits + self.misses
            return {"url": _shown(self.url), "hits": self.hits, "misses": self.misses, "failures": self.failures,
                    "hit_rate": round(self.hits / asked, 4) if asked else None}


def _shown(url: str) -> str:
    """The cache's Redis URL as /api/v1/stats and the log may show it: without its password."""
    from ..stores import redis_server

    return redis_server.without_password(url)


_sentence_cache = SentenceCache(0)
_shared_caches: dict[tuple[str, int], SharedSentenceCache] = {}


def sentence_cache(settings: Settings) -> SentenceCache:
    """The worker's sentence cache, sized by settings.cache_sentences."""
    global _sentence_cache
    if _sentence_cache.capacity != settings.cache_sentences:
        with _caches_lock:
            if _sentence_cache.capacity != settings.cache_sentences:
                _sentence_cache = SentenceCache(settings.cache_sentences)
    return _sentence_cache


def shared_cache(settings: Settings) -> SharedSentenceCache | None:
    """The Redis sentence cache (NEWSDESK_CACHE_REDIS_URL, else the job queue's NEWSDESK_REDIS_URL), or None."""
    url = settings.cache_redis_url or settings.redis_url
    if not url or url == "off":
        return None
    key = (url, settings.cache_redis_ttl)
    with _caches_lock:
        if key not in _shared_caches:
            _shared_caches[key] = SharedSentenceCache(*key)
        return _shared_caches[key]


# The settings that change what a pack makes of a sentence; a cached translation is
# reused only under the same values (tests/test_translation.py makes every new setting
# be listed here or declared harmless to the output).
# What a cached value holds: 2 = the translation and its confidence (1 held the text only; a
# shared Redis cache may still hold those, and they must not be read as the new kind).
CACHE_FORMAT = "decoded-2"
OUTPUT_SETTINGS = ("beam_size", "device", "compute_type", "decoding_ratio", "decoding_extra", "max_input_tokens")


def cache_scope(loaded: LoadedPack, settings: Settings, *, shared: bool = False) -> tuple:
    """The part of a sentence cache key that is not the sentence: the pack and OUTPUT_SETTINGS.

    The shared (Redis) cache names the pack by its checksum alone, so that workers that keep
    the same pack in other folders share their translations.
    """
    where = () if shared else (str(loaded.pack.path),)
    return (*where, loaded.pack.sha256, *(getattr(settings, name) for name in OUTPUT_SETTINGS), CACHE_FORMAT)


def clear_caches() -> None:
    """Forget every cached sentence and every Redis cache client."""
    with _caches_lock:
        _shared_caches.clear()
    _sentence_cache.clear()
