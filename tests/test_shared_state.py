"""With NEWSDESK_REDIS_URL every store a newsroom shares lives in that Redis (issue 33): API keys
and sign-ins, the glossary with its version, the desk's results and edits, and translated files.
Two settings with different data folders and one Redis stand for two nodes; each test makes
something on one and finds it on the other. The two-node test (test_nodes.py) does the same
through real web nodes."""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from service import keys, pipeline
from service.desk import glossary, results
from service.errors import InvalidInput, InvalidSetting, JobNotFound, QueueUnavailable
from service.http import libre_files
from service.outcome import Step
from service.translation.terms import Glossary

DOWN = "redis://127.0.0.1:9/0"  # nothing listens on the discard port


@pytest.fixture
def nodes(settings, redis_url, tmp_path):
    """Two nodes' settings: their own data folders, one Redis."""
    def node(name: str):
        home = tmp_path / name
        return dataclasses.replace(settings, redis_url=redis_url, keys_db=home / "keys.sqlite3",
                                   glossary_db=home / "glossary.sqlite3", results_db=home / "results.sqlite3",
                                   memory_db=home / "memory.sqlite3")

    return node("a"), node("b")


def test_a_key_made_on_one_node_works_on_the_other_and_its_removal_everywhere(nodes):
    first, second = nodes
    record, key = keys.add_key(first, "wire-desk", role="edit")
    assert keys.find_key(second, keys.hash_key(key)) == record
    assert keys.list_keys(second) == [record]
    assert keys.set_role(second, "wire-desk", "admin") == dataclasses.replace(record, role="admin")
    assert keys.find_key(first, keys.hash_key(key)).role == "admin"
    token = keys.start_session(second, keys.hash_key(key))
    assert keys.find_session(first, token) == dataclasses.replace(record, role="admin")
    with pytest.raises(InvalidInput, match="^a key named 'wire-desk' exists already: remove it first"):
        keys.add_key(second, "wire-desk")
    assert keys.remove_key(first, "wire-desk") == dataclasses.replace(record, role="admin")
    assert keys.find_key(second, keys.hash_key(key)) is None
    assert keys.find_session(second, token) is None  # removing a key ends its sign-ins too
    with pytest.raises(InvalidInput, match=r"^no key named 'wire-desk' \(keys: none\)$"):
        keys.remove_key(second, "wire-desk")
    assert not first.keys_db.exists() and not second.keys_db.exists()  # nothing kept on either node's disk


def test_signing_out_on_one_node_signs_out_everywhere_and_both_sign_with_one_secret(nodes):
    first, second = nodes
    _, key = keys.add_key(first, "desk")
    token = keys.start_session(first, keys.hash_key(key))
    keys.end_session(second, token)
    assert keys.find_session(first, token) is None
    assert keys.load_or_create_secret(first) == keys.load_or_create_secret(second)
    assert len(keys.load_or_create_secret(first)) == 64


def test_only_a_hash_of_the_key_is_in_redis(nodes, redis_url):
    _, key = keys.add_key(nodes[0], "desk")
    client = redis.Redis.from_url(redis_url)
    stored = b"".join(client.dump(name) or b"" for name in client.keys("*"))
    assert key.encode() not in stored and keys.hash_key(key).encode() in stored


def test_a_glossary_term_put_on_one_node_is_there_on_the_other_with_the_same_version(nodes):
    first, second = nodes
    assert glossary.add_term(first, target="de", source_term="Gadhafi", target_term="Gaddafi") is None
    assert glossary.load(second) == Glossary(by_target={"de": {"Gadhafi": "Gaddafi"}})
    assert glossary.load(second).version == glossary.load(first).version
    assert glossary.add_term(second, target="de", source_term="Gadhafi", target_term="Gadafi") == "Gaddafi"
    assert glossary.load(first).by_target["de"]["Gadhafi"] == "Gadafi"  # the first node's cached read is renewed
    assert glossary.keep_term(first, "NTC") is True and glossary.keep_term(second, "NTC") is False
    assert glossary.remove_term(second, "NTC") == {"*": "NTC"}
    with pytest.raises(InvalidInput, match=r"^'Gadhaffi' is not in the glossary; did you mean 'Gadhafi'\?"):
        glossary.remove_term(first, "Gadhaffi")


