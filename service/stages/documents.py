"""Read articles from .txt, .md, .html, .docx, .odt and .pdf files (or bytes) into plain text, one block a line.

HTML is parsed by lxml, which repairs broken markup the way browsers do; trafilatura then
finds the article in it, and newsdesk writes the article out as lines the text cleaner
(service/stages/clean.py) reads: title, teaser, date, byline, paragraphs, subheadings, captions
with their credits. A page without an article is read whole, every block element a line.
Scripts and styles never become text; nothing is fetched. Word, OpenDocument and PDF files
are read by service/office/, which gives the same Document.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InvalidInput
from .outline import Document

if TYPE_CHECKING:
    from .office import Limits

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
OFFICE_SUFFIXES = (".docx", ".odt", ".pdf")  # service/office/ reads these
SUFFIXES = TEXT_SUFFIXES + OFFICE_SUFFIXES
_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "form",
              "button", "select", "input", "textarea", "head")
_BLOCK_TAGS = ("p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "li", "ul", "ol",
               "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "figure", "table", "tr", "td",
               "th", "dt", "dd", "pre", "br", "hr", "address", "time")


def read_article(path: Path) -> str:
    """Return the text of an article file, by its suffix."""
    return read_file(path).text


def read_file(path: Path, *, limits: Limits | None = None) -> Document:
    """Read an article file, by its suffix (``limits``: for .docx/.odt/.pdf; None: the defaults)."""
    path = Path(path)
    _check_suffix(path.name)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read it ({error.strerror})") from None
    return read_document(path.name, data, limits=limits)


def read_upload(name: str, data: bytes) -> str:
    """Return the text of a file's bytes, read by the suffix of its ``name``."""
    return read_document(name, data).text


def read_document(name: str, data: bytes, *, limits: Limits | None = None) -> Document:
    """Read a file's bytes by the suffix of its ``name``; .docx, .odt and .pdf within ``limits``
    (office.Limits.of(settings) holds the NEWSDESK_MAX_DOCUMENT_* values; None: their defaults)."""
    suffix = _check_suffix(name)
    if suffix in OFFICE_SUFFIXES:
        from .office import Limits, read_office

        return read_office(name, data, limits=limits or Limits())
    if suffix in (".html", ".htm"):
        return read_page(data)
    text = decode_text(data, name)
    return Document(markdown_to_text(text) if suffix in (".md", ".markdown") else text)


