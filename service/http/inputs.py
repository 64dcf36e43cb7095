"""Read request fields from JSON or form bodies, checking each one's type and value.

Every message names the field and what it accepts, so a caller can fix the request.
LibreTranslate's routes read theirs as LibreTranslate does (``libretranslate_fields``).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, current_app, request

from .. import defaults
from ..config import Settings
from ..errors import InvalidInput, TooLarge
from ..stages.summary import METHODS, summary_length
from ..pipeline import known_language
from ..translation.terms import KEEP, Glossary, clean_language, clean_term
from .error_responses import libretranslate_refusal

FORMATS = defaults.INPUT_FORMATS
# The fields LibreTranslate takes a key in: its API key, and the rotating secret of its own web page.
KEY_FIELDS = ("api_key", "secret")


def request_fields(request: Request) -> dict[str, Any]:
    """Return the body's fields: a JSON object, or form fields (repeated ones as lists)."""
    if request.is_json:
        data = json_body(request)
        if data is None:
            raise InvalidInput(
                'the request body is not valid JSON: send an object such as {"text": "...", "targets": ["de"]}'
            )
        if not isinstance(data, dict):
            raise InvalidInput('the JSON body must be an object, such as {"text": "...", "targets": ["de"]}')
        return data
    fields: dict[str, Any] = {}
    for key in request.form:
        values = request.form.getlist(key)
        fields[key] = values if len(values) > 1 else values[0]
    return fields


def libretranslate_fields(request: Request, settings: Settings) -> dict[str, Any]:
    """The fields as LibreTranslate reads them: a JSON body's only; else the query string's and the
    form's, the query string's first (werkzeug's request.values), repeated ones as lists.

    deep-translator sends every field in the query string of its POST (issue 20). A key there
    is refused when NEWSDESK_KEYS_IN_QUERY is off.
    """
    refuse_keys_in_query(request, settings)
    if not request.is_json:
        return {**_multi_fields(request.form), **_multi_fields(request.args)}
    data = json_body(request)
    if not isinstance(data, dict):
        raise libretranslate_refusal(InvalidInput(
            'the JSON body is not valid JSON or not an object: send one such as {"q": "Hello", "source": "en", '
            '"target": "de"}'), "invalid_json")
    return data


def _multi_fields(values) -> dict[str, Any]:
    """A werkzeug MultiDict as a dict: a field sent once as its value, a repeated one as the list."""
    return {key: found if len(found) > 1 else found[0] for key in values if (found := values.getlist(key))}


def refuse_keys_in_query(request: Request, settings: Settings) -> None:
    """Refuse api_key or secret in the query string when NEWSDESK_KEYS_IN_QUERY is off."""
    sent = [name for name in KEY_FIELDS if name in request.args]
    if settings.keys_in_query or not sent:
        return
    raise InvalidInput(
        f"{' and '.join(sent)} came in the query string, which this service refuses (NEWSDESK_KEYS_IN_QUERY=0): "
        "URLs end up in access logs, proxies and browser history; send it in the request body, or the key in "
        "the X-API-Key header")


def libretranslate_key(request: Request, settings: Settings) -> str | None:
    """The api_key field of a LibreTranslate request, where LibreTranslate reads it, or None."""
    value = libretranslate_fields(request, settings).get("api_key")
    return value.strip() if isinstance(value, str) and value.strip() else None


def json_body(request: Request) -> Any:
    """The JSON body, or None when it is not valid JSON; InvalidInput when it nests too deep to read.

    Python's JSON reader recurses per level: a body of 1,000 nested lists was a 500.
    """
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise InvalidInput('the JSON body nests too deeply to be read: send an object such as '
                           '{"text": "...", "targets": ["de"]}') from None


