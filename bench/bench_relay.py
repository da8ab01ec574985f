"""Benchmark: sending through a relay -- worker processes with N SMTP sessions against same-run baselines.

    .venv/bin/python bench/bench_relay.py [--quick] [--reps 3] [--hold 0.1] [--postgres URL]
                                          [--latency-sink count|keep] [--only relay|loopback]

Production's path: PostgreSQL (a database of its own, created and dropped by the bench), worker
processes built from the environment as `crossborder-crm dispatch --once` builds them (CRM_ENV=production,
create_app(), dispatch_job(): DISPATCH_CONCURRENCY sessions), started and warmed before the timed pass;
realistic messages (the seller's own words in 7 locales, every 4th marketing: unsubscribe token,
List-Unsubscribe, frequency-cap check); DKIM (RSA-2048) on in the relay rows. The relay is a sink in its
own process that holds each end-of-data reply --hold seconds (0.1), as a remote relay does.

Every figure is the median of --reps repetitions (the loopback rows: two more); each repetition runs
every figure once, in turn (the order reversed every other repetition), so a figure and its baseline
see the same machine; each ratio is the median of the repetitions' own ratios (figure / baseline of
the same repetition), printed one by one with the other processes' load while the pair ran:

1. one worker at concurrency 10 vs the same at concurrency 1, relay latency, DKIM on -- target >= 8x
2. two worker processes at concurrency 10 vs one -- target >= 1.7x (the CPU ceiling is printed)
3. one worker at concurrency 10 vs a bare baseline: 10 threads, each looping smtplib over its own
   connection with prepared (already built and signed) bytes, same relay -- target >= 80 %
4. loopback, no delay, no DKIM: one worker (one session) vs a bare smtplib loop over one connection
   with prepared bytes -- target >= 60 %, against the strictest baseline: a minimal sink that only
   counts (bare asyncio protocol), so the bare loop is as cheap as it gets. The same pair against
   aiosmtpd counting and against tests/smtp_sink (keeps every message; bench_dispatch's sink and the
   README's old row) shows why the figures disagreed; also the worker at its default concurrency,
   the literal `dispatch --once` command timed with its start-up, and our transport alone.
5. DKIM signing, ours vs dkimpy (bench/bench_dkim.py, run and its figure printed) -- target >= 5x
6. CPU per message of the worker process, its PostgreSQL backends and the sink (from /proc).

Exit status 0 unless the benchmark itself broke; missed targets print MISSED.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import smtplib
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from cryptography.fernet import Fernet  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402
from dispatch_report import Row  # noqa: E402
from dispatch_setup import DEFAULT_PG, MAIL_DOMAIN, ROOT, Bench  # noqa: E402
from relay_probe import Machine, PgBackendsCpu  # noqa: E402
from relay_sink import Sink  # noqa: E402
from sqlalchemy import create_engine, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from crossborder_crm.accounts.models import Seller  # noqa: E402
from crossborder_crm.clock import SystemClock  # noqa: E402
from crossborder_crm.migrate import upgrade  # noqa: E402
from crossborder_crm.outbox.backends import SmtpTransport  # noqa: E402
from crossborder_crm.outbox.sender import update_sender  # noqa: E402

NAN = float("nan")
SECRET_KEY = "bench-relay-secret-" + "k" * 40  # production refuses keys under 32 bytes
DKIM_DOMAIN = "seller.example"


# --------------------------------------------------------------------------- worker processes

def child_env(url: str, port: int, concurrency: int | None, instance: str) -> dict:
    """The environment of a production worker sending to the sink at `port`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env.update(CRM_ENV="production", CRM_SECRET_KEY=SECRET_KEY, CRM_ENCRYPTION_KEYS=os.environ["CRM_ENCRYPTION_KEYS"],
               CRM_PUBLIC_URL="https://crm.example.com", CRM_DATABASE_URL=url, CRM_MAIL_BACKEND="smtp",
               CRM_SMTP_URL=f"smtp://127.0.0.1:{port}?helo=bench.local", CRM_SMTP_TIMEOUT="30",
               CRM_MAIL_FROM_DOMAIN=MAIL_DOMAIN, CRM_INSTANCE_DIR=instance)
    if concurrency is not None:
        env["CRM_DISPATCH_CONCURRENCY"] = str(concurrency)
    return env