def _check_suffix(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(f"{Path(name).name}: newsdesk reads {', '.join(SUFFIXES)} files; save the article as one of those")
    return suffix


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text(data: bytes, name: str = "the upload") -> str:
    """Decode UTF-8 text, or UTF-16/32 with a byte-order mark; say how to fix anything else.

    Plain text carries no declaration, and guessing a legacy code page from a few lines
    is often wrong, so it is refused rather than turned into mojibake.
    """
    encoding = next((encoding for bom, encoding in _BOMS if data.startswith(bom)), "utf-8")
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise InvalidInput(f"{name} is not UTF-8 text: save it as UTF-8 and try again") from None


# The declaration as browsers read it: <meta charset=...> or http-equiv's content="...; charset=...".
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>")


def _html_source(html: bytes) -> str:
    """Decode a page: by its byte-order mark; as UTF-8 when it is valid UTF-8; else by its
    <meta charset>, or by what charset-normalizer finds (a page has enough text for that).

    Valid UTF-8 comes first because legacy code pages almost never form it by chance,
    while pages whose declaration is missing, late or wrong are common; handing lxml the
    bytes instead let it fall back to Latin-1 and turn every non-ASCII letter to mojibake.
    """
    for bom, encoding in _BOMS:
        if html.startswith(bom):
            return html.decode(encoding, errors="replace")
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _META_CHARSET.search(html[:65536])
    encoding = _page_encoding(declared.group(1).decode("ascii", errors="replace")) if declared else None
    if encoding:
        return html.decode(encoding, errors="replace")
    from charset_normalizer import from_bytes

    best = from_bytes(html).best()
    if best is None:
        raise InvalidInput("the HTML is not UTF-8 and declares no encoding: add <meta charset=...> or save it as UTF-8")
    return str(best)


# Codecs Python knows that are no page encoding ("undefined" always fails, "idna" and the
# escapes rewrite text); a page declaring one is read as if it declared none.
_NOT_PAGE_ENCODINGS = {"undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape", "utf-7"}


def _page_encoding(name: str) -> str | None:
    """The codec a <meta charset> names, as browsers take it: UTF-16/32 declared in bytes
    that are not UTF-16/32 (no BOM) is not believed; a name no text codec has is None."""
    try:
        codec = codecs.lookup(name)
    except LookupError:
        return None
    # _is_text_encoding is how codecs itself tells rot13 and hex (bytes to bytes) from text codecs.
    if codec.name in _NOT_PAGE_ENCODINGS or not codec._is_text_encoding or codec.name.startswith(("utf-16", "utf-32")):
        return None
    return codec.name


# Control characters are no text (browsers show nothing for them) and lxml refuses them.
_XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Reading:
    """How an HTML page is read: trafilatura's choices, and what newsdesk adds on top.

    The defaults were chosen on real pages, cross-validated by publisher: bench/html_cv.py.
    """

    focus: str = "balanced"  # trafilatura's "balanced", "recall" or "precision"
    tables: bool = True  # fact boxes and results tables belong to the story
    teaser: bool = True  # the page's description as the teaser, when the page shows it
    captions: bool = True  # each image's caption and credit, after the line it follows

    def extraction(self) -> dict:
        """trafilatura's options, all spelled out: a new release may change its defaults."""
        return {
            "url": None,  # it reads only the page it is given and never fetches anything
            "fast": False,  # keep its readability/jusText fallbacks for pages its own pass misreads
            "favor_precision": self.focus == "precision",
            "favor_recall": self.focus == "recall",
            "include_comments": False,  # readers' comments are not the article
            "include_tables": self.tables,
            # With images on it keeps some figures' text too, credits glued on or missing;
            # the captions come from the page instead (_with_captions).
            "include_images": False,
            "include_formatting": False,
            "include_links": False,
            # Its cache is global: True would drop a page sent twice, or text other pages had.
            "deduplicate": False,
            "with_metadata": True,  # title, author, date, description
            # The publication date, not the last change; no extensive search (it guesses from
            # free text with dateparser, for a field that is only shown).
            "date_extraction_params": {"extensive_search": False, "original_date": True},
        }


READING = Reading()

# trafilatura's own MIN_EXTRACTED_SIZE: a page with less text than this holds no article it
# would trust, so it is read whole without asking.
_MIN_ARTICLE_CHARACTERS = 250


def html_to_text(html: str | bytes, *, reading: Reading = READING) -> str:
    """Extract the article of an HTML page as text, one block per line.

    trafilatura finds the main content. On top of it go the lines the cleaner reads as
    the header (title, teaser, ISO date, "By ..." byline), subheadings as their own lines
    and each image's caption and credit after the paragraph it follows on the page. A page
    where it finds no article (a fragment, a short note) is read whole instead, each block
    element a line.
    """
    return read_page(html, reading=reading).text


def read_page(html: str | bytes, *, reading: Reading = READING) -> Document:
    """Read an HTML page as html_to_text does, and keep the page's lines the article left out."""
    if not (html.strip() if isinstance(html, str) else html.strip()):
        return Document("")
    root = _parse_html(html)
    article = _article_text(root, reading)
    if not article:
        return Document(_block_text(root))
    return Document(article, _left_out(_block_text(root), article), main_content=True)


def _left_out(page: str, article: str) -> tuple[str, ...]:
    """The page's lines that the article does not contain, word for word, in page order.

    A line is in the article when each run of _RUN words of it is (or, shorter, the whole
    line is): sets of word runs keep this linear in the page's size.
    """
    words = article.split()
    runs = {tuple(words[i : i + n]) for n in range(1, _RUN + 1) for i in range(len(words) - n + 1)}

    def in_article(line: str) -> bool:
        tokens = line.split()
        n = min(len(tokens), _RUN)
        return all(tuple(tokens[i : i + n]) in runs for i in range(len(tokens) - n + 1))

    return tuple(dict.fromkeys(line for line in page.split("\n") if not in_article(line)))


_RUN = 4


def _parse_html(html: str | bytes):
    import lxml.html  # on use only: most calls are plain text

    if isinstance(html, bytes):
        html = _html_source(html)
    # lxml refuses text that declares an encoding, and control characters.
    html = _XML_INCOMPATIBLE.sub("", _XML_DECLARATION.sub("", html))
    # huge_tree lifts libxml2's nesting limit from 256 to 2,048 levels (scraped pages
    # nest deeply); past that libxml2 silently drops the rest, so refuse the page instead.
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (ValueError, lxml.etree.ParserError) as error:
        raise InvalidInput(f"the HTML could not be read ({error})") from None
    if any(entry.type_name == "ERR_RESOURCE_LIMIT" for entry in parser.error_log):
        raise InvalidInput("the HTML nests its tags more than 2,048 levels deep, so it cannot be read whole: "
                           "send the page's text instead")
    # Scripts and styles are never text; JSON-LD stays, for trafilatura's author and date.
    for element in root.xpath("//script[not(@type='application/ld+json')] | //style | //template"):
        element.drop_tree()
    return root


def _block_text(root) -> str:
    """Every block element of the page a line (the page is changed in place)."""
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROP_TAGS)):
        element.drop_tree()
    _flatten_whitespace(root, keep="pre")
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
        if element.tag not in ("br", "hr"):
            element.text = "\n" + (element.text or "")
    return "\n".join(_lines_of("".join(root.itertext())))


