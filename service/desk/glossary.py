"""Keep the newsroom's glossary in a small SQLite file; import it from and export it to CSV, TSV or TBX.

One glossary serves the whole service (NEWSDESK_GLOSSARY_DB), as house spellings are the
newsroom's, not one caller's. Each row is a target language, a source term and how that
language writes it; a term kept as it is in every language has the language "*". The
file and its folder are readable by this user only, as service/keys.py keeps its file.

Files are read and written by glossary_files.py (CSV, TSV, TBX; a file with a problem is
refused whole): ``import_terms`` and ``export`` are the store's side of them.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from difflib import get_close_matches
from pathlib import Path

from .. import stores
from ..config import Settings
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


def load(settings: Settings) -> Glossary:
    """The stored glossary; empty when nothing is stored yet."""
    return _glossary_of(_store(settings).read().terms)


def changes(settings: Settings, *, changed_by: str | None = None) -> list[Change]:
    """Every stored entry with who last changed it and when (only ``changed_by``'s when given)."""
    stored = _store(settings).read().terms
    return [Change(target, source, entry.term, entry.changed_by, entry.updated)
            for (target, source), entry in sorted(stored.items()) if changed_by in (None, entry.changed_by)]


def previous(settings: Settings) -> Previous | None:
    """The version ``restore`` would bring back, or None when none is kept."""
    return _previous_of(_store(settings).read())


def location(settings: Settings) -> str:
    """Where the glossary is kept, for messages: the SQLite file, or the Redis URL without its password."""
    from ..stores import redis_server

    return redis_server.location(settings) if settings.redis_url else str(settings.glossary_db)


def _previous_of(stored: _Stored) -> Previous | None:
    if stored.saved is None:
        return None
    return Previous(*stored.saved, entries=len(stored.previous))


def restore(settings: Settings, *, changed_by: str = stores.COMMAND_LINE) -> tuple[Glossary, Previous]:
    """Bring back the version kept before the last replace, import or restore; the glossary of now
    is kept in its place, so a second restore undoes the first. InvalidInput when none is kept."""
    def swapped(stored: _Stored) -> _Stored:
        if stored.saved is None:
            raise InvalidInput("no earlier version of the glossary is kept: one is kept each time the whole "
                               "glossary is replaced (PUT /api/v1/glossary), imported into or restored")
        return replace(_kept_aside(stored, changed_by=changed_by, why="restore"), terms=stored.previous)

    before, after = _store(settings).change(swapped)
    return _glossary_of(after.terms), _previous_of(before)


def _kept_aside(stored: _Stored, *, changed_by: str, why: str) -> _Stored:
    """``stored`` with the glossary of now set aside as the version ``restore`` brings back."""
    return replace(stored, previous=stored.terms, saved=(stores.now(), changed_by, why))


def _glossary_of(terms: Mapping[tuple[str, str], _Entry]) -> Glossary:
    by_target: dict[str, dict[str, str]] = {}
    keep = []
    for (target, source), entry in terms.items():
        if target == KEEP:
            keep.append(source)
        else:
            by_target.setdefault(target, {})[source] = entry.term
    return Glossary(by_target=by_target, keep=tuple(keep))


def add_term(settings: Settings, *, target: str, source_term: str, target_term: str,
             changed_by: str = stores.COMMAND_LINE) -> str | None:
    """Write ``source_term`` as ``target_term`` in ``target``; return the term it replaces, if any."""
    target = clean_language(target, what="target language")
    source_term = clean_term(source_term, what="the source term")
    target_term = clean_term(target_term, what="the target term")
    before, _after = _store(settings).change(
        lambda stored: _written(stored, [(target, source_term, target_term)], changed_by=changed_by))
    replaced = before.terms.get((target, source_term))
    return replaced.term if replaced else None


def keep_term(settings: Settings, term: str, *, changed_by: str = stores.COMMAND_LINE) -> bool:
    """Keep ``term`` as it is in every language; False when it was kept already."""
    term = clean_term(term, what="the term to keep")
    before, _after = _store(settings).change(
        lambda stored: stored if (KEEP, term) in stored.terms else _written(stored, [(KEEP, term, term)],
                                                                              changed_by=changed_by))
    return (KEEP, term) not in before.terms


def remove_term(settings: Settings, term: str, *, target: str | None = None) -> dict[str, str]:
    """Remove ``term`` for ``target`` (None: everywhere, kept or not); return language -> the
    term removed ("*" for keeping). InvalidInput naming what there is when nothing matches."""
    term = clean_term(term, what="the term to remove")
    if target is not None and target != KEEP:
        target = clean_language(target, what="target language")

    def without(stored: _Stored) -> _Stored:
        elsewhere = {language: entry.term for (language, source), entry in sorted(stored.terms.items())
                     if source == term}
        if not any(target in (None, language) for language in elsewhere):
            raise InvalidInput(_not_there(stored, term, target, elsewhere))
        return replace(stored, terms={key: entry for key, entry in stored.terms.items()
                                      if not (key[1] == term and target in (None, key[0]))})

    before, _after = _store(settings).change(without)
    return {language: entry.term for (language, source), entry in sorted(before.terms.items())
            if source == term and target in (None, language)}


def _not_there(stored: _Stored, term: str, target: str | None, elsewhere: dict[str, str]) -> str:
    """Say that ``term`` is not in the glossary (for ``target``), and what is."""
    where = f" for {target}" if target else ""
    if elsewhere:
        return f"{term!r} is not in the glossary{where}; it is there for: {', '.join(_languages(elsewhere))}"
    known = sorted({source for _target, source in stored.terms})
    if not known:
        return f"{term!r} is not in the glossary{where}: the glossary is empty"
    close = get_close_matches(term, known, n=3, cutoff=0.6)
    hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
    shown = ", ".join(known[:PROBLEMS_SHOWN]) + (f" and {len(known) - PROBLEMS_SHOWN} more" if len(known) > PROBLEMS_SHOWN else "")
    return f"{term!r} is not in the glossary{where}{hint} (terms: {shown}; `newsdesk glossary list` shows them all)"


def _languages(entries: dict[str, str]) -> list[str]:
    return [("kept in every language" if language == KEEP else language) for language in entries]


def replace_all(settings: Settings, glossary: Glossary, *, changed_by: str = stores.COMMAND_LINE) -> Glossary:
    """Replace the whole stored glossary with ``glossary`` in one step, keeping the one it replaces
    for ``restore``; return what is stored."""
    _before, after = _store(settings).change(lambda stored: _become(
        _kept_aside(stored, changed_by=changed_by, why="replaced"), _rows(glossary), changed_by=changed_by))
    return _glossary_of(after.terms)


def import_terms(settings: Settings, data: bytes, *, file_name: str, changed_by: str = stores.COMMAND_LINE) -> Glossary:
    """Add every entry of a CSV, TSV or TBX file (see the module's doc) to the stored glossary,
    over what is there (``Glossary.merged``: a term the file keeps loses its stored target
    terms), keeping the glossary of before for ``restore``; return what the file held."""
    imported = read_terms(data, file_name=file_name)
    # Read, merged and written in one change: no other change is lost in between.
    _store(settings).change(lambda stored: _become(
        _kept_aside(stored, changed_by=changed_by, why=f"import of {file_name}"),
        _rows(_glossary_of(stored.terms).merged(imported)), changed_by=changed_by))
    return imported


def export(settings: Settings, *, fmt: str, source_language: str = "en") -> str:
    """The stored glossary as CSV (source,language,term rows) or TBX (TBX 2, ``source_language``
    as the terms' language); either reads back with ``import_terms``."""
    return write_terms(load(settings), fmt=fmt, source_language=source_language)


def _rows(glossary: Glossary) -> list[tuple[str, str, str]]:
    rows = [(KEEP, term, term) for term in glossary.keep]
    return rows + [(target, source, term) for target, terms in glossary.by_target.items() for source, term in terms.items()]


def _written(stored: _Stored, rows: Iterable[tuple[str, str, str]], *, changed_by: str) -> _Stored:
    """``stored`` with ``rows`` (target, source, term) written over it, changed by ``changed_by`` now."""
    written = {(target, source): _Entry(term, stores.now(), changed_by) for target, source, term in rows}
    return replace(stored, terms={**stored.terms, **written})


def _become(stored: _Stored, rows: list[tuple[str, str, str]], *, changed_by: str) -> _Stored:
    """``stored`` with its terms made ``rows``: entries that stay as they were keep who changed them last."""
    wanted = {(target, source): term for target, source, term in rows}
    kept = {key: entry for key, entry in stored.terms.items() if wanted.get(key) == entry.term}
    return _written(replace(stored, terms=kept), [(target, source, term) for (target, source), term in wanted.items()
                                                  if (target, source) not in kept], changed_by=changed_by)


# --- where it is kept ---------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    term: str
    updated: str
    changed_by: str


@dataclass(frozen=True)
class _Stored:
    """Everything kept: (target, source) -> entry, the version set aside for undo, and when, by whom and
    why it was set aside (None: none kept)."""

    terms: Mapping[tuple[str, str], _Entry] = field(default_factory=dict)
    previous: Mapping[tuple[str, str], _Entry] = field(default_factory=dict)
    saved: tuple[str, str, str] | None = None


def _store(settings: Settings) -> _SqliteGlossary | _RedisGlossary:
    """The glossary of this service: NEWSDESK_REDIS_URL's Redis when set (every node the same), else the file.
    Both keep the whole of it and change it in one step (``change``), so the rules above are written once."""
    return _RedisGlossary(settings) if settings.redis_url else _SqliteGlossary(settings.glossary_db)


class _SqliteGlossary:
    """The glossary in one private SQLite file (NEWSDESK_GLOSSARY_DB), as earlier newsdesks made it."""

    def __init__(self, path: Path):
        self.path = path

    @contextmanager
    def _database(self):
        """The glossary file in one transaction, with the columns a file of an earlier newsdesk lacks."""
        with stores.transaction(self.path, SCHEMA) as database:
            stores.add_missing_columns(database, "glossary_terms", ADDED_COLUMNS)
            yield database

    def read(self) -> _Stored:
        if not self.path.exists():
            return _Stored()
        with self._database() as database:
            return self._read(database)

    @staticmethod
    def _read(database: sqlite3.Connection) -> _Stored:
        def table(name: str) -> dict[tuple[str, str], _Entry]:
            return {(target, source): _Entry(term, updated, changed_by) for target, source, term, updated, changed_by
                    in database.execute(f"SELECT target, source, term, updated, changed_by FROM {name}")}

        saved = database.execute("SELECT saved, saved_by, why FROM glossary_previous_saved").fetchone()
        return _Stored(terms=table("glossary_terms"), previous=table("glossary_previous"),
                       saved=tuple(saved) if saved else None)

    def change(self, edit: Callable[[_Stored], _Stored]) -> tuple[_Stored, _Stored]:
        """Apply ``edit`` in one transaction; return the glossary before and after. Only the rows that
        changed are written."""
        with self._database() as database:
            database.execute("BEGIN IMMEDIATE")  # no other writer between this read and the write
            before = self._read(database)
            after = edit(before)
            self._write(database, "glossary_terms", before.terms, after.terms)
            if after.previous is not before.previous:
                self._write(database, "glossary_previous", before.previous, after.previous)
            if after.saved != before.saved:
                database.execute("DELETE FROM glossary_previous_saved")
                database.execute("INSERT INTO glossary_previous_saved VALUES (?, ?, ?)", after.saved)
        return before, after

    @staticmethod
    def _write(database: sqlite3.Connection, table: str, before: Mapping, after: Mapping) -> None:
        database.executemany(f"DELETE FROM {table} WHERE target = ? AND source = ?",
                             [key for key in before if key not in after])
        database.executemany(f"INSERT OR REPLACE INTO {table} (target, source, term, updated, changed_by) "
                             "VALUES (?, ?, ?, ?, ?)",
                             [(*key, entry.term, entry.updated, entry.changed_by) for key, entry in after.items()
                              if before.get(key) != entry])


# In Redis the whole glossary is one JSON value, changed under WATCH (optimistic: a change made
# meanwhile by another node makes this one start again from what that node wrote), with a
# random version beside it, so that each request reads and parses it only when it changed.
_REDIS_GLOSSARY = "newsdesk:glossary"
_REDIS_VERSION = "newsdesk:glossary:version"


class _RedisGlossary:
    """The glossary in NEWSDESK_REDIS_URL's Redis, which every web node and worker reads (issue 33)."""

    # url -> (version, what that version holds): read again only when the version changed.
    _read_cache: dict[str, tuple[bytes, _Stored]] = {}

    def __init__(self, settings: Settings):
        self.settings = settings

    def _call(self, operation):
        from ..stores import redis_server

        return redis_server.shared(self.settings, operation, what="the glossary")

    def read(self) -> _Stored:
        version = self._call(lambda client: client.get(_REDIS_VERSION))
        cached = self._read_cache.get(self.settings.redis_url)
        if version is not None and cached is not None and cached[0] == version:
            return cached[1]
        version, value = self._call(lambda client: client.mget(_REDIS_VERSION, _REDIS_GLOSSARY))
        stored = self._decoded(value)
        if version is not None:
            self._read_cache[self.settings.redis_url] = (version, stored)
        return stored

    def change(self, edit: Callable[[_Stored], _Stored]) -> tuple[_Stored, _Stored]:
        made: list[tuple[_Stored, _Stored]] = []

        def attempt(pipe) -> None:
            made.clear()
            before = self._decoded(pipe.get(_REDIS_GLOSSARY))
            after = edit(before)
            pipe.multi()
            pipe.set(_REDIS_GLOSSARY, self._encoded(after))
            pipe.set(_REDIS_VERSION, secrets.token_hex(8))
            made.append((before, after))

        self._call(lambda client: client.transaction(attempt, _REDIS_GLOSSARY))
        return made[0]

    @staticmethod
    def _decoded(value: bytes | None) -> _Stored:
        if not value:
            return _Stored()
        data = json.loads(value)

        def table(rows: list) -> dict[tuple[str, str], _Entry]:
            return {(target, source): _Entry(term, updated, changed_by) for target, source, term, updated, changed_by
                    in rows}

        return _Stored(terms=table(data["terms"]), previous=table(data["previous"]),
                       saved=tuple(data["saved"]) if data["saved"] else None)

    @staticmethod
    def _encoded(stored: _Stored) -> str:
        def rows(table: Mapping[tuple[str, str], _Entry]) -> list:
            return [[*key, entry.term, entry.updated, entry.changed_by] for key, entry in sorted(table.items())]

        return json.dumps({"terms": rows(stored.terms), "previous": rows(stored.previous), "saved": stored.saved},
                          ensure_ascii=False)
