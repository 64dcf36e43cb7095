"""LibreTranslate's routes to the letter (issue 20): its own API tests, its words for every refusal
(with newsdesk's explanation beside them), fields from JSON, form or query string, /languages,
/frontend/settings, /spec, file translation, and real clients against a live server."""

from __future__ import annotations

import asyncio
import io
import sqlite3
import threading
from contextlib import contextmanager

import pytest

from service import keys
from tests.stored import keys_at

HELLO = "Hello world."
SHIPS = "Ships wait."
FRENCH = ("Les dockers de Rotterdam ont mis fin mardi à une grève de cinq jours après que les syndicats ont "
          "accepté une nouvelle offre salariale des exploitants du port.")


@pytest.fixture
def app(make_app, install):
    """LibreTranslate's test app loads en and es; ours en and de, both ways."""
    install("en_de", "de_en")
    return make_app(rate_limit=None, max_characters=5000, batch_limit=4)


def missing_pack(settings, source: str, target: str) -> str:
    return (f"no {source}->{target} language pack is installed: put translate-{source}_{target}-*.argosmodel in "
            f"{settings.langpacks_dir}/ and run `newsdesk langpacks install`, or run "
            "`newsdesk langpacks install --download` where the internet is reachable")


# --- LibreTranslate's own API tests (libretranslate/tests/test_api/, 1.9), en->de for en->es ------


def test_api_get_languages(client):
    response = client.get("/languages")
    assert (response.status_code, response.json) == (200, [{"code": "de", "name": "German", "targets": ["en"]},
                                                           {"code": "en", "name": "English", "targets": ["de"]}])


def test_api_get_languages_must_fail_bad_request_type(client):
    assert client.post("/languages").status_code == 405


def test_api_detect_language(client):
    response = client.post("/detect", data={"q": "Hello"})
    assert (response.status_code, response.json) == (200, [{"confidence": 14.5, "language": "en"}])


def test_api_detect_language_must_fail_without_parameters(client):
    response = client.post("/detect")
    assert (response.status_code, response.json) == (400, {
        "error": "Invalid request: missing q parameter",
        "explanation": "field 'q' is missing: send the text whose language to tell"})


def test_api_detect_language_must_fail_bad_request_type(client):
    assert client.get("/detect").status_code == 405


def test_api_get_health(client):
    response = client.get("/health")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_api_health_must_fail_bad_request_type(client):
    assert client.post("/health").status_code == 405


def test_api_get_spec(client):
    response = client.get("/spec")
    assert response.status_code == 200
    assert response.json == client.get("/api/v1/openapi.json").json


def test_api_get_spec_must_fail_bad_request_type(client):
    assert client.post("/spec").status_code == 405


def test_api_translate(client):
    response = client.post("/translate", data={"q": "Hello", "source": "en", "target": "de", "format": "text"})
    assert (response.status_code, response.json) == (200, {"translatedText": "<de> Hello"})


def test_api_translate_batch(client):
    response = client.post("/translate", json={"q": ["Hello", "World"], "source": "en", "target": "de",
                                               "format": "text"})
    assert (response.status_code, response.json) == (200, {"translatedText": ["<de> Hello", "<de> World"]})


def test_api_translate_unsupported_language(client):
    response = client.post("/translate", data={"q": "Hello", "source": "en", "target": "zz", "format": "text"})
    assert (response.status_code, response.json) == (400, {
        "error": "zz is not supported",
        "explanation": "field 'target': 'zz' is not a language newsdesk knows; use one of: ar, de, en, es, fr, it, nl, pl, pt, ru, tr, uk"})


def test_api_translate_missing_parameter(client):
    response = client.post("/translate", data={"source": "en", "target": "de", "format": "text"})
    assert (response.status_code, response.json) == (400, {
        "error": "Invalid request: missing q parameter",
        "explanation": "field 'q' is missing: send the text to translate (a string or a list of strings)"})


