"""Translating as the desk does: an editor's correction first, the glossary's terms kept, the model for the rest.

The translation package knows packs and models and takes the terms and corrections it is
given; this module gives it the stored ones (issue 29: translation imported the glossary
and memory stores above it, and the glossary store imported translation back).
"""

from __future__ import annotations

from .. import translation
from ..config import Settings
from ..translation import Decoded, Glossary
from . import glossary as glossary_store
from . import memory


def translate(sentences: list[str], source: str, target: str, settings: Settings | None = None,
              deadline: float | None = None) -> list[str]:
    """Each sentence translated as translate_detailed() does it; the translations only."""
    return [decoded.text for decoded in translate_detailed(sentences, source, target, settings, deadline)]


def translate_detailed(sentences: list[str], source: str, target: str, settings: Settings | None = None,
                       deadline: float | None = None, *, alternatives: int = 0,
                       glossary: Glossary | None = None, aligned: bool = False) -> list[Decoded]:
    """translation.translate_detailed() with the editors' corrections of source->target from the
    memory (they win over the model and the caches: ``reviewed``) and the stored glossary, with
    ``glossary`` (a request's own terms) over it."""
    settings = settings or Settings.load()
    if isinstance(sentences, str) or source == target:  # translation says what is wrong, or gives them back
        return translation.translate_detailed(sentences, source, target, settings, deadline)
    texts = list(sentences)
    corrections = memory.lookup_many(settings, source=source, target=target, sentences=texts) if texts else []
    return translation.translate_detailed(texts, source, target, settings, deadline, alternatives=alternatives,
                                          glossary=effective_glossary(settings, glossary), corrections=corrections,
                                          aligned=aligned)


def effective_glossary(settings: Settings, extra: Glossary | None = None) -> Glossary:
    """The stored glossary (NEWSDESK_GLOSSARY_DB), with a request's own terms over it."""
    stored = glossary_store.load(settings)
    return stored.merged(extra) if extra is not None else stored


def with_memory(texts: list[str], decoded: list[Decoded], *, source: str, target: str,
                settings: Settings) -> list[Decoded]:
    """``decoded`` (the translations of ``texts``) with the editors' corrections of source->target put in."""
    remembered = memory.lookup_many(settings, source=source, target=target, sentences=texts)
    return [Decoded(text=stored, reviewed=True) if stored is not None else item
            for item, stored in zip(decoded, remembered)]
