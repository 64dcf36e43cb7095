"""Keep the newsroom's glossary in a small SQLite file; import it from and export it to CSV, TSV or TBX.

One glossary serves the whole service (NEWSDESK_GLOSSARY_DB), as house spellings are the
newsroom's, not one caller's. Each row is a target language, a source term and how that
language writes it; a term kept as it is in every language has the language "*". The
file and its folder are readable by this user only, as service/keys.py keeps its file.

Files are read and written by glossary_files.py (CSV, TSV, TBX; a file with a problem is
refused whole): ``import_terms`` and ``export`` are the store's side of them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path

from .. import stores
from ..errors import InvalidInput
from ..translation.terms import KEEP, Glossary, clean_language, clean_term
from .glossary_files import PROBLEMS_SHOWN, read_terms, write_terms

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS glossary_terms (
        target TEXT NOT NULL,
        source TEXT NOT NULL,
        term TEXT NOT NULL,
        updated TEXT NOT NULL,
        PRIMARY KEY (target, source)
    )""",
    # The glossary as it was before it was last replaced, imported into or restored: one undo.
    """CREATE TABLE IF NOT EXISTS glossary_previous (
        target TEXT NOT NULL,
        source TEXT NOT NULL,
        term TEXT NOT NULL,
        updated TEXT NOT NULL,
        changed_by TEXT NOT NULL,
        PRIMARY KEY (target, source)
    )""",
    "CREATE TABLE IF NOT EXISTS glossary_previous_saved (saved TEXT NOT NULL, saved_by TEXT NOT NULL, why TEXT NOT NULL)",
)
# Added by issue 31: who made each entry's last change (a key's name, or stores.COMMAND_LINE).
ADDED_COLUMNS = {"changed_by": "TEXT NOT NULL DEFAULT ''"}


# --- the stored glossary ----------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One stored entry and who last changed it, when (``target`` "*": kept in every language)."""

    target: str
    source: str
    term: str
    changed_by: str
    updated: str


@dataclass(frozen=True)
class Previous:
    """The version kept for undo: when it was set aside, by whom, why, and how many entries it has."""

    saved: str
    saved_by: str
    why: str
    entries: int


@contextmanager
def _database(path: Path):
    """The glossary file in one transaction, with the columns a file of an earlier newsdesk lacks."""
    with stores.transaction(path, SCHEMA) as database:
        stores.add_missing_columns(database, "glossary_terms", ADDED_COLUMNS)
        yield database


def load(path: Path) -> Glossary:
    """The stored glossary; empty when there is no file yet."""
    if not path.exists():
        return Glossary()
    with _database(path) as database:
        return _read(database)


def changes(path: Path, *, changed_by: str | None = None) -> list[Change]:
    """Every stored entry with who last changed it and when (only ``changed_by``'s when given)."""
    if not path.exists():
        return []
    with _database(path) as database:
        rows = database.execute("SELECT target, source, term, changed_by, updated FROM glossary_terms "
                                "WHERE ? IS NULL OR changed_by = ? ORDER BY target, source",
                                (changed_by, changed_by)).fetchall()
    return [Change(*row) for row in rows]


def previous(path: Path) -> Previous | None:
    """The version ``restore`` would bring back, or None when none is kept."""
    if not path.exists():
        return None
    with _database(path) as database:
        return _previous(database)


def _previous(database: sqlite3.Connection) -> Previous | None:
    saved = database.execute("SELECT saved, saved_by, why FROM glossary_previous_saved").fetchone()
    if saved is None:
        return None
    return Previous(*saved, database.execute("SELECT count(*) FROM glossary_previous").fetchone()[0])


def restore(path: Path, *, changed_by: str = stores.COMMAND_LINE) -> tuple[Glossary, Previous]:
    """Bring back the version kept before the last replace, import or restore; the glossary of now
    is kept in its place, so a second restore undoes the first. InvalidInput when none is kept."""
    with _database(path) as database:
        kept = _previous(database)
        if kept is None:
            raise InvalidInput("no earlier version of the glossary is kept: one is kept each time the whole "
                               "glossary is replaced (PUT /api/v1/glossary), imported into or restored")
        rows = database.execute("SELECT target, source, term, updated, changed_by FROM glossary_previous").fetchall()
        _keep_previous(database, changed_by=changed_by, why="restore")
        database.execute("DELETE FROM glossary_terms")
        database.executemany("INSERT INTO glossary_terms (target, source, term, updated, changed_by) "
                             "VALUES (?, ?, ?, ?, ?)", rows)
        return _read(database), kept


def _keep_previous(database: sqlite3.Connection, *, changed_by: str, why: str) -> None:
    """Set the glossary of now aside as the version ``restore`` brings back."""
    database.execute("DELETE FROM glossary_previous")
    database.execute("INSERT INTO glossary_previous SELECT target, source, term, updated, changed_by "
                     "FROM glossary_terms")
    database.execute("DELETE FROM glossary_previous_saved")
    database.execute("INSERT INTO glossary_previous_saved VALUES (?, ?, ?)", (stores.now(), changed_by, why))


def _read(database: sqlite3.Connection) -> Glossary:
    by_target: dict[str, dict[str, str]] = {}
    keep = []
    for target, source, term in database.execute("SELECT target, source, term FROM glossary_terms"):
        if target == KEEP:
            keep.append(source)
        else:
            by_target.setdefault(target, {})[source] = term
    return Glossary(by_target=by_target, keep=tuple(keep))


