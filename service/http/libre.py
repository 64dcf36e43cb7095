"""LibreTranslate's API to the letter, so that its clients work unchanged (issue 20).

POST /translate, /detect, /suggest and /translate_file; GET /languages, /frontend/settings, /spec
and /download_file/<name> (/health is the health blueprint's). Fields are read as LibreTranslate
reads them (``inputs.libretranslate_fields``): a JSON body's, else the query string's and the
form's. Refusals answer in LibreTranslate's words and statuses, with newsdesk's message in
"explanation" (error_responses). A translated file is kept in a SQLite file beside the desk's
results, so that whichever gunicorn worker is asked serves it.
"""

from __future__ import annotations

import io
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, jsonify, request, send_file, url_for
from werkzeug.utils import secure_filename

from .. import defaults, stores, translation
from ..config import Settings
from ..errors import InvalidInput, JobNotFound, LanguagePackMissing, ServiceError, TooLarge, UnsupportedLanguage
from ..pipeline import (check_packs, deadline, detect_source_language, known_language, translate_texts,
                        translate_texts_with_alternatives, translated_document)
from ..stages.documents import decode_text, html_to_text, read_document, rewrite_html_text
from ..stages.office import Limits
from ..stages.language import DISPLAY_NAMES, NEWSROOM_LANGUAGES, Detection, detect_language
from . import inputs, memory
from .error_responses import libretranslate_refusal as refusal
from .openapi import STORED_FILE_NAME, served_document

bp = Blueprint("libretranslate", __name__)

AUTO = defaults.SOURCE
# What each field LibreTranslate requires holds, for the message when it is missing.
REQUIRED = {
    "q": "the text to translate (a string or a list of strings)",
    "source": "the language code of the text, or auto to detect it",
    "target": "the language code to translate into",
    "file": "the file to translate (multipart field 'file', with its file name, whose suffix says its format)",
}
# LibreTranslate's --frontend-timeout default, in ms: how long its page waits after typing before it
# translates. newsdesk's page translates when asked, so it has no such setting.
FRONTEND_TIMEOUT_MS = 500


# --- text ------------------------------------------------------------------------------


@bp.post("/translate")
def translate():
    """Translate q (a string or a list) from source (a code or auto) into target; with auto also say
    which language each text was detected as."""
    settings = inputs.current_settings()
    fields = inputs.libretranslate_fields(request, settings)
    _check_keys(fields)
    q, source, target = (_required(fields, name) for name in ("q", "source", "target"))
    source, target = _code(source, "source"), _code(target, "target")
    wanted = _alternatives(fields)
    texts, as_list = _queries(q, settings)
    stop_by = deadline(settings)
    _check_pair(source, target, settings)
    is_html = _format(fields) == "html"
    detections = _detect_sources(texts, as_list, target, is_html, settings) if source == AUTO else None
    sources = [d.code for d in detections] if detections else [source] * len(texts)
    translated = _translated(texts, sources, target=target, is_html=is_html, settings=settings, deadline=stop_by,
                             alternatives=wanted, glossary=inputs.glossary_field(fields))
    body = {"translatedText": [text for text, _ in translated] if as_list else translated[0][0]}
    if wanted:
        found = [list(others) for _, others in translated]
        body["alternatives"] = found if as_list else found[0]
    if detections:
        found = [{"confidence": round(d.confidence * 100, 1), "language": d.code} for d in detections]
        body["detectedLanguage"] = found if as_list else found[0]
    return jsonify(body)


def _required(fields, name: str, *, holds: str | None = None):
    """A field LibreTranslate requires: missing, empty ("") and [] are all missing to it."""
    value = fields.get(name)
    if not value:
        raise refusal(InvalidInput(f"field {name!r} is missing: send {holds or REQUIRED[name]}"), "missing", name=name)
    return value


def _code(value, name: str) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"field {name!r} must be a language code (a string) such as 'de'")
    return value.strip().lower()


def _check_keys(fields: dict) -> None:
    for name in inputs.KEY_FIELDS:
        if not isinstance(fields.get(name, ""), str):
            raise InvalidInput(f"field {name!r} must be a string: the API key, when the service requires one")


def _alternatives(fields: dict) -> int:
    """How many next-best translations each text gets: LibreTranslate takes a number, and below 0 as 0."""
    value = fields.get("alternatives", 0)
    explanation = (f"field 'alternatives' must be a whole number from 0 to {defaults.MAX_ALTERNATIVES}: how many "
                   "other translations to give for each text")
    try:
        if isinstance(value, bool):
            raise ValueError(value)
        wanted = max(0, int(value.strip() if isinstance(value, str) else value))
    except (TypeError, ValueError, OverflowError):
        raise refusal(InvalidInput(explanation), "not_a_number", name="alternatives") from None
    if wanted > defaults.MAX_ALTERNATIVES:
        raise refusal(InvalidInput(explanation), "over_maximum", name="alternatives", value=defaults.MAX_ALTERNATIVES)
    return wanted


