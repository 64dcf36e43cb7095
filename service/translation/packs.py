"""Read the pack manifest; install, verify, remove and download Argos language packs.

A pack is an Argos Translate ``.argosmodel``: a zip holding one folder with
``metadata.json``, a CTranslate2 model in ``model/`` and a ``sentencepiece.model`` (or a
``bpe.model``). Packs are unpacked into ``settings.packages_dir/<code>/`` next to an
install record (``newsdesk-install.json``: archive checksum, per-file checksums, source),
which ``verify`` and reinstalls check against.

Installing never leaves a half-installed pack: the archive is checked, unpacked into a
temporary folder in the same directory and renamed into place in one step.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath

from ..config import Settings
from ..errors import BadLanguagePack, DownloadFailed, ManifestUnusable, PackChecksumMismatch, PackNotFound

log = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
PACKAGED_MANIFEST = Path(__file__).with_name(MANIFEST_NAME)
RECORD_NAME = "newsdesk-install.json"
ARCHIVE_SUFFIX = ".argosmodel"
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class PackRef:
    """A pack the manifest asks for."""

    code: str
    from_code: str
    to_code: str
    version: str
    links: tuple[str, ...]
    purpose: str = ""

    @property
    def pair(self) -> tuple[str, str]:
        return (self.from_code, self.to_code)

    @property
    def filename(self) -> str:
        """Name the Argos index gives the file, e.g. translate-en_de-1_0.argosmodel."""
        return f"{self.code}-{self.version.replace('.', '_')}{ARCHIVE_SUFFIX}"


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
class InstallResult:
    """What ``install_archive`` did: installed, replaced or unchanged."""

    pack: InstalledPack
    action: str


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking one installed pack against its install record."""

    code: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class StartupReport:
    """What ``prepare_packs`` found and did at start-up."""

    installed: tuple[str, ...]
    failed: tuple[str, ...]
    missing: tuple[PackRef, ...]


# --- the manifest -----------------------------------------------------------------


def read_manifest(langpacks_dir: Path) -> list[PackRef]:
    """Return the packs the manifest names: ``langpacks_dir/manifest.json`` when a site has its
    own, else the one shipped with newsdesk (so `newsdesk langpacks` works from any folder)."""
    path = Path(langpacks_dir) / MANIFEST_NAME
    if not path.is_file():
        path = PACKAGED_MANIFEST
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))["packs"]
        return [
            PackRef(
                code=entry["code"],
                from_code=entry["from_code"],
                to_code=entry["to_code"],
                version=str(entry["package_version"]),
                links=tuple(entry.get("links", ())),
                purpose=entry.get("purpose", ""),
            )
            for entry in entries
        ]
    except FileNotFoundError:
        raise ManifestUnusable(
            f"no pack manifest at {path}: run newsdesk from the project folder or set "
            "NEWSDESK_LANGPACKS_DIR to the folder holding manifest.json"
        ) from None
    except (ValueError, KeyError, TypeError) as error:
        raise ManifestUnusable(f"{path} is not a valid pack manifest: {error!r}") from None


def missing_packs(settings: Settings) -> list[PackRef]:
    """Return the manifest's packs that are not installed (at any version)."""
    installed = {pack.code for pack in installed_packs(settings.packages_dir)}
    return [ref for ref in read_manifest(settings.langpacks_dir) if ref.code not in installed]


def how_to_get(ref: PackRef, langpacks_dir: Path) -> str:
    """Say how a user gets a pack onto this machine."""
    link = ref.links[0] if ref.links else "the Argos package index"
    return (
        f"copy {ref.filename} (from {link}) into {langpacks_dir}/ and run "
        f"`newsdesk langpacks install`, or run `newsdesk langpacks install --download {ref.code}` "
        "where the internet is reachable"
    )


# --- installed packs --------------------------------------------------------------


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


def _installed_or_none(folder: Path) -> InstalledPack | None:
    """The pack in ``folder``, or None when there is none or it is broken (install then replaces it)."""
    if not (folder / "metadata.json").is_file():
        return None
    try:
        return _read_installed(folder)
    except BadLanguagePack as error:
        log.warning("replacing the broken pack in %s: %s", folder, error)
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


# --- checking an archive ----------------------------------------------------------


def inspect_archive(archive: Path, max_bytes: int | None) -> tuple[str, dict]:
    """Check an .argosmodel without unpacking it; return (top folder, metadata).

    Raises BadLanguagePack, naming the file, when it is not a zip, has no metadata.json,
    declares unusable language codes, has entries that would land outside the pack's
    folder (absolute paths, '..', links) or unpacks to more than ``max_bytes``.
    """
    name = Path(archive).name
    if not zipfile.is_zipfile(archive):
        raise BadLanguagePack(f"{name}: not a zip archive, so not an Argos .argosmodel pack")
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            top = _single_top_folder(name, infos)
            _check_entries(name, infos, max_bytes)
            try:
                raw = zf.read(f"{top}/metadata.json")
            except KeyError:
                raise BadLanguagePack(f"{name}: no {top}/metadata.json, so not an Argos pack") from None
            metadata = _parse_metadata(raw, name)
            _check_payload(name, top, {info.filename.rstrip("/") for info in infos})
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as error:
        raise BadLanguagePack(f"{name}: damaged zip archive ({error})") from None
    _check_file_name_agrees(name, metadata)
    return top, metadata


