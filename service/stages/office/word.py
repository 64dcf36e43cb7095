"""Word (.docx) articles: read into lines, and translated copies that keep the document's layout.

Reading keeps the body apart from what is not the article: headers, footers, footnotes,
endnotes and comments become ``Document.left_out`` (labelled), never body lines.

A translated copy rewrites each paragraph in place: its style, numbering and alignment
stay, and so do pictures, fields and tables around it. A paragraph is translated sentence
by sentence; each translated sentence takes the formatting of the run it started in (a
bold lead sentence stays bold). A shorter span formatted apart inside a sentence (a bold
name, an italic title, a link) goes onto the words the model's alignment gives it
(pieces.py); a link is never lost: where its words cannot be placed, the whole sentence
becomes the link, its address kept. A note's or a comment's mark, a comment's range, a
bookmark and an inline picture go after the translation of the word they followed. A field (a caption's number, a
citation, a cross-reference, page numbers, a table of contents) keeps its code and its result
as they are; the text around it is translated, each stretch between fields on its own.

Tracked changes are read and translated as accepted: an insertion (or a move's new place)
is the text, a deletion (or a move's old place) is not, and two paragraphs whose mark between
them was deleted are one (issue 32: an inserted word was lost
from the article, and a paragraph holding one crashed the copy). A translated copy is a new
text, so it carries no revision marks of the source's words.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field

from lxml import etree

from ...errors import InvalidInput
from ..clean import HEADING, PARAGRAPH
from ..outline import TITLE, Document, outline_of
from .package import Limits, ParagraphCount, check_paragraphs, open_package, parse_xml
from ..pieces import Aligned, Formatted, Mark, Place, Split, Translate

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
KIND = "Word"


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# Runs whose content is not text: never rewritten; in a copy each goes after the word it followed.
_OBJECTS = {_w("drawing"), _w("pict"), _w("object"), _w("fldChar"), _w("instrText"), _w("footnoteReference"),
            _w("endnoteReference"), _w("commentReference"), _w("sym"), _w("footnoteRef"), _w("endnoteRef"),
            _w("annotationRef")}
# Containers of runs inside a paragraph, in the order Word writes them.
_RUN_PATH = ("./w:r | ./w:hyperlink/w:r | ./w:smartTag/w:r | ./w:customXml/w:r"
             " | ./w:sdt/w:sdtContent/w:r")
# Where a comment's or a bookmark's range begins and ends: each goes after the word it followed.
_MARK_PATH = "./w:commentRangeStart | ./w:commentRangeEnd | ./w:bookmarkStart | ./w:bookmarkEnd"
_RANGE_MARKS = {_w(tag) for tag in ("commentRangeStart", "commentRangeEnd", "bookmarkStart", "bookmarkEnd")}
_RANGE_STARTS = {_w("commentRangeStart"), _w("bookmarkStart")}
# Tracked changes: what a deletion removes and what an insertion adds, around runs; the same
# tags inside a property element (w:rPr, w:trPr) only mark a paragraph mark or a row.
_DELETED = (_w("del"), _w("moveFrom"))
_INSERTED = (_w("ins"), _w("moveTo"))
# What is left of a revision once its text is settled: marks on paragraph marks and rows, formatting
# changes, the ranges of a move.
_REVISION_MARKS = (*_DELETED, *_INSERTED, *(_w(tag) for tag in (
    "rPrChange", "pPrChange", "sectPrChange", "tblPrChange", "tblGridChange", "trPrChange", "tcPrChange",
    "numberingChange", "moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd",
    "cellIns", "cellDel", "cellMerge")))
_NOTES = (("word/footnotes.xml", "footnote", "Footnote"), ("word/endnotes.xml", "endnote", "Endnote"),
          ("word/comments.xml", "comment", "Comment"))


def _document(data: bytes, *, name: str, limits: Limits):
    """python-docx's Document, once the package has passed its checks, and its parts."""
    import docx

    parts = open_package(data, name=name, kind=KIND, limits=limits)
    if "word/document.xml" not in parts and "[Content_Types].xml" not in parts:
        raise InvalidInput(f"{name} is not a Word document (it has no word/document.xml): save it as .docx "
                           "from Word or LibreOffice")
    try:
        return docx.Document(io.BytesIO(data)), parts
    except Exception:  # python-docx raises KeyError, ValueError, PackageNotFoundError... on damaged files
        raise InvalidInput(f"{name} is a damaged Word document: open it in Word or LibreOffice and save it "
                           "again as .docx") from None


