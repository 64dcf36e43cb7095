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
import json
import os
import re
import secrets
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import stores
from .config import Settings
from .errors import InvalidInput, InvalidSetting
from .stores import redis_server

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


def add_key(settings: Settings, name: str, role: str = DEFAULT_ROLE) -> tuple[ApiKey, str]:
    """Create a key named ``name`` with ``role``; return its record and the key itself (shown once)."""
    if not NAME.match(name):
        raise InvalidInput(
            f"key name {name!r} is not usable: use 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit"
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    record = ApiKey(hash_key(key)[:16], name, key[:7] + "…", stores.now(), checked_role(role))
    if not _store(settings).add(record, key_hash=hash_key(key)):
        raise InvalidInput(f"a key named {name!r} exists already: remove it first or choose another name")
    return record, key


def checked_role(role: str) -> str:
    """``role`` when it is one of ROLES, else InvalidInput listing them."""
    if role not in ROLES:
        raise InvalidInput(f"role {role!r} is not one of: {', '.join(ROLES)}")
    return role


def set_role(settings: Settings, name: str, role: str) -> ApiKey:
    """Give the key named ``name`` the role ``role``; it holds from the key's next request on."""
    changed = _store(settings).set_role(name, checked_role(role))
    if changed is None:
        raise _unknown(settings, name)
    return changed


def list_keys(settings: Settings) -> list[ApiKey]:
    return _store(settings).all()


def remove_key(settings: Settings, name: str) -> ApiKey:
    """Remove the key named ``name`` and its sign-ins; requests that use it are refused from now on."""
    removed = _store(settings).remove(name)
    if removed is None:
        raise _unknown(settings, name)
    return removed


def _unknown(settings: Settings, name: str) -> InvalidInput:
    known = ", ".join(record.name for record in list_keys(settings)) or "none"
    return InvalidInput(f"no key named {name!r} (keys: {known})")


def find_key(settings: Settings, key_hash: str) -> ApiKey | None:
    """The key whose hash is ``key_hash``, or None (unknown or removed)."""
    return _store(settings).find(key_hash)


def start_session(settings: Settings, key_hash: str) -> str:
    """Sign a browser in with the key whose hash is ``key_hash``; return the session token for its cookie."""
    token = secrets.token_urlsafe(32)
    _store(settings).start_session(hash_key(token), key_hash=key_hash, started=stores.now())
    return token


def find_session(settings: Settings, token: str) -> ApiKey | None:
    """The key a session token signed in with, or None (signed out, or the key was removed)."""
    return _store(settings).find_session(hash_key(token))


def end_session(settings: Settings, token: str) -> None:
    """Sign out: the token, and any copy of its cookie, no longer signs in."""
    _store(settings).end_session(hash_key(token))


def location(settings: Settings) -> str:
    """Where the keys are kept, for messages: the SQLite file, or the Redis URL without its password."""
    return redis_server.location(settings) if settings.redis_url else str(settings.keys_db)


def load_or_create_secret(settings: Settings) -> str:
    """The web form's cookie-signing secret: the first caller makes a new one, every other reads it. In
    NEWSDESK_REDIS_URL's Redis when that is set, so that a sign-in holds on every node; else in
    secret_key beside NEWSDESK_KEYS_DB (mode 0600)."""
    if settings.redis_url:
        def made_or_read(client) -> str:
            client.set(_REDIS_SECRET, secrets.token_hex(32), nx=True)
            return client.get(_REDIS_SECRET).decode()

        return redis_server.shared(settings, made_or_read, what="the web form's signing secret")
    path = settings.keys_db.parent / "secret_key"
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


def _store(settings: Settings) -> _SqliteKeys | _RedisKeys:
    """The keys of this service: NEWSDESK_REDIS_URL's Redis when set (every node the same keys), else the file."""
    return _RedisKeys(settings) if settings.redis_url else _SqliteKeys(settings.keys_db)


class _SqliteKeys:
    """The keys in one private SQLite file (NEWSDESK_KEYS_DB), which every worker of one machine reads."""

    def __init__(self, path: Path):
        self.path = path

    @contextlib.contextmanager
    def _database(self) -> Iterator[sqlite3.Connection]:
        """The keys file, with the role column added to a file made before roles (its keys become edit)."""
        with stores.transaction(self.path, SCHEMA) as database:
            columns = {row[1] for row in database.execute("PRAGMA table_info(api_keys)")}
            if "role" not in columns:
                database.execute(ROLE_COLUMN)
            yield database

    def add(self, record: ApiKey, *, key_hash: str) -> bool:
        with self._database() as database:
            try:
                database.execute("INSERT INTO api_keys (name, hash, hint, created, role) VALUES (?, ?, ?, ?, ?)",
                                 (record.name, key_hash, record.hint, record.created, record.role))
            except sqlite3.IntegrityError:
                return False
        return True

    def set_role(self, name: str, role: str) -> ApiKey | None:
        with self._database() as database:
            database.execute("UPDATE api_keys SET role = ? WHERE name = ?", (role, name))
            row = database.execute(f"{_RECORD} WHERE name = ?", (name,)).fetchone()
        return ApiKey(*row) if row else None

    def all(self) -> list[ApiKey]:
        if not self.path.exists():
            return []
        with self._database() as database:
            return [ApiKey(*row) for row in database.execute(f"{_RECORD} ORDER BY name")]

    def remove(self, name: str) -> ApiKey | None:
        with self._database() as database:
            row = database.execute(f"{_RECORD} WHERE name = ?", (name,)).fetchone()
            database.execute("DELETE FROM web_sessions WHERE key_hash = (SELECT hash FROM api_keys WHERE name = ?)",
                             (name,))
            database.execute("DELETE FROM api_keys WHERE name = ?", (name,))
        return ApiKey(*row) if row else None

    def find(self, key_hash: str) -> ApiKey | None:
        if not self.path.exists():
            return None
        with self._database() as database:
            row = database.execute(f"{_RECORD} WHERE hash = ?", (key_hash,)).fetchone()
        return ApiKey(*row) if row else None

    def start_session(self, token_hash: str, *, key_hash: str, started: str) -> None:
        with self._database() as database:
            database.execute("INSERT INTO web_sessions VALUES (?, ?, ?)", (token_hash, key_hash, started))

    def find_session(self, token_hash: str) -> ApiKey | None:
        if not self.path.exists():
            return None
        with self._database() as database:
            row = database.execute(
                "SELECT substr(k.hash, 1, 16), k.name, k.hint, k.created, k.role FROM web_sessions s "
                "JOIN api_keys k ON k.hash = s.key_hash WHERE s.token_hash = ?", (token_hash,)).fetchone()
        return ApiKey(*row) if row else None

    def end_session(self, token_hash: str) -> None:
        if self.path.exists():
            with self._database() as database:
                database.execute("DELETE FROM web_sessions WHERE token_hash = ?", (token_hash,))


# In Redis: name -> the key's record (name, full hash, hint, created, role) in one hash, its hash ->
# its name in another (a request finds its key by one lookup, as by the file's index), and each
# sign-in's token hash -> the key hash it signed in with. The scripts keep each change whole.
_REDIS_PREFIX = "newsdesk:keys"
_REDIS_KEYS = (f"{_REDIS_PREFIX}:by-name", f"{_REDIS_PREFIX}:by-hash", f"{_REDIS_PREFIX}:sessions")
_REDIS_SECRET = "newsdesk:secret-key"
_ADD_SCRIPT = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
return 1
"""
_SET_ROLE_SCRIPT = """
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return false end
local record = cjson.decode(stored)
record['role'] = ARGV[2]
stored = cjson.encode(record)
redis.call('HSET', KEYS[1], ARGV[1], stored)
return stored
"""
_REMOVE_SCRIPT = """
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return false end
local key_hash = cjson.decode(stored)['hash']
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], key_hash)
local sessions = redis.call('HGETALL', KEYS[3])
for i = 1, #sessions, 2 do
  if sessions[i + 1] == key_hash then redis.call('HDEL', KEYS[3], sessions[i]) end
