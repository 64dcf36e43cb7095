"""Two web nodes, one `newsdesk worker` and one Redis with a password (issue 33, item 4): what is
made on one node is seen on the other, both ways, for every kind of state the desks share; and a
node whose Redis does not answer says so (503, naming the Redis) instead of answering from a
file of its own.

Each node is the Procfile's web: line as `make run` starts it (PORT and HOST set), with a home
and data folder (XDG_DATA_HOME) and drop-in packs of its own, its packs installed at start; the
nodes share nothing but NEWSDESK_REDIS_URL. API keys are on (NEWSDESK_API_KEYS=1). One set of
processes serves the whole module; each row of the issue is a test of its own, parametrized by
direction, so a failure names the row and the way it broke.
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
import requests

from tests.argospack import build_pack

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the venv's bin: gunicorn and newsdesk, as `make run` puts it on PATH
MANIFEST = REPO / "service" / "translation" / "manifest.json"
PAIRS = [("en", "ar"), ("en", "de"), ("en", "ru")]  # the default job's packs, which /ready wants
OFFLINE_INDEX = "http://127.0.0.1:9/index.json"  # nothing listens there: no download is ever tried
START_SECONDS = 60
DESK_KEY_NAME = "desk"
DIRECTIONS = [pytest.param("a", "b", id="made_on_a_seen_on_b"), pytest.param("b", "a", id="made_on_b_seen_on_a")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log_tail(path: Path, characters: int = 4000) -> str:
    text = path.read_text(errors="replace") if path.exists() else "(no log)"
    return f"--- {path.name} ---\n{text[-characters:]}"


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the process's group (a gunicorn master and its workers), SIGKILL what is left of it after 15 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    with contextlib.suppress(ProcessLookupError):  # raised once no process of the group is left
        while True:
            process.poll()  # reap the leader, or the group never empties
            if time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
            os.killpg(process.pid, 0)
            time.sleep(0.05)
    process.wait()


@dataclass
class Node:
    """One process of the cluster: a web node (``base`` set) or the worker."""

    name: str
    env: dict[str, str]
    log: Path
    base: str = ""
    process: subprocess.Popen | None = field(default=None, repr=False)

    def request(self, method: str, path: str, key: str | None = None, **options) -> requests.Response:
        headers = {"X-API-Key": key} if key else {}
        return requests.request(method, self.base + path, headers=headers, timeout=60, **options)


def environment(folder: Path, redis_url: str) -> dict[str, str]:
    """The environment of one machine: its own home and data folder, its drop-in packs, the shared Redis."""
    base = {name: value for name, value in os.environ.items()
            if not name.startswith("NEWSDESK_") and name not in {"PORT", "HOST", "PYTHONPATH"}}
    return {**base, "PATH": f"{BIN}:{os.environ['PATH']}", "PYTHONPATH": str(REPO),  # this checkout's service
            "HOME": str(folder / "home"), "XDG_DATA_HOME": str(folder / "home" / "data"),
            "NEWSDESK_LANGPACKS_DIR": str(folder / "langpacks"), "NEWSDESK_DOWNLOAD_MISSING": "0",
            "NEWSDESK_INDEX_URL": OFFLINE_INDEX, "NEWSDESK_REDIS_URL": redis_url, "NEWSDESK_API_KEYS": "1",
            # One replica per pack: three machines share this one's cores.
            "NEWSDESK_RATE_LIMIT": "none", "NEWSDESK_INTER_THREADS": "1"}


def machine(root: Path, name: str, packs: list[Path], redis_url: str) -> Node:
    """A folder for one machine, with the packs in its drop-in folder (and the manifest beside them)."""
    folder = root / name
    (folder / "langpacks").mkdir(parents=True)
    shutil.copy(MANIFEST, folder / "langpacks" / "manifest.json")
    for pack in packs:
        shutil.copy(pack, folder / "langpacks")
    return Node(name=name, env=environment(folder, redis_url), log=folder / "log.txt")


def newsdesk(node: Node, *args: str) -> subprocess.CompletedProcess:
    """Run the `newsdesk` command with the node's environment, as its operator would on its machine."""
    return subprocess.run([str(BIN / "newsdesk"), *args], cwd=REPO, env=node.env, capture_output=True, text=True,
                          timeout=120)