def uploaded_file(request: Request, settings: Settings):
    """The one uploaded file (a werkzeug FileStorage) or None; more than max_files: TooLarge."""
    uploads = [upload for name in request.files for upload in request.files.getlist(name) if upload.filename]
    if settings.max_files is not None and len(uploads) > settings.max_files:
        raise TooLarge(f"{len(uploads)} files were uploaded; the limit is {settings.max_files} per request "
                       "(NEWSDESK_MAX_FILES): send one article per request")
    return uploads[0] if uploads else None


def text_field(fields: dict, name: str, settings: Settings) -> str:
    """A required, non-empty string within the character limit."""
    value = fields.get(name)
    if value is None:
        raise InvalidInput(f"field {name!r} is missing: send the text to work on")
    if not isinstance(value, str):
        raise InvalidInput(f"field {name!r} must be a string")
    check_length(name, value, settings)
    check_encodable(name, value)
    if not value.strip():
        raise InvalidInput(f"field {name!r} is empty: send the text to work on")
    return value


def check_length(name: str, value: str, settings: Settings) -> None:
    if settings.max_characters is not None and len(value) > settings.max_characters:
        raise TooLarge(
            f"field {name!r} has {len(value):,} characters; the limit is {settings.max_characters:,} "
            "(NEWSDESK_MAX_CHARACTERS): send a shorter text"
        )


def check_encodable(name: str, value: str) -> None:
    """Refuse lone surrogates (JSON allows "\\ud800"): no model can read them."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"field {name!r} holds characters that are not valid Unicode (lone surrogates)") from None


def language_field(fields: dict, name: str, settings: Settings, default: str | None = None, auto: bool = False) -> str:
    value = fields.get(name, default)
    if value is None:
        raise InvalidInput(f"field {name!r} is missing: give a language code such as 'de'")
    if not isinstance(value, str):
        raise InvalidInput(f"field {name!r} must be a language code (a string) such as 'de'")
    return known_language(value, what=f"field {name!r}", settings=settings, auto=auto)


def targets_field(fields: dict, settings: Settings, default: tuple[str, ...]) -> tuple[str, ...]:
    """"targets" (a list or "ar,de") or the form's repeated "target"."""
    name = "targets" if "targets" in fields else "target"
    value = fields.get(name, list(default))
    if isinstance(value, str):
        value = [code for code in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise InvalidInput(f'field {name!r} must be a list of language codes or a comma-separated string, e.g. ["ar", "de", "ru"]')
    codes = tuple(dict.fromkeys(known_language(code, what=f"field {name!r}", settings=settings)
                                for code in value if code.strip()))
    if not codes:
        raise InvalidInput(f"field {name!r} is empty: name at least one language, e.g. [\"de\"]")
    return codes


def current_settings() -> Settings:
    """The Settings of the app serving this request."""
    return current_app.config["NEWSDESK"]


# Routes whose body may be a whole batch (NEWSDESK_MAX_JOB_BYTES) or one document
# (NEWSDESK_MAX_DOCUMENT_BYTES, Settings.upload_bytes) rather than one request's text.
_BATCH_BLUEPRINTS = ("jobs", "batch_page")
_DOCUMENT_ENDPOINTS = ("web.submit", "web.start_run", "libretranslate.translate_file")


def init_body_limits(app: Flask) -> None:
    """Give batch and document uploads their own body limit, before anything reads a body (the
    key check reads a form's api_key, the rate limit the key): registered before those hooks."""

    @app.before_request
    def allow_larger_bodies():
        if request.blueprint in _BATCH_BLUEPRINTS:
            request.max_content_length = current_settings().max_job_bytes
        elif request.endpoint in _DOCUMENT_ENDPOINTS:
            request.max_content_length = current_settings().upload_bytes


def summary_field(fields: dict, default: int | str = defaults.SUMMARY_LENGTH) -> int | str:
    value = fields.get("summary", default)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise InvalidInput("field 'summary' must be a number of sentences (e.g. 5) or a percentage (e.g. \"20%\")")
    summary_length(value, 1)  # checks the value now, before any translation work
    return value


def alternatives_field(fields: dict) -> int:
    """How many next-best translations each sentence should get: 0 (none) to MAX_ALTERNATIVES."""
    value = fields.get("alternatives", 0)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)  # form fields are strings
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= defaults.MAX_ALTERNATIVES:
        raise InvalidInput(f"field 'alternatives' must be a whole number from 0 to {defaults.MAX_ALTERNATIVES}: how "
                           "many other translations to give for each sentence")
    return value


