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
``wait`` seconds (NEWSDESK_BATCH_WAIT) for as many parts as the batcher held when the last
batch ended. A lone request is never held back: the last batch held only its own part.
Each request keeps its own deadline: past it, it stops waiting (TimedOut) and its parts
are taken out of the queue, or their results dropped when they come.
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


class Batcher:
    """Collect parts from concurrent callers and decode them in shared batches."""

    def __init__(self, decode: Callable[[list[list[str]]], list[Any]], *, max_parts: int | None, wait: float,
                 lanes: int = 1, on_batch: Callable[[BatchReport], None] | None = None):
        self._decode = decode  # parts -> one result per part, in order
        self._max_parts = max_parts
        self._wait = wait
        self._lanes = max(1, lanes)  # batches decoded at once: the model's replicas (inter_threads)
        self._on_batch = on_batch
        self._condition = threading.Condition()
        self._pending: list[_Ticket] = []
        self._running = 0  # batches being gathered or decoded now
        # Parts in the batcher when the last batch ended: the requests of clients that send
        # again as soon as they are answered come back about this many, so a batch waits
        # (at most ``wait``) for them instead of splitting them into two half batches.
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
                batch = self._gather(deadline)
                if not batch:  # while it gathered, another lane's batch took every ticket, its own too
                    self._running -= 1
                    self._condition.notify_all()
                    continue
            self._run(batch)
        if ticket.error is not None:
            raise ticket.error
        return ticket.results

    def _withdraw(self, ticket: _Ticket) -> None:
        if ticket in self._pending:
            self._pending.remove(ticket)
        # Taken into a batch already: its results are dropped when they come (nobody reads them).

    def _gather(self, deadline: float | None) -> list[_Ticket]:
        """Take the waiting tickets for one batch (called holding the lock, as the decoder)."""
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

    def _run(self, batch: list[_Ticket]) -> None:
        started = time.monotonic()
        try:
            results = self._decode([part for ticket in batch for part in ticket.parts])
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
                self._expected = sum(len(ticket.parts) for ticket in batch) + self._parts_waiting()
                self._running -= 1
                self._condition.notify_all()
        if self._on_batch is not None:
            self._on_batch(BatchReport(requests=len(batch), parts=sum(len(ticket.parts) for ticket in batch),
                                       waited=started - min(ticket.arrived for ticket in batch)))
