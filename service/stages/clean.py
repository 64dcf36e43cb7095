"""Turn text scraped from a news page into an Article: title, date, byline, teaser, body.

Scraped text is the article with the page around it: navigation lists, share buttons,
image alt text and captions (often with the credit glued on: "...weekImage: ANP"),
newsletter boxes, related-story headlines, readers' comments. The steps, in order:

1. split into lines and cut glued credits off;
2. mark each line: prose, sentence, page furniture, caption, credit, date, byline, ...;
3. find the main block: the run of prose lines with the most words, allowing short
   gaps (subheadings, ads, captions) inside it, and never in the comments;
4. inside it, keep prose, short sentences and subheadings; leave out captions (with the
   alt text above them), credits, embeds, promos, sign-up boxes, profiles and repeats
   (pull quotes, machine-made summaries, a line shown twice, a teaser that repeats the lead);
5. read the header above the block (title, teaser, date, byline, a short lead) and
   bylines below it;
6. recall first (issue 27): a line left out only for where it sits or how it looks gets a
   second opinion (clean_model.py) and goes back when that reads it as body text; on a
   page's main content (an .html upload, ``main_content``) every such line goes back.

Every input line ends up in exactly one place: a field of the Article or, with the
reason, in ``Article.removed`` (issue 13: no body text is dropped silently). The words
each language uses for credits, bylines, dates and furniture live in
service/stages/clean_rules.py. Measured with ../shared/evaldata/boilerplate_eval.py and
cross-validated by publisher with bench/clean_cv.py.

This module is the cleaner's entry: it runs the steps in order and puts every line in its
place. The steps live beside it, each importing only those below it (issue 29):
clean_types.py (Article, Block, Removed, Tuning: re-exported here, where the rest of
newsdesk imports them), clean_lines.py (steps 1-2), clean_boxes.py (captions, credits and
the boxes of step 4, marked by their neighbours), clean_body.py (steps 3-4),
clean_header.py (step 5) and clean_model.py (the second opinion of step 6).
"""

from __future__ import annotations

from .clean_body import drop_pull_quotes, find_main_block, place_body, place_without_body
from .clean_boxes import mark_by_neighbours
from .clean_header import drop_repeating_teaser, place_bylines_after, place_header, skip_header_inside
from .clean_lines import CLOSING, URL_LINE, Line, is_headline_like, mark_lines, split_lines
from .clean_model import LineFacts, line_signals, page_stop_words, trained_model
from .clean_types import DEFAULT_TUNING, HEADING, PARAGRAPH, REMOVAL_REASONS, Article, Block, Removed, Tuning

__all__ = ["DEFAULT_TUNING", "HEADING", "PARAGRAPH", "REMOVAL_REASONS", "Article", "Block", "Removed", "Tuning",
           "clean", "clean_text", "lines_in_doubt"]

# --- the steps ---------------------------------------------------------------------


def clean(text: str, tuning: Tuning = DEFAULT_TUNING, *, main_content: bool = False,
          keep: frozenset[str] = frozenset()) -> Article:
    """Extract the article from scraped page text.

    ``main_content``: the text is already a page's main content (trafilatura's reading of an
    .html upload), so a line leaves only on what it is (a caption, a credit, a date, a repeat),
    never on where it sits or how it looks (issue 27: the .html path keeps what its library kept).
    ``keep``: lines an editor put back (issue 28): each stays, where it stands, as a paragraph.
    """
    lines = _mark(split_lines(text), tuning)
    if not lines:
        return Article()
    start, end = _place(lines, tuning)
    return _assemble(lines, start, end, main_content, keep)


def lines_in_doubt(text: str, tuning: Tuning = DEFAULT_TUNING) -> list[tuple[str, str, dict[str, float]]]:
    """The lines the rules leave out only for where they sit or how they look: (line, reason, the model's signals).

    bench/clean_model_train.py fits the second opinion on these (service/stages/clean_model.py).
    """
    lines = _mark(split_lines(text), tuning)
    if not lines:
        return []
    start, end = _place(lines, tuning)
    reasons = _reasons(lines, start, end)
    signals = _signals(lines, reasons, start, end)
    doubtful = _in_doubt(lines, reasons)
    return [(line.original, reason, row) for line, reason, row, doubt in zip(lines, reasons, signals, doubtful) if doubt]


def _place(lines: list[Line], tuning: Tuning) -> tuple[int, int]:
    """Place the header and body lines by the rules; return the body's (first, last) line index."""
    start, end = find_main_block(lines, tuning=tuning)
    if start is None:
        place_without_body(lines)
        return 0, len(lines) - 1
    start = skip_header_inside(lines, start=start, end=end)
    place_body(lines, start=start, end=end)
    drop_pull_quotes(lines, start=start, end=end)
    place_header(lines, start=start)
    place_bylines_after(lines, end=end)
    drop_repeating_teaser(lines)
    return start, end


def clean_text(text: str) -> str:
    """Return just the cleaned body (teaser, subheadings, paragraphs) as plain text."""
    return clean(text).body_text()


