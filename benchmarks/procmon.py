"""Run a command in a fresh process and measure its wall time and the peak memory of its tree.

Linux only (reads ``/proc``); psutil is not needed. The process tree is every process that was
ever seen as a descendant of the child (kept even after it is re-parented, which is what
FiftyOne's service wrapper and its mongod do when the client exits), plus any process whose
command line mentions one of ``match`` (e.g. the scratch database folder).

Reported:
- ``peak_rss_mib``: the largest sum of resident memory over the tree at one poll (every 0.1 s),
  or the child's own ``ru_maxrss`` from ``wait4`` when that is larger (short peaks between polls);
- ``main_maxrss_mib``: the child's own peak from ``wait4`` (exact);
- ``procs``: per process seen, its name and peak (``VmHWM``) in MiB.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
MIB = 1024 * 1024


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(comm, ppid, starttime) of a process, or None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    close = raw.rfind(")")
    comm = raw[raw.find("(") + 1 : close]
    fields = raw[close + 2 :].split()
    return comm, int(fields[1]), int(fields[19])


def _rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _hwm_bytes(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _cmdline(pid: int) -> str:
    try:
        return (
            Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        )
    except OSError:
        return ""


class _Tree:
    """The set of processes that belong to one measured run, keyed by (pid, starttime)."""

    def __init__(self, root: int, match: tuple[str, ...]) -> None:
        self.root = root
        self.match = match
        self.seen: dict[tuple[int, int], dict] = {}

    def poll(self) -> int:
        """Refresh membership; return the summed RSS of the live members, in bytes."""
        table = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                st = _stat(int(entry))
                if st is not None:
                    table[int(entry)] = st
        live = {key[0] for key in self.seen if key[0] in table and table[key[0]][2] == key[1]}
        live.add(self.root)
        changed = True
        while changed:  # close over descendants of anything in the tree
            changed = False
            for pid, (_comm, ppid, _start) in table.items():
                if pid not in live and ppid in live:
                    live.add(pid)
                    changed = True
        if self.match:
            for pid in table:
                if pid not in live and any(m in _cmdline(pid) for m in self.match):
                    live.add(pid)
        total = 0
        for pid in live:
            if pid not in table:
                continue
            comm, _ppid, start = table[pid]
            rec = self.seen.setdefault((pid, start), {"pid": pid, "name": comm, "hwm": 0})
            rec["hwm"] = max(rec["hwm"], _hwm_bytes(pid))
            total += _rss_bytes(pid)
        return total

    def leftovers(self) -> list[int]:
        """Members (other than the root) still alive."""
        out = []
        for pid, start in self.seen:
            st = _stat(pid)
            if pid != self.root and st is not None and st[2] == start:
                out.append(pid)
        return out


def run_measured(
    cmd: list[str],
    *,
    env: dict[str, str],
    cwd: str | Path,
    stdout_path: Path,
    stderr_path: Path,
    timeout: float,
    match: tuple[str, ...] = (),
    interval: float = 0.1,
) -> dict:
    """Run ``cmd``; return returncode, wall seconds, peak RSS figures, per-process peaks."""
    with open(stdout_path, "wb") as out, open(stderr_path, "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=str(cwd), stdout=out, stderr=err)
        tree = _Tree(proc.pid, match)
        peak = 0
        status = rusage = None
        timed_out = False
        while True:
            peak = max(peak, tree.poll())
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - t0 > timeout:
                timed_out = True
                proc.kill()
                _pid, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(interval)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    # helpers (FiftyOne's service wrapper, mongod) should stop on their own once the client is
    # gone; give them a moment, then end the ones still alive (by pid: only what this run made)
    deadline = time.perf_counter() + 15
    while tree.leftovers() and time.perf_counter() < deadline:
        tree.poll()
        time.sleep(0.2)
    killed = []
    for pid in tree.leftovers():
        try:
            os.kill(pid, signal.SIGTERM)
            killed.append(pid)
        except ProcessLookupError:
            pass
    main_max = rusage.ru_maxrss * 1024 if rusage is not None else 0
    return {
        "returncode": proc.returncode,
        "timed_out": timed_out,
        "wall": wall,
        "peak_rss_mib": max(peak, main_max) / MIB,
        "main_maxrss_mib": main_max / MIB,
        "procs": [
            {"name": r["name"], "peak_mib": round(r["hwm"] / MIB, 1)} for r in tree.seen.values()
        ],
        "killed_leftovers": killed,
    }