def _queries(q, settings: Settings) -> tuple[list[str], bool]:
    """q as a list, and whether it came as one; within the batch and character limits."""
    as_list = isinstance(q, list)
    texts = q if as_list else [q]
    if not all(isinstance(text, str) for text in texts):
        raise InvalidInput("field 'q' must be a string or a list of strings")
    if not request.is_json:
        # As LibreTranslate: a form's line endings become "\n" (RFC 2046 4.1.1), so that the limit counts alike.
        texts = ["\n".join(text.splitlines()) for text in texts]
    limit = settings.batch_limit
    if as_list and limit is not None and len(texts) > limit:
        raise refusal(InvalidInput(f"q holds {len(texts)} texts; the limit is {limit} per request "
                                   "(NEWSDESK_BATCH_LIMIT): send the rest in another request"),
                      "over_limit", size=len(texts), limit=limit)
    for text in texts:
        _check_characters(text, settings)
        inputs.check_encodable("q", text)
    return texts, as_list


def _check_characters(text: str, settings: Settings, name: str = "q") -> None:
    try:
        inputs.check_length(name, text, settings)
    except TooLarge as error:
        raise refusal(error, "over_limit", size=len(text), limit=settings.max_characters) from None


def _format(fields: dict) -> str:
    value = fields.get("format") or "text"
    if value not in inputs.FORMATS:
        raise refusal(InvalidInput(f"field 'format' must be one of: {', '.join(inputs.FORMATS)}"),
                      "unsupported_format", format=value)
    return value


def _detect_sources(texts: list[str], as_list: bool, target: str, is_html: bool, settings) -> list[Detection]:
    """Detect each text's language among those that translate into target (issue 13: never a guess
    nobody can use); the tags of HTML are not text. A language detected with no pack is refused
    in LibreTranslate's words, saying that it was detected."""
    detections = []
    for index, text in enumerate(texts):
        label = f"q[{index}]" if as_list else "the text"
        detection = detect_source_language(html_to_text(text) if is_html else text, targets=(target,),
                                           settings=settings, label=label, require_packs=False)
        _check_pair(detection.code, target, settings, said=_detected(label, detection))
        detections.append(detection)
    return detections


def _detected(label: str, detection: Detection) -> str:
    """How an explanation starts when the language was detected, not named (issue 13)."""
    return (f"{label} was detected as {detection.code} (confidence {detection.confidence:.2f}; send source= to say "
            "otherwise): ")


def _translated(texts: list[str], sources: list[str], *, target: str, is_html: bool, settings: Settings,
                deadline: float | None, alternatives: int, glossary) -> list[tuple[str, tuple[str, ...]]]:
    """Each text's translation from its own source language and its alternatives, one batch per source."""
    translated: list[tuple[str, tuple[str, ...]]] = [(text, ()) for text in texts]
    for language in dict.fromkeys(sources):
        indices = [i for i, code in enumerate(sources) if code == language]
        group = [texts[i] for i in indices]
        for i, outcome in zip(indices, _translate_group(group, language, target, is_html, settings, deadline,
                                                        alternatives, glossary)):
            translated[i] = outcome
    return translated


def _translate_group(texts: list[str], source: str, target: str, is_html: bool, settings, deadline,
                     alternatives: int, glossary) -> list[tuple[str, tuple[str, ...]]]:
    """Each text's translation and its alternatives (none for HTML, as LibreTranslate)."""
    if source == target:
        return [(text, ()) for text in texts]
    if not is_html:
        return translate_texts_with_alternatives(texts, source, target, settings, deadline, alternatives=alternatives,
                                                 glossary=glossary)
    return [(rewrite_html_text(text, lambda nodes: translate_texts(nodes, source, target, settings, deadline,
                                                                   glossary=glossary)), ())
            for text in texts]


# --- languages -------------------------------------------------------------------------


def _check_pair(source: str, target: str, settings: Settings, *, said: str = "") -> None:
    """LibreTranslate's order: the source must be one of its languages (unless auto), then the target,
    then reachable from the source. Its languages are those of the installed packs (/languages)."""
    listed = translation.installed_languages(settings)
    if source != AUTO and source not in listed:
        raise refusal(_not_listed(source, source, target, settings, said=said), "unsupported_language", code=source)
    if target == AUTO:  # only a source is detected; LibreTranslate lists no language "auto"
        raise refusal(InvalidInput("field 'target' cannot be auto: send the language code to translate into"),
                      "unsupported_language", code=target)
    if target not in listed:
        raise refusal(_not_listed(target, source, target, settings, said=said), "unsupported_language", code=target)
    if source == AUTO or source == target:
        return
    missing = _missing_packs(source, target, settings, said=said)
    if missing is not None:
        raise refusal(missing, "unreachable", target_name=_name(target), target=target, source_name=_name(source),
                      source=source)


