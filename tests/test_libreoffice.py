"""LibreOffice opens every translated copy and reads it as we wrote it (issue 32).

The other document tests read our copies back with our own readers and python-docx, which are
forgiving; an editor opens them in Word or LibreOffice. Debian's LibreOffice Writer (without its
GUI; `make test` installs it as root) converts each copy, here to text and to HTML, and what it
reads must be the translation, in order, with its formatting on the same words. Skipped where
LibreOffice is missing, unless NEWSDESK_REQUIRE_OFFICE=1 (.ci/run), where that fails.
"""

from __future__ import annotations

import html as html_module
import io
import os
import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest

from service import pipeline
from tests.test_office import opendocument_article, word_article_with_notes
from tests.test_spans import LEAD, UNITS, _add_runs

SOFFICE = shutil.which("soffice")


@pytest.fixture
def libreoffice(tmp_path):
    """Convert a document with LibreOffice (its own profile under tmp_path); return what it wrote."""
    if SOFFICE is None:
        if os.environ.get("NEWSDESK_REQUIRE_OFFICE") == "1":
            pytest.fail("LibreOffice is not installed (`make test` installs libreoffice-writer-nogui as root)")
        pytest.skip("LibreOffice is not installed (`make test` installs libreoffice-writer-nogui as root)")

    def convert(name: str, data: bytes, *, to: str) -> str:
        source = tmp_path / name
        source.write_bytes(data)
        done = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
                               "--convert-to", to, "--outdir", str(tmp_path / "out"), str(source)],
                              capture_output=True, text=True, timeout=120)
        written = tmp_path / "out" / (Path(name).stem + "." + to.split(":")[0])
        assert written.exists(), f"LibreOffice could not open {name}: {done.stdout} {done.stderr}"
        return written.read_text(encoding="utf-8-sig")

    return convert


def copy_of(name: str, data: bytes, *, target: str, settings) -> bytes:
    return pipeline.translated_document(name, data, source="en", target=target, settings=settings)


@pytest.mark.parametrize("target", ["de", "ru", "ar"])
def test_libreoffice_reads_a_word_copy_as_its_translation_in_order(settings, install, libreoffice, target):
    install(f"en_{target}")
    tag = f"<{target}> "
    read = libreoffice("article.docx", copy_of("article.docx", word_article_with_notes(), target=target,
                                               settings=settings), to="txt:Text")
    assert read.splitlines() == [
        tag + "Harbour strike ends",
        tag + "Dock workers in Rotterdam ended a strike on Tuesday.1i",  # the footnote's and endnote's marks
        f"{tag}Operators said traffic would be normal by Friday. {tag}The union accepted a new pay offer.",
        tag + "Ships diverted",
        f"    • {tag}Ships were diverted to Antwerp.",
        tag + "Ships", tag + "12", tag + "Cranes", tag + "40"]


@pytest.mark.parametrize("target", ["de", "ru", "ar"])
def test_libreoffice_reads_an_opendocument_copy_as_its_translation_in_order(settings, install, libreoffice, target):
    install(f"en_{target}")
    tag = f"<{target}> "
    read = libreoffice("article.odt", copy_of("article.odt", opendocument_article(), target=target,
                                              settings=settings), to="txt:Text")
    assert read.splitlines() == [
        tag + "Harbour strike ends",
        f"{tag}Operators said traffic would be normal by Friday. {tag}The union accepted a new pay offer.1",
        f"    • {tag}Ships were diverted to Antwerp."]


def formatted_document() -> bytes:
    """A Word document whose runs are bold, italic, underlined, struck, styled, super- and subscript."""
    document = docx.Document()
    _add_runs(document.add_paragraph(), LEAD)
    _add_runs(document.add_paragraph(), UNITS)
    saved = io.BytesIO()
    document.save(saved)
    return saved.getvalue()


FORMATTING_TAGS = {"b", "i", "u", "strike", "sup", "sub"}


def _inline(html: str) -> list[str]:
    """The paragraphs of LibreOffice's HTML with only the tags that carry formatting, bare."""
    def bare_or_gone(tag: re.Match) -> str:
        return f"<{tag[1]}{tag[2]}>" if tag[2].lower() in FORMATTING_TAGS else ""

    body = re.search(r"<body[^>]*>(.*)</body>", html, re.S)[1]
    return [html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<(/?)(\w+)[^>]*>", bare_or_gone, paragraph)).strip())
            for paragraph in re.findall(r"<p[^>]*>(.*?)</p>", body, re.S)]


@pytest.mark.parametrize("target", ["de", "ru", "ar"])
def test_libreoffice_finds_each_span_on_the_words_it_was_on(settings, install, libreoffice, target):
    install(f"en_{target}")
    html = libreoffice("spans.docx", copy_of("spans.docx", formatted_document(), target=target, settings=settings),
                       to="html")
    assert _inline(html) == [
        f"<{target}> The <b>port authority</b> said <i>ships</i> were <u>diverted</u> to <strike>Antwerp</strike> "
        "and <b>Hamburg</b>.",
        f"<{target}> The quay covers 400 m<sup>2</sup> and CO<sub>2</sub> levels rose, said NATO."]
