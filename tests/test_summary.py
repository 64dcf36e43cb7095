"""Extractive summaries: methods, lengths, the news default's rules, long documents."""

from __future__ import annotations

import pytest

from service.errors import InvalidInput
from service.stages.summary import (METHODS, NewsSummarizer, NewsWeights, is_summary_material, stands_alone, summarize,
                             summary_length)

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
    ("news", [0, 1, 4]), ("lexrank", [0, 1, 2]), ("lsa", [0, 6, 7]), ("luhn", [0, 1, 2]), ("textrank", [0, 1, 2]),
    ("edmundson", [0, 1, 7]), ("sumbasic", [0, 1, 2]), ("kl", [0, 4, 6]),
])
def test_each_method_picks_three_sentences_in_document_order(method, expected):
    assert summarize(ARTICLE, "en", 3, method) == expected


def test_news_passes_over_a_caption_at_the_top():
    sentences = ["Cranes at the terminal", ARTICLE[0], ARTICLE[1]]
    assert summarize(sentences, "en", 1) == [1]


@pytest.mark.parametrize("text, usable", [
    ('"', False), ("“", False), ("…", False), ("—", False), ("(", False), ("", False),
    ("Cranes at the terminal", False),
    ("Pricey promises:", False),
    ("Dock workers cheer as the last ship leaves the terminal on Tuesday Image: dapd", False),
    ("Hafenarbeiter jubeln, als am Dienstag das letzte Schiff ablegt Foto: dpa", False),
    ("Докеры на причале во вторник Фото: ТАСС", False),
    ("He was 88.", True),
    ("Dock workers in Rotterdam ended a five-day strike on Tuesday", True),
    (ARTICLE[0], True),
    ('"We are pleased," said union spokesman Jan de Vries.', True),
], ids=["issue13-lone-straight-quote", "issue13-lone-curly-quote", "issue13-ellipsis", "issue13-dash",
        "issue13-bracket", "issue13-empty", "issue13-short-caption", "issue13-label", "issue13-glued-credit-en",
        "issue13-glued-credit-de", "issue13-glued-credit-ru", "issue13-short-sentence", "issue13-unfinished-sentence",
        "issue13-plain-sentence", "issue13-whole-quote"])
def test_what_may_appear_in_a_summary(text, usable):
    assert is_summary_material(text) is usable


@pytest.mark.parametrize("text, whole", [
    ("“We talked about the border, and we agreed to talk again.", False),
    ('Nobody promised anything," the spokesman said.', False),
    ("He told reporters: 'We will be back next week.", False),
    ("Over by Friday, I think,' he said.", False),
    ("but the union said it would wait.", False),
    ("” the spokesman added.", False),
    (", the ministry said on Monday.", False),
    ('"We are pleased," said union spokesman Jan de Vries.', True),
    ("“We talked about the border,\" the spokesman said.", True),
    ("„Wir sind froh“, sagte der Sprecher.", True),
    ("«Мы рады», сказал представитель профсоюза.", True),
    ("The union called the offer 'fair' on Monday.", True),
    ("The dockers' union accepted the offer.", True),
    ("The dockers' union called it 'fair'.", True),
    ("Wages have not risen this fast since the '90s.", True),
    ("Die Gewerkschaft nahm das Angebot an.", True),
    ("وافقت النقابة على العرض.", True),
], ids=["issue13-opens-a-quote", "issue13-closes-a-quote", "issue13-opens-single-quote",
        "issue13-closes-single-quote", "issue13-lower-case-start", "issue13-closing-quote-start",
        "issue13-comma-start", "issue13-whole-quote", "issue13-mixed-marks-whole", "issue13-german-quote",
        "issue13-russian-quote", "issue13-single-quoted-word", "issue13-possessive", "issue13-possessive-and-quote",
        "issue13-decade", "issue13-german-plain", "issue13-arabic-plain"])
def test_which_sentences_stand_on_their_own(text, whole):
    assert stands_alone(text) is whole


# The shape of issue 13's example: a lead, a quotation cut in two, a lone quote mark, a caption.
QUOTED = [
    "The US State Department has admitted that officials met the group in Vienna last week.",
    "“We talked about the border, and we agreed to talk again.",
    'Nobody promised anything," the spokesman said.',
    '"',
    "Delegates leave the conference hall in Vienna Image: dapd",
    "The talks are due to resume in March, according to the ministry.",
    "but diplomats doubt that they will.",
]