class WorkerProc:
    """bench/relay_child.py: one worker process, warm, waiting for "go"."""

    def __init__(self, env: dict):
        self.proc = subprocess.Popen([sys.executable, str(HERE / "relay_child.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1, cwd=str(ROOT), env=env)
        hello = self.read()
        self.concurrency = hello["concurrency"]

    def send(self, cmd: str) -> None:
        """One command line."""
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()

    def read(self) -> dict:
        """The next JSON answer."""
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"worker process {self.proc.pid} ended (status {self.proc.poll()})")
        return json.loads(line)

    def stop(self) -> None:
        """Ask it to exit; kill it (its own pid only) if it does not."""
        if self.proc.poll() is None:
            try:
                self.send("bye")
                self.proc.wait(20)
            except Exception:  # noqa: BLE001
                self.proc.kill()
                self.proc.wait()


# --------------------------------------------------------------------------- the rig

class Rig:
    """The bench's database (seller with DKIM, buyers), its seeding, and the timed runs."""

    def __init__(self, url: str, dbname: str, buyers: int, instance: str):
        self.url, self.dbname, self.instance = url, dbname, instance
        self.bench = Bench("PostgreSQL", url, type("NoSink", (), {"port": 25})(), buyers)
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()).decode()
        b = self.bench
        update_sender(b.db, SystemClock(), b.svc.box, b.seller_id,
                      {"from_name": "Shenzhen Outdoor", "from_email": f"orders@{DKIM_DOMAIN}",
                       "dkim_domain": DKIM_DOMAIN, "dkim_selector": "s2048", "dkim_private_key": pem})

    def dkim(self, on: bool) -> None:
        """Turn the seller's DKIM signing on or off (the encrypted key stays)."""
        with self.bench.db.transaction() as s:
            s.execute(update(Seller).where(Seller.id == self.bench.seller_id)
                      .values(dkim_domain=DKIM_DOMAIN if on else None))

    def prepared(self, n: int) -> list[tuple[int, str, str, bytes]]:
        """n messages built beforehand by the dispatcher's own build() (signed when DKIM is on)."""
        self.bench.seed(n)
        return self.bench.prepared()

    def warm(self, procs: list[WorkerProc], sink: Sink) -> None:
        """One small pass per worker process: a long-running worker is warm."""
        for p in procs:
            self.bench.seed(max(20, min(100, 10 * p.concurrency)))
            p.send("warm")
            p.read()
        sink.take()

    def run_workers(self, procs: list[WorkerProc], sink: Sink, n: int) -> dict:
        """n messages due; every process starts its pass at once; wall time until all have returned."""
        self.bench.seed(n)
        s0 = sink.take()
        pg = PgBackendsCpu(self.dbname).start()
        machine, c0 = Machine(), time.process_time()
        t0 = time.perf_counter()
        for p in procs:
            p.send("go")
        reports = [p.read() for p in procs]
        wall = time.perf_counter() - t0
        own = time.process_time() - c0
        pg_cpu = pg.stop()
        busy = machine.finish()
        s1 = sink.take()
        sent = sum(r["sent"] for r in reports)
        if sent != n or s1["count"] != n:
            raise RuntimeError(f"{len(procs)} worker(s): reports {reports}, sink received {s1['count']} of {n}")
        self.bench.check_all_sent(f"{len(procs)} worker(s)", n)
        worker_cpu, sink_cpu = sum(r["cpu"] for r in reports), s1["cpu"] - s0["cpu"]
        return {"rate": n / wall, "n": n, "wall": wall, "worker": worker_cpu, "pg": pg_cpu, "sink": sink_cpu,
                "client": NAN, "busy": busy, "others": max(0.0, busy - (worker_cpu + pg_cpu + sink_cpu + own) / wall),
                "split": [r["sent"] for r in reports], "connections": pg.born}

    @staticmethod
    def bare(sink: Sink, prepared: list, threads: int) -> dict:
        """`threads` threads, each looping smtplib.sendmail over its own connection with its share of
        the prepared bytes (one thread: the plain bare loop)."""
        shares = [prepared[i::threads] for i in range(threads)]
        errors: list[BaseException] = []

        def loop(share) -> None:
            try:
                smtp = smtplib.SMTP("127.0.0.1", sink.port, local_hostname="bench.local", timeout=30)
                for _, env_from, rcpt, raw in share:
                    smtp.sendmail(env_from, [rcpt], raw)
                smtp.quit()
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        return _timed_client(sink, len(prepared), lambda: _in_threads(loop, shares), errors)

    @staticmethod
    def transport_alone(sink: Sink, prepared: list) -> dict:
        """Our SmtpTransport (pipelined) on the same prepared bytes, one connection: no database."""
        def run() -> None:
            with SmtpTransport.from_url(f"smtp://127.0.0.1:{sink.port}?helo=bench.local", timeout=30) as t:
                for _, env_from, rcpt, raw in prepared:
                    t.send(env_from, [rcpt], raw)
        return _timed_client(sink, len(prepared), run, [])

    def cli_once(self, sink: Sink, n: int | None) -> dict:
        """The literal `crossborder-crm dispatch --once` (default concurrency), wall time from the
        command's start, its Python start-up and create_app() included; n=None: nothing due."""
        if n:
            self.bench.seed(n)
        sink.take()
        exe = Path(sys.executable).parent / "crossborder-crm"
        cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "crossborder_crm"]
        t0 = time.perf_counter()
        out = subprocess.run(cmd + ["dispatch", "--once"], env=child_env(self.url, sink.port, None, self.instance),
                             cwd=str(ROOT), capture_output=True, text=True, timeout=600, check=False)
        wall = time.perf_counter() - t0
        got = sink.take()["count"]
        if out.returncode != 0 or (n and got != n):
            raise RuntimeError(f"dispatch --once: status {out.returncode}, sink {got} of {n}: {out.stderr[-500:]}")
        return {"rate": (n / wall) if n else NAN, "wall": wall, "n": n or 0}