def glossary_field(fields: dict) -> Glossary | None:
    """A request's own glossary ({"de": {"Gadhafi": "Gaddafi"}, "*": ["NTC"]}), or None without one."""
    value = fields.get("glossary")
    return None if value is None else inline_glossary(value)


INLINE_GLOSSARY_SHAPE = '{"de": {"Gadhafi": "Gaddafi"}, "*": ["NTC"]}'


def inline_glossary(value: Any) -> Glossary:
    """A request's "glossary" field, {"de": {"Gadhafi": "Gaddafi"}, "*": ["NTC"]}, as a Glossary
    to merge over the stored one; InvalidInput naming what is wrong."""
    if not isinstance(value, dict):
        raise InvalidInput(f"field 'glossary' must be an object of language -> terms, e.g. {INLINE_GLOSSARY_SHAPE}")
    by_target = terms_field({code: terms for code, terms in value.items() if code != KEEP}, label="field 'glossary'")
    return Glossary(by_target=by_target, keep=keep_field(value.get(KEEP, []), label="field 'glossary' → '*'"))


def terms_field(value: Any, *, label: str) -> dict[str, dict[str, str]]:
    """{"de": {"Gadhafi": "Gaddafi"}}, checked: language codes, then terms of one line each (the
    glossary door's "terms" and a request's own glossary)."""
    if not isinstance(value, dict):
        raise InvalidInput(f"{label} must be an object of language -> {{source term: target term}}, "
                           'e.g. {"de": {"Gadhafi": "Gaddafi"}}')
    by_target: dict[str, dict[str, str]] = {}
    for code, terms in value.items():
        target = clean_language(code, what=label)
        where = f"{label} → {target!r}"
        if not isinstance(terms, dict):
            raise InvalidInput(f"{where} must be an object of source term -> target term, e.g. "
                               '{"Gadhafi": "Gaddafi"}')
        for source, written in terms.items():
            source_term = clean_term(source, what=f"{where}: the source term {source!r}")
            by_target.setdefault(target, {})[source_term] = clean_term(written, what=f"{where} → {source!r}")
    return by_target


def keep_field(value: Any, *, label: str) -> tuple[str, ...]:
    """["NTC", ...]: the terms kept as they are in every language."""
    if not isinstance(value, list):
        raise InvalidInput(f"{label} must be a list of terms kept as they are, e.g. [\"NTC\"]")
    return tuple(clean_term(term, what=f"{label} item {index}") for index, term in enumerate(value, start=1))


def count_field(fields: dict, name: str, default: int, *, least: int, most: int | None = None) -> int:
    """A whole number from a query string or form (``default`` when absent), within its bounds."""
    value = fields.get(name, str(default))
    if not value.isdigit() or int(value) < least or most is not None and int(value) > most:
        upper = f" and at most {most:,}" if most is not None else ""
        raise InvalidInput(f"field {name!r} must be a whole number of at least {least}{upper} (got {value!r})")
    return int(value)


def choice_field(fields: dict, name: str, choices: tuple[str, ...], default: str) -> str:
    value = fields.get(name, default)
    if not isinstance(value, str) or value not in choices:
        raise InvalidInput(f"field {name!r} must be one of: {', '.join(choices)}")
    return value


def method_field(fields: dict) -> str:
    return choice_field(fields, "method", METHODS, defaults.SUMMARY_METHOD)
