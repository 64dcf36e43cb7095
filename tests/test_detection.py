"""source=auto through the pipeline and every HTTP door: detected among the languages the
installed packs translate from, never a 503 for a language nobody asked for (issue 13)."""

from __future__ import annotations

import pytest

from service.errors import InvalidInput, LanguagePackMissing
from service.pipeline import process, summarize_article

ONLY_FROM_ENGLISH = ("en_de", "en_ru", "en_ar")
BOTH_WAYS = ("en_de", "de_en")
GERMAN = "Die Hafenarbeiter in Rotterdam haben ihren fünftägigen Streik am Dienstag beendet."
FRENCH = ("Les dockers de Rotterdam ont mis fin mardi à une grève de cinq jours après que les syndicats ont accepté "
          "une nouvelle offre salariale des exploitants du port.")


@pytest.fixture
def app(make_app):
    return make_app()


def missing_fr_de(settings) -> str:
    return (f"no fr->de language pack is installed (nor fr->en->de): put translate-fr_en-*.argosmodel in "
            f"{settings.langpacks_dir}/ and run `newsdesk langpacks install`, or run "
            "`newsdesk langpacks install --download` where the internet is reachable")


# --- the pipeline ---------------------------------------------------------------------


@pytest.mark.parametrize("installed, text, source, confidence", [
    (ONLY_FROM_ENGLISH, "Hello.", "en", 0.143),  # issue 13: was Italian, then a 503 for it->en
    (ONLY_FROM_ENGLISH, "OK", "en", 0.0),
    (ONLY_FROM_ENGLISH, "<script>alert(1)</script>", "en", 0.199),
    (BOTH_WAYS, GERMAN, "de", 1.0),
    ((), "Hello.", "en", 0.143),  # no pack at all: English, and then the en->de pack is what is missing
], ids=["hello", "ok", "script", "german", "no-packs"])
def test_process_detects_among_the_installed_sources(settings, install, installed, text, source, confidence):
    install(*installed)
    if not installed:
        with pytest.raises(LanguagePackMissing, match=r"^no en->de language pack is installed: "):
            process(text, targets=["de"], settings=settings)
        return
    result = process(text, targets=["de"], settings=settings)
    assert (result.source, result.source_confidence) == (source, confidence)


def test_process_asks_for_the_source_when_several_could_be_meant(settings, install):
    install(*BOTH_WAYS)
    with pytest.raises(InvalidInput) as caught:
        process("Hello.", targets=["de"], settings=settings)
    assert str(caught.value) == ("could not tell the language of the article (best guess: it, confidence 0.20): "
                                 "send source=de or en")


def test_process_names_a_surely_detected_language_and_its_missing_pack(settings, install):
    install(*ONLY_FROM_ENGLISH)
    with pytest.raises(LanguagePackMissing) as caught:
        process(FRENCH, targets=["de"], settings=settings)
    assert str(caught.value) == ("the article was detected as fr (confidence 1.00; send source= to say otherwise): "
                                 + missing_fr_de(settings))
    assert caught.value.pairs == ("fr->de",)


def test_a_surely_detected_language_that_is_the_target_needs_no_pack(settings, install):
    install("en_de")
    result = process(GERMAN, targets=["de"], settings=settings)
    assert (result.source, result.source_confidence) == ("de", 1.0)
    assert result.translations["de"].sentences == (GERMAN,)


@pytest.mark.parametrize("text, source, confidence", [
    ("Hello.", "en", 0.143),  # weak: English
    ("OK", "en", 0.0),
    (FRENCH, "fr", 1.0),  # a summary works in any newsroom language, no pack needed
    (GERMAN, "de", 1.0),
], ids=["hello", "ok", "french", "german"])
def test_summaries_need_no_pack_and_fall_back_to_english(text, source, confidence):
    result = summarize_article(text)
    assert (result.source, result.source_confidence) == (source, confidence)


# --- LibreTranslate's /translate and /detect --------------------------------------------


@pytest.mark.parametrize("installed, q, body", [
    (ONLY_FROM_ENGLISH, "Hello.",
     {"translatedText": "<de> Hello.", "detectedLanguage": {"confidence": 14.3, "language": "en"}}),
    (ONLY_FROM_ENGLISH, "OK", {"translatedText": "<de> OK", "detectedLanguage": {"confidence": 0.0, "language": "en"}}),
    (ONLY_FROM_ENGLISH, "a" * 30,
     {"translatedText": "<de> " + "a" * 30, "detectedLanguage": {"confidence": 3.1, "language": "en"}}),
    (BOTH_WAYS, "Die Hafenarbeiter haben den Streik beendet.",
     {"translatedText": "<en> Die Hafenarbeiter haben den Streik beendet.",
      "detectedLanguage": {"confidence": 99.9, "language": "de"}}),
    (BOTH_WAYS, ["Dock workers in Rotterdam ended their strike.", "Die Hafenarbeiter haben den Streik beendet."],
     {"translatedText": ["Dock workers in Rotterdam ended their strike.",
                         "<en> Die Hafenarbeiter haben den Streik beendet."],
      "detectedLanguage": [{"confidence": 99.2, "language": "en"}, {"confidence": 99.9, "language": "de"}]}),
], ids=["hello-only-from-english", "ok", "aaaa", "german", "a-list-of-two-languages"])
def test_translate_detects_among_the_installed_sources(client, install, installed, q, body):
    install(*installed)
    target = "de" if installed == ONLY_FROM_ENGLISH else "en"
    response = client.post("/translate", json={"q": q, "source": "auto", "target": target})
    assert (response.status_code, response.json) == (200, body)