def test_api_frontend_settings(client):
    response = client.get("/frontend/settings")
    assert response.status_code == 200
    assert list(response.json) == ["charLimit", "frontendTimeout", "apiKeys", "keyRequired", "suggestions",
                                   "filesTranslation", "supportedFilesFormat", "language"]  # LibreTranslate's order
    assert response.json == {
        "charLimit": 5000, "frontendTimeout": 500, "apiKeys": False, "keyRequired": False, "suggestions": False,
        "filesTranslation": True, "supportedFilesFormat": [".txt", ".md", ".markdown", ".html", ".htm", ".docx", ".odt",
                                                    ".pdf"],
        "language": {"source": {"code": "auto", "name": "Auto Detect"}, "target": {"code": "de", "name": "German"}}}


# --- LibreTranslate's words for every refusal, newsdesk's explanation beside them -------------


@pytest.mark.parametrize("body, error, explanation", [
    ({"q": "Hello", "target": "de"}, "Invalid request: missing source parameter",
     "field 'source' is missing: send the language code of the text, or auto to detect it"),
    ({"q": "Hello", "source": "en"}, "Invalid request: missing target parameter",
     "field 'target' is missing: send the language code to translate into"),
    ({"q": "", "source": "en", "target": "de"}, "Invalid request: missing q parameter",
     "field 'q' is missing: send the text to translate (a string or a list of strings)"),
    ({"q": [], "source": "en", "target": "de"}, "Invalid request: missing q parameter",
     "field 'q' is missing: send the text to translate (a string or a list of strings)"),
    ({"q": "Hello", "source": "zz", "target": "de"}, "zz is not supported",
     "field 'source': 'zz' is not a language newsdesk knows; use one of: ar, de, en, es, fr, it, nl, pl, pt, ru, tr, uk"),
    ({"q": "Hello", "source": "en", "target": "de", "format": "xml"}, "xml format is not supported",
     "field 'format' must be one of: text, html"),
    ({"q": "Hello", "source": "en", "target": "de", "alternatives": "abc"},
     "Invalid request: alternatives parameter is not a number",
     "field 'alternatives' must be a whole number from 0 to 5: how many other translations to give for each text"),
    ({"q": "Hello", "source": "en", "target": "de", "alternatives": 6},
     "Invalid request: alternatives parameter must be <= 5",
     "field 'alternatives' must be a whole number from 0 to 5: how many other translations to give for each text"),
    ({"q": "x" * 5001, "source": "en", "target": "de"}, "Invalid request: request (5001) exceeds text limit (5000)",
     "field 'q' has 5,001 characters; the limit is 5,000 (NEWSDESK_MAX_CHARACTERS): send a shorter text"),
    ({"q": ["One.", "Two.", "Three.", "Four.", "Five."], "source": "en", "target": "de"},
     "Invalid request: request (5) exceeds text limit (4)",
     "q holds 5 texts; the limit is 4 per request (NEWSDESK_BATCH_LIMIT): send the rest in another request"),
], ids=["no-source", "no-target", "empty-q", "empty-batch", "unknown-source", "xml", "alternatives-abc",
        "alternatives-over-5", "characters", "batch"])
def test_translate_refuses_in_libretranslates_words(client, body, error, explanation):
    response = client.post("/translate", json=body)
    assert (response.status_code, response.json) == (400, {"error": error, "explanation": explanation})


def test_translate_answers_a_body_that_is_no_json_object_in_libretranslates_words(client):
    response = client.post("/translate", json=["not", "a", "dict"])
    assert (response.status_code, response.json) == (400, {
        "error": "Invalid JSON format",
        "explanation": 'the JSON body is not valid JSON or not an object: send one such as {"q": "Hello", "source": '
                       '"en", "target": "de"}'})


def test_a_target_of_auto_is_not_supported_in_libretranslates_words(client):
    response = client.post("/translate", json={"q": HELLO, "source": "en", "target": "auto"})
    assert (response.status_code, response.json) == (400, {
        "error": "auto is not supported",
        "explanation": "field 'target' cannot be auto: send the language code to translate into"})


