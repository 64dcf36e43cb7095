"""What POST /translate_file does with a file: one translator per format, and the translated files
kept for GET /download_file.

Each format keeps what it can of itself: a .txt or .md keeps its lines, indents and markup, an
.html page its markup, a .docx or .odt its layout (pipeline.translated_document); a PDF's
article comes back as text. Apart from libre.py, which holds LibreTranslate's routes and
fields (issue 29: one room of 564 lines).
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from werkzeug.utils import secure_filename

from .. import stores
from ..config import Settings
from ..errors import InvalidInput, JobNotFound, TooLarge
from ..pipeline import translate_aligned, translate_texts, translated_document
from ..stages.documents import decode_text, read_document
from ..stages.html_text import rewrite_html_text
from ..stages.pieces import Aligned
from ..stages.sentences import split_sentences
from ..stages.office import Limits
from ..stores import redis_server
from . import inputs
from .error_responses import libretranslate_refusal as refusal
from .openapi import STORED_FILE_NAME


def check_characters(text: str, settings: Settings, name: str = "q") -> None:
    try:
        inputs.check_length(name, text, settings)
    except TooLarge as error:
        raise refusal(error, "over_limit", size=len(text), limit=settings.max_characters) from None



def translated_file(name: str, data: bytes, *, source: str, target: str, settings: Settings,
                    deadline: float | None) -> bytes:
    """The file ``name`` (its bytes ``data``) translated from source into target, in its own format:
    each suffix by its own translator (FILE_TRANSLATORS)."""
    return file_translator(name)(name, data, source=source, target=target, settings=settings, deadline=deadline)


def file_translator(name: str) -> Callable[..., bytes]:
    translator = FILE_TRANSLATORS.get(Path(name).suffix.lower())
    if translator is None:
        raise refusal(InvalidInput(f"{name}: newsdesk translates {', '.join(FILE_TRANSLATORS)} files; save it as one "
                                   "of those"), "file_format")
    return translator


def _translator(source: str, target: str, settings: Settings, deadline: float | None,
                within_limit: Callable[[list[str]], None] | None = None) -> Callable[[list[str]], list[str]]:
    """Texts -> their translations, every sentence of them in one batch (the same text back for one
    language); ``within_limit`` checks what a file sends (by default, a check of its own)."""
    if source == target:
        return list
    within_limit = within_limit or _within_limit(settings)

    def translate(texts: list[str]) -> list[str]:
        within_limit(texts)
        return translate_texts(texts, source, target, settings, deadline)

    return translate


def _within_limit(settings: Settings) -> Callable[[list[str]], None]:
    """A check of all the texts one file sends to be translated against NEWSDESK_MAX_CHARACTERS:
    what is translated counts (a page's menus, a document's headers), not only the article read
    from it, which was checked first."""
    sent: list[str] = []

    def check(texts: list[str]) -> None:
        sent.extend(texts)
        check_characters("".join(sent), settings, name="file")

    return check


_LETTER = re.compile(r"[^\W\d_]")
_LINE_END = re.compile(r"\r\n|\r|\n")


def _rewritten(lines: list[list[tuple[str, bool]]], translate: Callable[[list[str]], list[str]]) -> str:
    """The pieces of every line put together again, those marked True translated (in one batch). A
    piece keeps the spaces around it; one without a letter (a rule, a number) stays as it is."""
    wanted = [(row, column) for row, line in enumerate(lines) for column, (piece, translatable) in enumerate(line)
              if translatable and _LETTER.search(piece)]
    done = iter(translate([lines[row][column][0].strip() for row, column in wanted]))
    pieces = [[piece for piece, _ in line] for line in lines]
    for row, column in wanted:
        piece = pieces[row][column]
        pieces[row][column] = piece[: len(piece) - len(piece.lstrip())] + next(done) + piece[len(piece.rstrip()):]
    return "".join("".join(line) for line in pieces)


def _lines(text: str) -> list[tuple[str, str]]:
    """Each line of text and the line ending after it ("" for the last), endings kept as they were."""
    parts = _LINE_END.split(text)
    endings = _LINE_END.findall(text) + [""]
    return list(zip(parts, endings))


def _translated_text_file(name: str, data: bytes, *, source: str, target: str, settings: Settings,
                          deadline: float | None) -> bytes:
    """A .txt file line by line, each line's sentences translated: blank lines, indents and line endings stay."""
    lines = [[(line, True), (ending, False)] for line, ending in _lines(decode_text(data, name))]
    return _rewritten(lines, _translator(source, target, settings, deadline)).encode()