def read_word(data: bytes, *, name: str, limits: Limits) -> Document:
    """The article in a .docx: one line per paragraph, heading, list item, table row and paragraph
    of a text box (after the paragraph the box is drawn in)."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document, parts = _document(data, name=name, limits=limits)
    _accept_tracked_changes(document.element.body)
    blocks: list[tuple[str, str]] = []  # (kind, text)
    count = ParagraphCount(name=name, limits=limits)

    def walk(container) -> None:
        for child in container.iterchildren():
            if child.tag == _w("p"):
                count.add(1)
                paragraph = Paragraph(child, document)
                blocks.append((_kind(paragraph), _line(paragraph)))
                for box in _text_boxes(child):
                    walk(box)
            elif child.tag == _w("tbl"):
                table = Table(child, document)
                for row in table.rows:
                    cells = list(dict.fromkeys(cell._tc for cell in row.cells))  # a merged cell repeats
                    count.add(len(cells))
                    texts = [_line_of(" ".join(_text_of(p) for p in cell.iter(_w("p")) if _in_cell(p, cell)))
                             for cell in cells]
                    blocks.append((PARAGRAPH, " | ".join(text for text in texts if text)))
            elif child.tag in (_w("sdt"), _w("sdtContent"), _w("customXml")):
                walk(child)

    walk(document.element.body)
    left_out = tuple(_apart(document, parts, name))
    return Document("\n".join(text for _kind, text in blocks if text), left_out,
                    outline=outline_of(blocks, left_out=left_out))


_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _text_boxes(paragraph) -> list:
    """The text boxes drawn in a paragraph (not in one nested in it), read after its own text
    (issue 32: a document whose text was all in text boxes read as empty). Word writes each box
    twice, as a drawing and as a fallback picture for old readers: the fallback is not read."""
    boxes = []
    for box in paragraph.iter(_w("txbxContent")):
        holder = box.getparent()
        while holder is not None and holder is not paragraph and holder.tag != f"{{{_MC}}}Fallback":
            holder = holder.getparent()
        if holder is paragraph and _own(box, paragraph):
            boxes.append(box)
    return boxes


def _kind(paragraph) -> str:
    """TITLE, HEADING or PARAGRAPH, by the paragraph's style or the styles it is based on (Word
    writes the built-in styles' English names into every document, whatever its language), or
    by an outline level set on the paragraph itself."""
    style = paragraph.style
    while style is not None:
        if style.name == "Title":
            return TITLE
        if (style.name or "").startswith("Heading"):
            return HEADING
        style = style.base_style
    level = paragraph._p.find(f"{_w('pPr')}/{_w('outlineLvl')}")
    if level is not None and level.get(_w("val"), "9").isdigit() and int(level.get(_w("val"), "9")) < 9:
        return HEADING  # level 9 is body text
    return PARAGRAPH


def _in_cell(paragraph, cell) -> bool:
    """Whether a paragraph is the cell's own (not one of a table nested in it)."""
    parent = paragraph.getparent()
    while parent is not None and parent.tag != _w("tc"):
        parent = parent.getparent()
    return parent is cell


def _line_of(text: str) -> str:
    return " ".join(text.split())


def _line(paragraph) -> str:
    return _line_of(_text_of(paragraph._p))


def _text_of(paragraph) -> str:
    """A w:p's text: every run of its own, in a link, a field's result, a content control or a
    smart tag too (python-docx's ``text`` reads runs and links only)."""
    return "".join(_run_text(run) for run in paragraph.iter(_w("r")) if _own(run, paragraph))


