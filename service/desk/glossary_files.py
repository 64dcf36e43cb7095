"""Glossary files: reading CSV, TSV and TBX into a Glossary, and writing one as CSV or TBX.

Files ``read_terms`` reads (UTF-8, a byte-order mark is fine):
- CSV (.csv; "," or, as a German-language spreadsheet saves it, ";" when the first line
  has more of those) or TSV (.tsv), one entry a row, three columns: source term, target language,
  target term. The language "*" (or "keep") keeps the source term as it is in every
  language; its third column is empty or the term itself. A first row
  ``source,language,term`` is a header.
- CSV or TSV with a header row ``source,de,ru,ar,keep``: one source term a row, its term
  per language in that language's column (an empty cell: none), and a "keep" column that
  keeps the term where it says yes/y/x/1/true/keep (no/n/0/false or empty: not kept).
  A first cell "source" (or "term") makes the first row such a header.
- TBX (.tbx), TermBase eXchange (ISO 30042): TBX 2 (<martif>, termEntry / langSet /
  tig or ntig/termGrp / term) and TBX 3 (<tbx>, conceptEntry / langSec / termSec / term).
  The root's xml:lang is the source language. In each entry the source language's terms
  map to one term per other language: its preferred term (termNote administrativeStatus
  preferredTerm-admn-sts), else its first term that is not deprecated or superseded. An
  entry with terms in one language only, or with a note, descrip, admin or termNote
  saying "do not translate" (or DNT, untranslatable, doNotTranslate; in its type or its
  text, unless its text is no/false/0), keeps its source terms in every language. The
  file is read without its DTD, entities or network.
A file with a problem is refused whole, with the line or entry of each problem and how to
fix it: nothing is imported, and no row is skipped without saying so.

Apart from glossary.py, the store (issue 29: one room of 590 lines).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InvalidInput
from ..translation.terms import KEEP, Glossary, clean_language, clean_term

IMPORT_FORMATS = {".csv": "csv", ".tsv": "tsv", ".tbx": "tbx"}  # file suffix -> format
EXPORT_FORMATS = ("csv", "tbx")
CSV_HEADER = ("source", "language", "term")
KEEP_NAMES = (KEEP, "keep")
YES, NO = ("yes", "y", "x", "1", "true", "keep"), ("no", "n", "0", "false", "")
PROBLEMS_SHOWN = 10
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DO_NOT_TRANSLATE = re.compile(r"do\s*n[o']?t\s*translate|\bdnt\b|untranslatable|non-?translatable|notranslate", re.I)
_NOT_SO = ("no", "n", "false", "0")
_SET_ASIDE = ("deprecatedterm-admn-sts", "supersededterm-admn-sts", "deprecated", "superseded")


# --- reading files ----------------------------------------------------------------


@dataclass
class _Collected:
    """Entries read from a file so far, where each came from, and the problems found."""

    file_name: str
    by_target: dict[str, dict[str, str]]
    keep: dict[str, str]  # term -> where it was read
    origin: dict[tuple[str, str], str]  # (target, source) -> where it was read
    problems: list[str]

    def add(self, where: str, target: str, source: str, term: str) -> None:
        before = self.by_target.get(target, {}).get(source)
        if before is not None and before != term:
            self.problems.append(f"{where}: {source!r} for {target} is {term!r} here but {before!r} on "
                                 f"{self.origin[(target, source)]}: keep one of them")
            return
        self.by_target.setdefault(target, {})[source] = term
        self.origin.setdefault((target, source), where)

    def glossary(self) -> Glossary:
        if self.problems:
            listed = "\n  ".join(self.problems[:PROBLEMS_SHOWN])
            more = f"\n  and {len(self.problems) - PROBLEMS_SHOWN} more" if len(self.problems) > PROBLEMS_SHOWN else ""
            count = "1 problem" if len(self.problems) == 1 else f"{len(self.problems)} problems"
            raise InvalidInput(f"{self.file_name}: {count}, so nothing was imported:\n  {listed}{more}")
        return Glossary(by_target=self.by_target, keep=tuple(self.keep))


def read_terms(data: bytes, *, file_name: str) -> Glossary:
    """The glossary in a CSV, TSV or TBX file (by its suffix); InvalidInput listing each bad line or entry."""
    name = Path(file_name).name
    fmt = IMPORT_FORMATS.get(Path(file_name).suffix.lower())
    if fmt is None:
        raise InvalidInput(f"{name}: not a glossary file; give a .csv, .tsv or .tbx file (TermBase eXchange)")
    collected = _Collected(name, {}, {}, {}, [])
    if fmt == "tbx":
        _read_tbx(data, collected)
    else:
        text = _text(data, name)
        _read_table(text, "\t" if fmt == "tsv" else _csv_delimiter(text), collected)
    return collected.glossary()


def _text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InvalidInput(f"{name}: line {line} is not UTF-8 text: save the file as UTF-8 "
                           "(in a spreadsheet: CSV UTF-8) and import it again") from None


def _csv_delimiter(text: str) -> str:
    """";" for the CSV that spreadsheets write where "," is the decimal comma, else ","."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    return ";" if first.count(";") > first.count(",") else ","