_MD_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# What starts a line and is no text: indents, quotes, headings, list markers and task boxes.
_MD_LINE_START = re.compile(r"^[ \t]*(?:>[ \t]?)*[ \t]*"
                            r"(?:#{1,6}[ \t]+|(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?)?")
_MD_REFERENCE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")  # [id]: https://... defines a link
# Inside a line: code spans, link and image brackets, link targets, HTML tags and autolinks, bare URLs,
# emphasis and strike-through markers (not the _ inside snake_case), and table pipes.
_MD_KEPT = re.compile(r"`+[^`]*?`+|!?\[|\]\([^)]*\)|\]|<[^<>\s][^<>]*>|https?://[^\s)>\]]+|\*\*|__|~~"
                      r"|(?<!\w)[*_]|[*_](?!\w)|\|")


def _markdown_line(line: str) -> list[tuple[str, bool]]:
    """A Markdown line as pieces: its syntax kept, the text between translated."""
    start = _MD_LINE_START.match(line).end()
    pieces, at = [(line[:start], False)], start
    for kept in _MD_KEPT.finditer(line, start):
        pieces += [(line[at:kept.start()], True), (kept.group(), False)]
        at = kept.end()
    return pieces + [(line[at:], True)]


def _translated_markdown(name: str, data: bytes, *, source: str, target: str, settings: Settings,
                         deadline: float | None) -> bytes:
    """A Markdown file with its syntax kept: code blocks and link definitions stay whole; headings,
    quotes, lists, emphasis, links (their text translated) and tables keep their marks."""
    lines, in_code = [], None
    for line, ending in _lines(decode_text(data, name)):
        fence = _MD_FENCE.match(line)
        if in_code is not None or fence or _MD_REFERENCE.match(line):
            pieces = [(line, False)]
            if fence and in_code is None:
                in_code = fence.group(1)[0]
            elif fence and line.strip().startswith(in_code * 3):
                in_code = None
        else:
            pieces = _markdown_line(line)
        lines.append([*pieces, (ending, False)])
    return _rewritten(lines, _translator(source, target, settings, deadline)).encode()


