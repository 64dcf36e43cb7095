"""Sentence splitting: golden cases per language (exact lists)."""

from __future__ import annotations

import pytest

from service.sentences import split_sentences

CASES = [
    ("en", "Mr. Smith met Dr. Jones at 5 p.m. on Monday. They talked.",
     ["Mr. Smith met Dr. Jones at 5 p.m. on Monday.", "They talked."], "abbreviations"),
    ("en", "J. R. R. Tolkien wrote books. He died in 1973.",
     ["J. R. R. Tolkien wrote books.", "He died in 1973."], "initials"),
    ("en", "It rose 3.5% to $1.25 billion. Then it fell.",
     ["It rose 3.5% to $1.25 billion.", "Then it fell."], "decimals"),
    ("en", 'According to union spokesman J. de Vries, "the offer meets our main demands." Operators said traffic would be back to normal by Friday.',
     ['According to union spokesman J. de Vries, "the offer meets our main demands."',
      "Operators said traffic would be back to normal by Friday."], "quote-then-sentence"),
    ("en", 'He said: "Wait..." Nobody moved. It was over.',
     ['He said: "Wait..."', "Nobody moved.", "It was over."], "ellipsis"),
    ("en", "Visit https://www.example.com/news/a.b?c=1 for more. Then go home.",
     ["Visit https://www.example.com/news/a.b?c=1 for more.", "Then go home."], "url"),
    ("en", "Write to j.doe@example.co.uk. Then wait.", ["Write to j.doe@example.co.uk.", "Then wait."], "email"),
    ("en", "Ships diverted to Antwerp\nThe strike forced lines to divert vessels.",
     ["Ships diverted to Antwerp", "The strike forced lines to divert vessels."], "heading-line-is-a-boundary"),
    ("en", "First paragraph without a stop\n\nSecond paragraph.", ["First paragraph without a stop", "Second paragraph."],
     "paragraph-is-a-boundary"),
    ("de", "Er kam z. B. am 3. März. Dann ging er.", ["Er kam z. B. am 3. März.", "Dann ging er."], "german-abbreviation"),
    ("ru", "Докеры т. е. рабочие прекратили забастовку. Суда ждут.",
     ["Докеры т. е. рабочие прекратили забастовку.", "Суда ждут."], "russian-abbreviation"),
    ("ar", "أنهى عمال الموانئ الإضراب. السفن تنتظر؟ نعم.", ["أنهى عمال الموانئ الإضراب.", "السفن تنتظر؟", "نعم."],
     "arabic-question-mark"),
    ("xx", "Unknown languages use English rules. Like this.", ["Unknown languages use English rules.", "Like this."],
     "fallback"),
    ("en", "", [], "empty"),
    ("en", "  \n\t ", [], "blank"),
]


@pytest.mark.parametrize("lang, text, expected", [c[:3] for c in CASES], ids=[c[3] for c in CASES])
def test_split_sentences(lang, text, expected):
    assert split_sentences(text, lang) == expected


def test_no_character_is_lost():
    text = ("Dock workers (in Rotterdam) ended a 5-day strike... Really? Yes! "
            "See https://ex.am/ple?x=1. „Gut“, sagte er.\nNew line here")
    sentences = split_sentences(text, "en")
    assert "".join(sentences).replace(" ", "") == text.replace(" ", "").replace("\n", "")


def test_a_very_long_sentence_without_punctuation_is_cut_not_lost():
    text = " ".join(["word"] * 12_000)  # 60,000 characters, no full stop
    sentences = split_sentences(text, "en")
    assert len(sentences) == 3
    assert " ".join(sentences) == text
