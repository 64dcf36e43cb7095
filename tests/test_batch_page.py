"""The batch page (/batch, issue 17): server-side behaviour through the test client, with the
embedded Redis and its in-process worker as in test_jobs.py, and a real browser (headless Chromium)."""

from __future__ import annotations

import contextlib
import io
import re
import json
import threading
import time
import urllib.request
import zipfile

import pytest
from markupsafe import escape

from service import pipeline, render
from tests.browser import make_driver, needs_browser, policy_violations, screenshot

ERROR_BOX = '<div class="error" role="alert" id="error"><strong>Could not start the batch job.</strong> '


@pytest.fixture
def app(make_app, install, tmp_path):
    install("en_ar", "en_de", "en_ru")
    return make_app(jobs_dir=tmp_path / "jobs", job_claim_seconds=2, rate_limit=None)


def article(number: int) -> str:
    return (f"Port strike enters day {number}\n\nDock workers in Rotterdam stayed out for day {number} on Monday. "
            f"Shipping lines said {number} vessels were waiting. The union will meet again on Friday.")


def zipped(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(client, files: list[tuple[bytes, str]], targets=("ar", "de"), **fields):
    """POST the form: ``files`` as (content, file name), the languages ticked, other fields as given."""
    data = {"file": [(io.BytesIO(content), name) for content, name in files], "target": list(targets), **fields}
    return client.post("/batch", data=data, content_type="multipart/form-data")


def submitted(response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert location.startswith("/batch/")
    return location.removeprefix("/batch/")


def wait_until_over(client, job_id: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        report = client.get(f"/batch/{job_id}/status").get_json()
        if report["status"] in ("finished", "cancelled") or time.monotonic() > deadline:
            return report
        time.sleep(0.05)


def checked_targets(page: str) -> list[str]:
    return [code for code in ("ar", "de", "ru") if f'name="target" value="{code}" checked' in page]


# --- the form -----------------------------------------------------------------------

def test_the_empty_form_has_the_upload_the_languages_and_no_jobs_yet(client):
    response = client.get("/batch")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert ('<input id="file" name="file" type="file" multiple accept=".zip,.jsonl,.txt,.md,.markdown,.html,.htm,.docx,.odt,.pdf" '
            'aria-describedby="file-hint">') in page
    assert '<label for="file">Articles</label>' in page
    assert "<fieldset><legend>Translate into</legend>" in page
    assert checked_targets(page) == ["ar", "de", "ru"]
    for field in ("summary", "method", "source"):
        assert f'<label for="{field}">' in page and f'id="{field}" name="{field}"' in page
    assert '<p class="hint" id="no-jobs">No batch jobs from this browser yet.</p>' in page
    assert '<script src="/static/batch.js" defer></script>' in page and "<style" not in page and " style=" not in page
    assert "http://" not in page and "https://" not in page  # nothing from the internet


def test_a_language_without_a_pack_cannot_be_chosen(make_app, install, tmp_path, settings):
    install("en_de")
    page = make_app(jobs_dir=tmp_path / "jobs", rate_limit=None).test_client().get("/batch").get_data(as_text=True)
    assert checked_targets(page) == ["de"]
    assert '<input type="checkbox" name="target" value="ru" disabled> Russian (no language pack)' in page
    assert f"put its translate-*.argosmodel file in {settings.langpacks_dir}/ and run" in page


# --- a job from upload to download ---------------------------------------------------

def test_a_zip_of_two_articles_becomes_a_job_whose_results_download_as_a_zip(client, app):
    texts = {"feed/monday.txt": article(1), "feed/tuesday.txt": article(2)}
    job_id = submitted(upload(client, [(zipped(texts), "feed.zip")], targets=("ar", "de"), summary="2"))
    page = client.get(f"/batch/{job_id}").get_data(as_text=True)
    assert '<section id="job" class="job" data-state=' in page
    assert '<label for="job-progress">Progress</label>' in page and '<progress id="job-progress" max="2"' in page
    assert '<p id="job-status" class="status" role="status" aria-live="polite" aria-atomic="true">' in page
    report = wait_until_over(client, job_id)
    assert (report["status"], report["progress"], report["errors"]) == ("finished", {"done": 2, "failed": 0, "total": 2}, [])
    assert report["options"] == {"targets": ["ar", "de"], "summary": 2, "method": "news", "source": "auto"}
    assert report["message"] == "Finished: 2 of 2 articles processed (2 done, 0 failed)."
    assert report["links"]["result"] == f"/batch/{job_id}/result.zip"
    page = client.get(f"/batch/{job_id}").get_data(as_text=True)
    assert ('<p id="job-status" class="status" role="status" aria-live="polite" aria-atomic="true">'
            "Finished: 2 of 2 articles processed (2 done, 0 failed).</p>") in page
    assert '<progress id="job-progress" max="2" value="2">2 of 2</progress>' in page
    assert (f'<a class="download" id="download" href="/batch/{job_id}/result.zip?files=markdown" download>'
            "Download the results (.zip)</a>") in page
    assert '<div id="downloads" class="downloads-box">' in page  # no longer hidden
    assert 'id="cancel-form" class="bare" hidden>' in page

    download = client.get(f"/batch/{job_id}/result.zip?files=markdown")
    assert (download.status_code, download.mimetype) == (200, "application/zip")
    assert download.headers["Content-Disposition"] == f"attachment; filename=newsdesk-{job_id}.zip"
    archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert sorted(archive.namelist()) == [
        "feed/monday.ar.md", "feed/monday.de.md", "feed/monday.newsdesk.json",
        "feed/tuesday.ar.md", "feed/tuesday.de.md", "feed/tuesday.newsdesk.json", "job.json"]
    expected = pipeline.process(texts["feed/monday.txt"], targets=("ar", "de"), summary=2, settings=app.config["NEWSDESK"])
    assert archive.read("feed/monday.de.md").decode() == render.to_markdown(expected, "de")
    assert json.loads(archive.read("job.json"))["progress"] == {"done": 2, "failed": 0, "total": 2}
    # The same job through the API (keys off: the same owner) gives the same files.
    api = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/jobs/{job_id}/result?format=zip").data))
    assert sorted(api.namelist()) == sorted(archive.namelist())
    assert api.read("feed/tuesday.ar.md") == archive.read("feed/tuesday.ar.md")
    html = zipfile.ZipFile(io.BytesIO(client.get(f"/batch/{job_id}/result.zip?files=html").data))
    assert sorted(html.namelist())[0] == "feed/monday.ar.html"


def test_several_files_at_once_are_one_job_and_a_file_that_cannot_be_read_fails_alone(client):
    files = [(article(1).encode(), "monday.txt"), (("# Port strike\n\n" + article(2)).encode(), "tuesday.md"),
             (f"<html><body><h1>Port strike</h1><p>{article(3)}</p></body></html>".encode(), "wednesday.html"),
             (b"%PDF-1.4", "thursday.pdf"), ("Café owners said the strike hurt trade.".encode("latin-1"), "latin1.txt")]
    job_id = submitted(upload(client, files, targets=("de",)))
    report = wait_until_over(client, job_id)
    assert report["progress"] == {"done": 3, "failed": 2, "total": 5}
    assert report["errors"] == [
        {"index": 3, "name": "thursday.pdf",
         "error": "thursday.pdf is not a readable PDF: save it again as PDF, or paste the article's text"},
        {"index": 4, "name": "latin1.txt", "error": "latin1.txt is not UTF-8 text: save it as UTF-8 and try again"}]
    page = client.get(f"/batch/{job_id}").get_data(as_text=True)
    assert ('<ul id="failure-list"><li><strong>thursday.pdf</strong> is not a readable PDF: save it again as PDF, '
            "or paste the article&#39;s text</li><li><strong>latin1.txt</strong> is not UTF-8 text: save it as UTF-8 "
            "and try again</li></ul>") in page
    assert "Finished: 5 of 5 articles processed (3 done, 2 failed)." in page
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/batch/{job_id}/result.zip").data))
    assert sorted(archive.namelist()) == ["job.json", "monday.de.md", "monday.newsdesk.json", "tuesday.de.md",
                                          "tuesday.newsdesk.json", "wednesday.de.md", "wednesday.newsdesk.json"]


def article_rows(page: str) -> list[list[str]]:
    """The articles' table as its cells' text, a list a row."""
    from lxml import html

    table = html.fromstring(page).get_element_by_id("articles")
    return [[" ".join(" ".join(cell.itertext()).split()) for cell in row.findall("td")] for row in table.iter("tr")
            if row.findall("td")]


def test_the_job_page_lists_every_article_and_a_done_one_opens_on_the_desk(client):
    files = [(article(1).encode(), "monday.txt"), (b"%PDF-1.4", "thursday.pdf")]
    job_id = submitted(upload(client, files, targets=("de",)))
    wait_until_over(client, job_id)
    page = client.get(f"/batch/{job_id}").get_data(as_text=True)
    rows = article_rows(page)
    assert [row[:4] for row in rows] == [
        ["1", "monday.txt Port strike enters day 1", "English", "Done"],
        ["2", "thursday.pdf thursday.pdf is not a readable PDF: save it again as PDF, or paste the article's text", "",
         "Failed"]]
    assert re.fullmatch(r"\d+\.\d s", rows[0][4]) and rows[1][4] == ""
    assert rows[0][5] == "Open on the desk (monday.txt)" and rows[1][5] == ""  # the name is for screen readers
    opened = client.post(f"/batch/{job_id}/articles/0/desk")
    assert opened.status_code == 303 and opened.headers["Location"].startswith("/results/")
    desk = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert "<h1" in desk and "Port strike enters day 1" in desk
    assert "&lt;de&gt; Dock workers in Rotterdam stayed out for day 1 on Monday." in desk
    # The desk result is the editor's own, to correct: a saved sentence changes it, not the job.
    run_id = opened.headers["Location"].removeprefix("/results/")
    saved = client.post(f"/results/{run_id}/sentences/de/0", data={"text": "Die Hafenarbeiter streikten."})
    assert saved.status_code in (200, 303)
    assert "Die Hafenarbeiter streikten." in client.get(f"/results/{run_id}").get_data(as_text=True)
    again = client.post(f"/batch/{job_id}/articles/0/desk").headers["Location"]
    assert "Die Hafenarbeiter streikten." not in client.get(again).get_data(as_text=True)
    refused = client.post(f"/batch/{job_id}/articles/1/desk")
    assert refused.status_code == 400
    assert ("thursday.pdf has no result to open (failed): thursday.pdf is not a readable PDF: save it again as PDF, "
            "or paste the article&#39;s text") in refused.get_data(as_text=True)
    assert client.post(f"/batch/{job_id}/articles/7/desk").status_code == 404


def test_a_long_job_lists_its_articles_a_hundred_a_page(client):
    job_id = submitted(upload(client, [(zipped({f"a{n:03}.txt": article(n) for n in range(101)}), "many.zip")],
                              targets=("de",)))
    wait_until_over(client, job_id, seconds=120)
    first = client.get(f"/batch/{job_id}").get_data(as_text=True)
    assert len(article_rows(first)) == 100
    assert f'Articles 1 to 100 of 101. <a href="/batch/{job_id}?page=2" rel="next">Next</a>' in first
    second = client.get(f"/batch/{job_id}?page=2").get_data(as_text=True)
    assert [row[:2] for row in article_rows(second)] == [["101", "a100.txt Port strike enters day 100"]]
    assert f'<a href="/batch/{job_id}?page=1" rel="prev">Previous</a>' in second
    assert client.get(f"/batch/{job_id}?page=0").status_code == 400
    past = client.get(f"/batch/{job_id}?page=9")
    assert (past.status_code, past.headers["Location"]) == (303, f"/batch/{job_id}?page=2")


def test_a_jsonl_upload_is_one_article_per_line(client):
    lines = "\n".join([json.dumps({"id": "x1", "text": article(1)}), json.dumps(article(2))])
    job_id = submitted(upload(client, [(lines.encode(), "feed.jsonl")], targets=("ru",)))
    assert wait_until_over(client, job_id)["progress"] == {"done": 2, "failed": 0, "total": 2}
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/batch/{job_id}/result.zip").data))
    assert sorted(archive.namelist()) == ["article-2.newsdesk.json", "article-2.ru.md", "job.json", "x1.newsdesk.json",
                                          "x1.ru.md"]


def test_cancel_skips_the_articles_not_yet_started(client):
    job_id = submitted(upload(client, [(zipped({f"a{n}.txt": article(n) for n in range(40)}), "many.zip")]))
    response = client.post(f"/batch/{job_id}/cancel")
    assert (response.status_code, response.headers["Location"]) == (303, f"/batch/{job_id}")
    report = client.get(f"/batch/{job_id}/status").get_json()
    assert report["status"] == "cancelled" and report["progress"]["done"] < 40
    page = client.get(f"/batch/{job_id}").get_data(as_text=True)
    assert f"Cancelled: {report['progress']['done']} of 40 articles processed" in page
    assert '<div id="downloads" class="downloads-box">' in page  # what was done can still be fetched


def test_results_before_the_job_is_over_say_so_on_the_page(make_app, install, redis_url):
    install("en_de")
    client = make_app(redis_url=redis_url, rate_limit=None).test_client()  # no worker here: the job stays queued
    job_id = submitted(upload(client, [(article(1).encode(), "a.txt")], targets=("de",)))
    page = client.get(f"/batch/{job_id}").get_data(as_text=True)
    assert "Queued, waiting for a worker: 0 of 1 article processed (0 done, 0 failed)." in page
    assert f'<p id="refresh" class="hint">The job goes on without this page. <a href="/batch/{job_id}">Refresh</a>' in page
    assert '<div id="downloads" class="downloads-box" hidden>' in page
    early = client.get(f"/batch/{job_id}/result.zip")
    assert early.status_code == 409
    assert str(escape(f"job {job_id} is still queued (0 of 1 articles done)")) in early.get_data(as_text=True)


# --- errors, inline --------------------------------------------------------------------

BAD_ZIP = ("the uploaded .zip cannot be read (File is not a zip file): send a valid zip archive")


@pytest.mark.parametrize(("files", "fields", "status", "message"), [
    ([], {}, 400, "No file was uploaded: choose a .zip or .jsonl of articles, or several .txt, .md or .html files."),
    ([(b"not a zip", "feed.zip")], {}, 400, BAD_ZIP),
    ([(zipped({"a.txt": article(1)}), "feed.zip"), (article(2).encode(), "b.txt")], {}, 400,
     "feed.zip is a whole batch: upload a .zip or .jsonl on its own, or several .txt, .md or .html files without it."),
    ([(b'{"text": "a"}\nnot json\n', "feed.jsonl")], {}, 400,
     'line 2 of the .jsonl file is not JSON: write one article per line, such as {"id": "a1", "text": "..."}'),
    ([(article(1).encode(), "a.txt")], {"summary": "lots"}, 400,
     "summary length 'lots' is not usable: give a number of sentences (e.g. 5) or a percentage of the article "
     "(e.g. 20%)"),
    ([(zipped({f"a{n}.txt": article(n) for n in range(3)}), "feed.zip")], {}, 413,
     "the batch has 3 articles; the limit is 2 (NEWSDESK_MAX_JOB_ARTICLES): split it into several jobs"),
    ([(b"x" * 3000, "big.txt")], {}, 413,
     "The upload is over the limit of 2,500 bytes (NEWSDESK_MAX_JOB_BYTES): split it into several jobs."),
], ids=["empty-upload", "bad-archive", "archive-and-files", "bad-jsonl", "bad-summary", "too-many-articles",
        "too-large"])
def test_a_bad_upload_is_refused_inline_and_the_form_keeps_the_languages(make_app, install, tmp_path, files, fields,
                                                                          status, message):
    install("en_ar", "en_de", "en_ru")
    client = make_app(jobs_dir=tmp_path / "jobs", rate_limit=None, max_job_articles=2, max_job_bytes=2500).test_client()
    response = upload(client, files, targets=("de", "ru"), **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert ERROR_BOX + str(escape(message)) + "</div>" in page
    assert "Traceback" not in page
    if status != 413 or "bytes" not in message:  # a body over the limit is not read, so nothing can be kept
        assert checked_targets(page) == ["de", "ru"]
        assert f'value="{fields.get("summary", "5")}"' in page


def test_no_language_ticked_is_refused_inline(client):
    response = upload(client, [(article(1).encode(), "a.txt")], targets=())
    assert response.status_code == 400
    assert ERROR_BOX + "Choose at least one language to translate into.</div>" in response.get_data(as_text=True)


def test_a_language_no_pack_translates_into_is_refused_with_the_fix(make_app, install, tmp_path, settings):
    install("en_de")
    client = make_app(jobs_dir=tmp_path / "jobs", rate_limit=None).test_client()
    response = upload(client, [(article(1).encode(), "a.txt")], targets=("de", "ru"))
    assert response.status_code == 503
    message = ("no installed language pack translates into ru: put the packs (for English articles, "
               f"translate-en_ru-*.argosmodel) in {settings.langpacks_dir}/ and run `newsdesk langpacks install`, "
               "or drop those targets")
    assert ERROR_BOX + str(escape(message)) + "</div>" in response.get_data(as_text=True)


def test_a_full_job_store_is_refused_inline_with_503(make_app, install, tmp_path):
    install("en_de")
    client = make_app(jobs_dir=tmp_path / "jobs", rate_limit=None, jobs_max_memory=3_000_000).test_client()
    feed = zipped({f"a{n}.txt": "Dock workers struck. " * 3000 for n in range(20)})
    response = upload(client, [(feed, "feed.zip")], targets=("de",))
    assert response.status_code == 503
    assert ERROR_BOX + ("the job store is full (NEWSDESK_JOBS_MAX_MEMORY); nothing stored is removed to make room: "
                        "fetch the results of finished jobs, cancel jobs no longer wanted, or raise the limit, then "
                        "send again</div>") in response.get_data(as_text=True)
    assert checked_targets(response.get_data(as_text=True)) == ["de"]


def test_over_the_rate_limit_the_form_says_so_and_keeps_the_languages(make_app, install, tmp_path):
    install("en_de", "en_ru")
    client = make_app(jobs_dir=tmp_path / "jobs", rate_limit="1/minute").test_client()
    assert upload(client, [], targets=("ru",)).status_code == 400  # counts, like every POST
    response = upload(client, [], targets=("ru",))
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and response.headers["Retry-After"]
    assert (ERROR_BOX + "Too many requests: the limit is 1 per 1 minute. Wait a moment (the Retry-After header says "
            "how long), then send again.</div>") in page
    assert checked_targets(page) == ["ru"]


def test_a_form_sent_from_another_site_is_refused_with_403(client):
    response = client.post("/batch", data={"target": "de"}, headers={"Origin": "https://evil.example"})
    page = response.get_data(as_text=True)
    assert response.status_code == 403
    assert ("This form was sent from another page (https://evil.example), not from http://localhost, so it was "
            "refused") in page
    job_id = submitted(upload(client, [(article(1).encode(), "a.txt")], targets=("de",)))
    cancel = client.post(f"/batch/{job_id}/cancel", headers={"Referer": "https://evil.example/page"})
    assert cancel.status_code == 403


def test_an_unknown_job_is_404_inline_and_as_json(client):
    message = ("there is no job {!r}: it was never submitted (by this API key), or its results were removed after "
               "NEWSDESK_JOB_RESULT_TTL seconds")
    page = client.get("/batch/0123456789abcdef0123456789abcdef")
    assert page.status_code == 404
    assert ('<div class="error" role="alert" id="error"><strong>Could not show the job.</strong> '
            + str(escape(message.format("0123456789abcdef0123456789abcdef")))) in page.get_data(as_text=True)
    status = client.get("/batch/nope/status")
    assert (status.status_code, status.get_json()) == (404, {"error": message.format("nope")})
    assert client.get("/batch/nope/result.zip").status_code == 404


# --- this browser's jobs, and keys ------------------------------------------------------

def test_the_recent_jobs_list_shows_this_browser_s_jobs_newest_first(app, client):
    first = submitted(upload(client, [(article(1).encode(), "a.txt")], targets=("de",)))
    second = submitted(upload(client, [(zipped({"b.txt": article(2), "c.txt": article(3)}), "b.zip")]))
    for job_id in (first, second):
        wait_until_over(client, job_id)
    page = client.get("/batch").get_data(as_text=True)
    assert page.index(f'<a href="/batch/{second}">Job {second[:8]}</a>') < page.index(f'<a href="/batch/{first}">')
    assert '<span class="state state-finished">Finished</span>' in page
    assert "<td>2 of 2</td>" in page and "· Arabic, German</span>" in page
    assert "No batch jobs from this browser yet." not in page
    other = app.test_client()  # another browser: its own session, no jobs
    assert "No batch jobs from this browser yet." in other.get("/batch").get_data(as_text=True)


def test_with_keys_on_the_page_needs_the_main_form_s_sign_in_and_jobs_belong_to_the_key(make_app, install, tmp_path):
    from service import keys

    install("en_de")
    app = make_app(jobs_dir=tmp_path / "jobs", api_keys=True, rate_limit=None)
    _, alice = keys.add_key(app.config["NEWSDESK"], "alice")
    _, bob = keys.add_key(app.config["NEWSDESK"], "bob")
    client = app.test_client()
    page = client.get("/batch").get_data(as_text=True)
    assert ("This service needs an API key, and this browser is not signed in: enter your key once on the "
            '<a href="/">main page</a>, then come back here.') in page
    assert 'id="batch-form"' not in page
    refused = upload(client, [(article(1).encode(), "a.txt")], targets=("de",))
    assert refused.status_code == 401 and 'id="sign-in" class="notice error" role="alert"' in refused.get_data(as_text=True)
    assert client.get("/batch/0123456789abcdef0123456789abcdef/status").status_code == 401

    signed_in = client.post("/", data={"api_key": alice, "text": article(1), "target": "de"})  # the main form
    assert signed_in.status_code == 200
    page = client.get("/batch").get_data(as_text=True)
    assert "Signed in with key alice." in page and 'id="batch-form"' in page
    job_id = submitted(upload(client, [(article(1).encode(), "a.txt")], targets=("de",)))
    assert wait_until_over(client, job_id)["status"] == "finished"
    # The owner is the key's id, as /api/v1/jobs computes it: the same key sees the job there, another does not.
    assert client.get(f"/api/v1/jobs/{job_id}", headers={"X-API-Key": alice}).status_code == 200
    assert client.get(f"/api/v1/jobs/{job_id}", headers={"X-API-Key": bob}).status_code == 404
    api_job = client.post("/api/v1/jobs", json={"articles": [article(2)], "targets": ["de"]},
                          headers={"X-API-Key": alice}).get_json()["id"]
    assert client.get(f"/batch/{api_job}/status").status_code == 200
    other = app.test_client()
    other.post("/", data={"api_key": bob, "text": article(1), "target": "de"})
    assert other.get(f"/batch/{job_id}").status_code == 404
    assert other.get(f"/batch/{job_id}/result.zip").status_code == 404


def test_the_page_s_own_files_stay_small(client):
    css, js = client.get("/static/batch.css").data, client.get("/static/batch.js").data
    assert len(css) + len(js) < 8_000


# --- in a real browser ------------------------------------------------------------------

@contextlib.contextmanager
def serving(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()


@contextlib.contextmanager
def chromium(tmp_path, **options):
    driver = make_driver(tmp_path, **options)
    try:
        yield driver
    finally:
        driver.quit()


def article_files(tmp_path) -> list[str]:
    folder = tmp_path / "upload"
    folder.mkdir(exist_ok=True)
    (folder / "monday.txt").write_text(article(1))
    (folder / "tuesday.md").write_text("# Port strike\n\n" + article(2))
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4")
    return [str(folder / name) for name in ("monday.txt", "tuesday.md", "scan.pdf")]


def submit_in_browser(driver, url: str, paths: list[str], targets=("ar", "de")) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(url + "batch")
    if paths:
        driver.find_element(By.ID, "file").send_keys("\n".join(paths))
    for box in driver.find_elements(By.NAME, "target"):
        if (box.get_attribute("value") in targets) != box.is_selected():
            box.click()
    driver.find_element(By.ID, "go").click()
    WebDriverWait(driver, 30).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "#job, #error")))


@needs_browser
def test_in_a_browser_the_job_page_follows_the_job_until_it_can_be_downloaded(make_app, install, redis_url, tmp_path):
    """No worker runs until the page shows the job queued, so the page can only learn it finished by polling."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    from service.batch import workers

    install("en_ar", "en_de", "en_ru")
    app = make_app(redis_url=redis_url, rate_limit=None)
    with serving(app) as url, chromium(tmp_path, size=(1366, 768)) as driver:
        submit_in_browser(driver, url, article_files(tmp_path))
        # The .pdf failed as it was read, so the job counts as running before any worker took an article.
        assert driver.find_element(By.ID, "job-status").text == "Running: 1 of 3 articles processed (0 done, 1 failed)."
        assert not driver.find_element(By.ID, "refresh").is_displayed()  # batch.js polls instead
        assert not driver.find_element(By.ID, "downloads").is_displayed()
        driver.execute_script("window.notReloaded = true")
        threading.Thread(target=workers.make_worker(app.config["NEWSDESK"]).work, kwargs={"burst": True},
                         daemon=True).start()
        WebDriverWait(driver, 60).until(lambda d: d.find_element(By.ID, "job").get_attribute("data-state") == "finished")
        assert driver.execute_script("return window.notReloaded") is True
        assert driver.find_element(By.ID, "job-status").text == "Finished: 3 of 3 articles processed (2 done, 1 failed)."
        bar = driver.find_element(By.ID, "job-progress")
        assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("3", "3")
        assert driver.find_element(By.ID, "failure-list").text == (
            "scan.pdf is not a readable PDF: save it again as PDF, or paste the article's text")
        assert not driver.find_element(By.ID, "cancel-form").is_displayed()
        link = driver.find_element(By.ID, "download")
        assert link.is_displayed() and link.get_attribute("href").endswith("/result.zip?files=markdown")
        with urllib.request.urlopen(link.get_attribute("href")) as response:  # keys off: no cookie needed
            names = sorted(zipfile.ZipFile(io.BytesIO(response.read())).namelist())
        assert names == ["job.json", "monday.ar.md", "monday.de.md", "monday.newsdesk.json", "tuesday.ar.md",
                         "tuesday.de.md", "tuesday.newsdesk.json"]
        # The articles' rows came in with the job, without a reload; a done one opens on the desk.
        WebDriverWait(driver, 10).until(lambda d: [cell.text for cell in d.find_elements(
            By.CSS_SELECTOR, "#articles td:nth-child(4)")] == ["Done", "Done", "Failed"])
        assert driver.execute_script("return window.notReloaded") is True
        assert policy_violations(driver) == []
        screenshot(driver, "batch.png")
        buttons = driver.find_elements(By.CSS_SELECTOR, "#articles button.open")
        assert [button.accessible_name for button in buttons] == ["Open on the desk (monday.txt)",
                                                                  "Open on the desk (tuesday.md)"]
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                               {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        assert driver.find_element(By.TAG_NAME, "body").value_of_css_property("background-color") == "rgba(20, 24, 28, 1)"
        assert driver.find_element(By.ID, "job").value_of_css_property("background-color") == "rgba(29, 35, 41, 1)"
        assert link.value_of_css_property("color") == "rgba(125, 180, 240, 1)"
        screenshot(driver, "batch-dark.png")
        driver.find_elements(By.CSS_SELECTOR, "#articles button.open")[0].click()
        WebDriverWait(driver, 10).until(lambda d: "/results/" in d.current_url)
        assert driver.find_element(By.TAG_NAME, "h1").text == "Port strike enters day 1"


@needs_browser
def test_in_a_browser_on_a_phone_the_form_and_the_jobs_fit_the_screen(live_url, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    with chromium(tmp_path, size=(390, 844)) as driver:
        submit_in_browser(driver, live_url, article_files(tmp_path), targets=("de",))
        WebDriverWait(driver, 60).until(lambda d: d.find_element(By.ID, "job").get_attribute("data-state") == "finished")
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        screenshot(driver, "batch-phone.png")
        driver.get(live_url + "batch")
        assert len(driver.find_elements(By.CSS_SELECTOR, "#recent tbody tr")) == 1
        assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
        assert policy_violations(driver) == []
        driver.execute_script("document.getElementById('recent').scrollIntoView()")
        screenshot(driver, "batch-phone-list.png")


@needs_browser
def test_without_javascript_the_job_page_refreshes_by_its_link(live_url, tmp_path):
    from selenium.webdriver.common.by import By

    with chromium(tmp_path, javascript=False) as driver:
        submit_in_browser(driver, live_url, article_files(tmp_path)[:1], targets=("de",))
        deadline = time.monotonic() + 60
        while driver.find_element(By.ID, "job").get_attribute("data-state") != "finished":
            assert time.monotonic() < deadline
            time.sleep(0.2)
            driver.find_element(By.LINK_TEXT, "Refresh").click()
        assert driver.find_element(By.ID, "job-status").text == "Finished: 1 of 1 article processed (1 done, 0 failed)."
        assert driver.find_element(By.ID, "download").is_displayed()
        screenshot(driver, "batch-nojs.png")


@needs_browser
def test_in_a_browser_an_empty_upload_shows_the_error_inline(live_url, tmp_path):
    from selenium.webdriver.common.by import By

    with chromium(tmp_path) as driver:
        submit_in_browser(driver, live_url, [], targets=("ru",))
        assert driver.find_element(By.ID, "error").text == (
            "Could not start the batch job. No file was uploaded: choose a .zip or .jsonl of articles, or several "
            ".txt, .md or .html files.")
        assert [box.get_attribute("value") for box in driver.find_elements(By.NAME, "target") if box.is_selected()] == ["ru"]
        screenshot(driver, "batch-error.png")
