"""Render a pipeline Result as text, Markdown, HTML or JSON (its data: outcome.to_dict)."""

from __future__ import annotations

import html
import json
import re

from . import defaults
from .outcome import Result, to_dict
from .stages.clean import HEADING, PARAGRAPH
from .stages.language import RTL_LANGUAGES

FORMATS = defaults.OUTPUT_FORMATS


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
    from .desk.exchange import article_to_xliff

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
