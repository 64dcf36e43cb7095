"""Settings that point the stores at one file each, for tests that use a store without an app."""

from __future__ import annotations

from pathlib import Path

from service.config import Settings


def keys_at(path: Path) -> Settings:
    """Settings whose API keys are kept in the SQLite file ``path`` (no Redis)."""
    return Settings.load(environ={}, overrides={"keys_db": path})


def glossary_at(path: Path) -> Settings:
    """Settings whose glossary is kept in the SQLite file ``path`` (no Redis)."""
    return Settings.load(environ={}, overrides={"glossary_db": path})
