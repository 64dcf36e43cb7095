"""Fetch axe-core's axe.min.js for the accessibility tests: a pinned npm tarball, checked
against the sha512 the npm registry publishes, unpacked into the virtual environment.

`make axe` (which `make test` runs) calls this with the venv's Python, so the file lands in
``<venv>/axe-core/axe.min.js`` and goes with the venv. No node or npm needed. The tests only
read that file; they never use the network.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import sys
import tarfile
import urllib.request
from pathlib import Path

VERSION = "4.14.1"
TARBALL = f"https://registry.npmjs.org/axe-core/-/axe-core-{VERSION}.tgz"
# `npm view axe-core@4.14.1 dist.integrity`
INTEGRITY = "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
MEMBER = "package/axe.min.js"
AXE_JS = Path(sys.prefix) / "axe-core" / "axe.min.js"


def check_integrity(data: bytes, integrity: str = INTEGRITY) -> None:
    """Raise ValueError unless ``data`` has the Subresource-Integrity-style sha512 ``integrity``."""
    algorithm, _, expected = integrity.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        raise ValueError(f"{TARBALL} does not match its pinned integrity: got {algorithm}-{actual}, "
                         f"expected {integrity}")


def extract_axe(tarball: bytes) -> bytes:
    """The bytes of axe.min.js in the npm tarball."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        member = archive.extractfile(MEMBER)
        if member is None:
            raise ValueError(f"{TARBALL} has no regular file {MEMBER}")
        return member.read()


def download() -> bytes:
    """The pinned tarball from the npm registry (urllib follows HTTPS_PROXY)."""
    with urllib.request.urlopen(TARBALL, timeout=60) as response:
        return response.read()


def install_axe(tarball: bytes, destination: Path = AXE_JS) -> Path:
    """Check the tarball and unpack its axe.min.js to ``destination`` (written atomically)."""
    check_integrity(tarball)
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_suffix(".part")
    partial.write_bytes(extract_axe(tarball))
    partial.replace(destination)
    return destination


def main() -> int:
    """Fetch axe.min.js; offline, a note (the tests skip) unless the browser tests are required."""
    try:
        tarball = download()
    except OSError as error:  # no network (URLError is an OSError): like a missing Chromium
        required = os.environ.get("NEWSDESK_REQUIRE_BROWSER") == "1"
        outcome = ("the accessibility tests need it (NEWSDESK_REQUIRE_BROWSER=1)" if required
                   else "the accessibility tests will be skipped")
        print(f"{'error' if required else 'note'}: could not fetch axe-core {VERSION} from {TARBALL} ({error}); {outcome}",
              file=sys.stderr)
        return 1 if required else 0
    try:
        path = install_axe(tarball)
    except ValueError as error:  # a tarball that is not the pinned one is never used
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"axe-core {VERSION}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
