"""What translated copies keep of a folder of documents (issue 32), through the copy packs.

    .venv/bin/python bench/documents_bench.py --folder DIR [--to de,ru,ar]
    .venv/bin/python bench/documents_bench.py --made-up DIR [--to de,ru,ar]

Every .docx, .odt and .pdf in DIR is read as every door reads it (service.stages.office.read_office)
and, for .docx and .odt, copied into each language as /translate_file and `newsdesk process`
copy it (pipeline.translated_document), through copy packs (tests/argospack.py) that write
"<de> " and the source unchanged: so every surviving word can be checked exactly. Printed per
format and language:
- outcomes: accepted, refused (the service's message), crashed (anything else: a bug);
- completeness per part kind (body, tables, text boxes and frames, field paragraphs, headers and
  footers, footnotes and endnotes, comments): the share of the copy's paragraphs with a word in
  them that were translated (hold the language tag);
- inline spans kept per kind (bold, italic, underline, strike, superscript, subscript, small
  caps, character style, link): a span of the source whose words are in a span of the same kind
  in the copy; and the notes' and comments' marks that still follow the word they followed;
- the right-to-left share of the Arabic copies' paragraphs; seconds per file.
--made-up writes the made-up set first (documents built in code by the tests, with every
feature above) and measures it.
"""

from __future__ import annotations

import collections
import io
import os
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_WORD = re.compile(r"\w")


def write_made_up_set(folder: Path) -> None:
    """The tests' documents with every feature, as files."""
    from tests import test_office, test_spans

    folder.mkdir(parents=True, exist_ok=True)
    made = {
        "spans-links-notes.docx": test_spans.made_up_word_document(),
        "notes-endnotes-comments.docx": test_office.word_article_with_notes(),
        "tracked-changes.docx": test_office.tracked_word_article(),
        "fields-and-text-boxes.docx": _fields_and_boxes(test_office),
        "spans-links-note.odt": test_spans.made_up_opendocument(),
        "footnote-and-list.odt": test_office.opendocument_article(),
    }
    for name, data in made.items():
        (folder / name).write_bytes(data)


def _fields_and_boxes(test_office) -> bytes:
    import docx
    from docx.oxml import parse_xml

    namespace = f'xmlns:w="{W}"'
    document = docx.Document()
    document.add_paragraph("Dock workers ended a strike on Tuesday.")
    for inner in ('<w:r><w:t xml:space="preserve">Table </w:t></w:r>'
                  + test_office._complex_field(" SEQ Table \\* ARABIC ", "1")
                  + '<w:r><w:t>: Casualties by region</w:t></w:r>',
                  '<w:r><w:t xml:space="preserve">Losses rose </w:t></w:r><w:fldSimple w:instr=" CITATION Smi01 ">'
                  '<w:r><w:t>(Smith 2001)</w:t></w:r></w:fldSimple><w:r><w:t xml:space="preserve"> in every port.'
                  '</w:t></w:r>',
                  '<w:r><w:t>Cranes stood idle.</w:t></w:r>' + test_office._word_text_box("Ships sail again.")):
        document.element.body.insert(len(document.element.body) - 1, parse_xml(f"<w:p {namespace}>{inner}</w:p>"))
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Ships waiting", "12"
    document.sections[0].header.paragraphs[0].text = "Harbour News"
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def measure(folder: Path, targets: list[str]) -> None:
    """Print the figures for every document in ``folder`` (see the module's doc)."""
    from service import pipeline
    from service.errors import ServiceError
    from service.stages.office import Limits, read_office

    settings = _copy_pack_settings(targets)
    files = sorted(path for path in folder.iterdir() if path.suffix.lower() in (".docx", ".odt", ".pdf"))
    print(f"{len(files)} documents in {folder}, into {', '.join(targets)} through copy packs")
    limits = Limits.of(settings)
    by_format: dict[str, list[Path]] = collections.defaultdict(list)
    for path in files:
        by_format[path.suffix.lower()].append(path)
    for suffix, paths in by_format.items():
        languages = targets if suffix != ".pdf" else ["(read only)"]
        for target in languages:
            outcomes: collections.Counter = collections.Counter()
            parts, spans, marks = _Tally(), _Tally(), _Tally()
            right_to_left, seconds, refusals = _Tally(), [], []
            for path in paths:
                data = path.read_bytes()
                started = time.perf_counter()
                try:
                    read_office(path.name, data, limits=limits)
                    if suffix != ".pdf":
                        copy = pipeline.translated_document(path.name, data, source="en", target=target,
                                                            settings=settings)
                except ServiceError as error:
                    outcomes["refused"] += 1
                    refusals.append(f"{path.name}: {error}")
                    continue
                except Exception as error:  # noqa: BLE001 - a bench counts crashes, it does not stop at one
                    outcomes["crashed"] += 1
                    refusals.append(f"{path.name}: CRASH {type(error).__name__}: {error}")
                    continue
                finally:
                    seconds.append(time.perf_counter() - started)
                outcomes["accepted"] += 1
                if suffix == ".pdf":
                    continue
                compare = _compare_word if suffix == ".docx" else _compare_opendocument
                compare(data, copy, f"<{target}>", parts=parts, spans=spans, marks=marks,
                        right_to_left=right_to_left if target == "ar" else None)
            print(f"\n{suffix} into {target}: {len(paths)} files; " + ", ".join(
                f"{outcomes[kind]} {kind}" for kind in ("accepted", "refused", "crashed")))
            for line in refusals:
                print(f"  {line}")
            if seconds:
                print(f"  seconds per file: median {sorted(seconds)[len(seconds) // 2]:.2f}, "
                      f"slowest {max(seconds):.2f}")
            parts.print("paragraphs translated, by part")
            spans.print("inline spans kept, by kind")
            marks.print("marks after their word")
            right_to_left.print("right-to-left paragraphs")


