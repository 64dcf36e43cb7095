"""Read text PDFs (news articles, press releases) into a Document, one block a line.

pdfminer.six lays each page out into text boxes with their places and font sizes; newsdesk
then reads the boxes column by column, joins each box's lines into paragraphs (mending the
words hyphenated at a line's end, and a paragraph that goes on in the next column or page),
puts the first page's headline first, and keeps running headers, footers and page numbers
out of the text, in ``Document.left_out``, where the pipeline lists them as removed. A scan (pages without a text layer), a broken file and a
password-protected one are refused with how to fix them. Arabic and Hebrew lines are read in
reading order whichever order the writer drew them in (right_to_left.py). Nothing is fetched:
pdfminer reads only the bytes it is given.
"""

from __future__ import annotations

import functools
import io
import itertools
import logging
import math
import re
import struct
import threading
import zlib
from collections import Counter
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from ...errors import InvalidInput, ServiceError, TooLarge
from ..clean import HEADING, PARAGRAPH
from ..outline import TITLE, Document, outline_of
from .package import check_paragraphs
from .pdf_streams import character_bound, decoding_within, unpacked_allowed
from .right_to_left import in_reading_order

log = logging.getLogger(__name__)

# The top and bottom tenth of a page: where running headers, footers and page numbers sit.
_MARGIN_BAND = 0.1
# Text this much larger than the body text's is a heading (or the title), and a change of
# size this large inside a text box starts a new block.
_HEADING_RATIO = 1.15
# White space narrower than this (in points) between boxes is no gap between columns or bands.
_MIN_GAP = 1.0
# Past this many boxes on a page (a table, a hostile file) they are read top to bottom:
# finding boxes inside boxes costs the square of their number. An article's page has dozens.
_MAX_BOXES_TO_ORDER = 400
# Cuts nest this deep at most (a page nested like a spiral would recurse once a box).
_MAX_CUT_DEPTH = 40

# Where pdfminer gives up on a file. It raises its own PSException tree for most faults,
# but a damaged stream or object can surface as almost any builtin error (issue reports
# show KeyError, struct.error, zlib.error, RecursionError and more), so those count too.
_UNREADABLE = (ArithmeticError, AssertionError, AttributeError, EOFError, LookupError, RuntimeError, TypeError,
               ValueError, struct.error, zlib.error)

_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"})
_SENTENCE_END = re.compile(r"[.!?:;…][\"'”’»)]*$")
_BULLET = re.compile(r"[•◦▪‣●■]\s")
# A word broken at the line's end: a letter (or digit) and a hyphen, hard or soft.
_BROKEN_WORD = re.compile(r"[^\W_][-\u2010\u00ad]$")
# A line that is only a page number: "3", "- 3 -", "Page 3", "Page 3 of 7", "Seite 3", "3/7".
_PAGE_NUMBER = re.compile(r"[-–—|\s]*(?:(?:page|p\.|seite|s\.|страница|стр\.|صفحة)\s*)?\d{1,5}"
                          r"(?:\s*(?:of|/|von|из|من)\s*\d{1,5})?[-–—|\s]*", re.IGNORECASE)


