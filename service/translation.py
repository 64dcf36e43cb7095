"""Translate lists of sentences through installed Argos packs, one batched call per pack.

newsdesk drives CTranslate2 itself instead of calling ``argostranslate.translate``: that
module imports stanza and torch and splits text with a model it downloads, while we get
sentences already split and want every sentence of an article in one batch. We do keep
the pack's own tokenizer and target prefix and Argos's decoding options, so the output
is what Argos would give for the same sentence.

Loaded packs are cached per pack folder and settings; ``ctranslate2.Translator`` is safe
to call from several threads at once.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from . import langpacks
from .config import Settings
from .errors import BadLanguagePack, InvalidInput, LanguagePackMissing, TimedOut, UnsupportedLanguage

if TYPE_CHECKING:
    import ctranslate2

log = logging.getLogger(__name__)

PIVOT_LANGUAGE = "en"
# Argos's own decoding options (argostranslate/translate.py), so quality matches it.
ARGOS_LENGTH_PENALTY = 0.2


class Tokenizer(Protocol):
    def encode(self, text: str) -> list[str]: ...
    def decode(self, pieces: list[str]) -> str: ...


@dataclass(frozen=True)
class LoadedPack:
    """An installed pack with its model and tokenizer loaded."""

    pack: langpacks.InstalledPack
    translator: "ctranslate2.Translator"
    tokenizer: Tokenizer


_loaded: dict[tuple, LoadedPack] = {}
_loading_lock = threading.Lock()


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

    def get_many(self, scope: tuple, texts: list[str]) -> list[str | None]:
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

    def put_many(self, scope: tuple, pairs: list[tuple[str, str]]) -> None:
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
        import redis

        self.url = url
        self.ttl = ttl
        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._paused_until = 0.0
        self._lock = threading.Lock()
        self.hits = self.misses = self.failures = 0

    @staticmethod
    def _key(scope: tuple, text: str) -> str:
        return "newsdesk:sentence:" + hashlib.sha256(repr((scope, text)).encode("utf-8", "surrogatepass")).hexdigest()

    def get_many(self, scope: tuple, texts: list[str]) -> list[str | None]:
        values = self._call(lambda: self._redis.mget([self._key(scope, text) for text in texts])) if texts else None
        values = values or [None] * len(texts)
        found = [value.decode("utf-8", "surrogatepass") if value is not None else None for value in values]
        with self._lock:
            hits = sum(value is not None for value in found)
            self.hits += hits
            self.misses += len(texts) - hits
        return found

    def put_many(self, scope: tuple, pairs: list[tuple[str, str]]) -> None:
        def write():
            pipeline = self._redis.pipeline(transaction=False)
            for text, translation in pairs:
                pipeline.set(self._key(scope, text), translation.encode("utf-8", "surrogatepass"), ex=self.ttl)
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
                        self.url, error, self.PAUSE_AFTER_FAILURE)
            return None

    def stats(self) -> dict:
        with self._lock:
            asked = self.hits + self.misses
            return {"url": self.url, "hits": self.hits, "misses": self.misses, "failures": self.failures,
                    "hit_rate": round(self.hits / asked, 4) if asked else None}


_sentence_cache = SentenceCache(0)
_shared_caches: dict[tuple[str, int], SharedSentenceCache] = {}


def sentence_cache(settings: Settings) -> SentenceCache:
    """The worker's sentence cache, sized by settings.cache_sentences."""
    global _sentence_cache
    if _sentence_cache.capacity != settings.cache_sentences:
        with _loading_lock:
            if _sentence_cache.capacity != settings.cache_sentences:
                _sentence_cache = SentenceCache(settings.cache_sentences)
    return _sentence_cache