def _read_table(text: str, delimiter: str, collected: _Collected) -> None:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows, start = [], 1
    try:
        for row in reader:  # a quoted cell may hold line breaks: a row is named by the line it starts on
            rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as error:
        raise InvalidInput(f"{collected.file_name}: line {start}: {error}: put a field that holds "
                           'quotes, commas or line breaks in double quotes, with each " inside written ""') from None
    rows = [(line, [cell.strip() for cell in row]) for line, row in rows if any(cell.strip() for cell in row)]
    if not rows:
        raise InvalidInput(f"{collected.file_name}: the file holds no terms")
    first_line, first = rows[0]
    if first[0].lower() in ("source", "term"):
        if [cell.lower() for cell in first] == list(CSV_HEADER):
            _read_rows(rows[1:], collected)
        else:
            _read_columns(first_line, first, rows[1:], collected)
    else:
        _read_rows(rows, collected)


def _read_rows(rows: list[tuple[int, list[str]]], collected: _Collected) -> None:
    """Rows of source term, target language, target term."""
    for line, row in rows:
        where = f"line {line}"
        if len(row) != 3:
            collected.problems.append(f"{where}: {len(row)} columns; a row has 3: source term, target language, "
                                      "target term (or a header row such as source,de,ru,keep)")
            continue
        try:
            source = clean_term(row[0], what=f"{where}: the source term")
            if row[1].lower() in KEEP_NAMES:
                if row[2] and clean_term(row[2], what=where) != source:
                    raise InvalidInput(f"{where}: a kept term ({row[1]}) is written as it is, so its third column is "
                                       f"empty or {source!r}, not {row[2]!r}")
                collected.keep.setdefault(source, where)
                continue
            target = clean_language(row[1], what=f"{where}: the target language")
            collected.add(where, target, source, clean_term(row[2], what=f"{where}: the target term"))
        except InvalidInput as problem:
            collected.problems.append(str(problem))


def _read_columns(header_line: int, header: list[str], rows: list[tuple[int, list[str]]], collected: _Collected) -> None:
    """A header row source,de,ru,...,keep and one source term a row."""
    columns = []
    for index, name in enumerate(header[1:], start=2):
        try:
            columns.append(KEEP if name.lower() in KEEP_NAMES else
                           clean_language(name, what=f"line {header_line}, column {index} of the header"))
        except InvalidInput as problem:
            collected.problems.append(f"{problem} (or 'keep' for the column that keeps terms)")
    if collected.problems or len(set(columns)) != len(columns) or not columns:
        if not collected.problems:
            collected.problems.append(f"line {header_line}: the header names each language once after 'source', "
                                      "e.g. source,de,ru,ar,keep")
        return
    for line, row in rows:
        where = f"line {line}"
        if len(row) > len(header):
            collected.problems.append(f"{where}: {len(row)} columns but the header names {len(header)}: "
                                      "put the cells under the header's languages")
            continue
        try:
            source = clean_term(row[0], what=f"{where}: the source term")
            for column, cell in zip(columns, row[1:]):
                if column == KEEP:
                    _read_keep_cell(where, source, cell, collected)
                elif cell:
                    collected.add(where, column, source, clean_term(cell, what=f"{where}, column {column}"))
        except InvalidInput as problem:
            collected.problems.append(str(problem))


