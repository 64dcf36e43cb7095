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
from pathlib import Path

from flask import Blueprint, jsonify, request, send_file, url_for

from .. import defaults, translation
from ..config import Settings
from ..errors import InvalidInput, LanguagePackMissing, ServiceError, UnsupportedLanguage
from ..pipeline import (check_packs, deadline, detect_source_language, known_language, translate_aligned,
                        translate_texts_with_alternatives)
from ..stages.documents import html_to_text, read_document
from ..stages.html_text import rewrite_html_text
from ..stages.sentences import split_sentences
from ..stages.office import Limits
from ..stages.language import DISPLAY_NAMES, NEWSROOM_LANGUAGES, Detection, detect_language
from . import inputs, memory
from . import libre_files as files
from .error_responses import libretranslate_refusal as refusal
from .openapi import served_document

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
        files.check_characters(text, settings)
        inputs.check_encodable("q", text)
    return texts, as_list


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
    def translate(sentences: list[str]):
        return translate_aligned(sentences, source, target, settings, deadline, glossary=glossary)

    return [(rewrite_html_text(text, translate, split=lambda block: split_sentences(block, source)), ())
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
        "supportedFilesFormat": list(files.FILE_TRANSLATORS),
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
    files.file_translator(name)
    stop_by = deadline(settings)
    _check_pair(source, target, settings)
    data = upload.read()
    text = read_document(name, data, limits=Limits.of(settings)).text
    files.check_characters(text, settings, name="file")
    if source == AUTO:
        detection = detect_source_language(text, targets=(target,), settings=settings, label=name, require_packs=False)
        source = detection.code
        _check_pair(source, target, settings, said=_detected(name, detection))
    translated = files.translated_file(name, data, source=source, target=target, settings=settings, deadline=stop_by)
    kept = files.keep_file(settings, name=str(Path(name).with_suffix(files.TRANSLATED_SUFFIXES.get(Path(name).suffix.lower(),
                                                                                        Path(name).suffix))),
                      data=translated)
    return jsonify(translatedFileUrl=url_for(".download_file", filename=kept, _external=True))


@bp.get("/download_file/<string:filename>")
def download_file(filename: str):
    """A file /translate_file translated, under its own name, while it is kept."""
    data = files.kept_file(inputs.current_settings(), filename)
    return send_file(io.BytesIO(data), as_attachment=True, download_name=filename.split(".", 1)[1])