def test_replace_and_restore_on_either_node_undo_each_other(nodes):
    first, second = nodes
    glossary.add_term(first, target="de", source_term="Tripoli", target_term="Tripolis", changed_by="wire")
    replaced = Glossary(by_target={"ru": {"Gadhafi": "Каддафи"}}, keep=("NTC",))
    assert glossary.replace_all(second, replaced, changed_by="chief") == replaced
    kept = glossary.previous(first)
    assert (kept.saved_by, kept.why, kept.entries) == ("chief", "replaced", 1)
    restored, undone = glossary.restore(first, changed_by="night")
    assert restored == Glossary(by_target={"de": {"Tripoli": "Tripolis"}}) == glossary.load(second)
    assert undone == kept
    assert [(change.source, change.changed_by) for change in glossary.changes(second)] == [("Tripoli", "wire")]
    assert glossary.restore(second)[0] == replaced  # a second restore undoes the first


def test_changes_made_at_once_on_both_nodes_are_all_kept(nodes):
    """Each change is read and written in one step (WATCH): none overwrites another made meanwhile."""
    terms = [(nodes[number % 2], f"Term{number}") for number in range(24)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda pair: glossary.add_term(pair[0], target="de", source_term=pair[1],
                                                     target_term=pair[1].upper()), terms))
    assert glossary.load(nodes[0]).by_target["de"] == {term: term.upper() for _, term in terms}


def test_the_glossary_rules_are_the_same_in_the_file_and_in_redis(nodes, settings):
    """One set of rules over both stores: the same steps answer the same on either."""
    def steps(where) -> list:
        answers = [glossary.add_term(where, target="de", source_term="Gadhafi", target_term="Gaddafi"),
                   glossary.keep_term(where, "NTC"),
                   glossary.import_terms(where, b"source,language,term\nTripoli,de,Tripolis\nNTC,*,NTC\n",
                                         file_name="terms.csv"),
                   glossary.remove_term(where, "Gadhafi", target="de"),
                   glossary.export(where, fmt="csv"),
                   glossary.previous(where).entries,
                   glossary.restore(where)[0]]
        return [*answers, glossary.load(where)]

    assert steps(nodes[0]) == steps(settings)


def desk_result(settings, install):
    install("en_de")
    return pipeline.process("The port reopened on Monday. Ships came back to the harbour.", source="en",
                            targets=("de",), settings=settings)


def test_a_desk_result_started_on_one_node_opens_and_takes_edits_on_the_other(nodes, install):
    first, second = nodes
    result = desk_result(first, install)
    run_id = results.start(first, owner="(no key)", form={"text": "The port reopened."},
                           document=("article.docx", b"PK\x03\x04 a document"))
    results.add_step(second, run_id, Step("cleaned"))
    results.add_step(first, run_id, Step("split", "en", 2))
    running = results.load(second, run_id, owner="(no key)")
    assert (running.status, running.steps, running.document) == ("running", (Step("cleaned"), Step("split", "en", 2)),
                                                                  "article.docx")
    assert results.document_of(second, running) == ("article.docx", b"PK\x03\x04 a document")
    results.finish(first, run_id, result)
    edited = results.edit(second, run_id, owner="(no key)", language="de", index=1, text="Die Schiffe kamen zurück.")
    opened = results.load(first, run_id, owner="(no key)")
    assert opened.status == "done" and opened.result == edited
    assert opened.result.translations["de"].sentences[1] == "Die Schiffe kamen zurück."
    assert opened.result.translations["de"].reviewed == (1,)
    with pytest.raises(JobNotFound, match=f"^no desk result {run_id!r} here \\(results are kept 24 hours\\)"):
        results.load(first, run_id, owner="someone else")


def test_edits_made_at_once_on_both_nodes_are_both_kept(nodes, install):
    first, second = nodes
    run_id = results.start(first, owner="desk", form={})
    results.finish(first, run_id, desk_result(first, install))
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda edit: results.edit(edit[0], run_id, owner="desk", language="de", index=edit[1],
                                                text=f"Satz {edit[1]}."), [(first, 0), (second, 1)]))
    kept = results.load(second, run_id, owner="desk").result.translations["de"]
    assert kept.sentences == ("Satz 0.", "Satz 1.") and kept.reviewed == (0, 1)


def test_a_failed_run_and_the_time_results_are_kept(nodes, redis_url):
    first, second = nodes
    run_id = results.start(first, owner="desk", form={"text": "x"})
    results.fail(second, run_id, error="no en->de pack", status=422)
    failed = results.load(first, run_id, owner="desk")
    assert (failed.status, failed.error, failed.error_status, failed.result) == ("failed", "no en->de pack", 422, None)
    assert 24 * 3600 - 60 < redis.Redis.from_url(redis_url).ttl(f"newsdesk:run:{run_id}") <= 24 * 3600


