"""Install a pack from an .argosmodel (atomically, idempotently), install the drop-in folder,
and remove a pack."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from ...config import Settings
from ...errors import BadLanguagePack, PackChecksumMismatch, PackNotFound
from .archive import ARCHIVE_SUFFIX, _CHUNK, file_sha256, inspect_archive
from .installed import RECORD_NAME, InstalledPack, _read_installed, broken_packs, installed_packs
from .manifest import PackRef

log = logging.getLogger(__package__)  # the logger name packs.py had: see installed.py


@dataclass(frozen=True)
class InstallResult:
    """What ``install_archive`` did: installed, replaced or unchanged."""

    pack: InstalledPack
    action: str


def install_archive(
    archive: Path,
    settings: Settings,
    *,
    source: str | None = None,
    expected: PackRef | None = None,
    force: bool = False,
) -> InstallResult:
    """Install one .argosmodel into ``settings.packages_dir``, atomically and idempotently.

    The same file again is a no-op. A different file for an installed code and version
    is refused (its checksum differs from the recorded one) unless ``force``.
    """
    archive = Path(archive)
    top, metadata = inspect_archive(archive, settings.max_pack_bytes)
    if expected is not None and (metadata["from_code"], metadata["to_code"]) != expected.pair:
        raise BadLanguagePack(
            f"{archive.name}: expected a {expected.from_code}->{expected.to_code} pack, "
            f"metadata.json says {metadata['from_code']}->{metadata['to_code']}"
        )
    digest = file_sha256(archive)
    packages_dir = Path(settings.packages_dir)
    packages_dir.mkdir(parents=True, exist_ok=True)
    with _install_lock(packages_dir):
        target = packages_dir / metadata["code"]
        current = _installed_or_none(target)
        if current is not None and not force:
            if current.sha256 == digest:
                return InstallResult(current, "unchanged")
            if current.version == metadata["package_version"]:
                raise PackChecksumMismatch(
                    f"{archive.name}: {current.code} {current.version} is already installed from a "
                    f"different file (sha256 {current.sha256[:12] or 'unrecorded'}, this file "
                    f"{digest[:12]}); run `newsdesk langpacks install --force {archive}` to replace it"
                )
        staging = Path(tempfile.mkdtemp(prefix=f".install-{metadata['code']}-", dir=packages_dir))
        try:
            files = _extract(archive, top, staging, settings.max_pack_bytes)
            record = {
                "code": metadata["code"],
                "package_version": metadata["package_version"],
                "archive": archive.name,
                "archive_sha256": digest,
                "source": source or str(archive.resolve()),
                "installed_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "files": files,
            }
            (staging / RECORD_NAME).write_text(json.dumps(record, indent=2), encoding="utf-8")
            _swap_into_place(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        pack = _read_installed(target)
    action = "installed" if current is None else "replaced"
    log.info("%s %s %s from %s", action, pack.code, pack.version, pack.source)
    return InstallResult(pack, action)


def _installed_or_none(folder: Path) -> InstalledPack | None:
    """The pack in ``folder``, or None when there is none or it is broken (install then replaces it)."""
    if not (folder / "metadata.json").is_file():
        return None
    try:
        return _read_installed(folder)
    except BadLanguagePack as error:
        log.warning("replacing the broken pack in %s: %s", folder, error)
        return None


def _extract(archive: Path, top: str, staging: Path, max_bytes: int | None) -> dict[str, str]:
    """Unpack the archive's files into ``staging``; return {relative path: sha256}.

    Sizes are counted as bytes are written, since zip headers can lie about them.
    """
    files: dict[str, str] = {}
    written = 0
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            relative = PurePosixPath(info.filename).relative_to(top)
            if info.is_dir() or not relative.parts:
                continue
            destination = staging.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            with zf.open(info) as source, open(destination, "wb") as out:
                while chunk := source.read(_CHUNK):
                    written += len(chunk)
                    if max_bytes is not None and written > max_bytes:
                        raise BadLanguagePack(
                            f"{archive.name}: unpacks to more than the {max_bytes:,}-byte limit "
                            "(NEWSDESK_MAX_PACK_BYTES)"
                        )
                    digest.update(chunk)
                    out.write(chunk)
            files[relative.as_posix()] = digest.hexdigest()
    return files


def _swap_into_place(staging: Path, target: Path) -> None:
    # Rename is atomic within one file system; the old pack is moved aside first so a
    # crash leaves either the old or the new pack in place, never a mix.
    retired = None
    if target.exists():
        retired = target.with_name(f".retired-{target.name}-{os.getpid()}")
        shutil.rmtree(retired, ignore_errors=True)
        target.rename(retired)
    staging.rename(target)
    if retired is not None:
        shutil.rmtree(retired, ignore_errors=True)


@contextlib.contextmanager
def _install_lock(packages_dir: Path) -> Iterator[None]:
    """Serialize installs across processes (gunicorn workers, CLI runs)."""
    with open(packages_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def install_drop_ins(settings: Settings) -> tuple[list[InstallResult], list[str]]:
    """Install every .argosmodel in the drop-in folder; return (results, error messages).

    One bad file does not stop the others.
    """
    results, failures = [], []
    for archive in sorted(Path(settings.langpacks_dir).glob(f"*{ARCHIVE_SUFFIX}")):
        try:
            results.append(install_archive(archive, settings))
        except BadLanguagePack as error:
            failures.append(str(error))
    return results, failures


def remove_pack(settings: Settings, name: str) -> tuple[str, str]:
    """Uninstall a pack given by code (translate-en_de) or pair (en_de), broken ones too;
    return its (code, version), the version "?" for a pack whose metadata cannot be read."""
    try:
        pack = _resolve_installed(settings.packages_dir, name)
        folder, removed = pack.path, (pack.code, pack.version)
    except PackNotFound:
        folder = _broken_folder(settings.packages_dir, name)
        if folder is None:
            raise
        removed = (folder.name, "?")
    with _install_lock(Path(settings.packages_dir)):
        retired = folder.with_name(f".retired-{folder.name}-{os.getpid()}")
        folder.rename(retired)
        shutil.rmtree(retired, ignore_errors=True)
    log.info("removed %s %s", *removed)
    return removed


def _resolve_installed(packages_dir: Path, name: str) -> InstalledPack:
    """Find an installed pack by code (translate-en_de) or pair (en_de, en-de)."""
    wanted = name.removeprefix("translate-").replace("-", "_")
    for pack in installed_packs(packages_dir):
        if pack.code == name or f"{pack.from_code}_{pack.to_code}" == wanted:
            return pack
    raise PackNotFound(f"no installed pack {name!r}: `newsdesk langpacks list` shows what is installed")


def _broken_folder(packages_dir: Path, name: str) -> Path | None:
    """A broken pack's folder by code or pair: its folder is named by the code it was installed as."""
    code = name if name.startswith("translate-") else "translate-" + name.replace("-", "_")
    return next((folder for folder, _ in broken_packs(packages_dir) if folder.name == code), None)
