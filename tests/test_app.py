"""The web app's start-up (pack install, missing packs), health and readiness."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.conftest import MAIN_PAIRS, REPO




def test_health_answers_ok(make_app):
    response = make_app().test_client().get("/health")
    assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_start_up_installs_drop_ins_and_is_ready_when_all_packs_are_there(make_app, settings, packs):
    for source, target in MAIN_PAIRS:
        shutil.copy(packs[f"{source}_{target}"], settings.langpacks_dir)
    app = make_app()
    assert app.config["NEWSDESK_STARTUP"].installed == (
        "translate-ar_en 1.0", "translate-de_en 1.0", "translate-en_ar 1.0",
        "translate-en_de 1.0", "translate-en_ru 1.0", "translate-ru_en 1.0")
    response = app.test_client().get("/ready")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "packs": [
        "translate-ar_en", "translate-de_en", "translate-en_ar", "translate-en_de", "translate-en_ru", "translate-ru_en"],
        "optional_missing": []}


def test_an_english_desk_without_the_packs_for_other_languages_is_ready(make_app, settings, packs):
    """/ready means the default job works: English into ar, de, ru (issue 15); the reverse packs are optional."""
    for target in ("ar", "de", "ru"):
        shutil.copy(packs[f"en_{target}"], settings.langpacks_dir)
    response = make_app().test_client().get("/ready")
    assert response.status_code == 200
    assert response.json["packs"] == ["translate-en_ar", "translate-en_de", "translate-en_ru"]
    assert [(pack["code"], pack["optional"]) for pack in response.json["optional_missing"]] == [
        ("translate-ar_en", True), ("translate-de_en", True), ("translate-ru_en", True)]


def test_without_packs_it_starts_anyway_and_ready_says_what_is_missing(make_app, settings, packs, caplog):
    shutil.copy(packs["en_de"], settings.langpacks_dir)
    app = make_app()
    response = app.test_client().get("/ready")
    assert response.status_code == 503
    body = response.json
    assert body["error"] == "missing language packs: translate-en_ar, translate-en_ru"
    assert [pack["code"] for pack in body["optional_missing"]] == ["translate-ar_en", "translate-de_en",
                                                                    "translate-ru_en"]
    assert body["missing"][0] == {
        "code": "translate-en_ar", "pair": "en->ar", "optional": False,
        "fix": (f"copy translate-en_ar-1_0.argosmodel (from https://argos-net.com/v1/translate-en_ar-1_0.argosmodel) "
                f"into {settings.langpacks_dir}/ and run `newsdesk langpacks install`, or run "
                "`newsdesk langpacks install --download translate-en_ar` where the internet is reachable")}
    assert "missing en->ar pack (translate-en_ar)" in caplog.text


def test_a_drop_in_folder_without_a_manifest_uses_the_packaged_one(make_app, settings, tmp_path):
    app = make_app(langpacks_dir=tmp_path / "elsewhere")
    response = app.test_client().get("/ready")
    assert (response.status_code, response.json["error"]) == (
        503, "missing language packs: translate-en_ar, translate-en_de, translate-en_ru")


def test_unknown_paths_and_methods_answer_json(make_app):
    client = make_app().test_client()
    missing = client.get("/no/such/page")
    assert missing.status_code == 404
    assert missing.json["error"].startswith("The requested URL was not found on the server.")
    wrong = client.post("/health")
    assert wrong.status_code == 405
    assert wrong.json == {"error": "The method is not allowed for the requested URL."}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _health_answers_during_a_long_article(port: int) -> None:
    """One worker, two threads: /health answers while a long article is being processed."""
    sentence = "Dock workers in port number {} ended their strike after unions accepted a new offer. "
    long_article = "Long report\n\n" + "".join(sentence.format(i) for i in range(900))  # ~80,000 characters
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/process", method="POST", headers={"Content-Type": "application/json"},
        data=json.dumps({"text": long_article, "targets": ["ar", "de", "ru"]}).encode())
    outcome = {}

    def post_long() -> None:
        with urllib.request.urlopen(request, timeout=120) as response:
            outcome["status"] = response.status

    worker = threading.Thread(target=post_long)
    worker.start()
    time.sleep(0.5)  # the long request is in the worker by now
    assert _get(f"http://127.0.0.1:{port}/health")[0] == 200
    assert "status" not in outcome, "the long article finished before /health was asked"
    worker.join(timeout=120)
    assert outcome == {"status": 200}


def _post_answered_early(port: int, target: str, headers: dict, pieces: list[bytes]):
    """POST ``pieces`` as the body and return the response. A server that refuses a body over its
    limit answers before the body is all sent, and closes: the rest cannot be sent then (a broken
    pipe or reset), and the answer is read all the same, as a browser does."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.putrequest("POST", target)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.endheaders()
    try:
        for piece in pieces:
            connection.send(piece)
    except (BrokenPipeError, ConnectionResetError):
        pass  # answered already; the answer waits in the socket
    return connection.getresponse()


