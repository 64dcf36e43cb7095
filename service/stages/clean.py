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
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .clean_model import LineFacts, line_signals, page_stop_words, trained_model
from .clean_rules import LANGUAGES, UNSPACED, Common, union

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
    "caption": "image or video caption, with the image's alt text",
    "credit": "photo or agency credit",
    "boilerplate": "share, subscribe, cookie or other page furniture",
    "related": "other stories: related, more from, most read",
    "comments": "readers' comments and the forms around them",
    "repeat": "repeats text the article already has (title, pull quote, teaser)",
    "metadata": "a second date, a reading time, a label such as 'By' or 'Photo:'",
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


@dataclass(frozen=True)
class Tuning:
    """The cleaner's thresholds (bench/clean_cv.py chooses them on training folds only)."""

    max_gap: int = 8  # non-prose lines allowed between two prose lines of the same block
    prose_words: int = 10  # a line ending like a sentence with this many words is prose


DEFAULT_TUNING = Tuning()


# --- line patterns, built from the per-language tables -------------------------------


def _words_of(table: str) -> str:
    """A regex alternation of one table's plain words, with their upper-case spellings."""
    entries = union(table)
    return "|".join(re.escape(entry) for entry in dict.fromkeys([*entries, *(e.upper() for e in entries)]))


def _fragments_of(table: str) -> str:
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