class _Tally:
    """kept / total per kind."""

    def __init__(self):
        self.kept: collections.Counter = collections.Counter()
        self.total: collections.Counter = collections.Counter()

    def add(self, kind: str, kept: bool) -> None:
        self.total[kind] += 1
        self.kept[kind] += bool(kept)

    def print(self, title: str) -> None:
        if not self.total:
            return
        kept, total = sum(self.kept.values()), sum(self.total.values())
        print(f"  {title}: {kept}/{total} ({kept / total:.1%})")
        for kind in sorted(self.total):
            print(f"    {kind:<24} {self.kept[kind]}/{self.total[kind]}")


def _copy_pack_settings(targets: list[str]):
    """Settings with en->X copy packs installed in a folder of their own (nothing of the user's)."""
    from service.config import Settings
    from service.translation import packs as langpacks
    from tests.argospack import build_pack

    home = Path(tempfile.mkdtemp(prefix="newsdesk-documents-bench-"))
    os.environ["XDG_DATA_HOME"] = str(home)  # the glossary, memory and results of this run only
    settings = Settings.load(environ={}, overrides={
        "packages_dir": home / "packages", "langpacks_dir": home / "langpacks", "download_missing": False,
        "index_url": "http://127.0.0.1:9/index.json", "max_characters": None})
    for target in targets:
        langpacks.install_archive(build_pack(home / "built", "en", target), settings)
    return settings


# --- .docx ----------------------------------------------------------------------------------

_FORMATS = {"b": "bold", "i": "italic", "u": "underline", "strike": "strike", "dstrike": "strike",
            "smallCaps": "small caps", "caps": "small caps", "rStyle": "character style"}


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _word_parts(data: bytes):
    from lxml import etree

    package = zipfile.ZipFile(io.BytesIO(data))
    for name in package.namelist():
        kind = _word_part_kind(name)
        if kind:
            yield name, kind, etree.fromstring(package.read(name))


def _word_part_kind(name: str) -> str | None:
    if name == "word/document.xml":
        return "body"
    if re.fullmatch(r"word/(header|footer)\d*\.xml", name):
        return "headers and footers"
    if name in ("word/footnotes.xml", "word/endnotes.xml"):
        return "footnotes and endnotes"
    if name == "word/comments.xml":
        return "comments"
    return None


