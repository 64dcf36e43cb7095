"""Hostile documents built in code, small enough for CI: for tests/test_fence.py and the
documents in bench/fault_bench.py's load mix (issue 31)."""

from __future__ import annotations

import base64
import io
import zipfile
import zlib

PAGE_TEXT = b"BT /F1 10 Tf 72 700 Td (Dock workers ended their strike.) Tj ET"
ENTITY_DOCTYPE = '<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>'


def hand_made_pdf(content: bytes, *, form: bytes = b"") -> bytes:
    """A one-page PDF written out by hand, with ``form`` as the form XObject /X its page may draw."""
    resources = b"/Font << /F1 4 0 R >> /XObject << /X 6 0 R >>"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << %s >> /Contents 5 0 R >>"
               % resources,
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
               b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << %s >> /Length %d >>\nstream\n%s\n"
               b"endstream" % (resources, len(form), form)]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    table = b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + (b"xref\n0 7\n0000000000 65535 f \n%strailer\n<< /Size 7 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                  % (table, len(out)))


def with_stream(page: bytes, stream: bytes, *, filters: bytes, end_of_line: bytes = b"\n") -> bytes:
    """A readable one-page PDF with one more object: ``stream`` under ``filters``."""
    data = hand_made_pdf(page)
    extra = (b"7 0 obj\n<< /Length %d /Filter %s >>\nstream%s%s\nendstream\nendobj\n"
             % (len(stream), filters, end_of_line, stream))
    return data.replace(b"xref\n", extra + b"xref\n", 1)


def spaces(size: int) -> bytes:
    """``size`` spaces, deflated (a thousandfold)."""
    return zlib.compress(b" " * size, 9)


def stream_bombs(size: int = 30_000_000) -> dict[str, tuple[bytes, bytes, bytes]]:
    """(filters, stream, end of line) of a stream inflating to ``size`` bytes, by how it is declared."""
    deflated = spaces(size)
    return {"stream-CR": (b"/FlateDecode", deflated, b"\r"),
            "stream-CRLF": (b"/FlateDecode", deflated, b"\r\n"),
            "hex-then-flate": (b"[/ASCIIHexDecode /FlateDecode]", deflated.hex().encode() + b">", b"\n"),
            "flate-twice": (b"[/FlateDecode /FlateDecode]", zlib.compress(deflated, 9), b"\n"),
            "ascii85-then-flate": (b"[/ASCII85Decode /FlateDecode]", base64.a85encode(deflated) + b"~>", b"\n")}


def with_deflated_page(content: bytes, *, padding: bytes = b"") -> bytes:
    """A one-page PDF whose page content is ``content``, deflated; ``padding`` as a comment first."""
    deflated = zlib.compress(content, 9)
    data = hand_made_pdf(b"").replace(b"<< /Length 0 >>\nstream\n\nendstream",
                                      b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream"
                                      % (len(deflated), deflated))
    return data.replace(b"%PDF-1.4\n", b"%PDF-1.4\n%" + padding + b"\n", 1) if padding else data


def tiny_operators(count: int) -> bytes:
    """A page of ``count`` text operators drawing one letter each."""
    return hand_made_pdf(b"BT /F1 1 Tf 72 700 Td " + b"(x) Tj " * count + b"ET")


def with_parts(data: bytes, replaced: dict[str, str | bytes]) -> bytes:
    """The zip ``data`` (a .docx or .odt) with ``replaced`` parts put in or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            if info.filename not in replaced:
                archive.writestr(info, source.read(info))
        for part, content in replaced.items():
            archive.writestr(part, content)
    return output.getvalue()


def with_entity(docx: bytes, *, part: str = "word/document.xml", encode=lambda text: text.encode("utf-16")) -> bytes:
    """The .docx with a DOCTYPE naming an outside file in its document, as ``part``, encoded by ``encode``."""
    original = zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml").decode()
    return with_parts(docx, {part: encode(original.replace("<w:document", ENTITY_DOCTYPE + "<w:document", 1))})


def word_document(paragraphs: list[str]) -> bytes:
    """A plain .docx holding ``paragraphs``, the first as its title."""
    import docx

    document = docx.Document()
    document.add_heading(paragraphs[0], level=0)
    for text in paragraphs[1:]:
        document.add_paragraph(text)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
