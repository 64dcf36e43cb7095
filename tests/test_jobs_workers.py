"""A worker dies mid-job and no article is lost: with two `newsdesk worker` processes on a
real redis-server, and with the embedded default under gunicorn (two web workers, each
running jobs in a thread). Every article's result must arrive exactly once and equal
what a single /api/v1/process request gives for it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
import requests
from rq import Worker

from bench.fault_bench import Server, long_article
from bench.serve_bench import free_port
from tests.test_jobs import article

REPO = Path(__file__).resolve().parent.parent
TARGETS = ["ar", "de"]
ARTICLES = 50


def batch() -> list[dict]:
    """50 articles; the first takes seconds, so the worker holding it can be caught mid-article."""
    texts = [long_article(45)] + [article(number) for number in range(1, ARTICLES)]
    return [{"id": f"wire-{number:02d}", "text": text} for number, text in enumerate(texts)]


def holder_of(connection: redis.Redis, job_id: str, index: int, seconds: float = 60) -> Worker:
    """The RQ worker working on article ``index`` of the job, once one has begun it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not connection.hget(f"newsdesk:job:{job_id}:tries", index):
            time.sleep(0.05)
            continue
        for worker in Worker.all(connection=connection):
            if worker.get_current_job_id() == f"{job_id}-{index}":
                return worker
        time.sleep(0.05)
    raise AssertionError(f"no worker took article {index} within {seconds} s")


def wait_finished(get_status, seconds: float = 180) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        report = get_status()
        if report["status"] == "finished" or time.monotonic() > deadline:
            return report
        time.sleep(0.2)


def check_exactly_once(lines: list[dict], singles: list[dict], killed_index: int) -> None:
    assert [line["index"] for line in lines] == list(range(ARTICLES))  # each article once, in order
    assert {line["status"] for line in lines} == {"done"}
    for line, single in zip(lines, singles):
        del line["result"]["timings"]
        assert line["result"] == single, line["name"]
    tries = {line["index"]: line["tries"] for line in lines}
    assert tries.pop(killed_index) == 2  # started by the killed worker, then retried once
    assert set(tries.values()) == {1}


