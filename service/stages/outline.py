"""What every reader of an article gives (``Document``), and a document's outline from its blocks.

The text and page readers (documents.py) and the Word, OpenDocument and PDF readers
(office/) all return a Document; it lives here, below both, so that neither imports the
other for it (issue 29: the two imported each other).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .clean import HEADING, Article, Block, Removed


@dataclass(frozen=True)
class Document:
    """An article read from a file or page: its text, and the page's lines left out of it.

    ``left_out`` holds the lines of an HTML page that are not in the article trafilatura
    found (menus, related stories, and any body text it missed), so that the pipeline can
    list them with what the cleaner removed: nothing leaves without a trace (issue 13).
    """

    text: str
    left_out: tuple[str, ...] = ()
    # The file itself when its translated copy can keep its layout (.docx, .odt; service/office):
    # the doors that offer those copies keep it with the result.
    original: bytes = b""
    # The article as a Word, OpenDocument or PDF file lays it out (title, headings and paragraphs
    # by their styles or sizes, ``left_out`` among its removed lines): taken as it is, since a
    # document has no menus or related links for the cleaner to guess at (pipeline.process).
    outline: Article | None = None
    # The text is a page's main content as trafilatura read it (an .html page with an article):
    # the cleaner then keeps what the library kept unless a line is a caption, credit, date or
    # repeat (clean.clean's ``main_content``, issue 27).
    main_content: bool = False


TITLE = "title"
# A first line this short that ends no sentence is a document's title when no style says so.
_TITLE_WORDS = 20
_SENTENCE_END = re.compile(r"[.!?…:;]['\"’”»)]*$")


def outline_of(blocks: list[tuple[str, str]], *, left_out: tuple[str, ...] = ()) -> Article:
    """The article of a document whose reader knows each block's kind (TITLE, HEADING, PARAGRAPH).

    The first block marked TITLE is the title; without one, a first heading is, or else a short
    first paragraph that ends no sentence (a title typed in bold in the body style). Every other
    block stays in the body, in order: nothing of a document is dropped as a web page's clutter.
    """
    blocks = [(kind, text) for kind, text in blocks if text.strip()]
    titles = [index for index, (kind, _text) in enumerate(blocks) if kind == TITLE]
    if titles:
        at = titles[0]
    elif blocks and (blocks[0][0] == HEADING or (len(blocks[0][1].split()) <= _TITLE_WORDS
                                                  and not _SENTENCE_END.search(blocks[0][1]))):
        at = 0
    else:
        at = None
    title = blocks[at][1] if at is not None else ""
    body = tuple(Block(HEADING if kind == TITLE else kind, text)
                 for index, (kind, text) in enumerate(blocks) if index != at)
    return Article(title=title, blocks=body, removed=tuple(Removed(line, "outside") for line in left_out))