def _accept_tracked_changes(root) -> None:
    """Drop what tracked deletions removed and unwrap what insertions added, in place; a row marked
    deleted goes, a paragraph whose mark was deleted joins the next one, and the remaining marks
    (of inserted paragraph marks, formatting, moves) go with it."""
    for change in list(root.iter(_w("del"))):
        properties = change.getparent().getparent()
        if change.getparent().tag == _w("rPr") and properties is not None and properties.tag == _w("pPr"):
            _join_next(properties.getparent())
    for change in list(root.iter(*_DELETED)):
        parent = change.getparent()
        if parent is None:
            continue
        if parent.tag == _w("trPr") and change.tag == _w("del"):
            row = parent.getparent()
            if row is not None and row.getparent() is not None:
                row.getparent().remove(row)
        elif not parent.tag.endswith("Pr"):
            parent.remove(change)
    for change in list(root.iter(*_INSERTED)):
        parent = change.getparent()
        if parent is None or parent.tag.endswith("Pr"):
            continue
        for child in list(change):
            change.addprevious(child)
        parent.remove(change)
    for mark in list(root.iter(*_REVISION_MARKS)):
        if mark.getparent() is not None:
            mark.getparent().remove(mark)


def _join_next(paragraph) -> None:
    """A paragraph whose mark was deleted: its content goes to the start of the next paragraph,
    which keeps its own properties (Word keeps a paragraph's formatting in its mark); one that
    ends a section, or is the last of its cell or part, stays."""
    following = paragraph.getnext()
    properties = paragraph.find(_w("pPr"))
    if following is None or following.tag != _w("p") or (properties is not None
                                                            and properties.find(_w("sectPr")) is not None):
        return
    own = following.find(_w("pPr"))
    at = 0 if own is None else following.index(own) + 1
    for child in reversed([child for child in paragraph if child.tag != _w("pPr")]):
        following.insert(at, child)
    paragraph.getparent().remove(paragraph)