def _read_keep_cell(where: str, source: str, cell: str, collected: _Collected) -> None:
    if cell.lower() in YES:
        collected.keep.setdefault(source, where)
    elif cell.lower() not in NO:
        raise InvalidInput(f"{where}, column keep: {cell!r} is neither yes nor no: write yes to keep "
                           f"{source!r} as it is in every language, or leave the cell empty")


def _read_tbx(data: bytes, collected: _Collected) -> None:
    from lxml import etree

    # No DTD, no entities, no network: a glossary file is data, never a fetch or an expansion.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line, column = error.position
        detail = re.sub(r", line \d+, column \d+$", "", error.msg)  # said once, in front
        raise InvalidInput(f"{collected.file_name}: not well-formed XML at line {line}, column {column}: {detail}; "
                           "a TBX file is XML, check that its tags close and its & are written &amp;") from None
    if _local(root) not in ("martif", "tbx"):
        raise InvalidInput(f"{collected.file_name}: not TBX: its root element is <{_local(root)}>, not <martif> "
                           "(TBX 2) or <tbx> (TBX 3)")
    source_language = _language(root.get(XML_LANG))
    if source_language is None:
        raise InvalidInput(f"{collected.file_name}: <{_local(root)}> names no source language: add "
                           f'xml:lang="en" (the language of the source terms) to it')
    entries = [element for element in root.iter() if _local(element) in ("termEntry", "conceptEntry")]
    if not entries:
        raise InvalidInput(f"{collected.file_name}: no <termEntry> or <conceptEntry>: is it a TBX termbase?")
    for number, entry in enumerate(entries, start=1):
        where = f"entry {number}" + (f" (id {entry.get('id')})" if entry.get("id") else "")
        try:
            _read_tbx_entry(entry, where, source_language, collected)
        except InvalidInput as problem:
            collected.problems.append(str(problem))


def _read_tbx_entry(entry, where: str, source_language: str, collected: _Collected) -> None:
    terms: dict[str, list[tuple[str, str]]] = {}  # language -> (term, administrative status)
    for lang_set in (child for child in entry if _local(child) in ("langSet", "langSec")):
        language = _language(lang_set.get(XML_LANG))
        if language is None:
            raise InvalidInput(f"{where}: a <{_local(lang_set)}> has no usable xml:lang "
                               f"({lang_set.get(XML_LANG)!r}): give it one such as xml:lang=\"de\"")
        for term in (element for element in lang_set.iter() if _local(element) == "term"):
            terms.setdefault(language, []).append((_term_text(term, where, language), _status(term)))
    if not terms:
        raise InvalidInput(f"{where}: holds no <term>: give it a langSet with a term, or remove it")
    if source_language not in terms and len(terms) > 1:
        raise InvalidInput(f"{where}: no term in the source language {source_language} (it has "
                           f"{', '.join(terms)}): add one, or set the file's xml:lang")
    sources = [term for term, _ in terms.get(source_language, next(iter(terms.values())))]
    if len(terms) == 1 or _says_do_not_translate(entry):
        for source in sources:
            collected.keep.setdefault(source, where)
    for language, written in terms.items():
        if language != source_language:
            for source in sources:
                collected.add(where, language, source, _chosen(written))


