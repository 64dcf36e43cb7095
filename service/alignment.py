"""Which words of a translation render which words of its source, from the model's own attention.

CTranslate2 gives, for each piece a model writes, its attention over the source's pieces
(``return_attention``). Held as character spans of both texts, that is enough to carry a
bold word, a link or a note's mark from a sentence to the words of its translation that
render it, wherever the model moved or inflected them (issue 32: matching a span's own
translation word for word inside the sentence's kept 14 of 33 spans on real documents).
Bergamot carries HTML tags onto its translations the same way.

- ``piece_spans``: where a tokenizer's pieces are in the text they came from;
- ``project``: the words of the translation a span of the source went to;
- ``compose``: source -> English -> target, for a translation through English;
- ``remapped``: the same alignment after either text was rewritten (a glossary's terms put in).

A piece whose attention is split evenly between source pieces (a model's first, language-tag
piece) is linked to none; the attention still counts when a span's words are nowhere clear,
so a span lands on its best-aligned word instead of being lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from difflib import SequenceMatcher

import numpy as np

Span = tuple[int, int]

# SentencePiece marks a word start with U+2581; BPE marks a word that goes on with "@@".
_MARKS = ("\u2581", "@@")
# A piece is looked for at most this many characters past the last one found (a tokenizer
# that normalised the text, or a detokenizer that moved a space); farther, it is not placed.
_LOOK_AHEAD = 4
# A piece is linked to the source piece it attends to most only when that one stands out:
# ahead of the runner-up by at least this much of the attention.
_CLEAR_LEAD = 0.01


@dataclass(frozen=True)
class Alignment:
    """A translation's alignment: each source piece's and each output piece's (start, end) in its
    text, and per output piece its attention over the source pieces (rows sum to about 1)."""

    source: tuple[Span, ...]
    target: tuple[Span, ...]
    weights: np.ndarray = field(compare=False, repr=False)  # len(target) x len(source)

    @classmethod
    def of(cls, *, source: Sequence[Span], target: Sequence[Span], weights) -> Alignment:
        # float16: a long document holds one of these per sentence until its copy is written, and
        # the worker's cache keeps them (a 240,000-character .odt: about 2,500 of 200 x 200 pieces)
        matrix = np.zeros((len(target), len(source)), dtype=np.float16)
        rows = np.asarray(weights, dtype=np.float16).reshape(-1, len(source)) if len(source) else matrix
        matrix[: len(rows)] = rows[: len(target)]
        return cls(tuple(source), tuple(target), matrix)

    @cached_property
    def links(self) -> tuple[int | None, ...]:
        """Per output piece, the source piece it renders, or None where no source piece stands out."""
        found: list[int | None] = []
        for row in self.weights:
            if not len(row):
                found.append(None)
                continue
            order = np.argsort(row)
            lead = row[order[-1]] - (row[order[-2]] if len(row) > 1 else 0.0)
            found.append(int(order[-1]) if lead >= _CLEAR_LEAD else None)
        return tuple(found)


def piece_spans(text: str, pieces: Sequence[str]) -> tuple[Span, ...]:
    """Each piece's (start, end) in ``text`` (the text it was made from, or decoded into).

    A piece that cannot be found where the last one ended (give or take a few characters)
    gets an empty span there: it renders nothing we can point at."""
    spans, position = [], 0
    for piece in pieces:
        surface = piece
        for mark in _MARKS:
            surface = surface.replace(mark, "")
        surface = surface.strip()
        found = text.find(surface, position, position + len(surface) + _LOOK_AHEAD) if surface else -1
        if found < 0:
            spans.append((position, position))
            continue
        spans.append((found, found + len(surface)))
        position = found + len(surface)
    return tuple(spans)


def project(alignment: Alignment, start: int, end: int) -> Span | None:
    """The (start, end) of the translation that renders source characters ``start``..``end``:
    the output pieces linked to the span's source pieces, in the run of them (consecutive, or
    with only unlinked pieces between) that holds most of the span's attention; where no piece
    is linked to the span, the one piece that attends to it most. None when the span holds no
    source piece or the translation has no piece."""
    inside = [index for index, (a, b) in enumerate(alignment.source) if b > a and a < end and b > start]
    visible = [index for index, (a, b) in enumerate(alignment.target) if b > a]
    if not inside or not visible:
        return None
    mass = alignment.weights[:, inside].sum(axis=1)
    links = alignment.links
    chosen = [index for index in visible if links[index] in inside]
    if not chosen:
        chosen = [max(visible, key=lambda index: mass[index])]
    runs, run = [], [chosen[0]]
    for index in chosen[1:]:
        if all(links[between] is None for between in range(run[-1] + 1, index)):
            run.append(index)
        else:
            runs.append(run)
            run = [index]
    runs.append(run)
    best = max(runs, key=lambda members: sum(mass[index] for index in members))
    return alignment.target[best[0]][0], alignment.target[best[-1]][1]


def compose(first: Alignment, second: Alignment) -> Alignment:
    """source -> target, from ``first`` (source -> the English between) and ``second`` (that
    English -> target); ``second``'s source spans and ``first``'s target spans are in the same
    English text. Each English piece of ``second`` takes the attention of ``first``'s pieces
    it overlaps."""
    through = np.zeros((len(second.source), len(first.source)))
    for row, (a, b) in enumerate(second.source):
        overlapping = [index for index, (c, d) in enumerate(first.target) if d > c and c < b and d > a]
        if overlapping:
            through[row] = first.weights[overlapping].mean(axis=0)
    weights = second.weights @ through if len(second.source) else np.zeros((len(second.target), len(first.source)))
    return Alignment(first.source, second.target, weights)


def remapped(alignment: Alignment, *, source: tuple[str, str], target: tuple[str, str]) -> Alignment:
    """The alignment after its source and target texts were rewritten: ``source`` and
    ``target`` are each (the text it was made on, the text now). Characters kept keep their
    place; a replaced stretch maps onto its replacement whole."""
    return Alignment(_moved(alignment.source, *source), _moved(alignment.target, *target), alignment.weights)


def _moved(spans: tuple[Span, ...], old: str, new: str) -> tuple[Span, ...]:
    if old == new:
        return spans
    blocks = SequenceMatcher(None, old, new, autojunk=False).get_opcodes()

    def moved(offset: int, *, at_end: bool) -> int:
        for tag, i1, i2, j1, j2 in blocks:
            # A start is in the block it begins, an end in the block it closes.
            if (i1 < offset <= i2) if at_end else (i1 <= offset < i2):
                if tag == "equal":
                    return j1 + offset - i1
                return j2 if at_end else j1
        return 0 if at_end else len(new)

    return tuple((moved(a, at_end=False), max(moved(a, at_end=False), moved(b, at_end=True))) for a, b in spans)
