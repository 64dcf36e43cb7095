"""The packs unpacked in the packages folder: listing them, finding one, the broken ones, the
manifest's packs still missing, and checking each against its install record."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

from ...config import Settings
from ...errors import BadLanguagePack
from .archive import _parse_metadata, file_sha256
from .manifest import PackRef, read_manifest

# The package's logger, not the module's: log lines keep the name they had before packs.py
# became a package (issue 29), so filters and alerts on it still match.
log = logging.getLogger(__package__)

RECORD_NAME = "newsdesk-install.json"


@dataclass(frozen=True)
class InstalledPack:
    """A pack unpacked in the packages folder."""

    code: str
    from_code: str
    to_code: str
    version: str
    path: Path
    size: int
    source: str
    sha256: str
    target_prefix: str

    @property
    def pair(self) -> tuple[str, str]:
        return (self.from_code, self.to_code)


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking one installed pack against its install record."""

    code: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


# packages_dir -> (its mtime, its packs). Installs and removals rename folders in
# packages_dir, which changes its mtime, so the listing is read again only then.
_listing_cache: dict[Path, tuple[int, list[InstalledPack]]] = {}


def installed_packs(packages_dir: Path) -> list[InstalledPack]:
    """List the packs unpacked in ``packages_dir``, sorted by code."""
    packages_dir = Path(packages_dir)
    try:
        mtime = packages_dir.stat().st_mtime_ns
    except FileNotFoundError:
        return []
    cached = _listing_cache.get(packages_dir)
    if cached is not None and cached[0] == mtime:
        return list(cached[1])
    packs = _scan_packages(packages_dir)
    _listing_cache[packages_dir] = (mtime, packs)
    return list(packs)


def _scan_packages(packages_dir: Path) -> list[InstalledPack]:
    packs = []
    for folder in _pack_folders(packages_dir):
        try:
            packs.append(_read_installed(folder))
        except BadLanguagePack as error:
            log.warning("skipping %s: %s", folder, error)
    return packs


def _pack_folders(packages_dir: Path) -> list[Path]:
    return [folder for folder in sorted(Path(packages_dir).iterdir())
            if folder.is_dir() and not folder.name.startswith(".") and (folder / "metadata.json").is_file()]


def broken_packs(packages_dir: Path) -> list[tuple[Path, str]]:
    """Installed pack folders whose metadata.json cannot be read, and why: listed by `verify`,
    removable by `remove` and replaced by `install --force`, never silently skipped."""
    if not Path(packages_dir).is_dir():
        return []
    broken = []
    for folder in _pack_folders(packages_dir):
        try:
            _read_installed(folder)
        except BadLanguagePack as error:
            broken.append((folder, str(error)))
    return broken


def find_installed(packages_dir: Path, source: str, target: str) -> InstalledPack | None:
    """Return the installed pack that translates source -> target directly, if any."""
    for pack in installed_packs(packages_dir):
        if pack.pair == (source, target):
            return pack
    return None


def _read_installed(folder: Path) -> InstalledPack:
    metadata = _parse_metadata((folder / "metadata.json").read_bytes(), folder / "metadata.json")
    record = _read_record(folder)
    return InstalledPack(
        code=metadata["code"],
        from_code=metadata["from_code"],
        to_code=metadata["to_code"],
        version=metadata["package_version"],
        path=folder,
        size=sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()),
        source=record.get("source", "unknown (no install record)"),
        sha256=record.get("archive_sha256", ""),
        target_prefix=metadata.get("target_prefix", ""),
    )


def _read_record(folder: Path) -> dict:
    try:
        return json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def missing_packs(settings: Settings) -> list[PackRef]:
    """Return the manifest's packs that are not installed (at any version)."""
    installed = {pack.code for pack in installed_packs(settings.packages_dir)}
    return [ref for ref in read_manifest(settings.langpacks_dir) if ref.code not in installed]


def verify_packs(packages_dir: Path) -> list[VerifyResult]:
    """Check every installed pack's files against the checksums recorded at install."""
    results = [VerifyResult(folder.name, (f"broken: {reason}; remove it with `newsdesk langpacks remove "
                                          f"{folder.name}`, or reinstall it with `newsdesk langpacks install --force`",))
               for folder, reason in broken_packs(packages_dir)]
    for pack in installed_packs(packages_dir):
        record = _read_record(pack.path)
        if not record.get("files"):
            results.append(VerifyResult(pack.code, ("no install record: reinstall it with `newsdesk langpacks install`",)))
            continue
        problems = []
        for relative, expected in sorted(record["files"].items()):
            path = pack.path / relative
            if not path.is_file():
                problems.append(f"{relative} is missing")
            elif file_sha256(path) != expected:
                problems.append(f"{relative} changed since it was installed (checksum differs)")
        results.append(VerifyResult(pack.code, tuple(problems)))
    return results