def shared_cache(settings: Settings) -> SharedSentenceCache | None:
    """The Redis sentence cache (NEWSDESK_CACHE_REDIS_URL, else the job queue's NEWSDESK_REDIS_URL), or None."""
    url = settings.cache_redis_url or settings.redis_url
    if not url or url == "off":
        return None
    key = (url, settings.cache_redis_ttl)
    with _loading_lock:
        if key not in _shared_caches:
            _shared_caches[key] = SharedSentenceCache(*key)
        return _shared_caches[key]


def translate(
    sentences: list[str], source: str, target: str, settings: Settings | None = None, deadline: float | None = None
) -> list[str]:
    """Translate each sentence from ``source`` to ``target``; one output per input, in order.

    Uses the direct pack when installed, else pivots through English (de->ar is
    de->en->ar). Raises LanguagePackMissing, saying what to install, when neither works,
    and TimedOut when ``deadline`` (a time.monotonic() value) passes between batches.
    """
    settings = settings or Settings.load()
    if isinstance(sentences, str):
        raise InvalidInput("translate() takes a list of sentences, not one string")
    check_language(source)
    check_language(target)
    texts = list(sentences)
    if source == target or not texts:
        return texts
    for hop_source, hop_target in plan_route(source, target, settings):
        texts = translate_with_pack(texts, load_pack(hop_source, hop_target, settings), settings, deadline)
    return texts


def check_language(code: str) -> None:
    """Raise UnsupportedLanguage unless ``code`` looks like an ISO 639-1 code."""
    if not isinstance(code, str) or not code.isascii() or not code.isalpha() or len(code) not in (2, 3) or not code.islower():
        raise UnsupportedLanguage(f"{code!r} is not a language code: use ISO 639-1 codes such as 'en', 'de', 'ru', 'ar'")


def installed_pairs(settings: Settings) -> set[tuple[str, str]]:
    """Return the (source, target) pairs with an installed pack."""
    return {pack.pair for pack in langpacks.installed_packs(settings.packages_dir)}


def source_languages(settings: Settings) -> set[str]:
    """Return the languages an installed pack translates from."""
    return {source for source, _ in installed_pairs(settings)}


def installed_languages(settings: Settings) -> set[str]:
    """Return every language of an installed pack, source or target."""
    return {code for pair in installed_pairs(settings) for code in pair}


def reachable_pairs(settings: Settings) -> list[tuple[str, str, str | None]]:
    """(source, target, pivot or None) for every pair translate() can serve now."""
    direct = installed_pairs(settings)
    pivot = PIVOT_LANGUAGE
    pairs = {(a, b): None for a, b in direct}
    for a, _ in direct:
        for _, b in direct:
            if a != b and (a, pivot) in direct and (pivot, b) in direct and (a, b) not in pairs:
                pairs[(a, b)] = pivot
    return [(a, b, via) for (a, b), via in sorted(pairs.items())]


def plan_route(source: str, target: str, settings: Settings) -> list[tuple[str, str]]:
    """Return the packs to chain: [(source, target)] or [(source, en), (en, target)]."""
    pairs = installed_pairs(settings)
    if (source, target) in pairs:
        return [(source, target)]
    hops = [(source, PIVOT_LANGUAGE), (PIVOT_LANGUAGE, target)]
    if PIVOT_LANGUAGE not in (source, target) and all(hop in pairs for hop in hops):
        return hops
    raise LanguagePackMissing(_missing_message(source, target, pairs, settings), (f"{source}->{target}",))


def _missing_message(source: str, target: str, pairs: set[tuple[str, str]], settings: Settings) -> str:
    needed = [(source, target)]
    if PIVOT_LANGUAGE not in (source, target):
        needed = [hop for hop in [(source, PIVOT_LANGUAGE), (PIVOT_LANGUAGE, target)] if hop not in pairs]
    names = " and ".join(f"translate-{a}_{b}-*.argosmodel" for a, b in needed)
    route = "" if PIVOT_LANGUAGE in (source, target) else f" (nor {source}->en->{target})"
    return (
        f"no {source}->{target} language pack is installed{route}: put {names} in "
        f"{settings.langpacks_dir}/ and run `newsdesk langpacks install`, or run "
        f"`newsdesk langpacks install --download` where the internet is reachable"
    )


