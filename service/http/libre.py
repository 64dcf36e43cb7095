"""LibreTranslate-compatible endpoints, so existing LibreTranslate clients work unchanged.

POST /translate (q: a string or a list; source: a code or "auto"; target; format: text
or html), GET /languages, POST /detect; JSON or form bodies, as LibreTranslate takes.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from .. import translation
from ..errors import InvalidInput
from ..pipeline import deadline, detect_source_language, translate_texts, translate_texts_with_alternatives
from ..stages.documents import html_to_text, rewrite_html_text
from ..stages.language import DISPLAY_NAMES, NEWSROOM_LANGUAGES, detect_language
from . import inputs, memory

bp = Blueprint("libretranslate", __name__)


def _queries(fields: dict) -> tuple[list[str], bool]:
    """Return q as a list, and whether it came as a list."""
    q = fields.get("q")
    if q is None:
        raise InvalidInput("field 'q' is missing: send the text to translate (a string or a list of strings)")
    as_list = isinstance(q, list)
    texts = q if as_list else [q]
    limit = inputs.current_settings().batch_limit
    if as_list and limit is not None and len(texts) > limit:
        # LibreTranslate's own words for its --batch-limit, so its clients recognise them (NEWSDESK_BATCH_LIMIT).
        raise InvalidInput(f"Invalid request: request ({len(texts)}) exceeds text limit ({limit})")
    if not all(isinstance(text, str) for text in texts):
        raise InvalidInput("field 'q' must be a string or a list of strings")
    for text in texts:
        inputs.check_length("q", text, inputs.current_settings())
        inputs.check_encodable("q", text)
    return texts, as_list


@bp.post("/translate")
def translate():
    """Translate q; with source "auto" also say which language was detected."""
    fields = inputs.request_fields(request)
    settings = inputs.current_settings()
    if not isinstance(fields.get("api_key", ""), str):
        raise InvalidInput("field 'api_key' must be a string: the API key, when the service requires one")
    stop_by = deadline(settings)
    texts, as_list = _queries(fields)
    source = inputs.language_field(fields, "source", settings, default="auto", auto=True)
    target = inputs.language_field(fields, "target", settings)
    is_html = inputs.choice_field(fields, "format", inputs.FORMATS, "text") == "html"
    # LibreTranslate gives alternatives for plain text only; for HTML an empty list.
    wanted = inputs.alternatives_field(fields)
    glossary = inputs.glossary_field(fields)
    detections = _detect_sources(texts, as_list, target, is_html, settings) if source == "auto" else None
    sources = [d.code for d in detections] if detections else [source] * len(texts)
    translated: list[tuple[str, tuple[str, ...]]] = [(text, ()) for text in texts]
    for language in dict.fromkeys(sources):  # one batch per source language
        indices = [i for i, code in enumerate(sources) if code == language]
        group = [texts[i] for i in indices]
        for i, outcome in zip(indices, _translate_group(group, language, target, is_html, settings, stop_by, wanted,
                                                        glossary)):
            translated[i] = outcome
    body = {"translatedText": [text for text, _ in translated] if as_list else translated[0][0]}
    if wanted:
        found = [list(others) for _, others in translated]
        body["alternatives"] = found if as_list else found[0]
    if detections:
        found = [{"confidence": round(d.confidence * 100, 1), "language": d.code} for d in detections]
        body["detectedLanguage"] = found if as_list else found[0]
    return jsonify(body)


def _detect_sources(texts: list[str], as_list: bool, target: str, is_html: bool, settings) -> list:
    """Detect each text's language among those that translate into target (issue 13: never a guess
    nobody can use); the tags of HTML are not text."""
    return [detect_source_language(html_to_text(text) if is_html else text, targets=(target,), settings=settings,
                                   label=f"q[{index}]" if as_list else "the text")
            for index, text in enumerate(texts)]


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


@bp.get("/languages")
def languages():
    """[{code, name, targets}] for every language that can be translated now."""
    targets: dict[str, list[str]] = {}
    for source, target, _via in translation.reachable_pairs(inputs.current_settings()):
        targets.setdefault(source, []).append(target)
    return jsonify([{"code": code, "name": DISPLAY_NAMES.get(code, code), "targets": sorted(found)}
                    for code, found in sorted(targets.items())])


@bp.post("/detect")
def detect():
    """[{confidence (0-100), language}] for q, among the installed packs' languages (as LibreTranslate
    detects among its loaded ones; the newsroom languages when none is installed)."""
    fields = inputs.request_fields(request)
    text = inputs.text_field(fields, "q", inputs.current_settings())
    candidates = sorted(translation.installed_languages(inputs.current_settings())) or NEWSROOM_LANGUAGES
    detection = detect_language(text, candidates=candidates)
    return jsonify([{"confidence": round(detection.confidence * 100, 1), "language": detection.code}])


@bp.post("/suggest")
def suggest():
    """LibreTranslate's /suggest: store a suggested translation in the memory (NEWSDESK_SUGGESTIONS)."""
    return memory.suggest()