def test_translate_detects_html_by_its_text_not_its_tags(client, install):
    install(*BOTH_WAYS)
    response = client.post("/translate", json={"q": "<p class='lead'>Die Hafenarbeiter haben den Streik beendet.</p>",
                                               "source": "auto", "target": "en", "format": "html"})
    assert response.status_code == 200
    assert response.json["detectedLanguage"] == {"confidence": 99.9, "language": "de"}


@pytest.mark.parametrize("q, error", [
    ("Hello.", "could not tell the language of the text (best guess: it, confidence 0.20): send source=de or en"),
    ("<script>alert(1)</script>",
     "could not tell the language of the text (best guess: es, confidence 0.28): send source=de or en"),
    ("OK", "the text is too short to tell its language (2 letters; 3 or more are needed): send source=de or en"),
    ("12 34 !!", "the text has no letters to tell its language by: send source=de or en"),
    (["Dock workers in Rotterdam ended their strike.", "OK"],
     "q[1] is too short to tell its language (2 letters; 3 or more are needed): send source=de or en"),
], ids=["hello", "script", "ok", "no-letters", "one-of-a-list"])
def test_translate_asks_for_the_source_when_several_could_be_meant(client, install, q, error):
    install(*BOTH_WAYS)
    response = client.post("/translate", json={"q": q, "source": "auto", "target": "de"})
    assert (response.status_code, response.json) == (400, {"error": error})


def test_translate_names_a_surely_detected_language_and_its_missing_pack(client, install, settings):
    install(*ONLY_FROM_ENGLISH)
    response = client.post("/translate", json={"q": FRENCH, "source": "auto", "target": "de"})
    assert response.status_code == 400  # LibreTranslate's words and status, newsdesk's explanation (issue 20)
    assert response.json == {
        "error": "fr is not supported",
        "explanation": "the text was detected as fr (confidence 1.00; send source= to say otherwise): "
                       + missing_fr_de(settings),
        "missing": ["fr->de"]}


@pytest.mark.parametrize("installed, q, body", [
    (BOTH_WAYS, "Die Hafenarbeiter haben den Streik beendet.", [{"confidence": 99.9, "language": "de"}]),
    (BOTH_WAYS, "Hello.", [{"confidence": 14.3, "language": "en"}]),
    (BOTH_WAYS, FRENCH, [{"confidence": 0.0, "language": "en"}]),  # among the loaded languages, as LibreTranslate
    ((), "Hello.", [{"confidence": 20.3, "language": "it"}]),  # no pack: among the newsroom languages
    ((), FRENCH, [{"confidence": 100.0, "language": "fr"}]),
    ((), "OK", [{"confidence": 0.0, "language": "en"}]),
], ids=["german", "hello", "french-not-loaded", "no-packs-hello", "no-packs-french", "no-packs-ok"])
def test_detect_answers_among_the_installed_languages(client, install, installed, q, body):
    install(*installed)
    response = client.post("/detect", json={"q": q})
    assert (response.status_code, response.json) == (200, body)


# --- the newsdesk API -----------------------------------------------------------------


@pytest.mark.parametrize("installed, text, status, body", [
    (ONLY_FROM_ENGLISH, "Hello.", 200, {"language": "en", "confidence": 0.143}),
    (BOTH_WAYS, "Hello.", 400, {"error": "could not tell the language of the article (best guess: it, confidence 0.20): "
                                         "send source=de or en"}),
    (BOTH_WAYS, "OK", 400, {"error": "the article is too short to tell its language (2 letters; 3 or more are "
                                     "needed): send source=de or en"}),
], ids=["hello-only-from-english", "hello-both-ways", "ok-both-ways"])
def test_process_endpoint_detects_among_the_installed_sources(client, install, installed, text, status, body):
    install(*installed)
    response = client.post("/api/v1/process", json={"text": text, "targets": ["de"]})
    assert response.status_code == status
    assert (response.json["source"] if status == 200 else response.json) == body


@pytest.mark.parametrize("text, source", [
    ("Hello.", {"language": "en", "confidence": 0.143}),
    (FRENCH, {"language": "fr", "confidence": 1.0}),
], ids=["hello", "french"])
def test_summarize_endpoint_needs_no_pack(client, text, source):
    response = client.post("/api/v1/summarize", json={"text": text})
    assert response.status_code == 200
    assert response.json["source"] == source


# --- the CLI --------------------------------------------------------------------------


def test_cli_process_asks_for_the_source_and_takes_it(settings, install, monkeypatch, capsys, tmp_path):
    from service.cli import main

    install(*BOTH_WAYS)
    monkeypatch.setenv("NEWSDESK_PACKAGES_DIR", str(settings.packages_dir))
    monkeypatch.setenv("NEWSDESK_LANGPACKS_DIR", str(settings.langpacks_dir))
    article = tmp_path / "hello.txt"
    article.write_text("Hello.\n")
    assert main(["process", str(article), "--to", "de"]) == 1
    assert capsys.readouterr().err == (f"error: {article}: could not tell the language of the article (best guess: it, "
                                       "confidence 0.20): send source=de or en\n1 of 1 files failed\n")
    assert main(["process", str(article), "--to", "de", "--source", "en"]) == 0
    assert capsys.readouterr().out == f"{tmp_path / 'hello.de.md'}\n{tmp_path / 'hello.newsdesk.json'}\n"