def test_a_language_newsdesk_knows_without_a_pack_is_not_supported_and_the_fix_is_named(client, settings):
    response = client.post("/translate", json={"q": HELLO, "source": "en", "target": "fr"})
    assert (response.status_code, response.json) == (400, {
        "error": "fr is not supported", "explanation": missing_pack(settings, "en", "fr"), "missing": ["en->fr"]})


def test_a_listed_target_that_cannot_be_reached_says_so_in_libretranslates_words(client, install, settings):
    install("ar_en")  # ar is listed now, but nothing translates into it
    response = client.post("/translate", json={"q": HELLO, "source": "en", "target": "ar"})
    assert (response.status_code, response.json) == (400, {
        "error": "Arabic (ar) is not available as a target language from English (en)",
        "explanation": missing_pack(settings, "en", "ar"), "missing": ["en->ar"]})


def test_a_text_detected_as_a_language_with_no_pack_is_not_supported(client, settings):
    response = client.post("/translate", json={"q": FRENCH, "source": "auto", "target": "de"})
    assert (response.status_code, response.json) == (400, {
        "error": "fr is not supported",
        "explanation": "the text was detected as fr (confidence 1.00; send source= to say otherwise): no fr->de "
                       "language pack is installed (nor fr->en->de): put translate-fr_en-*.argosmodel in "
                       f"{settings.langpacks_dir}/ and run `newsdesk langpacks install`, or run `newsdesk langpacks "
                       "install --download` where the internet is reachable",
        "missing": ["fr->de"]})


def test_a_negative_number_of_alternatives_is_none_as_libretranslate_takes_it(client):
    response = client.post("/translate", data={"q": HELLO, "source": "en", "target": "de", "alternatives": "-2"})
    assert (response.status_code, response.json) == (200, {"translatedText": "<de> Hello world."})


def test_a_batch_with_source_auto_says_each_texts_language(client):
    response = client.post("/translate", json={"q": ["Dock workers in Rotterdam ended their strike.",
                                                     "Die Hafenarbeiter haben den Streik beendet."],
                                               "source": "auto", "target": "de"})
    assert (response.status_code, response.json) == (200, {
        "translatedText": ["<de> Dock workers in Rotterdam ended their strike.",
                           "Die Hafenarbeiter haben den Streik beendet."],
        "detectedLanguage": [{"confidence": 99.2, "language": "en"}, {"confidence": 99.9, "language": "de"}]})


def test_a_form_s_line_endings_count_as_libretranslate_counts_them(client):
    response = client.post("/translate", data={"q": "Hello world.\r\nShips wait.\r\n", "source": "en", "target": "de"})
    assert response.json == {"translatedText": "<de> Hello world.\n<de> Ships wait."}


def test_over_the_rate_limit_libretranslate_says_slowdown(make_app, install):
    install("en_de")
    client = make_app(rate_limit="1/minute").test_client()
    assert client.post("/translate", json={"q": HELLO, "source": "en", "target": "de"}).status_code == 200
    response = client.post("/translate", json={"q": HELLO, "source": "en", "target": "de"})
    assert (response.status_code, response.json) == (429, {
        "error": "Slowdown: 1 per 1 minute",
        "explanation": "too many requests: the limit is 1 per 1 minute per API key, or per address without one "
                       "(NEWSDESK_RATE_LIMIT); wait the seconds Retry-After gives, then send again"})
    assert response.headers["Retry-After"]


# --- fields from a JSON body, else the query string and the form ------------------------------


def test_deep_translator_s_fields_in_the_query_string_are_read(client):
    response = client.post("/translate?q=Hello+world.&source=en&target=de&format=text&api_key=unused")
    assert (response.status_code, response.json) == (200, {"translatedText": "<de> Hello world."})