def _in_threads(fn, shares) -> None:
    threads = [threading.Thread(target=fn, args=(share,)) for share in shares]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _timed_client(sink: Sink, n: int, run, errors: list) -> dict:
    s0 = sink.take()
    machine, c0 = Machine(), time.process_time()
    t0 = time.perf_counter()
    run()
    wall = time.perf_counter() - t0
    client = time.process_time() - c0
    busy = machine.finish()
    s1 = sink.take()
    if errors or s1["count"] != n:
        raise RuntimeError(f"bare client: sink received {s1['count']} of {n}; errors {errors[:2]}")
    sink_cpu = s1["cpu"] - s0["cpu"]
    return {"rate": n / wall, "n": n, "wall": wall, "worker": NAN, "pg": 0.0, "sink": sink_cpu, "client": client,
            "busy": busy, "others": max(0.0, busy - (client + sink_cpu) / wall)}


# --------------------------------------------------------------------------- series and report

def rate(v: float) -> str:
    """A rate as "83.5 msg/s" or "1,234 msg/s" ("-" when not measured)."""
    return "-" if math.isnan(v) else f"{v:,.1f} msg/s" if v < 100 else f"{v:,.0f} msg/s"


def med(runs: list[dict], key: str = "rate") -> float:
    """Median of one field over the repetitions (nan when none)."""
    vals = [r[key] for r in runs if r[key] == r[key]]
    return statistics.median(vals) if vals else NAN


def per_msg(runs: list[dict], key: str) -> float:
    """Median CPU milliseconds per message of one part."""
    vals = [r[key] * 1000 / r["n"] for r in runs if r[key] == r[key]]
    return statistics.median(vals) if vals else NAN


def paired(fig: list[dict], base: list[dict]) -> float:
    """Median over the repetitions of figure / baseline taken in the same repetition (nan when none)."""
    ratios = [f["rate"] / b["rate"] for f, b in zip(fig, base)]
    return statistics.median(ratios) if ratios else NAN


def per_rep(fig: list[dict], base: list[dict], unit: str) -> str:
    """Each repetition's ratio, with the other processes' load (cores) while the pair ran."""
    out = []
    for f, b in zip(fig, base):
        r = f["rate"] / b["rate"]
        out.append(f"{r * 100:.0f} %" if unit == "%" else f"{r:.2f}x")
        out[-1] += f" (others {(f['others'] + b['others']) / 2:.1f})"
    return ("per repetition " + " / ".join(out)) if out else "not run"


