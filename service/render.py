"""Render a pipeline Result as text, Markdown, HTML or JSON."""

from __future__ import annotations

import html
import json
import re

from types import MappingProxyType

from . import defaults
from .pipeline import Result, Translation
from .stages.clean import HEADING, PARAGRAPH, Article, Block, Removed
from .stages.language import RTL_LANGUAGES

FORMATS = defaults.OUTPUT_FORMATS


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


def file_stem(result: Result) -> str:
    """A file name for the article: its title in lower case, words joined by hyphens, at most 60
    characters ("Secret talks resume" -> "secret-talks-resume"; Cyrillic and Arabic titles keep their
    letters); "article" when it has no title."""
    words = re.findall(r"\w+", result.article.title.lower())
    stem = "-".join(words)[:60].strip("-")
    return stem or "article"


def to_json(result: Result, language: str | None = None) -> str:
    return json.dumps(to_dict(result, language), ensure_ascii=False, indent=2) + "\n"


def _language_view(result: Result, language: str | None) -> dict:
    """Title, teaser, summary and blocks in ``language`` (None: the source)."""
    article = result.article
    if language is None or language == result.source and language not in result.translations:
        sentences, headings = list(result.sentences), list(article.headings)
        title, teaser, summary = article.title, article.teaser, result.summary_sentences
    else:
        item = result.translations[language]
        sentences, headings = list(item.sentences), list(item.headings)
        title, teaser, summary = item.title, item.teaser, list(item.summary)
    blocks, heading_iter = [], iter(headings)
    for index, block in enumerate(article.blocks):
        if block.kind == HEADING:
            blocks.append((HEADING, next(heading_iter)))
        else:
            blocks.append((PARAGRAPH, " ".join(s for s, owner in zip(sentences, result.paragraph_index) if owner == index)))
    uncertain = []
    if language in result.translations:
        item = result.translations[language]
        uncertain = [(item.confidences[index], result.sentences[index], item.sentences[index])
                     for index in item.uncertain]
    return {"title": title, "teaser": teaser, "summary": summary, "blocks": blocks,
            "byline": list(article.byline), "date": article.date, "uncertain": uncertain}


UNCERTAIN_HEADING = "For review: the model was unsure of these translations"


def _uncertain_lines(view: dict, bullet: str) -> list[str]:
    return [f"{bullet}{confidence:.2f} · {target} ← {source}" for confidence, source, target in view["uncertain"]]


def to_text(result: Result, language: str | None = None) -> str:
    view = _language_view(result, language)
    lines = [view["title"], ""] if view["title"] else []
    lines += ["Summary:", *[f"- {s}" for s in view["summary"]], ""]
    if view["teaser"]:
        lines += [view["teaser"], ""]
    for _kind, text in view["blocks"]:
        lines += [text, ""]
    lines += view["byline"]
    if view["uncertain"]:
        lines += ["", f"{UNCERTAIN_HEADING}:", *_uncertain_lines(view, "- ")]
    return "\n".join(lines).rstrip() + "\n"


def to_markdown(result: Result, language: str | None = None) -> str:
    view = _language_view(result, language)
    lines = [f"# {view['title']}", ""] if view["title"] else []
    meta = " · ".join(filter(None, [view["date"], *view["byline"]]))
    if meta:
        lines += [f"*{meta}*", ""]
    lines += ["## Summary", "", *[f"- {s}" for s in view["summary"]], ""]
    if view["teaser"]:
        lines += [f"**{view['teaser']}**", ""]
    for kind, text in view["blocks"]:
        lines += [f"### {text}" if kind == HEADING else text, ""]
    if view["uncertain"]:
        lines += [f"## {UNCERTAIN_HEADING}", "", *_uncertain_lines(view, "- "), ""]
    return "\n".join(lines).rstrip() + "\n"


def to_html(result: Result, language: str | None = None) -> str:
    view = _language_view(result, language)
    code = language or result.source
    direction = "rtl" if code in RTL_LANGUAGES else "ltr"
    e = html.escape
    parts = [
        f'<!doctype html>\n<html lang="{e(code)}" dir="{direction}">\n<head><meta charset="utf-8">'
        f"<title>{e(view['title'] or 'Article')}</title></head>\n<body>",
        f"<h1>{e(view['title'])}</h1>" if view["title"] else "",
        "<h2>Summary</h2>\n<ul>" + "".join(f"<li>{e(s)}</li>" for s in view["summary"]) + "</ul>",
        f"<p><strong>{e(view['teaser'])}</strong></p>" if view["teaser"] else "",
    ]
    parts += [f"<h3>{e(text)}</h3>" if kind == HEADING else f"<p>{e(text)}</p>" for kind, text in view["blocks"]]
    if view["uncertain"]:
        parts.append(f'<h2>{e(UNCERTAIN_HEADING)}</h2>\n<ul class="uncertain">' + "".join(
            f'<li><data value="{confidence:.4f}">{confidence:.2f}</data> · {e(target)} ← <q>{e(source)}</q></li>'
            for confidence, source, target in view["uncertain"]) + "</ul>")
    parts.append("</body>\n</html>\n")
    return "\n".join(part for part in parts if part)


def to_xliff(result: Result, language: str) -> str:
    """The body sentences and their ``language`` translation as XLIFF 1.2, for an editor's tool;
    sentences from the translation memory are marked translated, the model's need review."""
    from .exchange import article_to_xliff

    return article_to_xliff(to_dict(result), target=language, reviewed=result.translations[language].reviewed)


def to_summary_document(result: Result, language: str | None, *, suffix: str) -> bytes:
    """The summary in ``language`` as a short .docx or .odt of its own: title, "Summary", the sentences."""
    from .stages.office import summary_copy

    view = _language_view(result, language)
    code = language or result.source
    return summary_copy(suffix, title=view["title"], heading="Summary", sentences=list(view["summary"]),
                        right_to_left=code in RTL_LANGUAGES)


def document_file_names(stem: str, suffix: str, language: str) -> tuple[str, str]:
    """The names of an article's translated copy and its summary document in ``language``:
    ("ARTICLE.de.docx", "ARTICLE.de.summary.docx")."""
    return f"{stem}.{language}{suffix}", f"{stem}.{language}.summary{suffix}"


RENDERERS = {"text": to_text, "markdown": to_markdown, "html": to_html, "json": to_json, "xliff": to_xliff}
