"""Keep the translation memory: editors' corrections, keyed by language pair and source sentence.

A correction says "translate this sentence so": the translation step asks the memory for every
sentence of an article in one call (``lookup_many``) and uses what it finds instead of the model.

Where it lives: with NEWSDESK_REDIS_URL empty, in a small SQLite file (NEWSDESK_MEMORY_DB, mode
0600 in a 0700 folder, as keys.py keeps its file). With NEWSDESK_REDIS_URL set the service is
scaled out over workers and machines, so the memory lives in that Redis and every worker sees a
correction the moment it is stored: one hash per pair, ``newsdesk:memory:<source>:<target>``,
normalised sentence -> JSON {"translation", "updated", "changed_by"}, plus the pair's version beside it.

Sentences are matched after ``normalise_sentence``: Unicode NFC, every run of whitespace as one
space, no space at the ends. Case and punctuation are kept, because they change the translation:
"Gadhafi must quit." and "gadhafi must quit." are different sentences, and so are "Gadhafi must
quit" and "Gadhafi must quit.".
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
import unicodedata
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from .. import stores
from ..config import Settings
from ..errors import InvalidInput, TooLarge

LANGUAGE = re.compile(r"^[a-z]{2,3}$")  # ISO 639-1, and the few 3-letter codes Argos packs use
_WHITESPACE = re.compile(r"\s+")  # str patterns: Unicode whitespace too (no-break, thin, ideographic spaces)
# What XML 1.0 cannot carry (C0 controls, lone surrogates, U+FFFE/U+FFFF): refused, so that every
# stored entry can be exported to TMX; no model reads them either.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A version no change has produced: a pair never written, or a store that was emptied (a new file,
# a flushed Redis). Translations cached under it were made with no memory, which is still right.
NO_VERSION = "0"
DEFAULT_LIMIT = 100

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS memory (
        source TEXT NOT NULL,
        target TEXT NOT NULL,
        sentence TEXT NOT NULL,
        translation TEXT NOT NULL,
        updated TEXT NOT NULL,
        PRIMARY KEY (source, target, sentence)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS memory_versions (
        source TEXT NOT NULL,
        target TEXT NOT NULL,
        version TEXT NOT NULL,
        PRIMARY KEY (source, target)
    ) WITHOUT ROWID""",
    # One row at most: what the last import or restore replaced (``Previous``), as JSON.
    "CREATE TABLE IF NOT EXISTS memory_previous (record TEXT NOT NULL)",
)
_ENTRY = "SELECT source, target, sentence, translation, updated, changed_by FROM memory"
# Added by issue 31: who made each correction's last change.
ADDED_COLUMNS = {"changed_by": "TEXT NOT NULL DEFAULT ''"}
REDIS_PREFIX = "newsdesk:memory"
_REDIS_PAIRS = f"{REDIS_PREFIX}:pairs"  # a set of "source:target", so listing needs no SCAN
_REDIS_PREVIOUS = f"{REDIS_PREFIX}:previous"  # what the last import or restore replaced, as JSON
_REDIS_BATCH = 5_000  # entries per transaction when importing many


@dataclass(frozen=True)
class Entry:
    """One stored correction: ``sentence`` (normalised) in ``source`` is ``translation`` in ``target``."""

    source: str
    target: str
    sentence: str
    translation: str
    updated: str  # ISO 8601, UTC, to the second
    changed_by: str = ""  # the key's name, stores.NO_KEY or stores.COMMAND_LINE; "" before issue 31


@dataclass(frozen=True)
class Previous:
    """What the last import (or restore) replaced, kept for ``restore``: when it was set aside, by
    whom, why, and how many sentences it covers (those that were new then come out again)."""

    saved: str
    saved_by: str
    why: str
    sentences: int


@dataclass(frozen=True)
class Correction:
    """A correction to store (read from a TMX or XLIFF file, say); ``updated`` None: now."""

    source: str
    target: str
    sentence: str
    translation: str
    updated: str | None = None


