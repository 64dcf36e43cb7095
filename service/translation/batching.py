"""Decode sentences of concurrent requests together: one CTranslate2 batch for all of them.

LibreTranslate's clients send one short text per request, many at once. Decoded one request
at a time, each is a batch of one, and CTranslate2 does a batch of 16 nearly as fast as a
batch of one. So each loaded pack has a ``Batcher`` per set of decoding options: a request
hands it its parts and waits; while the pack is busy with a batch, the parts that arrive
queue up, and the next batch takes them all (up to ``max_parts``). No thread of its own: the
first waiting request whose pack is idle decodes the batch for everybody in it.

A pack loaded with NEWSDESK_INTER_THREADS=N holds N replicas that decode at once, so the
batcher runs up to ``lanes`` = N batches at a time: while one is decoding, the next gathers
the requests that come in, and starts as soon as it has them. The turnaround of a batch
(answers out, the clients' next requests in) then overlaps another batch's decoding instead
of leaving its core idle.

Clients that send again as soon as they are answered would split into two half batches
that take turns (one decoding while the other comes back), so a batch waits at most
``wait`` seconds (NEWSDESK_BATCH_WAIT) for its share of the load: the parts in the batcher
when the last batch ended (that batch's, the other lanes' and the waiting ones) over the
lanes. Counting only the batch that ended let 16 one-sentence clients on two lanes settle
into a batch of 1 beside one of 15 (50 of 89 batches were of one; 20.9 sentences/s where two
batches of 8 do about 27). A lone request is never held back: its share is its own part.
Each request keeps its own deadline: past it, it stops waiting (TimedOut) and its parts
are taken out of the queue, or their results dropped when they come.

A lone request's batch is dealt over the lanes that are idle (issue 33): an article's 19
segments as one batch kept one replica, so one core of two, busy; dealt in two groups of
similar length (``deal_by_length``) that the replicas decode at once, it takes about 0.6x the
time on 2 cores (bench/scale_bench.py). Such a batch holds as many lanes as it has groups until it ends, so the requests
that come meanwhile gather into the next batch as before; a batch of several requests is not
dealt (see ``_lanes_for``). The lanes idle are counted over the whole process
(``LaneCount``): every pack's replicas run on the same cores, and an article translated into
three languages at once keeps them busy with three batches. With ``shared=False``
(NEWSDESK_SHARED_BATCHES=0) each batch is one request's parts, dealt the same way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class _Ticket:
    """One request's parts, waiting for a batch."""

    parts: list[list[str]]
    arrived: float = field(default_factory=time.monotonic)
    taken: bool = False  # in a batch being decoded (by whichever caller runs it)
    finished: bool = False
    results: list[Any] | None = None
    error: BaseException | None = None


@dataclass(frozen=True)
class BatchReport:
    """What one decoded batch held, for the metrics."""

    requests: int
    parts: int
    waited: float  # seconds the longest-waiting request waited before the batch began


class LaneCount:
    """The lanes (replicas decoding a batch) busy in this process, over every pack's batchers:
    their replicas share the cores, so a batch is dealt only over lanes that no pack is using."""

    def __init__(self):
        self._lock = threading.Lock()
        self._busy = 0

    def take(self, wanted: int, *, of: int) -> int:
        """Up to ``wanted`` lanes of ``of``, at least one (a batch always runs); counted busy until given back."""
        with self._lock:
            granted = max(1, min(wanted, of - self._busy))
            self._busy += granted
            return granted

    def give(self, lanes: int) -> None:
        with self._lock:
            self._busy -= lanes


