"""Pick a news article's key sentences (extractive), with sumy.

``summarize(sentences, lang, length, method)`` returns the chosen sentences' indices in
document order. Methods are sumy's summarizers plus ``news`` (the default), which knows
that news writing puts the key facts first (see NewsSummarizer).

sumy's own Tokenizer needs nltk's downloaded punkt data, so sentences come in already
split (service/sentences.py) and words are split here with a Unicode regex. Stemmers are
nltk's Snowball (code, no data); stop words are sumy's lists, plus our Russian list.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from importlib import resources
from typing import Any

from .errors import InvalidInput

DEFAULT_METHOD = "news"
# ISO 639-1 -> the language names sumy and nltk use. The one place this mapping lives.
LANGUAGE_NAMES = {"en": "english", "de": "german", "ru": "russian", "ar": "arabic", "fr": "french",
                  "es": "spanish", "it": "italian", "pt": "portuguese"}
_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)


def _summarizer_classes() -> dict[str, Any]:
    """Registry: method name -> summarizer class (imported on first use)."""
    from sumy.summarizers.edmundson import EdmundsonSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.sum_basic import SumBasicSummarizer

    from ._sumy_fast import BoundedKLSummarizer, FastLexRankSummarizer, FastLsaSummarizer, FastTextRankSummarizer

    return {
        "lexrank": FastLexRankSummarizer,
        "lsa": FastLsaSummarizer,
        "luhn": LuhnSummarizer,
        "textrank": FastTextRankSummarizer,
        "edmundson": EdmundsonSummarizer,
        "sumbasic": SumBasicSummarizer,
        "kl": BoundedKLSummarizer,
    }


METHODS = ("news", "lexrank", "lsa", "luhn", "textrank", "edmundson", "sumbasic", "kl")


def summarize(sentences: list[str], lang: str = "en", length: int | str = 5, method: str = DEFAULT_METHOD,
              title: str | None = None) -> list[int]:
    """Return the indices (ascending) of the sentences that summarize the text.

    ``length`` is a sentence count (5, "5") or a share of the sentences ("20%").
    """
    if method not in METHODS:
        raise InvalidInput(f"unknown summary method {method!r}; use one of: {', '.join(METHODS)}")
    count = summary_length(length, len(sentences))
    if count >= len(sentences):
        return list(range(len(sentences)))
    document = _document(sentences, lang, title)
    summarizer = _build(method, lang, document)
    chosen = {id(sentence) for sentence in summarizer(document, count)}
    body = [sentence for sentence in document.sentences if not sentence.is_heading]
    return [index for index, sentence in enumerate(body) if id(sentence) in chosen]


def summary_length(length: int | str, total: int) -> int:
    """Turn 5, "5" or "20%" into a sentence count for a text of ``total`` sentences."""
    text = str(length).strip()
    try:
        if text.endswith("%"):
            share = float(text[:-1])
            if not 0 < share <= 100:
                raise ValueError
            return max(1, math.ceil(total * share / 100)) if total else 0
        count = int(text)
        if count < 1:
            raise ValueError
        return count
    except ValueError:
        raise InvalidInput(
            f"summary length {length!r} is not usable: give a number of sentences (e.g. 5) "
            "or a percentage of the article (e.g. 20%)"
        ) from None


class _WordTokenizer:
    """What sumy's Sentence needs from a tokenizer, without nltk data."""

    def __init__(self, language: str):
        self.language = language

    def to_words(self, text: str) -> list[str]:
        return _WORD.findall(text)

    def to_sentences(self, paragraph: str) -> list[str]:  # sumy's interface; unused here
        return [paragraph]


def _document(sentences: list[str], lang: str, title: str | None):
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence

    tokenizer = _WordTokenizer(LANGUAGE_NAMES.get(lang, "english"))
    heading = [Sentence(title, tokenizer, is_heading=True)] if title else []
    return ObjectDocumentModel([Paragraph(heading + [Sentence(text, tokenizer) for text in sentences])])


