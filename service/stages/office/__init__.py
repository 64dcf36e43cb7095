"""Word, OpenDocument and PDF articles: reading them, and translated copies of them.

- ``package``: opening .docx/.odt (zip archives of XML) without trusting them: size, zip
  bombs, entity declarations;
- ``word``, ``opendocument``: reading into lines, translated copies that keep the layout,
  and the summary as a short document of its own;
- ``pdf``: text PDFs (columns, hyphenation, running headers and page numbers);
- ``reading``: one document read, by its suffix; ``fence``: that, in a child process capped in
  memory and time, which is how every door reads one.

Reading gives a ``stages.documents.Document`` like every other format; a copy is translated
through callables (``translate``, ``split``), so this package knows nothing of packs.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

from ...errors import InvalidInput, ServiceError
from ..outline import Document
from .package import Limits
from ..pieces import Aligned, Translate

log = logging.getLogger(__name__)

SUFFIXES = (".docx", ".odt", ".pdf")
# Formats whose translated copy keeps the document's layout (a PDF's cannot be rewritten).
COPY_SUFFIXES = (".docx", ".odt")
MEDIA_TYPES = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
               ".odt": "application/vnd.oasis.opendocument.text", ".pdf": "application/pdf"}

__all__ = ["SUFFIXES", "COPY_SUFFIXES", "MEDIA_TYPES", "Aligned", "Limits", "Translate", "read_office", "translated_copy",
           "summary_copy"]


def read_office(name: str, data: bytes, *, limits: Limits) -> Document:
    """Read a .docx, .odt or .pdf article (by the suffix of ``name``), in a child process fenced
    by ``limits.read_memory`` and ``limits.read_seconds`` (``fence``)."""
    from .fence import read_fenced

    return read_fenced(name, data, limits=limits)


def translated_copy(name: str, data: bytes, *, limits: Limits, translate: Translate,
                    split: Callable[[str], list[str]], right_to_left: bool) -> bytes:
    """The document translated, in its own format (.docx or .odt), its layout kept.

    A structure the rewriting did not foresee (an lxml, python-docx or odfpy error) fails this
    copy with a message, never the article: its translation stands (issue 32: a tracked change
    failed a whole batch article, its Markdown result too)."""
    def translate_apart(texts: list[str]) -> list[str | Aligned]:
        try:
            return translate(texts)
        except Exception as error:  # the engine's own failure, not the writer's: it goes on as it was
            raise _FromTranslating(error) from error

    options = {"name": Path(name).name, "limits": limits, "translate": translate_apart, "split": split,
               "right_to_left": right_to_left}
    try:
        if Path(name).suffix.lower() == ".docx":
            from .word import translate_word

            return translate_word(data, **options)
        from .opendocument import translate_opendocument

        return translate_opendocument(data, **options)
    except _FromTranslating as wrapped:
        raise wrapped.error from None
    except ServiceError:
        raise
    except Exception as error:  # noqa: BLE001 - the boundary around third-party XML rewriting
        log.exception("could not write the translated copy of %s", Path(name).name)
        raise InvalidInput(f"{Path(name).name}: its translated copy could not be written ({type(error).__name__}, "
                           "in the service's log): the article's translation stands; download it as Markdown, "
                           "text or HTML") from None


class _FromTranslating(Exception):
    """What ``translate`` raised, carried through the writer untouched (translated_copy)."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


def summary_copy(suffix: str, *, title: str, heading: str, sentences: list[str], right_to_left: bool) -> bytes:
    """The summary as a short document of its own, in the format ``suffix`` names (.docx or .odt)."""
    options = {"title": title, "heading": heading, "sentences": sentences, "right_to_left": right_to_left}
    if suffix == ".docx":
        from .word import word_summary

        return word_summary(**options)
    from .opendocument import opendocument_summary

    return opendocument_summary(**options)
