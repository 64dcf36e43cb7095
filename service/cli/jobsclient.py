"""Use a newsdesk service's batch-job API from the command line (`newsdesk jobs`).

The CLI talks HTTP, not Redis: it works the same against the embedded default and a
scaled-out service, and needs only the service's address (and key).
"""

from __future__ import annotations

import io
import sys
import time
import zipfile
from pathlib import Path, PurePosixPath

from ..errors import InvalidInput, ServiceRefused, ServiceUnreachable, WaitStopped
from ..stages.documents import SUFFIXES

DONE_STATES = ("finished", "cancelled")


class JobsClient:
    """The /api/v1/jobs endpoints of one service."""

    def __init__(self, url: str, key: str | None = None, poll_seconds: float = 1.0):
        import requests  # on use: `newsdesk --help` stays fast

        self.url = url.rstrip("/")
        self.poll_seconds = poll_seconds
        self.session = requests.Session()
        if key:
            self.session.headers["X-API-Key"] = key

    def _request(self, method: str, path: str, **options):
        import requests

        try:
            response = self.session.request(method, self.url + path, timeout=(10, 300), **options)
        except requests.RequestException as error:
            raise ServiceUnreachable(f"cannot reach the newsdesk service at {self.url} ({type(error).__name__}): start it "
                               "(`make run`), or give its address with --url or NEWSDESK_URL") from None
        if response.status_code >= 400:
            try:
                message = response.json()["error"]
            except (ValueError, KeyError, TypeError):
                message = response.text.strip()[:300] or response.reason
            raise ServiceRefused(f"the service answered {response.status_code}: {message}")
        return response

    def submit(self, name: str, data: bytes, options: dict, idempotency_key: str | None = None) -> dict:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        response = self._request("POST", "/api/v1/jobs", files={"file": (name, data)}, data=options, headers=headers)
        report = response.json()
        report["replayed"] = response.status_code == 200
        return report

    def status(self, job_id: str) -> dict:
        return self._request("GET", f"/api/v1/jobs/{job_id}").json()

    def wait(self, job_id: str) -> dict:
        """Poll until the job is finished or cancelled, with a progress bar on a terminal."""
        from tqdm import tqdm

        report = self.status(job_id)
        progress = report["progress"]
        with tqdm(total=progress["total"], unit="article", desc=job_id[:8], disable=None, file=sys.stderr) as bar:
            try:
                while True:
                    progress = report["progress"]
                    bar.set_postfix(failed=progress["failed"], refresh=False)
                    bar.update(progress["done"] + progress["failed"] - bar.n)
                    if report["status"] in DONE_STATES:
                        return report
                    time.sleep(self.poll_seconds)
                    report = self.status(job_id)
            except KeyboardInterrupt:
                raise WaitStopped(f"stopped waiting; job {job_id} goes on in the service: `newsdesk jobs status "
                                   f"{job_id}`, then `newsdesk jobs fetch {job_id}`") from None

    def results_jsonl(self, job_id: str) -> str:
        return self._request("GET", f"/api/v1/jobs/{job_id}/result").text

    def fetch_files(self, job_id: str, folder: Path, file_format: str) -> list[Path]:
        """Unpack the job's result archive into ``folder``; return the files written."""
        response = self._request("GET", f"/api/v1/jobs/{job_id}/result", params={"format": "zip", "files": file_format})
        return unpack(response.content, folder)


def unpack(data: bytes, folder: Path) -> list[Path]:
    """Write an archive's files under ``folder``, refusing any path that would leave it."""
    written = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            relative = PurePosixPath(info.filename)
            if info.is_dir() or relative.is_absolute() or ".." in relative.parts:
                continue
            target = folder.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(info))
            written.append(target)
    return written


def batch_upload(paths: list[Path]) -> tuple[str, bytes]:
    """The file to upload for ``paths``: one .zip or .jsonl as it is, else a .zip of the article
    files and of every article file in the folders (named by their path under the folder)."""
    if len(paths) == 1 and paths[0].is_file() and paths[0].suffix.lower() in (".zip", ".jsonl"):
        return paths[0].name, paths[0].read_bytes()
    members: list[tuple[str, Path]] = []
    for path in paths:
        if path.is_dir():
            found = sorted(item for item in path.rglob("*") if item.is_file() and item.suffix.lower() in SUFFIXES
                           and not any(part.startswith(".") for part in item.relative_to(path).parts))
            members += [((Path(path.name) / item.relative_to(path)).as_posix(), item) for item in found]
        elif path.is_file():
            members.append((path.name, path))
        else:
            raise InvalidInput(f"{path}: no such file or folder")
    if not members:
        raise InvalidInput(f"no article files ({', '.join(SUFFIXES)}) in {', '.join(map(str, paths))}")
    buffer = io.BytesIO()
    used: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (name, path) in enumerate(members, 1):
            if name in used:  # two files of the same name from different places
                name = f"{number}-{name}"
            used.add(name)
            archive.write(path, name)
    return "articles.zip", buffer.getvalue()