def _apart(document, parts: dict[str, bytes], name: str):
    """Headers, footers, footnotes, endnotes and comments, labelled: kept out of the body."""
    seen = set()
    for section in document.sections:
        for label, parts_of_section in (("Header", (section.header, section.first_page_header, section.even_page_header)),
                                        ("Footer", (section.footer, section.first_page_footer, section.even_page_footer))):
            for part in parts_of_section:
                if part.is_linked_to_previous:
                    continue
                for paragraph in part.paragraphs:
                    text = _line(paragraph)
                    if text and (label, text) not in seen:
                        seen.add((label, text))
                        yield f"{label}: {text}"
    for path, tag, label in _NOTES:
        if path not in parts:
            continue
        for note in parse_xml(parts[path], name=name, part=path).iter(_w(tag)):
            if note.get(_w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
                continue
            text = _line_of(" ".join("".join(t.text or "" for t in p.iter(_w("t"))) for p in note.iter(_w("p"))))
            author = f" ({note.get(_w('author'))})" if tag == "comment" and note.get(_w("author")) else ""
            if text:
                yield f"{label}{author}: {text}"


# --- translated copies ------------------------------------------------------------------------



def translate_word(data: bytes, *, name: str, limits: Limits, translate: Translate, split: Split,
                   right_to_left: bool) -> bytes:
    """A copy of the .docx with every paragraph translated (body, tables, headers, footers, text boxes,
    footnotes, endnotes and comments).

    ``translate`` takes a list of sentences or phrases and returns their translations, in order;
    ``split`` cuts a paragraph's text into sentences. ``right_to_left`` (Arabic) makes each
    paragraph and run right-to-left.
    """
    document, _parts = _document(data, name=name, limits=limits)
    paragraphs, seen = [], set()
    roots = [document.element.body]
    for section in document.sections:
        for part in (section.header, section.first_page_header, section.even_page_header,
                     section.footer, section.first_page_footer, section.even_page_footer):
            if not part.is_linked_to_previous:
                roots.append(part._element)
    notes = _note_parts(document, name)
    roots += [root for _part, root in notes]
    for root in roots:
        _accept_tracked_changes(root)
        for paragraph in root.iter(_w("p")):
            if id(paragraph) not in seen:
                seen.add(id(paragraph))
                paragraphs.append(paragraph)
    check_paragraphs(len(paragraphs), name=name, max_paragraphs=limits.max_paragraphs)
    plans = [plan for stretch in _stretches(paragraphs) if (plan := _plan(stretch, split))]
    wanted = list(dict.fromkeys(text for plan in plans for text in plan.texts()))
    translations = dict(zip(wanted, translate(wanted))) if wanted else {}
    for plan in plans:
        plan.write(translations, right_to_left=right_to_left)
    for part, root in notes:
        if getattr(part, "element", None) is None:  # a part python-docx keeps as bytes: write them back
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _note_parts(document, name: str) -> list[tuple]:
    """(part, root element) of the footnotes, endnotes and comments the document itself points to.

    They are translated in the copy like its body (issue 32: they were left in the source
    language). python-docx parses comments, and keeps footnotes and endnotes as bytes, which
    are parsed here with its own parser (its paragraph and run classes, no entities resolved;
    open_package has refused any part with a DOCTYPE already)."""
    from docx.oxml.parser import parse_xml as parse_word_xml

    found = []
    for relationship in document.part.rels.values():
        if relationship.is_external or relationship.reltype not in _NOTE_RELATIONSHIPS:
            continue
        part = relationship.target_part
        root = getattr(part, "element", None)
        if root is None:
            try:
                root = parse_word_xml(part.blob)
            except etree.XMLSyntaxError:
                raise InvalidInput(f"{name} is damaged: its part {str(part.partname).lstrip('/')} is not well-formed "
                                   "XML; open it and save it again") from None
        found.append((part, root))
    return found


_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_NOTE_RELATIONSHIPS = {_RELATIONSHIPS + kind for kind in ("footnotes", "endnotes", "comments")}


class _Plan:
    """One paragraph's text runs, as formatted pieces (pieces.Formatted), and how to write them back."""

    def __init__(self, stretch: _Stretch, formatted: Formatted):
        self.paragraph, self.runs, self.marks, self.formatted = stretch.paragraph, stretch.runs, stretch.marks, formatted

    def texts(self) -> list[str]:
        return self.formatted.texts()

    def write(self, translations: Mapping[str, str | Aligned], *, right_to_left: bool) -> None:
        in_link = lambda index: self.runs[index].getparent().tag == _w("hyperlink")  # noqa: E731
        pieces = self.formatted.translated(translations, essential=in_link,
                                           marks=[Place(offset, opens=element.tag in _RANGE_STARTS)
                                                  for offset, element in self.marks])
        self._replace(pieces, right_to_left=right_to_left)

    def _replace(self, pieces: list[tuple[str, int] | Mark], *, right_to_left: bool) -> None:
        anchor = self.runs[0]  # the new runs go where the first one's outermost holder is
        while anchor.getparent() is not self.paragraph:
            anchor = anchor.getparent()
        for item in pieces:
            if isinstance(item, Mark):  # a note's mark, a comment's range, a picture: after its word
                anchor.addprevious(self.marks[item.index][1])
                continue
            text, index = item
            template = self.runs[index]
            run = _run_like(template, text, right_to_left=right_to_left)
            holder = template.getparent()
            if holder is not self.paragraph and holder.tag == _w("hyperlink"):
                link = holder.makeelement(holder.tag, holder.attrib)
                link.append(run)
                run = link
            anchor.addprevious(run)
        for run in self.runs:
            run.getparent().remove(run)
        for holder in self.paragraph.xpath("./w:hyperlink | ./w:smartTag | ./w:customXml | ./w:sdt"):
            # lxml's own elements (those python-docx has no class for) know no "w:" prefix: iter, not xpath
            if next(holder.iter(_w("r")), None) is None:
                self.paragraph.remove(holder)
        if right_to_left:
            _set_bidi(self.paragraph)


@dataclass
class _Stretch:
    """A stretch of a paragraph's text between fields: its text runs, and the objects among them
    (a note's mark, a comment's range, a picture) with the offset in its text where each sits."""

    paragraph: object
    runs: list = field(default_factory=list)
    marks: list[tuple[int, object]] = field(default_factory=list)

    def add_mark(self, element) -> None:
        self.marks.append((sum(len(_run_text(run)) for run in self.runs), element))


def _stretches(paragraphs: list) -> list[_Stretch]:
    """Each stretch of text between fields: a field's code and its result stay as they are and the
    words around it are translated (issue 32: "Table 1: Casualties by region", a SEQ field in it,
    was left in English whole). A field can run over paragraphs (a table of contents), so where
    one stands is carried from paragraph to paragraph."""
    stretches, depth = [], 0
    for paragraph in paragraphs:
        stretch = _Stretch(paragraph)
        own = [stretch]
        for item in paragraph.xpath(f"{_RUN_PATH} | ./w:fldSimple | ./w:hyperlink/w:fldSimple | {_MARK_PATH}"):
            if item.tag in _RANGE_MARKS:
                if depth == 0:
                    stretch.add_mark(item)
                continue
            marks = [child.get(_w("fldCharType")) for child in item if child.tag == _w("fldChar")]
            in_field = depth > 0 or item.tag == _w("fldSimple") or bool(marks) or item.find(_w("instrText")) is not None
            for mark in marks:
                if mark == "begin":
                    depth += 1
                elif mark == "end" and depth:
                    depth -= 1
                elif mark == "end":  # its field began before this part: what came before was its result
                    own = [_Stretch(paragraph)]
            if in_field:
                stretch = _Stretch(paragraph)
                own.append(stretch)
            elif any(child.tag in _OBJECTS for child in item):
                if item.getparent() is paragraph:
                    stretch.add_mark(item)
            elif _run_text(item):
                stretch.runs.append(item)
        stretches += [stretch for stretch in own if stretch.runs]
    return stretches


def _plan(stretch: _Stretch, split: Split) -> _Plan | None:
    runs = stretch.runs
    formatted = Formatted.of([_run_text(run) for run in runs], [_format_key(run) for run in runs], split)
    return None if formatted is None or not re.search(r"\w", formatted.text) else _Plan(stretch, formatted)


def _own(element, paragraph) -> bool:
    """Whether element belongs to this paragraph, not to one nested in it (a text box)."""
    parent = element.getparent()
    while parent is not None and parent is not paragraph:
        if parent.tag == _w("p"):
            return False
        parent = parent.getparent()
    return True


def _run_text(run) -> str:
    parts = []
    for child in run:
        if child.tag == _w("t"):
            parts.append(child.text or "")
        elif child.tag in (_w("tab"), _w("ptab")):
            parts.append("\t")
        elif child.tag in (_w("br"), _w("cr")) and child.get(_w("type")) in (None, "textWrapping"):
            parts.append("\n")
        elif child.tag == _w("noBreakHyphen"):
            parts.append("-")
    return "".join(parts)


def _format_key(run) -> bytes:
    properties = run.find(_w("rPr"))
    link = run.getparent().get(f"{{{_R}}}id", "") if run.getparent().tag == _w("hyperlink") else ""
    return (etree.tostring(properties) if properties is not None else b"") + link.encode()


_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _run_like(template, text: str, *, right_to_left: bool):
    """A new run with the template's formatting and ``text`` (tabs and line breaks as Word writes them)."""
    run = deepcopy(template)
    for child in list(run):
        if child.tag != _w("rPr"):
            run.remove(child)
    for index, line in enumerate(text.split("\n")):
        if index:
            run.append(run.makeelement(_w("br"), {}))
        for number, chunk in enumerate(line.split("\t")):
            if number:
                run.append(run.makeelement(_w("tab"), {}))
            if chunk:
                element = run.makeelement(_w("t"), {})
                element.text = chunk
                element.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                run.append(element)
    if right_to_left:
        run.get_or_add_rPr().get_or_add_rtl()
    return run


# What may follow <w:bidi> in <w:pPr> (the schema's order, which Word enforces).
_AFTER_BIDI = ("w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
               "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
               "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange")


def _set_bidi(paragraph) -> None:
    properties = paragraph.get_or_add_pPr()
    if properties.find(_w("bidi")) is None:
        properties.insert_element_before(properties.makeelement(_w("bidi"), {}), *_AFTER_BIDI)


def word_summary(*, title: str, heading: str, sentences: list[str], right_to_left: bool) -> bytes:
    """A short .docx of its own: the title, a heading and the summary as a bulleted list."""
    import docx

    document = docx.Document()
    paragraphs = [document.add_heading(title, level=0)] if title else []
    paragraphs.append(document.add_heading(heading, level=1))
    paragraphs += [document.add_paragraph(sentence, style="List Bullet") for sentence in sentences]
    if right_to_left:
        for paragraph in paragraphs:
            _set_bidi(paragraph._p)
            for run in paragraph.runs:
                run.font.rtl = True
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
