"""Keep API keys: created once, shown once, stored only as hashes in a small SQLite file.

A key is 32 random bytes (``secrets.token_urlsafe``) behind the prefix ``nd_``. With
that much entropy nobody can guess a key from its hash, so SHA-256 is enough (a slow
password hash protects *guessable* secrets) and lets a request find its key by one
indexed lookup.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .errors import InvalidInput

KEY_PREFIX = "nd_"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    name TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class ApiKey:
    name: str
    hint: str  # the key's first characters, so a person can tell keys apart
    created: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


@contextmanager
def _database(path: Path) -> Iterator[sqlite3.Connection]:
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=10)
    try:
        connection.execute(SCHEMA)
        with connection:  # one transaction: committed on success, rolled back on error
            yield connection
    finally:
        connection.close()


def add_key(path: Path, name: str) -> tuple[ApiKey, str]:
    """Create a key named ``name``; return its record and the key itself (shown once)."""
    if not NAME.match(name):
        raise InvalidInput(
            f"key name {name!r} is not usable: use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(name, key[:7] + "…", datetime.now(timezone.utc).isoformat(timespec="seconds"))
    with _database(path) as database:
        try:
            database.execute("INSERT INTO api_keys VALUES (?, ?, ?, ?)", (name, hash_key(key), record.hint, record.created))
        except sqlite3.IntegrityError:
            raise InvalidInput(f"a key named {name!r} exists already: remove it first or choose another name") from None
    return record, key


def list_keys(path: Path) -> list[ApiKey]:
    if not path.exists():
        return []
    with _database(path) as database:
        rows = database.execute("SELECT name, hint, created FROM api_keys ORDER BY name").fetchall()
    return [ApiKey(*row) for row in rows]


def remove_key(path: Path, name: str) -> ApiKey:
    """Remove the key named ``name``; requests that use it are refused from now on."""
    with _database(path) as database:
        row = database.execute("SELECT name, hint, created FROM api_keys WHERE name = ?", (name,)).fetchone()
        if row is None:
            known = ", ".join(r[0] for r in database.execute("SELECT name FROM api_keys ORDER BY name")) or "none"
            raise InvalidInput(f"no key named {name!r} (keys: {known})")
        database.execute("DELETE FROM api_keys WHERE name = ?", (name,))
    return ApiKey(*row)


def find_key(path: Path, key_hash: str) -> ApiKey | None:
    """The key whose hash is ``key_hash``, or None (unknown or removed)."""
    if not path.exists():
        return None
    with _database(path) as database:
        row = database.execute("SELECT name, hint, created FROM api_keys WHERE hash = ?", (key_hash,)).fetchone()
    return ApiKey(*row) if row else None