@pytest.mark.parametrize("sentences, count, expected", [
    (QUOTED, 2, [0, 5]),
    (QUOTED, 3, [0, 1, 5]),
    (QUOTED, 7, [0, 1, 2, 5, 6]),
    (['"', ARTICLE[0], "“", ARTICLE[1]], 4, [1, 3]),
    (["Cranes at the terminal", "Pricey promises:", ARTICLE[4]], 3, [2]),
    (['"', "…"], 2, []),
    ([ARTICLE[0], "“We are pleased with the deal.", ARTICLE[6]], 2, [0, 2]),
    ([ARTICLE[0], "and the port reopened on Wednesday morning.", ARTICLE[6]], 2, [0, 2]),
], ids=["issue13-half-quotes-passed-over", "issue13-half-quote-only-when-needed", "issue13-never-lone-quote-or-caption",
        "issue13-no-wordless-sentence", "issue13-no-caption-or-label", "issue13-nothing-usable",
        "issue13-opening-half-quote", "issue13-lower-case-tail"])
def test_news_never_picks_wordless_or_caption_and_prefers_whole_sentences(sentences, count, expected):
    assert summarize(sentences, "en", count) == expected


def test_news_passes_over_a_sentence_longer_than_the_articles_typical_one():
    long = ("The port authority said on Wednesday that it would need several more weeks, perhaps until the end "
            "of next month, to clear the backlog of containers that built up during the strike.")
    sentences = [ARTICLE[0], ARTICLE[1], long, "Trucks queued at the gates.", ARTICLE[6], ARTICLE[7]]
    assert summarize(sentences, "en", 2) == [0, 1]
    assert summarize(sentences, "en", 4) == [0, 1, 3, 5]


@pytest.mark.parametrize("count", [1, 3, 5, 7])
def test_issue27_a_sentence_count_gives_that_many_sentences(count):
    # no word budget behind the count: five asked, five given, however long they are
    article = [f"Officials in port number {n} said on Tuesday that the long strike of the dock workers had ended "
               f"after {n + 4} days of talks with the operators of the container terminals." for n in range(8)]
    assert len(summarize(article, "en", count)) == count


def test_news_weights_steer_position_and_length():
    sentences = [ARTICLE[0], ARTICLE[1], "Trucks queued at the gates.", ARTICLE[6]]
    lead = NewsWeights(position_decay=0.1, length_exponent=0.0, density_exponent=0.0, leaning_weight=1.0)
    short = NewsWeights(position_decay=0.9, length_exponent=3.0, density_exponent=0.0, leaning_weight=1.0)
    assert NewsSummarizer("en", lead).choose(sentences, 2) == [0, 1]
    assert NewsSummarizer("en", short).choose(sentences, 2) == [0, 2]  # the lead is never pushed down for its length


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


TOPICS = ["port", "strike", "union", "ships", "wages", "Rotterdam", "Antwerp", "operators", "cranes", "talks"]
TOPICAL = [f"The {TOPICS[i % 10]} and the {TOPICS[(i * 3) % 10]} were discussed by {TOPICS[(i * 7) % 10]} "
           f"officials on day {i} near the {TOPICS[(i + 4) % 10]}." for i in range(60)]


def _sumy(method: str):
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.kl import KLSummarizer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    from service.stages.summary import stop_words

    originals = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer, "lsa": LsaSummarizer, "kl": KLSummarizer}
    original = originals[method](Stemmer("english"))
    original.stop_words = stop_words("en")
    return original


@pytest.mark.parametrize("method", ["lexrank", "textrank", "kl"])
def test_the_vectorized_summarizers_rank_exactly_as_sumy_does(method):
    from service.stages.summary import _document

    document = _document(TOPICAL, "en", None)
    chosen = set(_sumy(method)(document, 7))
    expected = [i for i, sentence in enumerate(document.sentences) if sentence in chosen]
    assert summarize(TOPICAL, "en", 7, method) == expected


def test_lsa_without_the_svd_rates_as_sumy_does():
    # The ranks agree to float precision; among exact ties sumy's order is SVD noise, so compare the ranks chosen.
    import numpy

    from service.stages.summary import _document

    document = _document(TOPICAL, "en", None)
    original = _sumy("lsa")
    matrix = original._compute_term_frequency(original._create_matrix(document, original._create_dictionary(document)))
    _, sigma, v = numpy.linalg.svd(matrix, full_matrices=False)
    ranks = original._compute_ranks(sigma, v)
    assert numpy.allclose(ranks, numpy.linalg.norm(matrix, axis=0), rtol=1e-12, atol=0)
    expected = sorted(ranks[i] for i, sentence in enumerate(document.sentences) if sentence in set(original(document, 7)))
    assert numpy.allclose(sorted(ranks[i] for i in summarize(TOPICAL, "en", 7, "lsa")), expected, rtol=1e-12, atol=0)


def test_lsa_on_sentences_without_words_still_gives_the_count_asked():
    # Found by tests/test_properties.py: sumy's LSA picks none when the text has no words.
    assert summarize([":", ":"], "en", 1, "lsa") == [0]
