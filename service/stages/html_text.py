"""Translating an HTML page or fragment in place: its markup kept, each block's text by sentence.

A block (a paragraph, a heading, a list item, a cell) is translated as the sentences it holds,
with its inline markup (bold, italic, a link, a span with a class) put back on the words of the
translation that render it, by the model's alignment (pieces.py), as in a .docx or .odt copy.
Translating each text node apart, as before, cut "Hello <b>world</b>." into three sentences
("Hello", "world", ".") and gave the model no context (issue 32). Pictures, line breaks,
scripts, styles and comments inside a block stay whole and go after the word they followed.
A stretch of a block's text between two blocks nested in it is translated on its own. A run
of spaces and line ends inside a block is written as one space (as a browser shows it), except
in <pre> and <textarea>.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .pieces import Aligned, Formatted, Mark, Place, Split, Translate

# Elements whose text is their block's, with a formatting of their own.
INLINE = frozenset({
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins",
    "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u",
    "var"})
# Kept whole where they stand in a block's text, never translated (a script's code, a picture).
OBJECTS = frozenset({"br", "img", "wbr", "input", "script", "style", "template", "svg", "math", "noscript",
                     "object", "embed", "iframe", "video", "audio", "canvas", "select", "textarea", "button"})
_KEPT_SPACES = frozenset({"pre", "textarea"})
_SPACES = re.compile(r"\s+")
_XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def rewrite_html_text(fragment: str, translate: Translate, *, split: Split) -> str:
    """``fragment`` with the text of every block translated by ``translate`` (sentences and the
    spans inside them -> their translations, in one call), its markup kept; ``split`` cuts a
    block's text into sentences."""
    import lxml.html

    wrapper = lxml.html.fragment_fromstring(_XML_INCOMPATIBLE.sub("", fragment), create_parent="div")
    stretches: list[_Stretch] = []
    _gather(wrapper, stretches, split)
    wanted = list(dict.fromkeys(text for stretch in stretches for text in stretch.formatted.texts()))
    translations = dict(zip(wanted, translate(wanted))) if wanted else {}
    for stretch in stretches:
        stretch.write(translations)
    inner = "".join(lxml.html.tostring(child, encoding="unicode") for child in wrapper)
    return (wrapper.text or "") + inner


@dataclass
class _Stretch:
    """A run of a block's text between the blocks nested in it: the block's children that hold it
    (inline elements and objects), after ``before`` (the nested block it follows, None at the
    block's start, where its first text is the block's own)."""

    block: object
    before: object
    children: list
    pieces: list[tuple[str, tuple]]
    marks: list[tuple[int, object, tuple]]
    formatted: Formatted

    def write(self, translations: Mapping[str, str | Aligned]) -> None:
        links = lambda piece: any(element.tag == "a" for element in self.pieces[piece][1])  # noqa: E731
        places = [Place(offset) for offset, _element, _chain in self.marks]
        items = self.formatted.translated(translations, essential=links, marks=places)
        for child in self.children:
            self.block.remove(child)
        if self.before is None:
            self.block.text = None
        else:
            self.before.tail = None
        builder = _Builder(self.block, self.before)
        for item in items:
            if isinstance(item, Mark):
                _offset, element, chain = self.marks[item.index]
                element.tail = None
                builder.append(element, chain)
            else:
                text, piece = item
                builder.text(text, self.pieces[piece][1])


def _gather(block, stretches: list[_Stretch], split: Split) -> None:
    """The stretches of ``block`` and of every block inside it, in document order."""
    if not isinstance(block.tag, str) or block.tag in OBJECTS:
        return
    keep_spaces = block.tag in _KEPT_SPACES or any(parent.tag in _KEPT_SPACES for parent in block.iterancestors())
    state = _Gathering(block, None, keep_spaces)
    if block.text:
        state.add_text(block.text, ())
    for child in list(block):
        if _is_inline(child):
            state.children.append(child)
            state.walk(child, (child,))
        elif _is_object(child):
            state.children.append(child)
            state.add_mark(child, ())
        else:  # a block inside the block: what came before is a stretch; it is gathered on its own
            state.close(stretches, split)
            _gather(child, stretches, split)
            state = _Gathering(block, child, keep_spaces)
        if child.tail:
            state.add_text(child.tail, ())
    state.close(stretches, split)


