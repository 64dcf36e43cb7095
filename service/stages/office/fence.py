"""Reading a document in a child process of its own, fenced by a memory cap and a time budget.

Each check in ``package`` and ``pdf`` stops a kind of hostile file seen so far; the fence is
for the kinds not seen yet. A file that explodes or spins then costs only its reader: the
child is capped (RLIMIT_AS) and stopped past its time, the request gets a 413 naming the
limit, and the worker's own memory stays what it was (a parser's peak is only given back to
the system when its process ends). Apache Tika's server forks its parsers for the same reason.

Children come from a forkserver: one small single-threaded process per worker, started at
the first document with the readers imported, so a read starts in milliseconds, and no child
is forked from a worker holding translation threads and their locks.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import resource
from dataclasses import replace

from ...errors import InvalidInput, ServiceError, TooLarge
from ..outline import Document
from .package import Limits

log = logging.getLogger(__name__)

# What the forkserver imports once, so that each child starts with them loaded.
_PRELOAD = ["service.stages.office.reading", "service.stages.office.word", "service.stages.office.opendocument",
            "service.stages.office.pdf", "docx", "odf.opendocument", "pdfminer.pdfinterp", "pdfminer.converter",
            "pdfminer.layout", "pdfminer.pdfpage", "lxml.etree"]
_MEGABYTE = 1 << 20


def read_fenced(name: str, data: bytes, *, limits: Limits) -> Document:
    """``reading.read_here`` in a child process capped by ``limits.read_memory`` and ``limits.read_seconds``."""
    context = _context()
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(target=_read_in_child, args=(sending, name, data, limits), daemon=True,
                            name=f"newsdesk-reader {name}")
    child.start()
    sending.close()
    try:
        if not receiving.poll(limits.read_seconds):
            raise TooLarge(f"{name} took more than {limits.read_seconds:g} s to read, the limit "
                           "(NEWSDESK_DOCUMENT_READ_SECONDS): it is very long or built to be slow; save it again, "
                           "send the article's pages only, or paste its text")
        try:
            outcome = receiving.recv()
        except EOFError:  # the child ended without an answer: killed at its memory cap, or crashed
            child.join(5)
            log.warning("the reader of %s ended without an answer (exit code %s)", name, child.exitcode)
            if limits.read_memory is None:
                raise InvalidInput(f"{name} could not be read (its reader stopped): save it again, or paste the "
                                   "article's text") from None
            raise _over_memory(name, limits) from None
    finally:
        receiving.close()
        if child.is_alive():
            child.kill()
        child.join()
    if isinstance(outcome, BaseException):
        raise outcome
    document, kept_original = outcome
    return replace(document, original=data) if kept_original else document


@functools.cache
def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def _read_in_child(sending, name: str, data: bytes, limits: Limits) -> None:
    """The child: cap its own memory, read, send the Document or the error back."""
    from .reading import read_here

    if limits.read_memory is not None:
        _cap_memory(limits.read_memory * _MEGABYTE)
    try:
        document = read_here(name, data, limits=limits)
        # The parent holds the file already: it puts it back, rather than have it sent twice.
        outcome = (replace(document, original=b""), bool(document.original))
    except ServiceError as error:
        outcome = error
    except MemoryError:
        outcome = _over_memory(name, limits)
    except Exception as error:  # a bug of ours or a library's: the parent raises it as the worker would have
        outcome = RuntimeError(f"reading {name} failed: {error!r}")
    sending.send(outcome)
    sending.close()


def _cap_memory(allowance: int) -> None:
    """Cap this process's address space at what it holds now plus ``allowance`` bytes."""
    try:
        with open("/proc/self/statm") as statm:
            held = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        held = 0  # not Linux: the cap is the allowance alone
    resource.setrlimit(resource.RLIMIT_AS, (held + allowance, held + allowance))


def _over_memory(name: str, limits: Limits) -> TooLarge:
    return TooLarge(f"{name} needed more than {limits.read_memory:,} MB of memory to read, the limit "
                    "(NEWSDESK_DOCUMENT_READ_MEMORY): it looks like a compression bomb or is very large; save it "
                    "again, send the article's pages only, or paste its text")
