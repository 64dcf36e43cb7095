"""Hostile documents (issue 31): every stream bounded however it is declared, XML parts in any
case and encoding, text that stops being read at the article's limit, and the child process
each document is read in, capped in memory and time."""

from __future__ import annotations

import io
import os
import zipfile
import zlib

import pytest

from service.errors import InvalidInput, TooLarge
from service.stages.office import Limits, read_office
from service.stages.office.pdf import read_pdf
from service.stages.office.pdf_streams import check_streams
from tests.hostile_files import (PAGE_TEXT, hand_made_pdf, stream_bombs, tiny_operators, with_deflated_page,
                                 with_entity, with_parts, with_stream)
from tests.test_office import word_article
from tests.test_office_doors import pdf_article


def bomb_message(name: str, data: bytes) -> str:
    return (f"{name} unpacks to more than {100 * len(data):,} bytes of compressed content; a PDF this size may unpack "
            "to 100 times its own size (and NEWSDESK_MAX_DOCUMENT_UNPACKED_BYTES): it looks like a compression bomb; "
            "save it again as PDF, or paste the article's text")


@pytest.mark.parametrize("declared", list(stream_bombs(size=1)))
def test_a_stream_bomb_is_refused_however_its_stream_is_declared(declared):
    filters, stream, end_of_line = stream_bombs()[declared]
    data = with_stream(PAGE_TEXT, stream, filters=filters, end_of_line=end_of_line)
    with pytest.raises(TooLarge) as refused:
        read_office("bomb.pdf", data, limits=Limits())
    assert str(refused.value) == bomb_message("bomb.pdf", data)


def test_the_same_streams_within_the_bound_are_read():
    small = zlib.compress(b"q Q " * 1000)
    for filters, stream in ((b"/FlateDecode", small), (b"[/ASCIIHexDecode /FlateDecode]", small.hex().encode() + b">"),
                            (b"[/FlateDecode /FlateDecode]", zlib.compress(small))):
        data = with_stream(PAGE_TEXT, stream, filters=filters, end_of_line=b"\r")
        assert read_office("fine.pdf", data, limits=Limits()).text == "Dock workers ended their strike."


def test_what_pdfminer_decodes_counts_too_when_the_raw_check_cannot_see_a_stream():
    # The page's own content is the bomb: read_pdf alone (no check of the raw bytes first)
    # still stops once pdfminer has decoded what the file may unpack to.
    data = with_deflated_page(PAGE_TEXT + b" " * 5_000_000)
    with pytest.raises(TooLarge) as refused:
        read_pdf(data, name="bomb.pdf", max_pages=None, max_paragraphs=None, max_unpacked_bytes=None)
    assert str(refused.value) == bomb_message("bomb.pdf", data)


def test_a_pdf_drawing_more_text_than_an_article_may_have_stops_being_read_at_that_point():
    with pytest.raises(TooLarge) as refused:
        read_office("operators.pdf", tiny_operators(50_000), limits=Limits(max_characters=1_000))
    assert str(refused.value) == (
        "operators.pdf has more than 1,500 characters of text, and an article may have 1,000 "
        "(NEWSDESK_MAX_CHARACTERS): send the article's pages only, or paste its text")
    assert read_office("short.pdf", tiny_operators(1_400), limits=Limits(max_characters=1_000)).text == "x" * 1_400


def test_text_operators_past_the_bound_are_counted_before_pdfminer_reads_a_page():
    # 1.5 million one-letter operators took pdfminer seconds to count; a scan of the streams
    # refuses them before it starts. Operators that show an empty string draw nothing.
    with pytest.raises(TooLarge) as refused:
        check_streams(tiny_operators(1_501), name="operators.pdf", max_unpacked_bytes=None, max_characters=1_000)
    assert str(refused.value) == (
        "operators.pdf has more than 1,500 characters of text, and an article may have 1,000 "
        "(NEWSDESK_MAX_CHARACTERS): send the article's pages only, or paste its text")
    empty_ones = hand_made_pdf(b"BT /F1 1 Tf 72 700 Td " + b"() Tj [] TJ <> Tj " * 2_000 + b"(x) Tj " * 1_400 + b"ET")
    check_streams(empty_ones, name="empty.pdf", max_unpacked_bytes=None, max_characters=1_000)
    assert read_office("empty.pdf", empty_ones, limits=Limits(max_characters=1_000)).text == "x" * 1_400


