"""Keep API keys and the web form's sign-ins: stored only as hashes in a small SQLite file.

A key is 32 random bytes (``secrets.token_urlsafe``) behind the prefix ``nd_``, and so is a
sign-in's session token. With that much entropy nobody can guess a secret from its hash,
so SHA-256 is enough (a slow password hash protects *guessable* secrets) and lets a
request find its key by one indexed lookup. The file, its folder and the cookie-signing
secret beside it are readable by this user only.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import stores
from .errors import InvalidInput, InvalidSetting

KEY_PREFIX = "nd_"
# What a key may do (issue 31), each role all that the one before may: ``translate`` uses the
# glossary and the memory; ``edit`` also stores, changes and deletes entries and lists the
# desks' corrections; ``admin`` also replaces or empties the whole glossary.
ROLES = ("translate", "edit", "admin")
DEFAULT_ROLE = "translate"
# Keys made before roles existed could change the glossary and the memory: on upgrade they
# become ``edit`` (docs/operations.md, "Roles"), so the desks keep their work and only an admin
# key can replace or empty the whole glossary.
UPGRADED_ROLE = "edit"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
# api_keys is as it was before sign-ins were kept here, so older files work unchanged.
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS api_keys (
        name TEXT PRIMARY KEY,
        hash TEXT NOT NULL UNIQUE,
        hint TEXT NOT NULL,
        created TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS web_sessions (
        token_hash TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL,
        created TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS web_sessions_by_key ON web_sessions (key_hash)",
)
ROLE_COLUMN = f"ALTER TABLE api_keys ADD COLUMN role TEXT NOT NULL DEFAULT '{UPGRADED_ROLE}'"
# The id is the start of the key's hash: the key is random, so a new key under a removed
# key's name gets a new id, and existing files need no new column.
_RECORD = "SELECT substr(hash, 1, 16), name, hint, created, role FROM api_keys"


@dataclass(frozen=True)
class ApiKey:
    id: str  # never reused, unlike a name: what batch jobs and rate limits belong to
    name: str
    hint: str  # the key's first characters, so a person can tell keys apart
    created: str
    role: str = DEFAULT_ROLE

    def may(self, role: str) -> bool:
        """Whether this key has ``role`` or a role above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def add_key(path: Path, name: str, role: str = DEFAULT_ROLE) -> tuple[ApiKey, str]:
    """Create a key named ``name`` with ``role``; return its record and the key itself (shown once)."""
    if not NAME.match(name):
        raise InvalidInput(
            f"key name {name!r} is not usable: use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(hash_key(key)[:16], name, key[:7] + "…", stores.now(), checked_role(role))
    with _keys_database(path) as database:
        try:
            database.execute("INSERT INTO api_keys (name, hash, hint, created, role) VALUES (?, ?, ?, ?, ?)",
                             (name, hash_key(key), record.hint, record.created, record.role))
        except sqlite3.IntegrityError:
            raise InvalidInput(f"a key named {name!r} exists already: remove it first or choose another name") from None
    return record, key


def checked_role(role: str) -> str:
    """``role`` when it is one of ROLES, else InvalidInput listing them."""
    if role not in ROLES:
        raise InvalidInput(f"role {role!r} is not one of: {', '.join(ROLES)}")
    return role


def set_role(path: Path, name: str, role: str) -> ApiKey:
    """Give the key named ``name`` the role ``role``; it holds from the key's next request on."""
    role = checked_role(role)
    with _keys_database(path) as database:
        _named(database, name)
        database.execute("UPDATE api_keys SET role = ? WHERE name = ?", (role, name))
        return ApiKey(*database.execute(f"{_RECORD} WHERE name = ?", (name,)).fetchone())


@contextlib.contextmanager
def _keys_database(path: Path) -> Iterator[sqlite3.Connection]:
    """The keys file, with the role column added to a file made before roles (its keys become edit)."""
    with stores.transaction(path, SCHEMA) as database:
        columns = {row[1] for row in database.execute("PRAGMA table_info(api_keys)")}
        if "role" not in columns:
            database.execute(ROLE_COLUMN)
        yield database


def _named(database: sqlite3.Connection, name: str) -> tuple:
    row = database.execute(f"{_RECORD} WHERE name = ?", (name,)).fetchone()
    if row is None:
        known = ", ".join(r[0] for r in database.execute("SELECT name FROM api_keys ORDER BY name")) or "none"
        raise InvalidInput(f"no key named {name!r} (keys: {known})")
    return row


def list_keys(path: Path) -> list[ApiKey]:
    if not path.exists():
        return []
    with _keys_database(path) as database:
        rows = database.execute(f"{_RECORD} ORDER BY name").fetchall()
    return [ApiKey(*row) for row in rows]


def remove_key(path: Path, name: str) -> ApiKey:
    """Remove the key named ``name`` and its sign-ins; requests that use it are refused from now on."""
    with _keys_database(path) as database:
        row = _named(database, name)
        database.execute("DELETE FROM web_sessions WHERE key_hash = (SELECT hash FROM api_keys WHERE name = ?)", (name,))
        database.execute("DELETE FROM api_keys WHERE name = ?", (name,))
    return ApiKey(*row)


def find_key(path: Path, key_hash: str) -> ApiKey | None:
    """The key whose hash is ``key_hash``, or None (unknown or removed)."""
    if not path.exists():
        return None
    with _keys_database(path) as database:
        row = database.execute(f"{_RECORD} WHERE hash = ?", (key_hash,)).fetchone()
    return ApiKey(*row) if row else None


def start_session(path: Path, key_hash: str) -> str:
    """Sign a browser in with the key whose hash is ``key_hash``; return the session token for its cookie."""
    token = secrets.token_urlsafe(32)
    with stores.transaction(path, SCHEMA) as database:
        database.execute("INSERT INTO web_sessions VALUES (?, ?, ?)", (hash_key(token), key_hash, stores.now()))
    return token


def find_session(path: Path, token: str) -> ApiKey | None:
    """The key a session token signed in with, or None (signed out, or the key was removed)."""
    if not path.exists():
        return None
    with _keys_database(path) as database:
        row = database.execute(
            "SELECT substr(k.hash, 1, 16), k.name, k.hint, k.created, k.role FROM web_sessions s "
            "JOIN api_keys k ON k.hash = s.key_hash WHERE s.token_hash = ?", (hash_key(token),)).fetchone()
    return ApiKey(*row) if row else None


def end_session(path: Path, token: str) -> None:
    """Sign out: the token, and any copy of its cookie, no longer signs in."""
    if path.exists():
        with stores.transaction(path, SCHEMA) as database:
            database.execute("DELETE FROM web_sessions WHERE token_hash = ?", (hash_key(token),))


def load_or_create_secret(path: Path) -> str:
    """The secret kept in ``path``; the first caller writes a new one (mode 0600), every other reads it."""
    try:
        if not path.exists():
            _write_once(path, secrets.token_hex(32))
        stores.make_private(path)
        secret = path.read_text().strip()
    except PermissionError as error:
        raise InvalidSetting(f"cannot keep the web form's signing secret in {path} ({error.strerror}): run newsdesk "
                             "as the user that owns that folder, or set NEWSDESK_SECRET_KEY") from None
    if not secret:
        raise InvalidSetting(f"{path} is empty: remove it (a new secret is made at the next start; everyone "
                             "signs in again) or set NEWSDESK_SECRET_KEY")
    return secret


def _write_once(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` unless it exists, so that workers starting together agree."""
    path.parent.mkdir(mode=stores.PRIVATE_FOLDER, parents=True, exist_ok=True)
    # Written whole to a private draft (mkstemp: O_CREAT | O_EXCL, mode 0600), then linked into
    # place: the link fails if another worker's is there already, and nobody reads half a secret.
    descriptor, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(text)
        os.link(draft, path)
    except FileExistsError:
        pass  # another worker's came first: everyone uses that one
    finally:
        os.unlink(draft)