def normalise_sentence(text: str) -> str:
    """The form a sentence is stored and matched in: NFC, whitespace runs as one space, ends stripped."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def put(settings: Settings, *, source: str, target: str, sentence: str, translation: str,
        changed_by: str = stores.COMMAND_LINE) -> Entry:
    """Store (or replace) the correction of ``sentence``, as ``changed_by``'s; return it as stored."""
    return put_many(settings, corrections=[Correction(source, target, sentence, translation)], changed_by=changed_by)[0]


def checked(settings: Settings, *, source: str, target: str, sentence: str, translation: str) -> Entry:
    """The entry ``put`` would store, checked and normalised, without storing it (a correction kept
    to one result, by a key that may not edit the memory)."""
    return _checked(Correction(source, target, sentence, translation), settings)


def put_many(settings: Settings, *, corrections: Iterable[Correction],
             changed_by: str = stores.COMMAND_LINE) -> list[Entry]:
    """Store many corrections at once (an import), as ``changed_by``'s, or none when one cannot be
    stored; a later one of the same sentence wins."""
    entries = _checked_all(corrections, settings, changed_by=changed_by)
    if entries:
        _backend(settings).change(put=entries)
    return entries


def import_corrections(settings: Settings, *, corrections: Iterable[Correction], why: str,
                       changed_by: str = stores.COMMAND_LINE) -> list[Entry]:
    """Store many corrections as ``put_many`` does, keeping what each sentence had before (or that
    it had nothing) for ``restore``: an import can overwrite a desk's corrections wholesale."""
    entries = _checked_all(corrections, settings, changed_by=changed_by)
    if entries:
        backend = _backend(settings)
        keys = list(dict.fromkeys((entry.source, entry.target, entry.sentence) for entry in entries))
        backend.change(put=entries, kept=_kept_record(backend, keys, saved_by=changed_by, why=why))
    return entries


def previous(settings: Settings) -> Previous | None:
    """What ``restore`` would bring back, or None when nothing is kept."""
    record = _backend(settings).kept()
    return _previous_of(json.loads(record)) if record else None


def restore(settings: Settings, *, changed_by: str = stores.COMMAND_LINE) -> tuple[Previous, int, int]:
    """Put back what the last import or restore replaced: each sentence's correction as it was, and
    no correction for those that had none. What this replaces is kept in its place, so a second
    restore undoes the first. Returns what was restored, how many corrections came back and how many
    went; InvalidInput when nothing is kept."""
    backend = _backend(settings)
    stored = backend.kept()
    if not stored:
        raise InvalidInput("no earlier version of the translation memory is kept: one is kept each time "
                           "`newsdesk memory import` changes it")
    record = json.loads(stored)
    before = [(item["source"], item["target"], item["sentence"], item["entry"]) for item in record["before"]]
    back = [Entry(source, target, sentence, kept["translation"], kept["updated"], kept["changed_by"])
            for source, target, sentence, kept in before if kept is not None]
    gone = [(source, target, sentence) for source, target, sentence, kept in before if kept is None]
    keys = [(source, target, sentence) for source, target, sentence, _kept in before]
    backend.change(put=back, removed=gone, kept=_kept_record(backend, keys, saved_by=changed_by, why="restore"))
    return _previous_of(record), len(back), len(gone)


def _kept_record(backend: _SqliteMemory | _RedisMemory, keys: list[tuple[str, str, str]], *, saved_by: str,
                 why: str) -> str:
    """JSON of what ``keys`` (source, target, sentence) hold now, for ``restore``."""
    now: dict[tuple[str, str, str], Entry] = {}
    for source, target in dict.fromkeys((source, target) for source, target, _sentence in keys):
        sentences = [sentence for s, t, sentence in keys if (s, t) == (source, target)]
        now.update(((source, target, entry.sentence), entry)
                   for entry in backend.stored(source, target, sentences))
    before = [{"source": source, "target": target, "sentence": sentence,
               "entry": None if (kept := now.get((source, target, sentence))) is None else
               {"translation": kept.translation, "updated": kept.updated, "changed_by": kept.changed_by}}
              for source, target, sentence in keys]
    return json.dumps({"saved": stores.now(), "saved_by": saved_by, "why": why, "before": before},
                      ensure_ascii=False)