def _flatten_whitespace(root, keep: str) -> None:
    """Turn line breaks in the markup into spaces, as browsers show them, so that only
    block elements end a line; ``keep`` (a <pre>, a <code>) keeps its own."""
    kept_nodes = [node for element in root.iter(keep) for node in element.iter()]  # alive, so ids stay theirs
    kept = {id(node) for node in kept_nodes}
    for element in root.iter():
        if element.text and id(element) not in kept:
            element.text = _BREAKS.sub(" ", element.text)
        if element.tail and id(element.getparent()) not in kept:
            element.tail = _BREAKS.sub(" ", element.tail)


_BREAKS = re.compile(r"[\r\n\t\f\v]+")


def _lines_of(text: str) -> list[str]:
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return [line for line in lines if line]


# --- the article trafilatura finds, with what newsdesk knows on top -------------------------


def _article_text(root, reading: Reading) -> str:
    """The header lines and the article trafilatura finds, or "" when it finds none."""
    if len(root.text_content()) < _MIN_ARTICLE_CHARACTERS:
        return ""  # a fragment or a note: nothing to tell apart
    import trafilatura  # on use only: its import takes a quarter of a second

    document = trafilatura.bare_extraction(root, **reading.extraction())  # it works on a copy of root
    if document is None or document.body is None:
        return ""
    title = " ".join((document.title or "").split())
    body = [line for line in _body_lines(document.body) if line != title]
    if not body or _whole_page(body, root):
        return ""
    teaser = _teaser(document, root, body) if reading.teaser else ""  # takes a kept standfirst out of body
    if not body:
        return ""
    if reading.captions:
        body = _with_captions(body, root)
    return "\n".join(_header_lines(title, teaser, document, root.get("lang") or "") + body)


def _whole_page(body: list[str], root) -> bool:
    """Whether trafilatura's answer is the page's text run together in one block (its last
    resort for a page without article structure): one line that holds two or more of the
    page's blocks. Read block by block, the page keeps its lines."""
    if len(body) != 1:
        return False
    parts = {" ".join(element.text_content().split()) for element in root.iter(*_TEXT_BLOCKS)}
    return sum(1 for part in parts if part and part != body[0] and part in body[0]) >= 2


def _teaser(document, root, body: list[str]) -> str:
    """The standfirst under the headline: the page's description, when the page shows it.

    trafilatura often leaves it out; when it kept it as the first body line, the line moves
    up (out of ``body``) to sit under the title, where the cleaner reads a teaser.
    """
    description = " ".join((document.description or "").split())
    if len(description.split()) < 5:
        return ""
    if _mostly_in(description, body[0]) and _mostly_in(body[0], description):
        return body.pop(0)
    if any(_mostly_in(description, line) for line in [" ".join(body[:3]), *body]):
        return ""
    page = root.find("body")
    visible = " ".join(page.text_content().split()) if page is not None else ""
    return description if description in visible else ""


def _mostly_in(short: str, long: str) -> bool:
    words = set(re.findall(r"\w+", short.lower()))
    return len(words & set(re.findall(r"\w+", long.lower()))) >= 0.8 * len(words)


def _header_lines(title: str, teaser: str, document, language: str) -> list[str]:
    """Title, teaser, date and byline, in the order and form the cleaner reads a page's header;
    the byline in the page's ``language`` ("Von ..." on a German page)."""
    from .clean_rules import byline_prefix

    lines = [title] if title else []
    if teaser:
        lines.append(teaser)
    if document.date:
        lines.append(document.date)  # ISO 8601: the same in every language, and the cleaner knows it
    authors = [name.strip() for name in (document.author or "").split(";") if name.strip()]
    if authors:
        lines.append(f"{byline_prefix(language)} {', '.join(authors)}")
    return lines


# The elements of trafilatura's output (its XML) that end a line; a table row is one line.
_OUTPUT_BLOCKS = ("head", "p", "list", "item", "quote", "code", "table", "row", "lb", "div", "note", "graphic")


def _body_lines(body) -> list[str]:
    _flatten_whitespace(body, keep="code")
    for element in body.iter(*_OUTPUT_BLOCKS, "cell"):
        if element.tag == "cell":
            element.tail = " | " + (element.tail or "")
            continue
        element.tail = "\n" + (element.tail or "")
        if element.tag != "lb":
            element.text = "\n" + (element.text or "")
    return [line.removesuffix(" |") for line in _lines_of("".join(body.itertext())) if line.strip(" |")]