def _word_text(paragraph) -> str:
    """The paragraph's own text (not a text box's inside it, nor a field's code)."""
    return "".join(t.text or "" for t in paragraph.iter(_w("t")) if _owner(t, _w("p")) is paragraph)


def _owner(element, tag: str):
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _word_paragraph_kind(paragraph, part_kind: str) -> str:
    if part_kind != "body":
        return part_kind
    ancestors = {element.tag for element in paragraph.iterancestors()}
    if _w("txbxContent") in ancestors or "{urn:schemas-microsoft-com:vml}textbox" in ancestors:
        return "text boxes and frames"
    if paragraph.find(f".//{_w('fldChar')}") is not None or paragraph.find(f".//{_w('fldSimple')}") is not None:
        return "field paragraphs"
    if _w("tc") in ancestors:
        return "tables"
    return "body"


def _word_spans(root, relationships: dict[str, str]) -> collections.Counter:
    """(kind, text) of every formatted run and link, the tag taken off."""
    found: collections.Counter = collections.Counter()
    for run in root.iter(_w("r")):
        text = "".join(t.text or "" for t in run.findall(_w("t"))).strip()
        text = re.sub(r"^<\w+>\s*", "", text)
        if not _WORD.search(text):
            continue
        properties = run.find(_w("rPr"))
        for element in properties if properties is not None else ():
            name = element.tag.split("}")[1]
            if element.get(_w("val")) in ("0", "false", "none"):
                continue
            if name in _FORMATS:
                found[(_FORMATS[name], text)] += 1
            elif name == "vertAlign" and element.get(_w("val")) in ("superscript", "subscript"):
                found[(element.get(_w("val")), text)] += 1
    for link in root.iter(_w("hyperlink")):
        text = re.sub(r"^<\w+>\s*", "", "".join(t.text or "" for t in link.iter(_w("t")))).strip()
        if _WORD.search(text):
            found[("link", (text, relationships.get(link.get(f"{{{_R}}}id"), link.get(_w("anchor")))))] += 1
    return found


_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _relationships(data: bytes, part: str) -> dict[str, str]:
    from lxml import etree

    package = zipfile.ZipFile(io.BytesIO(data))
    folder, name = part.rsplit("/", 1)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in package.namelist():
        return {}
    return {item.get("Id"): item.get("Target") for item in etree.fromstring(package.read(rels))}


def _words_before_marks(root, mark_tags: set[str], text_tag: str, paragraph_tag: str) -> list[str]:
    """The last word before each mark (a note's reference) in its paragraph, the tag taken off."""
    found = []
    for paragraph in root.iter(paragraph_tag):
        text = ""
        for element in paragraph.iter():
            if element.tag in mark_tags:
                words = re.findall(r"\w+", re.sub(r"<\w+>", "", text))
                found.append(words[-1] if words else "")
            elif element.tag == text_tag and _owner(element, paragraph_tag) is paragraph:
                text += element.text or ""
    return found


def _compare_word(source: bytes, copy: bytes, tag: str, *, parts: _Tally, spans: _Tally, marks: _Tally,
                  right_to_left: _Tally | None) -> None:
    copied = {name: (kind, root) for name, kind, root in _word_parts(copy)}
    for name, kind, root in _word_parts(source):
        copy_root = copied.get(name, (kind, None))[1]
        if copy_root is None:
            continue
        for paragraph in copy_root.iter(_w("p")):
            text = _word_text(paragraph)
            if _WORD.search(text):
                parts.add(_word_paragraph_kind(paragraph, kind), tag in text)
                if right_to_left is not None and kind == "body":
                    right_to_left.add("body", paragraph.find(f"{_w('pPr')}/{_w('bidi')}") is not None)
        wanted, got = _word_spans(root, _relationships(source, name)), _word_spans(copy_root, _relationships(copy, name))
        for (span_kind, text), count in wanted.items():
            for number in range(count):
                spans.add(span_kind, got[(span_kind, text)] > number)
        references = {_w("footnoteReference"), _w("endnoteReference"), _w("commentReference")}
        before = _words_before_marks(root, references, _w("t"), _w("p"))
        after = _words_before_marks(copy_root, references, _w("t"), _w("p"))
        for number, word in enumerate(before):
            marks.add("note and comment marks", number < len(after) and after[number] == word)


