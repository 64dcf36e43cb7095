"""Read an article's header from the lines around its body: title, teaser (standfirst), date, byline, a short lead.

The step after the main block is found (clean_body): the header sits above the block,
a title with at most a teaser under it, dates and bylines among them, page furniture and
menus around them; bylines may sit below the block too. A teaser the title or the lead
repeats leaves. What is placed here is marked on each Line's ``place``.
"""

from __future__ import annotations

from .clean_lines import BARE_AGENCY, CLOSING, SENTENCE_END, WORD, Line, count_words, is_headline_like
from .clean_types import HEADING, PARAGRAPH


def skip_header_inside(lines: list[Line], *, start: int, end: int) -> int:
    """Move the start below a date or byline in the first lines: a title and teaser above it are the header."""
    window = range(start, min(end, start + 6))
    meta = [index for index in window if lines[index].date or lines[index].byline]
    if not meta or lines[start].text.endswith(SENTENCE_END):
        return start
    if sum(lines[index].prose for index in range(start, meta[-1])) > 2:
        return start
    after = next((index for index in range(meta[-1] + 1, end + 1) if lines[index].bodylike), None)
    return start if after is None else after


HEADER_REACH = 30  # lines above the body searched for title, teaser, date, byline


def place_header(lines: list[Line], *, start: int) -> None:
    """Read title, teaser, date, byline and a short lead from the lines above the body.

    Walking up: dates and bylines are noted, page furniture and menus skipped, and short
    sentences below every date and byline are the lead (body text, issue 13). The first
    other line is the bottom of the headline stack: the title, or a teaser with the title
    above it. A short title is still a title; a menu entry never is.
    """
    meta_seen, stack, leads = False, [], []
    for index in range(start - 1, max(-1, start - 1 - HEADER_REACH), -1):
        line = lines[index]
        if line.date or line.byline or line.label:
            meta_seen = True
            _place_meta(lines, line)
        elif stack:
            if not _extends_stack(lines, index, stack):
                break
            stack.insert(0, index)
        elif line.sentence and not meta_seen:
            leads.insert(0, index)
        elif _can_be_title(lines, index) and (index == 0 or line.words >= 3 or line.words == 2 and _sits_on_meta(lines, index)):
            stack = [index]  # a two-word title sits right on its date or byline; one word is a rubric
    for index in leads:
        lines[index].place = PARAGRAPH
    _place_stack(lines, stack)


def _place_meta(lines: list[Line], line: Line) -> None:
    if line.byline:
        place_byline(lines, line=line)
    elif line.date and not any(other.place == "date" for other in lines):
        line.place = "date"


def place_byline(lines: list[Line], *, line: Line) -> None:
    """Place a byline, unless the page already gave the same one."""
    if not any(other.place == "byline" and other.text == line.text for other in lines):
        line.place = "byline"


def _place_stack(lines: list[Line], stack: list[int]) -> None:
    """The stack's top is the title, a second line the teaser; taller stacks are key-point bullets."""
    if not stack:
        return
    lines[stack[0]].place = "title"
    if len(stack) == 2:
        lines[stack[1]].place = "teaser"
    for index in stack[1:] if len(stack) > 2 else ():
        lines[index].reason = "repeat"  # the bullets under a title say what the body says
    _date_above_title(lines, stack[0])


def _date_above_title(lines: list[Line], title: int) -> None:
    """Some pages put the date (or byline) just above the headline."""
    for line in lines[max(0, title - 3) : title]:
        if line.date or line.byline:
            _place_meta(lines, line)


def _sits_on_meta(lines: list[Line], index: int) -> bool:
    below = lines[index + 1] if index + 1 < len(lines) else None
    return below is not None and (below.date or below.byline or below.label)


def _can_be_title(lines: list[Line], index: int) -> bool:
    line = lines[index]
    if index == 0:  # the first line of a paste is its title even when short ("Hafenstreik beendet")
        return is_headline_like(line)
    if not is_headline_like(line) or line.sentence and line.words > 30 or _looks_like_name(line.text):
        return False
    return not _in_menu(lines, index)


def _looks_like_name(text: str) -> bool:
    """"Amy Gibbons", "Chris Wilson-Smith": an author's name above a story, not its title."""
    tokens = text.split()
    return len(tokens) <= 3 and all(token[:1].isupper() and token.replace("-", "").replace(".", "").isalpha() for token in tokens)


def _in_menu(lines: list[Line], index: int) -> bool:
    """A short entry among other short entries, or one drawn twice: a menu or a tag list."""
    if lines[index].repeated_nearby and lines[index].words <= 4:
        return True
    if lines[index].words > 4 or _sits_on_meta(lines, index):  # a menu never sits on a date or byline
        return False
    around = lines[max(0, index - 2) : index] + lines[index + 1 : index + 3]
    return sum(_short_entry(other) for other in around) >= 2


def _short_entry(line: Line) -> bool:
    return line.words <= 4 and not (line.furniture or line.date or line.byline or line.text.endswith(SENTENCE_END))


def _extends_stack(lines: list[Line], index: int, stack: list[int]) -> bool:
    """A line above the stack's bottom is its title when the bottom reads like a teaser."""
    line, bottom = lines[index], lines[stack[0]]
    if not is_headline_like(line) or line.text.endswith(SENTENCE_END) or _in_menu(lines, index):
        return False
    if len(stack) == 1:
        return (bottom.words >= 8 or bottom.text.endswith(SENTENCE_END)) and line.words <= max(bottom.words, 20)
    return all(lines[i].words >= 8 and not lines[i].text.endswith(CLOSING) for i in [index, *stack])


def place_bylines_after(lines: list[Line], *, end: int) -> None:
    """Place the bylines (or a bare agency) in the few lines below the body."""
    for line in lines[end + 1 : end + 8]:
        if (line.byline or BARE_AGENCY.match(line.text)) and line.words <= 12 and not line.place:
            place_byline(lines, line=line)


def drop_repeating_teaser(lines: list[Line]) -> None:
    """Drop a teaser (above or at the top of the body) that the title or the first paragraph repeats."""
    teaser = next((line for line in lines if line.place == "teaser"), None)
    title = next((line for line in lines if line.place == "title"), None)
    paragraphs = [line for line in lines if line.place == PARAGRAPH]
    if teaser and title and teaser.text == title.text:  # a headline the page prints twice
        teaser.place, teaser.reason = "", "repeat"
    elif teaser and paragraphs and _repeats(teaser.text, paragraphs[0].text):
        teaser.place, teaser.reason = "", "repeat"
    blocks = [line for line in lines if line.place in (PARAGRAPH, HEADING)]
    if len(paragraphs) >= 2 and blocks[0] is paragraphs[0] and _repeats(paragraphs[0].text, paragraphs[1].text):
        paragraphs[0].place, paragraphs[0].reason = "", "repeat"


def _repeats(short: str, long: str) -> bool:
    """A shorter text whose words the longer one nearly all has (a word-for-word repeat is kept).

    Counted word by word, not over the distinct words: two paragraphs built on one frame ("The
    ... said the port authority on Monday.") share most distinct words and still say different
    things (a property test found it)."""
    words = WORD.findall(short.lower())
    shorter = count_words(short) < count_words(long)
    if not shorter or not words:
        return False
    others = set(WORD.findall(long.lower()))
    return sum(word in others for word in words) / len(words) >= 0.8


