"""What the desk's pages show, built from the form's values and a Result: the targets, each
language's view of the article, glossary terms marked, the left-out lines, the downloads.

Apart from web.py, which holds the desk's routes, its form and its runs (issue 29: one room of
692 lines).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from flask import url_for
from markupsafe import Markup, escape

from .. import defaults, render
from ..desk.translating import effective_glossary
from ..outcome import Result
from ..stages.clean import HEADING, PARAGRAPH, REMOVAL_REASONS
from ..stages.language import DISPLAY_NAMES, RTL_LANGUAGES, SURE_CONFIDENCE, detect_language
from ..stages.summary import DEFAULT_METHOD, METHODS
from ..translation import routing
from . import access, inputs

CHOICES = defaults.TARGETS
DOCUMENT_LABELS = {".docx": "Word", ".odt": "OpenDocument"}
# What each download is: (extension, label, media type, renderer).
FILE_KINDS = {"md": ("Markdown", "text/markdown", render.to_markdown),
              "txt": ("Text", "text/plain", render.to_text),
              "html": ("HTML", "text/html", render.to_html),
              "xlf": ("XLIFF", "application/xliff+xml", render.to_xliff)}


def restorable(result: Result, values: dict) -> set[int]:
    """Which of the article's left-out lines can be put back: those the cleaner left out of the
    text itself. A document's own outline is not cleaned, and lines reading a file left out
    are not in the text; a credit cut off its line is part of another."""
    rerun = values.get("rerun")
    if rerun is None or rerun.get("outlined"):
        return set()
    lines = {" ".join(line.split()) for line in values.get("article", "").splitlines()}
    return {index for index, line in enumerate(result.article.removed) if line.reason != "outside" and line.text in lines}


def may_edit(settings) -> bool:
    """Whether this page's corrections go into the shared memory: keys off, or a key with ``edit``."""
    if not settings.api_keys:
        return True
    record = access.web_key(settings)
    return record is not None and record.may("edit")


def page(values: dict) -> dict:
    """What the desk's form shows: the editor's values, the targets that can be ticked, who is signed in."""
    settings = inputs.current_settings()
    signed_in = access.web_key(settings) if settings.api_keys else None
    return {"needs_key": settings.api_keys and signed_in is None, "signed_in": signed_in,
            "values": values, "choices": _choices(settings, values["targets"]), "methods": METHODS,
            "default_method": DEFAULT_METHOD, "sources": ["auto", *CHOICES, "en"], "names": DISPLAY_NAMES,
            "max_characters": settings.max_characters, "may_edit": may_edit(settings)}


def _choices(settings, chosen) -> list[dict]:
    """The target boxes: those some installed pack reaches can be ticked; the others are shown
    disabled, with the pack that would make them work."""
    reachable = {target for _source, target, _via in routing.reachable_pairs(settings)}
    boxes = []
    for code in CHOICES:
        fix = None if code in reachable else (
            f"no pack translates into {DISPLAY_NAMES[code]}: put translate-en_{code}-*.argosmodel in "
            f"{settings.langpacks_dir}/ and run `newsdesk langpacks install`")
        boxes.append({"code": code, "name": DISPLAY_NAMES[code], "checked": code in chosen and fix is None, "fix": fix})
    return boxes


def result_page(run_id: str, result: Result, values: dict, *, document: str = "") -> dict:
    """What the result page shows: the form, then the article and each translation as views."""
    return {**page(values), "result": result, "run_id": run_id, "views": _views(result),
            "failed": [{"code": code, "name": DISPLAY_NAMES.get(code, code), "reason": reason}
                       for code, reason in result.failed.items()],
            "downloads": _downloads(run_id, result, document=document), "reasons": REMOVAL_REASONS,
            "restorable": restorable(result, values), "left_out_by_reason": _by_reason(result),
            "untranslated": "" if result.translations or result.failed else _why_untranslated(inputs.current_settings()),
            "source_doubt": _source_doubt(result, values)}


def _source_doubt(result: Result, values: dict):
    """The language the article reads as, when the editor chose another one and the model is sure
    (issue 28: "German" chosen for an English article gave a German card equal to the original)."""
    if values.get("source", defaults.SOURCE) == defaults.SOURCE or not result.sentences:
        return None
    detected = detect_language(" ".join(result.sentences))
    return detected if detected.code != result.source and detected.confidence >= SURE_CONFIDENCE else None


def _why_untranslated(settings) -> str:
    """Why a result has no translation although none failed: no pack, or no language ticked."""
    if not routing.reachable_pairs(settings):
        return (f"no language pack is installed. Put translate-en_de-*.argosmodel (and the ar, ru ones) in "
                f"{settings.langpacks_dir}/ and run `newsdesk langpacks install`; the cleaned article and its "
                "summary are below.")
    return "no language was ticked under Translate into. Tick one and send the article again."


def _by_reason(result: Result) -> list[tuple[str, int]]:
    """How many lines were left out for each reason, the commonest first ("3 navigation")."""
    counts: dict[str, int] = {}
    for line in result.article.removed:
        counts[line.reason] = counts.get(line.reason, 0) + 1
    return sorted(counts.items(), key=lambda item: -item[1])


