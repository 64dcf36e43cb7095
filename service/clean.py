"""Turn text scraped from a news page into an Article: title, date, byline, teaser, body.

Scraped text is the article with the page around it: navigation lists, share buttons,
image alt text and captions (often with the credit glued on: "...weekImage: ANP"),
newsletter boxes, related-story headlines. The steps, in order:

1. split into lines and cut glued credits off;
2. mark each line: prose, boilerplate phrase, caption, credit, date, byline, ...;
3. find the main block: the run of prose lines with the most words, allowing short
   gaps (subheadings, ads, captions) inside it;
4. inside it, keep prose and subheadings; drop captions, credits, embeds, promos and
   repeats (pull quotes, a teaser that repeats the lead);
5. read the header above the block (title, teaser, date, byline) and bylines below it.

Measured with ../shared/evaldata/boilerplate_eval.py (bench/quality_bench.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

HEADING = "heading"
PARAGRAPH = "paragraph"


@dataclass(frozen=True)
class Block:
    """One body element: a paragraph, or a subheading."""

    kind: str
    text: str


@dataclass(frozen=True)
class Removed:
    """A line (or the glued credit cut off a line) that the cleaner left out, and why."""

    text: str
    reason: str  # a key of REMOVAL_REASONS


# Why a line is not in the article; the API, the CLI and the page show these.
REMOVAL_REASONS = {
    "navigation": "menu, section or link list of the page",
    "caption": "image or video caption",
    "credit": "photo or agency credit",
    "boilerplate": "share, subscribe, cookie or other page furniture",
    "related": "other stories: related, more from, most read",
    "repeat": "repeats text the article already has (pull quote, teaser)",
    "outside": "page text before or after the article",
}


@dataclass(frozen=True)
class Article:
    """A cleaned article; every input line is in exactly one field, ``removed`` included."""

    title: str = ""
    date: str = ""
    byline: tuple[str, ...] = ()
    teaser: str = ""
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    removed: tuple[Removed, ...] = field(default_factory=tuple)

    @property
    def paragraphs(self) -> list[str]:
        return [block.text for block in self.blocks if block.kind == PARAGRAPH]

    @property
    def headings(self) -> list[str]:
        return [block.text for block in self.blocks if block.kind == HEADING]

    def body_text(self) -> str:
        """The teaser and the body, one block per paragraph, as plain text."""
        parts = ([self.teaser] if self.teaser else []) + [block.text for block in self.blocks]
        return "\n\n".join(parts)


# --- line patterns ------------------------------------------------------------------

_CLOSING = (".", "!", "?", '"', "”", "’", "'", "»", "“", ")", "…", "؟", ":", ";")
_WORD = re.compile(r"\w+", re.UNICODE)
_GLUED_CREDIT = re.compile(
    r"(?<=[\w.,!?)\"”’])\s?(?:Image|Images|Photo|Photos|Photograph|Picture|Bild|Foto|Фото|Credit|Credits)\s?:\s*[^.!?]{1,80}$"
)
_TRAILING_CREDIT = re.compile(
    r"(?:Photograph|Photo|Image|Picture|Illustration|Foto|Bild|Фото|Credit)s?\s?:\s*[^.]{1,80}$"
    r"|\((?:AP|Photo|Photos|Getty|Reuters|AFP|EPA|Illustration)[^()]{0,80}\)$"
    r"|\((?:Photos? by|Photo illustration)[^()]*\)$"
    r"|\|\s*(?:Getty Images|Reuters|AP|AFP)\s*$"
    r"|\(?\b[A-Z][\w.' -]+/(?:AP|AFP|Getty Images|Reuters|EPA|dpa|NOAA/SPC|[A-Z]{2,})\)?$"
)
_CREDIT_LINE = re.compile(
    r"^\(?(?:AP(?: Photo)?|AFP|Reuters|Getty Images|EPA|dpa|picture alliance|Image Credits?:.*|Photo:.*|Foto:.*"
    r"|[\w.' -]+/(?:via )?(?:Reuters|AP|AFP|Getty Images|EPA|dpa|GC Images|[\w ]+ Images(?: Europe)?)"
    r"|\(?[A-Z][\w.' ]+(?: Times| Post| Press| Images)\)?)\)?\.?$"
)
_BOILERPLATE = re.compile(
    r"\b(?:skip to|sign (?:in|up)|log ?in|subscribe|subscription|newsletter|cookie|privacy (?:notice|policy)"
    r"|data protection|terms of (?:use|service)|all rights reserved|copyright|©|share (?:this|on|or comment)"
    r"|follow us|read more|more (?:about|from|in|on) |related (?:topics|subjects|stories|articles)|most (?:viewed|popular|read)"
    r"|advertisement|sponsored|click here|download (?:the|our) app|comments?(?: policy)?$|join the conversation"
    r"|^share$|view image|fullscreen|toggle caption|next image|previous image|email link|copy link|print$|bookmark"
    r"|report an? (?:editorial|technical)|editorial code|audios? and videos|wrong language|choose from \d+ languages"
    r"|enter your email|free weekly|you'?ve successfully|watch (?:now|live)|listen\b|min read|reuse this content"
    r"|explore more on these topics|values your comments|the independent|get the latest)\b",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"^(?:(?:published|updated|posted|stand|veröffentlicht|опубликовано)\b[:\s]*)?(?:\w+,?\s+)?"
    r"(?:\d{1,2}[./]\s?\d{1,2}[./]\s?\d{2,4}|\d{1,2}\.?\s+\w+\.?,?\s+\d{4}|\w+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2})(?:[\s,]+(?:at\s+)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*[A-Z]{0,4})?\.?$",
    re.IGNORECASE,
)
_BYLINE = re.compile(
    r"^(?:by|von|author|autor|autorin|editor|redaktion|автор|редактор|تحرير|بقلم)\b\s*:?\s*\S"
    r"|^(?:Associated Press|Reuters|AFP|AP|Agence France-Presse|dpa|Staff and agencies)(?: in [A-Z][\w -]+)?$",
    re.IGNORECASE,
)
_MONTHS = (
    "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec|januar|februar|märz|mai|juni|juli|oktober|dezember"
    "|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
    "|يناير|فبراير|مارس|أبريل|مايو|يونيو|يوليو|أغسطس|سبتمبر|أكتوبر|نوفمبر|ديسمبر"
)
_LOOSE_DATE = re.compile(
    rf"(?:\b(?:{_MONTHS})\w*\.?\s+\d{{1,2}}\b.*\b(?:19|20)\d\d\b|\b\d{{1,2}}\.?\s+(?:{_MONTHS})\w*\.?,?\s+(?:19|20)\d\d\b"
    rf"|\b\d+\s+(?:seconds?|minutes?|hours?|days?)\s+ago\b|^(?:published|updated|posted)\b)",
    re.IGNORECASE,
)
# Labels that close the article ("More from ...", "Related") or open a box inside it.
_SECTION_MARKER = re.compile(
    r"^(?:more(?: \w+){0,4}|related(?: \w+)?|read more:?|recommended(?: \w+)?|most (?:popular|read|viewed)"
    r"|explore more on these topics|join (?:our|the) (?:commenting forum|conversation)|top stories|you may also like"
    r"|more stories|mehr zum thema|weitere themen|читайте также|اقرأ أيضا)$",
    re.IGNORECASE,
)
_KEY_POINTS = re.compile(r"^(?:key points|highlights|in brief|das wichtigste in kürze|главное)$", re.IGNORECASE)
_URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$")
_NUMBERED_NAV = re.compile(r"^\d{1,2}[.)]\s+")
_EMBED = re.compile(r"pic\.twitter\.com|^[—–-]\s*.{1,60}\(@\w+\)|\s[–-]\s(?:video|audio)$", re.IGNORECASE)
# A player's duration or label: the line under it is the video's title.
_VIDEO_MARKER = re.compile(r"^(?:\d{1,2}:\d{2}(?::\d{2})?|VIDEO\s?[\d:]*|watch now|video)$", re.IGNORECASE)
_FILE_CAPTION = re.compile(r"^(?:FILE(?: PHOTO)?\s*[-–—:]|Open this photo in gallery)", re.IGNORECASE)
_AUTHOR_BIO = re.compile(r"^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){1,3} is an? [\w ,-]{0,60}(?:reporter|correspondent|editor|writer|journalist)\b")


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.9


@dataclass
class _Line:
    text: str
    words: int
    prose: bool = False
    boilerplate: bool = False
    caption: bool = False
    credit: bool = False
    marker: bool = False  # a section label: "More from ...", "Related"
    repeated_nearby: bool = False  # the same text within a few lines: a menu drawn twice


# --- the steps ---------------------------------------------------------------------


def clean(text: str) -> Article:
    """Extract the article from scraped page text."""
    lines = _mark(_split_lines(text))
    if not lines:
        return Article()
    start, end = _main_block(lines)
    if start is None:
        return _without_body(lines)
    blocks = _body(lines, start, end)
    title, teaser, date, byline = _header(lines, start)
    byline += _bylines_after(lines, end)
    blocks, teaser = _drop_teaser_repeating_lead(blocks, teaser)
    return Article(title=title, date=date, byline=tuple(dict.fromkeys(byline)), teaser=teaser, blocks=tuple(blocks))


def clean_text(text: str) -> str:
    """Return just the cleaned body (teaser, subheadings, paragraphs) as plain text."""
    return clean(text).body_text()


def _split_lines(text: str) -> list[str]:
    lines = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = " ".join(raw.split())
        if line:
            lines.append(line)
    return lines


def _mark(texts: list[str]) -> list[_Line]:
    seen: dict[str, int] = {}
    for text in texts:
        seen[text] = seen.get(text, 0) + 1
    lines = []
    for position, text in enumerate(texts):
        stripped = _GLUED_CREDIT.sub("", text).strip() if not _CREDIT_LINE.match(text) else text
        glued = stripped != text
        line = _Line(stripped, _words(stripped))
        line.credit = bool(_CREDIT_LINE.match(text)) and line.words <= 8
        line.caption = (glued and not stripped.endswith(_CLOSING)) or bool(
            _TRAILING_CREDIT.search(stripped) or _FILE_CAPTION.match(stripped) or _EMBED.search(stripped)
            or _VIDEO_MARKER.match(stripped)
        )
        line.marker = bool(_SECTION_MARKER.match(stripped))
        line.repeated_nearby = text in texts[max(0, position - 3) : position] + texts[position + 1 : position + 4]
        line.boilerplate = (
            line.marker
            or bool(_BOILERPLATE.search(stripped) and line.words <= 50)
            or bool(_URL_LINE.match(stripped))
            or bool(_NUMBERED_NAV.match(stripped) and line.words <= 6)
            or _is_all_caps(stripped)
            or bool(_AUTHOR_BIO.match(stripped))
            or (seen[text] > 1 and line.words <= 12)
        )
        line.prose = (
            not (line.boilerplate or line.caption or line.credit)
            and (line.words >= 10 and stripped.endswith(_CLOSING) or line.words >= 25)
        )
        lines.append(line)
    _mark_by_neighbours(lines)
    return lines


def _mark_by_neighbours(lines: list[_Line]) -> None:
    """Captions above credits, video titles below video markers, boxes below labels."""
    for before, after in zip(lines, lines[1:]):
        if after.credit and not before.credit:  # "... at the show" / "Jon Super/AP"
            _drop(before, caption=True)
        if _VIDEO_MARKER.match(before.text):
            _drop(after, caption=True)
    for index, line in enumerate(lines):
        if _KEY_POINTS.match(line.text):  # the bullets under "Key Points" repeat the article
            for bullet in lines[index + 1 : index + 6]:
                if not bullet.prose:
                    break
                _drop(bullet)
        elif line.marker:  # a promo box: short lines under the label, up to real text
            for item in lines[index + 1 : index + 8]:
                if item.words > 15:
                    break
                _drop(item)


def _drop(line: _Line, caption: bool = False) -> None:
    line.prose = False
    if caption:
        line.caption = True
    else:
        line.boilerplate = True


MAX_GAP = 8  # non-prose lines allowed between two prose lines of the same block


def _main_block(lines: list[_Line]) -> tuple[int | None, int | None]:
    """Return (first, last) line index of the run of prose with the most words.

    A section label ("More from ...", "Related") ends a run: what follows it is other
    stories. Runs that a label alone separated are joined back when close, since a
    mid-article box ("More from Ask an Advisor") has the article on both sides.
    """
    runs = _prose_runs(lines)
    if not runs:
        return None, None
    best = max(range(len(runs)), key=lambda i: runs[i][2])
    start, end, _ = runs[best]
    for previous in reversed(runs[:best]):
        if start - previous[1] - 1 > MAX_GAP:
            break
        start = previous[0]
    return start, end


def _prose_runs(lines: list[_Line]) -> list[tuple[int, int, int]]:
    """Split the prose lines into (first, last, words) runs at long gaps and section labels."""
    runs = []
    start = last = None
    words = 0
    marker_since_last = False
    for index, line in enumerate(lines):
        if line.marker and last is not None:
            marker_since_last = True
        if not line.prose:
            continue
        if last is not None and (index - last - 1 > MAX_GAP or marker_since_last):
            runs.append((start, last, words))
            start, words = None, 0
        marker_since_last = False
        if start is None:
            start = index
        last = index
        words += line.words
    if start is not None:
        runs.append((start, last, words))
    return runs


def _body(lines: list[_Line], start: int, end: int) -> list[Block]:
    blocks: list[Block] = []
    kept_bigrams: set[tuple[str, str]] = set()
    kept_texts: set[str] = set()
    for index in range(start, end + 1):
        line = lines[index]
        if line.prose:
            bigrams = _bigrams(line.text)
            # A pull quote repeats pieces of the text around it; a paragraph the writer
            # repeated word for word is the writer's choice and stays.
            repeated = sum(bigram in kept_bigrams for bigram in bigrams)
            if line.text not in kept_texts and len(set(bigrams)) >= 6 and repeated >= 0.8 * len(bigrams):
                continue
            kept_texts.add(line.text)
            kept_bigrams |= set(bigrams)
            blocks.append(Block(PARAGRAPH, line.text))
        elif _is_subheading(lines, index, end):
            blocks.append(Block(HEADING, line.text))
    return blocks


def _is_subheading(lines: list[_Line], index: int, end: int) -> bool:
    line = lines[index]
    if line.boilerplate or line.caption or line.credit or not 1 <= line.words <= 14:
        return False
    if line.text.endswith((".", "!", ",", ";")) or _DATE.match(line.text) or _BYLINE.match(line.text):
        return False
    following = next((lines[i] for i in range(index + 1, end + 1) if not lines[i].boilerplate), None)
    return following is not None and following.prose and line.text[0].isupper() or line.text[0].isdigit() and line.words > 1


def _bigrams(text: str) -> list[tuple[str, str]]:
    words = [word.lower() for word in _WORD.findall(text)]
    return list(zip(words, words[1:]))


HEADER_REACH = 30  # lines above the body searched for title, teaser, date, byline


def _header(lines: list[_Line], start: int) -> tuple[str, str, str, tuple[str, ...]]:
    """Read title, teaser, date and byline from the lines above the body.

    Walking up, dates and bylines are noted and page furniture skipped until the first
    line of three words or more: the bottom of the headline stack. The stack is the
    title and a teaser under it; a taller stack of long unpunctuated lines is a title
    over key-point bullets (dropped: the body says the same).
    """
    date, byline, stack = "", [], []
    reach = range(start - 1, max(-1, start - 1 - HEADER_REACH), -1)
    # The headline sits above the date and byline when the page has them.
    top = next((i for i in reach if _is_date(lines[i]) or _BYLINE.match(lines[i].text)), start)
    for index in reach:
        line = lines[index]
        if index >= top and not (_is_date(line) or _BYLINE.match(line.text)):
            continue
        if _is_date(line):
            date = date or line.text
        elif _BYLINE.match(line.text):
            byline.insert(0, line.text)
        elif stack and not _extends_stack(line, stack):
            break
        elif not stack and (_is_furniture(line) or line.words < (1 if index == 0 else 3) or _looks_like_name(line.text)):
            continue  # the first line of a paste is its title even when short ("Hafenstreik beendet")
        else:
            stack.insert(0, line)
    if not stack:
        return "", "", date, tuple(byline)
    teaser = stack[1].text if len(stack) == 2 else ""
    return stack[0].text, teaser, date, tuple(byline)


def _looks_like_name(text: str) -> bool:
    """"Amy Gibbons", "Chris Wilson-Smith": an author's name above a story, not its title."""
    tokens = text.split()
    return len(tokens) <= 3 and all(token[:1].isupper() and token.replace("-", "").replace(".", "").isalpha() for token in tokens)


