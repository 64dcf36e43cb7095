"""Find the cores this process may use, and the CTranslate2 lanes and threads they give a pack.

``os.cpu_count()`` counts the machine's cores, not this process's: a container limited to one
CPU on a 16-core host sees 16 (issue 33). What the process may use is the smaller of its CPU
affinity (the cores the scheduler lets it run on, ``os.sched_getaffinity``) and its cgroup's CPU
quota (cgroup v2 ``cpu.max``, v1 ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us``). Everything here
is a pure function of what was read, but ``read_cores``, which reads this machine.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import InvalidSetting

WORKERS_VARIABLE = "NEWSDESK_WORKERS"
# gunicorn's workers without NEWSDESK_WORKERS: one worker whose packs get a lane per core, so
# that every request meets the others in one batcher per pack (docs/operations.md).
DEFAULT_WORKERS = 1
# Processes that share the cores outside gunicorn: the command line, `newsdesk worker`, the
# development server and the tests each have them to themselves.
ALONE = 1
# CTranslate2 threads per lane. One: on 2 cores a replica per core with one thread each served
# concurrent requests best; two threads per replica make one request faster but a loaded server
# slower (docs/benchmarks.md, "Settings, from one sweep"; issue 18).
THREADS_PER_LANE = 1
# The kernel's CFS period when cpu.max gives only a quota (cgroup v2's default).
DEFAULT_PERIOD_US = 100_000
ROOT = Path("/")


@dataclass(frozen=True)
class Cores:
    """The cores this process may run on and its cgroup's CPU quota (in CPUs; None: no quota)."""

    affinity: int
    quota: float | None = None

    @property
    def usable(self) -> int:
        """Whole cores to plan for: the affinity, or the quota rounded down when that is fewer; at least 1.

        Down, not to the nearest: a lane is a CTranslate2 thread that runs flat out while its
        batch decodes, and threads that use more than the quota are throttled by the kernel all
        together until the next period (100 ms), stalling every batch in flight. With 1.5 CPUs
        one lane keeps within the quota and leaves the half core to the request threads, the
        embedded Redis and the cleaning (Go's automaxprocs rounds down for the same reason).
        """
        if self.quota is None:
            return max(1, self.affinity)
        return max(1, min(self.affinity, math.floor(self.quota)))


@dataclass(frozen=True)
class PackThreads:
    """How a pack is loaded: ``lanes`` CTranslate2 replicas (batches decoded at once), ``threads`` each."""

    lanes: int
    threads: int