def _single_top_folder(name: str, infos: list[zipfile.ZipInfo]) -> str:
    tops = {PurePosixPath(info.filename).parts[0] for info in infos if info.filename.strip("/")}
    if len(tops) != 1:
        raise BadLanguagePack(
            f"{name}: an Argos pack holds exactly one folder, this archive has {len(tops)} top-level entries"
        )
    return tops.pop()


def _check_entries(name: str, infos: list[zipfile.ZipInfo], max_bytes: int | None) -> None:
    total = 0
    for info in infos:
        path = PurePosixPath(info.filename)
        if path.is_absolute() or ".." in path.parts or "\\" in info.filename or ":" in path.parts[0]:
            raise BadLanguagePack(f"{name}: entry {info.filename!r} would be written outside the pack folder")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise BadLanguagePack(f"{name}: entry {info.filename!r} is a symbolic link; packs hold plain files")
        total += info.file_size
    if max_bytes is not None and total > max_bytes:
        raise BadLanguagePack(
            f"{name}: unpacks to {total:,} bytes, over the {max_bytes:,}-byte limit "
            "(NEWSDESK_MAX_PACK_BYTES); a real pack is well under it"
        )


def _parse_metadata(raw: bytes, name: object) -> dict:
    try:
        metadata = json.loads(raw)
    except ValueError as error:
        raise BadLanguagePack(f"{name}: metadata.json is not valid JSON ({error})") from None
    if not isinstance(metadata, dict):
        raise BadLanguagePack(f"{name}: metadata.json must hold a JSON object")
    if metadata.get("type", "translate") != "translate":
        raise BadLanguagePack(f"{name}: a {metadata.get('type')!r} pack, newsdesk installs translate packs only")
    for key in ("from_code", "to_code"):
        code = metadata.get(key)
        if not isinstance(code, str) or not _LANGUAGE_CODE.match(code):
            raise BadLanguagePack(f"{name}: metadata.json {key} is {code!r}, not an ISO 639 language code like 'en'")
    if metadata["from_code"] == metadata["to_code"]:
        raise BadLanguagePack(f"{name}: metadata.json translates {metadata['from_code']} into itself")
    metadata = dict(metadata)
    metadata["package_version"] = str(metadata.get("package_version") or "0")
    metadata["code"] = f"translate-{metadata['from_code']}_{metadata['to_code']}"
    return metadata


def _check_payload(name: str, top: str, entries: set[str]) -> None:
    if f"{top}/model/model.bin" not in entries:
        raise BadLanguagePack(f"{name}: no {top}/model/model.bin (the CTranslate2 model)")
    if not entries & {f"{top}/sentencepiece.model", f"{top}/bpe.model"}:
        raise BadLanguagePack(f"{name}: no tokenizer ({top}/sentencepiece.model or {top}/bpe.model)")


def _check_file_name_agrees(name: str, metadata: dict) -> None:
    # translate-en_de-1_0.argosmodel must hold an en->de pack: catches a renamed file.
    match = re.match(r"^translate-([a-z]{2,3})_([a-z]{2,3})\b", name)
    if match and match.groups() != (metadata["from_code"], metadata["to_code"]):
        raise BadLanguagePack(
            f"{name}: the file name says {match[1]}->{match[2]} but metadata.json says "
            f"{metadata['from_code']}->{metadata['to_code']}"
        )


# --- installing -------------------------------------------------------------------


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


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- downloading ------------------------------------------------------------------


def fetch_index(settings: Settings) -> list[dict]:
    """Download the Argos package index (a JSON list of pack metadata)."""
    import urllib.error
    import urllib.request  # with http.client it costs 35 ms: only downloads pay it

    try:
        with urllib.request.urlopen(settings.index_url, timeout=settings.download_timeout) as response:
            index = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise DownloadFailed(f"could not read the Argos package index at {settings.index_url}: {_reason(error)}") from None
    if not isinstance(index, list):
        raise DownloadFailed(f"the package index at {settings.index_url} is not a JSON list")
    return index


