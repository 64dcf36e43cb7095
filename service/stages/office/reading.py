"""One .docx, .odt or .pdf read into a Document, in this process (``fence`` runs it in a child)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..outline import Document
from .package import Limits, check_size


def read_here(name: str, data: bytes, *, limits: Limits) -> Document:
    """Read a .docx, .odt or .pdf article (by the suffix of ``name``) within ``limits``."""
    suffix = Path(name).suffix.lower()
    label = Path(name).name
    if suffix == ".docx":
        from .word import read_word

        return replace(read_word(data, name=label, limits=limits), original=data)
    if suffix == ".odt":
        from .opendocument import read_opendocument

        return replace(read_opendocument(data, name=label, limits=limits), original=data)
    from .pdf import read_pdf
    from .pdf_streams import check_streams

    check_size(data, name=label, limits=limits)
    check_streams(data, name=label, max_unpacked_bytes=limits.max_unpacked_bytes,
                  max_characters=limits.max_characters)
    return read_pdf(data, name=label, max_pages=limits.max_pages, max_paragraphs=limits.max_paragraphs,
                    max_characters=limits.max_characters, max_unpacked_bytes=limits.max_unpacked_bytes)
