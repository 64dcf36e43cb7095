"""Mark each line of scraped text by what it says: prose, a sentence, furniture, a caption, a credit, a date, a byline.

The first two steps of the cleaner (clean.py): split the text into lines and cut glued
credits off, then mark every line on its own words. The patterns are compiled here from
the union of clean_rules.py's per-language tables, since the cleaner runs before language
detection. ``Line`` is the record every later step (clean_boxes, clean_header, clean_body)
reads and marks further, and ``is_headline_like`` and ``drop`` the questions and the mark
they all share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clean_rules import LANGUAGES, UNSPACED, Common, union
from .clean_types import Tuning

# --- line patterns, built from the per-language tables -------------------------------


def _words_of(table: str) -> str:
    """A regex alternation of one table's plain words, with their upper-case spellings."""
    entries = union(table)
    return "|".join(re.escape(entry) for entry in dict.fromkeys([*entries, *(e.upper() for e in entries)]))


def fragments_of(table: str) -> str:
    """A regex alternation of one table's fragments, as the tables write them."""
    return "|".join(union(table))


def _words_start_of(table: str) -> str:
    """A table's fragments, matched only where a word starts ("sign in", not "design in"),
    except in the scripts written without spaces. German compounds still match at their start."""
    spaced = [language for language in (Common, *LANGUAGES) if language not in UNSPACED]
    return "|".join(filter(None, [rf"(?<!\w)(?:{'|'.join(union(table, tuple(spaced)))})",
                                  "|".join(union(table, UNSPACED))]))


_AGENCY = rf"(?:{_words_of('agencies')})"  # as agencies write themselves: "WENN", not "wenn" (if)
_CREDIT_LABEL = rf"(?:{_words_of('credit_labels')})"
_SOURCE_LABEL = rf"(?:{_words_of('source_labels')})"
_BYLINE_LABEL = rf"(?:{_words_of('byline_labels')})"

SENTENCE_END = (".", "!", "?", "…", "؟", "。", "！", "？")
CLOSING = (*SENTENCE_END, '"', "”", "’", "'", "»", "«", "“", "„", ")", "」", "』", "）", ":", ";")
WORD = re.compile(r"\w+", re.UNICODE)
# Kana and CJK ideographs: no spaces between words, so \w+ runs are whole sentences.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff]")