@dataclass(frozen=True)
class _Line:
    """One line of a text box: its text, where it sits (y grows down the page), its font size."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float  # the median size of its characters


@dataclass(frozen=True)
class _Box:
    """A text box pdfminer found on a page: its lines, top to bottom."""

    lines: tuple[_Line, ...]

    @property
    def x0(self) -> float:
        return min(line.x0 for line in self.lines)

    @property
    def x1(self) -> float:
        return max(line.x1 for line in self.lines)

    @property
    def top(self) -> float:
        return min(line.top for line in self.lines)

    @property
    def bottom(self) -> float:
        return max(line.bottom for line in self.lines)


@dataclass(frozen=True)
class _Page:
    """A page's text boxes, as pdfminer lays them out, and the page's height in points."""

    boxes: tuple[_Box, ...]
    height: float


@dataclass(frozen=True)
class _Block:
    """A paragraph, heading or title as it goes out (one line of text), with what tells
    whether the next block goes on with it: its font size, where it starts and ends."""

    text: str
    size: float
    page: int  # where it starts: the title is the first page's
    top: float
    end_page: int  # where it ends: the next block may go on with it there
    bottom: float
    indented: bool  # its first line starts an em or more right of the lines below it
    full: bool  # its last line reaches the right edge of its column: the paragraph may go on


def read_pdf(data: bytes, *, name: str, max_pages: int | None, max_paragraphs: int | None,
             max_characters: int | None = None, max_unpacked_bytes: int | None = None) -> Document:
    """Read a text PDF's article: title first, then each paragraph and heading a line.

    Reading stops once the text drawn passes what an article of ``max_characters`` may be
    (``pdf_streams.character_bound``), and once pdfminer has decoded what the file may unpack to."""
    with _QUIET_PDFMINER, _refusing_unreadable(name), \
            decoding_within(name=name, allowed=unpacked_allowed(len(data), max_unpacked_bytes)):
        pages = _laid_out(_pages_of(data, name=name, max_pages=max_pages), name=name,
                          max_characters=max_characters)
    body_size = _weighted_median([(line.size, len(line.text)) for page in pages for box in page.boxes
                                  for line in box.lines])
    furniture = _furniture(pages, body_size=body_size)
    blocks = _continued([block for number, page in enumerate(pages)
                         for box in _reading_order(_text_boxes(page.boxes, furniture=furniture))
                         for block in _blocks_of(box, page=number)])
    if not blocks:
        raise InvalidInput(f"{name} has no text layer (it is a scanned image): run it through OCR, or paste the "
                           "article's text")
    outlined = _title_first(blocks, body_size=body_size)
    check_paragraphs(len(outlined), name=name, max_paragraphs=max_paragraphs)
    left_out = tuple(dict.fromkeys(line.text for page in pages for box in page.boxes for line in box.lines
                                   if line in furniture))
    return Document(text="\n".join(text for _kind, text in outlined), left_out=left_out,
                    outline=outline_of(outlined, left_out=left_out))


# --- pdfminer: the file's pages, laid out, with every fault it meets refused -----------------


class _QuietPdfminer:
    """Silence pdfminer's warnings while PDFs are read, and give its logger back its own level
    after the last reader, however many threads read at once.

    It logs a warning for every fault it works around in a damaged file; newsdesk either reads
    the file anyway or refuses it with a message, so the warnings say nothing a reader can use.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._readers = 0
        self._level = logging.NOTSET

    def __enter__(self) -> None:
        with self._lock:
            if self._readers == 0:
                self._level = logging.getLogger("pdfminer").level
                logging.getLogger("pdfminer").setLevel(logging.ERROR)
            self._readers += 1

    def __exit__(self, *exception) -> None:
        with self._lock:
            self._readers -= 1
            if self._readers == 0:
                logging.getLogger("pdfminer").setLevel(self._level)


_QUIET_PDFMINER = _QuietPdfminer()


@contextmanager
def _refusing_unreadable(name: str):
    """Turn whatever pdfminer raises on a damaged, encrypted or hostile file into InvalidInput."""
    from pdfminer.pdfdocument import PDFEncryptionError
    from pdfminer.psexceptions import PSException

    try:
        yield
    except ServiceError:
        raise
    except PDFEncryptionError:
        raise InvalidInput(f"{name} is protected by a password (it is encrypted): remove the password (save a copy "
                           "without one), or paste the article's text") from None
    except (PSException, *_UNREADABLE) as error:
        log.debug("pdfminer could not read %s: %r", name, error)
        raise _unreadable(name) from None


def _unreadable(name: str) -> InvalidInput:
    return InvalidInput(f"{name} is not a readable PDF: save it again as PDF, or paste the article's text")


def _pages_of(data: bytes, *, name: str, max_pages: int | None) -> list:
    """The file's pages (pdfminer's PDFPage), refused past ``max_pages`` before any is laid out."""
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser

    # Readers look for the header in the first kilobyte; without it pdfminer would search the
    # whole file for objects, which takes long on megabytes that are no PDF at all.
    if b"%PDF-" not in data[:1024]:
        raise _unreadable(name)
    document = PDFDocument(PDFParser(io.BytesIO(data)), password="")
    # One page more than allowed is enough to refuse the file: a hostile one can list millions.
    pages = list(itertools.islice(PDFPage.create_pages(document), None if max_pages is None else max_pages + 1))
    if not pages:
        raise _unreadable(name)  # not even a blank page: its page tree is broken
    if max_pages is not None and len(pages) > max_pages:
        raise TooLarge(f"{name} has more than {max_pages:,} pages; the limit is {max_pages:,} "
                       "(NEWSDESK_MAX_DOCUMENT_PAGES): split it, or send the article's pages only")
    return pages


