"""The whole pipeline, end to end, through generated language packs (no faked translation)."""

from __future__ import annotations

from pathlib import Path

import pytest

from service import translation
from service.errors import InvalidInput, LanguagePackMissing, UnsupportedLanguage
from service.pipeline import process, summarize_article

HARBOUR = (Path(__file__).parent / "data" / "harbour_strike.txt").read_text()
SENTENCES = (
    "Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer from port operators.",
    'According to union spokesman J. de Vries, "the offer meets our main demands."',
    "Operators said traffic would be back to normal by Friday.",
    "The strike forced several shipping lines to divert vessels to Antwerp and Hamburg.",
)
GERMAN = """Hafenstreik beendet

Die Hafenarbeiter in Rotterdam haben ihren fünftägigen Streik am Dienstag beendet, nachdem die Gewerkschaften ein neues Angebot angenommen hatten.

Die Betreiber sagten, der Verkehr werde bis Freitag wieder normal laufen. Die Reedereien hatten ihre Schiffe nach Antwerpen umgeleitet.
"""


def test_an_english_article_into_german_and_russian(settings, install):
    install("en_de", "en_ru")
    result = process(HARBOUR, targets=["de", "ru"], summary=2, settings=settings)
    assert result.source == "en" and result.source_confidence > 0.9
    assert result.article.title == "Harbour strike ends"
    assert result.sentences == SENTENCES
    assert result.paragraph_index == (0, 1, 1, 3)
    assert result.summary == (0, 2)  # the news method passes over the quote
    for code in ("de", "ru"):
        item = result.translations[code]
        assert item.title == f"<{code}> Harbour strike ends"
        assert item.teaser == ""
        assert item.headings == (f"<{code}> Ships diverted to Antwerp",)
        assert item.sentences == tuple(f"<{code}> {s}" for s in SENTENCES)
        assert item.summary == (item.sentences[0], item.sentences[2])  # taken from the full text
        assert result.pairs(code)[3] == (SENTENCES[3], f"<{code}> {SENTENCES[3]}")
    assert set(result.timings) == {"clean", "sentences", "summary", "translate_de", "translate_ru", "total"}


def test_a_german_article_is_summarized_in_german_and_pivots_once_through_english(settings, install, monkeypatch):
    install("de_en", "en_ar", "en_ru")
    calls = []
    real = translation.translate_detailed
    monkeypatch.setattr(translation, "translate_detailed",
                        lambda s, a, b, *rest, **options: calls.append((a, b)) or real(s, a, b, *rest, **options))
    result = process(GERMAN, targets=["ar", "en", "ru"], summary=1, settings=settings)
    assert result.source == "de"
    assert result.article.title == "Hafenstreik beendet"
    assert len(result.sentences) == 3
    assert result.summary == (0,)
    assert result.translations["en"].sentences[0] == "<en> " + result.sentences[0]
    assert result.translations["ar"].sentences[0] == "<ar> <en> " + result.sentences[0]
    assert result.translations["ru"].title == "<ru> <en> Hafenstreik beendet"
    assert sorted(calls) == [("de", "en"), ("en", "ar"), ("en", "ru")]


def test_the_source_language_as_a_target_is_the_text_itself(settings, install):
    install("en_de")
    result = process(HARBOUR, targets=["en", "de"], source="en", settings=settings)
    assert result.source_confidence is None
    assert result.translations["en"].sentences == SENTENCES


def test_missing_packs_are_all_named_before_any_work(settings, install):
    install("en_de")
    with pytest.raises(LanguagePackMissing) as caught:
        process(HARBOUR, targets=["ar", "de", "ru"], settings=settings)
    message = str(caught.value)
    assert message.startswith("no en->ar language pack is installed: put translate-en_ar-*.argosmodel in ")
    assert "; no en->ru language pack is installed: put translate-en_ru-*.argosmodel in " in message
    assert "en->de" not in message


@pytest.mark.parametrize("text", ["", "   \n "], ids=["empty", "blank"])
def test_an_empty_article_is_refused(settings, text):
    with pytest.raises(InvalidInput, match="^the article is empty: paste or upload the text of a news article$"):
        process(text, targets=["de"], settings=settings)


def test_a_bad_target_is_refused(settings):
    with pytest.raises(UnsupportedLanguage, match="^'German' is not a language code"):
        process(HARBOUR, targets=["German"], settings=settings)


def test_targets_may_be_a_comma_separated_string(settings, install):
    install("en_de", "en_ru")
    assert list(process(HARBOUR, targets="de, ru", settings=settings).translations) == ["de", "ru"]


