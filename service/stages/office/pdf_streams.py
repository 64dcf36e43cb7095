"""A PDF's streams, counted before and while pdfminer reads them, so that no file unpacks or draws
past what an article may (issue 31: stream bombs and pages of tiny text operators).

Before parsing, ``check_streams`` decodes each stream through its chain of filters, each filter
stopping once the bound is passed, and counts the text operators that draw something; while
pdfminer reads, ``decoding_within`` counts every stream it decodes however the file declares it
(encrypted, in an object stream, an inline image). Apart from pdf.py, which lays the pages
out into an article (issue 29: one room of 776 lines).
"""

from __future__ import annotations

import binascii
import contextvars
import functools
import io
import re
import struct
import zlib
from contextlib import contextmanager

from ...errors import TooLarge
from .package import MAX_COMPRESSION_RATIO

# More text than any article (a long feature is 50,000 characters): past this a file is a
# book or a hostile one, and reading on would only spend memory and time.
MAX_CHARACTERS = 5_000_000

# A stream's start: "stream" (not "endstream") and its end of line, which the standard says is
# CRLF or LF and readers also take as a lone CR.
_STREAM_START = re.compile(rb"(?<!end)stream(?:\r\n|\r|\n)")
# The filters a stream's dictionary names, one or an array: "/Filter /FlateDecode" or
# "/Filter [/ASCIIHexDecode /FlateDecode]" (inline images write them short: /F [/AHx /Fl]).
_FILTER = re.compile(rb"/(?:Filter|F)\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_FILTER_NAME = re.compile(rb"/([A-Za-z0-9]+)")
# A text-showing operator (Tj, TJ, ' and ") whose string or array is not empty: "(x) Tj",
# "<0041> Tj", "[(A) -20 (B)] TJ", but not "() Tj" or "[] TJ".
_TEXT_SHOWN = re.compile(rb"(?<![(<\[])[)>\]]\s*(?:Tj|TJ|'|\")")
# How far back from "stream" its dictionary may start: dictionaries of text PDFs are short.
_DICTIONARY_REACH = 4096


def check_streams(data: bytes, *, name: str, max_unpacked_bytes: int | None,
                  max_characters: int | None = None) -> None:
    """Refuse a PDF whose streams unpack past what it may unpack to (a zip bomb in PDF form:
    pdfminer inflates each stream whole, in memory, before reading it), or that shows more
    pieces of text than it may draw characters (``character_bound``).

    The same bound as a .docx: 100 times the file's size, and at most ``max_unpacked_bytes``,
    over all streams together. Streams are found in the raw bytes (every object stream and
    page content is one) and each is decoded through its whole chain of filters, each filter
    stopping once the bound is passed, before pdfminer parses anything. Streams this cannot
    see (encrypted ones) are counted again while pdfminer decodes them (``_decoding_within``).

    Each text-showing operator with a string in it draws at least one character, and pdfminer
    spends some 30 microseconds on each: a page of a million one-letter operators is refused
    here, in a regular-expression pass, rather than after seconds of pdfminer counting glyphs.
    """
    allowed = unpacked_allowed(len(data), max_unpacked_bytes)
    bound, too_many = character_bound(name, max_characters)
    unpacked = shown = 0
    for start in _STREAM_START.finditer(data):
        end = data.find(b"endstream", start.end())
        if end < 0:
            break
        filters = _filters_of(data[max(0, start.start() - _DICTIONARY_REACH):start.start()])
        decoded = _decoded(data[start.end():end], filters, room=allowed - unpacked)
        unpacked += len(decoded)
        if unpacked > allowed:
            raise _bomb(name, allowed)
        for _operator in _TEXT_SHOWN.finditer(decoded):  # stops at the bound: no list of millions
            shown += 1
            if shown > bound:
                raise too_many


def unpacked_allowed(size: int, max_unpacked_bytes: int | None) -> int:
    """What a PDF of ``size`` bytes may unpack to, all streams together."""
    allowed = MAX_COMPRESSION_RATIO * size
    return allowed if max_unpacked_bytes is None else min(allowed, max_unpacked_bytes)


def _bomb(name: str, allowed: int) -> TooLarge:
    return TooLarge(f"{name} unpacks to more than {allowed:,} bytes of compressed content; a PDF this size "
                    f"may unpack to {MAX_COMPRESSION_RATIO} times its own size (and "
                    "NEWSDESK_MAX_DOCUMENT_UNPACKED_BYTES): it looks like a compression bomb; save it again "
                    "as PDF, or paste the article's text")


def _filters_of(before: bytes) -> list[bytes]:
    """The filter names of the stream whose dictionary ends ``before``; none (``[]``) when it
    names none."""
    dictionary = before[before.rfind(b"obj") + 1:] if b"obj" in before else before[-512:]
    found = None
    for found in _FILTER.finditer(dictionary):
        pass
    return _FILTER_NAME.findall(found[1]) if found else []


def _decoded(raw: bytes, filters: list[bytes], *, room: int) -> bytes:
    """What ``raw`` decodes to through ``filters``, each stopping past ``room`` (then more than
    ``room`` bytes are answered); a filter that fails or that newsdesk does not decode (images)
    ends the chain with what was decoded before it (nothing when it is the first).

    A stream that names no filter is its own bytes, unless they inflate: its dictionary may be
    damaged, or longer than ``_DICTIONARY_REACH``, and it is tried as the commonest kind."""
    if not filters:
        try:
            return _inflate(raw, room + 1)
        except zlib.error:
            return raw
    data, decoded = raw, b""
    for kind in filters:
        decoder = _DECODERS.get(kind)
        if decoder is None:
            break
        try:
            data = decoder(data, room + 1)
        except (ValueError, zlib.error, struct.error, EOFError, TypeError):
            break
        decoded = data
        if len(decoded) > room:
            break
    return decoded


def _inflate(data: bytes, limit: int) -> bytes:
    return zlib.decompressobj().decompress(data, limit)


def _unhex(data: bytes, limit: int) -> bytes:
    digits = re.sub(rb"\s", b"", data.split(b">", 1)[0])
    return binascii.unhexlify(digits + b"0" * (len(digits) % 2))


def _un85(data: bytes, limit: int) -> bytes:
    from pdfminer.ascii85 import ascii85decode

    return ascii85decode(data)  # at most 4 bytes a character ("z"): bounded by the file's own size


def _unlzw(data: bytes, limit: int) -> bytes:
    from pdfminer.lzw import LZWDecoder

    pieces, size = [], 0
    for piece in LZWDecoder(io.BytesIO(data)).run():
        pieces.append(piece)
        size += len(piece)
        if size > limit:
            break
    return b"".join(pieces)


def _unrun(data: bytes, limit: int) -> bytes:
    """RunLength, stopping past ``limit`` (two bytes of it make 128)."""
    out, at = bytearray(), 0
    while at < len(data) and len(out) <= limit:
        length = data[at]
        if length == 128:
            break
        if length < 128:
            out += data[at + 1:at + 2 + length]
            at += length + 2
        else:
            out += data[at + 1:at + 2] * (257 - length)
            at += 2
    return bytes(out)


_DECODERS = {b"FlateDecode": _inflate, b"Fl": _inflate, b"ASCIIHexDecode": _unhex, b"AHx": _unhex,
             b"ASCII85Decode": _un85, b"A85": _un85, b"LZWDecode": _unlzw, b"LZW": _unlzw,
             b"RunLengthDecode": _unrun, b"RL": _unrun}


class _DecodingBudget:
    """What pdfminer may still decode while one PDF is read: every stream it decodes, however
    its file declares it (encrypted, in an object stream, an inline image), counts."""

    def __init__(self, *, name: str, allowed: int) -> None:
        self.name, self.allowed, self.decoded = name, allowed, 0

    def spend(self, size: int) -> None:
        self.decoded += size
        if self.decoded > self.allowed:
            raise _bomb(self.name, self.allowed)


_BUDGET: contextvars.ContextVar[_DecodingBudget | None] = contextvars.ContextVar("pdf_decoding_budget",
                                                                                   default=None)


@contextmanager
def decoding_within(*, name: str, allowed: int):
    """Count what pdfminer decodes while this block reads ``name`` against ``allowed`` bytes."""
    _count_pdfminer_decoding()
    token = _BUDGET.set(_DecodingBudget(name=name, allowed=allowed))
    try:
        yield
    finally:
        _BUDGET.reset(token)


@functools.cache
def _count_pdfminer_decoding() -> None:
    """Wrap pdfminer's PDFStream.decode, once, so that a budget set for this context counts each
    stream it decodes. pdfminer has no hook for it; outside a reading block nothing changes."""
    from pdfminer.pdftypes import PDFStream

    decode = PDFStream.decode

    @functools.wraps(decode)
    def counted(stream) -> None:
        decode(stream)
        budget = _BUDGET.get()
        if budget is not None:
            budget.spend(len(stream.data or b""))

    PDFStream.decode = counted


def character_bound(name: str, max_characters: int | None) -> tuple[int, TooLarge]:
    """How many characters a PDF may draw, and the refusal past it: half as much again as an
    article may have (the page furniture left out later is drawn too), MAX_CHARACTERS at most."""
    if max_characters is None or max_characters * 3 // 2 >= MAX_CHARACTERS:
        return MAX_CHARACTERS, TooLarge(f"{name} has more than {MAX_CHARACTERS:,} characters of text, more than "
                                        "any article: send the article's pages only, or paste its text")
    bound = max_characters * 3 // 2
    return bound, TooLarge(f"{name} has more than {bound:,} characters of text, and an article may have "
                           f"{max_characters:,} (NEWSDESK_MAX_CHARACTERS): send the article's pages only, or paste "
                           "its text")
