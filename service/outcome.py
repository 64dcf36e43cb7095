"""What the pipeline gives back: a Result with its Translations, the Steps it reports as it goes,
and the Result as JSON data and back (``to_dict``, ``from_dict``: the API's answer, and how
batch jobs and the desk keep results).

Apart from pipeline.py so that what keeps or shows a result (render.py, the desk's results)
needs the types, not the pipeline that makes them (issue 29: the desk's results imported the
pipeline, which imports the desk's stores).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from .stages.clean import Article, Block, Removed
from .stages.language import DISPLAY_NAMES


@dataclass(frozen=True)
class Translation:
    """An article in one target language, aligned with the source."""

    language: str
    title: str
    teaser: str
    headings: tuple[str, ...]
    sentences: tuple[str, ...]
    summary: tuple[str, ...]
    # Per body sentence: the model's confidence (0-1, translation.Decoded), and its next-best
    # translations when they were asked for.
    confidences: tuple[float, ...] = ()
    alternatives: tuple[tuple[str, ...], ...] = ()
    uncertain_below: float = 0.0  # the threshold in force when it was made (NEWSDESK_UNCERTAIN_BELOW)
    reviewed: tuple[int, ...] = ()  # body sentences taken from the translation memory (an editor's)
    glossary_skipped: tuple[int, ...] = ()  # body sentences translated without the glossary (a lost placeholder)

    @property
    def uncertain(self) -> tuple[int, ...]:
        """The body sentences whose confidence is below the threshold and no editor reviewed: look at these."""
        return tuple(index for index, confidence in enumerate(self.confidences)
                     if (confidence < self.uncertain_below or index in self.glossary_skipped)
                     and index not in self.reviewed)


@dataclass(frozen=True)
class Result:
    """Everything newsdesk makes of one article."""

    article: Article
    source: str
    source_confidence: float | None  # None when the caller named the language
    sentences: tuple[str, ...]  # the body's sentences, in order
    paragraph_index: tuple[int, ...]  # for each sentence, its block in article.blocks
    summary: tuple[int, ...]  # indices into sentences, ascending
    method: str
    translations: Mapping[str, Translation] = field(default_factory=lambda: MappingProxyType({}))
    timings: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    # Targets left untranslated (process(partial=True)): each with why, and how to fix it.
    failed: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def summary_sentences(self) -> list[str]:
        return [self.sentences[index] for index in self.summary]

    def pairs(self, language: str) -> list[tuple[str, str]]:
        """(source sentence, translated sentence) for every body sentence."""
        return list(zip(self.sentences, self.translations[language].sentences))


@dataclass(frozen=True)
class Step:
    """A point reached by process(), for a progress display."""

    stage: str  # one of STAGES
    language: str | None = None  # the source for "split"; the target for "translating" and "translated"
    count: int | None = None  # the body's sentences, for "split"

    def describe(self) -> str:
        """The step as the desk's progress list and the command line's bar say it."""
        name = DISPLAY_NAMES.get(self.language, self.language)
        return {"cleaned": "Cleaned the text",
                "split": f"Found {self.count} sentence{'' if self.count == 1 else 's'} in {name}",
                "summarized": "Summarized",
                "translating": f"Translating into {name}…",
                "translated": f"Translated into {name}"}[self.stage]


# In order; "translating" and "translated" come once per target, the targets' in parallel.
STAGES = ("cleaned", "split", "summarized", "translating", "translated")


def to_dict(result: Result, language: str | None = None) -> dict:
    """Everything in a Result (or, given ``language``, with that translation only) as JSON data."""
    article = result.article
    return {
        "source": {"language": result.source, "confidence": result.source_confidence},
        "article": {
            "title": article.title,
            "date": article.date,
            "byline": list(article.byline),
            "teaser": article.teaser,
            "blocks": [{"kind": block.kind, "text": block.text} for block in article.blocks],
            # What the cleaner left out, so nothing is lost without a trace (issue 13).
            "removed": [{"text": line.text, "reason": line.reason} for line in article.removed],
        },
        "sentences": list(result.sentences),
        "summary": {"method": result.method, "indices": list(result.summary), "sentences": result.summary_sentences},
        "translations": {
            code: {
                "title": item.title,
                "teaser": item.teaser,
                "headings": list(item.headings),
                "sentences": list(item.sentences),
                "summary": list(item.summary),
                "pairs": _pairs(result, code),
                "uncertain_below": item.uncertain_below,
            }
            for code, item in result.translations.items()
            if language is None or code == language
        },
        "timings": dict(result.timings),
    }


def _pairs(result: Result, language: str) -> list[dict]:
    """Each body sentence with its translation, the model's confidence, and its alternatives when asked."""
    item = result.translations[language]
    uncertain = set(item.uncertain)
    pairs = []
    for index, (source, target) in enumerate(result.pairs(language)):
        pair = {"source": source, "target": target,
                "confidence": item.confidences[index] if item.confidences else None, "uncertain": index in uncertain,
                "reviewed": index in item.reviewed, "glossary_skipped": index in item.glossary_skipped}
        if item.alternatives:
            pair["alternatives"] = list(item.alternatives[index])
        pairs.append(pair)
    return pairs


def from_dict(data: dict, paragraph_index: list[int]) -> Result:
    """Rebuild a Result from ``to_dict`` data and the sentences' paragraph index (batch
    jobs store both, then render files from them)."""
    article = data["article"]
    summary = data["summary"]
    return Result(
        article=Article(title=article["title"], date=article["date"], byline=tuple(article["byline"]),
                        teaser=article["teaser"], blocks=tuple(Block(**block) for block in article["blocks"]),
                        removed=tuple(Removed(**line) for line in article.get("removed", ()))),
        source=data["source"]["language"],
        source_confidence=data["source"]["confidence"],
        sentences=tuple(data["sentences"]),
        paragraph_index=tuple(paragraph_index),
        summary=tuple(summary["indices"]),
        method=summary["method"],
        translations=MappingProxyType({
            code: Translation(language=code, title=item["title"], teaser=item["teaser"],
                              headings=tuple(item["headings"]), sentences=tuple(item["sentences"]),
                              summary=tuple(item["summary"]),
                              # Results stored before confidences (batch jobs) have none.
                              confidences=tuple(pair["confidence"] for pair in item.get("pairs", ())
                                                if pair.get("confidence") is not None),
                              alternatives=tuple(tuple(pair["alternatives"]) for pair in item.get("pairs", ())
                                                 if "alternatives" in pair),
                              uncertain_below=item.get("uncertain_below", 0.0),
                              reviewed=tuple(index for index, pair in enumerate(item.get("pairs", ()))
                                             if pair.get("reviewed")),
                              glossary_skipped=tuple(index for index, pair in enumerate(item.get("pairs", ()))
                                                     if pair.get("glossary_skipped")))
            for code, item in data["translations"].items()
        }),
        timings=MappingProxyType(dict(data["timings"])),
    )