def _previous_of(record: dict) -> Previous:
    return Previous(record["saved"], record["saved_by"], record["why"], len(record["before"]))


def remove(settings: Settings, *, source: str, target: str, sentence: str) -> Entry:
    """Remove the correction of ``sentence``; return what was stored (InvalidInput when there is none)."""
    _check_pair(source, target)
    key = normalise_sentence(sentence)
    removed = _backend(settings).remove(source, target, key)
    if removed is None:
        raise InvalidInput(f"the translation memory holds no {source}->{target} correction of {key!r}: "
                           f"list them with `newsdesk memory list --from {source} --to {target}`")
    return removed


def lookup_many(settings: Settings, *, source: str, target: str, sentences: list[str]) -> list[str | None]:
    """The stored translation of each sentence, or None; one round trip to the store for the whole list.

    The translation step calls this for every article, so a pair no correction can be stored under
    (the same language twice, a code such as "zh-Hant") finds nothing rather than failing the article.
    """
    keys = [normalise_sentence(sentence) for sentence in sentences]
    wanted = list(dict.fromkeys(key for key in keys if key))
    found = _backend(settings).lookup(source, target, wanted) if wanted and _storable(source, target) else {}
    return [found.get(key) for key in keys]


def entries(settings: Settings, *, source: str | None = None, target: str | None = None, search: str | None = None,
            limit: int | None = DEFAULT_LIMIT, offset: int = 0, changed_by: str | None = None) -> list[Entry]:
    """Stored corrections by pair, then sentence; ``search``: only those whose sentence or translation
    holds it, ignoring case; ``changed_by``: only those that name last changed. ``limit`` None: all
    of them (an export)."""
    for name, code in (("source", source), ("target", target)):
        if code is not None:
            _check_language(name, code)
    if limit is not None and limit < 1 or offset < 0:
        raise InvalidInput(f"limit must be 1 or more and offset 0 or more (got limit={limit}, offset={offset})")
    needle = normalise_sentence(search).casefold() if search else None
    return _backend(settings).entries(source, target, needle, limit, offset, changed_by)


def version(settings: Settings, *, source: str, target: str) -> str:
    """A token that changes whenever a correction of this pair is stored or removed (for cache keys)."""
    return _backend(settings).version(source, target) if _storable(source, target) else NO_VERSION


def location(settings: Settings) -> str:
    """Where the memory is kept, for messages: the SQLite file, or the Redis URL without its password."""
    from ..stores import redis_server

    return redis_server.location(settings) if settings.redis_url else str(settings.memory_db)


def _new_version() -> str:
    # Random, not a counter: a counter starts again at 1 in a new file or a flushed Redis, while
    # a shared sentence cache may still hold translations made under the old "1".
    return secrets.token_hex(8)


def _check_language(name: str, code: str) -> None:
    if not isinstance(code, str) or not LANGUAGE.match(code):
        raise InvalidInput(f"{name} language {code!r} is not usable: give an ISO 639-1 code such as 'en' or 'de'")


def _storable(source: str, target: str) -> bool:
    return isinstance(source, str) and isinstance(target, str) and source != target \
        and bool(LANGUAGE.match(source) and LANGUAGE.match(target))


def _check_pair(source: str, target: str) -> None:
    _check_language("source", source)
    _check_language("target", target)
    if source == target:
        raise InvalidInput(f"source and target are both {source!r}: a correction translates from one language "
                           "into another")


