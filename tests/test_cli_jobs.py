"""`newsdesk jobs` against a running service (embedded default), and `newsdesk worker`."""

from __future__ import annotations

import json

import pytest

from service import pipeline, render
from tests.test_jobs import article


@pytest.fixture
def app(make_app, install, tmp_path):
    install("en_ar", "en_de")
    return make_app(jobs_dir=tmp_path / "jobs", rate_limit=None)


@pytest.fixture
def run(live_url, monkeypatch, capsys):
    """Run `newsdesk ARGS` in-process against the live test service; return (code, out, err)."""
    from service.cli import main

    monkeypatch.setenv("NEWSDESK_URL", live_url)

    def run_cli(*args) -> tuple[int, str, str]:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run_cli


@pytest.fixture
def feed(tmp_path):
    folder = tmp_path / "feed"
    (folder / "monday").mkdir(parents=True)
    (folder / "monday" / "strike.txt").write_text(article(1))
    (folder / "tuesday.html").write_text(f"<html><body><p>{article(2)}</p></body></html>")
    (folder / "notes.rtf").write_bytes(b"{\\rtf1 Notes}")  # not an article file: left out of the batch
    return folder


def test_submit_a_folder_waits_then_writes_what_process_writes(run, feed, tmp_path, app):
    out_dir = tmp_path / "out"
    code, out, err = run("jobs", "submit", feed, "--to", "ar,de", "-o", out_dir)
    job_id = out.strip()
    assert (code, len(job_id)) == (0, 32)
    written = sorted(path.relative_to(out_dir).as_posix() for path in out_dir.rglob("*") if path.is_file())
    assert written == ["feed/monday/strike.ar.md", "feed/monday/strike.de.md", "feed/monday/strike.newsdesk.json",
                       "feed/tuesday.ar.md", "feed/tuesday.de.md", "feed/tuesday.newsdesk.json", "job.json"]
    assert err == f"7 files in {out_dir}/ (2 of 2 articles done)\n"
    expected = pipeline.process(article(1), targets=["ar", "de"], settings=app.config["NEWSDESK"])
    assert (out_dir / "feed/monday/strike.de.md").read_text() == render.to_markdown(expected, "de")

    code, out, err = run("jobs", "status", job_id)
    assert (code, out, err) == (0, f"{job_id}: finished, 2 done, 0 failed, 2 articles\n", "")
    code, out, _ = run("jobs", "fetch", job_id, "--jsonl")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [(line["name"], line["status"]) for line in lines] == [("feed/monday/strike.txt", "done"),
                                                                  ("feed/tuesday.html", "done")]
    code, out, err = run("jobs", "fetch", job_id, "--format", "text", "-o", tmp_path / "text")
    assert (tmp_path / "text" / "feed/tuesday.de.txt").is_file() and code == 0


def test_failed_articles_are_listed_and_exit_1(run, tmp_path):
    (tmp_path / "good.txt").write_text(article(1))
    (tmp_path / "empty.txt").write_text(" ")
    code, out, err = run("jobs", "submit", tmp_path / "good.txt", tmp_path / "empty.txt", "--to", "de",
                         "-o", tmp_path / "out")
    assert code == 1
    assert err.splitlines() == [f"3 files in {tmp_path / 'out'}/ (1 of 2 articles done)",
                                "failed: empty.txt: the article is empty: paste or upload the text of a news article"]
    code, out, _ = run("jobs", "status", out.strip())
    assert out.splitlines()[1] == "  failed: empty.txt: the article is empty: paste or upload the text of a news article"


def test_the_same_idempotency_key_returns_the_first_job(run, tmp_path):
    (tmp_path / "a.txt").write_text(article(1))
    first = run("jobs", "submit", tmp_path / "a.txt", "--to", "de", "--idempotency-key", "k1", "--no-wait")
    second = run("jobs", "submit", tmp_path / "a.txt", "--to", "de", "--idempotency-key", "k1", "--no-wait")
    assert first[0] == second[0] == 0 and first[1] == second[1]
    assert second[2] == f"job {first[1].strip()} was already submitted with this idempotency key; not submitted again\n"


