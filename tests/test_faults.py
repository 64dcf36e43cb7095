"""The short, bounded form of bench/fault_bench.py: load with a hostile mix, a killed
worker and a request over its time limit, all against the real gunicorn service."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_load_kill_and_timeout_through_gunicorn():
    run = subprocess.run([sys.executable, str(REPO / "bench" / "fault_bench.py"), "--short", "--json"],
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert run.returncode == 0, run.stdout + run.stderr
    results = json.loads(run.stdout.splitlines()[-1])
    load = results["load"]
    assert load["requests"] >= 12
    assert (load["server_errors"], load["unexpected"], load["workers_restarted"]) == (0, 0, False)
    assert set(load["statuses_by_kind"]) == {"article", "huge text", "hostile html", "bad json", "unknown language",
                                             "wrong method"}
    assert load["statuses_by_kind"]["huge text"] == {"413": sum(load["statuses_by_kind"]["huge text"].values())}
    assert load["statuses_by_kind"]["bad json"] == {"400": sum(load["statuses_by_kind"]["bad json"].values())}
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