class Batcher:
    """Collect parts from concurrent callers and decode them in shared batches."""

    def __init__(self, decode: Callable[[list[list[list[str]]]], list[list[Any]]], *, max_parts: int | None,
                 wait: float, lanes: int = 1, shared: bool = True, busy: LaneCount | None = None,
                 on_batch: Callable[[BatchReport], None] | None = None):
        # Groups of parts -> for each group one result per part, in order; the groups are
        # decoded at once, one on each lane (the translator's replicas).
        self._decode = decode
        self._max_parts = max_parts
        self._wait = wait
        self._lanes = max(1, lanes)  # batches decoded at once: the model's replicas (inter_threads)
        self._shared = shared  # False: a batch is one request's parts
        self._busy = busy or LaneCount()  # shared with the other packs' batchers (decoding.py)
        self._on_batch = on_batch
        self._condition = threading.Condition()
        self._pending: list[_Ticket] = []
        self._running = 0  # lanes busy: batches being gathered or decoded, a dealt one on each of its lanes
        self._decoding = 0  # parts in the batches being decoded, on every lane
        # A lane's share of the parts in the batcher when the last batch ended: the requests of
        # clients that send again as soon as they are answered come back about this many, so a
        # batch waits (at most ``wait``) for them instead of splitting them into uneven batches.
        self._expected = 0

    def decode(self, parts: list[list[str]], *, deadline: float | None, timed_out: Callable[[], BaseException]) -> list[Any]:
        """The results for ``parts``, decoded with whatever else is waiting; ``timed_out()`` is
        raised when ``deadline`` (time.monotonic()) passes first."""
        if not parts:
            return []
        ticket = _Ticket(parts)
        with self._condition:
            self._pending.append(ticket)
            self._condition.notify_all()  # a batch gathering company sees this one
        while True:
            with self._condition:
                while not ticket.finished and (ticket.taken or self._running >= self._lanes):
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        self._withdraw(ticket)
                        raise timed_out()
                    self._condition.wait(timeout=remaining)
                if ticket.finished:
                    break
                self._running += 1  # this caller decodes the next batch, its own parts among them
                batch = self._gather(ticket, deadline)
                if not batch:  # while it gathered, another lane's batch took every ticket, its own too
                    self._running -= 1
                    self._condition.notify_all()
                    continue
                lanes = self._lanes_for(batch)
                self._running += lanes - 1  # the idle lanes it is dealt over are busy until it ends
                self._decoding += sum(len(ticket.parts) for ticket in batch)
            self._run(batch, lanes)
        if ticket.error is not None:
            raise ticket.error
        return ticket.results

    def _withdraw(self, ticket: _Ticket) -> None:
        if ticket in self._pending:
            self._pending.remove(ticket)
        # Taken into a batch already: its results are dropped when they come (nobody reads them).

    def _gather(self, own: _Ticket, deadline: float | None) -> list[_Ticket]:
        """Take the waiting tickets for one batch (called holding the lock, as the decoder, by
        the caller of ``own``, which is waiting)."""
        if not self._shared:  # its own only: taking another's would leave its own to wait for it
            self._pending.remove(own)
            own.taken = True
            return [own]
        if self._wait > 0:
            until = time.monotonic() + self._wait
            if deadline is not None:
                until = min(until, deadline)
            enough = min(max(self._expected, 1), self._max_parts or float("inf"))
            while self._parts_waiting() < enough and time.monotonic() < until:
                self._condition.wait(timeout=until - time.monotonic())
        batch, count = [], 0
        for ticket in list(self._pending):
            if batch and self._max_parts is not None and count + len(ticket.parts) > self._max_parts:
                break
            batch.append(ticket)
            count += len(ticket.parts)
            self._pending.remove(ticket)
            ticket.taken = True
        return batch

    def _parts_waiting(self) -> int:
        return sum(len(ticket.parts) for ticket in self._pending)

    def _lanes_for(self, batch: list[_Ticket]) -> int:
        """The lanes a batch is dealt over (called holding the lock, its own lane counted in
        _running): a lone request's batch takes every idle lane; a batch of several requests, or
        one that leaves requests waiting, keeps to its own, so the next batch gathers while it
        decodes. Dealing those too cost 16 one-sentence clients about a fifth of their rate
        (median 12.4 against 15.8 sentences/s, five alternated rounds on 2 shared cores): the
        halves end together, so every client comes back at once while both cores wait."""
        wanted = 1 if len(batch) > 1 or self._pending else min(self._lanes - self._running + 1, len(batch[0].parts))
        return self._busy.take(wanted, of=self._lanes)

    def _run(self, batch: list[_Ticket], lanes: int) -> None:
        started = time.monotonic()
        try:
            results = self._decode_dealt([part for ticket in batch for part in ticket.parts], lanes)
        except BaseException as error:  # every request in the batch learns why
            for ticket in batch:
                ticket.error = error
        else:
            at = 0
            for ticket in batch:
                ticket.results = results[at:at + len(ticket.parts)]
                at += len(ticket.parts)
        finally:
            with self._condition:
                for ticket in batch:
                    ticket.finished = True
                self._expected = (self._decoding + self._parts_waiting()) // self._lanes
                self._decoding -= sum(len(ticket.parts) for ticket in batch)
                self._running -= lanes
                self._busy.give(lanes)
                self._condition.notify_all()
        if self._on_batch is not None:
            self._on_batch(BatchReport(requests=len(batch), parts=sum(len(ticket.parts) for ticket in batch),
                                       waited=started - min(ticket.arrived for ticket in batch)))

    def _decode_dealt(self, parts: list[list[str]], lanes: int) -> list[Any]:
        """The results of ``parts`` in their order, decoded in ``lanes`` groups at once."""
        groups = deal_by_length([len(part) for part in parts], groups=lanes)
        results: list[Any] = [None] * len(parts)
        decoded_groups = self._decode([[parts[index] for index in group] for group in groups])
        for group, decoded in zip(groups, decoded_groups):
            for index, result in zip(group, decoded):
                results[index] = result
        return results


def deal_by_length(lengths: list[int], *, groups: int) -> list[list[int]]:
    """Deal the indices of ``lengths`` into at most ``groups`` groups of similar length: longest
    first, in snake order (0, 1, 1, 0, 0, 1, ...), so each group gets a similar share of the
    pieces and a similar longest one (a batch's decoding runs as long as its longest part)."""
    count = max(1, min(groups, len(lengths)))
    dealt: list[list[int]] = [[] for _ in range(count)]
    longest_first = sorted(range(len(lengths)), key=lambda index: -lengths[index])
    for turn, index in enumerate(longest_first):
        row, seat = divmod(turn, count)
        dealt[seat if row % 2 == 0 else count - 1 - seat].append(index)
    return [sorted(group) for group in dealt]
