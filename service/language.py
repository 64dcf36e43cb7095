"""Detect the language of a text, offline, with a confidence.

py3langid (the langid.py model, shipped inside the package, no download) scores 97
languages; we let it choose among the languages news arrives in here, so that a short
or name-heavy text is not called Breton.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

CANDIDATES = ("en", "de", "ru", "ar", "fr", "es", "it", "pt", "nl", "pl", "uk", "tr")
# ISO 639-1 -> English display name, for people (API listings, page titles).
DISPLAY_NAMES = {"en": "English", "de": "German", "ru": "Russian", "ar": "Arabic", "fr": "French",
                 "es": "Spanish", "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "pl": "Polish",
                 "uk": "Ukrainian", "tr": "Turkish"}
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})
_lock = threading.Lock()


@dataclass(frozen=True)
class Detection:
    """A detected language (ISO 639-1) and the model's probability for it (0..1)."""

    code: str
    confidence: float


def detect_language(text: str) -> Detection:
    """Return the most likely language of ``text`` among CANDIDATES."""
    sample = text[:5000]  # plenty for a confident guess; keeps long articles cheap
    if not any(character.isalpha() for character in sample):
        return Detection("en", 0.0)
    with _lock:  # the identifier is not documented as thread-safe
        code, probability = _identifier().classify(sample)
    return Detection(code, round(float(probability), 3))


@functools.lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)  # ~1 s, once
    identifier.set_languages(list(CANDIDATES))
    return identifier
