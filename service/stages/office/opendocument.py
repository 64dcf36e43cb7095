"""OpenDocument text (.odt) articles: read into lines, and translated copies that keep the layout.

Reading and rewriting work on the package's content.xml and styles.xml with lxml, after
package.py's checks: every element and attribute LibreOffice wrote stays as it was, which a
reader that models only part of the format cannot promise. Headers and footers (in the
master pages), footnotes, endnotes and comments are kept apart from the body.

In a translated copy each paragraph and heading is translated by sentence; text in a
span of its own style (bold, italic, a character style) or a link keeps it on the words the
model's alignment gives it, as in word.py (pieces.py). Notes, comments, frames and
bookmarks inside a paragraph go after the translation of the word they followed; the
paragraphs of a note or a comment are translated inside it. For Arabic every translated paragraph gets a
right-to-left style of its own, based on the one it had.
"""

from __future__ import annotations

import io
import re
import zipfile
from copy import deepcopy
from dataclasses import dataclass
from collections.abc import Mapping

from ...errors import InvalidInput
from ..clean import HEADING, PARAGRAPH
from ..outline import TITLE, Document, outline_of
from .package import Limits, ParagraphCount, check_paragraphs, open_package, parse_xml
from ..pieces import Aligned, Formatted, Mark, Place, Split, Translate

TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
KIND = "OpenDocument"
MIMETYPE = b"application/vnd.oasis.opendocument.text"

def _t(tag: str) -> str:
    return f"{{{TEXT}}}{tag}"


_PARAGRAPHS = (_t("p"), _t("h"))
# Inline content that is not text: kept (moved to the paragraph's end in a copy), never read as body.
_APART = {_t("note"), f"{{{OFFICE}}}annotation", f"{{{OFFICE}}}annotation-end", f"{{{DRAW}}}frame",
          f"{{{DRAW}}}a", _t("bookmark"), _t("bookmark-start"), _t("bookmark-end"), _t("reference-mark"),
          _t("reference-mark-start"), _t("reference-mark-end"), _t("soft-page-break"), _t("change-start"),
          _t("change-end"), _t("change"), _t("toc-mark"), _t("alphabetical-index-mark")}
_WRAPPERS = {_t("span"), _t("a")}  # inline elements whose text is the paragraph's, with a style or a link
# Fields: their text is the document's (a number, a date, a reference's target); kept where they stand.
_FIELDS = {_t(tag) for tag in (
    "page-number", "page-count", "date", "time", "chapter", "sequence", "sequence-ref", "file-name", "title",
    "subject", "author-name", "author-initials", "initial-creator", "creation-date", "creation-time",
    "bookmark-ref", "reference-ref", "note-ref", "bibliography-mark", "page-variable-get", "variable-get",
    "variable-set", "user-field-get", "user-defined", "expression", "template-name", "word-count",
    "character-count", "paragraph-count", "table-count", "image-count")}


def _package(data: bytes, *, name: str, limits: Limits) -> tuple[dict[str, bytes], object, object]:
    parts = open_package(data, name=name, kind=KIND, limits=limits)
    if parts.get("mimetype", b"").strip() != MIMETYPE or "content.xml" not in parts:
        raise InvalidInput(f"{name} is not an OpenDocument text (.odt): save it as .odt from LibreOffice, or "
                           "as .docx")
    content = parse_xml(parts["content.xml"], name=name, part="content.xml")
    styles = parse_xml(parts["styles.xml"], name=name, part="styles.xml") if "styles.xml" in parts else None
    return parts, content, styles


def _body(content):
    body = content.find(f"{{{OFFICE}}}body/{{{OFFICE}}}text")
    if body is None:
        raise InvalidInput("the .odt has no text body (office:text): save it as a text document from LibreOffice")
    return body


