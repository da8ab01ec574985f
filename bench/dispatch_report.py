"""bench_dispatch: the repeated figures, the summary table with its targets, and the details after it."""
from __future__ import annotations

import cProfile
import io
import os
import pstats
import statistics
from dataclasses import dataclass, field

from dispatch_load import OTHER_LOAD


@dataclass
class Series:
    """Repeated measurements of one figure (messages per second)."""

    rates: list[float] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        """The median rate (nan when not run)."""
        return statistics.median(self.rates) if self.rates else float("nan")

    def spread(self) -> str:
        """The lowest and highest rate and how many there were."""
        if not self.rates:
            return "not run"
        return f"{min(self.rates):,.0f}..{max(self.rates):,.0f} (n={len(self.rates)})"


@dataclass
class Row:
    """One line of the summary table: a figure against its baseline, and the target of their ratio."""

    label: str
    figure: str
    baseline: str
    ratio: float
    target: float
    unit: str  # "%" or "x"
    note: str = ""

    def verdict(self) -> str:
        """PASS, MISSED, NOT RUN or (info)."""
        if self.ratio != self.ratio:  # nan
            return "NOT RUN"
        if self.target != self.target:  # a figure shown for information, with no target
            return "(info)"
        return "PASS" if self.ratio >= self.target else "MISSED"

    def ratio_text(self) -> str:
        """The ratio, with its target when it has one."""
        if self.ratio != self.ratio:
            return "-"
        if self.target != self.target:
            return f"{self.ratio * 100:.0f} %" if self.unit == "%" else f"{self.ratio:.2f}x"
        if self.unit == "%":
            return f"{self.ratio * 100:.0f} % (target >= {self.target * 100:.0f} %)"
        return f"{self.ratio:.2f}x (target >= {self.target:.1f}x)"


def rate(v: float) -> str:
    """A rate as "1,234 msg/s" ("-" when not measured)."""
    return "-" if v != v else f"{v:,.0f} msg/s"


def print_profile(prof: cProfile.Profile, title: str, limit: int = 25) -> None:
    """The profile's top functions, by cumulative and by own time."""
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(limit)
    print(f"\n---- cProfile: {title} (sorted by cumulative time) ----")
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(20)
    print(f"---- cProfile: {title} (sorted by own time) ----")
    print(out.getvalue())


def summary_rows(results: dict) -> list[Row]:
    """The summary table's rows: every figure against its baseline and target ("-" when not run)."""
    nan = float("nan")
    rows: list[Row] = []
    for db_name in ("SQLite", "PostgreSQL"):
        r = results.get(db_name)
        if r is None:
            rows.append(Row(f"1. one worker vs bare smtplib [{db_name}]", "-", "-", nan, 0.6, "%"))
            continue
        rows.append(Row(f"1. one worker vs bare smtplib [{db_name}]", rate(r["disp"].median), rate(r["bare"].median),
                        r["disp"].median / r["bare"].median, 0.6, "%",
                        f"worker {r['disp'].spread()}; bare {r['bare'].spread()}; "
                        f"{r['disp'].extra['busy']:.2f} cores busy while dispatching; client CPU per message: "
                        f"worker {statistics.median(r['disp'].extra['cpu']):.3f} ms, "
                        f"bare loop {statistics.median(r['bare'].extra['cpu']):.3f} ms"))
    for db_name in ("SQLite", "PostgreSQL"):
        r = results.get(db_name)
        if r is not None:
            rows.append(Row(f"1b. one worker vs our transport alone [{db_name}]", rate(r["disp"].median),
                            rate(r["tloop"].median), r["disp"].median / r["tloop"].median, float("nan"), "%",
                            "for information: the same prepared bytes through SmtpTransport (RFC 2920 "
                            "pipelining, which the bare smtplib loop does not use); the gap is the "
                            f"dispatcher's own work; transport {r['tloop'].spread()}"))
    w = results.get("workers")
    if w:
        d1, d2 = w["details"][1], w["details"][2]
        busy_one = statistics.median(x["busy"] for x in d1)
        rows.append(Row("2. two worker processes vs one [PostgreSQL]", rate(w["two"].median), rate(w["one"].median),
                        w["two"].median / w["one"].median, 1.6, "x",
                        f"two {w['two'].spread()}; one {w['one'].spread()}; one worker kept {busy_one:.2f} of "
                        f"{os.cpu_count()} cores busy (worker, its PostgreSQL backend, the sink), so this machine "
                        f"allows at most {os.cpu_count() / busy_one:.2f}x; with two workers "
                        f"{statistics.median(x['busy'] for x in d2):.2f} cores were busy; one sink per worker"))
        rows.append(Row("2b. two workers sharing one sink vs one [PostgreSQL]", rate(w["shared"].median),
                        rate(w["one"].median), w["shared"].median / w["one"].median, float("nan"), "x",
                        "for information: both workers' SMTP sessions on one aiosmtpd event loop; "
                        f"{w['shared'].spread()}"))
    else:
        rows.append(Row("2. two worker processes vs one [PostgreSQL]", "-", "-", nan, 1.6, "x"))
    for db_name in ("SQLite", "PostgreSQL"):
        r = results.get(db_name)
        if r is None:
            continue
        rows.append(Row(f"3. claim+mark alone vs one worker [{db_name}]", rate(r["cm"].median), rate(r["disp"].median),
                        r["cm"].median / r["disp"].median, 5.0, "x", f"claim+mark {r['cm'].spread()}"))
        if r["cm_async"].rates:
            rows.append(Row(f"3b. same, commits not waiting for the disk [{db_name}]", rate(r["cm_async"].median),
                            rate(r["disp"].median), r["cm_async"].median / r["disp"].median, float("nan"), "x",
                            "for information: synchronous_commit off, which the product does not use (a database "
                            "crash could then undo recent marks and repeat those messages); the gap to 3 is the "
                            f"durable commit, one per message; {r['cm_async'].spread()}"))
    for db_name in ("SQLite", "PostgreSQL"):
        r = results.get(db_name)
        if r is None:
            continue
        rows.append(Row(f"4. sending, rendered live vs pre-built [{db_name}]", rate(r["disp"].median),
                        rate(r["pre_smtp"].median), r["disp"].median / r["pre_smtp"].median, 0.9, "%",
                        f"one worker to the SMTP sink; pre-built {r['pre_smtp'].spread()}"))
        per_msg = (1 / r["live"].median - 1 / r["pre"].median) * 1000
        rows.append(Row(f"4b. same, no SMTP (counting transport) [{db_name}]", rate(r["live"].median),
                        rate(r["pre"].median), r["live"].median / r["pre"].median, 0.9, "%",
                        f"stricter view (no network in the loop): render+MIME costs {per_msg:.3f} ms/message; "
                        f"live {r['live'].spread()}; pre-built {r['pre'].spread()}"))
    return rows


