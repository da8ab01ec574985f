"""bench_relay: where the CPU went during one timed run, read from /proc (no psutil needed).

* `PgBackendsCpu(dbname)` -- the CPU of the PostgreSQL backends serving one database (the bench's
  own: "postgres: ... <user> <dbname> <addr> ..." in their process title), polled in a thread so
  that backends which start and end during the run (a pool's overflow connections) are counted;
  the last poll interval of a backend that exits is lost (it is idle by then). The server's shared
  processes (WAL writer, checkpointer) are not counted: another database may be using them.
* `Machine` -- how many of the machine's cores were busy, so other people's load can be shown.
"""
from __future__ import annotations

import os
import threading

from dispatch_load import cores_busy, cpu_snapshot

HZ = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def process_ticks(pid: int) -> int | None:
    """utime + stime of one process in clock ticks (None: gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2:].split()
    return int(fields[11]) + int(fields[12])


def process_seconds(pid: int) -> float:
    """CPU seconds a process has used so far (nan when gone)."""
    t = process_ticks(pid)
    return float("nan") if t is None else t / HZ


class PgBackendsCpu:
    """CPU seconds of one database's backends between start() and stop()."""

    def __init__(self, dbname: str, interval: float = 0.1):
        self.marker = f" {dbname} "
        self.interval = interval
        self._kind: dict[int, bool] = {}  # pid -> serves our database
        self._first: dict[int, int] = {}  # our pid -> ticks when first seen (0 if born during the run)
        self._last: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = False
        self.born = 0  # backends that started during the run (new connections)

    def _ours(self, pid: int) -> bool:
        known = self._kind.get(pid)
        if known is None:
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
            except OSError:
                return False
            known = self._kind[pid] = cmd.startswith("postgres: ") and self.marker in cmd
        return known

    def _poll(self) -> None:
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            if not self._ours(pid):
                continue
            ticks = process_ticks(pid)
            if ticks is None:
                continue
            if pid not in self._first:
                self._first[pid] = ticks if not self._started else 0
                self.born += self._started  # a connection opened during the run
            self._last[pid] = ticks

    def start(self) -> PgBackendsCpu:
        """Take the backends' counters now and keep polling until stop()."""
        self._poll()
        self._started = True
        self._thread = threading.Thread(target=self._run, name="pg-cpu", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._poll()

    def stop(self) -> float:
        """CPU seconds used by the database's backends since start()."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._poll()
        return sum(self._last[p] - self._first[p] for p in self._last) / HZ


class Machine:
    """Cores busy on the whole machine between construction and finish()."""

    def __init__(self):
        self.t0 = cpu_snapshot()

    def finish(self) -> float:
        """Average number of busy cores since construction."""
        return cores_busy(self.t0, cpu_snapshot())