def pack_threads(*, cores: int, workers: int) -> PackThreads:
    """A lane per usable core, the cores shared out between the workers (each at least 1)."""
    return PackThreads(lanes=max(1, cores // max(1, workers)), threads=THREADS_PER_LANE)


def quota_from_cpu_max(text: str | None) -> float | None:
    """The CPUs a cgroup v2 ``cpu.max`` allows ("150000 100000": 1.5); None for "max" or what is not a quota."""
    fields = (text or "").split()
    if not fields or fields[0] == "max":
        return None
    return _quota(fields[0], fields[1] if len(fields) > 1 else str(DEFAULT_PERIOD_US))


def quota_from_cfs(quota_us: str | None, period_us: str | None) -> float | None:
    """The CPUs cgroup v1's ``cpu.cfs_quota_us`` and ``cpu.cfs_period_us`` allow; None for -1 (no quota)."""
    if quota_us is None or period_us is None:
        return None
    return _quota(quota_us.strip(), period_us.strip())


def _quota(quota_us: str, period_us: str) -> float | None:
    try:
        quota, period = int(quota_us), int(period_us)
    except ValueError:
        return None
    return quota / period if quota > 0 and period > 0 else None


def own_cgroups(proc_self_cgroup: str | None) -> dict[str, str]:
    """The cgroup of each hierarchy in ``/proc/self/cgroup``: v1 controllers by name ("cpu"), v2 as ""."""
    found = {}
    for line in (proc_self_cgroup or "").splitlines():
        _number, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if not path.startswith("/"):
            continue
        for controller in controllers.split(",") if controllers else [""]:
            found[controller] = path
    return found


def ancestors(path: str) -> list[str]:
    """``path`` and each cgroup above it, up to the root: "/a/b" gives "/a/b", "/a", "/"."""
    parts = [part for part in path.split("/") if part]
    return ["/" + "/".join(parts[:end]) for end in range(len(parts), -1, -1)]


def tightest(quotas: Iterable[float | None]) -> float | None:
    """The smallest of the quotas found (None: none was)."""
    return min((quota for quota in quotas if quota is not None), default=None)


def gunicorn_workers(environ: Mapping[str, str]) -> int:
    """gunicorn's workers: NEWSDESK_WORKERS, DEFAULT_WORKERS when it is not set."""
    text = environ.get(WORKERS_VARIABLE, str(DEFAULT_WORKERS)).strip()
    try:
        return int(text)
    except ValueError:
        raise InvalidSetting(f"{WORKERS_VARIABLE}={text!r}: must be a whole number") from None


def startup_line(*, cores: Cores, workers: int, lanes: int, threads: int) -> str:
    """The start-up log line: the cores found, the workers, and each pack's lanes and threads."""
    quota = "none" if cores.quota is None else f"{cores.quota:g} CPUs"
    line = (f"cores usable: {cores.usable} (affinity {cores.affinity}, cgroup quota {quota}); "
            f"{_count(workers, 'worker')}; per pack {_lanes_by_threads(lanes, threads)}")
    chosen = pack_threads(cores=cores.usable, workers=workers)
    if (lanes, threads) != (chosen.lanes, chosen.threads):  # NEWSDESK_INTER_THREADS or _INTRA_THREADS is set
        line += f" (the cores alone would give {_lanes_by_threads(chosen.lanes, chosen.threads)})"
    return line


def _lanes_by_threads(lanes: int, threads: int) -> str:
    return f"{_count(lanes, 'lane')} × {_count(threads, 'thread')}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def read_quota(root: Path = ROOT) -> float | None:
    """This process's cgroup CPU quota in CPUs, the tightest of its cgroup's and those above it
    (cgroup v2, then v1's cpu controller); None when there is none, or none can be read.

    Each cgroup's folder is found from the path /proc/self/cgroup gives it; in a container that
    path may name the host's hierarchy, which is not mounted there, and then the mount's root
    (the container's own cgroup) is the ancestor that answers.
    """
    cgroups = own_cgroups(_read(root / "proc/self/cgroup"))
    quotas = []
    if "" in cgroups:
        quotas += [quota_from_cpu_max(_read(_cgroup_folder(root, "", path) / "cpu.max"))
                   for path in ancestors(cgroups[""])]
    if "cpu" in cgroups:
        # Mounted as cpu, or as cpu,cpuacct (with cpu a link to it on most systems).
        folders = [_cgroup_folder(root, mount, path) for mount in ("cpu", "cpu,cpuacct")
                   for path in ancestors(cgroups["cpu"])]
        quotas += [quota_from_cfs(_read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us"))
                   for folder in folders]
    return tightest(quotas)


def _cgroup_folder(root: Path, mount: str, path: str) -> Path:
    return root / "sys/fs/cgroup" / mount / path.lstrip("/")


def _read(path: Path) -> str | None:
    """A kernel file's text; None when it is missing or cannot be read (no cgroup, another system)."""
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None


def read_cores() -> Cores:
    """The cores this process may use on this machine: its affinity and its cgroup's quota."""
    if hasattr(os, "sched_getaffinity"):
        affinity = len(os.sched_getaffinity(0))
    else:  # macOS and Windows have no affinity call: every core counts
        affinity = os.cpu_count() or 1
    return Cores(affinity=affinity, quota=read_quota())
