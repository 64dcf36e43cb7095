"""The cores this process may use, and the lanes and threads they give each pack (issue 33)."""

from __future__ import annotations

import logging
import os
from types import SimpleNamespace

import pytest

from service import machine
from service.config import Settings
from service.errors import InvalidSetting
from service.machine import Cores, PackThreads


@pytest.mark.parametrize("cores, usable", [
    (Cores(affinity=16), 16),
    (Cores(affinity=8, quota=1.5), 1),
    (Cores(affinity=8, quota=1.99), 1),
    (Cores(affinity=8, quota=2.0), 2),
    (Cores(affinity=8, quota=0.5), 1),
    (Cores(affinity=2, quota=4.0), 2),
    (Cores(affinity=0), 1),
], ids=["affinity", "quota-1.5-down", "quota-1.99-down", "quota-whole", "quota-below-one", "affinity-fewer",
        "at-least-one"])
def test_usable_cores_are_the_affinity_or_the_quota_rounded_down(cores, usable):
    assert cores.usable == usable


@pytest.mark.parametrize("cores, workers, chosen", [
    (16, 4, PackThreads(lanes=4, threads=1)),
    (16, 1, PackThreads(lanes=16, threads=1)),
    (2, 1, PackThreads(lanes=2, threads=1)),
    (7, 2, PackThreads(lanes=3, threads=1)),
    (2, 4, PackThreads(lanes=1, threads=1)),
    (1, 0, PackThreads(lanes=1, threads=1)),
], ids=["16-cores-4-workers", "16-cores-1-worker", "2-cores", "odd-share", "more-workers-than-cores", "no-workers"])
def test_a_lane_per_core_shared_out_between_the_workers(cores, workers, chosen):
    assert machine.pack_threads(cores=cores, workers=workers) == chosen


@pytest.mark.parametrize("text, quota", [
    ("max 100000\n", None),
    ("max\n", None),
    ("150000 100000\n", 1.5),
    ("200000 100000\n", 2.0),
    ("50000\n", 0.5),
    ("0 100000\n", None),
    ("lots 100000\n", None),
    ("", None),
    (None, None),
], ids=["max", "max-alone", "one-and-a-half", "two", "quota-alone", "zero", "garbage", "empty", "unread"])
def test_cgroup_v2_cpu_max(text, quota):
    assert machine.quota_from_cpu_max(text) == quota


@pytest.mark.parametrize("quota_us, period_us, quota", [
    ("-1\n", "100000\n", None),
    ("150000\n", "100000\n", 1.5),
    ("50000", "100000", 0.5),
    ("150000", None, None),
    (None, "100000", None),
    ("x", "100000", None),
    ("150000", "0", None),
], ids=["no-quota", "one-and-a-half", "half", "no-period", "no-quota-file", "garbage", "zero-period"])
def test_cgroup_v1_cfs_quota_and_period(quota_us, period_us, quota):
    assert machine.quota_from_cfs(quota_us, period_us) == quota


HYBRID = "9:name=systemd:/\n4:memory:/process_api/be22\n2:cpuacct:/\n1:cpu:/\n0::/\n"


@pytest.mark.parametrize("text, cgroups", [
    ("0::/user.slice/session-1.scope\n", {"": "/user.slice/session-1.scope"}),
    ("4:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n",
     {"cpu": "/docker/abc", "cpuacct": "/docker/abc", "memory": "/docker/abc"}),
    (HYBRID, {"name=systemd": "/", "memory": "/process_api/be22", "cpuacct": "/", "cpu": "/", "": "/"}),
    ("", {}),
    (None, {}),
], ids=["v2", "v1", "hybrid", "empty", "unread"])
def test_own_cgroups_from_proc_self_cgroup(text, cgroups):
    assert machine.own_cgroups(text) == cgroups


def test_ancestors_run_up_to_the_root():
    assert machine.ancestors("/kubepods/pod1/c1") == ["/kubepods/pod1/c1", "/kubepods/pod1", "/kubepods", "/"]
    assert machine.ancestors("/") == ["/"]