def test_a_translated_file_kept_on_one_node_downloads_from_the_other_until_it_expires(nodes, redis_url):
    first, second = nodes
    name = libre_files.keep_file(first, name="Report.docx", data=b"translated bytes")
    assert name.endswith(".Report.docx")
    assert libre_files.kept_file(second, name) == b"translated bytes"
    assert 3500 < redis.Redis.from_url(redis_url).ttl(f"newsdesk:translated-file:{name}") <= 3600
    redis.Redis.from_url(redis_url).delete(f"newsdesk:translated-file:{name}")  # as when its hour is up
    with pytest.raises(JobNotFound, match=f"^no translated file {name!r} here: a file is kept 3600 s after"):
        libre_files.kept_file(first, name)


@pytest.mark.parametrize("what, call", [
    ("the API keys", lambda settings: keys.list_keys(settings)),
    ("the glossary", lambda settings: glossary.load(settings)),
    ("the desk's results", lambda settings: results.load(settings, "abc", owner="desk")),
    ("the translated files", lambda settings: libre_files.keep_file(settings, name="a.txt", data=b"x")),
    ("the web form's signing secret", lambda settings: keys.load_or_create_secret(settings)),
])
def test_a_redis_that_does_not_answer_is_named_never_a_quiet_local_fallback(settings, what, call):
    down = dataclasses.replace(settings, redis_url=DOWN)
    with pytest.raises(QueueUnavailable) as caught:
        call(down)
    assert str(caught.value).startswith(f"{what} (Redis at {DOWN}) does not answer (")
    assert str(caught.value).endswith("check that Redis is running and NEWSDESK_REDIS_URL points to it")


def start_redis(folder, port: int) -> subprocess.Popen:
    """Debian's redis-server on ``port`` with its append-only file in ``folder`` (as the README's Redis)."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("NEWSDESK_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is not installed (`make test` installs it as root)")
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    process = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "yes",
                                "--appendfsync", "always", "--dir", str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            if redis.Redis(port=port).ping():
                return process
        except redis.RedisError:
            if time.monotonic() > deadline:
                process.kill()
                pytest.fail("redis-server did not start")
            time.sleep(0.05)


def test_everything_shared_is_there_after_redis_restarts_with_its_append_only_file(settings, tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    node = dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{port}/0", keys_db=tmp_path / "keys.sqlite3",
                               glossary_db=tmp_path / "glossary.sqlite3", results_db=tmp_path / "results.sqlite3")
    server = start_redis(tmp_path, port)
    try:
        record, key = keys.add_key(node, "desk")
        glossary.add_term(node, target="de", source_term="Gadhafi", target_term="Gaddafi")
        version = glossary.load(node).version
        run_id = results.start(node, owner="desk", form={"text": "x"})
        results.add_step(node, run_id, Step("cleaned"))
        name = libre_files.keep_file(node, name="a.txt", data=b"translated")
    finally:
        server.terminate()  # SIGTERM: as a service manager stops it
        server.wait(timeout=10)
    server = start_redis(tmp_path, port)
    try:
        assert keys.find_key(node, keys.hash_key(key)) == record
        assert glossary.load(node).version == version
        assert results.load(node, run_id, owner="desk").steps == (Step("cleaned"),)
        assert libre_files.kept_file(node, name) == b"translated"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_desk_run_refused_while_redis_is_down_gives_its_place_back(make_app, install):
    install("en_de", "en_ar", "en_ru")
    client = make_app(redis_url="redis://:hunter2@127.0.0.1:9/0", rate_limit=None).test_client()
    for _ in range(6):  # more than the worker's places for desk runs
        refused = client.post("/runs", data={"text": "The port reopened on Monday.", "target": ["de"]})
        assert refused.status_code == 503
        assert refused.get_json()["error"].startswith("the desk's results (Redis at redis://127.0.0.1:9/0) does not "
                                                      "answer (")
        assert "hunter2" not in refused.get_data(as_text=True)


def test_no_message_and_no_statistic_shows_the_redis_password(make_app, install, caplog):
    install("en_de")
    client = make_app(redis_url="redis://:hunter2@127.0.0.1:9/0", rate_limit=None).test_client()
    client.post("/translate", json={"q": "The port reopened.", "source": "en", "target": "de"})
    stats = client.get("/api/v1/stats").get_data(as_text=True)
    assert "redis://127.0.0.1:9/0" in stats and "hunter2" not in stats
    assert "hunter2" not in caplog.text
    with pytest.raises(InvalidSetting) as unreadable:
        glossary.load(dataclasses.replace(make_app().config["NEWSDESK"], redis_url="redis://:ab/cd@127.0.0.1:9/0"))
    assert str(unreadable.value) == ("NEWSDESK_REDIS_URL is not a Redis URL (not shown here: it may hold a password): "
                                     "write it like redis://:PASSWORD@host:6379/0, with any '/', '@' or ':' in the "
                                     "password written %2F, %40, %3A")
