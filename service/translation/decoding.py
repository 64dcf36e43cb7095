"""Decode sentences with one loaded pack: cached ones from the caches, the rest in batches of similar length.

We drive CTranslate2 with Argos's own decoding options, the pack's tokenizer and target
prefix, so the output is what Argos would give for the same sentence.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from .. import metrics
from ..alignment import Alignment, piece_spans
from ..config import Settings
from ..errors import InvalidInput, TimedOut
from .batching import Batcher, LaneCount
from .caches import cache_scope, sentence_cache, shared_cache
from .models import LoadedPack, Tokenizer

# Argos's own decoding options (argostranslate/translate.py), so quality matches it.
ARGOS_LENGTH_PENALTY = 0.2


@dataclass(frozen=True)
class Decoded:
    """One sentence as a pack translated it.

    ``confidence`` is the model's own probability of its output, per piece: the geometric
    mean of the probabilities it gave each output piece and the end of the sentence, i.e.
    exp(total log probability / (pieces + 1)), in 0-1. CTranslate2 returns the total divided
    by (pieces + 1) ** length_penalty (Argos's 0.2); we undo that division.
    """

    text: str
    confidence: float = 1.0
    alternatives: tuple[str, ...] = ()  # the next best translations, best first (only when asked)
    reviewed: bool = False  # an editor's correction from the translation memory, not the model's
    # The model lost a glossary placeholder, so the sentence was translated without the glossary:
    # its terms may be spelled the model's way; an editor should look.
    glossary_skipped: bool = False
    # Which words of ``text`` render which of the source's (only when asked: a document's copy
    # carries its formatting by it); None for an editor's correction.
    alignment: Alignment | None = field(default=None, compare=False)

    def as_cached(self) -> dict:
        return {"text": self.text, "confidence": self.confidence}


def translate_with_pack(texts: list[str], loaded: LoadedPack, settings: Settings,
                        deadline: float | None = None) -> list[str]:
    """Translate ``texts`` with one pack; the translations only (see decode_with_pack)."""
    return [decoded.text for decoded in decode_with_pack(texts, loaded, settings, deadline)]


def decode_with_pack(texts: list[str], loaded: LoadedPack, settings: Settings, deadline: float | None = None, *,
                     alternatives: int = 0, aligned: bool = False) -> list[Decoded]:
    """Translate ``texts`` with one pack: cached sentences from the caches, the rest in one batch.

    With ``alternatives``, each sentence also gets that many next-best translations, decoded
    afresh (the caches keep the best translation only). With ``aligned``, its alignment to its
    source (the model's attention): a sentence decoded with one keeps it in this worker's cache,
    so a document's copy made after its article finds it; one cached without is decoded again,
    and the shared cache, which holds text only, is not asked.
    """
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidInput(f"sentence {index} is a {type(text).__name__}, not text")
    if alternatives:
        fresh = _translate_batch(list(dict.fromkeys(texts)), loaded, settings, deadline, alternatives=alternatives,
                                 aligned=aligned)
        return [fresh[text] for text in texts]
    cache = sentence_cache(settings)
    scope = cache_scope(loaded, settings)
    wanted = [text for text in texts if text.strip()]
    known = dict(zip(wanted, cache.get_many(scope, wanted))) if cache.capacity > 0 else {}
    if aligned:
        known = {text: found for text, found in known.items() if found is not None and found.alignment is not None}
    shared, shared_scope = shared_cache(settings), cache_scope(loaded, settings, shared=True)
    if shared is not None and not aligned:
        asked = list(dict.fromkeys(text for text in wanted if known.get(text) is None))
        found = [(text, Decoded(**value)) for text, value in zip(asked, shared.get_many(shared_scope, asked))
                 if value is not None]
        known.update(found)
        cache.put_many(scope, found)
    new = list(dict.fromkeys(text for text in texts if known.get(text) is None))
    metrics.count_cache(hits=sum(1 for text in wanted if known.get(text) is not None),
                        misses=sum(1 for text in wanted if known.get(text) is None))
    fresh = _translate_batch(new, loaded, settings, deadline, aligned=aligned) if new else {}
    worth_keeping = [(text, decoded) for text, decoded in fresh.items() if text.strip()]
    cache.put_many(scope, worth_keeping)
    if shared is not None:
        shared.put_many(shared_scope, [(text, decoded.as_cached()) for text, decoded in worth_keeping])
    return [known.get(text) if known.get(text) is not None else fresh[text] for text in texts]


def _translate_batch(texts: list[str], loaded: LoadedPack, settings: Settings, deadline: float | None, *,
                     alternatives: int = 0, aligned: bool = False) -> dict[str, Decoded]:
    """Translate all ``texts`` (distinct) with one pack, in batches of similar length."""
    parts, owners = _split_into_parts(texts, loaded.tokenizer, settings.max_input_tokens)
    ranked = 1 + alternatives
    outputs = [[""] * ranked for _ in texts]
    log_probability, pieces = [0.0] * len(texts), [0] * len(texts)
    alignments = [_AlignmentBuilder() for _ in texts] if aligned else []
    previous: list[str] = []
    decoded = _decode_in_batches(parts, loaded, settings, deadline, ranked, aligned=aligned)
    for owner, part, hypotheses in zip(owners, parts, decoded):
        # A part cut mid-word (a word longer than the limit) continues without a space.
        joint = "" if not outputs[owner][0] or _continues_word(previous, part) else " "
        for rank in range(ranked):
            hypothesis = hypotheses[min(rank, len(hypotheses) - 1)]  # fewer than asked: repeat the last
            written = _written_pieces(hypothesis.pieces, len(part), loaded, settings)
            text = loaded.tokenizer.decode(written).strip()
            if rank == 0 and aligned:
                prefixed = bool(loaded.pack.target_prefix) and hypothesis.pieces[:1] == [loaded.pack.target_prefix]
                alignments[owner].add(part, written, text, hypothesis.attention, at=len(outputs[owner][0] + joint),
                                      prefixed=prefixed)
            outputs[owner][rank] += joint + text
        log_probability[owner] += hypotheses[0].log_probability
        pieces[owner] += hypotheses[0].length
        previous = part
    metrics.count_decoded(source=loaded.pack.from_code, target=loaded.pack.to_code, sentences=len(texts))
    return {text: Decoded(text=ranks[0], confidence=_confidence(log_probability[index], pieces[index]),
                          alternatives=tuple(alt for alt in dict.fromkeys(ranks[1:]) if alt != ranks[0]),
                          alignment=alignments[index].built(text) if aligned else None)
            for index, (text, ranks) in enumerate(zip(texts, outputs))}


class _AlignmentBuilder:
    """One sentence's alignment, gathered part by part (a long sentence is decoded in parts)."""

    def __init__(self):
        self.source: list[str] = []
        self.target: list[tuple[int, int]] = []
        self.rows: list[tuple[int, list[float]]] = []  # (first source piece of its part, attention)

    def add(self, part: list[str], written: list[str], text: str, attention, *, at: int, prefixed: bool) -> None:
        offset = len(self.source)
        self.source += part
        self.target += [(start + at, end + at) for start, end in piece_spans(text, written)]
        # The rows of the pieces written: past the target prefix, before the decoding cap.
        rows = list(attention or [])[int(prefixed):][: len(written)]
        rows += [[]] * (len(written) - len(rows))
        self.rows += [(offset, list(row[: len(part)])) for row in rows]

    def built(self, text: str) -> Alignment:
        weights = [[0.0] * offset + row + [0.0] * (len(self.source) - offset - len(row)) for offset, row in self.rows]
        return Alignment.of(source=piece_spans(text, self.source), target=self.target, weights=weights)


def _confidence(log_probability: float, length: int) -> float:
    return round(math.exp(log_probability / length), 4) if length else 1.0


def _continues_word(previous: list[str], part: list[str]) -> bool:
    """True when ``part`` starts inside a word that ``previous`` began."""
    if previous and previous[-1].endswith("@@"):  # BPE marks a word that goes on
        return True
    return any(piece.startswith("\u2581") for piece in previous) and not part[0].startswith("\u2581")


def _split_into_parts(texts: list[str], tokenizer: Tokenizer, limit: int) -> tuple[list[list[str]], list[int]]:
    """Tokenize; cut sentences longer than ``limit`` pieces into parts (nothing is dropped)."""
    parts, owners = [], []
    for index, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidInput(f"sentence {index} is a {type(text).__name__}, not text")
        for part in _cut(tokenizer.encode(text) if text.strip() else [], max(limit, 1)):
            parts.append(part)
            owners.append(index)
    return parts, owners


def _cut(pieces: list[str], limit: int) -> list[list[str]]:
    """Cut pieces into runs of at most ``limit``, at a word start where there is one."""
    runs = []
    while len(pieces) > limit:
        # SentencePiece marks a word start with U+2581; cutting there keeps words whole.
        cut = next((i for i in range(limit, 0, -1) if pieces[i].startswith("\u2581")), limit)
        runs.append(pieces[:cut])
        pieces = pieces[cut:]
    return runs + [pieces] if pieces else runs


def _decoding_cap(length: int, settings: Settings) -> int:
    return math.ceil(settings.decoding_ratio * length) + settings.decoding_extra


@dataclass(frozen=True)
class _Hypothesis:
    pieces: list[str]
    log_probability: float  # of its pieces and the end of the sentence
    length: int  # pieces + 1 (the end), what CTranslate2 normalises by
    attention: list[list[float]] | None = None  # per piece, over the source pieces (when asked)


def _decode_in_batches(parts: list[list[str]], loaded: LoadedPack, settings: Settings,
                       deadline: float | None, ranked: int = 1, *, aligned: bool = False) -> list[list[_Hypothesis]]:
    """Decode in batches of max_batch_size parts, shortest first, checking the deadline before each.

    CTranslate2 would sort and split the same way inside one call; doing it here lets a
    request stop between batches when its time is up, and gives each batch the decoding
    cap of its own longest part.
    """
    order = sorted(range(len(parts)), key=lambda i: len(parts[i]))
    size = max(len(parts), 1) if settings.max_batch_size is None else settings.max_batch_size
    hypotheses: list[list[_Hypothesis]] = [[] for _ in parts]
    for start in range(0, len(order), size):
        if deadline is not None and time.monotonic() > deadline:
            raise TimedOut.past(settings.request_timeout)
        batch = order[start : start + size]
        decoded = _batcher(loaded, settings, ranked, aligned).decode(
            [parts[i] for i in batch], deadline=deadline, timed_out=lambda: TimedOut.past(settings.request_timeout))
        for index, found in zip(batch, decoded):
            hypotheses[index] = found
    return hypotheses


# Lanes busy in this process, over every pack: an article into three languages keeps the cores
# busy with three batches, and dealing each over idle lanes as well would only shrink them.
_BUSY_LANES = LaneCount()


def _batcher(loaded: LoadedPack, settings: Settings, ranked: int, aligned: bool) -> Batcher:
    """The pack's batcher for these options: requests decoded with the same ones share batches
    (with shared_batches off, each request has batches of its own); a batch that finds the pack's
    other replicas idle is dealt over them."""
    key = (ranked, aligned, settings)
    batcher = loaded.batchers.get(key)
    if batcher is None:
        made = Batcher(lambda groups: _decode_groups(groups, loaded, settings, ranked, aligned),
                       max_parts=settings.max_batch_size, wait=settings.batch_wait, lanes=settings.inter_threads,
                       shared=settings.shared_batches, busy=_BUSY_LANES, on_batch=metrics.count_batch)
        batcher = loaded.batchers.setdefault(key, made)  # two threads at once: both use the first one stored
    return batcher


def _decode_groups(groups: list[list[list[str]]], loaded: LoadedPack, settings: Settings, ranked: int,
                   aligned: bool) -> list[list[list[_Hypothesis]]]:
    """Decode each group as a CTranslate2 batch of its own, all at once: posted asynchronously,
    the translator's replicas (inter_threads) take one each, with no thread of ours per group
    (https://opennmt.net/CTranslate2/parallel.html: "calling methods multiple times with
    asynchronous=True")."""
    posted = [loaded.translator.translate_batch(group, asynchronous=True,
                                                **_batch_options(group, loaded, settings, ranked, aligned))
              for group in groups]
    return [[_hypotheses(waiting.result(), aligned) for waiting in results] for results in posted]


def _batch_options(parts: list[list[str]], loaded: LoadedPack, settings: Settings, ranked: int,
                   aligned: bool) -> dict[str, Any]:
    prefix = loaded.pack.target_prefix
    options: dict[str, Any] = dict(
        beam_size=max(settings.beam_size, ranked),  # N hypotheses need a beam of at least N
        num_hypotheses=ranked,
        max_batch_size=len(parts),  # the batch is already cut to size above
        batch_type="examples",
        # The cap is per batch, from its longest part; _written_pieces caps each sentence.
        max_decoding_length=_decoding_cap(max(map(len, parts)), settings),
        length_penalty=ARGOS_LENGTH_PENALTY,
        replace_unknowns=True,
        return_scores=True,
        return_attention=aligned,
    )
    if prefix:
        options["target_prefix"] = [[prefix]] * len(parts)
    return options


def _hypotheses(result, aligned: bool) -> list[_Hypothesis]:
    """One part's ctranslate2.TranslationResult as its hypotheses, best first."""
    attention = result.attention if aligned else [None] * len(result.hypotheses)
    return [_Hypothesis(pieces=pieces, log_probability=score * (len(pieces) + 1) ** ARGOS_LENGTH_PENALTY,
                        length=len(pieces) + 1, attention=weights)
            for pieces, score, weights in zip(result.hypotheses, result.scores, attention)]


def _written_pieces(hypothesis: list[str], input_length: int, loaded: LoadedPack, settings: Settings) -> list[str]:
    """The pieces of the translation: without the target prefix, within the decoding cap."""
    prefix = loaded.pack.target_prefix
    if prefix and hypothesis[:1] == [prefix]:
        hypothesis = hypothesis[1:]
    return hypothesis[: _decoding_cap(input_length, settings)]
