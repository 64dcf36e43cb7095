"""A PDF line of Arabic or Hebrew in the order a person reads it.

A PDF draws glyphs; what text they stand for, and in what order, is the writer's choice. Many
writers (Word's PDF export with a CID font among them) shape Arabic themselves and draw it left
to right as it looks: pdfminer then reads "ﺔﻴﺑﺮﻌﻟا" (presentation forms, last letter first)
where poppler's ``pdftotext`` gives "العربية" (issue 32). Others draw it in reading order,
right to left, and pdfminer's text is right already.

Which one a line is shows in the glyphs' places, whatever the writer: in reading order each
right-to-left letter stands left of the one before it. A line whose letters step rightwards is
in visual order and is turned around, its runs of left-to-right text (numbers, Latin words)
kept as they were drawn, and brackets mirrored (a visual "(" closes a right-to-left
parenthesis). Presentation forms are then folded back to letters (NFKC, on those only, so
that the rest of the line, "²" or "ﬁ", stays as pdfminer gave it).
"""

from __future__ import annotations

import re
import unicodedata

# Hebrew, Arabic, Syriac, Thaana, N'Ko... and the presentation forms of Hebrew and Arabic.
_RIGHT_TO_LEFT = "\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc"
_RIGHT_TO_LEFT_LETTER = re.compile(f"[{_RIGHT_TO_LEFT}]")
_PRESENTATION_FORMS = re.compile("[\ufb1d-\ufdff\ufe70-\ufefc]+")
# A stretch of left-to-right text inside a reversed line: words with no right-to-left letter and
# the spaces between them ("2024", "PDF file").
_LEFT_TO_RIGHT_RUN = re.compile(f"[^\\s{_RIGHT_TO_LEFT}]+(?:\\s+[^\\s{_RIGHT_TO_LEFT}]+)*")
_AROUND = set("()[]{}<>«»\"'“”.,;:!?،؛؟")
_MIRRORED = str.maketrans("()[]{}<>«»", ")(][}{><»«")


def in_reading_order(chars: list[tuple[str, float]]) -> str:
    """The line's text from its characters as (text, x0) in the order pdfminer gives them
    (spaces it inferred with the x0 of the character before)."""
    text = "".join(char for char, _x in chars)
    if not _RIGHT_TO_LEFT_LETTER.search(text):
        return text
    places = [x for char, x in chars if _RIGHT_TO_LEFT_LETTER.fullmatch(char)]
    rightwards = sum(1 for first, second in zip(places, places[1:]) if second > first)
    leftwards = sum(1 for first, second in zip(places, places[1:]) if second < first)
    if rightwards > leftwards:
        text = _reversed(text)
    return _PRESENTATION_FORMS.sub(lambda forms: unicodedata.normalize("NFKC", forms[0]), text)


def _reversed(visual: str) -> str:
    """A line drawn left to right as it looks, in reading order: right-to-left text reversed
    (its brackets mirrored), left-to-right runs inside it kept."""
    turned = visual[::-1]
    pieces, position = [], 0
    for run in _LEFT_TO_RIGHT_RUN.finditer(turned):
        if not any(char.isalnum() for char in run[0]):
            continue  # punctuation alone ("." at a sentence's end) belongs to the right-to-left text
        kept = [index for index, char in enumerate(run[0]) if char not in _AROUND]
        start, end = run.start() + kept[0], run.start() + kept[-1] + 1  # so do brackets and stops around it
        pieces += [turned[position:start].translate(_MIRRORED), turned[start:end][::-1]]
        position = end
    pieces.append(turned[position:].translate(_MIRRORED))
    return "".join(pieces)
