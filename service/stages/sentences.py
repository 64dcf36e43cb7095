"""Split text into sentences, offline, for en, de, ru, ar (and the other pySBD languages).

pySBD is rule-based and needs no downloaded data (nltk's Punkt needs ``punkt_tab``,
which cannot be fetched here); ``service.sentence_rules`` holds its per-language fixes.
On top of pySBD (issue 13):

- a line break always ends a sentence: a paragraph or a heading never shares one with
  the next line;
- URLs, e-mail addresses and abbreviations pySBD misses are never cut;
- no sentence is without a letter or a digit: a lone quote, bracket or dash joins the
  sentence it belongs to (a closing quote the one before, an opening one the next);
- a closing quote after a sentence end stays with that sentence, whichever quote mark
  opened it (“…", „…“, «…», "…");
- a piece that starts in lower case, or with a comma, continues the sentence before
  ("Are you coming?" she asked), so a quotation without a sentence end inside is never cut;
- a dash that resumes a speaker's words and closes their open «…» continues it too.

bench/sentences_cv.py measures it on running news text (5-fold, de/ru/ar).
"""

from __future__ import annotations

import functools
import re
import threading

from .sentence_rules import KEEP_WHOLE, KEEP_WHOLE_DEFAULT

# pySBD's own languages; anything else is split with the English rules.
PYSBD_LANGUAGES = {
    "am", "ar", "bg", "da", "de", "el", "en", "es", "fa", "fr", "hi", "hy", "it", "ja",
    "kk", "mr", "my", "nl", "pl", "ru", "sk", "ur", "zh",
}
_LINE_BREAK = re.compile(r"\s*\n\s*")
# pySBD's regex passes slow down badly on very long runs without a full stop;
# nothing a news writer types is this long, so cut there (after a sentence end when
# there is one, else on a space).
_MAX_PARAGRAPH = 20_000
_segmenter_lock = threading.Lock()
# where to cut an over-long line: a sentence end (not "am 3. März"), its closing marks, a space
_LIKELY_END = re.compile(r"(?<!\d)[.!?؟…][\"'»«“”)\]]*\s")
# A span kept whole stands in pySBD's input as this word plus its number; a text that
# already holds the word gets a longer one, so its own letters are never taken for it.
_PLACEHOLDER = "xqzkeep"

# Marks that open a quotation or a bracket, and those that close one. Straight quotes and
# German/English curly quotes do both; where they stand decides.
_OPENERS = "\"'«»„“‚‘‹›([{"
_CLOSERS = "\"'»«“”‘’›‹)]}"
# a run of closing marks at the start of a piece, before a space or the end
_LEADING_CLOSERS = re.compile(r"[{}]+(?=[\s,;:.!?…)\]–—-]|$)".format(re.escape(_CLOSERS)))
# "a. The first item": a list item starts in lower case and still starts a sentence
_LIST_ITEM = re.compile(r"[^\W\d_][.)]\s")


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
    sentences = []
    for chunk in _chunks(line, _MAX_PARAGRAPH):
        spans = _join_fragments(chunk, _locate(chunk, _segment(chunk, lang)))
        sentences += [chunk[start:end].strip() for start, end in spans]
    return sentences


def _segment(text: str, lang: str) -> list[str]:
    """Return pySBD's pieces of ``text``, with URLs and abbreviations kept whole."""
    kept: list[str] = []
    placeholder = _PLACEHOLDER
    while placeholder in text:
        placeholder += "q"

    def hide(match: re.Match) -> str:
        kept.append(match.group())
        return f"{placeholder}{len(kept) - 1}x"

    hidden = KEEP_WHOLE.get(lang, KEEP_WHOLE_DEFAULT).sub(hide, text)
    with _segmenter_lock:  # pySBD segmenters keep per-call state on the instance
        # the processor's sentences, without Segmenter.segment's own mapping back onto the
        # text (quadratic in the text's length); _locate does that mapping here
        pieces = [piece.strip() for piece in _segmenter(lang).processor(hidden).process() if piece.strip()]
    if kept:
        restore = re.compile(rf"{placeholder}(\d+)x")
        pieces = [restore.sub(lambda m: kept[int(m.group(1))], piece) for piece in pieces]
    return pieces


