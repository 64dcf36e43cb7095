"""The OpenAPI 3 document for the HTTP API (served at /api/v1/openapi.json, and at /spec as LibreTranslate).

Kept next to the code it describes; tests fuzz the running app from this document
(schemathesis), so a request the document allows must get a documented answer.
"""

from __future__ import annotations

from .. import defaults, translation
from ..config import Settings
from ..stages.clean import REMOVAL_REASONS
from ..stages.language import DISPLAY_NAMES
from ..stages.summary import METHODS


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _body(json_schema: dict, form_schema: dict | None = None, *, example: dict | None = None) -> dict:
    """A request body taken as JSON or as a form; ``example``: what /docs fills in for the JSON one."""
    content = _json(json_schema)
    if example is not None:
        content["application/json"]["example"] = example
    content["application/x-www-form-urlencoded"] = {"schema": form_schema or json_schema}
    return {"required": True, "content": content}


# What /docs offers to send: a real short article, not the "string" Swagger UI makes up.
EXAMPLE_ARTICLE = ("Harbour strike ends\n\nDock workers in Rotterdam ended a five-day strike on Tuesday. "
                   "Operators said traffic would be back to normal by Friday.\n\n"
                   "The strike forced several shipping lines to divert vessels to Antwerp and Hamburg.")
EXAMPLE_SENTENCE = "Dock workers in Rotterdam ended a five-day strike on Tuesday."
EXAMPLE_GERMAN = "Die Hafenarbeiter in Rotterdam beendeten am Dienstag einen fünftägigen Streik."
EXAMPLE_KEPT = ["Rotterdam"]  # a name kept as it is in every language


def _example_translation(target: str) -> str:
    """The example sentence's correction: German when the examples are German, else the sentence."""
    return EXAMPLE_GERMAN if target == "de" else EXAMPLE_SENTENCE


REASONS = {400: "The request is not usable; `error` says which field and what it accepts",
           401: "API keys are on (NEWSDESK_API_KEYS) and the request has none",
           403: "The API key is unknown or was removed (on /suggest also: suggestions are off, "
           "NEWSDESK_SUGGESTIONS)", 404: "No such path, or no such job (never "
           "submitted by this key, or its results expired)", 405: "Method not allowed",
           409: "The job is not finished yet (wait for status finished, or ask with partial=1); or the "
           "Idempotency-Key was already used for a different batch",
           413: "Text, files or body over the configured limit",
           429: "Over the rate limit (NEWSDESK_RATE_LIMIT); Retry-After says when to send again",
           503: "A language pack is missing or broken, or the job queue's Redis does not answer",
           504: "The request ran past its time limit (NEWSDESK_REQUEST_TIMEOUT)"}
KEYED = (401, 403)  # every operation behind the key check
WORKING = (*KEYED, 429)  # every POST that does work is also rate-limited


def _answers(ok: dict, *errors: int) -> dict:
    answers = {"200": {"description": "OK", "content": _json(ok)}}
    for code in errors:
        answers[str(code)] = {"description": REASONS[code], "content": _json(_ref("Error"))}
    return answers


STRINGS = {"type": "array", "items": {"type": "string"}}


INPUT_FORMAT = {"type": "string", "enum": list(defaults.INPUT_FORMATS), "default": defaults.INPUT_FORMATS[0]}
PERCENT = r"(?:100(?:\.0+)?|[1-9]\d?(?:\.\d+)?|0\.\d*[1-9]\d*)%"


def served_document(settings: Settings) -> dict:
    """The document for the languages this service's installed packs translate now (any newsdesk
    knows, when none is installed), with the API key scheme only when keys are on."""
    pairs = translation.reachable_pairs(settings)
    sources = sorted({a for a, _, _ in pairs}) or sorted(DISPLAY_NAMES)
    targets = sorted({b for _, b, _ in pairs} | set(sources)) if pairs else sorted(DISPLAY_NAMES)
    return openapi_document(sources, targets, keys_on=settings.api_keys)