_TEXT_BLOCKS = ("p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "dd", "td")


def _with_captions(body: list[str], root) -> list[str]:
    """Put each image's caption and credit after the body line it follows on the page.

    Only figures inside the article count: after its first line, or above it but below
    its headline (the lead image). A caption trafilatura kept in the body moves there too,
    so that its credit follows it.
    """
    index = {line: position for position, line in enumerate(body)}
    after: dict[int, list[str]] = {}
    moved: set[str] = set()
    last = -1
    for element in root.iter(*_TEXT_BLOCKS, "figure"):
        if element.tag != "figure":
            last = max(last, index.get(" ".join(element.text_content().split()), -1))
        elif (last >= 0 or _below_headline(element)) and (caption := _caption(element)):
            text, credit = caption
            moved |= {text, credit, f"{text} {credit}"}
            after.setdefault(last, []).extend([text, "Photo: " + _CREDIT_LABEL.sub("", credit)])
    lines = after.get(-1, [])
    for position, line in enumerate(body):
        lines += ([] if line in moved else [line]) + after.get(position, [])
    return lines


# What pages call the element that holds a photo's credit (its class or itemprop).
_CREDIT_CLASS = re.compile(r"credit|copyright|photographer|author|byline|source|rights|quelle|autor|fotograf|_src\b",
                           re.IGNORECASE)
_CREDIT_LABEL = re.compile(r"^(?:©|\(c\)|\w+(?: \w+)?\s?:)\s*", re.IGNORECASE)
# A caption ending in its credit: "... on Monday. Photo: ANP", "... Foto: dpa/Jan Jansen".
_GLUED_CREDIT = re.compile(r"(?<=[.!?)\"”’»])\s*(?:©\s*)?\w+(?: \w+)?\s?:\s*[^.:!?]{2,80}$")
_MEDIA = ("img", "picture", "video", "source", "svg")


def _caption(figure) -> tuple[str, str] | None:
    """An image's caption and its credit, or None without both.

    The cleaner drops the line above a credit ("Photo: ...") as a caption, in any language.
    A caption with no credit is left where trafilatura put it: as text nothing tells it
    from a paragraph.
    """
    if next(figure.iter("img", "picture", "video"), None) is None:
        return None  # a figure that holds a quote, a table or code is body, not a caption
    credits = [element for element in figure.iter() if _is_credit(element)]
    credits = [element for element in credits if not any(other in credits for other in element.iterancestors())]
    caption = figure.find(".//figcaption")
    text = _text_without(caption if caption is not None else figure, credits)
    credit = " ".join(" ".join(element.text_content().split()) for element in credits)
    if not text or len(text.split()) > 80:
        return None
    if not credit and (glued := _GLUED_CREDIT.search(text)):
        text, credit = text[: glued.start()].rstrip(), glued.group().strip()
    return (text, credit) if text and credit else None


def _is_credit(element) -> bool:
    if not isinstance(element.tag, str) or element.tag in _MEDIA or next(element.iter(*_MEDIA), None) is not None:
        return False
    names = f"{element.get('class', '')} {element.get('itemprop', '')}"
    return bool(_CREDIT_CLASS.search(names)) and 0 < len(element.text_content().split()) <= 20


def _text_without(element, left_out: list) -> str:
    """The text of ``element`` without the text inside the ``left_out`` elements."""
    skipped_nodes = [node for other in left_out for node in other.iter()]  # alive, so ids stay theirs
    skipped = {id(node) for node in skipped_nodes}
    parts = []
    for node in element.iter():
        if id(node) not in skipped:
            parts.append(node.text or "")
        if node is not element and id(node.getparent()) not in skipped:
            parts.append(node.tail or "")
    return " ".join("".join(parts).split())


def _below_headline(element) -> bool:
    """Whether an <h1> comes before ``element`` in the page (a lead image under the headline)."""
    return bool(element.xpath("preceding::h1[1]"))


_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_MD_LIST = re.compile(r"^[ \t]*(?:[-*+]|\d+\.)[ \t]+", re.MULTILINE)


def markdown_to_text(markdown: str) -> str:
    """Strip Markdown syntax (headings, emphasis, links, images) and keep the words."""
    text = _MD_IMAGE.sub("", markdown)
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_LIST.sub("", text)
    return _MD_EMPHASIS.sub(r"\2", text)


def html_article_text(html: str | bytes) -> str:
    """Return the cleaned article body an HTML upload gives: teaser, subheadings, paragraphs."""
    from .clean import clean  # the cleaner is a later stage; documents does not need it otherwise

    page = read_page(html)
    return clean(page.text, main_content=page.main_content).body_text()