def _laid_out(pages: list, *, name: str, max_characters: int | None = None) -> list[_Page]:
    """Each page's text boxes, refused as soon as more characters are drawn than ``pdf_streams.character_bound``."""
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager

    bound, too_many = character_bound(name, max_characters)
    resources = PDFResourceManager(caching=True)
    device = _counting_aggregator()(resources, laparams=_layout_parameters(), bound=bound, too_many=too_many)
    interpreter = PDFPageInterpreter(resources, device)
    laid_out = []
    for page in pages:
        interpreter.process_page(page)
        layout = device.get_result()
        laid_out.append(_Page(boxes=tuple(_boxes_of(layout, page_top=layout.y1)), height=layout.height))
    return laid_out


@functools.cache
def _counting_aggregator():
    """pdfminer's PDFPageAggregator that counts each character as it is drawn and stops past
    its bound: a page of a million tiny text operators is refused long before it is laid out."""
    from pdfminer.converter import PDFPageAggregator

    class CountingAggregator(PDFPageAggregator):
        def __init__(self, resources, *, laparams, bound: int, too_many: TooLarge) -> None:
            super().__init__(resources, laparams=laparams)
            self.bound, self.too_many, self.drawn = bound, too_many, 0

        def render_char(self, matrix, *arguments, **named) -> float:
            self.drawn += 1
            if self.drawn > self.bound:
                raise self.too_many
            return super().render_char(_turned_upright(matrix), *arguments, **named)

        def paint_path(self, *arguments, **named) -> None:
            """Lines, curves and shapes are not read: a chart of 20,000 strokes a page made pdfminer
            build and lay out an object for each (issue 32: a 14-page paper took 42 s)."""

    return CountingAggregator


# How far from a quarter turn a line of text may be drawn and still be read as turned upright.
_QUARTER_TURN_TOLERANCE = 5.0  # degrees


def _turned_upright(matrix: tuple[float, ...]) -> tuple[float, ...]:
    """A character's matrix, turned by the quarter turns it was drawn at so that it stands upright.

    pdfminer lays text out in lines that run left to right: a line drawn turned (a landscape
    table on a portrait page, a label up a margin, a whole page drawn sideways) came out as
    hundreds of lines of one to three letters (issue 32: "L a k a C o n e n"). Every character of
    such a line is turned by the same angle, so turning each back keeps the line together and
    its words in order; they land elsewhere on the plane, where the reading order finds them.
    A slant that is not near a quarter turn is left as drawn."""
    a, b = matrix[0], matrix[1]
    if not b and a > 0:  # upright, as most text is
        return matrix
    angle = math.degrees(math.atan2(b, a))
    quarters = round(angle / 90)
    if quarters % 4 == 0 or abs(angle - quarters * 90) > _QUARTER_TURN_TOLERANCE:
        return matrix
    back = math.radians(-quarters * 90)
    cos, sin = round(math.cos(back)), round(math.sin(back))
    from pdfminer.utils import mult_matrix

    return mult_matrix(tuple(matrix), (cos, sin, -sin, cos, 0.0, 0.0))


def _layout_parameters():
    """pdfminer's layout options, chosen for articles (measured on generated justified columns).

    boxes_flow=None: newsdesk orders the boxes itself (_reading_order), and skipping pdfminer's
    own grouping of boxes saves most of its layout time. all_texts: text inside form XObjects
    (some makers put a whole page in one) is laid out too. char_margin 4 (pdfminer's is 2):
    pdfminer ends a line at a gap wider than twice a letter, so a justified line in a narrow
    column fell apart at its wide spaces, the pieces read out of order; it compares letters
    that follow each other in the file, so columns written one after the other never join.
    """
    from pdfminer.layout import LAParams

    return LAParams(boxes_flow=None, all_texts=True, char_margin=4.0)


def _boxes_of(container, *, page_top: float):
    """The text boxes in a page or figure, those inside figures too, without empty lines."""
    from pdfminer.layout import LTFigure, LTTextBox

    for item in container:
        if isinstance(item, LTFigure):
            yield from _boxes_of(item, page_top=page_top)
        elif isinstance(item, LTTextBox):
            lines = tuple(line for line in (_line_of(text_line, page_top=page_top) for text_line in item) if line)
            if lines:
                yield _Box(lines)