# Each case: the files under a made-up root (a folder where a file should be cannot be read), and the quota found.
V2 = {"proc/self/cgroup": "0::/app.slice/newsdesk.service\n"}
V1 = {"proc/self/cgroup": "4:cpu,cpuacct:/docker/abc\n"}
QUOTA_CASES = [
    ({**V2, "sys/fs/cgroup/app.slice/newsdesk.service/cpu.max": "150000 100000\n",
      "sys/fs/cgroup/cpu.max": "max 100000\n"}, 1.5),
    ({**V2, "sys/fs/cgroup/app.slice/newsdesk.service/cpu.max": "max 100000\n",
      "sys/fs/cgroup/app.slice/cpu.max": "100000 100000\n"}, 1.0),
    ({"proc/self/cgroup": "0::/kubepods/pod1/c1\n", "sys/fs/cgroup/cpu.max": "200000 100000\n"}, 2.0),
    ({**V2, "sys/fs/cgroup/app.slice/newsdesk.service/cpu.max": "max 100000\n"}, None),
    ({**V1, "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us": "150000\n",
      "sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us": "100000\n"}, 1.5),
    ({**V1, "sys/fs/cgroup/cpu/docker/abc/cpu.cfs_quota_us": "300000\n",
      "sys/fs/cgroup/cpu/docker/abc/cpu.cfs_period_us": "100000\n"}, 3.0),
    ({**V1, "sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n", "sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n"}, None),
    ({"proc/self/cgroup": HYBRID, "sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n",
      "sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n"}, None),
    ({**V2, "sys/fs/cgroup/app.slice/newsdesk.service/cpu.max/": None}, None),
    ({**V2, "sys/fs/cgroup/app.slice/newsdesk.service/cpu.max": "\xff\xfe"}, None),
    ({**V1, "sys/fs/cgroup/cpu/cpu.cfs_quota_us": "150000\n"}, None),
    ({"sys/fs/cgroup/cpu.max": "150000 100000\n"}, None),
    ({}, None),
]


@pytest.mark.parametrize("files, quota", QUOTA_CASES, ids=[
    "v2-own", "v2-parent-tighter", "v2-container-mount-root", "v2-max", "v1-container-mount-root", "v1-own",
    "v1-no-quota", "hybrid-no-quota", "v2-unreadable", "v2-not-text", "v1-no-period", "no-proc-self-cgroup",
    "nothing"])
def test_read_quota_finds_the_tightest_quota_of_the_process_cgroup(tmp_path, files, quota):
    for name, text in files.items():
        path = tmp_path / name
        if text is None:
            path.mkdir(parents=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("latin-1"))
    assert machine.read_quota(tmp_path) == quota


def test_read_cores_reads_this_process_affinity_and_quota():
    assert machine.read_cores() == Cores(affinity=len(os.sched_getaffinity(0)), quota=machine.read_quota())


@pytest.mark.parametrize("environ, overrides, workers, cores, lanes_threads", [
    ({}, {}, 4, Cores(affinity=16), (4, 1)),
    ({}, {}, 1, Cores(affinity=8, quota=1.5), (1, 1)),
    ({}, {}, 1, Cores(affinity=2), (2, 1)),
    ({}, {"inter_threads": None}, 2, Cores(affinity=8), (4, 1)),
    ({"NEWSDESK_INTER_THREADS": "6"}, {}, 4, Cores(affinity=16), (6, 1)),
    ({"NEWSDESK_INTRA_THREADS": "2"}, {}, 1, Cores(affinity=8, quota=1.5), (1, 2)),
    ({"NEWSDESK_INTER_THREADS": "6"}, {"inter_threads": 3, "intra_threads": 0}, 1, Cores(affinity=2), (3, 0)),
], ids=["16-cores-4-workers", "quota-1.5", "2-cores", "none-override-is-unset", "inter-set", "intra-set",
        "overrides-win"])
def test_settings_take_lanes_and_threads_from_the_cores_unless_set(environ, overrides, workers, cores, lanes_threads):
    settings = Settings.load(environ=environ, overrides=overrides, workers=workers, cores=cores)
    assert (settings.inter_threads, settings.intra_threads) == lanes_threads


def test_with_both_set_the_machine_is_not_read(monkeypatch):
    def unread():
        raise AssertionError("the machine was read")

    monkeypatch.setattr(machine, "read_cores", unread)
    settings = Settings.load(environ={"NEWSDESK_INTER_THREADS": "3", "NEWSDESK_INTRA_THREADS": "1"})
    assert (settings.inter_threads, settings.intra_threads) == (3, 1)


