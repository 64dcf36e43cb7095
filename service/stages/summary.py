"""Pick a news article's key sentences (extractive), with sumy.

``summarize(sentences, lang, length, method)`` returns the chosen sentences' indices in
document order. Methods are sumy's summarizers plus ``news`` (the default), which knows
that news writing puts the key facts first and works on the sentence strings alone
(see NewsSummarizer; bench/summary_cv.py cross-validates its parameters).

sumy's own Tokenizer needs nltk's downloaded punkt data, so sentences come in already
split (service/stages/sentences.py) and words are split here with a Unicode regex. Stemmers are
nltk's Snowball (code, no data); stop words are sumy's lists, plus our Russian list.
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Any

from .. import defaults
from ..errors import InvalidInput
from .clean_rules import union

DEFAULT_METHOD = defaults.SUMMARY_METHOD
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


METHODS = defaults.SUMMARY_METHODS


def summarize(sentences: list[str], lang: str = "en", length: int | str = defaults.SUMMARY_LENGTH,
              method: str = DEFAULT_METHOD, title: str | None = None,
              checkpoint: Callable[[], None] | None = None) -> list[int]:
    """Return the indices (ascending) of the sentences that summarize the text.

    ``length`` is a sentence count (5, "5") or a share of the sentences ("20%").
    ``checkpoint`` is called as the slow methods go (KL picks a sentence in a pass over all
    of them: "50%" of 3,000 sentences is minutes); it raises to stop them (the pipeline's deadline).
    """
    if method not in METHODS:
        raise InvalidInput(f"unknown summary method {method!r}; use one of: {', '.join(METHODS)}")
    count = summary_length(length, len(sentences))
    if method == DEFAULT_METHOD:
        return NewsSummarizer(lang).choose(sentences, count)
    if count >= len(sentences):
        return list(range(len(sentences)))
    document = _document(sentences, lang, title)
    summarizer = _build(method, lang, document)
    summarizer.checkpoint = checkpoint or _no_checkpoint
    chosen = {id(sentence) for sentence in summarizer(document, count)}
    body = [sentence for sentence in document.sentences if not sentence.is_heading]
    picked = [index for index, sentence in enumerate(body) if id(sentence) in chosen]
    # sumy's LSA finds no sentence in a text without words (its matrix is empty); a count means
    # that many sentences, so the first ones not picked make up the rest.
    missing = count - len(picked)
    return sorted(picked + [index for index in range(len(sentences)) if index not in picked][:max(0, missing)])


def _no_checkpoint() -> None:
    pass


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
    summarizer = _summarizer_classes()[method](stemmer)
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
        return frozenset(resources.files("service.stages").joinpath("data/stopwords_ru.txt").read_text("utf-8").split())
    try:
        return frozenset(get_stop_words(LANGUAGE_NAMES.get(lang, "english")))
    except LookupError:
        return frozenset()


@dataclass(frozen=True)
class NewsWeights:
    """The news default's four parameters; bench/summary_cv.py picks them by cross-validation."""

    position_decay: float = 0.6  # each sentence weighs this share of the one before it
    length_exponent: float = 2.0  # how hard a sentence longer than the article's typical one is pushed down
    density_exponent: float = 0.5  # how much the share of the article's recurring words in a sentence counts
    leaning_weight: float = 0.2  # factor per sign that a sentence leans on its context


NEWS_WEIGHTS = NewsWeights()


class NewsSummarizer:
    """Lead-biased extractive summary for news.

    Asked for ``count`` sentences, it gives that many (fewer only when the article has fewer
    usable ones), chosen for what they say (issue 27: no word budget fitted to one set's
    highlights). Reporters put the key facts first, so position carries most of a sentence's
    weight; then how much of the sentence is the article's recurring words (its subject, said
    densely), and its length against the article's median sentence (a sentence longer than
    the article's typical one says its fact with more words around it). Sentences that lean
    on their context (a pronoun or connective opener, no sentence end, someone's quoted
    words) weigh less; half a quotation or a sentence that starts mid-way (lower case, a
    closing quote) is taken only when there are not enough whole ones; a sentence without
    words or a caption-like fragment is never taken (issue 13).
    """

    def __init__(self, lang: str = "en", weights: NewsWeights = NEWS_WEIGHTS):
        self.lang = lang
        self.weights = weights

    def choose(self, sentences: list[str], count: int) -> list[int]:
        """Return the indices (ascending) of up to ``count`` summary sentences."""
        words = [[word.lower() for word in _WORD.findall(text)] for text in sentences]
        usable = [index for index, text in enumerate(sentences) if is_summary_material(text)]
        typical = statistics.median([len(words[index]) for index in usable]) if usable else 1
        recurring = _recurring_words(words, stop_words(self.lang))
        ranked = sorted(usable, key=lambda index: (
            not stands_alone(sentences[index]),
            -self.rate(sentences[index], index, density=_density(words[index], recurring), typical=typical)))
        return sorted(ranked[:count])

    def rate(self, text: str, index: int, *, density: float, typical: float) -> float:
        """Score one sentence from its position, its density of the article's words, its length, its leaning."""
        weights = self.weights
        # the lead is the story in one sentence, and often the article's longest: never pushed down for it
        length = 1.0 if index == 0 else min(1.0, typical / max(len(_WORD.findall(text)), 1)) ** weights.length_exponent
        return (weights.position_decay**index * length * max(density, _NO_DENSITY) ** weights.density_exponent
                * weights.leaning_weight ** self.leanings(text))

    def leanings(self, text: str) -> int:
        """Count the signs that a sentence leans on its context: an opener like "He", no sentence end, a quote."""
        text = text.strip()
        anaphora = _ANAPHORA.get(self.lang, _ANAPHORA["en"]).match(text)
        return int(bool(anaphora)) + int(not text.endswith(_CLOSING)) + int(bool(_QUOTE.search(text)))


_NO_DENSITY = 0.05  # about one recurring word in a 15-word sentence: a sentence of new words still ranks by position


def _recurring_words(sentences: list[list[str]], stops: frozenset[str]) -> dict[str, float]:
    """Each content word's weight: log of how many other sentences of the article use it too."""
    counts = Counter(word for words in sentences for word in set(words) if word not in stops)
    return {word: math.log(count) for word, count in counts.items() if count > 1}


def _density(words: list[str], recurring: dict[str, float]) -> float:
    """How much of a sentence is the article's recurring words, per word of it."""
    return sum(recurring.get(word, 0.0) for word in words) / len(words) if words else 0.0


def is_summary_material(text: str) -> bool:
    """Tell whether a sentence may appear in a summary: it has words and is no caption-like fragment."""
    text = text.strip()
    if not _LETTER_OR_DIGIT.search(text):
        return False
    if text.endswith(_CLOSING):
        return True
    short = len(_WORD.findall(text)) < _CAPTION_WORDS
    return not (short or text.endswith(":") or _CREDIT.search(text))


def stands_alone(text: str) -> bool:
    """Tell whether a sentence reads whole: not half a quotation, not starting mid-sentence."""
    text = text.strip()
    if text.startswith(_MIDWAY_OPENERS):
        return False
    first = _LETTER_OR_DIGIT.search(text)
    if first and first.group().islower():
        return False
    return not _half_quotation(text)


def _half_quotation(text: str) -> bool:
    """An odd number of double quote marks, or a single quote that opens or closes unmatched."""
    if sum(text.count(mark) for mark in _DOUBLE_QUOTES) % 2:
        return True
    depth = spare = 0
    for mark in _SINGLE_QUOTE.finditer(text):
        if mark.group("opening"):
            depth += 1
        elif mark.group("after_s") is not None:  # "the players' union" or "'envious' of": either
            spare += 1
        elif depth:
            depth -= 1
        else:
            return True
    return depth > spare


# How a whole sentence ends. The cleaner's _CLOSING also takes ":" and ";" (a line that leads
# into the next one is still prose there); a summary line must end a sentence.
_CLOSING = (".", "!", "?", '"', "”", "’", "'", "»", "“", ")", "…", "؟", "。", "！", "？")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_CAPTION_WORDS = 5  # an unfinished line shorter than this is a label or a caption, not a sentence
# A photo credit glued to the end of a caption ("... at the show Image: dapd"): the
# cleaner's per-language credit words (service/stages/clean_rules.py), so both read the same ones.
_CREDIT = re.compile(r"(?:^|\W)(?:%s)\s?:\s*[^.!?:]{1,80}$" % "|".join(map(re.escape, union("credit_labels"))))
# Any quotation mark: a summary line should report, and a quote needs the speaker it came from.
_QUOTE = re.compile(r"[\"“”„«»]|(?:^|\s)['‘]|['’](?:\s|$)")
_DOUBLE_QUOTES = ('"', "“", "”", "„", "«", "»")
# A single quote opens at the start of a word ('90s is a decade) and closes at the end of one.
_SINGLE_QUOTE = re.compile(r"(?P<opening>(?:^|(?<=[\s(\[]))['‘](?!\d0s)(?=\w))"
                           r"|(?P<after_s>(?<=s))?(?<=[\w.,!?])['’](?=$|[\s.,;:!?)\]])")
# A sentence that opens with a closing mark or with punctuation is the tail of another one.
_MIDWAY_OPENERS = (",", ";", ":", ".", ")", "]", "”", "»", "’")
# Sentences that lean on the one before: they read badly on their own in a summary.
_ANAPHORA = {
    "en": re.compile(r"^(?:He|She|It|They|But|And|This|That|These|Those|His|Her|Their|However|Yet|So)\b"),
    "de": re.compile(r"^(?:Er|Sie|Es|Aber|Und|Dies|Das|Diese|Dieser|Doch|Jedoch|Sein|Ihr)\b"),
    "ru": re.compile(r"^(?:Он|Она|Оно|Они|Но|И|Это|Этот|Эта|Эти|Однако|Его|Её|Их)\b"),
    "ar": re.compile(r"^(?:لكن|ولكن|وهو|وهي|هو|هي|هذا|هذه|وهذا|وهذه|كما)\b"),
}
