"""The short, bounded form of bench/fault_bench.py, all against the real gunicorn service: load
with a hostile mix, a killed worker, a request over its time limit, a SIGKILL of everything
mid-job, slow clients, made-up API keys against the rate limit, and a zip bomb."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def short_run() -> tuple[int, str, dict]:
    """One run of the short form: (exit code, output, its JSON line)."""
    run = subprocess.run([sys.executable, str(REPO / "bench" / "fault_bench.py"), "--short", "--json"],
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    lines = run.stdout.splitlines()
    if not lines or not lines[-1].startswith("{"):
        pytest.fail(f"the bench printed no results:\n{run.stdout}{run.stderr}")
    return run.returncode, run.stdout + run.stderr, json.loads(lines[-1])


def test_the_short_run_meets_every_expectation(short_run):
    returncode, output, _ = short_run
    assert returncode == 0, output


def test_load_kill_and_timeout_through_gunicorn(short_run):
    results = short_run[2]
    load = results["load"]
    assert load["requests"] >= 12
    assert (load["server_errors"], load["unexpected"], load["workers_restarted"]) == (0, 0, False)
    assert set(load["statuses_by_kind"]) == {"article", "huge text", "hostile html", "bad json", "unknown language",
                                             "wrong method", "docx article", "pdf stream bomb", "pdf of tiny ops",
                                             "docx utf-16 xxe"}
    for kind, status in (("huge text", "413"), ("bad json", "400"), ("docx article", "200"), ("pdf stream bomb", "413"),
                         ("pdf of tiny ops", "413"), ("docx utf-16 xxe", "400")):
        assert load["statuses_by_kind"][kind] == {status: sum(load["statuses_by_kind"][kind].values())}, kind
    # The hostile documents are read in fenced children (issue 31): the workers stay their size.
    assert max(end - start for start, end in zip(load["rss_start_mb"], load["rss_end_mb"])) <= 64
    killed = results["kill"]
    assert killed["killed_request_status"] == 0  # the connection was cut mid-request
    assert killed["next_request_status"] == 200
    assert killed["old_worker"] not in killed["new_workers"] and killed["master_alive"]
    timed = results["timeout"]
    assert timed["status"] == 504
    assert timed["error"] == ("the request ran past its time limit of 0.5 s (NEWSDESK_REQUEST_TIMEOUT): send a shorter "
                              "article or fewer languages, or raise the limit")
    assert timed["seconds"] < 20  # answered, not left hanging until gunicorn's 120 s timeout
    assert (timed["next_request_status"], timed["same_worker"]) == (200, True)


def test_a_sigkill_of_master_workers_and_redis_mid_job_loses_no_article(short_run):
    crashed = short_run[2]["crash"]["half_way"]
    assert (crashed["articles"], crashed["submit_status"], crashed["survivors"]) == (10, 202, [])
    at_kill = crashed["at_kill"]
    assert at_kill["stored"] and at_kill["done"] >= 5  # on disk: the job, and every result finished before the kill
    assert (crashed["status"], crashed["progress"]) == ("finished", {"done": 10, "failed": 0, "total": 10})
    assert (crashed["lost"], crashed["duplicates"]) == (0, 0)
    assert (crashed["rerun_not_in_flight"], crashed["finished_redone_seconds"]) == ([], 0)
    assert len(crashed["rerun"]) <= 2  # at most one article per worker was in flight
    # Each article in flight at the kill is tried again; with the bench's 2 s claim, a restarting
    # worker on a loaded machine may miss a renewal and the article be taken once more (done once:
    # no duplicates above), so a third try is allowed.
    assert [(item["index"], item["name"]) for item in crashed["retried"]] == [
        (index, f"wire-{index:02d}") for index in crashed["rerun"]]
    assert all(2 <= item["tries"] <= 3 for item in crashed["retried"]), crashed["retried"]


def test_clients_sending_one_byte_a_second_do_not_hold_up_health(short_run):
    dripped = short_run[2]["slow"]["procfile"]
    assert (dripped["probes"], dripped["timeouts"]) == (10, 0)
    assert dripped["max_s"] < 2


def test_made_up_api_keys_share_one_rate_limit_across_both_workers(short_run):
    limited = short_run[2]["keys"]
    assert (limited["requests"], limited["allowed"], limited["limited"], limited["other"]) == (30, 10, 20, 0)
    assert sum(counts.get("200", 0) for counts in limited["by_worker"].values()) == 10
    # Which worker takes a request is the kernel's choice; when both answered, one of them refused
    # before it had let 10 through itself: the count was shared.
    assert limited["counted_together"] or len(limited["by_worker"]) == 1


def test_a_zip_bomb_fails_its_article_without_being_unpacked(short_run):
    bomb = short_run[2]["zipbomb"]
    assert bomb["zip_kb"] < 250 and bomb["member_mb"] == 190
    assert (bomb["status"], bomb["job_status"], bomb["progress"]) == (202, "finished",
                                                                      {"done": 0, "failed": 1, "total": 1})
    assert bomb["error"] == ("wire/bomb.txt: unpacks to more than 2,000,000 bytes, the limit for one article "
                             "(NEWSDESK_MAX_REQUEST_BYTES): send it on its own or split it")
    assert bomb["rss_growth_mb"] < 40 and bomb["hwm_growth_mb"] < 40  # against 190 MB unpacked
