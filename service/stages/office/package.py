"""Opening .docx and .odt files, which are zip archives of XML parts, without trusting them.

A zip bomb unpacks a few kilobytes into gigabytes; an XML part with a DOCTYPE can declare
entities that expand without end or name outside files (XXE). Both are refused here, before
python-docx or odfpy parse anything. A DOCTYPE that declares nothing (the MathML one
OpenOffice writes into a formula object) is read, with no DTD loaded and nothing fetched.

Parts that name outside files (Word's attached template, a picture linked from the author's
disk, an .odt's linked image) are not refused: Word and LibreOffice write them into ordinary
documents, newsdesk never fetches them (no reader here follows them), and a translated copy
keeps them as the original had them (issue 32: three real .docx were refused for it).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from ... import defaults
from ...errors import InvalidInput, TooLarge

# A zip's parts seldom compress better than this; text XML reaches 10-20x, a bomb 1000x.
MAX_COMPRESSION_RATIO = 100

# An entity declaration, or a DOCTYPE with an internal subset (where declarations live).
_DECLARATIONS = re.compile(rb"<!\s*ENTITY|<!\s*DOCTYPE[^>\[]*\[", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    """How much of a document newsdesk reads (the NEWSDESK_MAX_DOCUMENT_* settings; None: no limit)."""

    max_bytes: int | None = defaults.MAX_DOCUMENT_BYTES
    max_unpacked_bytes: int | None = defaults.MAX_DOCUMENT_UNPACKED_BYTES
    max_pages: int | None = defaults.MAX_DOCUMENT_PAGES
    max_paragraphs: int | None = defaults.MAX_DOCUMENT_PARAGRAPHS
    max_characters: int | None = defaults.MAX_CHARACTERS  # the article's; a PDF stops being read at 1.5x this
    read_memory: int | None = defaults.DOCUMENT_READ_MEMORY  # megabytes, beyond the reader's own start
    read_seconds: float | None = defaults.DOCUMENT_READ_SECONDS

    @classmethod
    def of(cls, settings) -> Limits:
        """The limits a config.Settings holds (stages know no settings: read by name)."""
        return cls(max_bytes=settings.max_document_bytes, max_unpacked_bytes=settings.max_document_unpacked_bytes,
                   max_pages=settings.max_document_pages, max_paragraphs=settings.max_document_paragraphs,
                   max_characters=settings.max_characters, read_memory=settings.document_read_memory,
                   read_seconds=settings.document_read_seconds)


def check_paragraphs(count: int, *, name: str, max_paragraphs: int | None) -> None:
    """TooLarge when a document holds more blocks than NEWSDESK_MAX_DOCUMENT_PARAGRAPHS allows."""
    if max_paragraphs is not None and count > max_paragraphs:
        raise TooLarge(f"{name} has more than {max_paragraphs:,} paragraphs; the limit is {max_paragraphs:,} "
                       "(NEWSDESK_MAX_DOCUMENT_PARAGRAPHS): split it")


class ParagraphCount:
    """The blocks read so far, checked as each is read so that a huge document stops early."""

    def __init__(self, *, name: str, limits: Limits) -> None:
        self.name, self.max_paragraphs, self.counted = name, limits.max_paragraphs, 0

    def add(self, blocks: int) -> None:
        self.counted += blocks
        check_paragraphs(self.counted, name=self.name, max_paragraphs=self.max_paragraphs)


def check_size(data: bytes, *, name: str, limits: Limits) -> None:
    if limits.max_bytes is not None and len(data) > limits.max_bytes:
        raise TooLarge(f"{name} has {len(data):,} bytes; the limit for a document is {limits.max_bytes:,} "
                       "(NEWSDESK_MAX_DOCUMENT_BYTES): save it without its pictures, or send the text")


def open_package(data: bytes, *, name: str, kind: str, limits: Limits) -> dict[str, bytes]:
    """Every part of the zip, by name, once each has been checked; InvalidInput or TooLarge if not.

    ``kind`` names the format in messages ("Word", "OpenDocument").
    """
    check_size(data, name=name, limits=limits)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InvalidInput(f"{name} is not a readable {kind} file (it is not the zip archive such files are): "
                           "open it and save it again, or paste the article's text") from None
    unpacked = sum(info.file_size for info in members)
    allowed = MAX_COMPRESSION_RATIO * len(data)
    if limits.max_unpacked_bytes is not None:
        allowed = min(allowed, limits.max_unpacked_bytes)
    if unpacked > allowed:
        raise TooLarge(f"{name} unpacks to {unpacked:,} bytes; a {kind} file this size may unpack to {allowed:,} "
                       "(NEWSDESK_MAX_DOCUMENT_UNPACKED_BYTES, and 100 times its own size): it looks like a zip "
                       "bomb; save the document again, or send the text")
    parts = {}
    try:
        for info in members:
            with archive.open(info) as member:
                parts[info.filename] = member.read(info.file_size + 1)  # a member's declared size can lie
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError):
        raise InvalidInput(f"{name} is a damaged {kind} file (a part of it cannot be unpacked): open it and save "
                           "it again") from None
    if sum(map(len, parts.values())) > allowed:
        raise TooLarge(f"{name} unpacks to more than {allowed:,} bytes (NEWSDESK_MAX_DOCUMENT_UNPACKED_BYTES): "
                       "it looks like a zip bomb; save the document again, or send the text")
    for part, content in parts.items():
        if part.lower().endswith((".xml", ".rels")) and _DECLARATIONS.search(_xml_text(content, name=name, part=part)):
            raise InvalidInput(f"{name} declares XML entities in {part} (a DOCTYPE), which Word and LibreOffice "
                               "never write and attacks use to read files: save the document again from Word or "
                               "LibreOffice")
    return parts


_XML_ENCODING = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
# How an XML part's first bytes say its encoding: a byte-order mark, or without one "<?" itself
# (XML 1.0, appendix F).
_ENCODING_SIGNS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                   (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"<\x00\x00\x00", "utf-32-le"),
                   (b"\x00\x00\x00<", "utf-32-be"), (b"<\x00", "utf-16-le"), (b"\x00<", "utf-16-be"))


def _xml_text(content: bytes, *, name: str, part: str) -> bytes:
    """An XML part's text as UTF-8, decoded as an XML parser would (byte-order mark, then its
    declaration, else UTF-8), so that a DOCTYPE is found in any encoding; a part that cannot be
    decoded so is refused whole, never half-read."""
    encoding = next((encoding for bom, encoding in _ENCODING_SIGNS if content.startswith(bom)), None)
    if encoding is None:
        declared = _XML_ENCODING.match(content)
        encoding = declared[1].decode("ascii") if declared else "utf-8"
    if encoding.lower().replace("_", "-") in ("utf-8", "utf8", "us-ascii", "ascii"):
        return content  # as it is: the DOCTYPE test reads bytes, and a bad byte is the parser's to refuse
    try:
        return content.decode(encoding).encode("utf-8")
    except (LookupError, UnicodeError):
        raise InvalidInput(f"{name} is damaged: its part {part} is not text in the encoding it declares "
                           f"({encoding}); open it and save it again") from None


def parse_xml(content: bytes, *, name: str, part: str):
    """An lxml tree of one XML part: no entities resolved, nothing fetched."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        return etree.fromstring(content, parser)
    except etree.XMLSyntaxError:
        raise InvalidInput(f"{name} is damaged: its part {part} is not well-formed XML; open it and save it "
                           "again") from None
