"""The cleaner's records: an Article of Blocks, what it Removed and why, and the Tuning it runs with.

Every step of the cleaner (clean_lines, clean_boxes, clean_header, clean_body) and its entry,
clean.py, share these, so they sit below all of them; the rest of newsdesk imports them
from service.stages.clean, which re-exports them.
"""

from __future__ import annotations

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
