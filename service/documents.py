"""Read articles from .txt, .md and .html files (or bytes) into plain text, one block a line.

HTML goes through lxml, which repairs broken markup the way browsers do; scripts,
styles, forms and embedded frames are dropped, every block element ends a line, and
the result then goes through the same cleaning as pasted text (service/clean.py).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from .errors import InvalidInput

SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm")
_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "iframe", "object", "embed", "form",
              "button", "select", "input", "textarea", "head")
_BLOCK_TAGS = ("p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "li", "ul", "ol",
               "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "figcaption", "figure", "table", "tr", "td",
               "th", "dt", "dd", "pre", "br", "hr", "address", "time")


def read_article(path: Path) -> str:
    """Return the text of an article file, by its suffix."""
    path = Path(path)
    _check_suffix(path.name)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"{path}: cannot read it ({error.strerror})") from None
    return read_upload(path.name, data)


def read_upload(name: str, data: bytes) -> str:
    """Return the text of a file's bytes, read by the suffix of its ``name``."""
    suffix = _check_suffix(name)
    if suffix in (".html", ".htm"):
        return html_to_text(data)
    text = decode_text(data, name)
    return markdown_to_text(text) if suffix in (".md", ".markdown") else text


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


def _html_source(html: bytes) -> str | bytes:
    """Bytes that declare their encoding (BOM or <meta charset>) go to lxml as they are;
    undeclared ones are UTF-8, or else whatever charset-normalizer finds (a page has
    enough text for that), or refused."""
    head = html[:4096].lower()
    if any(html.startswith(bom) for bom, _ in _BOMS) or b"charset" in head:
        return html
    try:
        return html.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(html).best()
    if best is None:
        raise InvalidInput("the HTML is not UTF-8 and declares no encoding: add <meta charset=...> or save it as UTF-8")
    return str(best)


# Control characters are no text (browsers show nothing for them) and lxml refuses them.
_XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def html_to_text(html: str | bytes) -> str:
    """Extract the readable text of an HTML page, one block element per line."""
    import lxml.html  # on use only: most calls are plain text

    if not (html.strip() if isinstance(html, str) else html.strip()):
        return ""
    if isinstance(html, bytes):
        html = _html_source(html)
    if isinstance(html, str):
        html = _XML_INCOMPATIBLE.sub("", html)
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
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROP_TAGS)):
        element.drop_tree()
    for element in root.iter(*_BLOCK_TAGS):
        element.tail = "\n" + (element.tail or "")
        if element.tag not in ("br", "hr"):
            element.text = "\n" + (element.text or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


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


def rewrite_html_text(fragment: str, rewrite) -> str:
    """Apply ``rewrite`` (list of texts -> list of texts) to an HTML fragment's text nodes.

    Tags, attributes and the spaces around each text are kept; scripts and styles are
    left alone. Used to translate HTML without translating its markup.
    """
    import lxml.html

    wrapper = lxml.html.fragment_fromstring(_XML_INCOMPATIBLE.sub("", fragment), create_parent="div")
    slots = []
    for element in wrapper.iter():
        if element.tag in ("script", "style") or not isinstance(element.tag, str):
            continue
        if element.text and element.text.strip():
            slots.append((element, "text"))
        if element is not wrapper and element.tail and element.tail.strip():
            slots.append((element, "tail"))
    for (element, attribute), new in zip(slots, rewrite([getattr(element, attribute).strip() for element, attribute in slots])):
        old = getattr(element, attribute)
        lead, trail = old[: len(old) - len(old.lstrip())], old[len(old.rstrip()) :]
        setattr(element, attribute, lead + new + trail)
    inner = "".join(lxml.html.tostring(child, encoding="unicode") for child in wrapper)
    return (wrapper.text or "") + inner


def read_archive(data: bytes, max_bytes: int) -> list[tuple[str, str, str]]:
    """Read every article file in a .zip: (path in the archive, text, "") or (path, "", why not).

    Folders and hidden or system files (``__MACOSX/``, ``.DS_Store``) are skipped; a file
    that is not an article is reported, not dropped. Unpacked sizes over ``max_bytes`` in
    all are refused before anything is unpacked (zip bombs).
    """
    import io
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir() and not _hidden(info.filename)]
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise InvalidInput(f"the uploaded .zip cannot be read ({error}): send a valid zip archive") from None
    unpacked = sum(info.file_size for info in members)
    if unpacked > max_bytes:
        from .errors import TooLarge

        raise TooLarge(f"the archive unpacks to {unpacked:,} bytes; the limit is {max_bytes:,} "
                       "(NEWSDESK_MAX_JOB_BYTES): split it into several jobs")
    articles = []
    for info in members:
        try:
            with archive.open(info) as member:
                content = member.read(info.file_size + 1)
            articles.append((info.filename, read_upload(info.filename, content), ""))
        except InvalidInput as error:
            articles.append((info.filename, "", str(error)))
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as error:  # damaged, encrypted
            articles.append((info.filename, "", f"{info.filename}: cannot be unpacked ({error})"))
    return articles


def _hidden(path: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in path.split("/"))