def read_opendocument(data: bytes, *, name: str, limits: Limits) -> Document:
    """The article in an .odt: one line per paragraph, heading, list item, table row and paragraph
    of a frame's text box (after the paragraph the frame is anchored in)."""
    _parts, content, styles = _package(data, name=name, limits=limits)
    blocks: list[tuple[str, str]] = []  # (kind, text)
    count = ParagraphCount(name=name, limits=limits)
    parents = _parent_styles(content, styles)

    def walk(container) -> None:
        for child in container:
            if child.tag in _PARAGRAPHS:
                count.add(1)
                blocks.append((_kind(child, parents), _line(child)))
                for box in _text_boxes(child):
                    walk(box)
            elif child.tag == f"{{{DRAW}}}frame":  # a frame anchored to the page, not to a paragraph
                for box in _text_boxes(child):
                    walk(box)
            elif child.tag == f"{{{TABLE}}}table":
                for row in child.iter(f"{{{TABLE}}}table-row"):
                    cells = [cell for cell in row if cell.tag == f"{{{TABLE}}}table-cell"]
                    count.add(len(cells))
                    texts = [" ".join(_line(p) for p in cell.iter(*_PARAGRAPHS)) for cell in cells]
                    blocks.append((PARAGRAPH, " | ".join(text for text in texts if text.strip())))
            elif child.tag in (_t("list"), _t("list-item"), _t("list-header"), _t("section"),
                               f"{{{TABLE}}}table-header-rows"):
                walk(child)

    walk(_body(content))
    left_out = tuple(_apart(content, styles))
    return Document("\n".join(text for _kind, text in blocks if text), left_out,
                    outline=outline_of(blocks, left_out=left_out))


def _text_boxes(holder) -> list:
    """The frames' text boxes in a paragraph or a frame (not in a paragraph nested in it), read
    after its own text (issue 32: a document whose text was all in frames read as empty)."""
    boxes = []
    for box in holder.iter(f"{{{DRAW}}}text-box"):
        above = box.getparent()
        while above is not None and above is not holder and above.tag not in _PARAGRAPHS:
            above = above.getparent()
        if above is holder:
            boxes.append(box)
    return boxes


def _parent_styles(*trees) -> dict[str, str]:
    """Each paragraph style's parent, by name (LibreOffice's automatic styles P1, P2, ... are
    based on the named style the writer chose)."""
    parents = {}
    for tree in trees:
        if tree is None:
            continue
        for style in tree.iter(f"{{{STYLE}}}style"):
            parent = style.get(f"{{{STYLE}}}parent-style-name")
            if parent:
                parents[style.get(f"{{{STYLE}}}name", "")] = parent
    return parents


def _kind(paragraph, parents: dict[str, str]) -> str:
    """TITLE, HEADING (text:h, or a style based on Heading) or PARAGRAPH."""
    if paragraph.tag == _t("h"):
        return HEADING
    name, seen = paragraph.get(_t("style-name"), ""), set()
    while name and name not in seen:
        if name == "Title":
            return TITLE
        if name.startswith("Heading"):
            return HEADING
        seen.add(name)
        name = parents.get(name, "")
    return PARAGRAPH