def load_pack(source: str, target: str, settings: Settings) -> LoadedPack:
    """Return the cached, loaded pack for a direct pair, loading it on first use."""
    pack = langpacks.find_installed(settings.packages_dir, source, target)
    if pack is None:
        raise LanguagePackMissing(_missing_message(source, target, set(), settings))
    # The key holds the install checksum so a reinstalled pack is loaded afresh.
    key = (str(pack.path), pack.sha256, pack.version, _engine_options(settings))
    loaded = _loaded.get(key)
    if loaded is None:
        with _loading_lock:
            loaded = _loaded.get(key)
            if loaded is None:
                loaded = _load(pack, settings)
                _forget(pack.path)
                _loaded[key] = loaded
    return loaded


def _engine_options(settings: Settings) -> tuple:
    return (settings.compute_type, settings.inter_threads, settings.intra_threads)


def _forget(path: Path) -> None:
    for key in [key for key in _loaded if key[0] == str(path)]:
        del _loaded[key]


def preload(settings: Settings) -> list[tuple[str, str]]:
    """Load every installed pack now; log (not raise) the ones that fail. Return the loaded pairs."""
    loaded = []
    for pack in langpacks.installed_packs(settings.packages_dir):
        try:
            load_pack(pack.from_code, pack.to_code, settings)
            loaded.append(pack.pair)
        except BadLanguagePack as error:
            log.error("could not load %s: %s", pack.code, error)
    return loaded


def clear_cache() -> None:
    """Drop every loaded pack (frees their memory) and every cached sentence."""
    with _loading_lock:
        _loaded.clear()
        _shared_caches.clear()
    _sentence_cache.clear()


def release_freed_memory() -> None:
    """Give freed heap memory back to the system (glibc's malloc_trim; elsewhere nothing).

    Beam search allocates hundreds of MB of working buffers per batch, and glibc keeps
    what is freed: a worker would hold its peak forever. Measured on three base-cost
    packs after six articles: 637 MB without, 341 MB with. See IdleMemoryRelease for when.
    """
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


