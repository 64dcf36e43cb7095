"""Detect the language of a text, offline, with a confidence; decide when a guess is good enough.

py3langid (the langid.py model, shipped inside the package, no download) scores 140
languages. We let it choose among the languages a caller can use (those the installed
packs translate from), but measure its confidence against the languages news arrives in
here as well, so that a short or name-heavy text is not called Breton, and so that a
small candidate set (only English) does not make every guess look certain.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import InvalidInput

# The languages news arrives in here: the reference every confidence is measured against.
NEWSROOM_LANGUAGES = ("en", "de", "ru", "ar", "fr", "es", "it", "pt", "nl", "pl", "uk", "tr")
# ISO 639-1 -> English display name, for people (API listings, page titles).
DISPLAY_NAMES = {"en": "English", "de": "German", "ru": "Russian", "ar": "Arabic", "fr": "French",
                 "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "pl": "Polish",
                 "uk": "Ukrainian", "tr": "Turkish"}
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})

# Thresholds of detect_source (issue 13), measured on the en/de/ru/ar sentences of
# evaldata/parallel_ntrex.jsonl, their first 1-8 words and made-up junk ("OK", "aaaa",
# <script> snippets):
# - below 3 letters ("OK", "Hi", "Ja") a single word is identified right at p >= 0.6 only
#   11-30% of the time, and then mostly by its script: too short to tell.
MIN_LETTERS = 3
# - at 0.6, 0.1% of 1-8 word prefixes get a wrong language and 13% are refused (at 0.5:
#   0.17% wrong; at 0.8: 0.04% wrong, 20% refused); whole sentences: 99.9% right, the one
#   "wrong" being a French quotation. No junk text scored 0.6 or more, except script-only
#   ones ("ÄÖÜ" de, "ااا" ar). Above 0.5 an accepted guess is also the only one.
MIN_CONFIDENCE = 0.6
# - a language no installed pack translates from is named (so the caller is told which
#   pack is missing) only when the model is sure: no en/de/ru sentence or prefix scored
#   more than 0.882 for another language (leaving out that French quotation, 0.997),
#   while French, Spanish or Italian paragraphs score 1.000.
SURE_CONFIDENCE = 0.99
SAMPLE_CHARACTERS = 5000  # plenty for a confident guess; keeps long articles cheap

_building = threading.RLock()


@dataclass(frozen=True)
class Detection:
    """A detected language (ISO 639-1) and the model's probability for it (0..1)."""

    code: str
    confidence: float


def detect_language(text: str, *, candidates: Iterable[str] = NEWSROOM_LANGUAGES) -> Detection:
    """Return the most likely language of ``text`` among ``candidates``.

    The confidence is the language's probability among the candidates and the newsroom
    languages together, so a text in French scored against English alone stays near 0.
    With nothing to go by (no letters, no letter sequence the model knows): the first
    candidate (English when it is one), confidence 0.
    """
    choices = _known(candidates)
    sample = text[:SAMPLE_CHARACTERS]
    scores = _scores(sample, choices)
    if not any(scores.values()):
        return Detection("en" if "en" in choices else choices[0], 0.0)
    # The scores share one normalisation, so the best candidate is the best among them: no second pass.
    code = max(choices, key=scores.get)
    return Detection(code, _rounded(scores[code]))


def detect_source(text: str, *, sources: Iterable[str], fallback: str | None = None,
                  label: str = "the text") -> Detection:
    """Return the language of ``text`` if it is one of ``sources`` and the guess is good enough.

    A language outside ``sources`` is returned only when the model is sure of it
    (SURE_CONFIDENCE), so the caller can say which pack is missing. A text too short
    (MIN_LETTERS) or a guess too weak (MIN_CONFIDENCE) gives ``fallback`` with its own
    confidence; without one, InvalidInput asks for the language, naming ``sources``.
    """
    allowed = _known(sources)
    sample = text[:SAMPLE_CHARACTERS]
    scores = _scores(sample, allowed)
    best = max(scores, key=scores.get)
    letters = _letters(sample)
    if letters >= MIN_LETTERS and _good_enough(best, scores[best], allowed):
        return Detection(best, _rounded(scores[best]))
    if fallback is not None:
        return Detection(fallback, _rounded(scores.get(fallback, 0.0)))
    raise InvalidInput(_undecided(label, letters, best, scores[best], allowed))


def _good_enough(code: str, confidence: float, sources: tuple[str, ...]) -> bool:
    return confidence >= SURE_CONFIDENCE or code in sources and confidence >= MIN_CONFIDENCE


def _undecided(label: str, letters: int, best: str, confidence: float, sources: tuple[str, ...]) -> str:
    fix = "send source=" + _either(sorted(sources))
    if letters == 0:
        return f"{label} has no letters to tell its language by: {fix}"
    if letters < MIN_LETTERS:
        counted = f"{letters} letter" + ("" if letters == 1 else "s")
        return f"{label} is too short to tell its language ({counted}; {MIN_LETTERS} or more are needed): {fix}"
    guess = f" (best guess: {best}, confidence {confidence:.2f})" if confidence else ""
    return f"could not tell the language of {label}{guess}: {fix}"


def _either(codes: list[str]) -> str:
    return codes[0] if len(codes) == 1 else ", ".join(codes[:-1]) + " or " + codes[-1]


def _letters(text: str) -> int:
    return sum(character.isalpha() for character in text)


def _rounded(probability: float) -> float:
    return round(float(probability), 3)


def _known(codes: Iterable[str]) -> tuple[str, ...]:
    """The codes the model knows, in order, without repeats (Argos's "zt" or "pb" it does not);
    English when it knows none of them."""
    labels = set(_model().labels)
    known = tuple(code for code in dict.fromkeys(codes) if code in labels)
    return known or ("en",)


def _scores(sample: str, candidates: tuple[str, ...]) -> dict[str, float]:
    """Each language's probability among ``candidates`` and the newsroom languages; all 0
    when there is nothing to go by (the model then gives every language the same)."""
    reference = frozenset(_known((*NEWSROOM_LANGUAGES, *candidates)))
    scores = dict(_identifier(reference).rank(sample))
    if not _letters(sample) or max(scores.values()) - min(scores.values()) < 1e-6:
        return dict.fromkeys(scores, 0.0)
    return scores


def _identifier(languages: frozenset[str]):
    """The model restricted to ``languages``; never changed once built, so threads may share it."""
    with _building:  # one build per set, even when the first requests come together
        return _restricted(languages)


@functools.lru_cache(maxsize=32)
def _restricted(languages: frozenset[str]):
    identifier = copy.copy(_model())  # set_languages swaps the copy's arrays, not the model's
    identifier.set_languages(sorted(languages))
    return identifier


def _model():
    with _building:
        return _load_model()


@functools.lru_cache(maxsize=1)
def _load_model():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)  # ~1 s, once