def _locate(line: str, pieces: list[str]) -> list[list[int]]:
    """Return [start, end] of each piece in ``line``, together covering all of it.

    pySBD drops characters now and then (":.??" comes back as ":."); a piece's span runs
    up to the next piece, so what it dropped stays with the sentence before.
    """
    starts, position = [], 0
    for piece in pieces:
        start = line.find(piece, position)
        if start >= 0:  # a piece pySBD rewrote is covered by the one before
            starts.append(start)
            position = start + len(piece)
    starts = [0] + starts[1:] if starts else [0]
    return [[start, end] for start, end in zip(starts, starts[1:] + [len(line)])]


def _join_fragments(line: str, spans: list[list[int]]) -> list[list[int]]:
    """Join the pieces that are not sentences on their own to the sentence they belong to."""
    joined: list[list[int]] = []
    waiting = None  # where lone opening marks begin, waiting for their sentence
    for start, end in spans:
        if not _has_word(line[start:end]):
            if waiting is None and joined and not _opens_next(line, start, end):
                joined[-1][1] = end  # a closing quote or bracket, a dash, a full stop
            elif waiting is None:
                waiting = start
            continue
        if waiting is not None:
            start, waiting = waiting, None
        elif joined:
            start = _give_back_closers(joined[-1], line, start)
            if _continues(line, start) or _dialogue_goes_on(line[joined[-1][0]:start], line[start:end]):
                joined[-1][1] = end
                continue
        joined.append([start, end])
    if waiting is not None:  # marks after the last sentence, or a line of marks only
        if joined:
            joined[-1][1] = spans[-1][1]
        else:
            joined.append([waiting, spans[-1][1]])
    return joined


def _opens_next(line: str, start: int, end: int) -> bool:
    """Say whether a wordless piece is only opening marks glued to the next word."""
    piece = line[start:end]
    return end < len(line) and piece == piece.rstrip() and all(char in _OPENERS for char in piece)


def _give_back_closers(previous: list[int], line: str, start: int) -> int:
    """Move closing quotes at the start of a piece to the sentence before; return the new start."""
    closers = _LEADING_CLOSERS.match(line, start)
    if not closers:
        return start
    previous[1] = closers.end()
    return len(line) - len(line[closers.end():].lstrip())


def _continues(line: str, start: int) -> bool:
    """Say whether the piece at ``start`` goes on with the sentence before it."""
    if start > 0 and not line[start - 1].isspace() and not line[start].isalpha() and line[start] not in _OPENERS:
        return True  # glued: "Dr.-Stammberger-Halle"
    head = line[start:start + 40].lstrip("-–— ")
    if _LIST_ITEM.match(head):
        return False
    return bool(head) and (head[0] in ",;:" or head[0].islower())


def _dialogue_goes_on(before: str, piece: str) -> bool:
    """A speaker's words resume after the narrator's: «К чему ты готовишься? – спросила мама. – Завтра ведь выходной».

    The guillemet opened before is still open and the piece starts with a dash and closes it
    (issue 27; Pragmatic Segmenter's Russian cases): one quotation, one sentence.
    """
    return (before.count("«") > before.count("»") and piece.lstrip().startswith(("–", "—"))
            and piece.count("»") > piece.count("«"))


def _has_word(text: str) -> bool:
    return any(char.isalnum() for char in text)


def _chunks(text: str, size: int) -> list[str]:
    """Cut ``text`` into pieces of at most ``size``: after a sentence end when there is one."""
    chunks = []
    while len(text) > size:
        ends = [match.end() for match in _LIKELY_END.finditer(text, size // 2, size)]
        cut = ends[-1] if ends else text.rfind(" ", 0, size)
        cut = cut if cut > 0 else size
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return chunks + [text] if text else chunks


@functools.lru_cache(maxsize=None)
def _segmenter(lang: str):
    import pysbd  # imports its language rules: load on first use

    from .sentence_rules import pysbd_language

    segmenter = pysbd.Segmenter(language=lang if lang in PYSBD_LANGUAGES else "en", clean=False)
    segmenter.language_module = pysbd_language(lang if lang in PYSBD_LANGUAGES else "en")
    return segmenter