def _is_date(line: _Line) -> bool:
    return line.words <= 12 and bool(_DATE.match(line.text) or _LOOSE_DATE.search(line.text))


def _is_furniture(line: _Line) -> bool:
    return line.caption or line.credit or (line.boilerplate and not line.text[:1].isalpha()) or bool(
        _BOILERPLATE.search(line.text) or _URL_LINE.match(line.text) or line.marker
    )


def _extends_stack(line: _Line, stack: list[_Line]) -> bool:
    if line.words < 3 or _is_furniture(line) or line.repeated_nearby:
        return False
    if len(stack) < 2:
        return True
    return all(item.words >= 8 and not item.text.endswith(_CLOSING) for item in [line, *stack])


def _bylines_after(lines: list[_Line], end: int) -> tuple[str, ...]:
    return tuple(line.text for line in lines[end + 1 : end + 8] if _BYLINE.match(line.text) and line.words <= 12)


def _drop_teaser_repeating_lead(blocks: list[Block], teaser: str) -> tuple[list[Block], str]:
    """Drop a teaser (above or at the top of the body) that the first paragraph repeats."""
    paragraphs = [i for i, block in enumerate(blocks) if block.kind == PARAGRAPH]
    if teaser and paragraphs and _repeats(teaser, blocks[paragraphs[0]].text):
        return blocks, ""
    if len(paragraphs) >= 2 and paragraphs[0] == 0 and _repeats(blocks[0].text, blocks[paragraphs[1]].text):
        return blocks[1:], teaser
    return blocks, teaser


def _repeats(short: str, long: str) -> bool:
    """A shorter text whose words the longer one nearly all has (a word-for-word repeat is kept)."""
    words = set(_WORD.findall(short.lower()))
    shorter = len(_WORD.findall(short)) < len(_WORD.findall(long))
    return shorter and bool(words) and len(words & set(_WORD.findall(long.lower()))) / len(words) >= 0.8


def _without_body(lines: list[_Line]) -> Article:
    """No prose at all (a short note, a list): keep what is not page furniture."""
    kept = [line.text for line in lines if not (line.boilerplate or line.caption or line.credit)]
    if not kept:
        return Article()
    return Article(title=kept[0] if len(kept) > 1 else "", blocks=tuple(Block(PARAGRAPH, text) for text in kept[1:] or kept))
