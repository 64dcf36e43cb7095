"""Translate lists of sentences through installed Argos packs, one batched call per pack.

newsdesk drives CTranslate2 itself instead of calling ``argostranslate.translate``: that
module imports stanza and torch and splits text with a model it downloads, while we get
sentences already split and want every sentence of an article in one batch.

- ``routing``: which packs serve a pair (direct, or through English);
- ``models``: loading a pack's model and tokenizer once per process;
- ``decoding``: one pack's batches, Argos's decoding options, long sentences in parts;
- ``caches``: the per-worker LRU and the shared Redis cache of translated sentences;
- ``memory``: giving freed memory back to the system when a worker is idle;
- ``packs``: installing, checking and removing the packs themselves.
"""

from __future__ import annotations

from ..config import Settings
from ..errors import InvalidInput
from .caches import OUTPUT_SETTINGS, cache_scope, clear_caches, sentence_cache, shared_cache
from .decoding import Decoded, decode_with_pack, translate_with_pack
from .memory import IdleMemoryRelease, release_freed_memory
from .models import LoadedPack, clear_models, load_pack, loaded_pairs, preload
from .routing import (PIVOT_LANGUAGE, check_language, installed_languages, installed_pairs, plan_route,
                      reachable_pairs, source_languages)

__all__ = [
    "OUTPUT_SETTINGS", "PIVOT_LANGUAGE", "Decoded", "IdleMemoryRelease", "LoadedPack", "cache_scope", "check_language",
    "clear_cache", "installed_languages", "installed_pairs", "load_pack", "loaded_pairs", "plan_route", "preload",
    "reachable_pairs", "release_freed_memory", "sentence_cache", "shared_cache", "source_languages", "translate",
    "translate_detailed", "translate_with_pack", "decode_with_pack",
]


def translate(
    sentences: list[str], source: str, target: str, settings: Settings | None = None, deadline: float | None = None
) -> list[str]:
    """Translate each sentence from ``source`` to ``target``; one output per input, in order.

    Uses the direct pack when installed, else pivots through English (de->ar is
    de->en->ar). Raises LanguagePackMissing, saying what to install, when neither works,
    and TimedOut when ``deadline`` (a time.monotonic() value) passes between batches.
    """
    return [decoded.text for decoded in translate_detailed(sentences, source, target, settings, deadline)]


def translate_detailed(sentences: list[str], source: str, target: str, settings: Settings | None = None,
                       deadline: float | None = None, *, alternatives: int = 0) -> list[Decoded]:
    """translate(), with each sentence's confidence and, when asked, its next-best translations.

    Through a pivot the confidence is the product of both hops' (each a probability), and the
    alternatives are the second hop's, from the first hop's best English.
    """
    settings = settings or Settings.load()
    if isinstance(sentences, str):
        raise InvalidInput("translate() takes a list of sentences, not one string")
    check_language(source)
    check_language(target)
    texts = list(sentences)
    if source == target or not texts:
        return [Decoded(text=text) for text in texts]
    hops = plan_route(source, target, settings)
    decoded = [Decoded(text=text) for text in texts]
    for number, (hop_source, hop_target) in enumerate(hops, 1):
        asked = alternatives if number == len(hops) else 0
        step = decode_with_pack([item.text for item in decoded], load_pack(hop_source, hop_target, settings),
                                settings, deadline, alternatives=asked)
        decoded = [Decoded(text=new.text, confidence=round(old.confidence * new.confidence, 4),
                           alternatives=new.alternatives) for old, new in zip(decoded, step)]
    return decoded


def clear_cache() -> None:
    """Drop every loaded pack (frees their memory) and every cached sentence."""
    clear_models()
    clear_caches()
