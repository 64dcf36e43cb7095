"""Nothing lost, nobody slows it down (issue 15): durable jobs, bounded work and storage,
archives read member by member, and the small refusals each with its own status and words."""

from __future__ import annotations

import io
import logging
import stat
import time
import zipfile

import pytest

from service.batch import jobs
from service.stores import redis_server
from tests.test_jobs import article, wait_until_done

TARGETS = ["de"]


@pytest.fixture
def app(make_app, install, tmp_path):
    install("en_de")
    return make_app(jobs_dir=tmp_path / "jobs", job_claim_seconds=2, rate_limit=None)


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(client, data: bytes, name: str = "feed.zip", **fields):
    return client.post("/api/v1/jobs", data={"file": (io.BytesIO(data), name), "targets": "de", **fields},
                       content_type="multipart/form-data")


# --- 1. durable jobs ---------------------------------------------------------------

def test_the_embedded_redis_writes_every_job_to_its_append_only_file_before_answering(client, tmp_path):
    import redis

    job_id = client.post("/api/v1/jobs", json={"articles": [article(1)], "targets": TARGETS}).get_json()["id"]
    server = redis.Redis.from_url((tmp_path / "jobs" / "redis.url").read_text().strip())
    config = server.config_get("appendonly") | server.config_get("appendfsync") | server.config_get("maxmemory-policy")
    assert config == {"appendonly": "yes", "appendfsync": "always", "maxmemory-policy": "noeviction"}
    assert server.config_get("maxmemory") == {"maxmemory": "2000000000"}
    aof = tmp_path / "jobs" / "appendonlydir"
    assert any(job_id.encode() in path.read_bytes() for path in aof.glob("*.aof"))  # on disk, not only in memory
    assert wait_until_done(client, job_id)["status"] == "finished"