def openapi_document(sources: list[str], targets: list[str], *, keys_on: bool = False) -> dict:
    """Build the document for the languages the installed packs can translate from and into.

    With keys off every operation is open, so the document names no security scheme (Swagger
    UI would draw a lock on each); with keys on, X-API-Key is the scheme, and optional per
    operation because the key check itself decides (401/403 are documented on each)."""
    code = {"type": "string", "enum": targets}
    into = "de" if "de" in targets else targets[0]  # the examples' languages, German when installed
    source_example = "en" if "en" in sources else sources[0]
    source = {"type": "string", "enum": [defaults.SOURCE, *sources], "default": defaults.SOURCE,
              "description": "A language code, or auto to detect it"}
    article_fields = {
        "text": {"type": "string", "minLength": 1, "pattern": "\\S",
                 "description": "The article, as pasted or scraped (not only spaces)"},
        "format": INPUT_FORMAT,
        "summary": {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "pattern": f"^{PERCENT}$"}],
                    "default": defaults.SUMMARY_LENGTH, "description": "Sentences (5) or a share of them (\"20%\")"},
        "method": {"type": "string", "enum": list(METHODS), "default": defaults.SUMMARY_METHOD},
        "source": source,
    }
    alternatives = {"type": "integer", "minimum": 0, "maximum": defaults.MAX_ALTERNATIVES, "default": 0,
                    "description": "How many next-best translations each sentence gets"}
    process_json = {"type": "object", "required": ["text"], "properties": {
        **article_fields, "targets": {"oneOf": [{"type": "array", "items": code, "minItems": 1}, code],
                                      "default": list(defaults.TARGETS),
                                      "description": "A list of codes; a string may also hold several, comma-separated"},
        "alternatives": alternatives, "glossary": GLOSSARY_FIELD}}
    process_form = {"type": "object", "required": ["text"], "properties": {
        **article_fields, "summary": {"type": "string", "pattern": f"^(?:[1-9]\\d*|{PERCENT})$",
                                      "default": str(defaults.SUMMARY_LENGTH)},
        "target": {**code, "description": "Repeat the field, or separate codes with commas"}}}
    summarize = {"type": "object", "required": ["text"], "properties": article_fields}
    options = {"targets": process_json["properties"]["targets"], "summary": article_fields["summary"],
               "method": article_fields["method"], "source": source}
    one_article = {"oneOf": [{"type": "string"}, {"type": "object", "required": ["text"], "properties": {
        "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]}, "text": {"type": "string"},
        "format": INPUT_FORMAT}}]}
    jobs_json = {"type": "object", "required": ["articles"], "properties": {
        "articles": {"type": "array", "items": one_article, "minItems": 1}, **options}}
    jobs_upload = {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary",
                 "description": "A .zip of .txt/.md/.html/.docx/.odt/.pdf articles, or a .jsonl of one article per line"},
        **process_form["properties"], **{"summary": process_form["properties"]["summary"]}}}
    del jobs_upload["properties"]["text"], jobs_upload["properties"]["format"]
    job_id = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
    detection = {"type": "object", "required": ["confidence", "language"],
                 "properties": {"confidence": {"type": "number"}, "language": {"type": "string"}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "newsdesk", "version": "1", "description":
                 "Clean, summarize and translate news articles offline (ar, de, ru and more). Every route of the "
                 "API is here; the editor's pages in the browser (/, /runs…, /results/…, /batch…, /docs, "
                 "/key/forget) are not an API and stay out."},
        "paths": {
            "/api/v1/process": {"post": {"summary": "Clean, summarize and translate an article",
                                         "requestBody": _body(process_json, process_form, example={
                                             "text": EXAMPLE_ARTICLE, "targets": [into], "summary": 2,
                                             "glossary": {"*": EXAMPLE_KEPT}}),
                                         "responses": _answers(_ref("Result"), 400, *WORKING, 413, 503, 504)}},
            "/api/v1/summarize": {"post": {"summary": "Clean and summarize an article (no pack needed)",
                                           "requestBody": _body(summarize, example={"text": EXAMPLE_ARTICLE,
                                                                                    "summary": 2}),
                                           "responses": _answers(_ref("Summary"), 400, *WORKING, 413, 503, 504)}},
            "/api/v1/languages": {"get": {"summary": "Installed, reachable and missing pairs",
                                          "responses": _answers(_ref("Languages"), *KEYED, 503)}},
            "/api/v1/stats": {"get": {"summary": "This worker's sentence-cache hit rate and loaded packs",
                                      "responses": _answers({"type": "object", "required": ["pid", "sentence_cache", "loaded"],
                                                             "properties": {"pid": {"type": "integer"},
                                                                            "sentence_cache": {"type": "object"},
                                                                            "shared_cache": {"type": "object",
                                                                                             "nullable": True},
                                                                            "loaded": STRINGS}}, *KEYED)}},
            "/api/v1/jobs": {"post": {
                "summary": "Queue a batch of articles (JSON list, or an uploaded .zip or .jsonl of them)",
                "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False, "schema": {
                    "type": "string", "minLength": 1, "maxLength": 255},
                    "description": "Sending the same batch again with the same key returns the first job (200)"}],
                "requestBody": {"required": True, "content": {
                    "application/json": {"schema": jobs_json, "example": {
                        "articles": [{"id": "harbour", "text": EXAMPLE_ARTICLE}], "targets": [into]}},
                    "multipart/form-data": {"schema": jobs_upload}}},
                "responses": {"202": {"description": "Queued; Location is the job's address",
                                      "content": _json(_ref("Job"))},
                              **_answers(_ref("Job"), 400, *WORKING, 409, 413, 503)}}},
            "/api/v1/jobs/{job_id}": {
                "parameters": [job_id],
                "get": {"summary": "A job's status, progress and per-article errors",
                        "responses": _answers(_ref("Job"), *KEYED, 404, 503)},
                "delete": {"summary": "Cancel a job: articles not yet started are skipped",
                           "responses": _answers(_ref("Job"), *KEYED, 404, 503)}},
            "/api/v1/jobs/{job_id}/result": {"get": {
                "summary": "The results: JSON lines, one per article in order, or a .zip of per-language files",
                "parameters": [job_id,
                               {"name": "format", "in": "query", "schema": {"type": "string", "enum": ["jsonl", "zip"],
                                                                             "default": "jsonl"}},
                               {"name": "files", "in": "query", "schema": {
                                   "type": "string", "enum": list(defaults.OUTPUT_FORMATS), "default": defaults.OUTPUT_FORMAT},
                                "description": "Format of the per-language files in the .zip"},
                               {"name": "partial", "in": "query", "schema": {"type": "string", "enum": ["0", "1"]},
                                "description": "1: the results so far, before the job is finished"}],
                "responses": {"200": {"description": "The results", "content": {
                    "application/x-ndjson": {"schema": {"type": "string"}},
                    "application/zip": {"schema": {"type": "string", "format": "binary"}}}},
                    **{code: answer for code, answer in _answers({}, 400, *KEYED, 404, 409, 503).items()
                       if code != "200"}}}},
            "/api/v1/openapi.json": {"get": {"summary": "This document", "responses": _answers({"type": "object"})}},
            "/health": {"get": {"summary": "Liveness", "responses": _answers(
                {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}})}},
            "/ready": {"get": {"summary": "Readiness: every manifest pack installed and loaded",
                               "responses": {"200": {"description": "Ready", "content": _json(_ref("Ready"))},
                                             "503": {"description": "Not ready, and why", "content": _json(_ref("Error"))}}}},
            "/metrics": {"get": {"summary": "Prometheus metrics of every worker (NEWSDESK_METRICS_TOKEN as a Bearer "
                                            "token when set)",
                                 "responses": {"200": {"description": "The Prometheus text format", "content": {
                                     "text/plain": {"schema": {"type": "string"}}}},
                                     "401": {"description": "NEWSDESK_METRICS_TOKEN is set and the request's "
                                             "Bearer token is not it", "content": _json(_ref("Error"))},
                                     "404": {"description": "Metrics are off (NEWSDESK_METRICS)",
                                             "content": _json(_ref("Error"))}}}},
            **_glossary_and_memory_paths(source=source_example, target=into),
            **_libretranslate_paths(source=source, code=code, alternatives=alternatives, detection=detection,
                                    examples=(source_example, into)),
        },
        "components": {"schemas": _schemas(), **({"securitySchemes": {
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                       "description": "This service runs with NEWSDESK_API_KEYS=1: send a key made with "
                                      "`newsdesk keys add NAME`"}}} if keys_on else {})},
        **({"security": [{}, {"apiKey": []}]} if keys_on else {}),
    }


