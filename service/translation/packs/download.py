"""Download packs: the Argos package index, resumable downloads into the drop-in folder, and
download-then-install."""

from __future__ import annotations

import json
from pathlib import Path

from ...config import Settings
from ...errors import BadLanguagePack, DownloadFailed
from .archive import _CHUNK
from .install import InstallResult, install_archive
from .manifest import PackRef, how_to_get


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