def test_two_workers_one_killed_mid_job_lose_no_article(redis_url, make_app, install, settings, tmp_path):
    install("en_ar", "en_de")
    web = make_app(redis_url=redis_url, rate_limit=None).test_client()  # a stateless web node: it only queues
    articles = batch()
    environment = {**os.environ, "NEWSDESK_REDIS_URL": redis_url, "NEWSDESK_PACKAGES_DIR": str(settings.packages_dir),
                   "NEWSDESK_JOB_CLAIM_SECONDS": "2", "NEWSDESK_CACHE_SENTENCES": "0"}
    workers = {name: subprocess.Popen([sys.executable, "-m", "service.cli", "worker", "--name", name], cwd=REPO,
                                      env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
               for name in ("worker-1", "worker-2")}
    try:
        response = web.post("/api/v1/jobs", json={"articles": articles, "targets": TARGETS})
        assert response.status_code == 202
        job_id = response.get_json()["id"]
        holder = holder_of(redis.Redis.from_url(redis_url), job_id, 0)
        workers[holder.name].send_signal(signal.SIGKILL)
        report = wait_finished(lambda: web.get(f"/api/v1/jobs/{job_id}").get_json())
        assert (report["status"], report["progress"], report["errors"]) == (
            "finished", {"done": ARTICLES, "failed": 0, "total": ARTICLES}, [])
        assert report["retried"] == [{"index": 0, "name": "wire-00", "tries": 2}]
        lines = [json.loads(line) for line in web.get(f"/api/v1/jobs/{job_id}/result").data.splitlines()]
        single = make_app(rate_limit=None).test_client()  # no shared cache: every article translated afresh
        singles = []
        for item in articles:
            data = single.post("/api/v1/process", json={"text": item["text"], "targets": TARGETS}).get_json()
            del data["timings"]
            singles.append(data)
        check_exactly_once(lines, singles, killed_index=0)
        survivor = next(process for name, process in workers.items() if name != holder.name)
        assert survivor.poll() is None
        survivor.send_signal(signal.SIGTERM)  # a warm stop: it finishes nothing half-way
        assert survivor.wait(30) == 0
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.kill()
            process.wait()


def redis_server(port: int, folder: Path) -> subprocess.Popen:
    """A durable redis-server of this test's own (AOF, fsync always), answering on ``port``."""
    server = shutil.which("redis-server")
    if server is None:
        if os.environ.get("NEWSDESK_REQUIRE_REDIS") == "1":
            pytest.fail("redis-server is not installed (`make test` installs it as root)")
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    process = subprocess.Popen([server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "yes",
                                "--appendfsync", "always", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    client = redis.Redis(port=port, socket_connect_timeout=1)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return process
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)


def test_a_worker_rides_out_a_redis_restart_and_its_article_is_retried_not_lost(make_app, install, settings,
                                                                                   tmp_path):
    install("en_ar", "en_de", "en_ru")  # /ready wants the default targets' packs
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    server = redis_server(port, tmp_path)
    web = make_app(redis_url=url, rate_limit=None).test_client()
    log_file = (tmp_path / "worker.log").open("w+")
    environment = {**os.environ, "NEWSDESK_REDIS_URL": url, "NEWSDESK_PACKAGES_DIR": str(settings.packages_dir),
                   "NEWSDESK_JOB_CLAIM_SECONDS": "2", "NEWSDESK_CACHE_SENTENCES": "0"}
    worker = subprocess.Popen([sys.executable, "-m", "service.cli", "worker", "--name", "steady"], cwd=REPO,
                              env=environment, stdout=subprocess.DEVNULL, stderr=log_file)
    try:
        articles = [{"id": "wire-00", "text": long_article(45)}, {"id": "wire-01", "text": article(1)}]
        response = web.post("/api/v1/jobs", json={"articles": articles, "targets": ["de"]})
        assert response.status_code == 202
        job_id = response.get_json()["id"]
        holder_of(redis.Redis.from_url(url), job_id, 0)
        server.kill()  # under the article in flight
        server.wait()
        down = web.get("/ready")
        assert down.status_code == 503
        assert down.get_json()["queue"] == "down"
        assert down.get_json()["error"].startswith(f"the job queue ({url}) does not answer (")
        time.sleep(6)
        assert worker.poll() is None  # it waits for Redis; RQ alone would have quit
        server = redis_server(port, tmp_path)  # back, with the jobs it had on disk
        report = wait_finished(lambda: web.get(f"/api/v1/jobs/{job_id}").get_json(), seconds=120)
        assert (report["status"], report["progress"], report["errors"]) == (
            "finished", {"done": 2, "failed": 0, "total": 2}, [])
        assert report["retried"] == [{"index": 0, "name": "wire-00", "tries": 2}]  # given back, not lost
        assert web.get("/ready").status_code == 200
        assert worker.poll() is None
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(30) == 0
        log_file.seek(0)
        said = log_file.read()
        waits = said.count("does not answer for")
        assert 1 <= waits <= 3, said  # once a few seconds, not once a try
        assert "the job queue's Redis answers again after" in said
        assert "found an unhandled exception" in said  # RQ's own quitting, which the worker now rides out
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.wait()
        server.kill()
        server.wait()


def test_the_embedded_default_under_gunicorn_loses_no_article_when_a_web_worker_dies(tmp_path):
    from bench.fault_bench import build_packs

    packages, drop_in = build_packs(tmp_path / "packs")
    jobs_dir = tmp_path / "jobs"
    articles = batch()
    with Server(packages, drop_in, NEWSDESK_WORKERS="2", NEWSDESK_JOBS_DIR=str(jobs_dir),
                NEWSDESK_JOB_CLAIM_SECONDS="2", NEWSDESK_CACHE_SENTENCES="0") as server:
        response = requests.post(f"{server.base}/api/v1/jobs", json={"articles": articles, "targets": TARGETS},
                                 timeout=60)
        assert response.status_code == 202, response.text
        job_id = response.json()["id"]
        embedded = redis.Redis.from_url((jobs_dir / "redis.url").read_text().strip())
        holder = holder_of(embedded, job_id, 0)
        assert holder.pid in server.workers()  # the article runs inside a gunicorn worker
        os.kill(holder.pid, signal.SIGKILL)
        report = wait_finished(lambda: requests.get(f"{server.base}/api/v1/jobs/{job_id}", timeout=30).json())
        assert (report["status"], report["progress"], report["errors"]) == (
            "finished", {"done": ARTICLES, "failed": 0, "total": ARTICLES}, [])
        assert report["retried"] == [{"index": 0, "name": "wire-00", "tries": 2}]
        assert holder.pid not in server.workers() and len(server.workers()) == 2  # the master replaced it
        lines = [json.loads(line) for line in
                 requests.get(f"{server.base}/api/v1/jobs/{job_id}/result", timeout=60).text.splitlines()]
        singles = []
        for item in articles:
            data = requests.post(f"{server.base}/api/v1/process", json={"text": item["text"], "targets": TARGETS},
                                 timeout=120).json()
            del data["timings"]
            singles.append(data)
        check_exactly_once(lines, singles, killed_index=0)