def test_unset_lanes_come_from_this_machine_for_one_process(monkeypatch):
    monkeypatch.setattr(machine, "read_cores", lambda: Cores(affinity=8, quota=2.5))
    settings = Settings.load(environ={"NEWSDESK_WORKERS": "4"})  # the command line: gunicorn's workers do not count
    assert (settings.inter_threads, settings.intra_threads) == (2, 1)


@pytest.mark.parametrize("environ, workers", [({}, 1), ({"NEWSDESK_WORKERS": "4"}, 4), ({"NEWSDESK_WORKERS": " 2 "}, 2)],
                         ids=["unset", "four", "spaces"])
def test_gunicorn_workers(environ, workers):
    assert machine.gunicorn_workers(environ) == workers


def test_gunicorn_workers_must_be_a_whole_number():
    with pytest.raises(InvalidSetting) as caught:
        machine.gunicorn_workers({"NEWSDESK_WORKERS": "four"})
    assert str(caught.value) == "NEWSDESK_WORKERS='four': must be a whole number"


@pytest.mark.parametrize("cores, workers, lanes, threads, line", [
    (Cores(affinity=2), 1, 2, 1,
     "cores usable: 2 (affinity 2, cgroup quota none); 1 worker; per pack 2 lanes × 1 thread"),
    (Cores(affinity=8, quota=1.5), 1, 1, 1,
     "cores usable: 1 (affinity 8, cgroup quota 1.5 CPUs); 1 worker; per pack 1 lane × 1 thread"),
    (Cores(affinity=16), 4, 4, 1,
     "cores usable: 16 (affinity 16, cgroup quota none); 4 workers; per pack 4 lanes × 1 thread"),
    (Cores(affinity=16), 4, 8, 1,
     "cores usable: 16 (affinity 16, cgroup quota none); 4 workers; per pack 8 lanes × 1 thread "
     "(the cores alone would give 4 lanes × 1 thread)"),
    (Cores(affinity=4, quota=2.0), 1, 2, 2,
     "cores usable: 2 (affinity 4, cgroup quota 2 CPUs); 1 worker; per pack 2 lanes × 2 threads "
     "(the cores alone would give 2 lanes × 1 thread)"),
], ids=["two-cores", "quota", "four-workers", "inter-set", "intra-set"])
def test_the_start_up_line(cores, workers, lanes, threads, line):
    assert machine.startup_line(cores=cores, workers=workers, lanes=lanes, threads=threads) == line


def test_gunicorn_logs_the_start_up_line_when_ready(make_app, monkeypatch):
    from service.http import gunicorn_conf

    monkeypatch.setattr(machine, "read_cores", lambda: Cores(affinity=16))
    monkeypatch.setenv("NEWSDESK_WORKERS", "4")
    app = make_app(redis_url="redis://127.0.0.1:9/0")  # given: no embedded Redis is started
    logged = []
    server = SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app), cfg=SimpleNamespace(workers=4),
                             log=SimpleNamespace(info=lambda message, *args: logged.append(message % args)))
    gunicorn_conf.when_ready(server)
    assert logged == ["cores usable: 16 (affinity 16, cgroup quota none); 4 workers; per pack 4 lanes × 1 thread"]


def test_newsdesk_worker_logs_the_start_up_line_for_itself_alone(monkeypatch, tmp_path, caplog, capsys):
    from service.cli import main

    monkeypatch.setattr(machine, "read_cores", lambda: Cores(affinity=16))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setenv("NEWSDESK_WORKERS", "4")  # gunicorn's: not this process's
    monkeypatch.setenv("NEWSDESK_REDIS_URL", "redis://127.0.0.1:9/0")
    caplog.set_level(logging.INFO)
    assert main(["worker", "--burst"]) == 1  # its Redis does not answer: after the line
    assert [record.getMessage() for record in caplog.records if record.name == "service.cli.jobs"] == [
        "cores usable: 16 (affinity 16, cgroup quota none); 1 worker; per pack 16 lanes × 1 thread"]
    assert capsys.readouterr().err.startswith("error: the job queue (redis://127.0.0.1:9/0) does not answer (")