def spread(runs: list[dict]) -> str:
    """Lowest..highest rate and how many."""
    rates = [r["rate"] for r in runs]
    return f"{min(rates):,.1f}..{max(rates):,.1f} (n={len(rates)})" if rates else "not run"


def line(label: str, r: dict) -> str:
    """One run, as printed while the bench goes."""
    parts = [f"{r['rate']:8.1f} msg/s ({r['n']} in {r['wall']:.2f} s)"]
    for key, name in (("worker", "worker"), ("client", "client"), ("pg", "PostgreSQL"), ("sink", "sink")):
        if r.get(key) == r.get(key) and (key != "pg" or r["pg"]):
            parts.append(f"{name} {r[key] * 1000 / r['n']:.2f}")
    conns = f"; {r['connections']} new PG connections" if "connections" in r else ""
    return (f"  {label:<44} " + parts[0] + "; CPU ms/msg: " + ", ".join(parts[1:]) +
            f"; cores busy {r['busy']:.2f} (others {r['others']:.2f}){conns}")


def run_dkim_bench(messages: int, reps: int) -> tuple[float, str]:
    """bench_dkim.py's ratio (dkimpy ms / ours ms) and its output."""
    out = subprocess.run([sys.executable, str(HERE / "bench_dkim.py"), "--messages", str(messages), "--reps",
                          str(reps)], capture_output=True, text=True, cwd=str(ROOT), timeout=600, check=False)
    m = re.search(r"ratio: ([0-9.]+)x", out.stdout)
    return (float(m.group(1)) if m else NAN), (out.stdout + out.stderr).strip()


# --------------------------------------------------------------------------- the blocks

def relay_block(rig: Rig, args, results: dict) -> None:
    """Rows 1-3: the relay holds each reply; DKIM on."""
    rig.dkim(True)
    sink = Sink(args.latency_sink, args.hold)
    procs: list[WorkerProc] = []
    try:
        prepared = rig.prepared(args.n10)
        if not prepared[0][3].startswith(b"DKIM-Signature:"):
            raise RuntimeError("the prepared messages are not DKIM-signed")
        results["size"] = statistics.median(len(p[3]) for p in prepared)
        env = lambda c: child_env(rig.url, sink.port, c, rig.instance)  # noqa: E731
        one, ten_a, ten_b = WorkerProc(env(1)), WorkerProc(env(10)), WorkerProc(env(10))
        procs = [one, ten_a, ten_b]
        rig.warm(procs, sink)
        c1, c10, two, bare = [], [], [], []
        steps = [("one worker, concurrency 1", c1, lambda: rig.run_workers([one], sink, args.n1)),
                 ("one worker, concurrency 10", c10, lambda: rig.run_workers([ten_a], sink, args.n10)),
                 ("two workers, concurrency 10 each", two, lambda: rig.run_workers([ten_a, ten_b], sink, 2 * args.n10)),
                 ("bare: 10 threads x smtplib, prepared bytes", bare, lambda: rig.bare(sink, prepared, 10))]
        for rep in range(args.reps):
            print(f" relay ({args.hold * 1000:.0f} ms before each end-of-data reply, DKIM on), repetition {rep + 1}",
                  flush=True)
            for label, series, fn in (steps if rep % 2 == 0 else steps[::-1]):
                series.append(fn())
                print(line(label, series[-1]), flush=True)
        results.update(c1=c1, c10=c10, two=two, bare10=bare)
    finally:
        for p in procs:
            p.stop()
        sink.stop()