def _not_listed(code: str, source: str, target: str, settings: Settings, *, said: str) -> ServiceError:
    """Why ``code`` is not one of the languages here, and the fix."""
    try:
        known_language(code, what=f"{said}field {'source' if code == source else 'target'!r}",
                                   settings=settings)
    except UnsupportedLanguage as unknown:
        return unknown
    missing = _missing_packs(source, target, settings, said=said) if AUTO not in (source, target) else None
    return missing or LanguagePackMissing(
        f"{said}no installed language pack translates from or into {code}: put a translate-*_{code}-*.argosmodel or "
        f"translate-{code}_*-*.argosmodel pack in {settings.langpacks_dir}/ and run `newsdesk langpacks install`")


def _missing_packs(source: str, target: str, settings: Settings, *, said: str) -> LanguagePackMissing | None:
    """The missing packs from source to target, with the fix; None when it can be translated."""
    try:
        check_packs(source, (target,), settings)
    except LanguagePackMissing as error:
        return LanguagePackMissing(said + str(error), error.pairs)
    return None


def _name(code: str) -> str:
    return DISPLAY_NAMES.get(code, code)


@bp.get("/languages")
def languages():
    """[{code, name, targets}] for every language of the installed packs, source or target, each with
    the languages it translates into now ([] for none), as LibreTranslate lists every one it has."""
    settings = inputs.current_settings()
    targets: dict[str, list[str]] = {code: [] for code in translation.installed_languages(settings)}
    for source, target, _via in translation.reachable_pairs(settings):
        targets[source].append(target)
    return jsonify([{"code": code, "name": _name(code), "targets": sorted(found)}
                    for code, found in sorted(targets.items())])


@bp.post("/detect")
def detect():
    """[{confidence (0-100), language}] for q, among the installed packs' languages (as LibreTranslate
    detects among its loaded ones; the newsroom languages when none is installed). A list in q is
    detected as one text, as LibreTranslate does."""
    settings = inputs.current_settings()
    fields = inputs.libretranslate_fields(request, settings)
    _check_keys(fields)
    q = _required(fields, "q", holds="the text whose language to tell")
    if isinstance(q, list) and all(isinstance(text, str) for text in q):
        q = "\n".join(q)
    text = inputs.text_field({"q": q}, "q", settings)
    candidates = sorted(translation.installed_languages(settings)) or NEWSROOM_LANGUAGES
    detection = detect_language(text, candidates=candidates)
    return jsonify([{"confidence": round(detection.confidence * 100, 1), "language": detection.code}])


@bp.post("/suggest")
def suggest():
    """LibreTranslate's /suggest: store a suggested translation in the memory (NEWSDESK_SUGGESTIONS)."""
    return memory.suggest()


# --- what LibreTranslate's page and clients ask about the server ----------------------------


@bp.get("/frontend/settings")
def frontend_settings():
    """LibreTranslate's settings for its page, with newsdesk's values: exactly its keys."""
    settings = inputs.current_settings()
    listed = sorted(translation.installed_languages(settings))
    target = next((code for code in defaults.TARGETS if code in listed), listed[0] if listed else defaults.TARGETS[0])
    return jsonify({
        "charLimit": -1 if settings.max_characters is None else settings.max_characters,  # LibreTranslate's -1: none
        "frontendTimeout": FRONTEND_TIMEOUT_MS,
        "apiKeys": settings.api_keys,
        "keyRequired": settings.api_keys,  # with keys on, every request needs one
        "suggestions": settings.suggestions,
        "filesTranslation": True,
        "supportedFilesFormat": list(FILE_TRANSLATORS),
        "language": {"source": {"code": AUTO, "name": "Auto Detect"},
                     "target": {"code": target, "name": _name(target)}},
    })


@bp.get("/spec")
def spec():
    """The OpenAPI document, where LibreTranslate serves its own (the same as /api/v1/openapi.json)."""
    return jsonify(served_document(inputs.current_settings()))


# --- files -----------------------------------------------------------------------------


