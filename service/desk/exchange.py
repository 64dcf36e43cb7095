"""Exchange translations with translators' tools: TMX 1.4 for the memory, XLIFF 1.2 for one article.

TMX (https://www.gala-global.org/tmx-14b) is how CAT tools pass translation memories around:
``write_tmx`` exports the memory, ``read_tmx`` reads one back. XLIFF 1.2
(https://docs.oasis-open.org/xliff/v1.2/os/xliff-core.html) carries one processed article to
an editor: ``article_to_xliff`` writes one unit per body sentence, and ``read_xliff`` takes the
reviewed file back as corrections for the memory (which units count: see ``read_xliff``).

Files come from outside, so they are read with a parser that expands no entity and fetches
nothing (no XXE, no billion laughs). A unit that cannot be used is never dropped silently: it
is listed, with its position, in ``Reading.problems``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from lxml import etree

from ..errors import InvalidInput
from .memory import LANGUAGE, Correction, Entry, normalise_sentence

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
TOOL = "newsdesk"
# Inline elements that hold the original's codes (<b>, a placeholder), not text: TMX's bpt, ept,
# it, ph, ut; XLIFF's also x, bx, ex. Their content is left out, the text after them kept.
CODE_ELEMENTS = {"bpt", "ept", "it", "ph", "ut", "x", "bx", "ex"}
# XLIFF 1.2 target states that say a person approved the translation as it stands.
APPROVED_STATES = {"signed-off", "final"}
MACHINE_STATE, REVIEWED_STATE = "needs-review-translation", "translated"
_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'


@dataclass(frozen=True)
class Reading:
    """What a TMX or XLIFF file gave: corrections to store, and every unit that could not be used."""

    corrections: tuple[Correction, ...]
    problems: tuple[str, ...]  # "unit 3 (line 17): ...", in file order
    passed_over: int = 0  # XLIFF units that are no correction (left as newsdesk translated them)


def read_corrections(data: bytes) -> Reading:
    """Read a TMX file or a reviewed XLIFF file, whichever ``data`` is (by its root element)."""
    root = _parse(data)
    if _local(root) == "tmx":
        return _read_tmx(root)
    if _local(root) == "xliff":
        return _read_xliff(root)
    raise InvalidInput(f"the file's root element is <{_local(root)}>: give a TMX file (<tmx>) or an XLIFF 1.2 file "
                       "(<xliff>)")


def read_tmx(data: bytes) -> Reading:
    """The corrections in a TMX file: every other variant of a unit is a translation of its source variant."""
    root = _parse(data)
    if _local(root) != "tmx":
        raise InvalidInput(f"the file's root element is <{_local(root)}>, not <tmx>: give a TMX 1.4 file")
    return _read_tmx(root)


def write_tmx(entries: Iterable[Entry]) -> str:
    """A TMX 1.4 document of ``entries``: one <tu> each, its source and target <tuv>."""
    entries = list(entries)
    sources = {entry.source for entry in entries}
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", {
        "creationtool": TOOL, "creationtoolversion": "1", "segtype": "sentence", "o-tmf": TOOL, "adminlang": "en",
        "srclang": next(iter(sources)) if len(sources) == 1 else "*all*", "datatype": "plaintext"})
    body = etree.SubElement(root, "body")
    for entry in entries:
        unit = etree.SubElement(body, "tu", srclang=entry.source, changedate=_tmx_date(entry.updated))
        if entry.changed_by:
            unit.set("changeid", entry.changed_by)  # TMX's own attribute for who made the last change
        for language, text in ((entry.source, entry.sentence), (entry.target, entry.translation)):
            variant = etree.SubElement(unit, "tuv", {XML_LANG: language})
            etree.SubElement(variant, "seg").text = text
    return _DECLARATION + etree.tostring(root, encoding="unicode", pretty_print=True)


def article_to_xliff(result: dict, *, target: str, reviewed: Collection[int] = ()) -> str:
    """An XLIFF 1.2 file of one processed article (``outcome.to_dict``'s data) for an editor: one
    <trans-unit> per body sentence, id its index. ``reviewed``: indices whose translation came from
    the memory (state "translated"); every other one is the model's ("needs-review-translation")."""
    translations = result["translations"]
    if target not in translations:
        raise InvalidInput(f"the article has no translation into {target!r} (it has: "
                           f"{', '.join(translations) or 'none'}): process it with that target first")
    sentences, translated = result["sentences"], translations[target]["sentences"]
    root = etree.Element(f"{{{XLIFF_NS}}}xliff", nsmap={None: XLIFF_NS}, version="1.2")
    file = etree.SubElement(root, f"{{{XLIFF_NS}}}file", {
        "original": result["article"]["title"] or "article", "source-language": result["source"]["language"],
        "target-language": target, "datatype": "plaintext", "tool-id": TOOL})
    header = etree.SubElement(file, f"{{{XLIFF_NS}}}header")
    etree.SubElement(header, f"{{{XLIFF_NS}}}tool", {"tool-id": TOOL, "tool-name": TOOL})
    body = etree.SubElement(file, f"{{{XLIFF_NS}}}body")
    for index, (sentence, translation) in enumerate(zip(sentences, translated)):
        unit = etree.SubElement(body, f"{{{XLIFF_NS}}}trans-unit", id=str(index))
        etree.SubElement(unit, f"{{{XLIFF_NS}}}source").text = sentence
        state = REVIEWED_STATE if index in reviewed else MACHINE_STATE
        etree.SubElement(unit, f"{{{XLIFF_NS}}}target", state=state).text = translation
        # What newsdesk delivered, kept beside the editable target: reading the file back, an edit
        # is a target that differs from it, whatever the editor's tool did to the state.
        delivered = etree.SubElement(unit, f"{{{XLIFF_NS}}}alt-trans", {"tool-id": TOOL, "origin": TOOL})
        etree.SubElement(delivered, f"{{{XLIFF_NS}}}target").text = translation
    return _DECLARATION + etree.tostring(root, encoding="unicode", pretty_print=True)


def read_xliff(data: bytes) -> Reading:
    """The corrections in a reviewed XLIFF 1.2 file.

    A unit with a target is a correction when the editor changed it (it differs, after
    normalisation, from what newsdesk delivered in its <alt-trans tool-id="newsdesk">), or when
    its state says a person approved it as it stands ("signed-off", "final"). When the editor's
    tool dropped newsdesk's <alt-trans>, an edit cannot be told apart, so state "translated"
    counts too. Everything else is newsdesk's own translation, left as it was: counted in
    ``passed_over``, not stored.
    """
    root = _parse(data)
    if _local(root) != "xliff":
        raise InvalidInput(f"the file's root element is <{_local(root)}>, not <xliff>: give an XLIFF 1.2 file")
    return _read_xliff(root)


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise InvalidInput(f"the file is not well-formed XML ({error.msg}): export it again from the tool") from None
    if root is None:
        raise InvalidInput("the file is empty: export it again from the tool")
    return root


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _language(tag: str | None) -> str | None:
    """ "en-US", "EN", "en_GB" -> "en"; None when the tag is missing or not a language."""
    code = (tag or "").replace("_", "-").split("-")[0].strip().lower()
    return code if LANGUAGE.match(code) else None


def _inline_text(element) -> str:
    """A segment's text: inline markup's text kept, the original's codes (CODE_ELEMENTS) left out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag is etree.Entity:  # left unexpanded by the parser: its text would be lost unseen
            raise InvalidInput(f"it uses the entity {child.text}, which is not expanded (entities are read as "
                               "they stand, for safety): write the character itself")
        if isinstance(child.tag, str) and _local(child) not in CODE_ELEMENTS:
            parts.append(_inline_text(child))  # <hi>, <g>, <mrk>: text marked up
        parts.append(child.tail or "")  # after comments, entities and codes too
    return "".join(parts)


def _where(position: int, element) -> str:
    return f"unit {position} (line {element.sourceline})"


def _tmx_date(updated: str) -> str:
    """ISO 8601 UTC ("2024-05-01T12:00:00+00:00") as TMX writes dates ("20240501T120000Z")."""
    return datetime.fromisoformat(updated).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _iso_date(changedate: str | None) -> str | None:
    try:
        return datetime.strptime(changedate or "", "%Y%m%dT%H%M%SZ").strftime("%Y-%m-%dT%H:%M:%S+00:00")
    except ValueError:
        return None  # no date, or not TMX's: the import's time stands in


def _read_tmx(root) -> Reading:
    body = root.find("body")
    if body is None:
        raise InvalidInput("the TMX file has no <body>: export it again from the tool")
    header = root.find("header")
    default_source = header.get("srclang") if header is not None else None
    corrections, problems = [], []
    for position, unit in enumerate(body.iterfind("tu"), 1):
        try:
            corrections += _tmx_unit(unit, default_source)
        except InvalidInput as problem:
            problems.append(f"{_where(position, unit)}: {problem}")
    return Reading(tuple(corrections), tuple(problems))


def _tmx_unit(unit, default_source: str | None) -> list[Correction]:
    """The corrections of one <tu>; InvalidInput says why there can be none."""
    variants: dict[str, str] = {}
    for variant in unit.iterfind("tuv"):
        tag = variant.get(XML_LANG) or variant.get("lang")  # TMX 1.1 wrote lang
        code, segment = _language(tag), variant.find("seg")
        if code is None:
            raise InvalidInput(f"a <tuv> has language {tag!r}, not a language tag such as 'en' or 'en-US'")
        if code in variants:
            raise InvalidInput(f"two <tuv> are in {code!r}: which one is the translation cannot be told")
        text = normalise_sentence(_inline_text(segment)) if segment is not None else ""
        if not text:
            raise InvalidInput(f"the <tuv> in {code!r} has no text in its <seg>")
        variants[code] = text
    source_tag = unit.get("srclang") or default_source
    if source_tag in (None, "*all*"):
        if len(variants) != 2:
            raise InvalidInput(f"no source language (srclang) is given and it has {len(variants)} <tuv>, not 2")
        source = next(iter(variants))  # with no srclang, a pair is read in the order written
    else:
        source = _language(source_tag)
        if source not in variants:
            raise InvalidInput(f"it has no <tuv> in its source language {source_tag!r}")
    if len(variants) < 2:
        raise InvalidInput(f"it has only the {source!r} text, no translation")
    updated = _iso_date(unit.get("changedate"))
    return [Correction(source, code, variants[source], text, updated)
            for code, text in variants.items() if code != source]


def _read_xliff(root) -> Reading:
    corrections, problems, passed_over, position = [], [], 0, 0
    for file in root.iterfind("{*}file"):
        source, target = _language(file.get("source-language")), _language(file.get("target-language"))
        if source is None or target is None:
            raise InvalidInput(f"the <file> on line {file.sourceline} has source-language "
                               f"{file.get('source-language')!r} and target-language {file.get('target-language')!r}: "
                               "both must be language tags such as 'en' or 'de-DE'")
        for unit in file.iter("{*}trans-unit"):
            position += 1
            if unit.get("translate") == "no":
                passed_over += 1
                continue
            try:
                correction = _xliff_unit(unit, source, target)
            except InvalidInput as problem:
                problems.append(f"{_where(position, unit)}, id {unit.get('id')!r}: {problem}")
                continue
            if correction is None:
                passed_over += 1
            else:
                corrections.append(correction)
    return Reading(tuple(corrections), tuple(problems), passed_over)


def _xliff_unit(unit, source: str, target: str) -> Correction | None:
    """The unit's correction, None when it is newsdesk's translation as delivered (see read_xliff)."""
    segment, translation = unit.find("{*}source"), unit.find("{*}target")
    state = translation.get("state") if translation is not None else None
    text = normalise_sentence(_inline_text(translation)) if translation is not None else ""
    delivered = unit.find(f"{{*}}alt-trans[@tool-id='{TOOL}']/{{*}}target")
    original = normalise_sentence(_inline_text(delivered)) if delivered is not None else None
    edited = original is not None and text != original
    approved = state in APPROVED_STATES or (original is None and state == REVIEWED_STATE)
    if not (edited or approved):
        return None
    sentence = normalise_sentence(_inline_text(segment)) if segment is not None else ""
    if not sentence:
        raise InvalidInput("it has no <source> text")
    if not text:
        raise InvalidInput(f"its <target> is empty but {'was edited' if edited else 'marked ' + repr(state)}: "
                           "write the translation, or set the state back to needs-review-translation")
    return Correction(source, target, sentence, text)
