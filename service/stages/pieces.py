"""A paragraph as formatted pieces, translated sentence by sentence with its formatting put back.

Word's runs and OpenDocument's spans are the same idea: a paragraph's text cut into pieces,
each with its formatting. ``Formatted`` holds the text, which piece each character is in and
a key per piece (equal keys: equal formatting), and turns translations of its sentences into
new pieces. Both word.py and opendocument.py write those pieces back in their own markup.

The rule, the same for both: a translated sentence takes the formatting most of its letters
had (a bold lead sentence stays bold; a sentence that opens with a bold name stays plain if
the name cannot be found again, rather than turning bold whole). A shorter span formatted
apart inside it goes onto the words of the translation that render it, by the model's own
alignment (service/alignment.py: its attention), widened to whole words: a model inflects and
reorders, so matching the span's own translation word for word kept 14 of 33 spans on
real documents (issue 32). Where a translation has no alignment (an editor's correction),
the span's own translation is looked for in the sentence's: word for word, or as the run of
words most like it ("die Hafenbehörde" alone, "der Hafenbehörde" in the sentence).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..alignment import Alignment, project

Split = Callable[[str], list[str]]


@dataclass(frozen=True)
class Formatted:
    """A paragraph's text, the piece each character belongs to, each piece's formatting key,
    and its sentences as (start, end) offsets."""

    text: str
    owner: tuple[int, ...]
    keys: tuple[Hashable, ...]
    sentences: tuple[tuple[int, int], ...]

    @classmethod
    def of(cls, texts: list[str], keys: list[Hashable], split: Split) -> Formatted | None:
        """The paragraph made of pieces ``texts`` with formatting ``keys``; None when it has no sentence."""
        text = "".join(texts)
        if not text.strip():
            return None
        owner = tuple(index for index, piece in enumerate(texts) for _ in piece)
        sentences = sentence_spans(text, split)
        return cls(text, owner, tuple(keys), tuple(sentences)) if sentences else None

    def _key_at(self, position: int) -> Hashable:
        return self.keys[self.owner[position]]

    def _base(self, start: int, end: int) -> int:
        """The piece whose formatting most of the sentence's letters have (its first of that formatting)."""
        weights: dict[Hashable, int] = {}
        for position in range(start, end):
            if not self.text[position].isspace():
                key = self._key_at(position)
                weights[key] = weights.get(key, 0) + 1
        key = max(weights, key=weights.get)
        return next(self.owner[i] for i in range(start, end) if self._key_at(i) == key)

    def _spans(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """(start, end, piece) of the text inside the sentence formatted unlike most of it."""
        base = self.keys[self._base(start, end)]
        spans, position = [], start
        while position < end:
            key, stop = self._key_at(position), position
            while stop < end and self._key_at(stop) == key:
                stop += 1
            if key != base and self.text[position:stop].strip():
                spans.append((position, stop, self.owner[position]))
            position = stop
        return spans

    def texts(self) -> list[str]:
        """What to translate: each sentence, and each span formatted apart inside one."""
        texts = []
        for start, end in self.sentences:
            texts.append(self.text[start:end].strip())
            texts += [self.text[a:b].strip() for a, b, _ in self._spans(start, end)
                      if (a, b) != (start, end) and re.search(r"\w", self.text[a:b])]
        return texts

    def translated(self, translations: Mapping[str, str | Aligned], *,
                   essential: Callable[[int], bool] = lambda piece: False,
                   marks: Sequence[Place] = ()) -> list[tuple[str, int] | Mark]:
        """The translated paragraph as (text, piece whose formatting it takes), neighbours of one
        formatting merged; the space between sentences goes with the one before (not into a link).

        A span formatted apart goes onto the words its sentence's alignment (the model's
        attention) gives it, whole words, wherever the model put them; without an alignment (an
        editor's correction), where its own translation is found in the sentence's (``locate``).
        ``essential``: pieces whose formatting must not vanish (a link and its address): when such
        a span cannot be placed, the sentence's own text takes it (the spans placed keep theirs).
        ``marks``: where objects sit in ``text`` (a note's or a comment's mark, a picture, where a
        comment's range opens); each comes back as Mark(its index) after the translation of the
        word before it, or, for one that opens a range, before the translation of the word after it."""
        pieces: list[tuple[str, int] | Mark] = []
        position, previous, written = 0, None, 0
        offsets = [place.offset for place in marks]
        waiting = sorted(range(len(marks)), key=lambda index: offsets[index])

        def add(text: str, piece: int) -> None:
            nonlocal written
            pieces.append((text, piece))
            written += len(text)

        def put_marks(until: int, at: Callable[[int], int]) -> None:
            """The marks before source offset ``until``, at the output offsets ``at`` gives them."""
            while waiting and offsets[waiting[0]] <= until:
                index = waiting.pop(0)
                pieces.append(_MarkAt(at(marks[index]), index))

        for start, end in self.sentences:
            base = self._base(start, end)
            if start > position:
                gap_start = written
                put_marks(start - 1, lambda place, at=position, out=gap_start: out + place.offset - at)
                add(self.text[position:start], base if previous is None else previous)
            previous = base
            source = self.text[start:end].strip()
            rendered = _rendered(translations.get(source, source))
            translation, lead, out = rendered.text, start, written
            placed, lost = self._placed(start, end, rendered, translations, base, essential)
            at = 0
            for a, b, piece in placed:
                add(translation[at:a], base if lost is None else lost)
                add(translation[a:b], piece)
                at = b
            add(translation[at:], base if lost is None else lost)
            put_marks(end, lambda place: out + _mark_place(place, lead, source, rendered))
            position = end
        if position < len(self.text):
            tail_start = written
            add(self.text[position:], self.owner[-1])
            put_marks(len(self.text), lambda place: tail_start + place.offset - position)
        put_marks(len(self.text), lambda place: written)
        return _merged(_cut_at_marks(pieces), self.keys)

    def _placed(self, start: int, end: int, rendered: Aligned, translations: Mapping[str, str | Aligned],
                base: int, essential: Callable[[int], bool]) -> tuple[list[tuple[int, int, int]], int | None]:
        """Where each span of the sentence goes in its translation, as (start, end, piece) in
        order, none overlapping; and the essential piece that could not be placed, if any."""
        translation, wanted, at, lost = rendered.text, [], 0, None
        for a, b, piece in self._spans(start, end):
            if rendered.alignment is not None:
                tight = project(rendered.alignment, a - start, b - start)
                widen = (not _inside_word(self.text, a), not _inside_word(self.text, b))
            else:
                phrase = translations.get(self.text[a:b].strip())
                tight = locate(_rendered(phrase).text, translation, at) if phrase else None
                at = tight[1] if tight is not None else at
                widen = (False, False)
            if tight is not None:
                wanted.append((_whole_words(tight, translation, *widen), tight, piece))
            elif essential(piece) and lost is None:
                lost = piece
        placed: list[tuple[int, int, int]] = []
        tights: list[tuple[int, int]] = []
        for wide, tight, piece in sorted(wanted):
            if placed and wide[0] < placed[-1][1]:
                if tight[0] >= tights[-1][1]:  # two spans in one word ("Hafen|behörde"): each keeps its pieces
                    placed[-1] = (*tights[-1], placed[-1][2])
                    placed.append((*tight, piece))
                    tights.append(tight)
                    continue
                # On the same pieces: a link wins over other formatting, else the first keeps them.
                keep_new = essential(piece) and not essential(placed[-1][2])
                dropped = placed[-1][2] if keep_new else piece
                if keep_new:
                    placed[-1], tights[-1] = (*wide, piece), tight
                if essential(dropped) and lost is None:
                    lost = dropped
                continue
            placed.append((*wide, piece))
            tights.append(tight)
        return self._spaces_kept(placed, translation), lost

    def _spaces_kept(self, placed: list[tuple[int, int, int]], translation: str) -> list[tuple[int, int, int]]:
        """A space between two placed spans goes with the one that had it in the source (the space
        of "<b>port</b> authority" inside one link stays inside it)."""
        kept = list(placed)
        for number in range(1, len(kept)):
            (_, end, before), (start, stop, piece) = kept[number - 1], kept[number]
            if end < start and not translation[end:start].strip():
                if self.text[self._start_of(piece)].isspace():
                    kept[number] = (end, stop, piece)
                elif self.text[self._end_of(before) - 1].isspace():
                    kept[number - 1] = (kept[number - 1][0], start, before)
        return kept

    def _start_of(self, piece: int) -> int:
        return self.owner.index(piece)

    def _end_of(self, piece: int) -> int:
        return len(self.owner) - self.owner[::-1].index(piece)


@dataclass(frozen=True)
class Aligned:
    """A translation and, where the model gave one, its alignment to its source."""

    text: str
    alignment: Alignment | None = None


# Sentences and phrases -> their translations, in order: plain text, or text with its alignment.
Translate = Callable[[list[str]], "list[str | Aligned]"]


@dataclass(frozen=True)
class Place:
    """Where an object sits in a paragraph's text; ``opens``: it opens a range (a comment's)."""

    offset: int
    opens: bool = False


@dataclass(frozen=True)
class Mark:
    """Where the object of ``marks[index]`` goes among a translated paragraph's pieces."""

    index: int


@dataclass(frozen=True)
class _MarkAt:
    at: int  # output offset
    index: int


def _rendered(translation: str | Aligned) -> Aligned:
    return translation if isinstance(translation, Aligned) else Aligned(translation)


def _inside_word(text: str, offset: int) -> bool:
    """Whether ``offset`` cuts a word of ``text`` (the "2" of "H2O" subscript)."""
    return 0 < offset < len(text) and text[offset - 1].isalnum() and text[offset].isalnum()


def _whole_words(found: tuple[int, int], text: str, widen_start: bool = True,
                 widen_end: bool = True) -> tuple[int, int]:
    """``found`` widened to the whole words it touches (a model writes "Hafenbehörde" for "port
    authority": the span takes the word, not its first piece), on the sides where the source span
    ended at a word's edge."""
    start, end = found
    while widen_start and _inside_word(text, start):
        start -= 1
    while widen_end and _inside_word(text, end):
        end += 1
    return start, end


_NEXT_WORD = re.compile(r"\s*(\S+)")
_WORD_BEFORE = re.compile(r"(\S+)$")


def _mark_place(place: Place, lead: int, source: str, rendered: Aligned) -> int:
    """Where in the sentence's translation (the sentence starts at ``lead`` of the paragraph's text)
    an object goes: after the translation of the word before it, or before the translation of the
    word after it when it opens a range."""
    offset = place.offset - lead
    if rendered.text == source:
        return offset
    word = _NEXT_WORD.match(source, offset) if place.opens else _WORD_BEFORE.search(source, 0, offset)
    if word is None:
        return 0 if not place.opens else len(rendered.text)
    found = project(rendered.alignment, word.start(1), word.end(1)) if rendered.alignment is not None else None
    if found is None:
        return 0 if place.opens else len(rendered.text)
    start, end = _whole_words(found, rendered.text)
    return start if place.opens else end


def _cut_at_marks(pieces: list) -> list[tuple[str, int] | Mark]:
    """The pieces with each mark cut in at its output offset."""
    marks = sorted((item for item in pieces if isinstance(item, _MarkAt)), key=lambda mark: mark.at)
    cut: list[tuple[str, int] | Mark] = []
    position = 0
    for text, piece in (item for item in pieces if not isinstance(item, _MarkAt)):
        end, inner = position + len(text), position
        while marks and marks[0].at < end:
            mark = marks.pop(0)
            at = max(mark.at, inner)
            cut += [(text[inner - position:at - position], piece), Mark(mark.index)]
            inner = at
        cut.append((text[inner - position:], piece))
        position = end
    return cut + [Mark(mark.index) for mark in marks]


def _merged(pieces: list[tuple[str, int] | Mark], keys: tuple[Hashable, ...]) -> list[tuple[str, int] | Mark]:
    merged: list[tuple[str, int] | Mark] = []
    for item in pieces:
        if isinstance(item, Mark):
            merged.append(item)
            continue
        text, piece = item
        if not text:
            continue
        if merged and not isinstance(merged[-1], Mark) and keys[merged[-1][1]] == keys[piece]:
            merged[-1] = (merged[-1][0] + text, merged[-1][1])
        else:
            merged.append((text, piece))
    return merged


def sentence_spans(text: str, split: Split) -> list[tuple[int, int]]:
    """(start, end) of each sentence in text; where the splitter changed the text, the rest is one."""
    spans, position = [], 0
    for sentence in split(text):
        found = text.find(sentence, position)
        if found < 0:
            if text[position:].strip():
                rest = text[position:]
                start = position + len(rest) - len(rest.lstrip())
                spans.append((start, start + len(rest.strip())))
            return spans
        stripped = sentence.strip()  # the space around a sentence stays where it was (before a field)
        if stripped:
            start = found + sentence.index(stripped)
            spans.append((start, start + len(stripped)))
        position = found + len(sentence)
    return spans


# How like the span's own translation a run of the sentence's words must be to take its formatting
# (difflib's ratio, case folded): "die Hafenbehörde" / "der Hafenbehörde" is 0.94, a different
# word of the same length far less.
SIMILAR_ENOUGH = 0.75
_WORD = re.compile(r"\S+")
_EDGE_PUNCTUATION = ".,;:!?\"'“”„«»()[]"


def locate(phrase: str, translation: str, at: int = 0) -> tuple[int, int] | None:
    """(start, end) of ``phrase`` in ``translation`` from ``at``: where it is word for word, else the
    run of whole words most like it (one word more or fewer), when it is similar enough."""
    found = translation.find(phrase, at)
    if found >= 0:
        return found, found + len(phrase)
    words = [(match.start(), match.end()) for match in _WORD.finditer(translation, at)]
    size = len(phrase.split())
    wanted = phrase.casefold().strip(_EDGE_PUNCTUATION)
    best, best_score = None, SIMILAR_ENOUGH
    for first in range(len(words)):
        for count in range(max(1, size - 1), size + 2):
            if first + count > len(words):
                break
            start, end = words[first][0], words[first + count - 1][1]
            while end > start and translation[end - 1] in _EDGE_PUNCTUATION:
                end -= 1
            while start < end and translation[start] in _EDGE_PUNCTUATION:
                start += 1
            score = SequenceMatcher(None, wanted, translation[start:end].casefold()).ratio()
            if score > best_score:
                best, best_score = (start, end), score
    return best