def test_the_query_string_comes_before_the_form_and_a_json_body_alone_counts(client):
    form = client.post("/translate?target=de", data={"q": HELLO, "source": "en", "target": "zz"})
    assert form.json == {"translatedText": "<de> Hello world."}
    json = client.post("/translate?target=zz", json={"q": HELLO, "source": "en", "target": "de"})
    assert json.json == {"translatedText": "<de> Hello world."}


@pytest.mark.parametrize("path, sent", [
    ("/translate?api_key=nd_abc", "api_key"), ("/translate?secret=abc", "secret"),
    ("/detect?api_key=nd_abc&secret=abc", "api_key and secret"),
], ids=["api-key", "secret", "both"])
def test_keys_in_the_query_string_are_refused_when_they_are_off(make_app, install, path, sent):
    install("en_de")
    client = make_app(rate_limit=None, keys_in_query=False).test_client()
    response = client.post(path, data={"q": HELLO, "source": "en", "target": "de"})
    assert (response.status_code, response.json) == (400, {"error": (
        f"{sent} came in the query string, which this service refuses (NEWSDESK_KEYS_IN_QUERY=0): URLs end up in "
        "access logs, proxies and browser history; send it in the request body, or the key in the X-API-Key header")})


def test_keys_in_the_body_are_taken_when_the_query_string_s_are_off(make_app, install):
    install("en_de")
    client = make_app(rate_limit=None, keys_in_query=False).test_client()
    response = client.post("/translate", data={"q": HELLO, "source": "en", "target": "de", "api_key": "x",
                                               "secret": "y"})
    assert (response.status_code, response.json) == (200, {"translatedText": "<de> Hello world."})


# --- keys, in LibreTranslate's words --------------------------------------------------------


@pytest.fixture
def keyed_client(make_app, install, tmp_path):
    install("en_de")
    return make_app(api_keys=True, keys_db=tmp_path / "keys.sqlite3", rate_limit=None).test_client()


def test_a_missing_key_is_libretranslates_400(keyed_client):
    response = keyed_client.post("/translate", json={"q": HELLO, "source": "en", "target": "de"})
    assert (response.status_code, response.json) == (400, {
        "error": "Please contact the server operator to get an API key",
        "explanation": "this service needs an API key: send it in the X-API-Key header; ask the service's "
                       "administrator for one (`newsdesk keys add NAME`)"})


def test_an_unknown_key_is_libretranslates_invalid_api_key(keyed_client):
    response = keyed_client.post("/translate", data={"q": HELLO, "source": "en", "target": "de", "api_key": "nd_bogus"})
    assert (response.status_code, response.json) == (403, {
        "error": "Invalid API key",
        "explanation": "the API key sent is not valid (unknown or removed): check it, or ask the service's "
                       "administrator for one (`newsdesk keys add NAME`)"})


def test_a_document_sent_with_its_key_in_the_form_gets_the_document_limit(make_app, install, tmp_path):
    """The key check reads the form's api_key before the route runs: the body limit of a file
    upload must already be the document's then, not a request's."""
    from tests.test_office import word_article
    from tests.test_office_doors import _padded

    install("en_de")
    client = make_app(api_keys=True, keys_db=tmp_path / "keys.sqlite3", rate_limit=None, max_request_bytes=20_000,
                      max_document_bytes=200_000).test_client()
    _, key = keys.add_key(keys_at(tmp_path / "keys.sqlite3"), "libretranslatepy")
    response = upload(client, "strike.docx", _padded(word_article(), 60_000), api_key=key)
    assert response.status_code == 200, response.json
    assert download(client, response).status_code == 200


def test_frontend_settings_say_keys_are_needed(make_app, tmp_path):
    client = make_app(api_keys=True, keys_db=tmp_path / "keys.sqlite3", max_characters=None, suggestions=True)
    _, key = keys.add_key(keys_at(tmp_path / "keys.sqlite3"), "page")
    found = client.test_client().get("/frontend/settings", headers={"X-API-Key": key}).json
    assert (found["charLimit"], found["apiKeys"], found["keyRequired"], found["suggestions"]) == (-1, True, True, True)