# A request's own glossary, over the stored one for that request only.
GLOSSARY_FIELD = {"type": "object", "nullable": True,
                  "description": "This request's own terms, over the stored glossary's: "
                  "{\"de\": {\"Gadhafi\": \"Gaddafi\"}, \"*\": [\"NTC\"]} (\"*\": kept as they are; null: none)",
                  "additionalProperties": {"oneOf": [{"type": "object", "additionalProperties": {"type": "string"}},
                                                     STRINGS]}}
TERMS = {"type": "object", "description": "target language -> {source term: how that language writes it}",
         "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}}}
ROLES = ("With API keys on: reading the glossary takes any key; the changes and the memory an edit key; "
         "replacing or restoring the glossary an admin key (403 names the role needed)")


def _glossary_and_memory_paths(*, source: str, target: str) -> dict:
    """The stored glossary and the translation memory (docs/desk.md, "Glossary" and "Translation memory");
    ``source`` and ``target``: the languages of the examples."""
    glossary = {"type": "object", "required": ["terms", "keep", "version"], "properties": {
        "terms": TERMS, "keep": STRINGS, "version": {"type": "string"}}}
    glossary_body = {"type": "object", "properties": {"terms": TERMS, "keep": STRINGS,
                                                      "version": {"description": "ignored: GET gives it, PUT takes it back"}}}
    change = {"type": "object", "required": ["target", "source", "term", "changed_by", "updated"], "properties": {
        "target": {"type": "string", "description": "a language, or * for a kept term"}, "source": {"type": "string"},
        "term": {"type": "string"}, "changed_by": {"type": "string"}, "updated": {"type": "string"}}}
    previous = {"type": "object", "nullable": True, "required": ["saved", "saved_by", "why", "entries"], "properties": {
        "saved": {"type": "string"}, "saved_by": {"type": "string"}, "why": {"type": "string"},
        "entries": {"type": "integer"}}}
    language = {"type": "string", "pattern": "^[a-z]{2,3}$"}
    sentence = {"type": "string", "minLength": 1, "pattern": "\\S"}
    entry = {"type": "object", "required": ["source", "target", "sentence", "translation", "updated", "changed_by"],
             "properties": {"source": {"type": "string"}, "target": {"type": "string"}, "sentence": {"type": "string"},
                            "translation": {"type": "string"}, "updated": {"type": "string"},
                            "changed_by": {"type": "string"}}}
    correction = {"type": "object", "required": ["source", "target", "sentence", "translation"], "properties": {
        "source": language, "target": language, "sentence": sentence, "translation": sentence}}
    named = {"type": "object", "required": ["source", "target", "sentence"], "properties": {
        "source": language, "target": language, "sentence": sentence}}
    query = [{"name": name, "in": "query", "required": False, "schema": schema, "description": meaning}
             for name, schema, meaning in (
                 ("source", language, "only this source language"), ("target", language, "only this target"),
                 ("search", {"type": "string"}, "only corrections whose sentence or translation holds it, any case"),
                 ("changed_by", {"type": "string"}, "only those this key (its name) changed last"),
                 ("limit", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}, "at most this many"),
                 ("offset", {"type": "integer", "minimum": 0, "default": 0}, "skip this many first"))]
    return {
        "/api/v1/glossary": {
            "get": {"summary": "The stored glossary: terms per target language, kept terms, its version",
                    "responses": _answers(glossary, *KEYED)},
            "put": {"summary": "Replace the whole glossary (the shape GET answers); the one replaced is kept for "
                               "POST /api/v1/glossary/restore", "description": ROLES,
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": glossary_body, "example": {"terms": {}, "keep": EXAMPLE_KEPT}}}},
                    "responses": _answers(glossary, 400, *KEYED)}},
        "/api/v1/glossary/changes": {"get": {
            "summary": "Every entry with who changed it last and when, and the version kept for restore",
            "description": ROLES, "parameters": [query[3]],
            "responses": _answers({"type": "object", "required": ["entries", "previous"], "properties": {
                "entries": {"type": "array", "items": change}, "previous": previous}}, *KEYED)}},
        "/api/v1/glossary/restore": {"post": {
            "summary": "Bring back the glossary as it was before it was last replaced, imported into or restored",
            "description": ROLES + "; 400 when no earlier version is kept",
            "responses": _answers(glossary, 400, *KEYED)}},
        "/api/v1/memory": {
            "put": {"summary": "Store (or replace) the correction of one sentence", "description": ROLES,
                    "requestBody": _body(correction, example={
                        "source": source, "target": target, "sentence": EXAMPLE_SENTENCE,
                        "translation": _example_translation(target)}),
                    "responses": _answers(entry, 400, *KEYED, 413, 503)},
            "get": {"summary": "Stored corrections, by pair and sentence", "description": ROLES, "parameters": query,
                    "responses": _answers({"type": "object", "required": ["entries"], "properties": {
                        "entries": {"type": "array", "items": entry}}}, 400, *KEYED, 503)},
            "delete": {"summary": "Forget the correction of one sentence (400 when none is stored)",
                       "description": ROLES, "requestBody": _body(named, example={
                           "source": source, "target": target, "sentence": EXAMPLE_SENTENCE}),
                       "responses": _answers({"type": "object", "required": ["removed"], "properties": {
                           "removed": entry}}, 400, *KEYED, 503)}},
    }