def _text_of(element, *, skip=_APART) -> str:
    """The text of a paragraph as LibreOffice shows it: spaces, tabs and line breaks spelled out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag in skip:
            pass
        elif child.tag == _t("s"):
            parts.append(_spaces(child))
        elif child.tag == _t("tab"):
            parts.append("\t")
        elif child.tag == _t("line-break"):
            parts.append("\n")
        elif isinstance(child.tag, str):
            parts.append(_text_of(child, skip=skip))
        parts.append(child.tail or "")
    return "".join(parts)


def _line(element) -> str:
    return " ".join(_text_of(element).split())


# More spaces than a line holds say nothing more; a text:c of millions would fill memory.
_MOST_SPACES = 100


def _spaces(element) -> str:
    """The spaces a text:s stands for (its text:c, 1 when absent; odd values count as 1)."""
    count = element.get(_t("c"), "1")
    if not (count.isascii() and count.isdigit()) or not count.strip("0"):
        return " "
    return " " * (_MOST_SPACES if len(count) > 3 else min(int(count), _MOST_SPACES))


def _apart(content, styles):
    """Headers and footers, footnotes and endnotes, comments, labelled: kept out of the body."""
    if styles is not None:
        seen = set()
        for label, tag in (("Header", "header"), ("Footer", "footer")):
            for region in styles.iter(f"{{{STYLE}}}{tag}", f"{{{STYLE}}}{tag}-first", f"{{{STYLE}}}{tag}-left"):
                for paragraph in region.iter(*_PARAGRAPHS):
                    text = _line(paragraph)
                    if text and (label, text) not in seen:
                        seen.add((label, text))
                        yield f"{label}: {text}"
    for note in content.iter(_t("note")):
        label = "Endnote" if note.get(_t("note-class")) == "endnote" else "Footnote"
        body = note.find(_t("note-body"))
        text = " ".join(_line(p) for p in body.iter(*_PARAGRAPHS)) if body is not None else ""
        if text.strip():
            yield f"{label}: {text.strip()}"
    for comment in content.iter(f"{{{OFFICE}}}annotation"):
        author = comment.find("{http://purl.org/dc/elements/1.1/}creator")
        text = " ".join(_line(p) for p in comment.iter(*_PARAGRAPHS))
        if text.strip():
            by = f" ({author.text})" if author is not None and author.text else ""
            yield f"Comment{by}: {text.strip()}"


# --- translated copies ------------------------------------------------------------------------


def translate_opendocument(data: bytes, *, name: str, limits: Limits, translate: Translate, split: Split,
                           right_to_left: bool) -> bytes:
    """A copy of the .odt with every paragraph and heading translated (body, tables, lists, frames,
    headers and footers, footnotes, endnotes and comments: a note's paragraphs are translated where
    they stand inside it, and the note stays with its paragraph)."""
    parts, content, styles = _package(data, name=name, limits=limits)
    trees = [("content.xml", content)] + ([("styles.xml", styles)] if styles is not None else [])
    plans = []
    for _part, tree in trees:
        for paragraph in tree.iter(*_PARAGRAPHS):
            plan = _plan(paragraph, split)
            if plan is not None:
                plans.append((tree, plan))
    check_paragraphs(len(plans), name=name, max_paragraphs=limits.max_paragraphs)
    wanted = list(dict.fromkeys(text for _tree, plan in plans for text in plan.texts()))
    translations = dict(zip(wanted, translate(wanted))) if wanted else {}
    right_to_left_styles: dict[tuple[int, str], str] = {}
    for tree, plan in plans:
        plan.write(translations)
        if right_to_left:
            _make_right_to_left(plan.paragraph, tree, right_to_left_styles)
    from lxml import etree

    rewritten = {part: etree.tostring(tree, xml_declaration=True, encoding="UTF-8") for part, tree in trees}
    return _zip_like(data, {**parts, **rewritten})


@dataclass(frozen=True)
class _Stretch:
    """The text between two fields: its pieces, each with the chain of spans/links it sits in, as
    formatted pieces (None when it has no word to translate: a colon between two fields), and the
    field that ends it, with its own chain (None for the paragraph's last stretch); and the objects
    in it (a note, a comment, a frame, a bookmark), each with the offset in its text where it sits
    and its chain."""

    pieces: tuple[tuple[str, tuple], ...]
    formatted: Formatted | None
    field: object = None
    field_chain: tuple = ()
    marks: tuple[tuple[int, object, tuple], ...] = ()


class _Plan:
    """One paragraph's text as stretches between its fields, each with the inline objects in it."""

    def __init__(self, paragraph, stretches: list[_Stretch]):
        self.paragraph, self.stretches = paragraph, stretches

    def texts(self) -> list[str]:
        return [text for stretch in self.stretches if stretch.formatted for text in stretch.formatted.texts()]

    def write(self, translations: Mapping[str, str | Aligned]) -> None:
        paragraph = self.paragraph
        for child in list(paragraph):
            paragraph.remove(child)
        paragraph.text = None
        previous_chain, holder = None, None

        def holder_for(chain: tuple):
            nonlocal previous_chain, holder
            if holder is None or _key(chain) != _key(previous_chain):
                holder = paragraph
                for wrapper in chain:
                    inner = paragraph.makeelement(wrapper.tag, dict(wrapper.attrib))
                    holder.append(inner)
                    holder = inner
                previous_chain = chain
            return holder

        for stretch in self.stretches:
            chains = [chain for _text, chain in stretch.pieces]
            if stretch.formatted is None:
                pieces = [(text, index) for index, (text, _chain) in enumerate(stretch.pieces)]
                pieces += [Mark(index) for index in range(len(stretch.marks))]
            else:
                in_link = lambda piece: any(wrapper.tag == _t("a") for wrapper in chains[piece])  # noqa: E731
                places = [Place(offset, opens=_opens_range(element)) for offset, element, _chain in stretch.marks]
                pieces = stretch.formatted.translated(translations, essential=in_link, marks=places)
            for item in pieces:
                if isinstance(item, Mark):  # a note, a comment, a frame: after the word it followed
                    _offset, element, chain = stretch.marks[item.index]
                    element.tail = None
                    holder_for(chain).append(element)
                    continue
                text, piece = item
                _append_text(holder_for(chains[piece]), text)
            if stretch.field is not None:
                stretch.field.tail = None
                holder_for(stretch.field_chain).append(stretch.field)


def _opens_range(element) -> bool:
    """Whether ``element`` opens a range (a bookmark's, a comment's with a name for its end)."""
    if element.tag == f"{{{OFFICE}}}annotation":
        return element.get(f"{{{OFFICE}}}name") is not None
    return element.tag in (_t("bookmark-start"), _t("reference-mark-start"), _t("change-start"))


def _key(chain: tuple | None) -> tuple:
    """A chain's formatting: equal keys, equal spans and links."""
    return tuple((element.tag, tuple(sorted(element.attrib.items()))) for element in chain or ())


def _plan(paragraph, split: Split) -> _Plan | None:
    """The paragraph's stretches between fields: a field (a caption's number, a cross-reference,
    a page number) stays as it is and the words around it are translated (issue 32: a paragraph
    holding one was left in the source language whole); None for a paragraph with nothing to
    translate or an element this reader does not know (then it is left as it was)."""
    stretches: list[_Stretch] = []
    pieces: list[tuple[str, tuple]] = []
    marks: list[tuple[int, object, tuple]] = []
    unknown = False

    def close(field=None, field_chain: tuple = ()) -> None:
        nonlocal pieces, marks
        formatted = Formatted.of([text for text, _ in pieces], [_key(chain) for _, chain in pieces], split)
        if formatted is not None and not re.search(r"\w", formatted.text):
            formatted = None
        stretches.append(_Stretch(tuple(pieces), formatted, field, field_chain, tuple(marks)))
        pieces, marks = [], []

    def walk(element, chain: tuple) -> None:
        nonlocal unknown
        if element.text:
            pieces.append((element.text, chain))
        for child in element:
            if child.tag in _APART or not isinstance(child.tag, str):
                marks.append((sum(len(text) for text, _chain in pieces), child, chain))
            elif child.tag in _FIELDS:
                close(child, chain)
            elif child.tag == _t("s"):
                pieces.append((_spaces(child), chain))
            elif child.tag == _t("tab"):
                pieces.append(("\t", chain))
            elif child.tag == _t("line-break"):
                pieces.append(("\n", chain))
            elif child.tag in _WRAPPERS:
                walk(child, chain + (child,))
            else:  # an element we do not know: leave the paragraph as it is
                unknown = True
            if child.tail:
                pieces.append((child.tail, chain))

    walk(paragraph, ())
    close()
    if unknown or not any(stretch.formatted for stretch in stretches):
        return None
    return _Plan(paragraph, stretches)


_WHITESPACE = re.compile(r"(\t|\n| {2,})")


def _append_text(element, text: str) -> None:
    """Append text to element's content as ODF spells it: runs of spaces as <text:s>, tabs, breaks."""
    for token in _WHITESPACE.split(text):
        if not token:
            continue
        if token == "\t":
            element.append(element.makeelement(_t("tab"), {}))
        elif token == "\n":
            element.append(element.makeelement(_t("line-break"), {}))
        elif token.startswith("  ") and not token.strip():
            _append_plain(element, " ")
            element.append(element.makeelement(_t("s"), {_t("c"): str(len(token) - 1)}))
        else:
            _append_plain(element, token)


def _append_plain(element, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _make_right_to_left(paragraph, tree, made: dict[tuple[int, str], str]) -> None:
    """Give the paragraph a right-to-left paragraph style based on its own (made once per style and part)."""
    name = paragraph.get(_t("style-name"), "")
    key = (id(tree), name)
    if key not in made:
        automatic = tree.find(f"{{{OFFICE}}}automatic-styles")
        if automatic is None:
            automatic = tree.makeelement(f"{{{OFFICE}}}automatic-styles", {})
            tree.insert(0, automatic)
        own = next((style for style in automatic if style.get(f"{{{STYLE}}}name") == name
                    and style.get(f"{{{STYLE}}}family") == "paragraph"), None) if name else None
        new_name = f"NewsdeskRtl{len(made) + 1}"
        if own is not None:  # an automatic style cannot be a parent: copy it instead
            style = deepcopy(own)
            style.set(f"{{{STYLE}}}name", new_name)
        else:
            style = automatic.makeelement(f"{{{STYLE}}}style", {f"{{{STYLE}}}name": new_name,
                                                                 f"{{{STYLE}}}family": "paragraph"})
            if name:
                style.set(f"{{{STYLE}}}parent-style-name", name)
        properties = style.find(f"{{{STYLE}}}paragraph-properties")
        if properties is None:
            properties = style.makeelement(f"{{{STYLE}}}paragraph-properties", {})
            text_properties = style.find(f"{{{STYLE}}}text-properties")
            if text_properties is not None:
                text_properties.addprevious(properties)
            else:
                style.append(properties)
        properties.set(f"{{{STYLE}}}writing-mode", "rl-tb")
        properties.set(f"{{{FO}}}text-align", "end")
        automatic.append(style)
        made[key] = new_name
    paragraph.set(_t("style-name"), made[key])


def _zip_like(original: bytes, parts: dict[str, bytes]) -> bytes:
    """A package with the original's members in their order, mimetype first and stored, as ODF requires."""
    source = zipfile.ZipFile(io.BytesIO(original))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), parts["mimetype"], compress_type=zipfile.ZIP_STORED)
        for info in source.infolist():
            if info.filename != "mimetype" and not info.is_dir():
                archive.writestr(info.filename, parts[info.filename], compress_type=zipfile.ZIP_DEFLATED)
    return output.getvalue()


def opendocument_summary(*, title: str, heading: str, sentences: list[str], right_to_left: bool) -> bytes:
    """A short .odt of its own: the title, a heading and the summary as a list."""
    from odf.opendocument import OpenDocumentText
    from odf.style import ParagraphProperties, Style
    from odf.text import H, List, ListItem, P

    document = OpenDocumentText()
    paragraph_style = {}
    if right_to_left:
        style = Style(name="NewsdeskRtl", family="paragraph")
        style.addElement(ParagraphProperties(writingmode="rl-tb", textalign="end"))
        document.automaticstyles.addElement(style)
        paragraph_style = {"stylename": style}
    if title:
        document.text.addElement(H(outlinelevel=1, text=title, **paragraph_style))
    document.text.addElement(H(outlinelevel=2, text=heading, **paragraph_style))
    items = List()
    for sentence in sentences:
        item = ListItem()
        item.addElement(P(text=sentence, **paragraph_style))
        items.addElement(item)
    document.text.addElement(items)
    output = io.BytesIO()
    document.write(output)
    return output.getvalue()