_SENTENCE_END = (".", "!", "?", "…", "؟", "。", "！", "？")
_CLOSING = (*_SENTENCE_END, '"', "”", "’", "'", "»", "«", "“", "„", ")", "」", "』", "）", ":", ";")
_WORD = re.compile(r"\w+", re.UNICODE)
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
_CREDIT_LABEL_ONLY = re.compile(rf"^(?:{_CREDIT_LABEL}|{_SOURCE_LABEL})\s?:?$")
_BARE_AGENCY = re.compile(rf"^\(?{_AGENCY}\)?\.?$")
_BYLINE = re.compile(
    rf"^(?:{_BYLINE_LABEL})\b\s*:?\s*\S"
    r"|^\(?(?:Associated Press|Reuters|AFP|AP|Agence France-Presse|dpa|Staff and agencies)\)?(?: in [A-Z][\w -]+)?$",
    re.IGNORECASE,
)
_BYLINE_LABEL_ONLY = re.compile(rf"^(?:{_BYLINE_LABEL})\s*:?$", re.IGNORECASE)
_MONTHS = _fragments_of("months")
_DATE = re.compile(
    rf"^(?:(?:{_fragments_of('date_words')})\b[:\s]*)?(?:\w+,?\s+)?"
    r"(?:\d{1,2}[./]\s?\d{1,2}[./]\s?\d{2,4}|\d{1,2}\.?\s+\w+\.?,?\s+\d{4}|\w+\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}"
    r"|\d{4}-\d{2}-\d{2}|\d{4}[./]\s?\d{1,2}[./]\s?\d{1,2}\.?|\d{4}\s?[年년]\s?\d{1,2}\s?[月월]\s?\d{1,2}\s?[日일])(?:[\s,|-]+(?:at\s+|um\s+|в\s+)?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?|uhr|h)?\s*[A-Z]{0,4})?\.?$",
    re.IGNORECASE,
)
_LOOSE_DATE = re.compile(
    rf"(?:\b(?:{_MONTHS})\w*\.?\s+\d{{1,2}}\b.*\b(?:19|20)\d\d\b|\b\d{{1,2}}\.?\s+(?:{_MONTHS})\w*\.?,?\s+(?:19|20)\d\d\b"
    rf"|^(?:{_fragments_of('date_words')})\b.*\d)",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[./]\s?\d{1,2}[./]\s?(?:19|20)?\d\d\b|\b(?:19|20)\d\d-\d\d-\d\d\b")
# "18:41 Uhr", "Heute, 12:37 Uhr"; a bare "02:57" is a player's duration, not a time of day.
_TIME_ONLY = re.compile(r"^(?:\w+,\s*)?\d{1,2}[:.]\d{2}\s*(?:uhr|h|[ap]\.?m\.?)\.?$", re.IGNORECASE)
_FURNITURE = re.compile(rf"(?:{_words_start_of('furniture')}|{_words_start_of('skip_links')})", re.IGNORECASE)
# Labels that close the article ("More from ...", "Related") or open a box inside it.
_SECTION_MARKER = re.compile(rf"^(?:{_fragments_of('markers')})$", re.IGNORECASE)
# "Read also": a box of links inside the article; the article goes on below it.
_INLINE_MARKER = re.compile(rf"^(?:{_fragments_of('inline_markers')}):?$", re.IGNORECASE)
# "Published:", "Oppdatert": the date's label, the date itself on the next line.
_DATE_LABEL = re.compile(rf"^\|?\s*(?:{_fragments_of('date_words')})\s*:?$", re.IGNORECASE)
_COMMENTS = re.compile(rf"^(?:{_fragments_of('comments')})$", re.IGNORECASE)
# "mehr", "Read more": the link under another story's teaser.
_MORE_LINK = re.compile(rf"^\|?\s*(?:{_fragments_of('more_links')})\s*[›»>]?$", re.IGNORECASE)
_KEY_POINTS = re.compile(rf"^(?:{_fragments_of('key_points')})$", re.IGNORECASE)
# "Jetzt anmelden!", "Subscribe now ›": a button, or the last words of a promo box's text.
_CALL_TO_ACTION = re.compile(rf"^(?:{_fragments_of('calls_to_action')})\s*[.!›»>]*$", re.IGNORECASE)
_LAST_SENTENCE = re.compile(r"(?<=[.!?])\s+([^.!?]+[.!?›»]*)$")
# "This summary was generated by AI": the note on a box of machine-made summary sentences.
_MACHINE_SUMMARY = re.compile(_fragments_of("machine_summaries"), re.IGNORECASE)
# A reporter's address on its own line ("anna.example@news.example"): Korean and Japanese pages sign this way.
_EMAIL_LINE = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")
_URL_LINE = re.compile(r"^(?:https?://|www\.)\S+$")
_NUMBERED_NAV = re.compile(r"^\d{1,2}[.)]\s+")
_EMBED = re.compile(r"pic\.twitter\.com|^[—–-]\s*.{1,60}\(@\w+\)|\s[–-]\s(?:video|audio)$", re.IGNORECASE)
# A player's duration or label: the line under it is the video's title.
_VIDEO_MARKER = re.compile(r"^(?:\d{1,2}:\d{2}(?::\d{2})?|VIDEO\s?[\d:]*|watch now|video)$", re.IGNORECASE)
_FILE_CAPTION = re.compile(r"^(?:FILE(?: PHOTO)?\s*[-–—:]|Open this photo in gallery)", re.IGNORECASE)
_AUTHOR_BIO = re.compile(_fragments_of("bios"))
# Swedish and Finnish open a quote with ” too; Nordic, Russian and French news open direct speech with a dash.
_OPENING_QUOTES = ('"', "„", "“", "”", "‚", "‘", "«", "»", "›", "‹", "'", "(", "「", "『", "–", "—")


def _words(text: str) -> int:
    """Words in a line; text without spaces (Japanese, Chinese) counts two characters a word."""
    cjk = len(_CJK.findall(text))
    return len([token for token in _WORD.findall(text) if not _CJK.search(token)]) + (cjk + 1) // 2


def _is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and sum(c.isupper() for c in letters) / len(letters) > 0.9


def _starts_like_a_heading(text: str) -> bool:
    """An upper-case letter, a digit or a letter of a script without case (Arabic), after any opening quote."""
    first = text.lstrip("".join(_OPENING_QUOTES) + " ")[:1]
    return first.isdigit() or (first.isalpha() and not first.islower())


@dataclass
class _Line:
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


# --- the steps ---------------------------------------------------------------------


def clean(text: str, tuning: Tuning = DEFAULT_TUNING, *, main_content: bool = False,
          keep: frozenset[str] = frozenset()) -> Article:
    """Extract the article from scraped page text.

    ``main_content``: the text is already a page's main content (trafilatura's reading of an
    .html upload), so a line leaves only on what it is (a caption, a credit, a date, a repeat),
    never on where it sits or how it looks (issue 27: the .html path keeps what its library kept).
    ``keep``: lines an editor put back (issue 28): each stays, where it stands, as a paragraph.
    """
    lines = _mark(_split_lines(text), tuning)
    if not lines:
        return Article()
    start, end = _place(lines, tuning)
    return _assemble(lines, start, end, main_content, keep)


def lines_in_doubt(text: str, tuning: Tuning = DEFAULT_TUNING) -> list[tuple[str, str, dict[str, float]]]:
    """The lines the rules leave out only for where they sit or how they look: (line, reason, the model's signals).

    bench/clean_model_train.py fits the second opinion on these (service/stages/clean_model.py).
    """
    lines = _mark(_split_lines(text), tuning)
    if not lines:
        return []
    start, end = _place(lines, tuning)
    reasons = _reasons(lines, start, end)
    signals = _signals(lines, reasons, start, end)
    doubtful = _in_doubt(lines, reasons)
    return [(line.original, reason, row) for line, reason, row, doubt in zip(lines, reasons, signals, doubtful) if doubt]


def _place(lines: list[_Line], tuning: Tuning) -> tuple[int, int]:
    """Place the header and body lines by the rules; return the body's (first, last) line index."""
    start, end = _main_block(lines, tuning)
    if start is None:
        _place_without_body(lines)
        return 0, len(lines) - 1
    start = _skip_header_inside(lines, start, end)
    _place_body(lines, start, end)
    _drop_pull_quotes(lines, start, end)
    _place_header(lines, start)
    _place_bylines_after(lines, end)
    _drop_repeating_teaser(lines)
    return start, end


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


def _mark(texts: list[str], tuning: Tuning) -> list[_Line]:
    seen: dict[str, int] = {}
    for text in texts:
        seen[text] = seen.get(text, 0) + 1
    lines = [_mark_line(text, seen[text], tuning) for text in texts]
    for position, line in enumerate(lines):
        line.repeated_nearby = line.original in texts[max(0, position - 3) : position] + texts[position + 1 : position + 4]
    _mark_by_neighbours(lines)
    return lines


def _mark_line(original: str, seen: int, tuning: Tuning) -> _Line:
    """Mark one line by what it says; _mark_by_neighbours then looks at what surrounds it."""
    text, credit = _cut_credit(original)
    line = _Line(original, text, credit, _words(text), seen)
    line.credit_line = bool(_CREDIT_LINE.match(original) or _SLASHED_CREDIT.match(original)) and line.words <= 12
    line.label = bool(_CREDIT_LABEL_ONLY.match(original) or _BYLINE_LABEL_ONLY.match(original)
                      or _DATE_LABEL.match(original))
    line.caption = bool(credit) or bool(
        _TRAILING_CREDIT.search(text) or _FILE_CAPTION.match(text) or _EMBED.search(text) or _VIDEO_MARKER.match(text)
    )
    line.marker = bool(_SECTION_MARKER.match(text))
    line.comments = bool(_COMMENTS.match(text))
    line.date = _is_date(text, line.words)
    line.byline = _is_byline(text, line.words)
    line.furniture = _is_furniture(line)
    line.boilerplate = line.furniture or (seen > 1 and line.words <= 12) or seen >= 3
    kept_out = line.boilerplate or line.caption or line.credit_line or line.label
    ends = text.endswith(_CLOSING)
    line.prose = not kept_out and (line.words >= tuning.prose_words and ends or line.words >= _PROSE_WORDS_ALONE)
    line.sentence = not (kept_out or line.date or line.byline) and (
        line.words >= 3 and text.endswith(_SENTENCE_END) and _starts_like_a_heading(text)
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
    if _SOURCE_CITATION.match(credit) and _words(before) >= _PROSE_WORDS_ALONE:
        return text, ""
    return before, credit


def _is_date(text: str, words: int) -> bool:
    if words > 12:
        return False
    # "Today 300 workers walked out.", "The strike began on March 3, 2024.": a sentence that
    # mentions a date is body text; only a line that is all date counts then.
    sentence = words >= 4 and text.endswith(_SENTENCE_END)
    loose = bool(_LOOSE_DATE.search(text)) and not sentence
    return bool(_DATE.match(text) or loose or _TIME_ONLY.match(text)) or (
        words <= 6 and bool(_NUMERIC_DATE.search(text))
    )


def _is_byline(text: str, words: int) -> bool:
    """"By Anna Example", "Autorin: …", "Автор: …", "الكاتبة: …"; a sentence starting "Von der …" is not one."""
    if _EMAIL_LINE.match(text):
        return True
    if words > 10 or not _BYLINE.match(text) or _BYLINE_LABEL_ONLY.match(text):
        return False
    return ":" in text[:30] or not text.endswith(_SENTENCE_END)


def _is_furniture(line: _Line) -> bool:
    """Page furniture: share and login buttons, consent boxes, menus, links, author boxes."""
    hits = len(_FURNITURE.findall(line.text))
    # One furniture word in a long sentence, or in a whole sentence of six words or more, is
    # the story's own word ("the newsletter said", "muss Insolvenz anmelden.").
    story_word = line.words >= 15 or line.words >= 6 and line.text.endswith(_SENTENCE_END)
    phrase = hits == 1 and not story_word or hits >= 2 and line.words <= 60 or bool(_INLINE_MARKER.match(line.text))
    numbered_nav = bool(_NUMBERED_NAV.match(line.text)) and line.words <= 8 and not line.text.endswith(_SENTENCE_END)
    return (
        phrase or line.marker or line.comments or numbered_nav or bool(_URL_LINE.match(line.text))
        or _is_all_caps(line.text) or bool(_AUTHOR_BIO.match(line.text))
    )


def _mark_by_neighbours(lines: list[_Line]) -> None:
    """Captions above credits, credits and bylines after labels, video titles, boxes below labels."""
    for index, (before, after) in enumerate(zip(lines, lines[1:])):
        # "... at the show" / "Jon Super/AP"; a bare "(dpa)" ends an article instead.
        if after.credit_line and not before.credit_line and not _BARE_AGENCY.match(after.text):
            if not _paragraph_above_credit(lines, index):
                _drop(before, caption=True)
        if before.label and after.words <= 6:  # "Foto:" / "Felix Zahn/imago", "Von" / "Nicole Opitz"
            after.credit_line = after.credit_line or bool(_CREDIT_LABEL_ONLY.match(before.text))
            after.byline = after.byline or bool(_BYLINE_LABEL_ONLY.match(before.text))
            after.prose = after.sentence = False
        if _VIDEO_MARKER.match(before.text):
            _drop(after, caption=True)
    _mark_alt_text(lines)
    _mark_teasers_above_more_links(lines)
    _drop_machine_summaries(lines)
    _drop_promo_boxes(lines)
    for index, line in enumerate(lines):
        if _KEY_POINTS.match(line.text):  # the bullets under "Key Points" repeat the article
            for bullet in lines[index + 1 : index + 6]:
                if not bullet.prose:
                    break
                _drop(bullet)
        elif line.marker or _INLINE_MARKER.match(line.text):  # a promo box: short lines under the label
            _drop_link_box(lines, index)


CAPTION_WORDS = 25  # a caption rarely runs longer; a paragraph above a credit often does


def _paragraph_above_credit(lines: list[_Line], index: int) -> bool:
    """A long paragraph above a credit is body text when the text runs on above it, or the article ends below.

    The credit then belongs to a picture with no caption, or to the article itself
    ("Quelle: ntv.de, dpa", "© Motorsport-Magazin"); a gallery's long caption sits under
    the picture's short title instead (issue 13: no body text is dropped silently).
    """
    line = lines[index]
    if line.words < CAPTION_WORDS or not line.text.endswith(_CLOSING):
        return False
    above = lines[index - 1] if index else None
    in_flow = above is not None and above.bodylike
    article_ends = not any(other.prose for other in lines[index + 2 : index + 7])
    return in_flow or article_ends


TEASER_WORDS = 40  # another story's teaser above its "more" link is a sentence or two


def _mark_teasers_above_more_links(lines: list[_Line]) -> None:
    """A bare "mehr" / "Read more" link closes another story's teaser: the teaser and its headline leave.

    Such teasers sit inside articles (tagesschau's "Analyse" boxes) and read like body
    text; the link under them is what tells them apart.
    """
    for index, line in enumerate(lines):
        if not _MORE_LINK.match(line.text) or line.marker or _INLINE_MARKER.match(line.text):
            continue  # "Read more" over a list of links labels the box below it instead
        line.furniture = line.boilerplate = True
        above = [other for other in lines[max(0, index - 3) : index] if other.text.strip("| ")]
        if above and above[-1].words <= TEASER_WORDS:
            _drop(above[-1])
            above[-1].reason = "related"
            if len(above) > 1 and _headline_like(above[-2]) and not above[-2].text.endswith(_SENTENCE_END):
                _drop(above[-2])
                above[-2].reason = "related"


PROMO_TEXT_WORDS = 120  # a sign-up box's pitch: a paragraph at most
PROMO_TITLE_WORDS = 8


def _drop_promo_boxes(lines: list[_Line]) -> None:
    """Sign-up, newsletter and donation boxes leave: a text that ends in "Jetzt anmelden!", or a
    short title, one or two lines of pitch and a button ("Jetzt unterstützen") (issue 13)."""
    for index, line in enumerate(lines):
        last = _LAST_SENTENCE.search(line.text)
        if line.bodylike and last and _CALL_TO_ACTION.match(last.group(1)):
            _drop(line)
        if _CALL_TO_ACTION.match(line.text):
            line.furniture = line.boilerplate = True
            _drop_pitch_above(lines, index)


def _drop_pitch_above(lines: list[_Line], button: int) -> None:
    """Drop the title and the one or two lines of pitch above a button, when the box has a title."""
    for size in (1, 2):
        title = button - size - 1
        pitch = lines[title + 1 : button]
        if title < 0 or any(item.words > PROMO_TEXT_WORDS or _CALL_TO_ACTION.match(item.text) for item in pitch):
            return
        head = lines[title]
        if head.words <= PROMO_TITLE_WORDS and not head.text.endswith(_SENTENCE_END) and not head.date:
            for item in (head, *pitch):
                _drop(item)
                item.furniture = True
            return


SUMMARY_NOTE_WORDS = 40  # the note on a summary box is a sentence or two
SUMMARY_SENTENCE_WORDS = 45  # a summary's sentences are short; the article's paragraphs run longer
SUMMARY_SENTENCES = 6


def _drop_machine_summaries(lines: list[_Line]) -> None:
    """A box of machine-made summary sentences leaves with its note: it repeats the article (issue 13).

    The note ("Diese Zusammenfassung wurde künstlich erzeugt.", "AI 요약은 …") sits above
    the sentences, at most a short line ("Close") between them, and a line that is not
    body text (a button, a credit) closes the box. Without that close the sentences may be
    the article's own first lines, so only the note leaves. Pages that draw the box twice lose both.
    """
    for index, line in enumerate(lines):
        if line.words <= SUMMARY_NOTE_WORDS and _MACHINE_SUMMARY.search(line.text):
            line.reason = "boilerplate"
            for item in [line, *_summary_sentences(lines, index)]:
                item.reason = item.reason or ("repeat" if item.bodylike else "")
                _drop(item)
                item.furniture = True  # never the title or teaser of the header above the body


def _summary_sentences(lines: list[_Line], note: int) -> list[_Line]:
    """The short lines under a summary's note, when a line that is not body text closes them."""
    box: list[_Line] = []
    for item in lines[note + 1 : note + 3 + SUMMARY_SENTENCES]:
        sentences = sum(other.bodylike for other in box)
        if not item.bodylike and (sentences or item.words > 3):
            return box if sentences else []
        if item.words > SUMMARY_SENTENCE_WORDS or sentences == SUMMARY_SENTENCES:
            return []
        box.append(item)
    return []


def _drop_link_box(lines: list[_Line], label: int) -> None:
    """Drop the short links under a box label; the box ends at prose, or at a subheading of the text below it.

    The first line under the label is always a link. A later line right above a
    paragraph, and shorter than a headline link, heads that paragraph (ORF, NRK, issue
    13: "Mehr zum Thema" / a link / the article's next subheading).
    """
    box = lines[label + 1 : label + 8]
    for position, item in enumerate(box):
        if item.words > 15 or item.prose:
            break
        below = box[position + 1] if position + 1 < len(box) else None
        if position and below is not None and below.prose and item.words <= SHORT_HEADING_WORDS:
            break
        _drop(item)


SHORT_HEADING_WORDS = 6  # "Bondi schon lange in Trumps Orbit"; a headline link runs longer


def _mark_alt_text(lines: list[_Line]) -> None:
    """An image's alt text sits right above its caption: both leave, not as a title or subheading (issue 13).

    Alt text may end with a full stop ("The Libya Contact Group meeting in Istanbul."): a short
    sentence right above a credited caption leaves too when it names what the caption names
    (issue 27); a short sentence of the story about something else stays.
    """
    for index, (alt, caption) in enumerate(zip(lines, lines[1:])):
        if not (caption.caption and caption.credit) or alt.prose or alt.caption or not 1 <= alt.words <= 25:
            continue
        if alt.sentence and not _shares_a_word(alt.text, caption.text):
            continue
        if not _closes_with_credited_section(lines, index):
            _drop(alt, caption=True)


SHARED_WORD_LETTERS = 4  # shorter words ("the", "in", "der") say nothing of a subject


def _shares_a_word(text: str, other: str) -> bool:
    """Two lines name the same thing: a word of one is in a word of the other ("رافعات", "الرافعات")."""
    words = {word for word in _WORD.findall(text.lower()) if len(word) >= SHARED_WORD_LETTERS}
    others = {word for word in _WORD.findall(other.lower()) if len(word) >= SHARED_WORD_LETTERS}
    return any(word in another or another in word for word in words for another in others)


def _drop(line: _Line, caption: bool = False) -> None:
    line.prose = line.sentence = False
    if caption:
        line.caption = True
    else:
        line.boilerplate = True


# --- the main block -------------------------------------------------------------------

MIN_ARTICLE_WORDS = 80  # a run this long before a "Comments" label is the article


def _main_block(lines: list[_Line], tuning: Tuning) -> tuple[int | None, int | None]:
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


def _continues_after_link_box(lines: list[_Line], end: int, run: tuple[int, int, int]) -> bool:
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
        _drop(line)  # a box entry is never a subheading of the text below
        line.reason = line.reason or "related"
    return True


def _prose_runs(lines: list[_Line], tuning: Tuning) -> list[tuple[int, int, int]]:
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


def _gap_counts(lines: list[_Line]) -> list[int]:
    """Prefix counts of the lines that make a gap; a box the page repeats (VOGUE's promos) makes none."""
    counts = [0]
    for line in lines:
        counts.append(counts[-1] + (not line.bodylike and line.seen == 1))
    return counts


def _before_comments(lines: list[_Line], runs: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
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


def _extend_end(lines: list[_Line], end: int) -> int:
    """Take in a last short sentence, and a last section whose only paragraph has a glued credit."""
    if end + 1 < len(lines) and lines[end + 1].sentence:
        end += 1
    if end + 2 < len(lines) and _closes_with_credited_section(lines, end + 1):
        end += 2
    return end


def _closes_with_credited_section(lines: list[_Line], heading: int) -> bool:
    """A subheading, then one paragraph with a credit glued on, then no more prose ("...Hamburg.Image: Reuters")."""
    head, body = lines[heading], lines[heading + 1]
    after = lines[heading + 2 : heading + 2 + 8]
    return (
        _headline_like(head) and head.words <= 14 and bool(body.credit) and body.text.endswith(_SENTENCE_END)
        and body.words >= 5 and not any(line.prose for line in after)
    )


def _skip_header_inside(lines: list[_Line], start: int, end: int) -> int:
    """Move the start below a date or byline in the first lines: a title and teaser above it are the header."""
    window = range(start, min(end, start + 6))
    meta = [index for index in window if lines[index].date or lines[index].byline]
    if not meta or lines[start].text.endswith(_SENTENCE_END):
        return start
    if sum(lines[index].prose for index in range(start, meta[-1])) > 2:
        return start
    after = next((index for index in range(meta[-1] + 1, end + 1) if lines[index].bodylike), None)
    return start if after is None else after


# --- the body -----------------------------------------------------------------------


REPEAT_WORDS = 12  # a line this long shown twice is the page drawing a box again; a shorter refrain may be the writer's


def _place_body(lines: list[_Line], start: int, end: int) -> None:
    _keep_credited_section(lines, start, end)
    kept_bigrams: set[tuple[str, str]] = set()
    kept_texts: set[str] = set()
    for index in range(start, end + 1):
        line = lines[index]
        if line.byline and not line.bodylike:
            _place_byline(lines, line)
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


def _drop_pull_quotes(lines: list[_Line], start: int, end: int) -> None:
    """A short paragraph that a longer one just below says again is a pull quote; it leaves with
    its "Name, role" line (Tagesspiegel-style quote boxes, issue 13)."""
    for index in range(start, end + 1):
        line = lines[index]
        if line.place != PARAGRAPH or line.words > PULL_QUOTE_WORDS or len(set(_bigrams(line.text))) < PULL_QUOTE_BIGRAMS:
            continue
        if not line.text.rstrip("\"'”“»«’").endswith(_SENTENCE_END):  # a quotation set as a subheading stays
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


def _repeats_kept(line: _Line, bigrams: list[tuple[str, str]], kept_bigrams: set, kept_texts: set[str]) -> bool:
    """A pull quote repeats pieces of the text above it; a long line the page shows twice word for
    word (a caption, a summary box drawn again) is kept once; a short refrain may be the writer's."""
    repeated = sum(bigram in kept_bigrams for bigram in bigrams)
    if len(set(bigrams)) < 6 or repeated < 0.8 * len(bigrams):
        return False
    return line.text not in kept_texts or line.words >= REPEAT_WORDS


def _keep_credited_section(lines: list[_Line], start: int, end: int) -> None:
    """A section whose only paragraph has a glued credit keeps it: a section is never just a caption."""
    for index in range(start, end):
        if _closes_with_credited_section(lines, index) and index + 1 <= end:
            body = lines[index + 1]
            body.caption, body.sentence = False, True


def _is_subheading(lines: list[_Line], index: int, end: int) -> bool:
    line = lines[index]
    if line.boilerplate or line.caption or line.credit_line or line.label or not 1 <= line.words <= 14:
        return False
    if line.text.endswith((".", "!", ",", ";", ":")) or line.date or line.byline:
        return False
    following = next((lines[i] for i in range(index + 1, end + 1) if not lines[i].boilerplate), None)
    starts = _starts_like_a_heading(line.text)
    return following is not None and following.bodylike and starts or line.text[0].isdigit() and line.words > 1


def _introduces_next(lines: list[_Line], index: int, end: int) -> bool:
    """A short line ending in ':' that leads into the text below ("He said:", "Here is what to look for:")."""
    line = lines[index]
    if line.boilerplate or line.caption or line.credit_line or line.label or line.date or line.byline:
        return False
    if line.words < 3 or not line.text.endswith(":") or _KEY_POINTS.match(line.text.rstrip(":")):
        return False
    following = next((lines[i] for i in range(index + 1, end + 1) if not lines[i].boilerplate), None)
    return following is not None and following.bodylike


def _bigrams(text: str) -> list[tuple[str, str]]:
    words = [word.lower() for word in _WORD.findall(text)]
    return list(zip(words, words[1:]))


# --- the header -----------------------------------------------------------------------

HEADER_REACH = 30  # lines above the body searched for title, teaser, date, byline


def _place_header(lines: list[_Line], start: int) -> None:
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


def _place_meta(lines: list[_Line], line: _Line) -> None:
    if line.byline:
        _place_byline(lines, line)
    elif line.date and not any(other.place == "date" for other in lines):
        line.place = "date"


def _place_byline(lines: list[_Line], line: _Line) -> None:
    if not any(other.place == "byline" and other.text == line.text for other in lines):
        line.place = "byline"


def _place_stack(lines: list[_Line], stack: list[int]) -> None:
    """The stack's top is the title, a second line the teaser; taller stacks are key-point bullets."""
    if not stack:
        return
    lines[stack[0]].place = "title"
    if len(stack) == 2:
        lines[stack[1]].place = "teaser"
    for index in stack[1:] if len(stack) > 2 else ():
        lines[index].reason = "repeat"  # the bullets under a title say what the body says
    _date_above_title(lines, stack[0])


def _date_above_title(lines: list[_Line], title: int) -> None:
    """Some pages put the date (or byline) just above the headline."""
    for line in lines[max(0, title - 3) : title]:
        if line.date or line.byline:
            _place_meta(lines, line)


def _sits_on_meta(lines: list[_Line], index: int) -> bool:
    below = lines[index + 1] if index + 1 < len(lines) else None
    return below is not None and (below.date or below.byline or below.label)


def _can_be_title(lines: list[_Line], index: int) -> bool:
    line = lines[index]
    if index == 0:  # the first line of a paste is its title even when short ("Hafenstreik beendet")
        return _headline_like(line)
    if not _headline_like(line) or line.sentence and line.words > 30 or _looks_like_name(line.text):
        return False
    return not _in_menu(lines, index)


def _looks_like_name(text: str) -> bool:
    """"Amy Gibbons", "Chris Wilson-Smith": an author's name above a story, not its title."""
    tokens = text.split()
    return len(tokens) <= 3 and all(token[:1].isupper() and token.replace("-", "").replace(".", "").isalpha() for token in tokens)


def _headline_like(line: _Line) -> bool:
    """Text that could head a story: not furniture, a caption, a credit or a label, not ending in ':' or ','."""
    if line.furniture or line.caption or line.credit_line or line.label or line.date or line.byline:
        return False
    if not 1 <= line.words <= 40 or line.text.endswith((":", ",", ";")) or _URL_LINE.match(line.text):
        return False
    return any(c.isalpha() for c in line.text)


def _in_menu(lines: list[_Line], index: int) -> bool:
    """A short entry among other short entries, or one drawn twice: a menu or a tag list."""
    if lines[index].repeated_nearby and lines[index].words <= 4:
        return True
    if lines[index].words > 4 or _sits_on_meta(lines, index):  # a menu never sits on a date or byline
        return False
    around = lines[max(0, index - 2) : index] + lines[index + 1 : index + 3]
    return sum(_short_entry(other) for other in around) >= 2


def _short_entry(line: _Line) -> bool:
    return line.words <= 4 and not (line.furniture or line.date or line.byline or line.text.endswith(_SENTENCE_END))


def _extends_stack(lines: list[_Line], index: int, stack: list[int]) -> bool:
    """A line above the stack's bottom is its title when the bottom reads like a teaser."""
    line, bottom = lines[index], lines[stack[0]]
    if not _headline_like(line) or line.text.endswith(_SENTENCE_END) or _in_menu(lines, index):
        return False
    if len(stack) == 1:
        return (bottom.words >= 8 or bottom.text.endswith(_SENTENCE_END)) and line.words <= max(bottom.words, 20)
    return all(lines[i].words >= 8 and not lines[i].text.endswith(_CLOSING) for i in [index, *stack])


def _place_bylines_after(lines: list[_Line], end: int) -> None:
    for line in lines[end + 1 : end + 8]:
        if (line.byline or _BARE_AGENCY.match(line.text)) and line.words <= 12 and not line.place:
            _place_byline(lines, line)


def _drop_repeating_teaser(lines: list[_Line]) -> None:
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
    words = _WORD.findall(short.lower())
    shorter = _words(short) < _words(long)
    if not shorter or not words:
        return False
    others = set(_WORD.findall(long.lower()))
    return sum(word in others for word in words) / len(words) >= 0.8


def _place_without_body(lines: list[_Line]) -> None:
    """No prose at all (a short note, a list): keep what is not page furniture."""
    kept = [line for line in lines if not (line.boilerplate or line.caption or line.credit_line)]
    if len(kept) > 1:
        kept[0].place = "title"
    for line in kept[1:] or kept:
        line.place = PARAGRAPH


# --- every line in one place ------------------------------------------------------------


# Reasons that say where a line sits or what it looks like, not what it is (issue 27, recall
# first): such a line stays on a page's main content, and elsewhere when the second opinion
# (clean_model.py) reads it as body text. bench/quality_bench.py measures both on every set.
DOUBTFUL_REASONS = frozenset({"navigation", "boilerplate", "related", "comments", "outside"})


def _assemble(lines: list[_Line], start: int, end: int, main_content: bool, keep: frozenset[str]) -> Article:
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


def _reasons(lines: list[_Line], start: int, end: int) -> list[str]:
    """Why each line that no step placed is left out ("" for a placed line)."""
    placed = {line.text for line in lines if line.place}
    reasons = []
    box = ""  # after the article: "related" below a section label, "comments" below "Comments"
    for index, line in enumerate(lines):
        if index > end and (line.marker or line.comments):
            box = "comments" if line.comments else "related"
        reasons.append("" if line.place else _reason(line, index, (start, end), placed, box))
    return reasons


def _second_opinion(lines: list[_Line], reasons: list[str], start: int, end: int, main_content: bool) -> list[bool]:
    """Which lines left out in doubt go back: all on a page's main content, else those the model reads as body."""
    if main_content:
        return [reason in DOUBTFUL_REASONS for reason in reasons]
    doubtful = _in_doubt(lines, reasons)
    if not any(doubtful):
        return doubtful
    model = trained_model()
    signals = _signals(lines, reasons, start, end)
    return [doubt and model.probability(row) >= model.threshold for doubt, row in zip(doubtful, signals)]


# A one- or two-word line ("News", "Home", "뉴스") is a menu entry far more often than a line of the story.
SECOND_OPINION_WORDS = 3


def _in_doubt(lines: list[_Line], reasons: list[str]) -> list[bool]:
    """The lines that get the model's second opinion: left out in doubt, and long enough to say something."""
    return [reason in DOUBTFUL_REASONS and line.words >= SECOND_OPINION_WORDS for line, reason in zip(lines, reasons)]


def _signals(lines: list[_Line], reasons: list[str], start: int, end: int) -> list[dict[str, float]]:
    facts = [LineFacts(text=line.text, seen=line.seen, in_block=start <= index <= end, prose=line.prose,
                       furniture=line.furniture, reason=reason)
             for index, (line, reason) in enumerate(zip(lines, reasons))]
    return line_signals(facts, page_stop_words([line.text for line in lines]))


def _keep_in_doubt(lines: list[_Line], back: list[bool]) -> None:
    """Put back the lines ``back`` names, in page order: a subheading when it heads body text, else a paragraph."""
    for index, line in enumerate(lines):
        if not back[index]:
            continue
        below = lines[index + 1] if index + 1 < len(lines) else None
        heads_text = below is not None and below.bodylike and not line.text.endswith(_CLOSING)
        line.place = HEADING if heads_text and _headline_like(line) else PARAGRAPH


def _reason(line: _Line, index: int, body: tuple[int, int], placed: set[str], box: str) -> str:
    """Why a line is left out: what a step said, else what the line is, else where it is."""
    if line.reason:
        return line.reason
    if line.text in placed:
        return "repeat"
    if line.credit_line:
        return "credit"
    if _URL_LINE.match(line.text):
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