_HTML_DOCUMENT = re.compile(r"<(?:!doctype|html|head|body)\b", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")
_DOCTYPE = re.compile(r"<!doctype\b", re.IGNORECASE)


def _translated_html(name: str, data: bytes, *, source: str, target: str, settings: Settings,
                     deadline: float | None) -> bytes:
    """An HTML page or fragment with its text translated as /translate's html format does
    (rewrite_html_text): tags, attributes, scripts and styles stay; a page keeps its head and
    doctype, its title is translated and it says it is UTF-8."""
    page = decode_text(data, name)
    within_limit = _within_limit(settings)

    def aligned(sentences: list[str]) -> list[Aligned]:
        if source != target:
            within_limit(sentences)
        return translate_aligned(sentences, source, target, settings, deadline)

    options = {"translate": aligned, "split": lambda block: split_sentences(block, source)}
    if not _HTML_DOCUMENT.search(page):
        return rewrite_html_text(page, **options).encode()
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", page))
    except (ValueError, lxml.etree.ParserError) as error:
        raise InvalidInput(f"{name}: the HTML could not be read ({error})") from None
    title = root.find("head/title")
    if title is not None and title.text and title.text.strip():
        title.text = _rewritten([[(title.text, True)]], _translator(source, target, settings, deadline, within_limit))
    body = root.find("body")
    if body is not None:
        inner = (body.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in body)
        translated = lxml.html.fragment_fromstring(rewrite_html_text(inner, **options), create_parent="body")
        translated.attrib.update(body.attrib)
        root.replace(body, translated)
    _declare_utf8(root)
    # libxml2 gives a page without a doctype HTML 4.0's, which could change how it renders: only
    # a doctype the page had is written back.
    doctype = (root.getroottree().docinfo.doctype or None) if _DOCTYPE.search(page) else None
    return lxml.html.tostring(root, encoding="unicode", doctype=doctype).encode()


def _declare_utf8(root) -> None:
    """The translated page is written as UTF-8: say so where the page named its encoding."""
    for meta in root.iter("meta"):
        if meta.get("charset"):
            meta.set("charset", "utf-8")
        elif (meta.get("http-equiv") or "").lower() == "content-type":
            meta.set("content", "text/html; charset=utf-8")


def _translated_pdf(name: str, data: bytes, *, source: str, target: str, settings: Settings,
                    deadline: float | None) -> bytes:
    """A PDF's article translated, as UTF-8 text, a paragraph a line: a PDF's layout cannot be
    rewritten (its words are placed glyph by glyph), so the translation comes as a .txt."""
    lines = read_document(name, data, limits=Limits.of(settings)).text.split("\n")
    return ("\n\n".join(_translator(source, target, settings, deadline)(lines)) + "\n").encode("utf-8")


def _translated_document(name: str, data: bytes, *, source: str, target: str, settings: Settings,
                         deadline: float | None) -> bytes:
    """A .docx or .odt translated in its own format, its layout kept (pipeline.translated_document)."""
    return translated_document(name, data, source=source, target=target, settings=settings, deadline=deadline,
                               on_texts=_within_limit(settings))


# Suffix -> how a file of it is translated; /frontend/settings lists these as supportedFilesFormat.
FILE_TRANSLATORS: dict[str, Callable[..., bytes]] = {
    ".txt": _translated_text_file, ".md": _translated_markdown, ".markdown": _translated_markdown,
    ".html": _translated_html, ".htm": _translated_html, ".docx": _translated_document,
    ".odt": _translated_document, ".pdf": _translated_pdf,
}
# What a translated file is saved as, where that is not its own format.
TRANSLATED_SUFFIXES = {".pdf": ".txt"}

_FILES_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS translated_files (name TEXT PRIMARY KEY, stored REAL NOT NULL, data BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS translated_files_by_age ON translated_files (stored)",
)


def keep_file(settings: Settings, *, name: str, data: bytes) -> str:
    """Keep a translated file; return the name it is downloaded by: a random id, then its own name
    made path-safe. Kept NEWSDESK_KEEP_TRANSLATED_FILES seconds."""
    stem = secure_filename(Path(name).stem) or "file"
    kept = f"{secrets.token_urlsafe(16)}.{stem}{Path(name).suffix.lower()}"
    _files(settings).keep(kept, data)
    return kept


def kept_file(settings: Settings, name: str) -> bytes:
    """The translated file kept as ``name``, while it is kept."""
    if not re.fullmatch(STORED_FILE_NAME, name):
        raise refusal(InvalidInput(f"{name!r} is not the name of a translated file: use the translatedFileUrl "
                                   "POST /translate_file answered"), "invalid_filename")
    data = _files(settings).kept(name)
    if data is None:
        raise refusal(JobNotFound(f"no translated file {name!r} here: a file is kept "
                                  f"{settings.keep_translated_files} s after it was translated "
                                  "(NEWSDESK_KEEP_TRANSLATED_FILES); send it to POST /translate_file again"),
                      "file_not_found")
    return data


def _files(settings: Settings) -> _SqliteFiles | _RedisFiles:
    """Where translated files wait for their download: NEWSDESK_REDIS_URL's Redis when set (a file
    translated on one node downloads from any), else a file beside the desk's results."""
    return _RedisFiles(settings) if settings.redis_url else _SqliteFiles(settings)


class _SqliteFiles:
    """In translated_files.sqlite3 beside NEWSDESK_RESULTS_DB: one file every gunicorn worker reads.
    Files past their time are removed whenever one is kept."""

    def __init__(self, settings: Settings):
        self.path, self.seconds = settings.results_db.with_name("translated_files.sqlite3"), settings.keep_translated_files

    def keep(self, name: str, data: bytes) -> None:
        now = time.time()
        with stores.transaction(self.path, _FILES_SCHEMA) as database:
            database.execute("DELETE FROM translated_files WHERE stored < ?", (now - self.seconds,))
            database.execute("INSERT INTO translated_files (name, stored, data) VALUES (?, ?, ?)", (name, now, data))

    def kept(self, name: str) -> bytes | None:
        with stores.transaction(self.path, _FILES_SCHEMA) as database:
            row = database.execute("SELECT data FROM translated_files WHERE name = ? AND stored >= ?",
                                   (name, time.time() - self.seconds)).fetchone()
        return row[0] if row else None


class _RedisFiles:
    """In NEWSDESK_REDIS_URL's Redis, each file a key that expires when its time is up."""

    PREFIX = "newsdesk:translated-file:"

    def __init__(self, settings: Settings):
        self.settings = settings

    def keep(self, name: str, data: bytes) -> None:
        redis_server.shared(self.settings, lambda client: client.set(self.PREFIX + name, data,
                                                                    ex=max(1, self.settings.keep_translated_files)),
                            what="the translated files")

    def kept(self, name: str) -> bytes | None:
        return redis_server.shared(self.settings, lambda client: client.get(self.PREFIX + name),
                                   what="the translated files")