def _is_inline(element) -> bool:
    """An inline element with words in it and no block (a link around a <div> is a block's
    business; an empty one, an anchor, stays whole as an object)."""
    return (isinstance(element.tag, str) and element.tag in INLINE and bool(element.text_content().strip())
            and all(not isinstance(inner.tag, str) or inner.tag in INLINE or inner.tag in OBJECTS
                    for inner in element.iterdescendants()))


def _is_object(element) -> bool:
    """A comment, a picture, a script, an empty inline element: kept whole where it stands."""
    return (not isinstance(element.tag, str) or element.tag in OBJECTS
            or (element.tag in INLINE and not element.text_content().strip()))


class _Gathering:
    """One stretch being read: its text pieces with their inline chains, and the objects in it."""

    def __init__(self, block, before, keep_spaces: bool):
        self.block, self.before, self.keep_spaces = block, before, keep_spaces
        self.children: list = []
        self.pieces: list[tuple[str, tuple]] = []
        self.marks: list[tuple[int, object, tuple]] = []

    def add_text(self, text: str, chain: tuple) -> None:
        self.pieces.append((text if self.keep_spaces else _SPACES.sub(" ", text), chain))

    def add_mark(self, element, chain: tuple) -> None:
        self.marks.append((sum(len(text) for text, _chain in self.pieces), element, chain))
        if element.tag == "br":  # a line ends there: the sentence splitter sees it, the page keeps its <br>
            self.pieces.append(("\n", chain))

    def walk(self, element, chain: tuple) -> None:
        if element.text:
            self.add_text(element.text, chain)
        for child in element:
            if _is_inline(child):
                self.walk(child, chain + (child,))
            else:
                self.add_mark(child, chain)
            if child.tail:
                self.add_text(child.tail, chain)

    def close(self, stretches: list[_Stretch], split: Split) -> None:
        formatted = Formatted.of([text for text, _ in self.pieces], [_key(chain) for _, chain in self.pieces], split)
        if formatted is not None and re.search(r"\w", formatted.text):
            stretches.append(_Stretch(self.block, self.before, self.children, self.pieces, self.marks, formatted))


def _key(chain: tuple) -> tuple:
    """A chain's formatting: equal keys, equal markup."""
    return tuple((element.tag, tuple(sorted(element.attrib.items()))) for element in chain)


class _Builder:
    """Writes a stretch back: text and elements at the stretch's place, inside copies of their
    inline chains (pieces that share a chain's start share its elements)."""

    def __init__(self, block, before):
        self.block = block
        self.index = 0 if before is None else block.index(before) + 1
        self.last = before  # the element whose tail takes top-level text (None: the block's text)
        self.open: list[tuple[object, object]] = []  # (source element, its copy) from the outside in

    def _enter(self, chain: tuple) -> None:
        common = 0
        while common < len(self.open) and common < len(chain) and self.open[common][0] is chain[common]:
            common += 1
        del self.open[common:]
        for source in chain[common:]:
            copy = source.makeelement(source.tag, dict(source.attrib))
            self._put(copy)
            self.open.append((source, copy))

    def _put(self, element) -> None:
        if self.open:
            self.open[-1][1].append(element)
        else:
            self.block.insert(self.index, element)
            self.index += 1
            self.last = element

    def text(self, text: str, chain: tuple) -> None:
        self._enter(chain)
        if self.open:
            holder = self.open[-1][1]
            if len(holder):
                holder[-1].tail = (holder[-1].tail or "") + text
            else:
                holder.text = (holder.text or "") + text
        elif self.last is None:
            self.block.text = (self.block.text or "") + text
        else:
            self.last.tail = (self.last.tail or "") + text

    def append(self, element, chain: tuple) -> None:
        self._enter(chain)
        self._put(element)
