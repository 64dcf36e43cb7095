"""The translation memory in the translation step (issue 16): an editor's correction is used for
that sentence in every later article, through every door, and marked reviewed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from service import outcome, translation
from service.desk import memory, translating
from service.pipeline import process

REPO = Path(__file__).resolve().parent.parent
LEAD = "Dock workers in Rotterdam ended a five-day strike on Tuesday."
FIXED = "Die Hafenarbeiter in Rotterdam beendeten am Dienstag einen fünftägigen Streik."


def test_a_correction_wins_over_the_model_and_the_cache_in_the_next_article(settings, install):
    install("en_de")
    before = process(f"{LEAD} Ships are moving again.", targets=("de",), source="en", settings=settings)
    assert before.translations["de"].sentences[0] == f"<de> {LEAD}"  # and now in the sentence cache
    memory.put(settings, source="en", target="de", sentence=LEAD, translation=FIXED)
    after = process(f"Port news\n\n{LEAD} Cranes stood idle.", targets=("de",), source="en", settings=settings)
    german = after.translations["de"]
    assert german.sentences == (FIXED, "<de> Cranes stood idle.")
    assert german.reviewed == (0,) and german.confidences[0] == 1.0
    pairs = outcome.to_dict(after)["translations"]["de"]["pairs"]
    assert [(pair["target"], pair["reviewed"]) for pair in pairs] == [(FIXED, True), ("<de> Cranes stood idle.", False)]


def test_a_correction_for_the_pair_is_used_through_a_pivot(settings, install):
    install("de_en", "en_ar")
    german = "Die Hafenarbeiter beendeten den Streik."
    memory.put(settings, source="de", target="ar", sentence=german, translation="أنهى عمال الموانئ الإضراب.")
    result = process(f"{german} Schiffe fahren wieder.", targets=("ar",), source="de", settings=settings)
    assert result.translations["ar"].sentences == ("أنهى عمال الموانئ الإضراب.", "<ar> <en> Schiffe fahren wieder.")
    assert result.translations["ar"].reviewed == (0,)


def test_libretranslate_and_the_desk_s_translate_use_corrections_too(make_app, settings, install):
    install("en_de")
    app = make_app(rate_limit=None)
    memory.put(app.config["NEWSDESK"], source="en", target="de", sentence=LEAD, translation=FIXED)
    client = app.test_client()
    answer = client.post("/translate", json={"q": f"{LEAD} Ships wait.", "source": "en", "target": "de"})
    assert answer.get_json() == {"translatedText": f"{FIXED} <de> Ships wait."}
    assert translating.translate([LEAD], "en", "de", app.config["NEWSDESK"]) == [FIXED]
    assert translation.translate([LEAD], "en", "de", app.config["NEWSDESK"]) == [f"<de> {LEAD}"]  # the model's own


def test_a_correction_stored_through_one_gunicorn_worker_is_used_by_both(settings, packs, tmp_path):
    """The Procfile's server with two workers; the memory is the default SQLite file."""
    shutil.copy(packs["en_de"], settings.langpacks_dir)
    port = _free_port()
    command = next(line for line in (REPO / "Procfile").read_text().splitlines() if line.startswith("web:"))
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "PORT": str(port),
           "HOST": "127.0.0.1", "HOME": str(tmp_path), "NEWSDESK_WORKERS": "2", "NEWSDESK_RATE_LIMIT": "none",
           "NEWSDESK_PACKAGES_DIR": str(tmp_path / "packages"), "NEWSDESK_LANGPACKS_DIR": str(settings.langpacks_dir),
           "NEWSDESK_DOWNLOAD_MISSING": "0", "NEWSDESK_JOBS_DIR": str(tmp_path / "jobs"),
           "NEWSDESK_MEMORY_DB": str(tmp_path / "memory.sqlite3")}
    server = subprocess.Popen(["sh", "-c", command.removeprefix("web:").strip()], cwd=REPO, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{base}/health")
        stored = _send(f"{base}/api/v1/memory", {"source": "en", "target": "de", "sentence": LEAD,
                                                 "translation": FIXED}, method="PUT")
        assert stored["translation"] == FIXED
        from concurrent.futures import ThreadPoolExecutor

        def ask(number: int) -> tuple[str, object]:
            """Every other request asks which worker answers (its pid); the rest translate the lead."""
            if number % 2:
                return "worker", _get(f"{base}/api/v1/stats")["pid"]
            answer = _send(f"{base}/api/v1/process", {"text": LEAD, "targets": ["de"], "source": "en"})
            pair = answer["translations"]["de"]["pairs"][0]
            return "pair", (pair["target"], pair["reviewed"])

        # Concurrent requests, so that both workers' event loops take some (which one accepts is the kernel's choice).
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(pool.map(ask, range(60)))
        assert len({value for kind, value in answers if kind == "worker"}) == 2, "only one worker answered"
        assert {value for kind, value in answers if kind == "pair"} == {(FIXED, True)}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            assert time.monotonic() < deadline, "the server did not answer within 60 s"
            time.sleep(0.2)


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _send(url: str, body: dict, method: str = "POST") -> dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read())


# --- the glossary in the translation step ------------------------------------------