def _mark(texts: list[str], tuning: Tuning) -> list[Line]:
    """Mark each line by what it says, then by its neighbours (captions, credits, boxes)."""
    lines = mark_lines(texts, tuning=tuning)
    mark_by_neighbours(lines)
    return lines


# --- every line in one place ------------------------------------------------------------


# Reasons that say where a line sits or what it looks like, not what it is (issue 27, recall
# first): such a line stays on a page's main content, and elsewhere when the second opinion
# (clean_model.py) reads it as body text. bench/quality_bench.py measures both on every set.
DOUBTFUL_REASONS = frozenset({"navigation", "boilerplate", "related", "comments", "outside"})


def _assemble(lines: list[Line], start: int, end: int, main_content: bool, keep: frozenset[str]) -> Article:
    """Build the Article; each line not placed goes to ``removed`` with its reason."""
    reasons = _reasons(lines, start, end)
    _keep_in_doubt(lines, _second_opinion(lines, reasons, start, end, main_content))
    for line in lines:
        if not line.place and line.original in keep:
            line.place = PARAGRAPH
    fields: dict[str, str] = {}
    byline, blocks, removed = [], [], []
    for line, reason in zip(lines, reasons):
        if not line.place:
            removed.append(Removed(line.original, reason))
            continue
        if line.credit:
            removed.append(Removed(line.credit, "credit"))
        if line.place == "byline":
            byline.append(line.text)
        elif line.place in (HEADING, PARAGRAPH):
            blocks.append(Block(line.place, line.text))
        else:
            fields[line.place] = line.text
    return Article(title=fields.get("title", ""), date=fields.get("date", ""), byline=tuple(byline),
                   teaser=fields.get("teaser", ""), blocks=tuple(blocks), removed=tuple(removed))


def _reasons(lines: list[Line], start: int, end: int) -> list[str]:
    """Why each line that no step placed is left out ("" for a placed line)."""
    placed = {line.text for line in lines if line.place}
    reasons = []
    box = ""  # after the article: "related" below a section label, "comments" below "Comments"
    for index, line in enumerate(lines):
        if index > end and (line.marker or line.comments):
            box = "comments" if line.comments else "related"
        reasons.append("" if line.place else _reason(line, index, (start, end), placed, box))
    return reasons


def _second_opinion(lines: list[Line], reasons: list[str], start: int, end: int, main_content: bool) -> list[bool]:
    """Which lines left out in doubt go back: all on a page's main content, else those the model reads as body."""
    if main_content:
        return [reason in DOUBTFUL_REASONS for reason in reasons]
    doubtful = _in_doubt(lines, reasons)
    if not any(doubtful):
        return doubtful
    model = trained_model()  # looked up here, in clean's namespace: tests and bench/clean_model_train.py replace it
    signals = _signals(lines, reasons, start, end)
    return [doubt and model.probability(row) >= model.threshold for doubt, row in zip(doubtful, signals)]


# A one- or two-word line ("News", "Home", "뉴스") is a menu entry far more often than a line of the story.
SECOND_OPINION_WORDS = 3


def _in_doubt(lines: list[Line], reasons: list[str]) -> list[bool]:
    """The lines that get the model's second opinion: left out in doubt, and long enough to say something."""
    return [reason in DOUBTFUL_REASONS and line.words >= SECOND_OPINION_WORDS for line, reason in zip(lines, reasons)]


def _signals(lines: list[Line], reasons: list[str], start: int, end: int) -> list[dict[str, float]]:
    facts = [LineFacts(text=line.text, seen=line.seen, in_block=start <= index <= end, prose=line.prose,
                       furniture=line.furniture, reason=reason)
             for index, (line, reason) in enumerate(zip(lines, reasons))]
    return line_signals(facts, page_stop_words([line.text for line in lines]))


def _keep_in_doubt(lines: list[Line], back: list[bool]) -> None:
    """Put back the lines ``back`` names, in page order: a subheading when it heads body text, else a paragraph."""
    for index, line in enumerate(lines):
        if not back[index]:
            continue
        below = lines[index + 1] if index + 1 < len(lines) else None
        heads_text = below is not None and below.bodylike and not line.text.endswith(CLOSING)
        line.place = HEADING if heads_text and is_headline_like(line) else PARAGRAPH


def _reason(line: Line, index: int, body: tuple[int, int], placed: set[str], box: str) -> str:
    """Why a line is left out: what a step said, else what the line is, else where it is."""
    if line.reason:
        return line.reason
    if line.text in placed:
        return "repeat"
    if line.credit_line:
        return "credit"
    if URL_LINE.match(line.text):
        return "navigation"
    if line.caption:
        return "caption"
    if line.date or line.label or line.byline:
        return "metadata"
    if box:
        return box
    if index < body[0]:
        return "navigation" if line.words <= 8 or not line.furniture else "boilerplate"
    if line.furniture or index >= body[0] and index <= body[1]:
        return "boilerplate"
    return "outside"
