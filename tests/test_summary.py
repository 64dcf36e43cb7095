"""Extractive summaries: methods, lengths, the news default's rules, long documents."""

from __future__ import annotations

import pytest

from service.errors import InvalidInput
from service.summary import METHODS, summarize, summary_length

ARTICLE = [
    "Dock workers in Rotterdam ended a five-day strike on Tuesday after unions accepted a new pay offer from port operators.",
    "The deal raises wages by four per cent this year and by three per cent next year.",
    "He said the talks had been hard.",
    '"We are pleased," said union spokesman Jan de Vries.',
    "Operators said traffic would be back to normal by Friday.",
    "Cranes at the terminal",
    "Several shipping lines had diverted vessels to Antwerp and Hamburg during the strike.",
    "Port officials expect a backlog of containers to take about two weeks to clear.",
]


@pytest.mark.parametrize("method, expected", [
    ("news", [0, 1, 2]), ("lexrank", [0, 1, 2]), ("lsa", [0, 6, 7]), ("luhn", [0, 1, 2]), ("textrank", [0, 1, 2]),
    ("edmundson", [0, 1, 7]), ("sumbasic", [0, 1, 2]), ("kl", [0, 4, 6]),
])
def test_each_method_picks_three_sentences_in_document_order(method, expected):
    assert summarize(ARTICLE, "en", 3, method) == expected


def test_news_passes_over_a_caption_at_the_top():
    sentences = ["Cranes at the terminal", ARTICLE[0], ARTICLE[1]]
    assert summarize(sentences, "en", 1) == [1]


def test_news_prefers_a_plain_statement_to_a_quote():
    sentences = [ARTICLE[0], ARTICLE[3], "Operators expect the traffic in the port to be back to normal by Friday."]
    assert summarize(sentences, "en", 2) == [0, 2]


@pytest.mark.parametrize("length, total, count", [(5, 40, 5), ("5", 40, 5), ("20%", 40, 8), ("1%", 40, 1), ("100%", 7, 7),
                                                  ("12.5%", 8, 1)])
def test_lengths_as_counts_or_percentages(length, total, count):
    assert summary_length(length, total) == count


@pytest.mark.parametrize("length", [0, "-3", "abc", "0%", "150%", "%"])
def test_a_bad_length_says_what_to_give(length):
    with pytest.raises(InvalidInput) as caught:
        summary_length(length, 10)
    assert str(caught.value) == (f"summary length {length!r} is not usable: give a number of sentences (e.g. 5) "
                                 "or a percentage of the article (e.g. 20%)")


def test_an_unknown_method_lists_the_methods():
    with pytest.raises(InvalidInput) as caught:
        summarize(ARTICLE, "en", 3, "magic")
    assert str(caught.value) == ("unknown summary method 'magic'; use one of: news, lexrank, lsa, luhn, textrank, "
                                 "edmundson, sumbasic, kl")


def test_asking_for_more_than_there_is_returns_everything():
    assert summarize(ARTICLE[:3], "en", 10) == [0, 1, 2]
    assert summarize([], "en", 3) == []


@pytest.mark.parametrize("lang, sentences", [
    ("de", ["Die Hafenarbeiter in Rotterdam haben ihren Streik am Dienstag beendet.", "Er dauerte fünf Tage.",
            "Die Reedereien hatten Schiffe nach Antwerpen umgeleitet.", "Der Verkehr soll am Freitag wieder normal laufen."]),
    ("ru", ["Докеры в Роттердаме во вторник прекратили забастовку.", "Она длилась пять дней.",
            "Судоходные компании перенаправили суда в Антверпен.", "К пятнице движение должно нормализоваться."]),
    ("ar", ["أنهى عمال الموانئ في روتردام إضرابهم يوم الثلاثاء.", "استمر الإضراب خمسة أيام.",
            "حولت شركات الشحن سفنها إلى أنتويرب.", "ستعود الحركة إلى طبيعتها يوم الجمعة."]),
])
@pytest.mark.parametrize("method", METHODS)
def test_every_method_works_in_every_language(lang, sentences, method):
    chosen = summarize(sentences, lang, 2, method)
    assert len(chosen) == 2 and chosen == sorted(chosen)


@pytest.mark.parametrize("method", METHODS)
def test_every_method_handles_a_long_document(method):
    # bench/quality_bench.py times all methods on 2,000 sentences; here 400 keep CI quick.
    sentences = [f"Report {i} says the port of city {i % 37} handled {i * 7} containers on day {i % 11}." for i in range(400)]
    chosen = summarize(sentences, "en", 10, method)
    assert len(chosen) == 10 and chosen == sorted(set(chosen))


@pytest.mark.parametrize("method", ["lexrank", "textrank", "lsa", "kl"])
def test_the_vectorized_summarizers_rank_exactly_as_sumy_does(method):
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.kl import KLSummarizer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    from service.summary import _document, stop_words

    originals = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer, "lsa": LsaSummarizer, "kl": KLSummarizer}
    topics = ["port", "strike", "union", "ships", "wages", "Rotterdam", "Antwerp", "operators", "cranes", "talks"]
    sentences = [f"The {topics[i % 10]} and the {topics[(i * 3) % 10]} were discussed by {topics[(i * 7) % 10]} "
                 f"officials on day {i} near the {topics[(i + 4) % 10]}." for i in range(60)]
    document = _document(sentences, "en", None)
    original = originals[method](Stemmer("english"))
    original.stop_words = stop_words("en")
    chosen = set(original(document, 7))
    expected = [i for i, sentence in enumerate(document.sentences) if sentence in chosen]
    assert summarize(sentences, "en", 7, method) == expected