def print_report(results: dict, notes: list[str]) -> None:
    """The summary table, then where one worker's time went; `notes` (warnings) last, with any added here."""
    rows = summary_rows(results)
    print()
    print("=" * 118)
    print(f"{'measurement':<48} {'figure':>14} {'baseline':>14}  {'ratio':<30} verdict")
    print("-" * 118)
    for row in rows:
        print(f"{row.label:<48} {row.figure:>14} {row.baseline:>14}  {row.ratio_text():<30} {row.verdict()}")
        if row.note:
            print(f"{'':<8}{row.note}")
    print("=" * 118)
    for db_name in ("SQLite", "PostgreSQL"):
        r = results.get(db_name)
        if r is None:
            continue
        b = r["breakdown"]
        print(f"where one worker's time goes [{db_name}] ({b['n']} messages to the sink, an extra timed pass at "
              f"{1000 / b['total_ms']:,.0f} msg/s; wall = elapsed, CPU = this worker's own CPU):")
        print(f"    {'part':<48} {'wall ms/msg':>12} {'share':>7} {'CPU ms/msg':>11} {'share':>7}")
        for part, (ms, cms) in b["parts"].items():
            print(f"    {part:<48} {ms:12.3f} {ms / b['total_ms'] * 100:6.1f}% {cms:11.3f} "
                  f"{cms / b['total_cpu_ms'] * 100:6.1f}%")
        print(f"    {'total':<48} {b['total_ms']:12.3f} {'':>7} {b['total_cpu_ms']:11.3f}")
        pm = b["per_message"]
        print("    (one plain sequence per message: claim, check, build, send, then its mark committed before "
              "the next one)")
        print(f"    per message on the dispatcher's connection: {pm.get('driver statements', 0):.2f} statements "
              f"straight to the driver (autocommit: each its own transaction), "
              f"{pm.get('SQLAlchemy statements', 0):.2f} through "
              f"SQLAlchemy (claims, BEGIN/COMMIT of the claim), {pm.get('pool checkouts', 0):.2f} pool checkouts")
    w = results.get("workers")
    if w:
        one_inproc = results["PostgreSQL"]["disp"].median
        d1, d2 = w["details"][1], w["details"][2]
        print(f"note: one worker process {rate(w['one'].median)} vs one in-process worker {rate(one_inproc)}; "
              f"the sinks (aiosmtpd, one Python process each) used "
              f"{statistics.median(x['sink_cpu'] / x['wall'] for x in d2):.2f} core(s) with two workers, "
              f"{statistics.median(x['sink_cpu'] / x['wall'] for x in d1):.2f} with one; "
              f"workers {statistics.median(x['worker_cpu'] / x['wall'] for x in d2):.2f} core(s) with two, "
              f"{statistics.median(x['worker_cpu'] / x['wall'] for x in d1):.2f} with one "
              f"(on {os.cpu_count()} cores, PostgreSQL included in 'cores busy').")
    if OTHER_LOAD:
        worst = max(OTHER_LOAD)
        print(f"load from other processes during the timed SMTP runs: median {statistics.median(OTHER_LOAD):.2f}, "
              f"max {worst:.2f} of {os.cpu_count()} cores")
        if worst > 0.25:
            notes.append(f"WARNING: other processes used up to {worst:.2f} of {os.cpu_count()} cores during timed "
                         f"runs; the figures taken then are disturbed (see the per-run lines) -- rerun when idle")
    for note in notes:
        print(f"note: {note}")