# The key as LibreTranslate's clients send it; where it may come from is in docs/libretranslate.md, "Fields".
KEY_FIELDS = {
    "api_key": {"type": "string", "description": "The API key, when keys are on (LibreTranslate's way; the X-API-Key "
                                                 "header works too)"},
    "secret": {"type": "string", "description": "LibreTranslate's web-page secret: taken, and not needed here"}}
# A name /translate_file gives a translated file: a random id, then the file's own name made path-safe.
STORED_FILE_NAME = r"^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_.-]+$"


def _libretranslate_paths(*, source: dict, code: dict, alternatives: dict, detection: dict,
                          examples: tuple[str, str]) -> dict:
    """LibreTranslate's routes: its fields and answers, newsdesk's `explanation` beside its `error`;
    ``examples``: the source and target language of the examples."""
    example = {"q": EXAMPLE_SENTENCE, "source": examples[0], "target": examples[1]}
    named_source = {**{key: value for key, value in source.items() if key != "default"},
                    "description": "A language code, or auto to detect it (required, as LibreTranslate has it)"}
    text = {"type": "string", "minLength": 1}
    # LibreTranslate takes a number of alternatives below 0 as 0.
    some = {key: value for key, value in alternatives.items() if key != "minimum"}
    translate = {"type": "object", "required": ["q", "source", "target"], "properties": {
        "q": {"oneOf": [text, {**STRINGS, "minItems": 1}]}, "source": named_source, "target": code,
        "format": INPUT_FORMAT, "alternatives": some, **KEY_FIELDS}}
    translated = {"type": "object", "required": ["translatedText"], "properties": {
        "translatedText": {"oneOf": [{"type": "string"}, STRINGS]},
        "alternatives": {"oneOf": [STRINGS, {"type": "array", "items": STRINGS}]},
        "detectedLanguage": {"oneOf": [detection, {"type": "array", "items": detection}]}}}
    detect = {"type": "object", "required": ["q"], "properties": {"q": {**text, "pattern": "\\S"}, **KEY_FIELDS}}
    suggest = {"type": "object", "required": ["q", "s", "source", "target"], "properties": {
        "q": text, "s": text, "source": named_source, "target": code}}
    upload = {"type": "object", "required": ["file", "source", "target"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "A .txt, .md, .html, .docx, .odt or .pdf file (a .pdf's translation comes as .txt)"},
        "source": named_source, "target": code, **KEY_FIELDS}}
    named = {"type": "object", "required": ["code", "name"], "properties": {"code": {"type": "string"},
                                                                          "name": {"type": "string"}}}
    frontend = {"type": "object", "required": ["charLimit", "frontendTimeout", "apiKeys", "keyRequired", "suggestions",
                                               "filesTranslation", "supportedFilesFormat", "language"], "properties": {
        "charLimit": {"type": "integer", "description": "-1: no limit"}, "frontendTimeout": {"type": "integer"},
        "apiKeys": {"type": "boolean"}, "keyRequired": {"type": "boolean"}, "suggestions": {"type": "boolean"},
        "filesTranslation": {"type": "boolean"}, "supportedFilesFormat": STRINGS,
        "language": {"type": "object", "required": ["source", "target"],
                     "properties": {"source": named, "target": named}}}}
    stored = {"name": "filename", "in": "path", "required": True,
              "schema": {"type": "string", "pattern": STORED_FILE_NAME}}
    return {
        "/translate": {"post": {"summary": "LibreTranslate-compatible translation",
                                "requestBody": _body(translate, {**translate, "properties": {
                                    **translate["properties"], "q": text}}, example={**example, "format": "text"}),
                                "responses": _answers(translated, 400, *WORKING, 413, 503, 504)}},
        "/translate_file": {"post": {
            "summary": "LibreTranslate-compatible file translation: the answer is the translated file's address",
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": upload}}},
            "responses": _answers({"type": "object", "required": ["translatedFileUrl"], "properties": {
                "translatedFileUrl": {"type": "string"}}}, 400, *WORKING, 413, 503, 504)}},
        "/download_file/{filename}": {"get": {
            "summary": "A file /translate_file translated, while it is kept (NEWSDESK_KEEP_TRANSLATED_FILES)",
            "parameters": [stored],
            "responses": {"200": {"description": "The translated file", "content": {
                "*/*": {"schema": {"type": "string", "format": "binary"}}}},
                **{status: answer for status, answer in _answers({}, 400, *KEYED, 404).items() if status != "200"}}}},
        "/languages": {"get": {"summary": "LibreTranslate-compatible language list: every language, with the "
                                          "languages it translates into", "responses": _answers(
            {"type": "array", "items": {"type": "object", "required": ["code", "name", "targets"], "properties": {
                "code": {"type": "string"}, "name": {"type": "string"}, "targets": STRINGS}}}, 400, *KEYED, 503)}},
        "/detect": {"post": {"summary": "LibreTranslate-compatible language detection",
                             "requestBody": _body(detect, example={"q": EXAMPLE_SENTENCE}),
                             "responses": _answers({"type": "array", "items": detection}, 400, *WORKING, 413)}},
        "/suggest": {"post": {"summary": "LibreTranslate-compatible suggestion: kept in the translation memory "
                                        "(when NEWSDESK_SUGGESTIONS is on)",
                              "requestBody": _body(suggest, example={**example, "s": _example_translation(examples[1])}),
                              "responses": _answers({"type": "object", "required": ["success"], "properties": {
                                  "success": {"type": "boolean"}}}, 400, *WORKING, 413)}},
        "/frontend/settings": {"get": {"summary": "LibreTranslate's settings for its web page", "responses": _answers(
            frontend, 400, *KEYED)}},
        "/spec": {"get": {"summary": "This document, where LibreTranslate serves its own",
                          "responses": _answers({"type": "object"}, 400, *KEYED)}},
    }


