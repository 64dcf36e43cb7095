"""Tell, from signals that carry across languages and sites, whether a line the cleaner left out is body text.

The cleaner's rules leave some lines out only for where they sit or how they look (a short
line among menu entries, text outside the longest run of prose). Those are the lines
that cost recall on pages nobody tuned for (issue 27), so each gets a second opinion:
a logistic model over the line's length, its share of the page language's function words
(jusText's stop-word lists, about 100 languages), sentence-final punctuation, link, handle
and digit shapes, capitalisation, repetition on the page, position, and the same for its
neighbours. bench/clean_model_train.py fits it on the shared dev sets and writes
data/clean_model.json; it also reports the figures with whole datasets held out.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from importlib import resources

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_DIGIT = re.compile(r"\d")
_LINK_SHAPE = re.compile(r"https?://|www\.|\.(?:com|org|net|de|html?)\b|(?:^|\s)[@#]\w|\w@\w|[|›»>]\s*$|^\s*[‹«<|]")
_SENTENCE_END = re.compile(r"[.!?…؟。！？][\"'”’»)\]]*$")
_COLON_END = re.compile(r"[:;,]$")
# How many of the page's words a stop-word list must cover to name the page's language.
_MIN_STOP_COVERAGE = 0.05
_NEIGHBOURS = 2


@dataclass(frozen=True)
class LineFacts:
    """What the cleaner knows of one line: its text, its marks, where it sits."""

    text: str
    seen: int  # how often the page has this exact line
    in_block: bool  # inside the main block the rules chose
    prose: bool
    furniture: bool
    reason: str  # why the rules left it out ("" when they kept it)


@functools.lru_cache(maxsize=None)
def _stop_lists() -> dict[str, frozenset[str]]:
    """jusText's stop-word lists by language name (shipped with jusText, which trafilatura brings)."""
    import justext  # loaded on first use: most runs clean no page that needs a second opinion

    return {name: frozenset(word.lower() for word in justext.get_stoplist(name)) for name in justext.get_stoplists()}


def page_stop_words(texts: list[str]) -> frozenset[str]:
    """The stop words of the page's language: the list that covers most of its words (none below 5 %)."""
    words = [word.lower() for text in texts for word in _WORD.findall(text)]
    if not words:
        return frozenset()
    coverage = {name: sum(word in stops for word in words) for name, stops in _stop_lists().items()}
    best = max(coverage, key=coverage.get)
    return _stop_lists()[best] if coverage[best] >= _MIN_STOP_COVERAGE * len(words) else frozenset()


def _own_signals(line: LineFacts, stops: frozenset[str]) -> dict[str, float]:
    words = _WORD.findall(line.text)
    count = len(words)
    capitalised = sum(word[0].isupper() for word in words)
    return {
        "log_words": math.log1p(count),
        "stop_share": sum(word.lower() in stops for word in words) / count if count else 0.0,
        "sentence_end": float(bool(_SENTENCE_END.search(line.text))),
        "colon_end": float(bool(_COLON_END.search(line.text))),
        "capital_share": capitalised / count if count else 0.0,
        "digit_share": len(_DIGIT.findall(line.text)) / max(1, len(line.text)),
        "link_shape": float(bool(_LINK_SHAPE.search(line.text))),
        "repeated": float(line.seen > 1),
        "prose": float(line.prose),
        "furniture": float(line.furniture),
        "kept": float(not line.reason),
    }


def line_signals(lines: list[LineFacts], stops: frozenset[str]) -> list[dict[str, float]]:
    """The model's inputs for every line: its own signals, its neighbours', where it sits, why it left."""
    own = [_own_signals(line, stops) for line in lines]
    distance = _distance_to_kept(lines)
    runs = _prose_run_words(lines)
    signals = []
    for index, line in enumerate(lines):
        around = own[max(0, index - _NEIGHBOURS) : index] + own[index + 1 : index + 1 + _NEIGHBOURS]
        row = dict(own[index])
        for name in ("log_words", "stop_share", "sentence_end", "kept", "link_shape"):
            row[f"near_{name}"] = sum(other[name] for other in around) / len(around) if around else 0.0
        row["kept_distance"] = math.log1p(distance[index])
        row["run_words"] = math.log1p(runs[index])
        row["in_block"] = float(line.in_block)
        row["position"] = index / max(1, len(lines) - 1)
        row[f"reason_{line.reason or 'none'}"] = 1.0
        signals.append(row)
    return signals


def _prose_run_words(lines: list[LineFacts]) -> list[int]:
    """The words of the run of consecutive prose lines each line is in (0 for a line that is no prose).

    An article's paragraphs come in runs; another story's teaser is one prose line among links.
    """
    totals = [0] * len(lines)
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and lines[end].prose:
            end += 1
        words = sum(len(_WORD.findall(line.text)) for line in lines[start:end])
        for index in range(start, end):
            totals[index] = words
        start = end + 1 if end == start else end
    return totals


def _distance_to_kept(lines: list[LineFacts]) -> list[int]:
    """How many lines away the nearest line the rules kept is (the page's length when they kept none)."""
    far = len(lines)
    distance = [0 if not line.reason else far for line in lines]
    for index in range(1, len(lines)):
        distance[index] = min(distance[index], distance[index - 1] + 1)
    for index in range(len(lines) - 2, -1, -1):
        distance[index] = min(distance[index], distance[index + 1] + 1)
    return distance


@dataclass(frozen=True)
class LineModel:
    """A logistic model: weights by signal name, a bias, and the probability above which a line stays."""

    weights: dict[str, float]
    bias: float
    threshold: float

    def probability(self, signals: dict[str, float]) -> float:
        """The chance that a line with these signals is body text."""
        score = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in signals.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


@functools.lru_cache(maxsize=1)
def trained_model() -> LineModel:
    """The model bench/clean_model_train.py fitted on the dev sets (service/stages/data/clean_model.json)."""
    stored = json.loads(resources.files("service.stages").joinpath("data/clean_model.json").read_text("utf-8"))
    return LineModel(weights=stored["weights"], bias=stored["bias"], threshold=stored["threshold"])
