"""The HTTP API: JSON and form input, exact errors, LibreTranslate compatibility."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


HARBOUR = (Path(__file__).parent / "data" / "harbour_strike.txt").read_text()
LEAD = "Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer from port operators."


@pytest.fixture
def app(make_app):
    return make_app(max_characters=5000, max_request_bytes=20_000)


def test_process_json(client, install):
    install("en_de", "en_ru")
    response = client.post("/api/v1/process", json={"text": HARBOUR, "targets": ["de", "ru"], "summary": 2})
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-Id"])
    body = response.json
    assert body["source"]["language"] == "en" and body["source"]["confidence"] > 0.9
    assert body["article"]["title"] == "Harbour strike ends"
    assert body["summary"]["indices"] == [0, 2]
    assert body["translations"]["de"]["title"] == "<de> Harbour strike ends"
    assert body["translations"]["ru"]["summary"][0] == f"<ru> {LEAD}"
    pair = body["translations"]["de"]["pairs"][0]
    assert (pair["source"], pair["target"], pair["uncertain"]) == (LEAD, f"<de> {LEAD}", False)
    assert 0.99 < pair["confidence"] <= 1  # the copy pack is sure of every piece
    assert {"clean", "sentences", "summary", "translate_de", "translate_ru", "total"} <= set(body["timings"])


HARBOUR_REMOVED = [
    {"text": "1. Skip to content", "reason": "navigation"},
    {"text": "2. Skip to main menu", "reason": "navigation"},
    {"text": "3. Skip to more sites", "reason": "navigation"},
    {"text": "Dock workers in Rotterdam ended a five-day strike after unions accepted a new pay offer.", "reason": "repeat"},
    {"text": "https://p.example.com/p/4xk2q", "reason": "navigation"},
    {"text": "Cranes standing idle at the container terminal", "reason": "caption"},
    {"text": "Cranes stood idle for most of the weekImage: ANP", "reason": "caption"},
    {"text": "Image: Reuters", "reason": "credit"},
]


def test_issue13_what_the_cleaner_left_out_is_in_the_json(client):
    article = client.post("/api/v1/summarize", json={"text": HARBOUR}).json["article"]
    assert article["removed"] == HARBOUR_REMOVED
    assert article["byline"] == ["Author: Anna Example (Reuters, dpa)", "Editor: Ben Example"]


@pytest.mark.parametrize("form", [
    {"text": HARBOUR, "target": ["de", "ru"]},
    {"text": HARBOUR, "target": "de,ru"},
], ids=["repeated-target", "comma-separated"])
def test_process_form(client, install, form):
    install("en_de", "en_ru")
    response = client.post("/api/v1/process", data=form)
    assert response.status_code == 200
    assert list(response.json["translations"]) == ["de", "ru"]


def test_process_html(client, install):
    install("en_de")
    page = ("<html><body><h1>Harbour strike ends</h1><p>" + LEAD + "</p><p>Operators said traffic would be back "
            "to normal by Friday, according to the port authority.</p></body></html>")
    body = client.post("/api/v1/process", json={"text": page, "targets": "de", "format": "html"}).json
    assert body["article"]["title"] == "Harbour strike ends"
    assert body["translations"]["de"]["sentences"][0] == f"<de> {LEAD}"


def test_issue13_an_html_page_lists_its_lines_outside_the_article(client):
    page = ("<html><body><nav><ul><li>Home</li><li>World</li></ul></nav><article><h1>Harbour strike ends</h1><p>"
            + LEAD + "</p><p>Operators said traffic would be back to normal by Friday, according to the port "
            "authority.</p><p>Several shipping lines had diverted their vessels to Antwerp and Hamburg during the "
            "stoppage.</p></article><aside><p>Most read: Ferry fares rise again</p></aside></body></html>")
    article = client.post("/api/v1/summarize", json={"text": page, "format": "html"}).json["article"]
    assert article["title"] == "Harbour strike ends"
    assert [line for line in article["removed"] if line["reason"] == "outside"] == [
        {"text": "Home", "reason": "outside"}, {"text": "World", "reason": "outside"},
        {"text": "Most read: Ferry fares rise again", "reason": "outside"}]


RECIPE_PAGE = ("<html><body><nav><a href='/'>Home</a> <a href='/cakes'>Cakes</a></nav><article><h1>Lemon cake</h1><p>This lemon cake is the one "
               "my grandmother baked every Sunday, and it has never failed me in forty years.</p><h2>Ingredients</h2>"
               "<ul><li>6 eggs</li><li>200 g sugar</li></ul><p>Beat the eggs with the sugar until the mixture is pale "
               "and thick, then fold in the flour.</p></article><footer>© 2024 Baking Blog</footer></body></html>")


def test_issue27_an_html_page_keeps_the_lines_its_main_content_has(client):
    article = client.post("/api/v1/summarize", json={"text": RECIPE_PAGE, "format": "html"}).json["article"]
    assert article["title"] == "Lemon cake"
    assert [block["text"] for block in article["blocks"]][1:4] == ["Ingredients", "6 eggs", "200 g sugar"]
    assert article["removed"] == [{"text": "Home Cakes", "reason": "outside"}, {"text": "© 2024 Baking Blog", "reason": "outside"}]
    # the same text pasted as scraped text is cleaned without that trust
    pasted = client.post("/api/v1/summarize", json={"text": "Lemon cake\n" + "\n".join(
        block["text"] for block in article["blocks"])}).json["article"]
    assert {"text": "Ingredients", "reason": "boilerplate"} in pasted["removed"]


def test_summarize_needs_no_pack(client):
    response = client.post("/api/v1/summarize", json={"text": HARBOUR, "summary": "50%", "method": "news"})
    assert response.status_code == 200
    assert response.json["summary"] == {"method": "news", "indices": [0, 2], "sentences": [
        LEAD, "Operators said traffic would be back to normal by Friday."]}
    assert "translations" not in response.json


def test_languages_lists_installed_reachable_and_missing(client, install):
    install("de_en", "en_ar", "en_de")
    body = client.get("/api/v1/languages").json
    assert [p["code"] for p in body["installed"]] == ["translate-de_en", "translate-en_ar", "translate-en_de"]
    assert body["pairs"] == [{"source": "de", "target": "ar", "via": "en"}, {"source": "de", "target": "en", "via": None},
                             {"source": "en", "target": "ar", "via": None}, {"source": "en", "target": "de", "via": None}]
    assert [m["code"] for m in body["missing"]] == ["translate-en_ru", "translate-ar_en", "translate-ru_en"]
    assert body["missing"][0]["fix"].startswith("copy translate-en_ru-1_9.argosmodel (from https://argos-net.com/")


KNOWN = "ar, de, en, es, fr, it, nl, pl, pt, ru, tr, uk"
BAD_REQUESTS = [
    ("malformed-json", {"data": "{oops", "content_type": "application/json"},
     'the request body is not valid JSON: send an object such as {"text": "...", "targets": ["de"]}'),
    ("json-not-an-object", {"json": ["text"]}, 'the JSON body must be an object, such as {"text": "...", "targets": ["de"]}'),
    ("missing-text", {"json": {"targets": ["de"]}}, "field 'text' is missing: send the text to work on"),
    ("text-not-a-string", {"json": {"text": 42}}, "field 'text' must be a string"),
    ("empty-text", {"json": {"text": "  \n"}}, "field 'text' is empty: send the text to work on"),
    ("lone-surrogate", {"data": '{"text": "a \\ud800 b"}', "content_type": "application/json"},
     "field 'text' holds characters that are not valid Unicode (lone surrogates)"),
    ("targets-wrong-type", {"json": {"text": HARBOUR, "targets": 3}},
     'field \'targets\' must be a list of language codes or a comma-separated string, e.g. ["ar", "de", "ru"]'),
    ("unknown-target", {"json": {"text": HARBOUR, "targets": ["de", "xx"]}},
     f"field 'targets': 'xx' is not a language newsdesk knows; use one of: {KNOWN}"),
    ("unknown-source", {"json": {"text": HARBOUR, "source": "klingon"}},
     f"field 'source': 'klingon' is not a language newsdesk knows; use 'auto' or one of: {KNOWN}"),
    ("unknown-method", {"json": {"text": HARBOUR, "method": "best"}},
     "field 'method' must be one of: news, lexrank, lsa, luhn, textrank, edmundson, sumbasic, kl"),
    ("unknown-format", {"json": {"text": HARBOUR, "format": "pdf"}}, "field 'format' must be one of: text, html"),
    ("bad-summary", {"json": {"text": HARBOUR, "summary": "many"}},
     "summary length 'many' is not usable: give a number of sentences (e.g. 5) or a percentage of the article (e.g. 20%)"),
    ("summary-wrong-type", {"json": {"text": HARBOUR, "summary": [5]}},
     'field \'summary\' must be a number of sentences (e.g. 5) or a percentage (e.g. "20%")'),
]


@pytest.mark.parametrize("request_args, message", [c[1:] for c in BAD_REQUESTS], ids=[c[0] for c in BAD_REQUESTS])
def test_bad_input_is_a_400_naming_the_field(client, install, request_args, message):
    install("en_de")
    response = client.post("/api/v1/process", **request_args)
    assert (response.status_code, response.json) == (400, {"error": message})


def test_text_over_the_character_limit_is_413(client):
    response = client.post("/api/v1/process", json={"text": "word " * 1001})
    assert (response.status_code, response.json) == (413, {"error": (
        "field 'text' has 5,005 characters; the limit is 5,000 (NEWSDESK_MAX_CHARACTERS): send a shorter text")})


def test_a_body_over_the_byte_limit_is_refused_before_it_is_read(client):
    response = client.post("/api/v1/process", data=b"x" * 30_000, content_type="application/json")
    assert (response.status_code, response.json) == (413, {"error": (
        "the request body is over the limit of 20,000 bytes (NEWSDESK_MAX_REQUEST_BYTES): send less")})


def test_missing_packs_are_503_with_the_fix_and_the_list(client, install, settings):
    install("en_de")
    response = client.post("/api/v1/process", json={"text": HARBOUR, "targets": ["ar", "de", "ru"]})
    assert response.status_code == 503
    assert response.json["missing"] == ["en->ar", "en->ru"]
    assert response.json["error"] == (
        f"no en->ar language pack is installed: put translate-en_ar-*.argosmodel in {settings.langpacks_dir}/ and run "
        "`newsdesk langpacks install`, or run `newsdesk langpacks install --download` where the internet is reachable; "
        f"no en->ru language pack is installed: put translate-en_ru-*.argosmodel in {settings.langpacks_dir}/ and run "
        "`newsdesk langpacks install`, or run `newsdesk langpacks install --download` where the internet is reachable")


@pytest.mark.parametrize("method, path, status", [
    ("get", "/api/v1/nope", 404), ("get", "/api/v1/process", 405), ("get", "/translate", 405), ("put", "/detect", 405),
])
def test_wrong_paths_and_methods_answer_json(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert set(response.json) == {"error"}


def test_the_request_id_is_passed_through_and_an_internal_error_has_no_traceback(client, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("service.http.api.process", explode)
    response = client.post("/api/v1/process", json={"text": HARBOUR}, headers={"X-Request-Id": "desk-42"})
    assert response.status_code == 500
    assert response.headers["X-Request-Id"] == "desk-42"
    assert response.json == {"error": "internal error; the server log has the details (request id desk-42)"}
    assert "secret detail" not in response.get_data(as_text=True)
    assert "request desk-42 failed" in caplog.text and "secret detail" in caplog.text


# --- LibreTranslate ------------------------------------------------------------------


def test_translate_like_libretranslate(client, install):
    install("en_de")
    response = client.post("/translate", json={"q": "Hello world. Ships wait.\n\nNew line.", "source": "auto", "target": "de"})
    assert response.status_code == 200
    assert response.json["translatedText"] == "<de> Hello world. <de> Ships wait.\n\n<de> New line."
    assert response.json["detectedLanguage"]["language"] == "en"
    listed = client.post("/translate", data={"q": "Hello world.", "source": "en", "target": "de"}).json
    assert listed == {"translatedText": "<de> Hello world."}


def test_translate_a_list_and_html(client, install):
    install("en_de")
    body = client.post("/translate", json={"q": ["Hello world.", "Ships wait."], "source": "en", "target": "de"}).json
    assert body == {"translatedText": ["<de> Hello world.", "<de> Ships wait."]}
    html = client.post("/translate", json={"q": '<p class="x">Hello <b>world</b>.</p>', "source": "en", "target": "de",
                                           "format": "html"}).json
    # Tags and attributes stay; the paragraph is translated as one sentence (one "<de>" tag, which
    # is text, so it comes back escaped) and the bold word stays on the word that renders it.
    assert html == {"translatedText": '<p class="x">&lt;de&gt; Hello <b>world</b>.</p>'}


def test_translate_errors(client, install, settings):
    """In LibreTranslate's words, newsdesk's explanation beside them (issue 20; tests/test_libretranslate.py has them all)."""
    install("en_de")
    assert client.post("/translate", json={"target": "de"}).json == {
        "error": "Invalid request: missing q parameter",
        "explanation": "field 'q' is missing: send the text to translate (a string or a list of strings)"}
    missing = client.post("/translate", json={"q": "Hello.", "source": "en", "target": "ru"})
    assert (missing.status_code, missing.json) == (400, {
        "error": "ru is not supported",
        "explanation": (f"no en->ru language pack is installed: put translate-en_ru-*.argosmodel in {settings.langpacks_dir}/ "
                        "and run `newsdesk langpacks install`, or run `newsdesk langpacks install --download` where the "
                        "internet is reachable"),
        "missing": ["en->ru"]})


def test_languages_and_detect_like_libretranslate(client, install):
    install("en_de", "en_ru", "de_en")
    assert client.get("/languages").json == [  # every language, as LibreTranslate lists them (issue 20)
        {"code": "de", "name": "German", "targets": ["en", "ru"]},
        {"code": "en", "name": "English", "targets": ["de", "ru"]},
        {"code": "ru", "name": "Russian", "targets": []}]
    detected = client.post("/detect", data={"q": "Die Hafenarbeiter haben den Streik beendet."}).json
    assert detected[0]["language"] == "de" and detected[0]["confidence"] > 90


def test_a_real_libretranslate_client_works_unchanged(live_url, install):
    from libretranslatepy import LibreTranslateAPI

    install("en_de", "en_ru")
    client = LibreTranslateAPI(live_url)
    assert client.translate("Hello world.", "en", "de") == "<de> Hello world."
    assert client.translate("Ships wait.", "auto", "ru") == "<ru> Ships wait."
    assert client.detect("Dock workers in Rotterdam ended their strike on Tuesday.")[0]["language"] == "en"
    assert client.languages() == [{"code": "de", "name": "German", "targets": []},
                                  {"code": "en", "name": "English", "targets": ["de", "ru"]},
                                  {"code": "ru", "name": "Russian", "targets": []}]


def test_openapi_document_is_served(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    assert set(document["paths"]) == {"/api/v1/process", "/api/v1/summarize", "/api/v1/languages", "/api/v1/stats",
                                      "/api/v1/jobs", "/api/v1/jobs/{job_id}", "/api/v1/jobs/{job_id}/result",
                                      "/health", "/ready", "/translate", "/translate_file", "/download_file/{filename}",
                                      "/languages", "/detect", "/suggest", "/frontend/settings", "/spec",
                                      "/api/v1/openapi.json", "/metrics", "/api/v1/glossary", "/api/v1/glossary/changes",
                                      "/api/v1/glossary/restore", "/api/v1/memory"}


def test_stats_report_the_sentence_cache_hit_rate(client, install):
    install("en_de")
    for _ in range(2):
        client.post("/api/v1/process", json={"text": HARBOUR, "targets": ["de"]})
    body = client.get("/api/v1/stats").json
    # 6 segments a time (title, 4 sentences, 1 heading; the empty teaser is not asked): 6 misses, then 6 hits
    assert body["sentence_cache"] == {"entries": 6, "capacity": 50000, "hits": 6, "misses": 6, "hit_rate": 0.5}
    assert body["loaded"] == ["en->de"]


def test_a_pack_removed_while_serving_fails_only_its_pair_and_recovers_when_reinstalled(client, install, settings, packs):
    from service.translation import packs as langpacks

    install("en_de", "en_ru")
    assert client.post("/api/v1/process", json={"text": HARBOUR, "targets": ["ru"]}).status_code == 200
    langpacks.remove_pack(settings, "en_ru")
    gone = client.post("/api/v1/process", json={"text": HARBOUR, "targets": ["ru"]})
    assert (gone.status_code, gone.json["missing"]) == (503, ["en->ru"])
    assert client.post("/api/v1/process", json={"text": HARBOUR, "targets": ["de"]}).status_code == 200
    langpacks.install_archive(packs["en_ru"], settings)
    back = client.post("/api/v1/process", json={"text": HARBOUR, "targets": ["ru"]})
    assert back.status_code == 200 and back.json["translations"]["ru"]["title"] == "<ru> Harbour strike ends"


def test_a_pack_whose_model_is_broken_is_a_503_for_that_pair(client, install, settings):
    install("en_de", "en_ru")
    (settings.packages_dir / "translate-en_ru" / "model" / "model.bin").write_bytes(b"not a model")
    broken = client.post("/api/v1/process", json={"text": HARBOUR, "targets": ["ru"]})
    assert broken.status_code == 503
    assert broken.json["error"].startswith("translate-en_ru: its model cannot be loaded (")
    assert broken.json["error"].endswith("check it with `newsdesk langpacks verify` and reinstall it")
    assert client.post("/api/v1/process", json={"text": HARBOUR, "targets": ["de"]}).status_code == 200


def test_freed_memory_is_given_back_when_the_last_request_in_flight_ends(client, install, monkeypatch):
    """Beam search leaves hundreds of MB freed but kept by glibc; they are handed back once
    no request is in flight (the figures are in docs/benchmarks.md)."""
    from service.translation import heap

    released = []
    monkeypatch.setattr(heap, "release_freed_memory", lambda: released.append(True))
    install("en_de")
    first = client.post("/api/v1/process", json={"text": HARBOUR, "targets": ["de"]})
    second = client.post("/api/v1/process", json={"text": HARBOUR, "targets": ["de"]})
    assert (first.status_code, second.status_code, released) == (200, 200, [])  # both bodies still unsent
    first.close()
    assert released == []  # the second request is still in flight
    second.close()
    assert released == [True]
    client.get("/api/v1/languages").close()
    assert released == [True]  # reads are not counted