end
return stored
"""
_FIND_SCRIPT = """
local key_hash = ARGV[1]
if ARGV[2] == 'session' then
  key_hash = redis.call('HGET', KEYS[3], ARGV[1])
  if not key_hash then return false end
end
local name = redis.call('HGET', KEYS[2], key_hash)
if not name then return false end
return redis.call('HGET', KEYS[1], name)
"""


class _RedisKeys:
    """The keys in NEWSDESK_REDIS_URL's Redis, which every web node and worker reads (issue 33)."""

    def __init__(self, settings: Settings):
        self.settings = settings

    def _script(self, script: str, *arguments: str):
        return redis_server.shared(self.settings, lambda client: client.eval(script, len(_REDIS_KEYS), *_REDIS_KEYS,
                                                                              *arguments), what="the API keys")

    @staticmethod
    def _record(stored: bytes | None) -> ApiKey | None:
        if not stored:
            return None
        value = json.loads(stored)
        return ApiKey(value["hash"][:16], value["name"], value["hint"], value["created"], value["role"])

    def add(self, record: ApiKey, *, key_hash: str) -> bool:
        stored = json.dumps({"name": record.name, "hash": key_hash, "hint": record.hint, "created": record.created, "role": record.role},
                            ensure_ascii=False)
        return self._script(_ADD_SCRIPT, record.name, key_hash, stored) == 1

    def set_role(self, name: str, role: str) -> ApiKey | None:
        return self._record(self._script(_SET_ROLE_SCRIPT, name, role))

    def all(self) -> list[ApiKey]:
        stored = redis_server.shared(self.settings, lambda client: client.hgetall(_REDIS_KEYS[0]), what="the API keys")
        return sorted((self._record(value) for value in stored.values()),
                      key=lambda record: record.name)

    def remove(self, name: str) -> ApiKey | None:
        return self._record(self._script(_REMOVE_SCRIPT, name))

    def find(self, key_hash: str) -> ApiKey | None:
        return self._record(self._script(_FIND_SCRIPT, key_hash, "key"))

    def start_session(self, token_hash: str, *, key_hash: str, started: str) -> None:
        redis_server.shared(self.settings, lambda client: client.hset(_REDIS_KEYS[2], token_hash, key_hash),
                            what="the API keys")

    def find_session(self, token_hash: str) -> ApiKey | None:
        return self._record(self._script(_FIND_SCRIPT, token_hash, "session"))

    def end_session(self, token_hash: str) -> None:
        redis_server.shared(self.settings, lambda client: client.hdel(_REDIS_KEYS[2], token_hash), what="the API keys")