def _the_front_reads_whole_bodies_and_refuses_big_ones_early(port: int) -> None:
    """service/http/front.py: a chunked body arrives whole (so Flask sees its length), a form in
    UTF-8 and a query string keep their characters, and a body over the limit is a 413 in JSON."""
    def chunked(body: bytes) -> tuple[int, dict]:
        pieces = [body[start:start + 65536] for start in range(0, len(body), 65536)]
        response = _post_answered_early(port, "/api/v1/summarize?note=%C3%BC", {
            "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
            [f"{len(piece):x}\r\n".encode() + piece + b"\r\n" for piece in pieces] + [b"0\r\n\r\n"])
        return response.status, json.loads(response.read())

    status, body = chunked(json.dumps({"text": "Dock workers ended their strike. Ships sail again."}).encode())
    assert (status, body["sentences"]) == (200, ["Dock workers ended their strike.", "Ships sail again."])
    status, body = chunked(json.dumps({"text": "x" * 2_100_000}).encode())
    assert (status, body) == (413, {"error": "the request body is over the limit of 2,000,000 bytes "
                                             "(NEWSDESK_MAX_REQUEST_BYTES): send less"})
    # The web page's form over its limit comes back as the page, with the reason above the form.
    refused = _post_answered_early(port, "/", {
        "Content-Type": "multipart/form-data; boundary=b", "Origin": f"http://127.0.0.1:{port}",
        "Content-Length": "2100000"}, [b"x" * 65536] * 32 + [b"x" * (2_100_000 - 65536 * 32)])
    page = refused.read().decode()
    assert (refused.status, refused.headers.get_content_type()) == (413, "text/html")
    assert ("The article is too large: the desk takes pasted text of up to 100,000 characters and a file of up to "
            "2 MB; this was 2.1 MB. Shorten it, or send it in parts.") in page
    form = urllib.parse.urlencode({"text": "Grüße aus Köln. Москва ждёт."}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/summarize", data=form, method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        assert json.loads(response.read())["sentences"] == ["Grüße aus Köln.", "Москва ждёт."]


def test_the_procfile_web_command_serves_with_gunicorn(make_app, settings, packs, tmp_path):
    """Run the Procfile's web: line as a platform would, on 127.0.0.1, and ask it."""
    for source, target in MAIN_PAIRS:
        shutil.copy(packs[f"{source}_{target}"], settings.langpacks_dir)
    command = next(line for line in (REPO / "Procfile").read_text().splitlines() if line.startswith("web:"))
    port = _free_port()
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "PORT": str(port),
           "HOST": "127.0.0.1", "HOME": str(tmp_path), "NEWSDESK_WORKERS": "1",
           "NEWSDESK_PACKAGES_DIR": str(settings.packages_dir), "NEWSDESK_LANGPACKS_DIR": str(settings.langpacks_dir),
           "NEWSDESK_DOWNLOAD_MISSING": "0", "NEWSDESK_MAX_DOCUMENT_BYTES": "1000000"}
    server = subprocess.Popen(["sh", "-c", command.removeprefix("web:").strip()], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/health")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.2)
        assert (status, body) == (200, b'{"status":"ok"}\n')
        status, _ = _get(f"http://127.0.0.1:{port}/ready")
        assert status == 200
        article = (Path(__file__).parent / "data" / "harbour_strike.txt").read_text()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/process", method="POST", headers={"Content-Type": "application/json"},
            data=json.dumps({"text": article, "targets": ["ar", "de", "ru"], "summary": 2}).encode())
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        assert answer["article"]["title"] == "Harbour strike ends"
        _health_answers_during_a_long_article(port)
        assert [answer["translations"][code]["title"] for code in ("ar", "de", "ru")] == [
            "<ar> Harbour strike ends", "<de> Harbour strike ends", "<ru> Harbour strike ends"]
        _the_front_reads_whole_bodies_and_refuses_big_ones_early(port)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    log = server.stderr.read().decode()
    assert "language packs: 6 installed now, 0 missing, 0 problems" in log
    assert "loading translate-en_de 1.0" in log  # in the worker, before the first request
    assert "Traceback" not in log