def step_label(step) -> dict:
    """A step as the progress display shows it."""
    return {"stage": step.stage, "language": step.language, "text": step.describe()}


def _views(result: Result) -> list[dict]:
    """The original, then one card per translated language, sentence by sentence with its source."""
    settings = inputs.current_settings()
    glossary = effective_glossary(settings)
    source_terms = _terms_in(result, glossary)
    source = {"code": result.source, "is_source": True, "title": result.article.title,
              "teaser": result.article.teaser, "headings": result.article.headings,
              "sentences": result.sentences, "terms": {term: "glossary term" for term in source_terms},
              "uncertain": set(), "reviewed": set(), "confidences": (), "back": False}
    views = [source]
    # the translations a pack (or a chain through English) can take back into the article's language
    back = {source_code for source_code, target, _via in routing.reachable_pairs(settings) if target == result.source}
    for code, item in result.translations.items():
        terms = glossary.for_target(code)
        marks = {terms[term]: f"glossary: {term} → {terms[term]}" for term in source_terms if term in terms}
        views.append({"code": code, "is_source": False, "title": item.title, "teaser": item.teaser,
                      "headings": item.headings, "sentences": item.sentences, "terms": marks,
                      "uncertain": set(item.uncertain), "reviewed": set(item.reviewed),
                      "confidences": item.confidences, "back": code in back})
    for view in views:
        view["name"] = DISPLAY_NAMES.get(view["code"], view["code"])
        view["rtl"] = view["code"] in RTL_LANGUAGES
        view["paragraphs"] = _paragraphs(result, view)
        view["summary"] = [(index, _marked(view["sentences"][index], view["terms"])) for index in result.summary]
    return views


def _terms_in(result: Result, glossary) -> list[str]:
    """The glossary's source terms that occur in the article (whole words), any target's."""
    text = " ".join(result.sentences)
    terms = {term for target in glossary.by_target for term in glossary.by_target[target]} | set(glossary.keep)
    return sorted(term for term in terms if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text))


def _marked(text: str, terms: dict[str, str]) -> Markup:
    """``text`` escaped, each glossary term in it wrapped in <mark> with what it stands for."""
    if not terms:
        return escape(text)
    parts, at = [], 0
    for found in _term_pattern(tuple(terms)).finditer(text):
        parts += [escape(text[at:found.start()]),
                  Markup('<mark class="term" title="{}">{}</mark>').format(terms[found[0]], found[0])]
        at = found.end()
    return Markup("").join([*parts, escape(text[at:])])


@functools.lru_cache(maxsize=64)
def _term_pattern(terms: tuple[str, ...]) -> re.Pattern:
    """One pattern for a card's glossary terms (compiled once, not once per sentence), longest first."""
    return re.compile("|".join(rf"(?<!\w){re.escape(term)}(?!\w)" for term in sorted(terms, key=len, reverse=True)))


def _paragraphs(result: Result, view: dict) -> list[dict]:
    paragraphs, heading = [], iter(view["headings"])
    for index, block in enumerate(result.article.blocks):
        if block.kind == HEADING:
            paragraphs.append({"kind": HEADING, "text": next(heading)})
            continue
        sentences = []
        for number, owner in enumerate(result.paragraph_index):
            if owner != index:
                continue
            confidence = view["confidences"][number] if view["confidences"] else None
            sentences.append({"index": number, "html": _marked(view["sentences"][number], view["terms"]),
                              "text": view["sentences"][number], "source": result.sentences[number],
                              "uncertain": number in view["uncertain"], "reviewed": number in view["reviewed"],
                              "confidence": confidence})
        paragraphs.append({"kind": PARAGRAPH, "sentences": sentences})
    return paragraphs


def _downloads(run_id: str, result: Result, *, document: str = "") -> list[dict]:
    """Per language (the original first) its files, and JSON of everything; named after the
    article (secret-talks.de.md) and served by the app. For a .docx/.odt upload (``document``)
    each translation also has the document translated and its summary as a document."""
    stem = render.file_stem(result)
    suffix = Path(document).suffix.lower()
    label = DOCUMENT_LABELS.get(suffix, "")
    rows = []
    for code in (result.source, *result.translations):
        kinds = [kind for kind in FILE_KINDS if kind != "xlf" or code in result.translations]
        files = [{"label": FILE_KINDS[kind][0], "name": f"{stem}.{code}.{kind}",
                  "href": url_for("web.download", run_id=run_id, name=f"{stem}.{code}.{kind}")} for kind in kinds]
        if label and code in result.translations:
            copy_name, summary_name = render.document_file_names(stem, suffix, code)
            files += [{"label": f"{label} (translated document)", "name": copy_name,
                       "href": url_for("web.download", run_id=run_id, name=copy_name)},
                      {"label": f"{label} (summary)", "name": summary_name,
                       "href": url_for("web.download", run_id=run_id, name=summary_name)}]
        rows.append({"name": DISPLAY_NAMES.get(code, code), "code": code, "files": files})
    everything = {"label": "JSON (everything)", "name": f"{stem}.json",
                  "href": url_for("web.download", run_id=run_id, name=f"{stem}.json")}
    return {"languages": rows, "everything": everything}
