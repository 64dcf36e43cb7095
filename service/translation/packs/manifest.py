"""The pack manifest (``langpacks/manifest.json``): the packs a site asks for, and how to get one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ...errors import ManifestUnusable
from .archive import ARCHIVE_SUFFIX

MANIFEST_NAME = "manifest.json"
# The one shipped with newsdesk: service/translation/manifest.json, beside this package.
PACKAGED_MANIFEST = Path(__file__).parent.with_name(MANIFEST_NAME)


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


def how_to_get(ref: PackRef, langpacks_dir: Path) -> str:
    """Say how a user gets a pack onto this machine."""
    link = ref.links[0] if ref.links else "the Argos package index"
    return (
        f"copy {ref.filename} (from {link}) into {langpacks_dir}/ and run "
        f"`newsdesk langpacks install`, or run `newsdesk langpacks install --download {ref.code}` "
        "where the internet is reachable"
    )