def test_summary_only_needs_no_pack(settings):
    result = summarize_article(HARBOUR, summary="50%")
    assert result.summary_sentences == [SENTENCES[0], SENTENCES[2]]
    assert dict(result.translations) == {}


# Issue 13: the same made-up page in four languages, with a quotation that opens with one
# quote mark and closes with another, through cleaning, splitting, detection and summary.
ISSUE13_PAGES = [
    ("en", "strike_short_title_en.txt", "Dock workers in Rotterdam ended",
     'The union leader said: “We have won the most important point." Talks continue next week.',
     "Strike ends", ("Author: Anna Example (Reuters, dpa)", "Editor: Ben Example"),
     ("The US State Department has admitted that officials met.",
      "Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer from port operators.",
      'The union leader said: “We have won the most important point."',
      "Talks continue next week.",
      "Operators said traffic would be back to normal by Friday, according to the port authority.",
      "The strike forced several shipping lines to divert vessels to Antwerp and Hamburg.")),
    ("de", "hafenstreik_de.txt", "Die Hafenarbeiter in Rotterdam",
     'Der Gewerkschaftschef sagte: „Wir haben das Wichtigste erreicht." Die Gespräche gehen weiter.',
     "Hafenstreik beendet", ("Autorin: Anna Beispiel (dpa, Reuters)", "Redaktion: Ben Beispiel"),
     ("Nach fünf Tagen ist der Hafen wieder offen.",
      "Die Hafenarbeiter in Rotterdam haben ihren fünftägigen Streik am Dienstag beendet, nachdem die Gewerkschaften "
      "ein neues Angebot der Betreiber angenommen hatten.",
      'Der Gewerkschaftschef sagte: „Wir haben das Wichtigste erreicht."',
      "Die Gespräche gehen weiter.",
      "Die Betreiber sagten, der Verkehr im Hafen werde bis Freitag wieder ganz normal laufen.",
      "Mehrere Reedereien hatten ihre Schiffe während des Streiks nach Antwerpen und Hamburg umgeleitet.")),
    ("ru", "zabastovka_ru.txt", "Портовые рабочие",
     'Глава профсоюза сказал: «Мы добились главного." Переговоры продолжатся на следующей неделе.',
     "Забастовка окончена", ("Автор: Анна Пример", "Редактор: Борис Пример"),
     ("Через пять дней порт снова открыт.",
      "Портовые рабочие в Роттердаме во вторник прекратили пятидневную забастовку после того, как профсоюзы приняли "
      "новое предложение.",
      'Глава профсоюза сказал: «Мы добились главного."',
      "Переговоры продолжатся на следующей неделе.",
      "Операторы заявили, что движение в порту вернется к норме к пятнице, сообщили в администрации.")),
    ("ar", "idrab_ar.txt", "أنهى عمال الميناء",
     'وقال رئيس النقابة، في بيان: “لقد حققنا أهم مطالبنا." وتستمر المحادثات، الأسبوع المقبل.',
     "انتهاء الإضراب", ("الكاتبة: آنا مثال", "تحرير: بن مثال"),
     ("بعد خمسة أيام عاد الميناء إلى العمل.",
      "أنهى عمال الميناء في روتردام يوم الثلاثاء إضرابا استمر خمسة أيام بعد أن قبلت النقابات عرضا جديدا من الشركات المشغلة.",
      'وقال رئيس النقابة، في بيان: “لقد حققنا أهم مطالبنا."',
      "وتستمر المحادثات، الأسبوع المقبل.",
      "قالت الشركات المشغلة إن حركة السفن في الميناء ستعود إلى طبيعتها بحلول يوم الجمعة المقبل.")),
]


@pytest.mark.parametrize("lang, name, after, quotation, title, byline, sentences",
                         ISSUE13_PAGES, ids=[f"issue13-{page[0]}" for page in ISSUE13_PAGES])
def test_issue13_a_page_in_each_language_end_to_end(lang, name, after, quotation, title, byline, sentences):
    lines = (Path(__file__).parent / "data" / name).read_text().split("\n")
    body = next(index for index, line in enumerate(lines) if line.startswith(after))
    text = "\n".join([*lines[: body + 1], "", quotation, *lines[body + 1 :]])
    result = summarize_article(text, summary=3)
    assert (result.source, result.article.title, result.article.byline) == (lang, title, byline)
    assert result.source_confidence > 0.9
    assert result.sentences == sentences
    assert result.summary == (0, 1, 3)  # the short lead, the main facts, a whole short sentence; not the quotation
