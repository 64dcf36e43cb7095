"""Private SQLite files: API keys, the glossary and the translation memory each keep one.

Every file is this user's only (0600, in a 0700 folder), and every change runs in one
transaction. SQLite gives its journal the database file's mode, so that stays private too.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

PRIVATE_FILE, PRIVATE_FOLDER = 0o600, 0o700
# Who a glossary or memory entry was last changed by, when no key names them (issue 31): no
# key name can be either (keys.NAME), so they never stand for a key.
COMMAND_LINE = "(command line)"
NO_KEY = "(no key)"


def add_missing_columns(database: sqlite3.Connection, table: str, columns: dict[str, str]) -> None:
    """Give a file made by an earlier newsdesk the columns added since: name -> its declaration."""
    present = {row[1] for row in database.execute(f"PRAGMA table_info({table})")}
    for name, declaration in columns.items():
        if name not in present:
            database.execute(f"ALTER TABLE {table} ADD COLUMN {name} {declaration}")


def now() -> str:
    """The time a record is written: ISO 8601, UTC, to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def make_private(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (in a new 0700 folder), or bring an existing one to 0600."""
    path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDONLY | os.O_CREAT, PRIVATE_FILE)
    try:
        if stat.S_IMODE(os.fstat(descriptor).st_mode) != PRIVATE_FILE:
            os.fchmod(descriptor, PRIVATE_FILE)
    finally:
        os.close(descriptor)


@contextmanager
def transaction(path: Path, schema: Sequence[str]) -> Iterator[sqlite3.Connection]:
    """A connection to the private file ``path`` with its ``schema`` made, in one transaction:
    committed when the block ends, rolled back when it raises."""
    make_private(path)
    connection = sqlite3.connect(path, timeout=10)
    try:
        for statement in schema:
            connection.execute(statement)
        with connection:
            yield connection
    finally:
        connection.close()