def test_the_stored_glossary_is_applied_through_the_api_and_a_request_adds_its_own(make_app, install):
    install("en_de", "en_ar")
    client = make_app(rate_limit=None).test_client()
    stored = client.put("/api/v1/glossary", json={"terms": {"de": {"Gadhafi": "Gaddafi"}}, "keep": ["NTC"]})
    assert stored.status_code == 200
    body = client.post("/api/v1/process", json={"text": "Gadhafi must quit. The NTC met.", "targets": ["de", "ar"],
                                                "source": "en"}).get_json()["translations"]
    assert body["de"]["sentences"] == ["<de> Gaddafi must quit.", "<de> The NTC met."]
    assert body["ar"]["sentences"] == ["<ar> Gadhafi must quit.", "<ar> The NTC met."]  # no Arabic term stored
    inline = client.post("/api/v1/process", json={"text": "Gadhafi must quit.", "targets": ["ar"], "source": "en",
                                                  "glossary": {"ar": {"Gadhafi": "القذافي"}}}).get_json()
    assert inline["translations"]["ar"]["sentences"] == ["<ar> القذافي must quit."]
    libre = client.post("/translate", json={"q": "Gadhafi must quit.", "source": "en", "target": "de",
                                            "glossary": {"de": {"quit": "go"}}})
    assert libre.get_json() == {"translatedText": "<de> Gaddafi must go."}


def test_a_changed_glossary_is_never_served_from_the_cache(settings, install):
    from service.desk import glossary

    install("en_de")
    glossary.add_term(settings, target="de", source_term="Gadhafi", target_term="Gaddafi")
    assert translating.translate(["Gadhafi must quit."], "en", "de", settings) == ["<de> Gaddafi must quit."]
    glossary.add_term(settings, target="de", source_term="Gadhafi", target_term="Ghaddafi")
    assert translating.translate(["Gadhafi must quit."], "en", "de", settings) == ["<de> Ghaddafi must quit."]
    assert translation.sentence_cache(settings).stats()["hits"] == 1  # the model's output was reused, the term not


def test_a_lost_placeholder_means_no_glossary_for_that_sentence_and_a_flag(settings, packs):
    from service.desk import glossary
    from service.translation import packs as langpacks

    langpacks.install_archive(packs["en_de_mangles_zeros"], settings)
    glossary.add_term(settings, target="de", source_term="Gadhafi", target_term="Gaddafi")
    result = process("Gadhafi must quit. Ships wait.", targets=("de",), source="en", settings=settings)
    german = result.translations["de"]
    assert german.sentences == ("<de> Gadhafi must quit.", "<de> Ships wait.")  # never "<de> 291 must quit."
    assert german.glossary_skipped == (0,) and german.uncertain == (0,)
    pairs = outcome.to_dict(result)["translations"]["de"]["pairs"]
    assert [(pair["glossary_skipped"], pair["uncertain"]) for pair in pairs] == [(True, True), (False, False)]


def test_the_glossary_reaches_the_command_line_and_batch_jobs(make_app, install, tmp_path, monkeypatch, settings):
    from service.cli import main
    from tests.test_jobs import wait_until_done

    install("en_de")
    monkeypatch.setenv("NEWSDESK_PACKAGES_DIR", str(settings.packages_dir))
    monkeypatch.setenv("NEWSDESK_GLOSSARY_DB", str(settings.glossary_db))
    assert main(["glossary", "add", "--to", "de", "Gadhafi", "Gaddafi"]) == 0
    article = tmp_path / "wire.txt"
    article.write_text("Gadhafi must quit.")
    assert main(["process", str(article), "--to", "de", "--source", "en", "--format", "text"]) == 0
    assert "<de> Gaddafi must quit." in (tmp_path / "wire.de.txt").read_text()
    client = make_app(jobs_dir=tmp_path / "jobs", rate_limit=None, glossary_db=settings.glossary_db).test_client()
    job = client.post("/api/v1/jobs", json={"articles": ["Gadhafi must quit."], "targets": ["de"], "source": "en"})
    assert wait_until_done(client, job.get_json()["id"])["progress"]["done"] == 1
    [line] = [json.loads(text) for text in client.get(f"/api/v1/jobs/{job.get_json()['id']}/result").text.splitlines()]
    assert line["result"]["translations"]["de"]["sentences"] == ["<de> Gaddafi must quit."]


def test_an_article_goes_out_as_xliff_and_the_editor_s_file_comes_back_into_the_memory(install, tmp_path,
                                                                                          monkeypatch, settings):
    from service.cli import main

    install("en_de")
    monkeypatch.setenv("NEWSDESK_PACKAGES_DIR", str(settings.packages_dir))
    monkeypatch.setenv("NEWSDESK_MEMORY_DB", str(settings.memory_db))
    article = tmp_path / "wire.txt"
    article.write_text(f"{LEAD} Ships wait.")
    assert main(["process", str(article), "--to", "de", "--source", "en", "--format", "xliff"]) == 0
    exported = (tmp_path / "wire.de.xlf").read_text()
    assert f"<source>{LEAD}</source>" in exported and f"<target state=\"needs-review-translation\">&lt;de&gt; {LEAD}" in exported
    (tmp_path / "reviewed.xlf").write_text(exported.replace(f"&lt;de&gt; {LEAD}</target>", f"{FIXED}</target>", 1))
    assert main(["memory", "import", str(tmp_path / "reviewed.xlf")]) == 0
    again = process(f"{LEAD} Cranes stood idle.", targets=("de",), source="en", settings=settings)
    assert again.translations["de"].sentences[0] == FIXED and again.translations["de"].reviewed == (0,)
    assert main(["process", str(article), "--to", "de", "--source", "en", "--format", "xliff"]) == 0
    assert f'<target state="translated">{FIXED}</target>' in (tmp_path / "wire.de.xlf").read_text()
