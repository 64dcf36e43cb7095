"""What an Argos .argosmodel may hold: check an archive without unpacking it, and file checksums.

The lowest of the packs modules: it knows the archive format and nothing of the manifest,
the packages folder or downloads.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import zipfile
from pathlib import Path, PurePosixPath

from ...errors import BadLanguagePack

ARCHIVE_SUFFIX = ".argosmodel"
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
_CHUNK = 1 << 20


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


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