# The key where LibreTranslate reads it; /frontend/settings, /spec and /download_file open without one.

def test_a_key_in_the_query_string_lets_deep_translator_in(make_app, install, tmp_path):
    install("en_de")
    client = make_app(api_keys=True, keys_db=tmp_path / "keys.sqlite3", rate_limit=None).test_client()
    _, key = keys.add_key(keys_at(tmp_path / "keys.sqlite3"), "deep-translator")
    response = client.post(f"/translate?q=Hello+world.&source=en&target=de&api_key={key}")
    assert (response.status_code, response.json) == (200, {"translatedText": "<de> Hello world."})


def test_a_key_in_the_query_string_is_refused_before_it_is_checked_when_they_are_off(make_app, install, tmp_path):
    install("en_de")
    client = make_app(api_keys=True, keys_db=tmp_path / "keys.sqlite3", rate_limit=None,
                      keys_in_query=False).test_client()
    response = client.post("/translate?api_key=nd_abc", data={"q": HELLO, "source": "en", "target": "de"})
    assert response.status_code == 400
    assert response.json["error"].startswith("api_key came in the query string")


@pytest.mark.parametrize("path, status", [("/frontend/settings", 200), ("/spec", 200),
                                          ("/download_file/AAAAAAAAAAAAAAAAAAAAAA.gone.txt", 404)],
                         ids=["frontend-settings", "spec", "download"])
def test_what_libretranslate_s_page_reads_needs_no_key(keyed_client, path, status):
    assert keyed_client.get(path).status_code == status


# --- /languages -------------------------------------------------------------------------


def test_languages_lists_targets_too_each_with_what_it_reaches(client, install):
    install("en_ru", "ar_en")
    assert client.get("/languages").json == [
        {"code": "ar", "name": "Arabic", "targets": ["de", "en", "ru"]},  # ru and de through English
        {"code": "de", "name": "German", "targets": ["en", "ru"]},
        {"code": "en", "name": "English", "targets": ["de", "ru"]},
        {"code": "ru", "name": "Russian", "targets": []}]


# --- files ------------------------------------------------------------------------------