def _line_of(text_line, *, page_top: float) -> _Line | None:
    from pdfminer.layout import LTChar

    chars, x = [], text_line.x0
    for item in text_line:  # LTChar, and the LTAnno spaces pdfminer infers between words, which have no place
        x = getattr(item, "x0", x)
        chars.append((item.get_text(), x))
    text = " ".join(in_reading_order(chars).translate(_LIGATURES).split())
    sizes = sorted(char.size for char in text_line if isinstance(char, LTChar))
    if not text or not sizes:
        return None
    return _Line(text=text, x0=text_line.x0, x1=text_line.x1, top=page_top - text_line.y1,
                 bottom=page_top - text_line.y0, size=sizes[len(sizes) // 2])


# --- running headers, footers and page numbers ---------------------------------------------


def _furniture(pages: list[_Page], *, body_size: float) -> set[_Line]:
    """The lines in a page's top or bottom band that are page furniture, not the article's.

    A bare page number is furniture on any page. Other text is when it repeats in the same
    band on at least half the pages (two at least), digits aside ("Page 3 of 7", a date that
    changes): a running header or footer. Text larger than the body's never is, so that a
    headline repeated as the running header stays the title on the first page, and so does
    a headline that is a year.
    """
    edges = [{line: edge for box in page.boxes for line in box.lines
              if line.size <= body_size * _HEADING_RATIO and (edge := _edge(line, page))} for page in pages]
    pages_with = Counter(key for page_edges in edges for key in {_repeat_key(line, edge)
                                                                 for line, edge in page_edges.items()})
    repeated = {key for key, count in pages_with.items()
                if len(pages) >= 2 and count >= max(2, math.ceil(len(pages) / 2))}
    return {line for page_edges in edges for line, edge in page_edges.items()
            if _PAGE_NUMBER.fullmatch(line.text) or _repeat_key(line, edge) in repeated}


def _edge(line: _Line, page: _Page) -> str:
    """"top" or "bottom" for a line in that band of its page, "" for one between them."""
    if line.top < page.height * _MARGIN_BAND:
        return "top"
    return "bottom" if line.bottom > page.height * (1 - _MARGIN_BAND) else ""


def _repeat_key(line: _Line, edge: str) -> tuple[str, str]:
    """What a running header or footer keeps from page to page: its band and its words, digits aside."""
    return edge, re.sub(r"\d+", "#", line.text.casefold())


# --- text boxes: pdfminer's, mended ------------------------------------------------------


def _text_boxes(boxes: tuple[_Box, ...], *, furniture: set[_Line]) -> list[_Box]:
    """A page's boxes without furniture, each line in them a whole line of the page."""
    kept = [_Box(lines) for lines in (tuple(line for line in box.lines if line not in furniture) for box in boxes)
            if lines]
    return [_in_rows(box) for box in _strays_absorbed(kept)]


def _strays_absorbed(boxes: list[_Box]) -> list[_Box]:
    """The boxes, each box that lies inside a larger one merged into the largest such.

    pdfminer still breaks a justified line at a space wider than its char_margin allows, and
    files the pieces by their alignment: a middle piece aligned with nothing becomes a box of
    its own, inside the paragraph it belongs to, which would be read after that paragraph.
    """
    if len(boxes) > _MAX_BOXES_TO_ORDER:
        return boxes
    bounds = [(box.x0, box.x1, box.top, box.bottom) for box in boxes]
    host_of = {}
    for index, box in enumerate(boxes):
        hosts = [other for other, host in enumerate(boxes)
                 if len(host.lines) > len(box.lines) and _inside(bounds[index], bounds[other])]
        if hosts:
            host_of[index] = max(hosts, key=lambda other: len(boxes[other].lines))
    absorbed = {host: list(box.lines) for host, box in enumerate(boxes) if host not in host_of}
    for stray, host in host_of.items():
        absorbed[host_of.get(host, host)].extend(boxes[stray].lines)
    return [_Box(tuple(lines)) for lines in absorbed.values()]


def _inside(box: tuple[float, ...], host: tuple[float, ...]) -> bool:
    """Whether the bounds (x0, x1, top, bottom) of ``box`` lie within those of ``host``."""
    return (box[0] >= host[0] - _MIN_GAP and box[1] <= host[1] + _MIN_GAP and box[2] >= host[2] - _MIN_GAP
            and box[3] <= host[3] + _MIN_GAP)


def _in_rows(box: _Box) -> _Box:
    """The box with the pieces of each line joined left to right, its lines top to bottom."""
    rows: list[list[_Line]] = []
    for line in sorted(box.lines, key=lambda line: line.top):
        if rows and _same_row(rows[-1][0], line):
            rows[-1].append(line)
        else:
            rows.append([line])
    return _Box(tuple(_row_line(sorted(row, key=lambda line: line.x0)) for row in rows))


def _same_row(first: _Line, line: _Line) -> bool:
    overlap = min(first.bottom, line.bottom) - max(first.top, line.top)
    return overlap > min(first.bottom - first.top, line.bottom - line.top) / 2


def _row_line(pieces: list[_Line]) -> _Line:
    if len(pieces) == 1:
        return pieces[0]
    return _Line(text=" ".join(piece.text for piece in pieces), x0=pieces[0].x0, x1=max(p.x1 for p in pieces),
                 top=min(piece.top for piece in pieces), bottom=max(piece.bottom for piece in pieces),
                 size=_weighted_median([(piece.size, len(piece.text)) for piece in pieces]))


# --- reading order: columns left to right, each top to bottom ------------------------------


def _reading_order(boxes: list[_Box], depth: int = 0) -> list[_Box]:
    """The boxes in the order a reader takes them, by cutting the page along its white space.

    Where a gap runs from the top of the region to its bottom, it is cut into columns, read
    left to right; otherwise it is cut into bands across it, read top to bottom. Bands that
    share their columns are taken together, so that paragraphs which happen to end at the
    same height in two columns do not make the page read across them; a box that spans the
    columns (a headline, a photo's caption) stays a band of its own, in its place.
    """
    if len(boxes) < 2 or depth > _MAX_CUT_DEPTH or len(boxes) > _MAX_BOXES_TO_ORDER:
        return sorted(boxes, key=lambda box: (box.top, box.x0))
    columns = _cut(boxes, start=lambda box: box.x0, end=lambda box: box.x1)
    if len(columns) > 1:
        return [box for column in columns for box in _reading_order(column, depth + 1)]
    bands = _cut(boxes, start=lambda box: box.top, end=lambda box: box.bottom)
    if len(bands) == 1:
        return sorted(boxes, key=lambda box: (box.top, box.x0))
    return [box for group in _bands_by_columns(bands) for box in _reading_order(group, depth + 1)]


def _cut(boxes: list[_Box], *, start, end) -> list[list[_Box]]:
    """The boxes in groups, split at each gap that no box covers (along one axis), in order."""
    groups: list[list[_Box]] = []
    reach = -math.inf
    for box in sorted(boxes, key=start):
        if groups and start(box) < reach + _MIN_GAP:
            groups[-1].append(box)
        else:
            groups.append([box])
        reach = max(reach, end(box)) if len(groups[-1]) > 1 else end(box)
    return groups


def _bands_by_columns(bands: list[list[_Box]]) -> list[list[_Box]]:
    """Consecutive bands joined while together they still split into columns."""
    groups, spans = [bands[0]], _spans(bands[0])
    for band in bands[1:]:
        joined = _spans(band, spans)
        if len(joined) > 1:
            groups[-1] = groups[-1] + band
            spans = joined
        else:
            groups.append(band)
            spans = _spans(band)
    return groups


def _spans(boxes: list[_Box], spans: Sequence[tuple[float, float]] = ()) -> list[tuple[float, float]]:
    """The stretches (x0, x1) that ``boxes`` and ``spans`` cover across the page, left to right:
    more than one, and the boxes split into columns."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted([*spans, *((box.x0, box.x1) for box in boxes)]):
        if merged and start < merged[-1][1] + _MIN_GAP:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


# --- paragraphs, headings and the title ----------------------------------------------------


def _blocks_of(box: _Box, *, page: int) -> list[_Block]:
    """A box's lines joined into paragraphs: a box holds one, unless its font size changes
    (a heading set close above its text) or an indented line follows a sentence's end
    (paragraphs set without space between them) or a list's bullet starts a line."""
    runs: list[list[_Line]] = []
    left, right = box.x0, box.x1
    for line in box.lines:
        if runs and not _starts_block(line, previous=runs[-1][-1], left=left):
            runs[-1].append(line)
        else:
            runs.append([line])
    # A box of one line says nothing of its column's edges. Justified lines end on the edge,
    # a paragraph's last line seldom within half an em of it.
    measured = len(box.lines) > 1
    return [_Block(text=_joined([line.text for line in run]),
                   size=_weighted_median([(line.size, len(line.text)) for line in run]), page=page, top=run[0].top,
                   end_page=page, bottom=run[-1].bottom, indented=measured and run[0].x0 - left > run[0].size,
                   full=measured and right - run[-1].x1 < run[-1].size / 2) for run in runs]


def _continued(blocks: list[_Block]) -> list[_Block]:
    """The blocks, each one that goes on with the paragraph before it joined to it: one
    broken by the end of a column or a page (its footer taken out between)."""
    joined: list[_Block] = []
    for block in blocks:
        if joined and _continues(joined[-1], block):
            previous = joined[-1]
            joined[-1] = _Block(text=_joined([previous.text, block.text]), size=previous.size, page=previous.page,
                                top=previous.top, end_page=block.end_page, bottom=block.bottom,
                                indented=previous.indented, full=block.full)
        else:
            joined.append(block)
    return joined


def _continues(previous: _Block, block: _Block) -> bool:
    """Whether ``block`` goes on with ``previous``: same size, and the sentence goes on, or
    the column ended on a full line and the next one starts without an indent."""
    if max(block.size, previous.size) > min(block.size, previous.size) * _HEADING_RATIO:
        return False
    if previous.text.endswith((",", "\u00ad")) or _BROKEN_WORD.search(previous.text):
        return True
    if block.text[:1].islower() and not _SENTENCE_END.search(previous.text):
        return True
    next_column = block.page != previous.end_page or block.top < previous.bottom
    return next_column and previous.full and not block.indented and not _BULLET.match(block.text)


def _starts_block(line: _Line, *, previous: _Line, left: float) -> bool:
    if max(line.size, previous.size) > min(line.size, previous.size) * _HEADING_RATIO:
        return True
    if _BULLET.match(line.text):
        return True
    indented = line.x0 - left > line.size  # an em or more
    return indented and bool(_SENTENCE_END.search(previous.text)) and not line.text[:1].islower()


def _joined(lines: list[str]) -> str:
    """Lines run together, mending words hyphenated at a line's end: "exam-" + "ple" is
    "example", while "Baden-" + "Württemberg" keeps its hyphen (a capital follows)."""
    text = lines[0]
    for line in lines[1:]:
        if text.endswith("\u00ad"):  # a soft hyphen is only ever a break
            text = text[:-1] + line
        elif _BROKEN_WORD.search(text):
            text = (text[:-1] if line[:1].islower() and text[-2].isalpha() else text) + line
        else:
            text = f"{text} {line}"
    return text


def _title_first(blocks: list[_Block], *, body_size: float) -> list[tuple[str, str]]:
    """The blocks as (kind, text): the first page's largest text (when larger than the body's)
    first as the title, in one line even when it took several boxes; text larger than the
    body's a heading."""
    def kind(block: _Block) -> str:
        return HEADING if block.size > body_size * _HEADING_RATIO else PARAGRAPH

    first_page = [block for block in blocks if block.page == blocks[0].page and _has_words(block.text)]
    largest = max((block.size for block in first_page), default=0.0)
    if largest <= body_size * _HEADING_RATIO:
        return [(kind(block), block.text) for block in blocks]
    title = {id(block): block for block in first_page if block.size * _HEADING_RATIO > largest}
    return [(TITLE, _joined([block.text for block in title.values()])),
            *((kind(block), block.text) for block in blocks if id(block) not in title)]


def _has_words(text: str) -> bool:
    """Two letters or more: a drop capital (one large letter) is no title."""
    return sum(character.isalpha() for character in text) >= 2


def _weighted_median(pairs: list[tuple[float, int]]) -> float:
    """The value at the middle of ``pairs`` of (value, weight), counted by weight."""
    pairs = sorted(pairs)
    half, total = sum(weight for _, weight in pairs) / 2, 0
    for value, weight in pairs:
        total += weight
        if total >= half:
            return value
    return 0.0