def fetch_index_or_explain(settings: Settings, wanted: list[PackRef]) -> list[dict]:
    """Fetch the index; offline, fail at once with what to copy where instead."""
    try:
        return fetch_index(settings)
    except DownloadFailed as error:
        files = "\n".join(f"  {(ref.links or (ref.filename,))[0]}" for ref in wanted)
        raise DownloadFailed(
            f"{error}.\nOffline? On a machine with internet access download\n{files}\n"
            f"then copy the files into {Path(settings.langpacks_dir).resolve()}/ and run `newsdesk langpacks install`."
        ) from None


def links_for(ref: PackRef, index: list[dict] | None) -> list[str]:
    """Return http(s) links for a pack: the index's first (it may be newer), then the manifest's."""
    links: list[str] = []
    for entry in index or []:
        if isinstance(entry, dict) and entry.get("code") == ref.code and entry.get("package_version") == ref.version:
            links += [link for link in entry.get("links", []) if isinstance(link, str)]
    links += list(ref.links)
    unique = dict.fromkeys(link for link in links if link.startswith(("http://", "https://")))
    return list(unique)


def download_pack(ref: PackRef, settings: Settings, *, index: list[dict] | None = None, progress: bool = False) -> Path:
    """Download a pack into the drop-in folder and return its path.

    Downloads go to ``<file>.part`` and resume from there with an HTTP Range request;
    the file gets its final name only when complete.
    """
    folder = Path(settings.langpacks_dir)
    folder.mkdir(parents=True, exist_ok=True)
    destination = folder / ref.filename
    if destination.exists():
        return destination
    errors = []
    for link in links_for(ref, index):
        try:
            _download(link, destination, settings.download_timeout, progress)
            return destination
        except DownloadFailed as error:
            errors.append(str(error))
    raise DownloadFailed(
        f"could not download {ref.code} {ref.version} ({'; '.join(errors) or 'no http(s) link known'}). "
        f"Offline? {how_to_get(ref, folder)}"
    )


def _download(url: str, destination: Path, timeout: float, progress: bool) -> None:
    import http.client
    import urllib.error
    import urllib.request

    from tqdm import tqdm

    partial = destination.with_name(destination.name + ".part")
    have = partial.stat().st_size if partial.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if have and response.status != 206:
                have = 0  # the server ignored the Range header: start over
            length = response.headers.get("Content-Length")
            total = have + int(length) if length and length.isdigit() else None
            with open(partial, "ab" if have else "wb") as out, tqdm(
                total=total, initial=have, unit="B", unit_scale=True, desc=destination.name, disable=not progress
            ) as bar:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    bar.update(len(chunk))
            if total is not None and partial.stat().st_size != total:
                raise DownloadFailed(f"{url}: connection closed early; run the command again to resume")
    except DownloadFailed:
        raise
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:  # asked to resume past the end: the .part is whole
            partial.rename(destination)
            return
        raise DownloadFailed(f"{url}: HTTP {error.code} {error.reason}") from None
    except http.client.IncompleteRead:
        raise DownloadFailed(f"{url}: connection closed early; run the command again to resume") from None
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise DownloadFailed(f"{url}: {_reason(error)}") from None
    partial.rename(destination)


def _reason(error: Exception) -> str:
    return str(getattr(error, "reason", None) or error)


def download_and_install(ref: PackRef, settings: Settings, *, index: list[dict] | None, progress: bool) -> InstallResult:
    """Download a manifest pack, check it is the pack asked for, and install it."""
    archive = download_pack(ref, settings, index=index, progress=progress)
    try:
        return install_archive(archive, settings, source=(links_for(ref, index) or [str(archive)])[0], expected=ref)
    except BadLanguagePack:
        # A broken download must not block the next try: drop it, keep the message.
        archive.unlink(missing_ok=True)
        raise


# --- start-up ---------------------------------------------------------------------


def prepare_packs(settings: Settings) -> StartupReport:
    """Install drop-ins, download what is still missing if allowed, and report the rest."""
    results, failures = install_drop_ins(settings)
    failures = list(failures)
    missing = missing_packs(settings)
    if missing and settings.download_missing:
        try:
            # One quick look at the index tells whether the internet is reachable at all,
            # so an offline start fails fast instead of timing out once per pack.
            index = fetch_index(settings)
        except DownloadFailed as error:
            failures.append(f"{error}; not downloading the missing packs")
        else:
            for ref in missing:
                try:
                    results.append(download_and_install(ref, settings, index=index, progress=False))
                except (DownloadFailed, BadLanguagePack) as error:
                    failures.append(str(error))
        missing = missing_packs(settings)
    for message in failures:
        log.warning("language pack problem: %s", message)
    for ref in missing:
        log.warning("missing %s->%s pack (%s): %s", ref.from_code, ref.to_code, ref.code, how_to_get(ref, settings.langpacks_dir))
    return StartupReport(
        installed=tuple(f"{r.pack.code} {r.pack.version}" for r in results if r.action != "unchanged"),
        failed=tuple(failures),
        missing=tuple(missing),
    )