class IdleMemoryRelease:
    """Release freed memory when a worker's last request in flight ends, not after each one.

    Trimming while another thread translates cost that thread about a fifth of its speed
    (two threads, alternating runs: 17.2 s against 14.3 s median), since the memory it
    frees is wanted again at once; a worker with nothing in flight loses nothing.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._in_flight = 0

    def enter(self) -> None:
        with self._lock:
            self._in_flight += 1

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
            idle = self._in_flight == 0
        if idle:
            release_freed_memory()


@functools.cache
def _glibc():
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim  # noqa: B018 (only glibc has it)
    except (OSError, AttributeError):
        return None
    return libc


def loaded_pairs() -> list[tuple[str, str]]:
    """Return the pairs whose packs are loaded now."""
    return sorted(loaded.pack.pair for loaded in list(_loaded.values()))


def _load(pack: langpacks.InstalledPack, settings: Settings) -> LoadedPack:
    import ctranslate2  # heavy: only when a pack is first used

    log.info("loading %s %s from %s", pack.code, pack.version, pack.path)
    try:
        translator = ctranslate2.Translator(
            str(pack.path / "model"),
            device="cpu",
            compute_type=settings.compute_type,
            inter_threads=settings.inter_threads,
            intra_threads=settings.intra_threads,
        )
    except (RuntimeError, ValueError, OSError) as error:
        raise BadLanguagePack(
            f"{pack.code}: its model cannot be loaded ({error}); check it with "
            "`newsdesk langpacks verify` and reinstall it"
        ) from None
    return LoadedPack(pack=pack, translator=translator, tokenizer=_load_tokenizer(pack))


def _load_tokenizer(pack: langpacks.InstalledPack) -> Tokenizer:
    sentencepiece_model = pack.path / "sentencepiece.model"
    if sentencepiece_model.is_file():
        return SentencePieceTokenizer(sentencepiece_model)
    from argostranslate.tokenizer import BPETokenizer  # Moses + BPE packs; no torch

    tokenizer = BPETokenizer(pack.path / "bpe.model", pack.from_code, pack.to_code)
    tokenizer.lazy_load()  # load now, under the cache lock: its lazy load is not thread-safe
    return tokenizer


class SentencePieceTokenizer:
    """Encode and decode with a pack's SentencePiece model.

    Argos's own SentencePieceTokenizer.decode also turns every '_' into a space, which
    corrupts handles, file names and URLs; we decode the pieces only.
    """

    def __init__(self, model_file: Path):
        import sentencepiece

        self.processor = sentencepiece.SentencePieceProcessor(model_file=str(model_file))

    def encode(self, text: str) -> list[str]:
        return self.processor.encode(text, out_type=str)

    def decode(self, pieces: list[str]) -> str:
        return self.processor.decode_pieces(pieces)


# The settings that change what a pack makes of a sentence; a cached translation is
# reused only under the same values (tests/test_translation.py makes every new setting
# be listed here or declared harmless to the output).
OUTPUT_SETTINGS = ("beam_size", "compute_type", "decoding_ratio", "decoding_extra", "max_input_tokens")


def cache_scope(loaded: LoadedPack, settings: Settings, *, shared: bool = False) -> tuple:
    """The part of a sentence cache key that is not the sentence: the pack and OUTPUT_SETTINGS.

    The shared (Redis) cache names the pack by its checksum alone, so that workers that keep
    the same pack in other folders share their translations.
    """
    where = () if shared else (str(loaded.pack.path),)
    return (*where, loaded.pack.sha256, *(getattr(settings, name) for name in OUTPUT_SETTINGS))


def translate_with_pack(texts: list[str], loaded: LoadedPack, settings: Settings,
                        deadline: float | None = None) -> list[str]:
    """Translate ``texts`` with one pack: cached sentences from the cache, the rest in one batch."""
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidInput(f"sentence {index} is a {type(text).__name__}, not text")
    cache = sentence_cache(settings)
    scope = cache_scope(loaded, settings)
    wanted = [text for text in texts if text.strip()]
    known = dict(zip(wanted, cache.get_many(scope, wanted))) if cache.capacity > 0 else {}
    shared, shared_scope = shared_cache(settings), cache_scope(loaded, settings, shared=True)
    if shared is not None:
        asked = list(dict.fromkeys(text for text in wanted if known.get(text) is None))
        found = [(text, value) for text, value in zip(asked, shared.get_many(shared_scope, asked)) if value is not None]
        known.update(found)
        cache.put_many(scope, found)
    new = list(dict.fromkeys(text for text in texts if known.get(text) is None))
    fresh = dict(zip(new, _translate_batch(new, loaded, settings, deadline))) if new else {}
    worth_keeping = [(text, output) for text, output in fresh.items() if text.strip()]
    cache.put_many(scope, worth_keeping)
    if shared is not None:
        shared.put_many(shared_scope, worth_keeping)
    return [known.get(text) if known.get(text) is not None else fresh[text] for text in texts]


def _translate_batch(texts: list[str], loaded: LoadedPack, settings: Settings, deadline: float | None) -> list[str]:
    """Translate all ``texts`` with one pack, in batches of similar length."""
    parts, owners = _split_into_parts(texts, loaded.tokenizer, settings.max_input_tokens)
    outputs = [""] * len(texts)
    previous: list[str] = []
    for owner, part, hypothesis in zip(owners, parts, _decode_in_batches(parts, loaded, settings, deadline)):
        # A part cut mid-word (a word longer than the limit) continues without a space.
        joint = "" if not outputs[owner] or _continues_word(previous, part) else " "
        outputs[owner] += joint + _clean_output(hypothesis, len(part), loaded, settings)
        previous = part
    return outputs


def _continues_word(previous: list[str], part: list[str]) -> bool:
    """True when ``part`` starts inside a word that ``previous`` began."""
    if previous and previous[-1].endswith("@@"):  # BPE marks a word that goes on
        return True
    return any(piece.startswith("\u2581") for piece in previous) and not part[0].startswith("\u2581")


def _split_into_parts(texts: list[str], tokenizer: Tokenizer, limit: int) -> tuple[list[list[str]], list[int]]:
    """Tokenize; cut sentences longer than ``limit`` pieces into parts (nothing is dropped)."""
    parts, owners = [], []
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidInput(f"sentence {index} is a {type(text).__name__}, not text")
        for part in _cut(tokenizer.encode(text) if text.strip() else [], max(limit, 1)):
            parts.append(part)
            owners.append(index)
    return parts, owners


def _cut(pieces: list[str], limit: int) -> list[list[str]]:
    """Cut pieces into runs of at most ``limit``, at a word start where there is one."""
    runs = []
    while len(pieces) > limit:
        # SentencePiece marks a word start with U+2581; cutting there keeps words whole.
        cut = next((i for i in range(limit, 0, -1) if pieces[i].startswith("\u2581")), limit)
        runs.append(pieces[:cut])
        pieces = pieces[cut:]
    return runs + [pieces] if pieces else runs


def _decoding_cap(length: int, settings: Settings) -> int:
    return math.ceil(settings.decoding_ratio * length) + settings.decoding_extra


def _decode_in_batches(parts: list[list[str]], loaded: LoadedPack, settings: Settings,
                       deadline: float | None) -> list[list[str]]:
    """Decode in batches of max_batch_size parts, shortest first, checking the deadline before each.

    CTranslate2 would sort and split the same way inside one call; doing it here lets a
    request stop between batches when its time is up, and gives each batch the decoding
    cap of its own longest part.
    """
    order = sorted(range(len(parts)), key=lambda i: len(parts[i]))
    size = settings.max_batch_size or len(parts) or 1
    hypotheses: list[list[str]] = [[] for _ in parts]
    for start in range(0, len(order), size):
        if deadline is not None and time.monotonic() > deadline:
            raise TimedOut(
                f"the request ran past its time limit of {settings.request_timeout:g} s (NEWSDESK_REQUEST_TIMEOUT): "
                "send a shorter article or fewer languages, or raise the limit"
            )
        batch = order[start : start + size]
        for index, hypothesis in zip(batch, _decode_batch([parts[i] for i in batch], loaded, settings)):
            hypotheses[index] = hypothesis
    return hypotheses


def _decode_batch(parts: list[list[str]], loaded: LoadedPack, settings: Settings) -> list[list[str]]:
    prefix = loaded.pack.target_prefix
    options: dict[str, Any] = dict(
        beam_size=settings.beam_size,
        max_batch_size=settings.max_batch_size,
        batch_type="examples",
        # The cap is per batch, from its longest part; _clean_output caps each sentence.
        max_decoding_length=_decoding_cap(max(map(len, parts)), settings),
        length_penalty=ARGOS_LENGTH_PENALTY,
        replace_unknowns=True,
    )
    if prefix:
        options["target_prefix"] = [[prefix]] * len(parts)
    results = loaded.translator.translate_batch(parts, **options)
    return [result.hypotheses[0] for result in results]


def _clean_output(hypothesis: list[str], input_length: int, loaded: LoadedPack, settings: Settings) -> str:
    prefix = loaded.pack.target_prefix
    if prefix and hypothesis[:1] == [prefix]:
        hypothesis = hypothesis[1:]
    return loaded.tokenizer.decode(hypothesis[: _decoding_cap(input_length, settings)]).strip()