def _term_text(term, where: str, language: str) -> str:
    from lxml import etree

    if any(isinstance(node, etree._Entity) for node in term.iter()):
        raise InvalidInput(f"{where}: its {language} term uses an XML entity reference: write the characters "
                           "themselves (the file is read without its DTD)")
    return clean_term("".join(term.itertext()), what=f"{where}: its {language} term")


def _status(term) -> str:
    """The term's administrativeStatus termNote (in its tig, ntig or termSec), lowercased, or ""."""
    holder = term.getparent()
    if _local(holder) == "termGrp":
        holder = holder.getparent()
    for element in holder.iter():
        if _local(element) == "termNote" and element.get("type") == "administrativeStatus":
            return "".join(element.itertext()).strip().lower()
    return ""


def _chosen(written: list[tuple[str, str]]) -> str:
    """The preferred term, else the first not deprecated or superseded, else the first."""
    for term, status in written:
        if status.startswith("preferred"):
            return term
    return next((term for term, status in written if status not in _SET_ASIDE), written[0][0])


def _says_do_not_translate(entry) -> bool:
    for element in entry.iter():
        if _local(element) not in ("note", "descrip", "admin", "termNote"):
            continue
        text = "".join(element.itertext()).strip()
        if _DO_NOT_TRANSLATE.search(element.get("type") or "") and text.lower() not in _NOT_SO:
            return True
        if _DO_NOT_TRANSLATE.search(text):
            return True
    return False


def _local(element) -> str:
    from lxml import etree

    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _language(value: str | None) -> str | None:
    """The primary subtag of an xml:lang ("en-GB" -> "en"), or None when it is not a language code."""
    primary = (value or "").split("-")[0].split("_")[0].lower()
    try:
        return clean_language(primary, what="xml:lang")
    except InvalidInput:
        return None


# --- writing files ----------------------------------------------------------------


def write_terms(glossary: Glossary, *, fmt: str, source_language: str = "en") -> str:
    """``glossary`` as CSV (a source,language,term header, then one row per entry; "*" for kept
    terms) or as TBX 2 with ``source_language`` for the source terms."""
    if fmt == "csv":
        return _csv(glossary)
    if fmt == "tbx":
        return _tbx(glossary, clean_language(source_language, what="the source language"))
    raise InvalidInput(f"{fmt!r} is not an export format; use one of: {', '.join(EXPORT_FORMATS)}")


def _entries(glossary: Glossary) -> list[tuple[str, bool, dict[str, str]]]:
    """(source term, kept?, language -> term) per source term, sorted."""
    sources = set(glossary.keep) | {source for terms in glossary.by_target.values() for source in terms}
    return [(source, source in glossary.keep,
             {target: terms[source] for target, terms in glossary.by_target.items() if source in terms})
            for source in sorted(sources)]


def _csv(glossary: Glossary) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for source, kept, targets in _entries(glossary):
        if kept:
            writer.writerow((source, KEEP, source))
        writer.writerows((source, target, term) for target, term in targets.items())
    return out.getvalue()


def _tbx(glossary: Glossary, source_language: str) -> str:
    from lxml import etree

    root = etree.Element("martif", {"type": "TBX", XML_LANG: source_language})
    header = etree.SubElement(etree.SubElement(root, "martifHeader"), "fileDesc")
    etree.SubElement(etree.SubElement(header, "sourceDesc"), "p").text = f"newsdesk glossary {glossary.version}"
    body = etree.SubElement(etree.SubElement(root, "text"), "body")
    for number, (source, kept, targets) in enumerate(_entries(glossary), start=1):
        entry = etree.SubElement(body, "termEntry", id=f"t{number}")
        if kept:
            etree.SubElement(entry, "note").text = "do not translate"
        for language, term in [(source_language, source), *targets.items()]:
            lang_set = etree.SubElement(entry, "langSet", {XML_LANG: language})
            etree.SubElement(etree.SubElement(lang_set, "tig"), "term").text = term
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="unicode", pretty_print=True)