def test_bad_input_and_no_service_say_how_to_fix_it(run, tmp_path, monkeypatch):
    assert run("jobs", "submit", tmp_path / "missing") == (2, "", f"error: {tmp_path / 'missing'}: no such file or folder\n")
    (tmp_path / "a.txt").write_text(article(1))
    code, out, err = run("jobs", "submit", tmp_path / "a.txt", "--to", "xx", "--no-wait")
    assert (code, out) == (1, "")
    assert err.startswith("error: the service answered 400: field 'targets': 'xx' is not a language newsdesk knows; "
                          "use one of: ar, de, en, ")
    assert run("jobs", "status", "0123456789abcdef0123456789abcdef")[2] == (
        "error: the service answered 404: there is no job '0123456789abcdef0123456789abcdef': it was never "
        "submitted (by this API key), or its results were removed after NEWSDESK_JOB_RESULT_TTL seconds\n")
    monkeypatch.setenv("NEWSDESK_URL", "http://127.0.0.1:9")
    assert run("jobs", "status", "x") == (
        1, "", "error: cannot reach the newsdesk service at http://127.0.0.1:9 (ConnectionError): start it "
               "(`make run`), or give its address with --url or NEWSDESK_URL\n")


def test_worker_needs_a_redis_url(run):
    assert run("worker") == (1, "", "error: `newsdesk worker` needs NEWSDESK_REDIS_URL, the Redis the web service "
                                    "queues jobs in (e.g. redis://127.0.0.1:6379/0); without it the web service "
                                    "runs batch jobs itself\n")


def test_worker_with_redis_down_says_what_to_check(run, monkeypatch):
    monkeypatch.setenv("NEWSDESK_REDIS_URL", "redis://127.0.0.1:9/0")
    code, out, err = run("worker", "--burst")
    assert (code, out) == (1, "")
    assert err.startswith("error: the job queue (redis://127.0.0.1:9/0) does not answer (")
    assert err.endswith("): check that Redis is running and NEWSDESK_REDIS_URL points to it, then send again\n")


def test_fetch_of_a_running_job_says_to_wait(run, monkeypatch, tmp_path):
    from service.cli import jobsclient

    (tmp_path / "a.txt").write_text(article(1))
    code, out, _ = run("jobs", "submit", tmp_path / "a.txt", "--to", "de", "--no-wait")
    job_id = out.strip()
    running = {"id": job_id, "status": "running", "progress": {"done": 0, "failed": 0, "total": 1}, "errors": []}
    monkeypatch.setattr(jobsclient.JobsClient, "status", lambda self, given: running)
    assert run("jobs", "fetch", job_id) == (
        1, "", f"error: job {job_id} is still running (0 of 1 articles done): add --wait to wait for it\n")

    answers = iter([running])

    def ctrl_c_at_the_second_poll(self, given):
        answer = next(answers, None)
        if answer is None:
            raise KeyboardInterrupt
        return answer

    monkeypatch.setattr(jobsclient.JobsClient, "status", ctrl_c_at_the_second_poll)
    assert run("jobs", "fetch", job_id, "--wait") == (
        1, "", f"error: stopped waiting; job {job_id} goes on in the service: `newsdesk jobs status {job_id}`, "
               f"then `newsdesk jobs fetch {job_id}`\n")


def test_the_service_options_work_before_or_after_the_subcommand(run, feed, live_url, monkeypatch):
    """`jobs submit --url U` was "No such option" (issue 17): both orders reach the same service."""
    monkeypatch.delenv("NEWSDESK_URL")
    code, out, err = run("jobs", "submit", feed / "monday", "--to", "de", "--no-wait", "--url", live_url)
    assert (code, err) == (0, "")
    job_id = out.strip()
    before = run("jobs", "--url", live_url, "status", job_id, "--json")
    after = run("jobs", "status", job_id, "--json", "--url", live_url)
    assert json.loads(before[1])["id"] == json.loads(after[1])["id"] == job_id
    nowhere = run("jobs", "--url", live_url, "status", job_id, "--url", "http://127.0.0.1:9")
    assert nowhere[0] == 1  # the option after the subcommand wins: that service does not answer
