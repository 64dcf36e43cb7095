"""Offline source-language detection: the model's guess, and when it is good enough (issue 13)."""

from __future__ import annotations

import pytest

from service.errors import InvalidInput
from service.stages.language import MIN_CONFIDENCE, NEWSROOM_LANGUAGES, Detection, detect_language, detect_source

NEWSROOM_SOURCES = ("ar", "de", "en", "ru")
FRENCH = ("Les dockers de Rotterdam ont mis fin mardi à une grève de cinq jours après que les syndicats ont accepté "
          "une nouvelle offre salariale des exploitants du port.")
# Text that is no language: never a confident answer (issue 13 measured "OK" as Arabic,
# a <script> snippet as Spanish, "aaaa…" as Portuguese).
JUNK = ["OK", "Hi", "aaaa", "a" * 30, "a" * 300, "AAAAAAAAAAAAAAAA", "asdfghjkl", "xxxxxxxx", "zzz zzz zzz",
        "<script>alert(1)</script>", "<script>alert('xss')</script>", '<script src="https://evil.example/x.js"></script>',
        "<img src=x onerror=alert(1)>", '{"a": 1, "b": [true, false, null]}', "http://example.com/path?query=1",
        "user@example.com", "lorem ipsum dolor sit amet", "hahahahahaha", "Q3 2024 EBITDA +12%", "test", "null",
        "12 34 !!", "😀😀😀", "¯\\_(ツ)_/¯"]


@pytest.mark.parametrize("code, text", [
    ("en", "Dock workers in Rotterdam ended a five-day strike after unions accepted a new pay offer."),
    ("de", "Die Hafenarbeiter in Rotterdam haben ihren fünftägigen Streik beendet, nachdem die Gewerkschaften zustimmten."),
    ("ru", "Докеры в Роттердаме прекратили пятидневную забастовку после того, как профсоюзы приняли предложение."),
    ("ar", "أنهى عمال الموانئ في روتردام إضرابا استمر خمسة أيام بعد أن قبلت النقابات عرضا جديدا للأجور."),
])
def test_detects_the_four_newsroom_languages_confidently(code, text):
    detection = detect_language(text)
    assert detection.code == code
    assert detection.confidence > 0.9


def test_text_without_letters_falls_back_to_english_with_no_confidence():
    assert detect_language("12 34 !!") == Detection("en", 0.0)


@pytest.mark.parametrize("text, candidates, expected", [
    ("Hello.", NEWSROOM_LANGUAGES, Detection("it", 0.203)),  # what issue 13 measured
    ("Hello.", ("en",), Detection("en", 0.143)),  # one candidate does not make the guess certain
    (FRENCH, ("en",), Detection("en", 0.0)),
    (FRENCH, ("de", "en"), Detection("en", 0.0)),
    ("Die Hafenarbeiter haben den Streik beendet.", ("de", "en"), Detection("de", 0.999)),
    ("OK", NEWSROOM_LANGUAGES, Detection("en", 0.0)),  # no letter sequence the model knows
    ("12 34 !!", ("de",), Detection("de", 0.0)),
    ("Hello.", ("zt", "en"), Detection("en", 0.143)),  # a pack code the model does not know is left out
], ids=["newsroom", "english-only", "french-against-english", "french-against-en-de", "german-among-en-de",
        "ok", "no-letters-first-candidate", "unknown-code"])
def test_detects_among_the_candidates_with_a_confidence_against_the_newsroom(text, candidates, expected):
    assert detect_language(text, candidates=candidates) == expected


def test_a_narrow_candidate_set_leaves_the_default_one_alone():
    detect_language("Hello.", candidates=("en",))
    assert detect_language("Hello.") == Detection("it", 0.203)


@pytest.mark.parametrize("text, sources, fallback, expected", [
    ("Hello.", ("en",), "en", Detection("en", 0.143)),  # issue 13: only en->X packs
    ("OK", ("en",), "en", Detection("en", 0.0)),
    ("<script>alert(1)</script>", ("en",), "en", Detection("en", 0.199)),
    ("a" * 30, ("en",), "en", Detection("en", 0.031)),
    ("12 34 !!", ("en",), "en", Detection("en", 0.0)),
    ("Die Hafenarbeiter haben den Streik beendet.", NEWSROOM_SOURCES, None, Detection("de", 0.999)),
    ("Markets fell sharply on Monday.", NEWSROOM_SOURCES, None, Detection("en", 0.994)),
    ("استقال الوزير.", NEWSROOM_SOURCES, None, Detection("ar", 1.0)),
    ("Министр ушёл в отставку.", NEWSROOM_SOURCES, None, Detection("ru", 0.96)),
    (FRENCH, ("en",), "en", Detection("fr", 1.0)),  # sure: the caller says which pack is missing
    ("Le ministre a démissionné.", ("en",), "en", Detection("en", 0.001)),  # fr at 0.979 is not sure enough
    ("Привет.", ("en", "ru"), "ru", Detection("ru", 0.533)),  # ru or uk: weak, the fallback happens to agree
], ids=["hello-fallback", "ok-fallback", "script-fallback", "aaaa-fallback", "no-letters-fallback", "german",
        "english", "arabic", "russian", "sure-french", "short-french-falls-back", "weak-russian-falls-back"])
def test_detect_source_takes_a_good_guess_or_the_fallback(text, sources, fallback, expected):
    assert detect_source(text, sources=sources, fallback=fallback) == expected


@pytest.mark.parametrize("text, label, message", [
    ("Hello.", "the text", "could not tell the language of the text (best guess: it, confidence 0.20): "
                           "send source=ar, de, en or ru"),
    ("<script>alert(1)</script>", "the text", "could not tell the language of the text (best guess: es, "
                                              "confidence 0.28): send source=ar, de, en or ru"),
    ("a" * 30, "q[2]", "could not tell the language of q[2] (best guess: nl, confidence 0.23): "
                       "send source=ar, de, en or ru"),
    ("Привет.", "the article", "could not tell the language of the article (best guess: ru, confidence 0.53): "
                               "send source=ar, de, en or ru"),
    ("OK", "the text", "the text is too short to tell its language (2 letters; 3 or more are needed): "
                       "send source=ar, de, en or ru"),
    ("لا", "the text", "the text is too short to tell its language (2 letters; 3 or more are needed): "
                       "send source=ar, de, en or ru"),
    ("12 34 !!", "the text", "the text has no letters to tell its language by: send source=ar, de, en or ru"),
    ("test", "the text", "could not tell the language of the text: send source=ar, de, en or ru"),
], ids=["hello", "script", "aaaa", "ru-or-uk", "ok", "short-arabic", "no-letters", "nothing-known"])
def test_detect_source_without_a_fallback_asks_for_the_language(text, label, message):
    with pytest.raises(InvalidInput) as caught:
        detect_source(text, sources=NEWSROOM_SOURCES, label=label)
    assert str(caught.value) == message


def test_two_sources_are_named_with_or():
    with pytest.raises(InvalidInput, match=r": send source=de or en$"):
        detect_source("Hello.", sources=("en", "de"))


@pytest.mark.parametrize("text", JUNK)
def test_junk_is_never_a_confident_answer(text):
    assert detect_language(text).confidence < MIN_CONFIDENCE
    assert detect_source(text, sources=NEWSROOM_SOURCES, fallback="en").code == "en"