def start_web(node: Node) -> None:
    """The Procfile's web: line, as `make run` runs it (PORT and HOST set), in a process group of its own."""
    port = free_port()
    node.base = f"http://127.0.0.1:{port}"
    line = next(line for line in (REPO / "Procfile").read_text().splitlines() if line.startswith("web:"))
    env = {**node.env, "PORT": str(port), "HOST": "127.0.0.1"}
    # exec, unlike the Makefile's sh -c: the group's leader is then gunicorn's master, which stop() waits for.
    with node.log.open("w") as log:
        node.process = subprocess.Popen(["sh", "-c", "exec " + line.removeprefix("web:").strip()], cwd=REPO, env=env,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def start_worker(node: Node) -> None:
    installed = newsdesk(node, "langpacks", "install")  # a worker machine installs its packs itself
    assert installed.returncode == 0, installed.stdout + installed.stderr
    with node.log.open("w") as log:
        node.process = subprocess.Popen([str(BIN / "newsdesk"), "worker", "--name", "nodes-worker"], cwd=REPO,
                                        env=node.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_until(node: Node, answered, deadline: float, what: str) -> None:
    """Poll ``answered()`` until it is true; fail with the node's log when it exits or the deadline passes."""
    while True:
        with contextlib.suppress(requests.RequestException, redis.RedisError):
            if answered():
                return
        if node.process.poll() is not None:
            pytest.fail(f"{node.name} exited ({node.process.returncode}) before {what}\n{log_tail(node.log)}")
        if time.monotonic() > deadline:
            pytest.fail(f"{node.name}: no {what} within {START_SECONDS} s\n{log_tail(node.log)}")
        time.sleep(0.1)


def start_redis(folder: Path, password: str) -> tuple[subprocess.Popen, int]:
    """Debian's redis-server of this module's own, with a password; skipped or failed as conftest's redis_url."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("NEWSDESK_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is not installed (`make test` installs it as root)")
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    port = free_port()
    process = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--requirepass", password,
                                "--save", "", "--appendonly", "no", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    client = redis.Redis(port=port, password=password, socket_connect_timeout=1)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return process, port
        except redis.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                pytest.fail("redis-server did not start")
            time.sleep(0.05)


@dataclass
class Cluster:
    nodes: dict[str, Node]  # "a" and "b", sharing the Redis
    worker: Node
    down: Node  # a third node, its NEWSDESK_REDIS_URL a closed port
    down_port: int
    password: str
    desk_key: str  # an admin key both nodes know (see the cluster fixture)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("nodes")
    packs = [build_pack(root / "packs", source, target) for source, target in PAIRS]
    password = secrets.token_hex(16)
    with contextlib.ExitStack() as stack:
        server, port = start_redis(root, password)
        stack.callback(stop, server)
        url = f"redis://:{password}@127.0.0.1:{port}/0"
        a, b, worker = (machine(root, name, packs, url) for name in ("node-a", "node-b", "worker"))
        down_port = free_port()  # bound and let go: nothing listens there
        down = machine(root, "node-c", packs, f"redis://:{password}@127.0.0.1:{down_port}/0")
        desk_key = _key_for_both(a, b)
        for node in (a, b, down):
            start_web(node)
            stack.callback(stop, node.process)
        start_worker(worker)
        stack.callback(stop, worker.process)
        deadline = time.monotonic() + START_SECONDS
        for node in (a, b):
            wait_until(node, lambda node=node: requests.get(node.base + "/ready", timeout=5).status_code == 200,
                       deadline, "200 from /ready")
        wait_until(down, lambda: requests.get(down.base + "/health", timeout=5).status_code == 200, deadline,
                   "200 from /health")
        connection = redis.Redis.from_url(url)
        wait_until(worker, lambda: b"nodes-worker" in b"".join(connection.smembers("rq:workers")), deadline,
                   "RQ registration of the worker")
        yield Cluster(nodes={"a": a, "b": b}, worker=worker, down=down, down_port=down_port, password=password,
                      desk_key=desk_key)


def _key_for_both(a: Node, b: Node) -> str:
    """An admin key for the desks' work in every row but the first: made on A with `newsdesk keys
    add`, before B starts, and kept in the shared Redis only (no node has a keys file). Row 1 tests
    the sharing of keys themselves, with keys made while the nodes run."""
    made = newsdesk(a, "keys", "add", DESK_KEY_NAME, "--role", "admin")
    assert made.returncode == 0, made.stderr
    for node in (a, b):
        assert not (Path(node.env["XDG_DATA_HOME"]) / "newsdesk" / "keys.sqlite3").exists()
    return made.stdout.strip()


def _nodes(cluster: Cluster, made: str, seen: str) -> tuple[Node, Node]:
    return cluster.nodes[made], cluster.nodes[seen]


def _translate(node: Node, key: str, text: str) -> requests.Response:
    """LibreTranslate's POST /translate, English into German."""
    return node.request("POST", "/translate", key, json={"q": text, "source": "en", "target": "de"})


# --- 1. API keys --------------------------------------------------------------------------------


@pytest.mark.parametrize(("made", "seen"), DIRECTIONS)
def test_an_api_key_made_on_one_node_authenticates_on_the_other(cluster, made, seen):
    maker, other = _nodes(cluster, made, seen)
    name = f"row1-from-{made}"
    added = newsdesk(maker, "keys", "add", name, "--role", "edit")
    assert added.returncode == 0, added.stderr
    key = added.stdout.strip()
    assert maker.request("GET", "/api/v1/memory", key).status_code == 200
    listed = other.request("GET", "/api/v1/memory", key)  # an edit key may list the memory
    assert listed.status_code == 200, listed.text
    refused = other.request("PUT", "/api/v1/glossary", key, json={"terms": {}, "keep": []})  # its role travels too
    assert (refused.status_code, refused.json()) == (403, {
        "error": f"the key '{name}' has the role 'edit', and this needs 'admin': ask the service's administrator "
                 f"(`newsdesk keys role {name} admin`)"})


# --- 2. the glossary ------------------------------------------------------------------------------

GLOSSARY_ROWS = {"a": ("Antwerp", "Antwerpen", "The strike forced several shipping lines to divert vessels to Antwerp."),
                 "b": ("Hamburg", "Hamburgo", "Ships were diverted to Hamburg for most of the week.")}


@pytest.mark.parametrize(("made", "seen"), DIRECTIONS)
def test_a_glossary_put_on_one_node_is_the_other_s_and_used_in_its_translations(cluster, made, seen):
    maker, other = _nodes(cluster, made, seen)
    term, written, sentence = GLOSSARY_ROWS[made]
    body = {"terms": {"de": {term: written}}, "keep": []}
    put = maker.request("PUT", "/api/v1/glossary", cluster.desk_key, json=body)
    assert put.status_code == 200, put.text
    stored = put.json()
    assert {name: stored[name] for name in ("terms", "keep")} == body
    expected = {"translatedText": "<de> " + sentence.replace(term, written)}
    assert _translate(maker, cluster.desk_key, sentence).json() == expected
    got = other.request("GET", "/api/v1/glossary", cluster.desk_key)
    translated = _translate(other, cluster.desk_key, sentence)
    # The same terms and the same version, and the term used: one assertion, so a failure shows both.
    assert (got.status_code, got.json(), translated.status_code, translated.json()) == (200, stored, 200, expected)


# --- 3. the translation memory ----------------------------------------------------------------------

MEMORY_ROWS = {"a": ("Operators said traffic would be back to normal by Friday.",
                     "Die Betreiber sagten, der Verkehr laufe bis Freitag wieder normal."),
               "b": ("Cranes stood idle at the container terminal.",
                     "Die Kräne standen am Containerterminal still.")}


@pytest.mark.parametrize(("made", "seen"), DIRECTIONS)
def test_a_correction_stored_on_one_node_is_used_by_the_other(cluster, made, seen):
    maker, other = _nodes(cluster, made, seen)
    sentence, correction = MEMORY_ROWS[made]
    assert _translate(other, cluster.desk_key, sentence).json() == {"translatedText": f"<de> {sentence}"}
    stored = maker.request("PUT", "/api/v1/memory", cluster.desk_key,
                           json={"source": "en", "target": "de", "sentence": sentence, "translation": correction})
    assert stored.status_code == 200, stored.text
    assert (stored.json()["sentence"], stored.json()["translation"]) == (sentence, correction)
    translated = _translate(other, cluster.desk_key, sentence)
    assert (translated.status_code, translated.json()) == (200, {"translatedText": correction})


# --- 4. LibreTranslate's translated files ------------------------------------------------------------


@pytest.mark.parametrize(("made", "seen"), DIRECTIONS)
def test_a_file_translated_on_one_node_downloads_from_the_other(cluster, made, seen):
    maker, other = _nodes(cluster, made, seen)
    text = f"Dock workers ended their strike.\n\nThe offer meets our main demands, said node {made.upper()}.\n"
    sent = maker.request("POST", "/translate_file", files={"file": ("notes.txt", text.encode())},
                         data={"source": "en", "target": "de", "api_key": cluster.desk_key})
    assert sent.status_code == 200, sent.text
    url = sent.json()["translatedFileUrl"]
    match = re.fullmatch(re.escape(maker.base) + r"(/download_file/[A-Za-z0-9_-]{22}\.notes\.txt)", url)
    assert match, url
    expected = "".join(f"<de> {line}" if line.strip() else line for line in text.splitlines(keepends=True)).encode()
    assert maker.request("GET", match[1]).content == expected
    downloaded = other.request("GET", match[1])
    assert (downloaded.status_code, downloaded.content) == (200, expected), downloaded.text
    assert downloaded.headers["Content-Disposition"] == "attachment; filename=notes.txt"


# --- 5. the desk's results ---------------------------------------------------------------------------

DESK_ROWS = {"a": ("Port news from A", "Dock workers in Rotterdam ended a five-day strike on Tuesday.",
                   "Die Hafenarbeiter in Rotterdam beendeten am Dienstag einen fünftägigen Streik."),
             "b": ("Port news from B", "Unions accepted a new pay offer.", "Die Gewerkschaften nahmen ein neues "
                                                                             "Lohnangebot an.")}


@pytest.fixture(scope="module")
def desks(cluster) -> Iterator[dict[str, requests.Session]]:
    """An editor's browser on each node, signed in there with the desk key (by an article of its own):
    row 5 tests where the results are kept, not where sign-ins are (see the sign-in test below)."""
    browsers = {}
    for name, node in cluster.nodes.items():
        browser = requests.Session()
        run = _start_run(browser, node, "Morning notes\n\nShips wait in the harbour.", api_key=cluster.desk_key)
        assert _finished_run(browser, node, run)["status"] == "done"
        browsers[name] = browser
    yield browsers
    for browser in browsers.values():
        browser.close()  # no kept-alive connection holds a node's graceful stop


def _start_run(browser: requests.Session, node: Node, text: str, **fields: str) -> str:
    """The desk's form POST to /runs (as desk.js sends it): the run's id."""
    started = browser.post(node.base + "/runs", data={"text": text, "target": "de", "summary": "1", "source": "en",
                                                      **fields}, timeout=60)
    assert started.status_code == 202, started.text
    return started.json()["id"]


def _page_error(page: requests.Response) -> str:
    """The message a desk page shows above its form."""
    found = re.search(r'<div class="error"[^>]*><strong>[^<]*</strong> ([^<]*)</div>', page.text)
    return found[1] if found else "(no message on the page)"


def _finished_run(browser: requests.Session, node: Node, run_id: str) -> dict:
    deadline = time.monotonic() + 30
    while True:
        progress = browser.get(f"{node.base}/runs/{run_id}", timeout=30)
        assert progress.status_code == 200, progress.text
        if progress.json()["status"] != "running" or time.monotonic() > deadline:
            return progress.json()
        time.sleep(0.1)


@pytest.mark.parametrize(("made", "seen"), DIRECTIONS)
def test_a_desk_result_started_on_one_node_opens_and_is_edited_on_the_other(cluster, desks, made, seen):
    maker, other = _nodes(cluster, made, seen)
    title, sentence, edited = DESK_ROWS[made]
    run_id = _start_run(desks[made], maker, f"{title}\n\n{sentence}")
    assert _finished_run(desks[made], maker, run_id)["status"] == "done"
    page = desks[seen].get(f"{other.base}/results/{run_id}", timeout=30)
    assert page.status_code == 200, _page_error(page)
    assert html.escape(f"<de> {sentence}", quote=False) in page.text
    saved = desks[seen].post(f"{other.base}/results/{run_id}/sentences/de/0", data={"text": edited}, timeout=30)
    assert (saved.status_code, saved.json()) == (200, {"saved": True, "sentence": sentence, "translation": edited,
                                                       "memory": True})
    stem = title.lower().replace(" ", "-")
    download = desks[made].get(f"{maker.base}/results/{run_id}/files/{stem}.de.txt", timeout=30)
    assert (download.status_code, download.text) == (200, f"<de> {title}\n\nSummary:\n- {edited}\n\n{edited}\n")
    assert html.escape(edited, quote=False) in desks[made].get(f"{maker.base}/results/{run_id}", timeout=30).text


@pytest.mark.parametrize(("made", "seen"), DIRECTIONS)
def test_a_desk_sign_in_made_on_one_node_holds_on_the_other(cluster, made, seen):
    """One browser behind a load balancer: its cookie goes to whichever node answers."""
    maker, other = _nodes(cluster, made, seen)
    with requests.Session() as browser:  # one cookie jar for both ports, as a browser keeps one per host
        run_id = _start_run(browser, maker, "Evening notes\n\nThe harbour is quiet.", api_key=cluster.desk_key)
        assert _finished_run(browser, maker, run_id)["status"] == "done"
        form = browser.get(other.base + "/", timeout=30)
    signed_in = re.search(r"Signed in with key ([^.<]+)\.", form.text)
    asks = 'name="api_key"' in form.text
    assert (form.status_code, signed_in and signed_in[1], asks) == (200, DESK_KEY_NAME, False)


# --- 6. batch jobs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("made", "seen"), DIRECTIONS)
def test_a_batch_job_submitted_on_one_node_is_done_by_the_worker_and_read_on_the_other(cluster, made, seen):
    maker, other = _nodes(cluster, made, seen)
    text = f"Wire {made.upper()}\n\nThe container terminal reopened on Friday."
    submitted = maker.request("POST", "/api/v1/jobs", cluster.desk_key,
                              json={"articles": [{"id": f"wire-{made}", "text": text}], "targets": ["de"]})
    assert submitted.status_code == 202, submitted.text
    job_id = submitted.json()["id"]
    report = _finished_job(other, cluster.desk_key, job_id)
    assert report.status_code == 200, report.text
    assert (report.json()["status"], report.json()["progress"]) == ("finished", {"done": 1, "failed": 0, "total": 1})
    result = other.request("GET", f"/api/v1/jobs/{job_id}/result", cluster.desk_key)
    assert result.status_code == 200, result.text
    lines = [json.loads(line) for line in result.text.splitlines()]
    assert [(line["name"], line["status"]) for line in lines] == [(f"wire-{made}", "done")]
    german = lines[0]["result"]["translations"]["de"]
    assert (german["title"], german["sentences"]) == (f"<de> Wire {made.upper()}",
                                                      ["<de> The container terminal reopened on Friday."])
    assert f"{job_id}-0" in cluster.worker.log.read_text()  # the worker did it: web nodes only queue


def _finished_job(node: Node, key: str, job_id: str) -> requests.Response:
    """The job's report once it is finished (or refused, or 30 s on)."""
    deadline = time.monotonic() + 30
    while True:
        report = node.request("GET", f"/api/v1/jobs/{job_id}", key)
        if report.status_code != 200 or report.json()["status"] == "finished" or time.monotonic() > deadline:
            return report
        time.sleep(0.1)


# --- Redis down ------------------------------------------------------------------------------------

DOWN_REQUESTS = [
    pytest.param("GET", "/ready", False, {}, id="ready"),
    pytest.param("GET", "/api/v1/glossary", True, {}, id="glossary"),
    pytest.param("PUT", "/api/v1/memory", True, {"json": {"source": "en", "target": "de", "sentence": "Ships wait.",
                                                          "translation": "Schiffe warten."}}, id="memory"),
    pytest.param("GET", "/download_file/" + "A" * 22 + ".notes.txt", False, {}, id="translated_file"),
    pytest.param("POST", "/api/v1/jobs", True, {"json": {"articles": [{"id": "wire", "text": "Ships wait."}],
                                                         "targets": ["de"]}}, id="jobs"),
]


@pytest.mark.parametrize(("method", "path", "with_key", "options"), DOWN_REQUESTS)
def test_a_node_whose_redis_does_not_answer_says_so(cluster, method, path, with_key, options):
    """A third node, its NEWSDESK_REDIS_URL a closed port: what needs shared state is 503 naming the
    Redis (never its password), not an answer from a file of the node's own."""
    answer = cluster.down.request(method, path, cluster.desk_key if with_key else None, **options)
    assert answer.status_code == 503, answer.text
    error = answer.json()["error"]
    assert f"127.0.0.1:{cluster.down_port}" in error
    assert cluster.password not in error