def add_term(path: Path, *, target: str, source_term: str, target_term: str,
             changed_by: str = stores.COMMAND_LINE) -> str | None:
    """Write ``source_term`` as ``target_term`` in ``target``; return the term it replaces, if any."""
    target = clean_language(target, what="target language")
    source_term = clean_term(source_term, what="the source term")
    target_term = clean_term(target_term, what="the target term")
    with _database(path) as database:
        before = database.execute("SELECT term FROM glossary_terms WHERE target = ? AND source = ?",
                                  (target, source_term)).fetchone()
        _write(database, [(target, source_term, target_term)], changed_by=changed_by)
    return before[0] if before else None


def keep_term(path: Path, term: str, *, changed_by: str = stores.COMMAND_LINE) -> bool:
    """Keep ``term`` as it is in every language; False when it was kept already."""
    term = clean_term(term, what="the term to keep")
    with _database(path) as database:
        kept = database.execute("SELECT 1 FROM glossary_terms WHERE target = ? AND source = ?", (KEEP, term)).fetchone()
        if kept is None:
            _write(database, [(KEEP, term, term)], changed_by=changed_by)
    return kept is None


def remove_term(path: Path, term: str, *, target: str | None = None) -> dict[str, str]:
    """Remove ``term`` for ``target`` (None: everywhere, kept or not); return language -> the
    term removed ("*" for keeping). InvalidInput naming what there is when nothing matches."""
    term = clean_term(term, what="the term to remove")
    if target is not None and target != KEEP:
        target = clean_language(target, what="target language")
    with _database(path) as database:
        rows = database.execute("SELECT target, term FROM glossary_terms WHERE source = ? ORDER BY target",
                                (term,)).fetchall()
        removed = {language: written for language, written in rows if target in (None, language)}
        if not removed:
            raise InvalidInput(_not_there(database, term, target, dict(rows)))
        database.executemany("DELETE FROM glossary_terms WHERE target = ? AND source = ?",
                             [(language, term) for language in removed])
    return removed


def _not_there(database: sqlite3.Connection, term: str, target: str | None, elsewhere: dict[str, str]) -> str:
    """Say that ``term`` is not in the glossary (for ``target``), and what is."""
    where = f" for {target}" if target else ""
    if elsewhere:
        return f"{term!r} is not in the glossary{where}; it is there for: {', '.join(_languages(elsewhere))}"
    known = sorted({source for (source,) in database.execute("SELECT source FROM glossary_terms")})
    if not known:
        return f"{term!r} is not in the glossary{where}: the glossary is empty"
    close = get_close_matches(term, known, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
    shown = ", ".join(known[:PROBLEMS_SHOWN]) + (f" and {len(known) - PROBLEMS_SHOWN} more" if len(known) > PROBLEMS_SHOWN else "")
    return f"{term!r} is not in the glossary{where}{hint} (terms: {shown}; `newsdesk glossary list` shows them all)"


def _languages(entries: dict[str, str]) -> list[str]:
    return [("kept in every language" if language == KEEP else language) for language in entries]


def replace_all(path: Path, glossary: Glossary, *, changed_by: str = stores.COMMAND_LINE) -> Glossary:
    """Replace the whole stored glossary with ``glossary`` in one step, keeping the one it replaces
    for ``restore``; return what is stored."""
    with _database(path) as database:
        _keep_previous(database, changed_by=changed_by, why="replaced")
        _become(database, _rows(glossary), changed_by=changed_by)
        return _read(database)


def import_terms(path: Path, data: bytes, *, file_name: str, changed_by: str = stores.COMMAND_LINE) -> Glossary:
    """Add every entry of a CSV, TSV or TBX file (see the module's doc) to the stored glossary,
    over what is there (``Glossary.merged``: a term the file keeps loses its stored target
    terms), keeping the glossary of before for ``restore``; return what the file held."""
    imported = read_terms(data, file_name=file_name)
    with _database(path) as database:  # read and write in one transaction: no other change lost in between
        merged = _read(database).merged(imported)
        _keep_previous(database, changed_by=changed_by, why=f"import of {file_name}")
        _become(database, _rows(merged), changed_by=changed_by)
    return imported


def export(path: Path, *, fmt: str, source_language: str = "en") -> str:
    """The stored glossary as CSV (source,language,term rows) or TBX (TBX 2, ``source_language``
    as the terms' language); either reads back with ``import_terms``."""
    return write_terms(load(path), fmt=fmt, source_language=source_language)


def _rows(glossary: Glossary) -> list[tuple[str, str, str]]:
    rows = [(KEEP, term, term) for term in glossary.keep]
    return rows + [(target, source, term) for target, terms in glossary.by_target.items() for source, term in terms.items()]


def _write(database: sqlite3.Connection, rows: Iterable[tuple[str, str, str]], *, changed_by: str) -> None:
    database.executemany("INSERT OR REPLACE INTO glossary_terms (target, source, term, updated, changed_by) "
                         "VALUES (?, ?, ?, ?, ?)",
                         [(target, source, term, stores.now(), changed_by) for target, source, term in rows])


def _become(database: sqlite3.Connection, rows: list[tuple[str, str, str]], *, changed_by: str) -> None:
    """Make the stored glossary ``rows``: entries that stay as they were keep who changed them last."""
    stored = {(target, source): term for target, source, term in
              database.execute("SELECT target, source, term FROM glossary_terms")}
    wanted = {(target, source): term for target, source, term in rows}
    database.executemany("DELETE FROM glossary_terms WHERE target = ? AND source = ?",
                         [key for key in stored if key not in wanted])
    _write(database, [(target, source, term) for (target, source), term in wanted.items()
                      if stored.get((target, source)) != term], changed_by=changed_by)