def _checked_all(corrections: Iterable[Correction], settings: Settings, *, changed_by: str) -> list[Entry]:
    """The entries to store for ``corrections``, as ``changed_by``'s; the first that cannot be
    stored is refused, numbered when there are several."""
    corrections = list(corrections)
    return [replace(_checked(correction, settings, number=number if len(corrections) > 1 else None),
                    changed_by=changed_by)
            for number, correction in enumerate(corrections, 1)]


def _checked(correction: Correction, settings: Settings, *, number: int | None = None) -> Entry:
    """The entry to store for ``correction`` (the ``number``th of many: its errors say so)."""
    try:
        return _entry_for(correction, settings)
    except (InvalidInput, TooLarge) as error:
        if number is None:
            raise
        raise type(error)(f"correction {number} ({correction.source}->{correction.target}, "
                          f"{correction.sentence[:60]!r}): {error}; nothing was stored") from None


def _entry_for(correction: Correction, settings: Settings) -> Entry:
    """Codes checked, both texts normalised and within limits."""
    _check_pair(correction.source, correction.target)
    sentence, translation = normalise_sentence(correction.sentence), normalise_sentence(correction.translation)
    if not sentence or not translation:
        empty = "sentence" if not sentence else "translation"
        raise InvalidInput(f"the {empty} is empty: a correction needs the source sentence and its translation")
    limit = settings.max_sentence_characters
    for name, text in (("sentence", sentence), ("translation", translation)):
        if (bad := _NOT_TEXT.search(text)) is not None:
            raise InvalidInput(f"the {name} holds a control character or a lone surrogate at position "
                               f"{bad.start() + 1}: remove it")
        if limit is not None and len(text) > limit:
            # A longer sentence is refused before translation, so its correction could never be used.
            raise TooLarge(f"the {name} has {len(text):,} characters; the limit is {limit:,} "
                           "(NEWSDESK_MAX_SENTENCE_CHARACTERS): store one sentence per correction")
    return Entry(correction.source, correction.target, sentence, translation, correction.updated or stores.now())


def _backend(settings: Settings) -> _SqliteMemory | _RedisMemory:
    return _RedisMemory(settings) if settings.redis_url else _SqliteMemory(settings.memory_db)


def _matches(entry: Entry, needle: str | None) -> bool:
    return needle is None or needle in entry.sentence.casefold() or needle in entry.translation.casefold()


