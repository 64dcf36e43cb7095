"""Fixtures: generated language packs (built once per run), settings in a temp folder,
a local HTTP server standing in for the Argos index, the app and its client."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from service import translation
from service.config import Settings
from tests.argospack import build_pack

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / "service" / "translation" / "manifest.json"
MAIN_PAIRS = [("en", "ar"), ("en", "de"), ("en", "ru"), ("ar", "en"), ("de", "en"), ("ru", "en")]
# Nothing listens on port 9 (discard) of the loopback: an "offline" index.
OFFLINE_INDEX = "http://127.0.0.1:9/index.json"


@pytest.fixture(scope="session")
def packs(tmp_path_factory) -> dict[str, Path]:
    """Genuine .argosmodel files for the six manifest pairs and a few extra cases."""
    folder = tmp_path_factory.mktemp("packs")
    built = {f"{a}_{b}": build_pack(folder, a, b) for a, b in MAIN_PAIRS}
    built["de_ar"] = build_pack(folder, "de", "ar")
    built["en_fr_prefix"] = build_pack(folder / "prefix", "en", "fr", target_prefix="__fr__")
    built["en_de_v2"] = build_pack(folder / "v2", "en", "de", version="2.0")
    built["en_de_bpe"] = build_pack(folder / "bpe", "en", "de", tokenizer="bpe")
    built["en_de_other"] = build_pack(folder / "other", "en", "de", metadata_overrides={"to_name": "Deutsch"})
    # Unsure of one piece: "offer" is copied with probability about 0.68, "union" the runner-up.
    built["en_de_unsure"] = build_pack(folder / "unsure", "en", "de", unsure={"▁offer": ("▁union",)})
    # Writes every 0 as a 9: it loses a glossary placeholder such as 201.
    built["en_de_mangles_zeros"] = build_pack(folder / "zeros", "en", "de", swaps={"0": "9"})
    return built


@pytest.fixture(autouse=True)
def isolated_environment(monkeypatch, tmp_path):
    """Keep every test off the user's folders and off the network."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "home" / "data"))
    monkeypatch.setenv("NEWSDESK_DOWNLOAD_MISSING", "0")
    monkeypatch.setenv("NEWSDESK_INDEX_URL", OFFLINE_INDEX)
    monkeypatch.delenv("NEWSDESK_PACKAGES_DIR", raising=False)
    monkeypatch.delenv("NEWSDESK_LANGPACKS_DIR", raising=False)
    monkeypatch.delenv("NEWSDESK_REDIS_URL", raising=False)
    yield
    translation.clear_cache()
    if "service.stores.redis_server" in sys.modules:  # a test used Redis: stop its job workers and embedded Redis
        import service.batch

        service.batch.stop()


@pytest.fixture
def langpacks_dir(tmp_path) -> Path:
    """A drop-in folder holding a copy of the project's manifest."""
    folder = tmp_path / "langpacks"
    folder.mkdir()
    shutil.copy(MANIFEST, folder / "manifest.json")
    return folder


@pytest.fixture
def settings(tmp_path, langpacks_dir) -> Settings:
    return Settings.load(
        environ={},
        overrides={
            "packages_dir": tmp_path / "packages",
            "langpacks_dir": langpacks_dir,
            "download_missing": False,
            "index_url": OFFLINE_INDEX,
            "download_timeout": 5.0,
        },
    )


@pytest.fixture
def install(settings, packs):
    """Install generated packs by name: install("en_de", "de_en")."""
    from service.translation import packs as langpacks

    def install_packs(*names: str) -> None:
        for name in names:
            langpacks.install_archive(packs[name], settings)

    return install_packs


@dataclass
class PackServer:
    """A local stand-in for the Argos index and its file host, on 127.0.0.1."""

    base_url: str
    files: dict[str, bytes] = field(default_factory=dict)
    honour_range: bool = True
    cut_after: int | None = None  # send only this many bytes of a file, then hang up
    requests: list[tuple[str, str | None]] = field(default_factory=list)

    def url(self, name: str) -> str:
        return f"{self.base_url}/{name}"

    def publish_index(self, entries: list[dict]) -> str:
        self.files["index.json"] = json.dumps(entries).encode()
        return self.url("index.json")


@pytest.fixture
def pack_server():
    state = PackServer(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            name = self.path.lstrip("/")
            state.requests.append((name, self.headers.get("Range")))
            body = state.files.get(name)
            if body is None:
                self.send_error(404, "Not Found")
                return
            start = 0
            if state.honour_range and self.headers.get("Range"):
                start = int(self.headers["Range"].removeprefix("bytes=").rstrip("-"))
                if start >= len(body):
                    self.send_error(416, "Range Not Satisfiable")
                    return
                self.send_response(206)
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            chunk = body[start:]
            if state.cut_after is not None:
                chunk = chunk[: state.cut_after]
            self.wfile.write(chunk)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def redis_url(tmp_path):
    """A real, empty redis-server on 127.0.0.1 (Debian's package): the one .ci/run started
    (NEWSDESK_TEST_REDIS_URL), flushed, or else one of our own; skipped when missing,
    unless NEWSDESK_REQUIRE_REDIS=1 (CI), where a missing server fails the test."""
    given = os.environ.get("NEWSDESK_TEST_REDIS_URL")
    if given:
        import redis

        redis.Redis.from_url(given).flushall()
        yield given
        return
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("NEWSDESK_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is not installed (`make test` installs it as root)")
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def make_app(settings):
    """Build the web app on the test settings (temp folders, offline); extra settings as keywords.

    Rate-limit counters stay in memory unless a test passes ``rate_limit_storage`` (``""`` for
    the shared default): the default would start an embedded Redis for every app."""
    from service import create_app

    def build(**extra):
        return create_app({"TESTING": True, "packages_dir": settings.packages_dir, "langpacks_dir": settings.langpacks_dir,
                           "download_missing": False, "index_url": settings.index_url,
                           "rate_limit_storage": "memory://", **extra})

    return build


@pytest.fixture
def client(app):
    """A Flask test client for the test module's ``app`` fixture."""
    return app.test_client()


@pytest.fixture
def live_url(app):
    """Serve the test module's ``app`` fixture on 127.0.0.1; yield its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def index_entry(code: str, version: str, links: list[str]) -> dict:
    """An entry shaped like argospm-index's index.json."""
    source, target = code.removeprefix("translate-").split("_")
    return {"code": code, "package_version": version, "argos_version": "1.9", "from_code": source,
            "to_code": target, "from_name": source, "to_name": target, "links": links}
