"""A .zip of articles (a batch job's upload) read file by file, each through documents.read_document.

Bounded before anything is unpacked (the sizes the zip declares) and while each member is read
(no more than its limit, whatever it declares); one file's fault is reported beside it, never
the archive's. Apart from documents.py (issue 29: one room of 564 lines).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InvalidInput, TooLarge
from .documents import OFFICE_SUFFIXES, read_document
from .outline import Document

if TYPE_CHECKING:
    from .office import Limits


def read_archive(data: bytes, *, max_bytes: int | None, max_article_bytes: int | None,
                 limits: Limits | None = None) -> list[tuple[str, Document, str]]:
    """Read every article file in a .zip: (path in the archive, document, "") or (path, empty, why not).

    Folders and hidden or system files (``__MACOSX/``, ``.DS_Store``) are skipped; a file
    that is not an article, one whose path leaves the archive, or one over ``max_article_bytes``
    is reported, not dropped. A .docx, .odt or .pdf is read within ``limits`` (None: the
    defaults) and may be as large as their ``max_bytes`` instead. Unpacked sizes over ``max_bytes`` in all are refused before
    anything is unpacked (zip bombs), and no member is read past ``max_article_bytes`` +1,
    whatever size it declares.
    """
    import io
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir() and not _hidden(info.filename)]
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise InvalidInput(f"the uploaded .zip cannot be read ({error}): send a valid zip archive") from None
    unpacked = sum(info.file_size for info in members)
    if max_bytes is not None and unpacked > max_bytes:
        raise TooLarge(f"the archive unpacks to {unpacked:,} bytes; the limit is {max_bytes:,} "
                       "(NEWSDESK_MAX_JOB_BYTES): split it into several jobs")
    from .office import Limits

    limits = limits or Limits()
    return [_read_member(archive, info, max_article_bytes, limits) for info in members]


def _read_member(archive, info, limit: int | None, limits: Limits) -> tuple[str, Document, str]:
    import zipfile

    name = info.filename
    if name.startswith("/") or ".." in name.split("/"):
        return name, Document(""), f"{name}: its path leaves the archive (absolute, or with ..), so it was not read"
    setting = "NEWSDESK_MAX_REQUEST_BYTES"
    if Path(name).suffix.lower() in OFFICE_SUFFIXES:
        limit, setting = limits.max_bytes, "NEWSDESK_MAX_DOCUMENT_BYTES"
    too_big = (f"{name}: unpacks to more than {limit:,} bytes, the limit for one article "
               f"({setting}): send it on its own or split it") if limit is not None else ""
    if limit is not None and info.file_size > limit:
        return name, Document(""), too_big
    try:
        with archive.open(info) as member:
            # The size a zip declares can lie: read no more than the limit allows.
            content = member.read(limit + 1 if limit is not None else -1)
        if limit is not None and len(content) > limit:
            return name, Document(""), too_big
        return name, read_document(name, content, limits=limits), ""
    except (InvalidInput, TooLarge) as error:  # one file's fault is that file's, not the archive's
        return name, Document(""), str(error)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:  # damaged, encrypted
        return name, Document(""), f"{name}: cannot be unpacked ({error})"


def _hidden(path: str) -> bool:
    return any((part.startswith(".") and part != "..") or part == "__MACOSX" for part in path.split("/"))