class _SqliteMemory:
    """The memory in one SQLite file, for a service on one machine."""

    def __init__(self, path: Path):
        self.path = path

    @contextmanager
    def _database(self):
        """A connection for changes, in one transaction; creates the file (0600) and its tables, and
        adds the columns a file of an earlier newsdesk lacks."""
        with stores.transaction(self.path, SCHEMA) as database:
            stores.add_missing_columns(database, "memory", ADDED_COLUMNS)
            yield database

    def _read(self, query: str, values: tuple) -> list[tuple]:
        """Rows of ``query``; none from a file not written yet, which is never created here.

        The translation step reads for every article, so reads skip the schema statements (they
        cost more than the query); a file being created this instant has no tables yet: empty.
        """
        if not self.path.exists():
            return []
        connection = sqlite3.connect(self.path, timeout=10)
        try:
            # SQLite's own lower() folds ASCII only; this folds as the Redis memory's search does.
            connection.create_function("casefold", 1, str.casefold, deterministic=True)
            return connection.execute(query, values).fetchall()
        except sqlite3.OperationalError as error:
            if str(error).startswith("no such table"):
                return []
            if str(error).startswith("no such column"):  # a file of an earlier newsdesk, not changed since
                connection.close()
                with self._database():
                    pass
                return self._read(query, values)
            raise
        finally:
            connection.close()

    def change(self, *, put: list[Entry], removed: list[tuple[str, str, str]] = (),
               kept: str | None = None) -> None:
        """Store ``put``, remove ``removed`` (source, target, sentence) and keep ``kept`` for
        ``restore`` (None: keep what is kept), in one transaction."""
        with self._database() as database:
            database.executemany("INSERT OR REPLACE INTO memory (source, target, sentence, translation, updated, "
                                 "changed_by) VALUES (?, ?, ?, ?, ?, ?)",
                                 [(e.source, e.target, e.sentence, e.translation, e.updated, e.changed_by)
                                  for e in put])
            database.executemany("DELETE FROM memory WHERE source = ? AND target = ? AND sentence = ?", removed)
            self._bump(database, {(e.source, e.target) for e in put} | {(s, t) for s, t, _sentence in removed})
            if kept is not None:
                database.execute("DELETE FROM memory_previous")
                database.execute("INSERT INTO memory_previous VALUES (?)", (kept,))

    def stored(self, source: str, target: str, sentences: list[str]) -> list[Entry]:
        rows = self._read(f"{_ENTRY} WHERE source = ? AND target = ? AND sentence IN (SELECT value FROM json_each(?))",
                          (source, target, json.dumps(sentences, ensure_ascii=False)))
        return [Entry(*row) for row in rows]

    def kept(self) -> str | None:
        rows = self._read("SELECT record FROM memory_previous", ())
        return rows[0][0] if rows else None

    def remove(self, source: str, target: str, sentence: str) -> Entry | None:
        if not self.path.exists():
            return None
        with self._database() as database:
            row = database.execute(f"{_ENTRY} WHERE source = ? AND target = ? AND sentence = ?",
                                   (source, target, sentence)).fetchone()
            if row is not None:
                database.execute("DELETE FROM memory WHERE source = ? AND target = ? AND sentence = ?",
                                 (source, target, sentence))
                self._bump(database, {(source, target)})
        return Entry(*row) if row else None

    def lookup(self, source: str, target: str, sentences: list[str]) -> dict[str, str]:
        # One parameter however many sentences: SQLite caps the number of ? per statement.
        return dict(self._read("SELECT sentence, translation FROM memory WHERE source = ? AND target = ? "
                               "AND sentence IN (SELECT value FROM json_each(?))",
                               (source, target, json.dumps(sentences, ensure_ascii=False))))

    def entries(self, source: str | None, target: str | None, needle: str | None, limit: int | None,
                offset: int, changed_by: str | None) -> list[Entry]:
        where, values = ["1"], []
        for column, value in (("source", source), ("target", target), ("changed_by", changed_by)):
            if value is not None:
                where.append(f"{column} = ?")
                values.append(value)
        if needle is not None:
            where.append("(instr(casefold(sentence), ?) OR instr(casefold(translation), ?))")
            values += [needle, needle]
        rows = self._read(f"{_ENTRY} WHERE {' AND '.join(where)} ORDER BY source, target, sentence LIMIT ? OFFSET ?",
                          (*values, -1 if limit is None else limit, offset))
        return [Entry(*row) for row in rows]

    def version(self, source: str, target: str) -> str:
        rows = self._read("SELECT version FROM memory_versions WHERE source = ? AND target = ?", (source, target))
        return rows[0][0] if rows else NO_VERSION

    @staticmethod
    def _bump(database: sqlite3.Connection, pairs: set[tuple[str, str]]) -> None:
        database.executemany("INSERT OR REPLACE INTO memory_versions VALUES (?, ?, ?)",
                             [(source, target, _new_version()) for source, target in pairs])


# Remove a sentence and change the pair's version in one step, and only when it was there.
_REMOVE_SCRIPT = """
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return false end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[3], ARGV[3]) end
return stored
"""


