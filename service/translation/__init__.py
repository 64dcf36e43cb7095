"""Translate lists of sentences through installed Argos packs, one batched call per pack.

newsdesk drives CTranslate2 itself instead of calling ``argostranslate.translate``: that
module imports stanza and torch and splits text with a model it downloads, while we get
sentences already split and want every sentence of an article in one batch.

- ``routing``: which packs serve a pair (direct, or through English);
- ``models``: loading a pack's model and tokenizer once per process;
- ``decoding``: one pack's batches, Argos's decoding options, long sentences in parts;
- ``caches``: the per-worker LRU and the shared Redis cache of translated sentences;
- ``heap``: giving freed memory back to the system when a worker is idle;
- ``packs``: installing, checking and removing the packs themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

from .. import alignment as alignments
from ..config import Settings
from ..errors import InvalidInput
from .caches import OUTPUT_SETTINGS, cache_scope, clear_caches, sentence_cache, shared_cache
from .decoding import Decoded, decode_with_pack, translate_with_pack
from .heap import IdleMemoryRelease, release_freed_memory
from . import terms
from .models import LoadedPack, clear_models, engine, load_pack, loaded_pairs, preload
from .routing import (PIVOT_LANGUAGE, check_language, installed_languages, installed_pairs, plan_route,
                      reachable_pairs, source_languages)
from .terms import Glossary

__all__ = [
    "OUTPUT_SETTINGS", "PIVOT_LANGUAGE", "Decoded", "IdleMemoryRelease", "LoadedPack", "cache_scope", "check_language",
    "clear_cache", "engine", "installed_languages", "installed_pairs", "load_pack", "loaded_pairs", "plan_route", "preload",
    "reachable_pairs", "release_freed_memory", "sentence_cache", "shared_cache", "source_languages", "translate",
    "translate_detailed", "translate_with_pack", "decode_with_pack", "Glossary",
]


def translate(
    sentences: list[str], source: str, target: str, settings: Settings | None = None, deadline: float | None = None
) -> list[str]:
    """Translate each sentence from ``source`` to ``target``; one output per input, in order: the
    model's own translation, without the desk's glossary and corrections (desk/translating.py's
    translate() has them).

    Uses the direct pack when installed, else pivots through English (de->ar is
    de->en->ar). Raises LanguagePackMissing, saying what to install, when neither works,
    and TimedOut when ``deadline`` (a time.monotonic() value) passes between batches.
    """
    return [decoded.text for decoded in translate_detailed(sentences, source, target, settings, deadline)]


def translate_detailed(sentences: list[str], source: str, target: str, settings: Settings | None = None,
                       deadline: float | None = None, *, alternatives: int = 0, glossary: Glossary | None = None,
                       corrections: Sequence[str | None] = (), aligned: bool = False) -> list[Decoded]:
    """translate(), with each sentence's confidence and, when asked, its next-best translations.

    ``corrections``: per sentence, a translation that wins over the model (an editor's, from the
    desk's memory: ``reviewed``), None where the model is asked. ``glossary``: the terms to keep;
    they are hidden from the model behind placeholders and put back after the last hop; a
    sentence whose placeholder the model lost is translated again without them
    (``glossary_skipped``). Both are the caller's to give (desk/translating.py gives the stored
    ones): this package keeps no store of its own. Through a pivot the confidence is the product
    of both hops' (each a probability), and the alternatives are the second hop's, from the
    first hop's best English. ``aligned``: each model translation also carries its alignment to
    its sentence (through English, the two hops' composed; with glossary terms, moved onto the
    terms put back); an editor's correction has none.
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
    remembered = list(corrections) or [None] * len(texts)
    asked_of_model = [text for text, stored in zip(texts, remembered) if stored is None]
    table = terms.term_table(glossary, target) if glossary is not None else None
    protected = [terms.protect(text, table) for text in asked_of_model] if table is not None and table.terms else []
    shown = [item.text for item in protected] if protected else asked_of_model
    decoded = _through(hops, shown, settings, deadline, alternatives, aligned)
    if protected:
        decoded = _restored(decoded, protected, asked_of_model, hops, settings, deadline, alternatives, aligned)
    from_model = iter(decoded)
    return [Decoded(text=stored, reviewed=True) if stored is not None else next(from_model) for stored in remembered]


def _through(hops: list[tuple[str, str]], texts: list[str], settings: Settings, deadline: float | None,
             alternatives: int, aligned: bool = False) -> list[Decoded]:
    """Translate ``texts`` along ``hops`` (one pack, or two through English)."""
    decoded = [Decoded(text=text) for text in texts]
    for number, (hop_source, hop_target) in enumerate(hops, 1):
        asked = alternatives if number == len(hops) else 0
        step = decode_with_pack([item.text for item in decoded], load_pack(hop_source, hop_target, settings),
                                settings, deadline, alternatives=asked, aligned=aligned) if decoded else []
        decoded = [Decoded(text=new.text, confidence=round(old.confidence * new.confidence, 4),
                           alternatives=new.alternatives, alignment=_followed(old.alignment, new.alignment))
                   for old, new in zip(decoded, step)]
    return decoded


def _followed(first: alignments.Alignment | None, second: alignments.Alignment | None) -> alignments.Alignment | None:
    """The alignment over both hops (source -> English -> target), or the one hop's."""
    if first is None or second is None:
        return second
    return alignments.compose(first, second)


def _restored(decoded: list[Decoded], protected: list[terms.Protected], originals: list[str], hops, settings,
              deadline, alternatives, aligned: bool = False) -> list[Decoded]:
    """Put the glossary's terms back; where the model lost a placeholder, translate without them."""
    back = [terms.restore(item.text, shield) for item, shield in zip(decoded, protected)]
    lost = [index for index, text in enumerate(back) if text is None]
    again = iter(_through(hops, [originals[index] for index in lost], settings, deadline, alternatives, aligned))
    results = []
    for item, shield, text, original in zip(decoded, protected, back, originals):
        if text is None:
            retry = next(again)
            results.append(Decoded(text=retry.text, confidence=retry.confidence, alternatives=retry.alternatives,
                                   glossary_skipped=True, alignment=retry.alignment))
            continue
        others = tuple(alt for alt in (terms.restore(alt, shield) for alt in item.alternatives) if alt is not None)
        moved = (alignments.remapped(item.alignment, source=(shield.text, original), target=(item.text, text))
                 if item.alignment is not None else None)
        results.append(Decoded(text=text, confidence=item.confidence, alternatives=others, alignment=moved))
    return results


def clear_cache() -> None:
    """Drop every loaded pack (frees their memory) and every cached sentence."""
    clear_models()
    clear_caches()