def loopback_block(rig: Rig, args, results: dict) -> None:
    """Row 4: no delay, no DKIM; one worker (one session) vs a bare smtplib loop, three sinks."""
    rig.dkim(False)
    sinks = {kind: Sink(kind, 0.0) for kind in ("count", "aiosmtpd", "keep")}
    procs: list[WorkerProc] = []
    try:
        prepared = rig.prepared(args.nloop)
        many = prepared * 2  # the bare loop is ~4x faster: twice the messages, so it too runs for seconds
        workers = {kind: WorkerProc(child_env(rig.url, s.port, 1, rig.instance)) for kind, s in sinks.items()}
        default = WorkerProc(child_env(rig.url, sinks["count"].port, None, rig.instance))
        procs = [*workers.values(), default]
        for kind, p in workers.items():
            rig.warm([p], sinks[kind])
        rig.warm([default], sinks["count"])
        loop: dict[str, dict[str, list]] = {k: {"bare": [], "worker": []} for k in sinks}
        extra: dict[str, list] = {"default": [], "transport": [], "cli": []}
        steps = []
        for kind, sink in sinks.items():
            steps.append((f"[{kind}] bare smtplib loop, one connection", loop[kind]["bare"],
                          lambda sink=sink: rig.bare(sink, many, 1)))
            steps.append((f"[{kind}] one worker, one session", loop[kind]["worker"],
                          lambda kind=kind, sink=sink: rig.run_workers([workers[kind]], sink, args.nloop)))
        steps.append((f"[count] one worker, default concurrency ({default.concurrency})", extra["default"],
                      lambda: rig.run_workers([default], sinks["count"], args.nloop)))
        steps.append(("[count] our SmtpTransport alone, prepared bytes", extra["transport"],
                      lambda: rig.transport_alone(sinks["count"], many)))
        for rep in range(args.loop_reps):
            print(f" loopback (no delay, no DKIM), repetition {rep + 1}", flush=True)
            for label, series, fn in (steps if rep % 2 == 0 else steps[::-1]):
                series.append(fn())
                print(line(label, series[-1]), flush=True)
        for _ in range(max(1, args.loop_reps // 2)):
            r = rig.cli_once(sinks["count"], args.nloop)
            extra["cli"].append(r)
            print(f"  {'[count] crossborder-crm dispatch --once (CLI)':<44} {r['rate']:8.1f} msg/s "
                  f"({r['n']} in {r['wall']:.2f} s from the command's start)", flush=True)
        startup = rig.cli_once(sinks["count"], None)
        print(f"  {'[count] dispatch --once, nothing due':<44} {startup['wall']:.2f} s (start-up, create_app, "
              f"an empty pass)", flush=True)
        results.update(loop=loop, startup=startup["wall"], **extra)
    finally:
        for p in procs:
            p.stop()
        for s in sinks.values():
            s.stop()


def report(results: dict, args) -> None:
    """The summary table, the CPU per message, and the figures the sizing uses."""
    rows: list[Row] = []
    c1, c10, two, bare10 = (results.get(k, []) for k in ("c1", "c10", "two", "bare10"))
    hold = f"{args.hold * 1000:.0f} ms relay"
    rows.append(Row(f"1. concurrency 10 vs 1, one worker [{hold}, DKIM]", rate(med(c10)), rate(med(c1)),
                    paired(c10, c1), 8.0, "x", f"{per_rep(c10, c1, 'x')}; c10 {spread(c10)}; c1 {spread(c1)}; "
                    f"ideal 10x"))
    ceiling = NAN
    if c10:
        cores_one = statistics.median((r["worker"] + r["pg"] + r["sink"]) / r["wall"] for r in c10)
        others = statistics.median(r["others"] for r in two) if two else 0.0
        ceiling = min(2.0, max(0.0, (os.cpu_count() - others)) / cores_one)
        note2 = (f"two {spread(two)}; one worker at c=10 keeps {cores_one:.2f} cores busy (worker, its "
                 f"PostgreSQL backends, the sink), so {os.cpu_count()} cores less the others' "
                 f"{others:.2f} allow {ceiling:.2f}x; with two workers "
                 f"{statistics.median(r['busy'] for r in two):.2f} cores were busy; split "
                 f"{two[len(two) // 2]['split'] if two else '-'}")
    else:
        note2 = ""
    rows.append(Row(f"2. two workers vs one, concurrency 10 [{hold}, DKIM]", rate(med(two)), rate(med(c10)),
                    paired(two, c10), 1.7, "x", f"{per_rep(two, c10, 'x')}; {note2}"))
    rows.append(Row(f"3. one worker c=10 vs 10 bare smtplib threads [{hold}]", rate(med(c10)), rate(med(bare10)),
                    paired(c10, bare10), 0.8, "%", f"{per_rep(c10, bare10, '%')}; bare {spread(bare10)} "
                    f"(prepared, signed bytes)"))
    loop = results.get("loop", {})
    names = {"count": "minimal counting sink (strict)", "aiosmtpd": "aiosmtpd, counting only",
             "keep": "tests/smtp_sink (keeps all; old row)"}
    for kind in ("count", "aiosmtpd", "keep"):
        if kind not in loop:
            continue
        w, b = loop[kind]["worker"], loop[kind]["bare"]
        rows.append(Row(f"4{'' if kind == 'count' else 'b' if kind == 'aiosmtpd' else 'c'}. loopback: one worker vs "
                        f"bare loop [{kind}]", rate(med(w)), rate(med(b)), paired(w, b),
                        0.6 if kind == "count" else NAN, "%",
                        f"{names[kind]}; {per_rep(w, b, '%')}; sink CPU per message: {per_msg(b, 'sink'):.3f} ms under the bare loop, "
                        f"{per_msg(w, 'sink'):.3f} ms under the worker; worker {spread(w)}; bare {spread(b)}"))
    if "count" in loop:
        b = loop["count"]["bare"]
        d, t, cli = results.get("default", []), results.get("transport", []), results.get("cli", [])
        if d:
            rows.append(Row("4d. loopback: worker at default concurrency (8) [count]", rate(med(d)), rate(med(b)),
                            paired(d, b), NAN, "%", f"8 sessions on 2 cores; {spread(d)}"))
        if cli:
            rows.append(Row("4e. loopback: `dispatch --once`, start-up timed [count]", rate(med(cli)),
                            rate(med(b)), med(cli) / med(b), NAN, "%",
                            f"the literal command at default concurrency, wall from its start; start-up and an "
                            f"empty pass alone take {results.get('startup', NAN):.2f} s"))
        if t:
            rows.append(Row("4f. loopback: our SmtpTransport alone (pipelined) [count]", rate(med(t)), rate(med(b)),
                            paired(t, b), NAN, "%", "no database, prepared bytes: the cost of our SMTP client"))
    dk = results.get("dkim", NAN)
    rows.append(Row("5. DKIM signing, ours vs dkimpy (bench_dkim.py)", "-" if math.isnan(dk) else f"{dk:.1f}x", "dkimpy",
                    dk, 5.0, "x", "RSA-2048, ms per message ratio (dkimpy / ours); bench_dkim's output above"))
    print()
    print("=" * 126)
    print(f"{'measurement':<58} {'figure':>14} {'baseline':>14}  {'ratio':<26} verdict")
    print("-" * 126)
    for row in rows:
        print(f"{row.label:<58} {row.figure:>14} {row.baseline:>14}  {row.ratio_text():<26} {row.verdict()}")
        if row.note:
            print(f"{'':<6}{row.note}")
    print("=" * 126)

    print("\n6. CPU per message (medians; ms of CPU per message sent; 'PostgreSQL' = the backends serving the "
          "bench's database, shared WAL writer/checkpointer not included)")
    print(f"    {'configuration':<50} {'msg/s':>8} {'worker':>8} {'client':>8} {'PG':>8} {'sink':>8} "
          f"{'busy':>6} {'others':>7}")
    table = [("relay, DKIM: one worker c=1", c1), ("relay, DKIM: one worker c=10", c10),
             ("relay, DKIM: two workers c=10", two), ("relay: bare 10 threads", bare10)]
    for kind in ("count", "aiosmtpd", "keep"):
        if kind in loop:
            table += [(f"loopback [{kind}]: bare loop", loop[kind]["bare"]),
                      (f"loopback [{kind}]: one worker, one session", loop[kind]["worker"])]
    table += [("loopback [count]: one worker, default concurrency", results.get("default", [])),
              ("loopback [count]: our transport alone", results.get("transport", []))]
    for label, runs in table:
        if not runs:
            continue
        cells = [per_msg(runs, k) for k in ("worker", "client", "pg", "sink")]
        print(f"    {label:<50} {med(runs):8.1f} " + " ".join("       -" if math.isnan(c) else f"{c:8.3f}" for c in cells)
              + f" {med(runs, 'busy'):6.2f} {med(runs, 'others'):7.2f}")
    if c1 and c10:
        one_ms, ten_ms, bare_ms = 1000 / med(c1), 10 * 1000 / med(c10), 10 * 1000 / med(bare10)
        hold_ms = args.hold * 1000
        print(f"\na session sends one message every {one_ms:.1f} ms at concurrency 1 and every {ten_ms:.1f} ms at "
              f"concurrency 10 (the relay's {hold_ms:.0f} ms + {one_ms - hold_ms:.1f} / {ten_ms - hold_ms:.1f} ms: "
              f"gate statement, build and DKIM, envelope round trip, claims, the end of the pass); a bare smtplib "
              f"thread every {bare_ms:.1f} ms")
    if c10:
        pg_ms = per_msg(c10, "pg")
        w_ms = per_msg(c10, "worker")
        print(f"\nsizing inputs (relay rows, DKIM on, median message {results.get('size', 0) / 1024:.1f} KiB): "
              f"worker {w_ms:.2f} ms CPU/message -> one worker core ~{1000 / w_ms:,.0f} msg/s; PostgreSQL "
              f"{pg_ms:.2f} ms CPU/message -> one PostgreSQL core ~{1000 / pg_ms:,.0f} msg/s "
              f"(~{86400 * 1000 / pg_ms / 1e6:.0f} million a day)")


def main(argv: list[str] | None = None) -> int:
    """Create the database, run every block, print the table, drop the database."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer messages and 2 repetitions (~2 minutes)")
    parser.add_argument("--reps", type=int, default=None, help="repetitions per figure (default 3; quick 2)")
    parser.add_argument("--hold", type=float, default=0.1, help="relay seconds before each end-of-data reply")
    parser.add_argument("--latency-sink", choices=("count", "keep"), default="count",
                        help="the relay rows' sink: count (minimal, default) or keep (tests/smtp_sink)")
    parser.add_argument("--only", choices=("relay", "loopback"), default=None,
                        help="run only the relay rows (1-3) or only the loopback rows (4); DKIM (5) always runs")
    parser.add_argument("--postgres", default=DEFAULT_PG,
                        help="a server URL to connect to for CREATE DATABASE; the bench works in its own database")
    args = parser.parse_args(argv)
    args.reps = args.reps or (2 if args.quick else 3)
    args.loop_reps = args.reps if args.quick else args.reps + 2  # short runs, and the noisiest: more of them
    scale = 0.4 if args.quick else 1.0
    args.n1 = int(100 * scale)  # ~10 s at concurrency 1 behind a 100 ms relay
    args.n10 = int(1000 * scale)
    args.nloop = int(2000 * scale)
    started = time.perf_counter()
    print(f"bench_relay: {args.reps} repetitions ({args.loop_reps} of the loopback rows); relay rows {args.n1} (c=1) / {args.n10} (c=10) / {2 * args.n10} "
          f"(two workers) messages, loopback rows {args.nloop}; {os.cpu_count()} cores, Python "
          f"{sys.version.split()[0]}", flush=True)
    idle = Machine()
    time.sleep(1.0)
    print(f"load before starting: {idle.finish():.2f} of {os.cpu_count()} cores busy (other processes)", flush=True)

    results: dict = {}
    dkim_ratio, dkim_out = run_dkim_bench(100 if args.quick else 200, args.reps)
    print(dkim_out, flush=True)
    results["dkim"] = dkim_ratio

    os.environ["CRM_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()  # the parent and the workers share it
    dbname = f"bench_relay_{uuid.uuid4().hex[:10]}"
    admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{dbname}"'))
    url = make_url(args.postgres).set(database=dbname).render_as_string(hide_password=False)
    rig = None
    try:
        upgrade(url)
        with tempfile.TemporaryDirectory(prefix="bench-relay-") as instance:
            rig = Rig(url, dbname, max(2 * args.n10, args.nloop), instance)
            if args.only != "loopback":
                relay_block(rig, args, results)
            if args.only != "relay":
                loopback_block(rig, args, results)
    finally:
        if rig is not None:
            rig.bench.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)'))
        admin.dispose()
    report(results, args)
    print(f"total bench time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