def _schemas() -> dict:
    block = {"type": "object", "required": ["kind", "text"],
             "properties": {"kind": {"type": "string", "enum": ["paragraph", "heading"]}, "text": {"type": "string"}}}
    removed = {"type": "object", "required": ["text", "reason"],
               "description": "a line of the input the cleaner left out of the article, and why",
               "properties": {"text": {"type": "string"}, "reason": {"type": "string", "enum": sorted(REMOVAL_REASONS)}}}
    article = {"type": "object", "required": ["title", "date", "byline", "teaser", "blocks", "removed"], "properties": {
        "title": {"type": "string"}, "date": {"type": "string"}, "byline": STRINGS, "teaser": {"type": "string"},
        "blocks": {"type": "array", "items": block}, "removed": {"type": "array", "items": removed}}}
    summary = {"type": "object", "required": ["method", "indices", "sentences"], "properties": {
        "method": {"type": "string"}, "indices": {"type": "array", "items": {"type": "integer"}}, "sentences": STRINGS}}
    source = {"type": "object", "required": ["language", "confidence"], "properties": {
        "language": {"type": "string"}, "confidence": {"type": "number", "nullable": True}}}
    translation = {"type": "object", "required": ["title", "teaser", "headings", "sentences", "summary", "pairs"],
                   "properties": {"title": {"type": "string"}, "teaser": {"type": "string"}, "headings": STRINGS,
                                  "sentences": STRINGS, "summary": STRINGS, "pairs": {"type": "array", "items": {
                                      "type": "object", "required": ["source", "target", "confidence", "uncertain"],
                                      "properties": {"source": {"type": "string"}, "target": {"type": "string"},
                                                     "confidence": {"type": "number", "nullable": True,
                                                                    "minimum": 0, "maximum": 1},
                                                     "uncertain": {"type": "boolean"},
                                                     "alternatives": STRINGS}}},
                                  "uncertain_below": {"type": "number"}}}
    common = {"source": source, "article": article, "sentences": STRINGS, "summary": summary,
              "timings": {"type": "object", "additionalProperties": {"type": "number"}}}
    pair = {"type": "object", "required": ["source", "target"], "properties": {
        "source": {"type": "string"}, "target": {"type": "string"}, "via": {"type": "string", "nullable": True},
        "code": {"type": "string"}, "version": {"type": "string"}}}
    return {
        "Error": {"type": "object", "required": ["error"], "properties": {
            "error": {"type": "string"},
            "explanation": {"type": "string", "description": "On LibreTranslate's routes, where `error` is in "
                                                             "LibreTranslate's words: newsdesk's, with the fix"},
            "missing": {"oneOf": [STRINGS, {"type": "array", "items": {"type": "object"}}]},
            "status": {"type": "string"}}},
        "Summary": {"type": "object", "required": list(common), "properties": common},
        "Result": {"type": "object", "required": [*common, "translations"], "properties": {
            **common, "translations": {"type": "object", "additionalProperties": translation}}},
        "Languages": {"type": "object", "required": ["installed", "pairs", "missing"], "properties": {
            "installed": {"type": "array", "items": pair}, "pairs": {"type": "array", "items": pair},
            "missing": {"type": "array", "items": {"type": "object"}}}},
        "Job": {"type": "object", "required": ["id", "status", "progress", "options", "errors", "links"], "properties": {
            "id": {"type": "string"}, "status": {"type": "string", "enum": ["queued", "running", "finished", "cancelled"]},
            "progress": {"type": "object", "required": ["done", "failed", "total"], "properties": {
                "done": {"type": "integer"}, "failed": {"type": "integer"}, "total": {"type": "integer"}}},
            "options": {"type": "object"}, "created": {"type": "string"},
            "finished": {"type": "string", "nullable": True},
            "expires_in": {"type": "integer", "nullable": True,
                           "description": "Seconds until the results are removed (once finished)"},
            "errors": {"type": "array", "items": {"type": "object", "required": ["index", "name", "error"]}},
            "retried": {"type": "array", "items": {"type": "object", "required": ["index", "name", "tries"]}},
            "links": {"type": "object", "properties": {"self": {"type": "string"}, "result": {"type": "string"}}}}},
        "Ready": {"type": "object", "required": ["status", "packs"], "properties": {
            "status": {"type": "string"}, "packs": STRINGS}},
    }
