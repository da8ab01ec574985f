"""bench_dispatch: how busy the machine's CPUs were, and whose work kept them busy."""
from __future__ import annotations

import os


def cpu_snapshot() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    try:
        with open("/proc/stat") as f:
            parts = [int(x) for x in f.readline().split()[1:]]
    except OSError:
        return 0, 0
    idle = parts[3] + (parts[4] if len(parts) > 4 else 0)
    total = sum(parts[:8])
    return total - idle, total


def cores_busy(before: tuple[int, int], after: tuple[int, int]) -> float:
    """How many cores were busy, on average, between two cpu_snapshot()s."""
    busy, total = after[0] - before[0], after[1] - before[1]
    return (busy / total * (os.cpu_count() or 1)) if total else float("nan")


def postgres_ticks() -> int:
    """CPU jiffies used so far by the local PostgreSQL server's processes (0 when not local)."""
    ticks = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        if stat[stat.find("(") + 1:stat.rfind(")")] != "postgres":
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks


OTHER_LOAD: list[float] = []  # cores used by other processes during each timed SMTP run


class LoadProbe:
    """The machine's CPU during one timed section, split into ours (bench, sink, workers),
    the local PostgreSQL server's, and everything else (other people's processes)."""

    def __init__(self):
        self.m0, self.pg0 = cpu_snapshot(), postgres_ticks()

    def finish(self, ours_seconds: float) -> dict:
        """Cores used since the probe was made: the machine's, PostgreSQL's, ours, and others'."""
        m1, pg1 = cpu_snapshot(), postgres_ticks()
        busy, total = m1[0] - self.m0[0], m1[1] - self.m0[1]
        ncpu = os.cpu_count() or 1
        per_core = total / ncpu if total else float("nan")  # jiffies of one core during the section
        hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        machine, pg, ours = busy / per_core, (pg1 - self.pg0) / per_core, ours_seconds * hz / per_core
        others = max(0.0, machine - pg - ours)
        OTHER_LOAD.append(others)
        return {"machine": machine, "pg": pg, "ours": ours, "others": others}

