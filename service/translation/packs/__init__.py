"""Read the pack manifest; install, verify, remove and download Argos language packs.

A pack is an Argos Translate ``.argosmodel``: a zip holding one folder with
``metadata.json``, a CTranslate2 model in ``model/`` and a ``sentencepiece.model`` (or a
``bpe.model``). Packs are unpacked into ``settings.packages_dir/<code>/`` next to an
install record (``newsdesk-install.json``: archive checksum, per-file checksums, source),
which ``verify`` and reinstalls check against.

Installing never leaves a half-installed pack: the archive is checked, unpacked into a
temporary folder in the same directory and renamed into place in one step.

- ``archive``: what an .argosmodel may hold, checked without unpacking it; file checksums;
- ``manifest``: the packs the manifest asks for, and how a user gets one;
- ``installed``: the packs in the packages folder, the broken ones, the missing ones, verify;
- ``install``: installing an archive or the drop-in folder, removing a pack;
- ``download``: the Argos package index and resumable downloads;
- ``startup``: what start-up installs, downloads and reports.

Each module imports only the ones listed above it; callers use this package's names.
"""

from __future__ import annotations

from .archive import ARCHIVE_SUFFIX, file_sha256, inspect_archive
from .download import download_and_install, download_pack, fetch_index, fetch_index_or_explain, links_for
from .install import InstallResult, install_archive, install_drop_ins, remove_pack
from .installed import (RECORD_NAME, InstalledPack, VerifyResult, broken_packs, find_installed, installed_packs,
                        missing_packs, verify_packs)
from .manifest import MANIFEST_NAME, PACKAGED_MANIFEST, PackRef, how_to_get, read_manifest
from .startup import StartupReport, prepare_packs

__all__ = [
    "ARCHIVE_SUFFIX", "MANIFEST_NAME", "PACKAGED_MANIFEST", "RECORD_NAME",
    "InstallResult", "InstalledPack", "PackRef", "StartupReport", "VerifyResult",
    "broken_packs", "download_and_install", "download_pack", "fetch_index", "fetch_index_or_explain", "file_sha256",
    "find_installed", "how_to_get", "inspect_archive", "install_archive", "install_drop_ins", "installed_packs",
    "links_for", "missing_packs", "prepare_packs", "read_manifest", "remove_pack", "verify_packs",
]