def test_text_drawn_many_times_from_one_operator_is_still_stopped_while_it_is_drawn():
    # One form of 20 letters, drawn 100 times: the scan counts 20, the page draws 2,000.
    data = hand_made_pdf(b"/X Do " * 100, form=b"BT /F1 1 Tf 72 700 Td " + b"(x) Tj " * 20 + b"ET")
    check_streams(data, name="forms.pdf", max_unpacked_bytes=None, max_characters=1_000)
    with pytest.raises(TooLarge) as refused:
        read_office("forms.pdf", data, limits=Limits(max_characters=1_000))
    assert str(refused.value).startswith("forms.pdf has more than 1,500 characters of text")


def test_a_document_that_takes_too_long_to_read_stops_its_reader():
    with pytest.raises(TooLarge) as refused:
        read_office("slow.pdf", tiny_operators(300_000), limits=Limits(max_characters=None, read_seconds=0.5))
    assert str(refused.value) == (
        "slow.pdf took more than 0.5 s to read, the limit (NEWSDESK_DOCUMENT_READ_SECONDS): it is very long or built "
        "to be slow; save it again, send the article's pages only, or paste its text")


def test_a_document_that_needs_more_memory_than_its_cap_kills_only_its_reader():
    # 2 MB of padding let 150 MB of page content past the unpacked bound; the cap stops it.
    data = with_deflated_page(PAGE_TEXT + b" " * 150_000_000, padding=os.urandom(1_000_000).hex().encode())
    with pytest.raises(TooLarge) as refused:
        read_office("big.pdf", data, limits=Limits(max_unpacked_bytes=None, read_memory=64))
    assert str(refused.value) == (
        "big.pdf needed more than 64 MB of memory to read, the limit (NEWSDESK_DOCUMENT_READ_MEMORY): it looks like "
        "a compression bomb or is very large; save it again, send the article's pages only, or paste its text")
    assert read_office("strike.pdf", pdf_article(), limits=Limits(read_memory=64)).text.startswith("Harbour strike")


@pytest.mark.parametrize(("part", "encode"), [
    ("word/document.xml", lambda text: text.encode("utf-16")),
    ("word/document.xml", lambda text: text.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")),
    ("word/document.XML", lambda text: text.encode("utf-8")),
    ("word/Styles.Xml", lambda text: text.encode("utf-8")),
], ids=["utf-16-with-mark", "utf-16-without-mark", "upper-case-name", "mixed-case-name"])
def test_xml_entities_are_refused_in_any_encoding_and_any_case_of_the_part_s_name(part, encode):
    with pytest.raises(InvalidInput) as refused:
        read_office("xxe.docx", with_entity(word_article(), part=part, encode=encode), limits=Limits())
    assert str(refused.value) == (
        f"xxe.docx declares XML entities in {part} (a DOCTYPE), which Word and LibreOffice never write "
        "and attacks use to read files: save the document again from Word or LibreOffice")


def test_an_xml_part_that_is_not_text_in_its_declared_encoding_is_refused_whole():
    original = zipfile.ZipFile(io.BytesIO(word_article())).read("word/document.xml").decode()
    broken = original.replace('encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le")[:-1]  # half a character
    with pytest.raises(InvalidInput) as refused:
        read_office("odd.docx", with_parts(word_article(), {"word/document.xml": broken}), limits=Limits())
    assert str(refused.value) == ("odd.docx is damaged: its part word/document.xml is not text in the encoding it "
                                  "declares (utf-16-le); open it and save it again")