def test_jobs_kept_in_an_older_version_s_snapshot_are_read_and_then_kept_in_the_append_only_file(tmp_path, redis_url):
    """A jobs folder from before the append-only file holds jobs.rdb only: its jobs stay.
    (``redis_url``: this test needs Debian's redis-server too, skipped or failed as the others.)"""
    import shutil
    import subprocess

    import redis

    folder = tmp_path / "jobs"
    folder.mkdir()
    old = subprocess.Popen([shutil.which("redis-server"), "--port", "0", "--unixsocket", str(tmp_path / "old.sock"),
                            "--dir", str(folder), "--dbfilename", "jobs.rdb", "--appendonly", "no"],
                           stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis(unix_socket_path=str(tmp_path / "old.sock"))
        for _ in range(100):
            try:
                client.set("newsdesk:job:old:meta", "kept")
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        client.save()
    finally:
        old.terminate()
        old.wait(10)
    server = redis_server._start_embedded(folder)
    try:
        connection = redis.Redis.from_url(server.url)
        assert connection.get("newsdesk:job:old:meta") == b"kept"
        assert connection.config_get("appendonly") == {"appendonly": "yes"}
        assert (folder / "appendonlydir").is_dir()
    finally:
        server.stop()


def test_job_data_and_its_folder_are_this_user_s_only(client, tmp_path):
    client.post("/api/v1/jobs", json={"articles": [article(1)], "targets": TARGETS})
    folder = tmp_path / "jobs"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    written = [path for path in folder.rglob("*") if path.is_file() and path.name.startswith(("jobs", "redis.log"))]
    assert written and {oct(stat.S_IMODE(path.stat().st_mode)) for path in written} == {oct(0o600)}


# --- 4. bounded work ---------------------------------------------------------------

def long_article(sentences: int) -> str:
    words = ["harbour", "union", "strike", "vessel", "crane", "wage", "offer", "port", "cargo", "talks"]
    return " ".join(f"The {words[n % 10]} {words[(n * 7) % 10]} number {n} moved {words[(n * 3) % 10]}."
                    for n in range(sentences))


def test_a_slow_summary_method_stops_at_the_request_deadline_with_504(make_app):
    client = make_app(rate_limit=None, request_timeout=1.0).test_client()
    started = time.monotonic()
    response = client.post("/api/v1/summarize", json={"text": long_article(2400), "method": "kl", "summary": "50%"})
    assert response.status_code == 504
    assert response.get_json()["error"] == (
        "the request ran past its time limit of 1 s (NEWSDESK_REQUEST_TIMEOUT): send a shorter article or fewer "
        "languages, or raise the limit")
    assert time.monotonic() - started < 30  # KL on 1,500 of 3,000 sentences runs for minutes unchecked


def test_a_translate_list_over_the_batch_limit_gets_libretranslate_s_400(make_app, install):
    install("en_de")
    client = make_app(rate_limit=None, batch_limit=3).test_client()
    response = client.post("/translate", json={"q": ["One.", "Two.", "Three.", "Four."], "source": "en", "target": "de"})
    assert (response.status_code, response.get_json()) == (400, {
        "error": "Invalid request: request (4) exceeds text limit (3)",
        "explanation": "q holds 4 texts; the limit is 3 per request (NEWSDESK_BATCH_LIMIT): send the rest in another "
                       "request"})
    fits = client.post("/translate", json={"q": ["One.", "Two.", "Three."], "source": "en", "target": "de"})
    assert fits.get_json() == {"translatedText": ["<de> One.", "<de> Two.", "<de> Three."]}


# --- 5. bounded storage ------------------------------------------------------------

def test_a_key_cannot_keep_more_article_bytes_than_its_share(make_app, install, tmp_path):
    install("en_de")
    text = article(1)
    client = make_app(jobs_dir=tmp_path / "jobs", rate_limit=None, max_stored_job_bytes=len(text) * 2 + 10,
                      job_claim_seconds=2).test_client()
    first = client.post("/api/v1/jobs", json={"articles": [text, text], "targets": TARGETS})
    assert first.status_code == 202
    # While the first job runs, its texts count; once finished, they are dropped and count no more.
    wait_until_done(client, first.get_json()["id"])
    again = client.post("/api/v1/jobs", json={"articles": [text, text], "targets": TARGETS})
    assert again.status_code == 202
    assert client.delete(f"/api/v1/jobs/{again.get_json()['id']}").status_code == 200
    too_big = client.post("/api/v1/jobs", json={"articles": [text, text, text], "targets": TARGETS})
    assert too_big.status_code == 413
    size = len(text.encode()) * 3
    assert too_big.get_json()["error"] == (
        f"this job's articles ({size:,} bytes) and those already kept for this API key (0 bytes) are over the limit "
        f"of {len(text) * 2 + 10:,} (NEWSDESK_MAX_STORED_JOB_BYTES): wait for running jobs to finish, or cancel "
        "some, then send again")


def test_a_cancelled_job_s_texts_are_removed_at_once(client, tmp_path):
    import redis

    job_id = client.post("/api/v1/jobs", json={"articles": [article(n) for n in range(1, 30)],
                                               "targets": TARGETS}).get_json()["id"]
    assert client.delete(f"/api/v1/jobs/{job_id}").status_code == 200
    server = redis.Redis.from_url((tmp_path / "jobs" / "redis.url").read_text().strip())
    assert not server.exists(f"newsdesk:job:{job_id}:articles")
    assert server.exists(f"newsdesk:job:{job_id}:meta")  # its status and the results made so far stay


def test_a_full_job_store_refuses_new_jobs_with_503_and_evicts_nothing(make_app, install, tmp_path):
    install("en_de")
    client = make_app(jobs_dir=tmp_path / "jobs", rate_limit=None, jobs_max_memory=3_000_000).test_client()
    kept = client.post("/api/v1/jobs", json={"articles": [article(1)], "targets": TARGETS}).get_json()["id"]
    response = client.post("/api/v1/jobs", json={"articles": ["Dock workers struck. " * 3000] * 20,
                                                 "targets": TARGETS})
    assert (response.status_code, response.get_json()) == (503, {"error": (
        "the job store is full (NEWSDESK_JOBS_MAX_MEMORY); nothing stored is removed to make room: fetch the "
        "results of finished jobs, cancel jobs no longer wanted, or raise the limit, then send again")})
    assert client.get(f"/api/v1/jobs/{kept}").status_code == 200


# --- 6. archives, member by member ------------------------------------------------

def test_an_archive_member_over_the_article_limit_is_a_failed_article_and_is_never_unpacked(make_app, install,
                                                                                            tmp_path):
    install("en_de")
    client = make_app(jobs_dir=tmp_path / "jobs", rate_limit=None, max_request_bytes=50_000).test_client()
    bomb = zipped({"huge.txt": b"a" * 5_000_000, "fine.txt": article(1).encode()})
    assert len(bomb) < 20_000
    response = upload(client, bomb)
    assert response.status_code == 202
    report = wait_until_done(client, response.get_json()["id"])
    assert report["progress"] == {"done": 1, "failed": 1, "total": 2}
    assert report["errors"] == [{"index": 0, "name": "huge.txt", "error": (
        "huge.txt: unpacks to more than 50,000 bytes, the limit for one article (NEWSDESK_MAX_REQUEST_BYTES): "
        "send it on its own or split it")}]


def test_a_member_that_lies_about_its_size_is_read_no_further_than_the_limit():
    from service.stages.archives import read_archive

    data = bytearray(zipped({"liar.txt": b"b" * 200_000}))
    # Rewrite the declared sizes (local header and central directory) to 100 bytes.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature)
        data[at + offset:at + offset + 4] = (100).to_bytes(4, "little")
    [(name, document, error)] = read_archive(bytes(data), max_bytes=None, max_article_bytes=1_000)
    assert name == "liar.txt" and document.text == ""
    assert error.startswith(("liar.txt: unpacks to more than 1,000 bytes", "liar.txt: cannot be unpacked"))


def test_members_whose_path_leaves_the_archive_are_reported_not_dropped(app, client):
    response = upload(client, zipped({"../escape.txt": article(1).encode(), "/etc/abs.txt": article(2).encode(),
                                      "ok.txt": article(3).encode()}))
    report = wait_until_done(client, response.get_json()["id"])
    assert report["progress"] == {"done": 1, "failed": 2, "total": 3}
    assert sorted(error["error"] for error in report["errors"]) == [
        "../escape.txt: its path leaves the archive (absolute, or with ..), so it was not read",
        "/etc/abs.txt: its path leaves the archive (absolute, or with ..), so it was not read"]


# --- 10. the small ones ------------------------------------------------------------

def test_json_nested_a_thousand_deep_is_a_400_not_a_500(make_app):
    client = make_app(rate_limit=None).test_client()
    response = client.post("/api/v1/summarize", data='{"text": ' + "[" * 1000 + "]" * 1000 + "}",
                           content_type="application/json")
    assert (response.status_code, response.get_json()) == (400, {"error": (
        'the JSON body nests too deeply to be read: send an object such as {"text": "...", "targets": ["de"]}')})
    assert response.headers["X-Request-Id"]


def test_json_nested_a_thousand_deep_is_a_400_with_keys_and_rate_limits_on(make_app, tmp_path):
    """The key check and the rate limiter read the body too (for LibreTranslate's api_key)."""
    client = make_app(api_keys=True, keys_db=tmp_path / "keys.sqlite3").test_client()
    response = client.post("/api/v1/summarize", data='{"text": ' + "[" * 1000 + "]" * 1000 + "}",
                           content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["error"].startswith("the JSON body nests too deeply to be read")


def test_a_form_of_too_many_parts_names_that_limit_not_the_body_size(make_app):
    client = make_app(rate_limit=None).test_client()
    response = client.post("/api/v1/summarize", data={f"field{n}": "x" for n in range(5000)},
                           content_type="multipart/form-data")
    assert (response.status_code, response.get_json()) == (413, {"error": (
        "the form has more than 1,000 fields and files: send the article in one field (text) or as JSON")})


def test_with_the_embedded_default_a_missing_pack_fails_the_article_at_once_without_tracebacks(settings, tmp_path,
                                                                                                caplog):
    """The service's own workers share one packs folder: retrying elsewhere cannot help (issue 15)."""
    from dataclasses import replace

    from service.batch import workers

    settings = replace(settings, jobs_dir=tmp_path / "jobs", job_retries=2)  # no pack installed
    connection = redis_server.connect(settings)
    job_id, _ = jobs.submit(connection, [jobs.ArticleInput("a1", article(1))],
                            jobs.JobOptions(targets=("de",), source="en"), settings)
    with caplog.at_level(logging.INFO):
        workers.make_worker(settings).work(burst=True)
    report = jobs.status(connection, job_id)
    assert (report["progress"], report["retried"]) == ({"done": 0, "failed": 1, "total": 1}, [])
    assert report["errors"][0]["error"].startswith("no en->de language pack is installed: put translate-en_de-")
    assert "Traceback" not in caplog.text


def test_an_external_redis_that_would_lose_jobs_in_a_crash_is_named_at_start(settings, redis_url, caplog):
    from dataclasses import replace

    with caplog.at_level(logging.WARNING):
        redis_server.warn_unless_durable(replace(settings, redis_url=redis_url))  # the tests' Redis: no AOF, no snapshots
    assert ("NEWSDESK_REDIS_URL's Redis keeps no append-only file (no snapshots either): a crash loses the jobs "
            "accepted since its last snapshot; set appendonly yes and appendfsync always (or everysec) there"
            ) in caplog.text


def test_an_article_its_worker_took_but_never_started_runs_again_after_one_claim(make_app, install, settings,
                                                                                 redis_url):
    """A worker killed between taking an article and starting it: RQ alone waits a minute."""
    from dataclasses import replace

    import redis as redis_client

    from service.batch import queue, workers

    install("en_de")
    settings = replace(settings, redis_url=redis_url, job_claim_seconds=2)
    connection = redis_server.connect(settings)
    job_id, _ = jobs.submit(connection, [jobs.ArticleInput("a1", article(1))],
                            jobs.JobOptions(targets=("de",), source="en"), settings)
    raw = redis_client.Redis.from_url(redis_url)
    taken = raw.lmove(f"rq:queue:{queue.QUEUE_NAME}", f"rq:queue:{queue.QUEUE_NAME}:intermediate")  # then killed
    assert taken == f"{job_id}-0".encode()
    maintainer = workers.make_worker(settings)  # what a running worker does every half claim
    maintainer.clean_registries()  # RQ notes the article
    time.sleep(2.5)  # one claim later
    maintainer.clean_registries()
    workers.make_worker(settings).work(burst=True)
    assert jobs.status(connection, job_id)["progress"] == {"done": 1, "failed": 0, "total": 1}