# A credit at the end of a caption: "...weekImage: ANP", "... Bild: dpa", "... — © BELGA",
# "(Foto: J. Doe/AFP)", "... 1 August. Jane Doe (dpa/picture alliance)". A source in
# parentheses ("(Quelle: BMWK)") cites the text, not a photo, and stays.
_GLUED_CREDIT = re.compile(
    rf"(?<=[\w.,!?)\"”’»–—-])\s?(?:{_CREDIT_LABEL}|{_SOURCE_LABEL})\s?:\s*[^.!?:]{{1,80}}$"
    rf"|\s?[—–-]?\s*©\s*[^.!?]{{1,80}}$"
    rf"|\s?\[\s*(?:{_CREDIT_LABEL}|{_SOURCE_LABEL})\s?[=:]\s*[^\[\]]{{1,60}}\]$"  # Korean: "... [사진 출처 = 연합뉴스]"
    rf"|[（(][CＣ][)）]\s*[^.!?。]{{1,40}}$"  # a copyright mark written as (C), half- or full-width
    rf"|\s?\((?:{_CREDIT_LABEL})\s?:\s*[^()]{{1,80}}\)$"
    rf"|(?<=[.!?])\s+\((?:[^()]*[\s/(])?{_AGENCY}(?:[\s/)|][^()]*)?\)$"
    rf"|(?<=[.!?])\s+[A-ZÀ-ÝА-Я][\w.'-]+(?:\s[\w.'-]+){{0,3}}\s\((?:[^()]*[\s/])?{_AGENCY}(?:[\s/|][^()]*)?\)$"
    rf"|(?<=[.!?])\s*\(?\b[A-Z][\w.' -]{{0,60}}/(?:{_AGENCY}|[A-Z]{{2,}})(?: via [\w ]+)?\)?$"
    r"|\s\|\s*(?:Getty Images|Reuters|AP|AFP)\s*$"
)
_TRAILING_CREDIT = re.compile(
    r"\((?:AP|Photo|Photos|Getty|Reuters|AFP|EPA|Illustration)[^()]{0,80}\)$"
    r"|\((?:Photos? by|Photo illustration)[^()]*\)$"
)
_CREDIT_LINE = re.compile(
    rf"^\(?(?:{_AGENCY}(?: Photo)?|Image Credits?:.*|(?:{_CREDIT_LABEL}|{_SOURCE_LABEL})\s?:\s*\S.*|©.*"
    rf"|[\w.' -]+/(?:via )?(?:{_AGENCY}|GC Images|[\w ]+ Images(?: Europe)?)(?:[/ ][\w. -]*)?"
    r"|\(?[A-Z][\w.' ]+(?: Times| Post| Press| Images)\)?)\)?\.?$"
)
# "IMAGO/Anna Example", "Screenshots Instagram/TikTok": names joined by slashes, the way credits are set.
_SLASHED_CREDIT = re.compile(r"^(?:[^\W\d_][\w.'&-]*(?: (?:via |& )?[^\W\d_][\w.'&-]*){0,3} ?/ ?){1,3}[^\W\d_][\w.'&-]*(?: [^\W\d_][\w.'&-]*){0,4}$")
_PROSE_WORDS_ALONE = 25  # a line this long is prose even without a sentence end
_SOURCE_CITATION = re.compile(rf"^(?:{_SOURCE_LABEL})\s?:")
CREDIT_LABEL_ONLY = re.compile(rf"^(?:{_CREDIT_LABEL}|{_SOURCE_LABEL})\s?:?$")
BARE_AGENCY = re.compile(rf"^\(?{_AGENCY}\)?\.?$")
_BYLINE = re.compile(
    rf"^(?:{_BYLINE_LABEL})\b\s*:?\s*\S"
    r"|^\(?(?:Associated Press|Reuters|AFP|AP|Agence France-Presse|dpa|Staff and agencies)\)?(?: in [A-Z][\w -]+)?$",
    re.IGNORECASE,
)
BYLINE_LABEL_ONLY = re.compile(rf"^(?:{_BYLINE_LABEL})\s*:?$", re.IGNORECASE)
_MONTHS = fragments_of("months")
_DATE = re.compile(
    rf"^(?:(?:{fragments_of('date_words')})\b[:\s]*)?(?:\w+,?\s+)?"
    r"(?:\d{1,2}[./]\s?\d{1,2}[./]\s?\d{2,4}|\d{1,2}\.?\s+\w+\.?,?\s+\d{4}|\w+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{4}[./]\s?\d{1,2}[./]\s?\d{1,2}\.?|\d{4}\s?[年년]\s?\d{1,2}\s?[月월]\s?\d{1,2}\s?[日일])(?:[\s,|-]+(?:at\s+|um\s+|в\s+)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?|uhr|h)?\s*[A-Z]{0,4})?\.?$",
    re.IGNORECASE,
)
_LOOSE_DATE = re.compile(
    rf"(?:\b(?:{_MONTHS})\w*\.?\s+\d{{1,2}}\b.*\b(?:19|20)\d\d\b|\b\d{{1,2}}\.?\s+(?:{_MONTHS})\w*\.?,?\s+(?:19|20)\d\d\b"
    rf"|^(?:{fragments_of('date_words')})\b.*\d)",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[./]\s?\d{1,2}[./]\s?(?:19|20)?\d\d\b|\b(?:19|20)\d\d-\d\d-\d\d\b")
# "18:41 Uhr", "Heute, 12:37 Uhr"; a bare "02:57" is a player's duration, not a time of day.
_TIME_ONLY = re.compile(r"^(?:\w+,\s*)?\d{1,2}[:.]\d{2}\s*(?:uhr|h|[ap]\.?m\.?)\.?$", re.IGNORECASE)
_FURNITURE = re.compile(rf"(?:{_words_start_of('furniture')}|{_words_start_of('skip_links')})", re.IGNORECASE)
# Labels that close the article ("More from ...", "Related") or open a box inside it.
_SECTION_MARKER = re.compile(rf"^(?:{fragments_of('markers')})$", re.IGNORECASE)
# "Read also": a box of links inside the article; the article goes on below it.
INLINE_MARKER = re.compile(rf"^(?:{fragments_of('inline_markers')}):?$", re.IGNORECASE)
# "Published:", "Oppdatert": the date's label, the date itself on the next line.
_DATE_LABEL = re.compile(rf"^\|?\s*(?:{fragments_of('date_words')})\s*:?$", re.IGNORECASE)
_COMMENTS = re.compile(rf"^(?:{fragments_of('comments')})$", re.IGNORECASE)


# A reporter's address on its own line ("anna.example@news.example"): Korean and Japanese pages sign this way.
_EMAIL_LINE = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$")
_NUMBERED_NAV = re.compile(r"^\d{1,2}[.)]\s+")
_EMBED = re.compile(r"pic\.twitter\.com|^[—–-]\s*.{1,60}\(@\w+\)|\s[–-]\s(?:video|audio)$", re.IGNORECASE)
# A player's duration or label: the line under it is the video's title.
VIDEO_MARKER = re.compile(r"^(?:\d{1,2}:\d{2}(?::\d{2})?|VIDEO\s?[\d:]*|watch now|video)$", re.IGNORECASE)
_FILE_CAPTION = re.compile(r"^(?:FILE(?: PHOTO)?\s*[-–—:]|Open this photo in gallery)", re.IGNORECASE)
_AUTHOR_BIO = re.compile(fragments_of("bios"))
# Swedish and Finnish open a quote with ” too; Nordic, Russian and French news open direct speech with a dash.
_OPENING_QUOTES = ('"', "„", "“", "”", "‚", "‘", "«", "»", "›", "‹", "'", "(", "「", "『", "–", "—")


def count_words(text: str) -> int:
    """Words in a line; text without spaces (Japanese, Chinese) counts two characters a word."""
    cjk = len(_CJK.findall(text))
    return len([token for token in WORD.findall(text) if not _CJK.search(token)]) + (cjk + 1) // 2


def _is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.9


def starts_like_a_heading(text: str) -> bool:
    """An upper-case letter, a digit or a letter of a script without case (Arabic), after any opening quote."""
    first = text.lstrip("".join(_OPENING_QUOTES) + " ")[:1]
    return first.isdigit() or (first.isalpha() and not first.islower())


@dataclass
class Line:
    """One line of the page and what the steps found it to be; ``place`` says where it ends up."""

    original: str  # the line as it came (whitespace normalised)
    text: str  # without the glued credit
    credit: str  # the glued credit cut off, "" when none
    words: int
    seen: int  # how often the page has this exact line
    prose: bool = False
    sentence: bool = False  # ends like a sentence: short body text ("Officials met.")
    furniture: bool = False  # a share button, a menu entry, a link
    boilerplate: bool = False  # furniture, or a short line the page repeats
    caption: bool = False
    credit_line: bool = False
    label: bool = False  # "By", "Foto:": a label whose value is on the next line
    marker: bool = False  # a section label: "More from ...", "Related"
    comments: bool = False  # "Comments", "3 Kommentare": readers' comments follow
    date: bool = False
    byline: bool = False
    repeated_nearby: bool = False  # the same text within a few lines: a menu drawn twice
    place: str = ""  # "title", "date", "byline", "teaser", HEADING or PARAGRAPH once placed
    reason: str = ""  # why it is left out, when a step knows better than the default

    @property
    def bodylike(self) -> bool:
        return self.prose or self.sentence


def split_lines(text: str) -> list[str]:
    """The text's non-empty lines, whitespace normalised."""
    lines = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = " ".join(raw.split())
        if line:
            lines.append(line)
    return lines


def mark_lines(texts: list[str], *, tuning: Tuning) -> list[Line]:
    """Mark each line by what it says and by how often the page shows it (clean_boxes then marks by neighbours)."""
    seen: dict[str, int] = {}
    for text in texts:
        seen[text] = seen.get(text, 0) + 1
    lines = [_mark_line(text, seen[text], tuning) for text in texts]
    for position, line in enumerate(lines):
        line.repeated_nearby = line.original in texts[max(0, position - 3) : position] + texts[position + 1 : position + 4]
    return lines


def _mark_line(original: str, seen: int, tuning: Tuning) -> Line:
    """Mark one line by what it says; clean_boxes.mark_by_neighbours then looks at what surrounds it."""
    text, credit = _cut_credit(original)
    line = Line(original, text, credit, count_words(text), seen)
    line.credit_line = bool(_CREDIT_LINE.match(original) or _SLASHED_CREDIT.match(original)) and line.words <= 12
    line.label = bool(CREDIT_LABEL_ONLY.match(original) or BYLINE_LABEL_ONLY.match(original)
                      or _DATE_LABEL.match(original))
    line.caption = bool(credit) or bool(
        _TRAILING_CREDIT.search(text) or _FILE_CAPTION.match(text) or _EMBED.search(text) or VIDEO_MARKER.match(text)
    )
    line.marker = bool(_SECTION_MARKER.match(text))
    line.comments = bool(_COMMENTS.match(text))
    line.date = _is_date(text, line.words)
    line.byline = _is_byline(text, line.words)
    line.furniture = _is_furniture(line)
    line.boilerplate = line.furniture or (seen > 1 and line.words <= 12) or seen >= 3
    kept_out = line.boilerplate or line.caption or line.credit_line or line.label
    ends = text.endswith(CLOSING)
    line.prose = not kept_out and (line.words >= tuning.prose_words and ends or line.words >= _PROSE_WORDS_ALONE)
    line.sentence = not (kept_out or line.date or line.byline) and (
        line.words >= 3 and text.endswith(SENTENCE_END) and starts_like_a_heading(text)
    )
    return line


def _cut_credit(text: str) -> tuple[str, str]:
    """Split "caption textImage: ANP" into the text and the credit glued to it."""
    if _CREDIT_LINE.match(text):
        return text, ""
    match = _GLUED_CREDIT.search(text)
    if not match or not text[: match.start()].strip():
        return text, ""
    before, credit = text[: match.start()].strip(), match.group(0).strip()
    # "... rose 2.4 percent in May. Source: Eurostat" cites the paragraph's figures: it stays.
    if _SOURCE_CITATION.match(credit) and count_words(before) >= _PROSE_WORDS_ALONE:
        return text, ""
    return before, credit


def _is_date(text: str, words: int) -> bool:
    if words > 12:
        return False
    # "Today 300 workers walked out.", "The strike began on March 3, 2024.": a sentence that
    # mentions a date is body text; only a line that is all date counts then.
    sentence = words >= 4 and text.endswith(SENTENCE_END)
    loose = bool(_LOOSE_DATE.search(text)) and not sentence
    return bool(_DATE.match(text) or loose or _TIME_ONLY.match(text)) or (
        words <= 6 and bool(_NUMERIC_DATE.search(text))
    )


def _is_byline(text: str, words: int) -> bool:
    """"By Anna Example", "Autorin: …", "Автор: …", "الكاتبة: …"; a sentence starting "Von der …" is not one."""
    if _EMAIL_LINE.match(text):
        return True
    if words > 10 or not _BYLINE.match(text) or BYLINE_LABEL_ONLY.match(text):
        return False
    return ":" in text[:30] or not text.endswith(SENTENCE_END)


def _is_furniture(line: Line) -> bool:
    """Page furniture: share and login buttons, consent boxes, menus, links, author boxes."""
    hits = len(_FURNITURE.findall(line.text))
    # One furniture word in a long sentence, or in a whole sentence of six words or more, is
    # the story's own word ("the newsletter said", "muss Insolvenz anmelden.").
    story_word = line.words >= 15 or line.words >= 6 and line.text.endswith(SENTENCE_END)
    phrase = hits == 1 and not story_word or hits >= 2 and line.words <= 60 or bool(INLINE_MARKER.match(line.text))
    numbered_nav = bool(_NUMBERED_NAV.match(line.text)) and line.words <= 8 and not line.text.endswith(SENTENCE_END)
    return (
        phrase or line.marker or line.comments or numbered_nav or bool(URL_LINE.match(line.text))
        or _is_all_caps(line.text) or bool(_AUTHOR_BIO.match(line.text))
    )


def drop(line: Line, *, caption: bool = False) -> None:
    """Leave a line out of the body: as a caption (with its image), else as page furniture."""
    line.prose = line.sentence = False
    if caption:
        line.caption = True
    else:
        line.boilerplate = True


def is_headline_like(line: Line) -> bool:
    """Text that could head a story: not furniture, a caption, a credit or a label, not ending in ':' or ','."""
    if line.furniture or line.caption or line.credit_line or line.label or line.date or line.byline:
        return False
    if not 1 <= line.words <= 40 or line.text.endswith((":", ",", ";")) or URL_LINE.match(line.text):
        return False
    return any(c.isalpha() for c in line.text)

