"""Split text into sentences, offline, for en, de, ru, ar (and the other pySBD languages).

pySBD is rule-based and needs no downloaded data (nltk's Punkt needs ``punkt_tab``,
which cannot be fetched here). Measured with ../shared/evaldata/sbd_eval.py it passes
47/48 English Golden Rules, 3/4 German, 3/3 Russian, 4/5 Arabic (bench/quality_bench.py).

Line breaks are always boundaries: a paragraph or a heading never shares a sentence
with the next line.
"""

from __future__ import annotations

import functools
import re
import threading

# pySBD's own languages; anything else is split with the English rules.
PYSBD_LANGUAGES = {
    "am", "ar", "bg", "da", "de", "el", "en", "es", "fa", "fr", "hi", "hy", "it", "ja",
    "kk", "mr", "my", "nl", "pl", "ru", "sk", "ur", "zh",
}
_LINE_BREAK = re.compile(r"\s*\n\s*")
# pySBD's regex passes slow down badly on very long runs without a full stop;
# nothing a news writer types is this long, so cut there (on a space when possible).
_MAX_PARAGRAPH = 20_000
_segmenter_lock = threading.Lock()

# Spans pySBD would cut but a reader never ends a sentence in: URLs and e-mail addresses
# ("?", "." inside them), and abbreviations its rules miss. Each is swapped for a
# placeholder word while segmenting, then put back.
_URL = r"(?:https?://|www\.)[^\s<>\"«»“”]+[^\s<>\"«»“”.,;:!?)\]]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_KEEP_WHOLE = {
    "ru": re.compile(_URL + r"|\bт\.\s?[екн]\.", re.IGNORECASE),
    "de": re.compile(_URL + r"|\b(?:z\.\s?B|d\.\s?h|u\.\s?a|o\.\s?ä|s\.\s?o|v\.\s?a)\.(?=\s+\w)"),
}
_URL_ONLY = re.compile(_URL)
_PLACEHOLDER = "xqzkeep{}x"


def split_sentences(text: str, lang: str = "en") -> list[str]:
    """Return the sentences of ``text`` in order, each stripped, none empty."""
    sentences: list[str] = []
    for line in _LINE_BREAK.split(text):
        if line.strip():
            sentences += _split_line(line.strip(), lang)
    return sentences


def split_paragraph_sentences(paragraphs: list[str], lang: str = "en") -> list[list[str]]:
    """Split each paragraph on its own: one list of sentences per paragraph."""
    return [split_sentences(paragraph, lang) for paragraph in paragraphs]


def _split_line(line: str, lang: str) -> list[str]:
    kept: list[str] = []

    def hide(match: re.Match) -> str:
        kept.append(match.group())
        return _PLACEHOLDER.format(len(kept) - 1)

    hidden = _KEEP_WHOLE.get(lang, _URL_ONLY).sub(hide, line)
    sentences = []
    for chunk in _chunks(hidden, _MAX_PARAGRAPH):
        with _segmenter_lock:  # pySBD segmenters keep per-call state on the instance
            pieces = _segmenter(lang if lang in PYSBD_LANGUAGES else "en").segment(chunk)
        sentences += [piece.strip() for piece in pieces if piece.strip()]
    if kept:
        restore = re.compile(r"xqzkeep(\d+)x")
        sentences = [restore.sub(lambda m: kept[int(m.group(1))], sentence) for sentence in sentences]
    return sentences


def _chunks(text: str, size: int) -> list[str]:
    chunks = []
    while len(text) > size:
        cut = text.rfind(" ", 0, size)
        cut = cut if cut > 0 else size
        chunks.append(text[:cut])
        text = text[cut:].lstrip()
    return chunks + [text] if text else chunks


@functools.lru_cache(maxsize=None)
def _segmenter(lang: str):
    import pysbd  # imports its language rules: load on first use

    return pysbd.Segmenter(language=lang, clean=False)