class _RedisMemory:
    """The memory in NEWSDESK_REDIS_URL's Redis, which every worker on every machine reads."""

    def __init__(self, settings: Settings):
        self.settings = settings

    @staticmethod
    def _hash(source: str, target: str) -> str:
        return f"{REDIS_PREFIX}:{source}:{target}"

    @classmethod
    def _version_key(cls, source: str, target: str) -> str:
        return cls._hash(source, target) + ":version"

    def _call(self, operation):
        from ..stores import redis_server

        return redis_server.shared(self.settings, operation, what="the translation memory")

    def change(self, *, put: list[Entry], removed: list[tuple[str, str, str]] = (),
               kept: str | None = None) -> None:
        """As the SQLite memory's, in transactions of ``_REDIS_BATCH`` changes; ``kept`` goes with
        the last, so a restore never finds a record of changes that were not all made."""
        changes = [("put", entry) for entry in put] + [("remove", key) for key in removed]

        def write(client) -> None:
            for start in range(0, max(len(changes), 1), _REDIS_BATCH):
                batch = changes[start:start + _REDIS_BATCH]
                transaction = client.pipeline(transaction=True)
                pairs = set()
                for kind, change in batch:
                    if kind == "put":
                        pairs.add((change.source, change.target))
                        transaction.hset(self._hash(change.source, change.target), change.sentence,
                                         json.dumps({"translation": change.translation, "updated": change.updated,
                                                     "changed_by": change.changed_by}, ensure_ascii=False))
                    else:
                        source, target, sentence = change
                        pairs.add((source, target))
                        transaction.hdel(self._hash(source, target), sentence)
                for source, target in pairs:
                    transaction.set(self._version_key(source, target), _new_version())
                    transaction.sadd(_REDIS_PAIRS, f"{source}:{target}")
                if kept is not None and start + _REDIS_BATCH >= len(changes):
                    transaction.set(_REDIS_PREVIOUS, kept)
                transaction.execute()

        self._call(write)

    def stored(self, source: str, target: str, sentences: list[str]) -> list[Entry]:
        values = self._call(lambda client: client.hmget(self._hash(source, target), sentences))
        return [self._entry(source, target, sentence.encode(), value)
                for sentence, value in zip(sentences, values) if value]

    def kept(self) -> str | None:
        stored = self._call(lambda client: client.get(_REDIS_PREVIOUS))
        return stored.decode() if stored else None

    def remove(self, source: str, target: str, sentence: str) -> Entry | None:
        keys = [self._hash(source, target), self._version_key(source, target), _REDIS_PAIRS]
        stored = self._call(lambda client: client.eval(_REMOVE_SCRIPT, len(keys), *keys, sentence, _new_version(),
                                                       f"{source}:{target}"))
        return self._entry(source, target, sentence.encode(), stored) if stored else None

    def lookup(self, source: str, target: str, sentences: list[str]) -> dict[str, str]:
        values = self._call(lambda client: client.hmget(self._hash(source, target), sentences))
        return {sentence: json.loads(value)["translation"] for sentence, value in zip(sentences, values) if value}

    def entries(self, source: str | None, target: str | None, needle: str | None, limit: int | None,
                offset: int, changed_by: str | None) -> list[Entry]:
        def read(client) -> list[Entry]:
            pairs = sorted(member.decode().split(":") for member in client.smembers(_REDIS_PAIRS))
            wanted = [(s, t) for s, t in pairs if source in (None, s) and target in (None, t)]
            found = []
            for s, t in wanted:
                stored = client.hgetall(self._hash(s, t))
                found += sorted((self._entry(s, t, key, value) for key, value in stored.items()),
                                key=lambda entry: entry.sentence)
            return found

        matching = [entry for entry in self._call(read) if _matches(entry, needle)
                    and changed_by in (None, entry.changed_by)]
        return matching[offset:None if limit is None else offset + limit]

    def version(self, source: str, target: str) -> str:
        stored = self._call(lambda client: client.get(self._version_key(source, target)))
        return stored.decode() if stored else NO_VERSION

    @staticmethod
    def _entry(source: str, target: str, sentence: bytes, stored: bytes) -> Entry:
        value = json.loads(stored)
        return Entry(source, target, sentence.decode(), value["translation"], value["updated"],
                     value.get("changed_by", ""))