def _build(method: str, lang: str, document):
    from sumy.nlp.stemmers import Stemmer

    language = LANGUAGE_NAMES.get(lang, "english")
    try:
        stemmer = Stemmer(language)
    except LookupError:
        stemmer = Stemmer("english")
    summarizer = NewsSummarizer(lang) if method == "news" else _summarizer_classes()[method](stemmer)
    words = stop_words(lang)
    summarizer.stop_words = words
    if method == "edmundson":
        _configure_edmundson(summarizer, document, words)
    return summarizer


def _configure_edmundson(summarizer, document, words: frozenset[str]) -> None:
    """Use Edmundson's key, title and location methods; its cue words are the text's own."""
    frequent = Counter(
        word.lower() for sentence in document.sentences for word in sentence.words if word.lower() not in words
    )
    summarizer.bonus_words = [word for word, _ in frequent.most_common(10)] or ["news"]
    summarizer.stigma_words = ["xyzzy"]  # sumy insists on a non-empty set; no cue penalty wanted
    summarizer.null_words = words or frozenset(["the"])


def stop_words(lang: str) -> frozenset[str]:
    """Return stop words for ``lang`` (empty when none are known)."""
    from sumy.utils import get_stop_words

    if lang == "ru":
        return frozenset(resources.files("service").joinpath("data/stopwords_ru.txt").read_text("utf-8").split())
    try:
        return frozenset(get_stop_words(LANGUAGE_NAMES.get(lang, "english")))
    except LookupError:
        return frozenset()


class NewsSummarizer:
    """Lead-biased extractive summary for news.

    Reporters put the key facts first, so position carries most of a sentence's weight
    (it decays by POSITION_DECAY per sentence). Among the opening sentences it prefers
    short, self-contained statements: fragments (captions, labels), direct quotes and
    sentences that open with a pronoun or a connective ("He", "But") weigh less, and
    longer sentences are discounted (length ** -LENGTH_EXPONENT) since a summary line
    should say one thing. Tuned on CNN/DailyMail human highlights (bench/quality_bench.py).
    """

    POSITION_DECAY = 0.55
    LENGTH_EXPONENT = 0.5
    FRAGMENT_WEIGHT = 0.2
    QUOTE_WEIGHT = 0.4
    ANAPHORA_WEIGHT = 0.5

    def __init__(self, lang: str = "en"):
        self.lang = lang
        self.stop_words = frozenset()

    def __call__(self, document, count: int):
        body = [sentence for sentence in document.sentences if not sentence.is_heading]
        scores = {id(sentence): self.rate(str(sentence), len(sentence.words), index) for index, sentence in enumerate(body)}
        keep = {id(sentence) for sentence in sorted(body, key=lambda sentence: -scores[id(sentence)])[:count]}
        return tuple(sentence for sentence in body if id(sentence) in keep)

    def rate(self, text: str, words: int, index: int) -> float:
        """Score one sentence from its text, word count and position."""
        text = text.strip()
        weight = 1.0
        if words < 5 or not text.endswith(_CLOSING):
            weight *= self.FRAGMENT_WEIGHT
        if _QUOTE.search(text):
            weight *= self.QUOTE_WEIGHT
        if _ANAPHORA.get(self.lang, _ANAPHORA["en"]).match(text):
            weight *= self.ANAPHORA_WEIGHT
        return weight * self.POSITION_DECAY**index / max(words, 1) ** self.LENGTH_EXPONENT


_CLOSING = (".", "!", "?", '"', "”", "’", "'", "»", "“", ")", "…", "؟")
_QUOTE = re.compile(r"[\"“”„«»]|(?:^|\s)'|'(?:\s|$)")
# Sentences that lean on the one before: they read badly on their own in a summary.
_ANAPHORA = {
    "en": re.compile(r"^(?:He|She|It|They|But|And|This|That|These|Those|His|Her|Their|However|Yet|So)\b"),
    "de": re.compile(r"^(?:Er|Sie|Es|Aber|Und|Dies|Das|Diese|Dieser|Doch|Jedoch|Sein|Ihr)\b"),
    "ru": re.compile(r"^(?:Он|Она|Оно|Они|Но|И|Это|Этот|Эта|Эти|Однако|Его|Её|Их)\b"),
    "ar": re.compile(r"^(?:لكن|ولكن|وهو|وهي|هو|هي|هذا|هذه|وهذا|وهذه|كما)\b"),
}