def upload(client, name: str, content: bytes, **fields):
    return client.post("/translate_file", data={"source": "en", "target": "de", **fields,
                                                "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def download(client, response):
    url = response.json["translatedFileUrl"]
    return client.get(url[url.index("/download_file/"):])


@pytest.mark.parametrize("name, content, translated", [
    ("note.txt", b"Hello world. Ships wait.\n\n  Indented line\r\nLast line\n",
     b"<de> Hello world. <de> Ships wait.\n\n  <de> Indented line\r\n<de> Last line\n"),
    ("note.md", "# Harbour news\n\n- **Dock workers** ended the strike.\n1. Read [the report](https://example.org/a_b) "
                "now.\n\n```\ncode stays\n```\n\n| Port | Ships |\n|---|---|\n| Rotterdam | 12 |\n\n"
                "[ref]: https://example.org\n> Quoted `x = 1` line\n".encode(),
     "# <de> Harbour news\n\n- **<de> Dock workers** <de> ended the strike.\n1. <de> Read [<de> the report]"
     "(https://example.org/a_b) <de> now.\n\n```\ncode stays\n```\n\n| <de> Port | <de> Ships |\n|---|---|\n"
     "| <de> Rotterdam | 12 |\n\n[ref]: https://example.org\n> <de> Quoted `x = 1` <de> line\n".encode()),
    ("page.html", b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="iso-8859-1"><title>Harbour</title>'
                  b'<style>p {}</style></head><body class="b"><p>Hello <b>world</b>.</p><script>x()</script></body>'
                  b'</html>',
     b'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>&lt;de&gt; Harbour</title><style>p {}'
     b'</style></head><body class="b"><p>&lt;de&gt; Hello <b>world</b>.</p><script>x()</script>'
     b'</body></html>'),
    ("part.htm", b'<p class="x">Hello <i>world</i>.</p>',
     b'<p class="x">&lt;de&gt; Hello <i>world</i>.</p>'),
    ("bare.html", b'<html><body><p>Hello world.</p></body></html>',  # no doctype: none is added
     b'<html><body><p>&lt;de&gt; Hello world.</p></body></html>'),
], ids=["txt", "markdown", "html-page", "html-fragment", "html-no-doctype"])
def test_translate_file_then_download_it(client, name, content, translated):
    response = upload(client, name, content)
    assert response.status_code == 200
    assert response.json["translatedFileUrl"].startswith("http://localhost/download_file/")
    got = download(client, response)
    assert (got.status_code, got.data) == (200, translated)
    assert got.headers["Content-Disposition"] == f"attachment; filename={name}"


def test_translate_file_gives_a_word_file_back_translated_and_a_pdf_as_text(client):
    import docx

    from tests.test_office import word_article
    from tests.test_office_doors import pdf_article

    response = upload(client, "strike.docx", word_article())
    assert response.status_code == 200, response.json
    got = download(client, response)
    assert got.headers["Content-Disposition"] == "attachment; filename=strike.docx"
    copy = docx.Document(io.BytesIO(got.data))
    assert [(run.text, run.bold) for run in copy.paragraphs[1].runs] == [
        ("<de> Dock workers in Rotterdam ended a strike on Tuesday.", True)]
    response = upload(client, "release.pdf", pdf_article())
    got = download(client, response)
    assert got.headers["Content-Disposition"] == "attachment; filename=release.txt"
    assert got.data.decode() == (
        "<de> Harbour strike ends\n\n<de> Dock workers in Rotterdam ended a five-day strike on Tuesday after the "
        "union accepted a new pay offer. <de> Operators said traffic would be back to normal by Friday.\n")


def test_translate_file_takes_a_word_file_with_tracked_changes(client):
    import docx

    from tests.test_office import tracked_word_article

    response = upload(client, "tracked.docx", tracked_word_article())
    assert response.status_code == 200, response.json  # it answered 500 (issue 32)
    copy = docx.Document(io.BytesIO(download(client, response).data))
    assert copy.paragraphs[1].text == "<de> The union accepted the offer on Tuesday."


def test_translate_file_detects_the_source(client):
    response = upload(client, "note.txt", b"Dock workers in Rotterdam ended their strike on Tuesday.", source="auto")
    assert download(client, response).data == b"<de> Dock workers in Rotterdam ended their strike on Tuesday."


@pytest.mark.parametrize("name, kept", [
    ("../../etc/passwd.txt", "passwd.txt"), ("Bericht über den Streik.md", "Bericht_uber_den_Streik.md"),
    ("файл.TXT", "file.txt"),
], ids=["path", "spaces-and-umlauts", "no-ascii"])
def test_a_translated_file_s_name_is_path_safe(client, name, kept):
    url = upload(client, name, b"Hello world.").json["translatedFileUrl"]
    assert url.split("/")[-1].split(".", 1)[1] == kept


@pytest.mark.parametrize("data, error, explanation", [
    ({"source": "en", "target": "de"}, "Invalid request: missing file parameter",
     "field 'file' is missing: send the file to translate (multipart field 'file', with its file name, whose suffix "
     "says its format)"),
    ({"target": "de", "file": (io.BytesIO(b"Hello"), "a.txt")}, "Invalid request: missing source parameter",
     "field 'source' is missing: send the language code of the text, or auto to detect it"),
    ({"source": "en", "file": (io.BytesIO(b"Hello"), "a.txt")}, "Invalid request: missing target parameter",
     "field 'target' is missing: send the language code to translate into"),
    ({"source": "en", "target": "de", "file": (io.BytesIO(b"MZ\x90\x00"), "program.exe")},
     "Invalid request: file format not supported",
     "program.exe: newsdesk translates .txt, .md, .markdown, .html, .htm, .docx, .odt, .pdf files; save it as one "
     "of those"),
    ({"source": "en", "target": "zz", "file": (io.BytesIO(b"Hello"), "a.txt")}, "zz is not supported",
     "field 'target': 'zz' is not a language newsdesk knows; use one of: ar, de, en, es, fr, it, nl, pl, pt, ru, tr, uk"),
    ({"source": "en", "target": "de", "file": (io.BytesIO(b"x" * 5001), "a.txt")},
     "Invalid request: request (5001) exceeds text limit (5000)",
     "field 'file' has 5,001 characters; the limit is 5,000 (NEWSDESK_MAX_CHARACTERS): send a shorter text"),
], ids=["no-file", "no-source", "no-target", "exe", "unknown-target", "characters"])
def test_translate_file_refuses_in_libretranslates_words(client, data, error, explanation):
    response = client.post("/translate_file", data=data, content_type="multipart/form-data")
    assert (response.status_code, response.json) == (400, {"error": error, "explanation": explanation})


def test_what_a_file_has_translated_counts_against_the_limit_not_only_its_article(client):
    """A page's menus are translated with its article: they count (the article alone is under 5,000)."""
    menu = "".join(f"<li><a href='/s{i}'>Section number {i} of the paper</a></li>" for i in range(200))
    page = (f"<!doctype html><html><head><title>Strike</title></head><body><nav><ul>{menu}</ul></nav>"
            "<article><h1>Harbour strike ends</h1><p>Dock workers in Rotterdam ended a strike on Tuesday after "
            "unions accepted a new pay offer.</p></article></body></html>").encode()
    response = upload(client, "page.html", page)
    assert response.status_code == 400
    assert response.json["error"].startswith("Invalid request: request (")
    assert response.json["error"].endswith(") exceeds text limit (5000)")


@pytest.mark.parametrize("name", ["..", "a.txt", "AAAAAAAAAAAAAAAAAAAAAA.bad name.txt"], ids=["dots", "short", "space"])
def test_download_refuses_a_name_it_never_gave(client, name):
    response = client.get(f"/download_file/{name}")
    assert (response.status_code, response.json) == (400, {
        "error": "Invalid filename",
        "explanation": f"{name!r} is not the name of a translated file: use the translatedFileUrl POST /translate_file "
                       "answered"})


def test_a_translated_file_is_gone_after_its_time(client, app):
    response = upload(client, "note.txt", b"Hello world.")
    name = response.json["translatedFileUrl"].split("/")[-1]
    database = app.config["NEWSDESK"].results_db.with_name("translated_files.sqlite3")
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE translated_files SET stored = stored - 3601")
    got = client.get(f"/download_file/{name}")
    assert (got.status_code, got.json) == (404, {
        "error": "File not found",
        "explanation": f"no translated file {name!r} here: a file is kept 3600 s after it was translated "
                       "(NEWSDESK_KEEP_TRANSLATED_FILES); send it to POST /translate_file again"})


def test_a_file_translated_by_one_worker_is_downloaded_from_another(make_app, install):
    """gunicorn's workers are processes: each app here stands for one, sharing only the data folder."""
    install("en_de")
    one, other = make_app(rate_limit=None).test_client(), make_app(rate_limit=None).test_client()
    response = upload(one, "note.txt", b"Hello world.")
    assert download(other, response).data == b"<de> Hello world."


# --- real LibreTranslate clients against a live server -------------------------------------


@contextmanager
def serving(app):
    """Serve ``app`` on 127.0.0.1, as conftest's live_url does; yield its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()


def test_deep_translator_works_unchanged(live_url, tmp_path):
    from deep_translator import LibreTranslator

    # deep-translator wants a key even where none is needed; with keys off newsdesk takes none.
    translator = LibreTranslator(source="en", target="de", custom_url=live_url, use_free_api=False, api_key="unused")
    assert translator.translate(HELLO) == "<de> Hello world."
    assert translator.translate_batch([HELLO, SHIPS]) == ["<de> Hello world.", "<de> Ships wait."]
    article = tmp_path / "article.txt"
    article.write_text("Dock workers ended their strike.")
    assert translator.translate_file(str(article)) == "<de> Dock workers ended their strike."


def test_libretranslate_aio_works_unchanged(make_app, install, tmp_path):
    import httpx
    from libretranslate_aio import AsyncLibreTranslate
    from libretranslate_aio.models import DetectedLanguage, Detection, Language

    install("en_de", "de_en")
    article = tmp_path / "article.md"
    article.write_text("# Harbour\n\nDock workers ended their strike.\n")

    async def session(url: str) -> None:
        async with AsyncLibreTranslate(url) as client:
            one = await client.translate(HELLO, "en", "de")
            assert (one.translated_text, one.detected_language, one.alternatives) == ("<de> Hello world.", None, None)
            batch = await client.translate(["Dock workers in Rotterdam ended their strike.",
                                            "Die Hafenarbeiter haben den Streik beendet."], "auto", "en")
            assert batch.translated_text == ["Dock workers in Rotterdam ended their strike.",
                                             "<en> Die Hafenarbeiter haben den Streik beendet."]
            assert [found.language for found in batch.detected_language] == ["en", "de"]
            assert isinstance(batch.detected_language[0], DetectedLanguage)
            assert await client.detect("Die Hafenarbeiter haben den Streik beendet.") == [
                Detection(confidence=99.9, language="de")]
            assert await client.languages() == [Language("de", "German", ["en"]), Language("en", "English", ["de"])]
            settings = await client.frontend_settings()
            assert (settings.char_limit, settings.key_required, settings.suggestions, settings.frontend_timeout,
                    settings.language.target.code) == (100_000, False, True, 500, "de")
            assert await client.health() is True
            assert await client.suggest("Ships wait.", "Schiffe warten.", "en", "de") is True
            assert (await client.translate(SHIPS, "en", "de")).translated_text == "Schiffe warten."  # the memory's
            translated = await client.translate_file(article, "en", "de")
        async with httpx.AsyncClient() as plain:
            got = await plain.get(translated.translated_file_url)
        assert (got.status_code, got.content) == (200, b"# <de> Harbour\n\n<de> Dock workers ended their strike.\n")

    with serving(make_app(rate_limit=None, suggestions=True)) as url:
        asyncio.run(session(url))


def test_libretranslate_aio_reads_libretranslates_refusals(make_app, install):
    from libretranslate_aio import AsyncLibreTranslate, BadRequestError, ForbiddenError

    install("en_de")

    async def session(url: str) -> None:
        async with AsyncLibreTranslate(url) as client:
            with pytest.raises(BadRequestError, match="^zz is not supported$"):
                await client.translate(HELLO, "en", "zz")
            with pytest.raises(ForbiddenError, match="^Suggestions are disabled on this server.$"):
                await client.suggest("Ships wait.", "Schiffe warten.", "en", "de")

    with serving(make_app(rate_limit=None)) as url:
        asyncio.run(session(url))


def test_the_files_live_server_serves_under_its_own_address(live_url, tmp_path):
    """translatedFileUrl names the host the client asked, so that the client can fetch it."""
    import requests

    response = requests.post(live_url + "translate_file", data={"source": "en", "target": "de"},
                             files={"file": ("a.txt", b"Hello world.")}, timeout=30)
    url = response.json()["translatedFileUrl"]
    assert url.startswith(live_url + "download_file/")
    assert requests.get(url, timeout=30).content == b"<de> Hello world."


def test_served_document_lists_libretranslates_routes(client):
    paths = set(client.get("/spec").json["paths"])
    assert {"/translate", "/translate_file", "/download_file/{filename}", "/languages", "/detect", "/suggest",
            "/frontend/settings", "/spec"} <= paths
