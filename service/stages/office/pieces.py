"""A paragraph as formatted pieces, translated sentence by sentence with its formatting put back.

Word's runs and OpenDocument's spans are the same idea: a paragraph's text cut into pieces,
each with its formatting. ``Formatted`` holds the text, which piece each character is in and
a key per piece (equal keys: equal formatting), and turns translations of its sentences into
new pieces. Both word.py and opendocument.py write those pieces back in their own markup.

The rule, the same for both: a translated sentence takes the formatting most of its letters
had (a bold lead sentence stays bold; a sentence that opens with a bold name stays plain if
the name cannot be found again, rather than turning bold whole). A shorter span formatted
apart inside it is translated on its own and keeps its formatting where that translation
is found in the sentence's translation: word for word, or as the run of words most like it
(a model inflects and reorders: "die Hafenbehörde" alone, "der Hafenbehörde" in the sentence;
issue 32 found 14 of 33 spans kept on real documents when only exact matches counted).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from difflib import SequenceMatcher

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

    def translated(self, translations: dict[str, str], *,
                   essential: Callable[[int], bool] = lambda piece: False) -> list[tuple[str, int]]:
        """The translated paragraph as (text, piece whose formatting it takes), neighbours of one
        formatting merged; the space between sentences goes with the one before (not into a link).

        ``essential``: pieces whose formatting must not vanish (a link and its address): when such
        a span cannot be found in its sentence's translation, the sentence's own text takes it
        (the spans that were found keep theirs)."""
        pieces: list[tuple[str, int]] = []
        position, previous = 0, None
        for start, end in self.sentences:
            base = self._base(start, end)
            if start > position:
                pieces.append((self.text[position:start], base if previous is None else previous))
            previous = base
            source = self.text[start:end].strip()
            translation, at, placed = translations.get(source, source), 0, []
            lost = None
            for a, b, piece in self._spans(start, end):
                phrase = translations.get(self.text[a:b].strip())
                found = locate(phrase, translation, at) if phrase else None
                if found is not None:
                    placed += [(translation[at:found[0]], base), (translation[found[0]:found[1]], piece)]
                    at = found[1]
                elif essential(piece) and lost is None:
                    lost = piece
            if lost is not None:  # the sentence's own text takes the lost link; spans found keep theirs
                placed = [(text, lost if piece == base else piece) for text, piece in placed]
            pieces += [*placed, (translation[at:], base if lost is None else lost)]
            position = end
        if position < len(self.text):
            pieces.append((self.text[position:], self.owner[-1]))
        merged: list[tuple[str, int]] = []
        for text, piece in pieces:
            if not text:
                continue
            if merged and self.keys[merged[-1][1]] == self.keys[piece]:
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