@bp.post("/translate_file")
def translate_file():
    """Translate the uploaded file (multipart field file) from source into target, keep it for
    NEWSDESK_KEEP_TRANSLATED_FILES seconds, and answer its address: {"translatedFileUrl": ...}."""
    settings = inputs.current_settings()
    fields = inputs.libretranslate_fields(request, settings)
    upload = _required(request.files, "file")  # a file sent without its name is none, to LibreTranslate too
    source, target = (_code(_required(fields, name), name) for name in ("source", "target"))
    _check_keys(fields)
    name = Path(upload.filename).name
    _file_translator(name)
    stop_by = deadline(settings)
    _check_pair(source, target, settings)
    data = upload.read()
    text = read_document(name, data, limits=Limits.of(settings)).text
    _check_characters(text, settings, name="file")
    if source == AUTO:
        detection = detect_source_language(text, targets=(target,), settings=settings, label=name, require_packs=False)
        source = detection.code
        _check_pair(source, target, settings, said=_detected(name, detection))
    translated = translated_file(name, data, source=source, target=target, settings=settings, deadline=stop_by)
    kept = _keep_file(settings, name=str(Path(name).with_suffix(TRANSLATED_SUFFIXES.get(Path(name).suffix.lower(),
                                                                                        Path(name).suffix))),
                      data=translated)
    return jsonify(translatedFileUrl=url_for(".download_file", filename=kept, _external=True))


@bp.get("/download_file/<string:filename>")
def download_file(filename: str):
    """A file /translate_file translated, under its own name, while it is kept."""
    data = _kept_file(inputs.current_settings(), filename)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=filename.split(".", 1)[1])


def translated_file(name: str, data: bytes, *, source: str, target: str, settings: Settings,
                    deadline: float | None) -> bytes:
    """The file ``name`` (its bytes ``data``) translated from source into target, in its own format:
    each suffix by its own translator (FILE_TRANSLATORS)."""
    return _file_translator(name)(name, data, source=source, target=target, settings=settings, deadline=deadline)


def _file_translator(name: str) -> Callable[..., bytes]:
    translator = FILE_TRANSLATORS.get(Path(name).suffix.lower())
    if translator is None:
        raise refusal(InvalidInput(f"{name}: newsdesk translates {', '.join(FILE_TRANSLATORS)} files; save it as one "
                                   "of those"), "file_format")
    return translator


def _translator(source: str, target: str, settings: Settings,
                deadline: float | None) -> Callable[[list[str]], list[str]]:
    """Texts -> their translations, every sentence of them in one batch (the same text back for one language)."""
    if source == target:
        return list
    within_limit = _within_limit(settings)

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
        _check_characters("".join(sent), settings, name="file")

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
    translate = _translator(source, target, settings, deadline)
    if not _HTML_DOCUMENT.search(page):
        return rewrite_html_text(page, translate).encode()
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.document_fromstring(_XML_DECLARATION.sub("", page))
    except (ValueError, lxml.etree.ParserError) as error:
        raise InvalidInput(f"{name}: the HTML could not be read ({error})") from None
    title = root.find("head/title")
    if title is not None and title.text and title.text.strip():
        title.text = _rewritten([[(title.text, True)]], translate)
    body = root.find("body")
    if body is not None:
        inner = (body.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in body)
        translated = lxml.html.fragment_fromstring(rewrite_html_text(inner, translate), create_parent="body")
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


def _files_db(settings: Settings) -> Path:
    """Beside the desk's results (NEWSDESK_RESULTS_DB): one file every gunicorn worker reads."""
    return settings.results_db.with_name("translated_files.sqlite3")


def _keep_file(settings: Settings, *, name: str, data: bytes) -> str:
    """Keep a translated file; return the name it is downloaded by: a random id, then its own name
    made path-safe. Files past NEWSDESK_KEEP_TRANSLATED_FILES are removed whenever one is kept."""
    stem = secure_filename(Path(name).stem) or "file"
    kept = f"{secrets.token_urlsafe(16)}.{stem}{Path(name).suffix.lower()}"
    now = time.time()
    with stores.transaction(_files_db(settings), _FILES_SCHEMA) as database:
        database.execute("DELETE FROM translated_files WHERE stored < ?", (now - settings.keep_translated_files,))
        database.execute("INSERT INTO translated_files (name, stored, data) VALUES (?, ?, ?)", (kept, now, data))
    return kept


def _kept_file(settings: Settings, name: str) -> bytes:
    """The translated file kept as ``name``, while it is kept."""
    if not re.fullmatch(STORED_FILE_NAME, name):
        raise refusal(InvalidInput(f"{name!r} is not the name of a translated file: use the translatedFileUrl "
                                   "POST /translate_file answered"), "invalid_filename")
    with stores.transaction(_files_db(settings), _FILES_SCHEMA) as database:
        row = database.execute("SELECT data FROM translated_files WHERE name = ? AND stored >= ?",
                               (name, time.time() - settings.keep_translated_files)).fetchone()
    if row is None:
        raise refusal(JobNotFound(f"no translated file {name!r} here: a file is kept "
                                  f"{settings.keep_translated_files} s after it was translated "
                                  "(NEWSDESK_KEEP_TRANSLATED_FILES); send it to POST /translate_file again"),
                      "file_not_found")
    return row[0]
