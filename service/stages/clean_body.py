"""Find an article's body in the marked lines and place it: paragraphs, subheadings, and the repeats that leave.

The main block is the run of prose lines with the most words, allowing short gaps
(subheadings, ads, captions) inside it and never in the readers' comments. Inside it,
prose, short sentences and subheadings stay; pull quotes and lines the page shows twice
leave as repeats. A page with no prose at all keeps what is not furniture. What is placed
here is marked on each Line's ``place`` (clean.py builds the Article from it).
"""

from __future__ import annotations

import re

from .clean_boxes import KEY_POINTS, closes_with_credited_section
from .clean_header import place_byline
from .clean_lines import SENTENCE_END, WORD, Line, drop, starts_like_a_heading
from .clean_types import HEADING, PARAGRAPH, Tuning

# --- the main block -------------------------------------------------------------------

MIN_ARTICLE_WORDS = 80  # a run this long before a "Comments" label is the article


def find_main_block(lines: list[Line], *, tuning: Tuning) -> tuple[int | None, int | None]:
    """Return (first, last) line index of the run of prose with the most words.

    A section label ("More from ...", "Related") ends a run: what follows it is other
    stories. Runs that a label alone separated are joined back when close, since a
    mid-article box ("More from Ask an Advisor") has the article on both sides. Readers'
    comments can outweigh the article (taz, issue 13), so runs after a "Comments" label
    only count when nothing long enough comes before it.
    """
    runs = _before_comments(lines, _prose_runs(lines, tuning))
    if not runs:
        return None, None
    best = max(range(len(runs)), key=lambda i: runs[i][2])
    start, end, _ = runs[best]
    for previous in reversed(runs[:best]):
        if start - previous[1] - 1 > tuning.max_gap:
            break
        start = previous[0]
    for following in runs[best + 1 :]:
        if not _continues_after_link_box(lines, end, following):
            break
        end = following[1]
    return start, _extend_end(lines, end)


LINK_BOX_LINES = 20  # a box of headline links inside the article ("Schlagzeilen", 10-15 entries)
LINK_WORDS = 8  # a headline link is short
FULL_PARAGRAPH_WORDS = 40  # a promo teaser rarely is this long; the article's own paragraphs often are


def _continues_after_link_box(lines: list[Line], end: int, run: tuple[int, int, int]) -> bool:
    """The article goes on below a box of short headline links when full paragraphs follow it.

    Such a box (t-online's "Schlagzeilen", Focus's product lists) is longer than a gap
    but is only links; teasers of other stories below an article are short and come
    after a section label (issue 13: the paragraphs below the box were lost).
    """
    box = lines[end + 1 : run[0]]
    if len(box) > LINK_BOX_LINES or any(line.words > LINK_WORDS or line.marker or line.comments for line in box):
        return False
    if max(line.words for line in lines[run[0] : run[1] + 1] if line.prose) < FULL_PARAGRAPH_WORDS:
        return False
    for line in box:
        drop(line)  # a box entry is never a subheading of the text below
        line.reason = line.reason or "related"
    return True


def _prose_runs(lines: list[Line], tuning: Tuning) -> list[tuple[int, int, int]]:
    """Split the prose lines into (first, last, words) runs at long gaps and section labels.

    Short sentences join a run but never start one; a run starts and ends at prose.
    """
    runs = []
    start = last = last_prose = None
    words = 0
    marker_since_last = False
    gap = _gap_counts(lines)
    for index, line in enumerate(lines):
        if (line.marker or line.comments) and last is not None:
            marker_since_last = True
        if not line.bodylike:
            continue
        if last is not None and (gap[index] - gap[last + 1] > tuning.max_gap or marker_since_last):
            if start is not None:
                runs.append((start, last_prose, words))
            start, last, words = None, None, 0
        marker_since_last = False
        if start is None and not line.prose:
            continue
        if start is None:
            start = index
        last = index
        words += line.words if line.seen == 1 else 0  # a text the page shows twice is a promo
        if line.prose:
            last_prose = index
    if start is not None:
        runs.append((start, last_prose, words))
    return runs


def _gap_counts(lines: list[Line]) -> list[int]:
    """Prefix counts of the lines that make a gap; a box the page repeats (VOGUE's promos) makes none."""
    counts = [0]
    for line in lines:
        counts.append(counts[-1] + (not line.bodylike and line.seen == 1))
    return counts