# --- .odt -----------------------------------------------------------------------------------

def _odt(data: bytes, part: str):
    from lxml import etree

    package = zipfile.ZipFile(io.BytesIO(data))
    return etree.fromstring(package.read(part)) if part in package.namelist() else None


def _odt_text(paragraph) -> str:
    """The paragraph's own text: not a note's or a frame's inside it."""
    parts = [paragraph.text or ""]
    for child in paragraph:
        if child.tag not in (f"{{{TEXT}}}note", f"{{{OFFICE}}}annotation", f"{{{DRAW}}}frame"):
            parts.append(_odt_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _odt_paragraph_kind(paragraph, part: str) -> str:
    ancestors = {element.tag for element in paragraph.iterancestors()}
    if part == "styles.xml":
        return "headers and footers"
    if f"{{{TEXT}}}note" in ancestors:
        return "footnotes and endnotes"
    if f"{{{OFFICE}}}annotation" in ancestors:
        return "comments"
    if f"{{{DRAW}}}frame" in ancestors:
        return "text boxes and frames"
    if f"{{{TABLE}}}table-cell" in ancestors:
        return "tables"
    return "body"


def _odt_spans(root) -> collections.Counter:
    found: collections.Counter = collections.Counter()
    for element in root.iter(f"{{{TEXT}}}span", f"{{{TEXT}}}a"):
        text = re.sub(r"^<\w+>\s*", "", "".join(element.itertext())).strip()
        if not _WORD.search(text):
            continue
        if element.tag == f"{{{TEXT}}}a":
            found[("link", (text, element.get("{http://www.w3.org/1999/xlink}href")))] += 1
        else:
            found[("styled span", (text, element.get(f"{{{TEXT}}}style-name")))] += 1
    return found


def _odt_right_to_left(content, paragraph) -> bool:
    name = paragraph.get(f"{{{TEXT}}}style-name")
    for style in content.iter(f"{{{STYLE}}}style"):
        if style.get(f"{{{STYLE}}}name") == name:
            properties = style.find(f"{{{STYLE}}}paragraph-properties")
            return properties is not None and properties.get(f"{{{STYLE}}}writing-mode") == "rl-tb"
    return False


def _odt_words_before_notes(root) -> list[str]:
    found = []
    for paragraph in root.iter(f"{{{TEXT}}}p", f"{{{TEXT}}}h"):
        if _owner(paragraph, f"{{{TEXT}}}note") is not None:
            continue
        text = paragraph.text or ""
        for child in paragraph:
            if child.tag == f"{{{TEXT}}}note":
                words = re.findall(r"\w+", re.sub(r"<\w+>", "", text))
                found.append(words[-1] if words else "")
            else:
                text += _odt_text(child)
            text += child.tail or ""
    return found


def _compare_opendocument(source: bytes, copy: bytes, tag: str, *, parts: _Tally, spans: _Tally, marks: _Tally,
                          right_to_left: _Tally | None) -> None:
    for part in ("content.xml", "styles.xml"):
        root, copy_root = _odt(source, part), _odt(copy, part)
        if root is None or copy_root is None:
            continue
        for paragraph in copy_root.iter(f"{{{TEXT}}}p", f"{{{TEXT}}}h"):
            text = _odt_text(paragraph)
            if _WORD.search(text):
                kind = _odt_paragraph_kind(paragraph, part)
                parts.add(kind, tag in text)
                if right_to_left is not None and kind == "body":
                    right_to_left.add("body", _odt_right_to_left(copy_root, paragraph))
        wanted, got = _odt_spans(root), _odt_spans(copy_root)
        for (span_kind, text), count in wanted.items():
            for number in range(count):
                spans.add(span_kind, got[(span_kind, text)] > number)
        before, after = _odt_words_before_notes(root), _odt_words_before_notes(copy_root)
        for number, word in enumerate(before):
            marks.add("note marks", number < len(after) and after[number] == word)