def _before_comments(lines: list[Line], runs: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    for index, line in enumerate(lines):
        if not line.comments:
            continue
        before = [run for run in runs if run[1] < index]
        words_before = sum(run[2] for run in before)
        # A "Comments" link in the menu sits above the article: the runs below it are
        # the article when what came before is only a few promo texts.
        longest_after = max((run[2] for run in runs if run[0] > index), default=0)
        if words_before >= MIN_ARTICLE_WORDS and 3 * words_before >= longest_after:
            return before
    return runs


def _extend_end(lines: list[Line], end: int) -> int:
    """Take in a last short sentence, and a last section whose only paragraph has a glued credit."""
    if end + 1 < len(lines) and lines[end + 1].sentence:
        end += 1
    if end + 2 < len(lines) and closes_with_credited_section(lines, heading=end + 1):
        end += 2
    return end


# --- the body -----------------------------------------------------------------------


REPEAT_WORDS = 12  # a line this long shown twice is the page drawing a box again; a shorter refrain may be the writer's


def place_body(lines: list[Line], *, start: int, end: int) -> None:
    """Place the block's paragraphs, subheadings and bylines; a line that repeats the text above it leaves."""
    _keep_credited_section(lines, start, end)
    kept_bigrams: set[tuple[str, str]] = set()
    kept_texts: set[str] = set()
    for index in range(start, end + 1):
        line = lines[index]
        if line.byline and not line.bodylike:
            place_byline(lines, line=line)
        elif line.bodylike:
            bigrams = _bigrams(line.text)
            if _repeats_kept(line, bigrams, kept_bigrams, kept_texts):
                line.reason = "repeat"
                continue
            kept_texts.add(line.text)
            kept_bigrams |= set(bigrams)
            line.place = PARAGRAPH
        elif _is_subheading(lines, index, end):
            line.place = HEADING
        elif _introduces_next(lines, index, end):
            line.place = PARAGRAPH


PULL_QUOTE_WORDS = 40
PULL_QUOTE_BIGRAMS = 8  # a shorter sentence ("The figures could not be verified.") may well be said twice
PULL_QUOTE_REACH = 6  # the paragraph a pull quote was taken from follows within a few lines
_ATTRIBUTION = re.compile(r"^[^\W\d_][\w.'-]*(?: [^\W\d_][\w.'-]*){1,3}, [^.!?]+$")


def drop_pull_quotes(lines: list[Line], *, start: int, end: int) -> None:
    """A short paragraph that a longer one just below says again is a pull quote; it leaves with
    its "Name, role" line (Tagesspiegel-style quote boxes, issue 13)."""
    for index in range(start, end + 1):
        line = lines[index]
        if line.place != PARAGRAPH or line.words > PULL_QUOTE_WORDS or len(set(_bigrams(line.text))) < PULL_QUOTE_BIGRAMS:
            continue
        if not line.text.rstrip("\"'”“»«’").endswith(SENTENCE_END):  # a quotation set as a subheading stays
            continue
        below = [other for other in lines[index + 1 : index + 1 + PULL_QUOTE_REACH] if other.place == PARAGRAPH]
        if not any(other.words > line.words and _bigram_share(line.text, other.text) >= 0.7 for other in below):
            continue
        line.place, line.reason = "", "repeat"
        after = lines[index + 1] if index + 1 <= end else None
        if after is not None and after.place == HEADING and after.words <= 14 and _ATTRIBUTION.match(after.text):
            after.place, after.reason = "", "repeat"


def _bigram_share(short: str, long: str) -> float:
    bigrams, other = _bigrams(short), set(_bigrams(long))
    return sum(bigram in other for bigram in bigrams) / max(1, len(bigrams))


def _repeats_kept(line: Line, bigrams: list[tuple[str, str]], kept_bigrams: set, kept_texts: set[str]) -> bool:
    """A pull quote repeats pieces of the text above it; a long line the page shows twice word for
    word (a caption, a summary box drawn again) is kept once; a short refrain may be the writer's."""
    repeated = sum(bigram in kept_bigrams for bigram in bigrams)
    if len(set(bigrams)) < 6 or repeated < 0.8 * len(bigrams):
        return False
    return line.text not in kept_texts or line.words >= REPEAT_WORDS


def _keep_credited_section(lines: list[Line], start: int, end: int) -> None:
    """A section whose only paragraph has a glued credit keeps it: a section is never just a caption."""
    for index in range(start, end):
        if closes_with_credited_section(lines, heading=index) and index + 1 <= end:
            body = lines[index + 1]
            body.caption, body.sentence = False, True


def _is_subheading(lines: list[Line], index: int, end: int) -> bool:
    line = lines[index]
    if line.boilerplate or line.caption or line.credit_line or line.label or not 1 <= line.words <= 14:
        return False
    if line.text.endswith((".", "!", ",", ";", ":")) or line.date or line.byline:
        return False
    following = next((lines[i] for i in range(index + 1, end + 1) if not lines[i].boilerplate), None)
    starts = starts_like_a_heading(line.text)
    return following is not None and following.bodylike and starts or line.text[0].isdigit() and line.words > 1


def _introduces_next(lines: list[Line], index: int, end: int) -> bool:
    """A short line ending in ':' that leads into the text below ("He said:", "Here is what to look for:")."""
    line = lines[index]
    if line.boilerplate or line.caption or line.credit_line or line.label or line.date or line.byline:
        return False
    if line.words < 3 or not line.text.endswith(":") or KEY_POINTS.match(line.text.rstrip(":")):
        return False
    following = next((lines[i] for i in range(index + 1, end + 1) if not lines[i].boilerplate), None)
    return following is not None and following.bodylike


def _bigrams(text: str) -> list[tuple[str, str]]:
    words = [word.lower() for word in WORD.findall(text)]
    return list(zip(words, words[1:]))


def place_without_body(lines: list[Line]) -> None:
    """No prose at all (a short note, a list): keep what is not page furniture."""
    kept = [line for line in lines if not (line.boilerplate or line.caption or line.credit_line)]
    if len(kept) > 1:
        kept[0].place = "title"
    for line in kept[1:] or kept:
        line.place = PARAGRAPH

