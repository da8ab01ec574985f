"""Benchmark: the outbox dispatcher (claim, render, send, mark) against same-run baselines.

    .venv/bin/python bench/bench_dispatch.py [--messages 5000] [--reps 5]
                                             [--postgres URL | --no-postgres] [--profile]

Everything is measured in one run on this machine; every figure is compared with a baseline
measured in the same run: --messages per figure, split over --reps repetitions (default 5 x 1000
messages), the median of the repetitions' rates, each repetition interleaved with its baseline:

1. one worker, dispatching the due messages to a local aiosmtpd sink (own process)
   vs a bare smtplib loop sending the same pre-built bytes over one connection -- target >= 60 %
   (SQLite and PostgreSQL);
2. two worker processes on PostgreSQL vs one worker process (same child program, started
   together after warm-up; wall time until every message is marked sent; each worker sends to
   its own sink process, as to a relay with many processes) -- target >= 1.6x; (2b, information:
   two workers sharing one sink);
3. claim + mark_sent alone (no render, no SMTP) vs one worker's dispatch rate -- target >= 5x;
   (3b, PostgreSQL, information only: the same with synchronous_commit off, the cost of durability);
4. the dispatcher rendering at send time vs the same dispatcher handed pre-built bytes, both
   sending to the SMTP sink -- target >= 90 %; and (4b) the same pair with a transport that
   only counts, which shows render+MIME against the bare claim/gate/mark pipeline.

Messages are the seller's own words (template "written"), one buyer each, in 7 locales;
every 4th is marketing (unsubscribe token, List-Unsubscribe, cap check, send log). No DKIM key.
Then an extra timed pass shows where one worker's time goes (wall and CPU ms per message, SQL
statements per message). Missed targets print MISSED; the exit status is 0 unless
the benchmark itself broke. Other processes busy on the machine distort everything: the load
before the run is measured and a warning printed when it is not idle.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, delete, event, func, insert, select, text  # noqa: E402

from config import load_config  # noqa: E402
from crossborder_crm.accounts.service import create_seller  # noqa: E402
from crossborder_crm.buyers.models import Buyer  # noqa: E402
from crossborder_crm.clock import SystemClock  # noqa: E402
from crossborder_crm.container import Services  # noqa: E402
from crossborder_crm.db import Database  # noqa: E402
from crossborder_crm.migrate import upgrade  # noqa: E402
from crossborder_crm.outbox.backends import BaseTransport, SmtpTransport  # noqa: E402
from crossborder_crm.outbox.mime import make_message_id  # noqa: E402
from crossborder_crm.outbox.models import Message, SendLog  # noqa: E402
from crossborder_crm.outbox.store import Claimed, OutboxStore  # noqa: E402
from crossborder_crm.worker import make_dispatcher  # noqa: E402

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MAIL_DOMAIN = "crm.test"
LOCALES = [("en", "US", "Alex Miller"), ("de-DE", "DE", "Jürgen Müller"), ("fr-FR", "FR", "Maëlle Dubois"),
           ("ja-JP", "JP", "田中 健二"), ("zh-CN", "CN", "王伟"), ("es-ES", "ES", "Lucía López"),
           ("ar", "EG", "أحمد علي")]
BODY = ("Hello {name},\n\nyour order #{n} left our warehouse in Shenzhen today and should reach you in "
        "7-12 days. The tracking number is LX{n:09d}CN; the carrier's page updates once the parcel "
        "clears customs.\n\nIf anything is wrong with the order — size, colour, address — just reply "
        "to this email and we will fix it before it ships again.\n\nThank you for shopping with us!\n"
        "Grüße / 祝好 / Saludos")

# --------------------------------------------------------------------------- the sink process

SINK_CODE = r"""
import json, sys, time
sys.path.insert(0, sys.argv[1])
from tests.smtp_sink import SmtpSink
sink = SmtpSink(hostname="sink.bench").start()
print(sink.port, flush=True)
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "take":          # messages received since the last take (then forgotten)
        with sink._lock:
            n = len(sink.messages)
            sink.messages.clear()
        print(json.dumps({"count": n, "cpu": time.process_time(), "conns": sink.connections}), flush=True)
    elif cmd == "quit":
        break
sink.stop()
"""


class SinkProcess:
    """tests.smtp_sink.SmtpSink in its own process, so its CPU is not under the workers' GIL."""

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-c", SINK_CODE, str(ROOT)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1, cwd=str(ROOT))
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            raise RuntimeError(f"SMTP sink did not start: {line!r}")
        self.port = int(line)

    def take(self) -> dict:
        self.proc.stdin.write("take\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(10)
            except Exception:  # noqa: BLE001
                self.proc.kill()
                self.proc.wait()


# --------------------------------------------------------------------------- helpers

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
        m1, pg1 = cpu_snapshot(), postgres_ticks()
        busy, total = m1[0] - self.m0[0], m1[1] - self.m0[1]
        ncpu = os.cpu_count() or 1
        per_core = total / ncpu if total else float("nan")  # jiffies of one core during the section
        hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        machine, pg, ours = busy / per_core, (pg1 - self.pg0) / per_core, ours_seconds * hz / per_core
        others = max(0.0, machine - pg - ours)
        OTHER_LOAD.append(others)
        return {"machine": machine, "pg": pg, "ours": ours, "others": others}


def with_search_path(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def settings_for(url: str, smtp_port: int) -> dict:
    return load_config("test", {"DATABASE_URL": url, "MAIL_BACKEND": "smtp",
                                "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}?helo=bench.local",
                                "SMTP_TIMEOUT": 10.0, "MAIL_FROM_DOMAIN": MAIL_DOMAIN,
                                "PUBLIC_URL": "https://crm.example.com", "SECRET_KEY": "bench-secret"})


class CountingTransport(BaseTransport):
    """A transport that accepts everything and only counts: isolates the engine from SMTP."""

    def __init__(self):
        self.count = 0
        self.bytes = 0

    def open(self) -> None:
        return None

    def send(self, envelope_from, recipients, message) -> None:
        self.count += 1
        self.bytes += len(message)

    def close(self) -> None:
        return None


@dataclass
class Series:
    """Repeated measurements of one figure (messages per second)."""

    rates: list[float] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.rates) if self.rates else float("nan")

    def spread(self) -> str:
        if not self.rates:
            return "not run"
        return f"{min(self.rates):,.0f}..{max(self.rates):,.0f} (n={len(self.rates)})"


# --------------------------------------------------------------------------- one database

class Bench:
    """One migrated database with a seller and one buyer per message."""

    def __init__(self, name: str, url: str, sink: SinkProcess, messages: int):
        self.name, self.url, self.sink, self.n = name, url, sink, messages
        self.db = Database(url)
        self.settings = settings_for(url, sink.port)
        self.svc = Services(self.db, self.settings, SystemClock())
        now = datetime.now(timezone.utc)
        seller = create_seller(self.db, SystemClock(), "Shenzhen Outdoor Co.", f"bench-{uuid.uuid4().hex[:8]}@example.com",
                               "bench password 1", postal_address="Room 1203, 88 Keyuan Rd, Nanshan, Shenzhen, CN")
        self.seller_id, self.seller_key = seller.seller_id, seller.seller_key
        base = dict(seller_id=self.seller_id, timezone="UTC", timezone_source="given", timezone_confidence="high",
                    timezone_explanation="", language_source="given", language_explanation="", tags=[],
                    consent_status="granted", created_at=now, updated_at=now)
        rows = []
        for i in range(messages):
            loc, country, name = LOCALES[i % len(LOCALES)]
            rows.append(dict(base, name=f"{name} {i}", email=f"buyer{i}@example.net", country=country, language=loc))
        with self.db.transaction() as s:
            s.execute(insert(Buyer), rows)
            self.buyers = [tuple(r) for r in s.execute(select(Buyer.id, Buyer.language, Buyer.name)
                                                        .where(Buyer.seller_id == self.seller_id).order_by(Buyer.id))]
        self.round = 0
        self.last_cpu_ms = float("nan")  # this process's CPU per message in the last timed loop
        self.last_load: dict = {}  # LoadProbe result of the last bare smtplib loop

    def seed(self, n: int | None = None) -> None:
        """Empty the outbox and put n messages in it, all due a minute ago."""
        n = self.n if n is None else n
        self.round += 1
        now = datetime.now(timezone.utc)
        due = now - timedelta(minutes=1)
        rows = []
        for i in range(n):
            buyer_id, locale, name = self.buyers[i % len(self.buyers)]
            key = f"bench:{self.round}:{i}"
            kind = "marketing" if i % 4 == 0 else "transactional"
            rows.append(dict(seller_id=self.seller_id, buyer_id=buyer_id, kind=kind, origin="written",
                             idempotency_key=key, rfc_message_id=make_message_id(self.seller_key, key, MAIL_DOMAIN),
                             locale=locale, template=None, context={},
                             subject=f"Your order #{100000 + i} has shipped", body=BODY.format(name=name, n=i),
                             scheduled_at=due, explanation="bench", status="scheduled", due_at=due, attempts=0,
                             created_at=now, updated_at=now))
        with self.db.transaction() as s:
            s.execute(delete(SendLog))
            s.execute(delete(Message))
            s.execute(insert(Message), rows)
        if self.db.dialect == "postgresql":  # fresh statistics, as autovacuum would give a live table
            with self.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE messages"))
                conn.execute(text("VACUUM ANALYZE send_log"))

    def counts(self) -> dict:
        with self.db.reading() as s:
            return dict(s.execute(select(Message.status, func.count()).group_by(Message.status)).all())

    def check_all_sent(self, what: str, n: int | None = None) -> None:
        n = self.n if n is None else n
        counts = self.counts()
        if counts != {"sent": n}:
            raise RuntimeError(f"{self.name} {what}: expected {n} sent, found {counts}")

    def prepared(self) -> list[tuple[int, str, str, bytes]]:
        """(id, envelope from, recipient, RFC 5322 bytes) of every scheduled message, built beforehand
        by the dispatcher's own build() (render + mime.build_message)."""
        d = make_dispatcher(self.svc, "bench:prepare")
        now = datetime.now(timezone.utc)
        with self.db.reading() as s:
            rows = s.execute(
                select(Message.id, Message.seller_id, Message.buyer_id, Message.kind, Message.idempotency_key,
                       Message.rfc_message_id, Message.locale, Message.template, Message.context,
                       Message.subject, Message.body, Message.attempts, Buyer.name, Buyer.email, Buyer.country)
                .join(Buyer, Buyer.id == Message.buyer_id).where(Message.status == "scheduled")
                .order_by(Message.due_at, Message.id)).all()
        out = []
        for row in rows:
            msg = Claimed(*row)
            sender = d._sender(msg.seller_id)
            env_from = sender.from_email or f"no-reply@{MAIL_DOMAIN}"
            out.append((msg.id, env_from, msg.buyer_email, d.build(msg, sender, msg.buyer_email, now)))
        return out

    # ---- measurements: each returns messages per second

    def bare_smtp(self, prepared) -> float:
        sink0 = self.sink.take()
        probe = LoadProbe()
        t0, c0 = time.perf_counter(), time.process_time()
        smtp = smtplib.SMTP("127.0.0.1", self.sink.port, local_hostname="bench.local", timeout=10)
        for _, env_from, rcpt, raw in prepared:
            smtp.sendmail(env_from, [rcpt], raw)
        smtp.quit()
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - c0
        self.last_cpu_ms = cpu * 1000 / len(prepared)
        sink1 = self.sink.take()
        self.last_load = probe.finish(cpu + sink1["cpu"] - sink0["cpu"])
        got = sink1["count"]
        if got != len(prepared):
            raise RuntimeError(f"bare smtplib loop: sink received {got}, sent {len(prepared)}")
        return len(prepared) / elapsed

    def transport_loop(self, prepared) -> float:
        """Our SmtpTransport sending the same prepared bytes (pipelined when the sink offers it):
        shows how much of the worker's time is SMTP once the dispatcher's own work is taken out."""
        self.sink.take()
        t0 = time.perf_counter()
        with SmtpTransport.from_url(self.settings["SMTP_URL"], timeout=10) as transport:
            for _, env_from, rcpt, raw in prepared:
                transport.send(env_from, [rcpt], raw)
            self.pipelined = transport.pipelined_transactions == len(prepared)
        elapsed = time.perf_counter() - t0
        got = self.sink.take()["count"]
        if got != len(prepared):
            raise RuntimeError(f"transport loop: sink received {got}, sent {len(prepared)}")
        return len(prepared) / elapsed

    def dispatch_smtp(self, profile: cProfile.Profile | None = None,
                      prebuilt: dict[int, bytes] | None = None) -> tuple[float, dict]:
        """One in-process worker to the sink; (messages/s, where the machine's CPU went).
        With `prebuilt`, build() is a lookup: the same send path with bodies rendered beforehand."""
        d = make_dispatcher(self.svc, f"bench-inproc:{self.round}")
        if prebuilt is not None:
            d.build = lambda msg, sender, to_email, now: prebuilt[msg.id]
        sink0 = self.sink.take()
        probe = LoadProbe()
        t0, c0 = time.perf_counter(), time.process_time()
        if profile is not None:
            profile.enable()
        result = d.run_pass()
        if profile is not None:
            profile.disable()
        elapsed = time.perf_counter() - t0
        cpu = time.process_time() - c0
        self.last_cpu_ms = cpu * 1000 / self.n
        sink1 = self.sink.take()
        load = probe.finish(cpu + sink1["cpu"] - sink0["cpu"])
        got = sink1["count"]
        if result.sent != self.n or got != self.n:
            raise RuntimeError(f"{self.name} dispatch: {result}, sink received {got}")
        self.check_all_sent("dispatch")
        return self.n / elapsed, load

    def claim_mark(self, durable: bool = True) -> float:
        """claim + mark_sent per message on one pinned connection, as the dispatcher runs them.
        durable=False (PostgreSQL, for information only): the same with synchronous_commit off,
        which shows what waiting for the disk costs; the product never runs that way."""
        store = OutboxStore(self.db)
        worker, lease, batch = f"bench-claim:{self.round}", timedelta(seconds=120), self.settings["DISPATCH_BATCH_SIZE"]
        clock = SystemClock()
        done = 0
        t0 = time.perf_counter()
        with store.pinned():  # one connection per pass, as the dispatcher runs it
            if not durable:
                store._conn.exec_driver_sql("SET synchronous_commit TO off")
            while True:
                claimed = store.claim(worker, clock.now(), batch, lease)
                if not claimed:
                    break
                for msg in claimed:
                    done += store.mark_sent(msg, worker, clock.now(), msg.buyer_email)
            if not durable:
                store._conn.exec_driver_sql("RESET synchronous_commit")
        elapsed = time.perf_counter() - t0
        if done != self.n:
            raise RuntimeError(f"claim/mark marked {done} of {self.n}")
        self.check_all_sent("claim/mark")
        return self.n / elapsed

    def dispatch_counting(self, prebuilt: dict[int, bytes] | None) -> float:
        """The dispatcher path with a counting transport; with `prebuilt`, build() is a lookup."""
        d = make_dispatcher(self.svc, f"bench-count:{self.round}")
        transport = CountingTransport()
        d.transport_factory = lambda: transport
        if prebuilt is not None:
            d.build = lambda msg, sender, to_email, now: prebuilt[msg.id]
        t0 = time.perf_counter()
        result = d.run_pass()
        elapsed = time.perf_counter() - t0
        if result.sent != self.n or transport.count != self.n:
            raise RuntimeError(f"{self.name} counting dispatch: {result}, transport saw {transport.count}")
        return self.n / elapsed

    def breakdown(self, n: int) -> dict:
        """One more one-worker pass to the sink with every step timed: ms per message of each part,
        SQL statements, pool checkouts and commits per message (this pass is not one of the rates)."""
        import crossborder_crm.outbox.dispatcher as dmod

        self.seed(n)
        totals: dict[str, float] = defaultdict(float)
        cpu: dict[str, float] = defaultdict(float)
        counters: dict[str, int] = defaultdict(int)

        def timed(name, fn):
            def wrapper(*a, **kw):
                t, c = time.perf_counter(), time.process_time()
                try:
                    return fn(*a, **kw)
                finally:
                    totals[name] += time.perf_counter() - t
                    cpu[name] += time.process_time() - c
            return wrapper

        def count(name):
            def listener(*_a, **_kw):
                counters[name] += 1
            return listener

        listeners = [(self.db.engine, "before_cursor_execute", count("SQLAlchemy statements")),
                     (self.db.engine.pool, "checkout", count("pool checkouts"))]
        for target, name, fn in listeners:
            event.listen(target, name, fn)
        orig_render, orig_build = dmod.render, dmod.build_message
        dmod.render = timed("render (cached frame or Jinja, both parts)", orig_render)
        dmod.build_message = timed("mime.build_message", orig_build)
        try:
            d = make_dispatcher(self.svc, f"bench-breakdown:{self.round}")
            for name in ("claim", "sender", "gate"):
                setattr(d.store, name, timed(f"store.{name}", getattr(d.store, name)))
            settle_label = "waiting for the previous message's mark (settle)"
            d._settle = timed(settle_label, d._settle)
            run = d.store._run  # the per-message statements go straight to the driver

            def counted_run(*args):
                counters["driver statements"] += 1
                return run(*args)

            d.store._run = counted_run
            factory = d.transport_factory

            finish_label = "SMTP finish (replies, body, end of data), without the settle"

            def transport():
                t = factory()
                t.begin = timed("SMTP begin (envelope written)", t.begin)
                finish = t.finish

                def finish_without_settle(**kwargs):  # the settle inside it is counted on its own
                    w, c = totals[settle_label], cpu[settle_label]
                    timed(finish_label, finish)(**kwargs)
                    totals[finish_label] -= totals[settle_label] - w
                    cpu[finish_label] -= cpu[settle_label] - c

                t.finish = finish_without_settle
                return t

            d.transport_factory = transport
            self.sink.take()
            t0, c0 = time.perf_counter(), time.process_time()
            result = d.run_pass()
            total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
        finally:
            dmod.render, dmod.build_message = orig_render, orig_build
            for target, name, fn in listeners:
                event.remove(target, name, fn)
        got = self.sink.take()["count"]
        if result.sent != n or got != n:
            raise RuntimeError(f"{self.name} breakdown pass: {result}, sink received {got}")
        parts = {k: (v * 1000 / n, cpu[k] * 1000 / n) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}
        # build() = render + build_message + the unsubscribe token and small glue; report the glue apart
        parts["everything else (dispatcher and build() glue)"] = (
            total * 1000 / n - sum(w for w, _ in parts.values()), total_cpu * 1000 / n - sum(c for _, c in parts.values()))
        return {"n": n, "total_ms": total * 1000 / n, "total_cpu_ms": total_cpu * 1000 / n, "parts": parts,
                "per_message": {k: v / n for k, v in counters.items()}}

    def warm_up(self) -> None:
        """A small pass first: templates compiled, connections pooled (a long-running worker is warm)."""
        self.seed(min(self.n, 70))
        make_dispatcher(self.svc, "bench-warm").run_pass()
        self.sink.take()

    def close(self) -> None:
        self.db.dispose()


# --------------------------------------------------------------------------- worker processes

def child_main(argv: list[str]) -> None:
    """A worker process: build the dispatcher from settings, warm up, wait for 'go', run one pass."""
    url, port, worker = argv[0], int(argv[1]), argv[2]
    settings = settings_for(url, port)
    db = Database(url)
    svc = Services(db, settings, SystemClock())
    d = make_dispatcher(svc, worker)
    with db.reading() as s:  # open a pooled connection
        s.execute(text("SELECT 1"))
        seller_id = s.scalar(select(Message.seller_id).limit(1))
    sender = d._sender(seller_id)
    now = datetime.now(timezone.utc)
    for i, (loc, _, name) in enumerate(LOCALES):  # compile the templates of every locale once
        fake = Claimed(0, seller_id, 0, "marketing" if i % 2 else "transactional", "warm", "<warm@crm.test>", loc,
                       None, {}, "warm", "warm", 1, name, "warm@example.net", "US")
        d.build(fake, sender, "warm@example.net", now)
    d._senders.clear()
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    result = d.run_pass()
    print(json.dumps({"sent": result.sent, "claimed": result.claimed, "errors": result.errors,
                      "lost": result.lost_lease, "elapsed": time.perf_counter() - t0,
                      "cpu": time.process_time() - cpu0}), flush=True)
    sys.stdin.readline()  # stay connected until the parent has read the machine's CPU counters
    db.dispose()


def run_workers(bench: Bench, sinks: list[SinkProcess]) -> dict:
    """One worker process per sink, started together; wall time from 'go' until all messages are
    marked sent. A sink may be listed twice (two workers sharing one SMTP server process)."""
    k = len(sinks)
    procs = [subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "_child", bench.url, str(sink.port),
                               f"bench-proc{k}-{i}:{bench.round}"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, bufsize=1, cwd=str(ROOT))
             for i, sink in enumerate(sinks)]
    distinct = list({id(sink): sink for sink in sinks}.values())
    try:
        for p in procs:
            line = p.stdout.readline()
            if line.strip() != "ready":
                raise RuntimeError(f"worker process did not start: {line!r}")
        before = [sink.take() for sink in distinct]
        probe = LoadProbe()
        t0 = time.perf_counter()
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        reports = [json.loads(p.stdout.readline()) for p in procs]
        wall = time.perf_counter() - t0
        after = [sink.take() for sink in distinct]
        received = sum(a["count"] for a in after)
        sink_cpu = sum(a["cpu"] - b["cpu"] for a, b in zip(after, before))
        load = probe.finish(sum(r["cpu"] for r in reports) + sink_cpu)
        for p in procs:  # their PostgreSQL backends lived until now, so their CPU was counted
            p.stdin.write("bye\n")
            p.stdin.flush()
        for p in procs:
            p.wait(30)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    sent = sum(r["sent"] for r in reports)
    if sent != bench.n or received != bench.n:
        raise RuntimeError(f"{k} workers: reports {reports}, sinks received {received}")
    bench.check_all_sent(f"{k} workers")
    return {"rate": bench.n / wall, "load": load, "busy": load["machine"], "worker_cpu": sum(r["cpu"] for r in reports),
            "sink_cpu": sink_cpu, "wall": wall, "split": [r["sent"] for r in reports]}


# --------------------------------------------------------------------------- report

@dataclass
class Row:
    label: str
    figure: str
    baseline: str
    ratio: float
    target: float
    unit: str  # "%" or "x"
    note: str = ""

    def verdict(self) -> str:
        if self.ratio != self.ratio:  # nan
            return "NOT RUN"
        if self.target != self.target:  # a figure shown for information, with no target
            return "(info)"
        return "PASS" if self.ratio >= self.target else "MISSED"

    def ratio_text(self) -> str:
        if self.ratio != self.ratio:
            return "-"
        if self.target != self.target:
            return f"{self.ratio * 100:.0f} %" if self.unit == "%" else f"{self.ratio:.2f}x"
        if self.unit == "%":
            return f"{self.ratio * 100:.0f} % (target >= {self.target * 100:.0f} %)"
        return f"{self.ratio:.2f}x (target >= {self.target:.1f}x)"


def rate(v: float) -> str:
    return "-" if v != v else f"{v:,.0f} msg/s"


def print_profile(prof: cProfile.Profile, title: str, limit: int = 25) -> None:
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    stats.sort_stats("cumulative").print_stats(limit)
    print(f"\n---- cProfile: {title} (sorted by cumulative time) ----")
    print(out.getvalue())
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(20)
    print(f"---- cProfile: {title} (sorted by own time) ----")
    print(out.getvalue())


# --------------------------------------------------------------------------- main

def measure_db(bench: Bench, reps: int, results: dict, profile: bool) -> None:
    name = bench.name
    bench.warm_up()
    bare, disp, busy1 = Series(), Series(), []
    cm, live, pre, pre_smtp, tloop, cm_async = Series(), Series(), Series(), Series(), Series(), Series()
    for _ in range(reps):
        bench.seed()
        prepared = bench.prepared()
        bare.rates.append(bench.bare_smtp(prepared))
        bench.seed()
        tloop.rates.append(bench.transport_loop(bench.prepared()))
        bare.extra.setdefault("cpu", []).append(bench.last_cpu_ms)
        bare_load = bench.last_load
        r, load = bench.dispatch_smtp()
        busy = load["machine"]
        disp.rates.append(r)
        disp.extra.setdefault("cpu", []).append(bench.last_cpu_ms)
        busy1.append(busy)
        bench.seed()
        pre_smtp.rates.append(bench.dispatch_smtp(prebuilt={mid: raw for mid, _, _, raw in bench.prepared()})[0])
        print(f"  [{name}] bare smtplib {bare.rates[-1]:,.0f} msg/s (others' load {bare_load['others']:.2f} cores), "
              f"our transport alone {tloop.rates[-1]:,.0f} msg/s "
              f"({'pipelined' if bench.pipelined else 'not pipelined'}), "
              f"one worker {r:,.0f} msg/s ({busy:.2f} cores busy: ours {load['ours']:.2f}, PostgreSQL "
              f"{load['pg']:.2f}, others {load['others']:.2f}), same worker with pre-built bodies "
              f"{pre_smtp.rates[-1]:,.0f} msg/s", flush=True)
    for _ in range(reps):
        bench.seed()
        cm.rates.append(bench.claim_mark())
        if bench.db.dialect == "postgresql":
            bench.seed()
            cm_async.rates.append(bench.claim_mark(durable=False))
        bench.seed()
        prebuilt = {mid: raw for mid, _, _, raw in bench.prepared()}
        pre.rates.append(bench.dispatch_counting(prebuilt))
        bench.seed()
        live.rates.append(bench.dispatch_counting(None))
        print(f"  [{name}] claim+mark {cm.rates[-1]:,.0f} msg/s, counting transport: pre-built "
              f"{pre.rates[-1]:,.0f} msg/s, rendered live {live.rates[-1]:,.0f} msg/s", flush=True)
    disp.extra["busy"] = statistics.median(busy1)
    results[name] = {"bare": bare, "disp": disp, "cm": cm, "live": live, "pre": pre, "pre_smtp": pre_smtp,
                     "tloop": tloop, "cm_async": cm_async,
                     "breakdown": bench.breakdown(min(bench.n, 500))}
    if profile:
        bench.seed()
        prof = cProfile.Profile()
        r, _ = bench.dispatch_smtp(prof)
        print_profile(prof, f"one worker on {name}, {bench.n} messages, {r:,.0f} msg/s under the profiler")


def measure_workers(bench: Bench, reps: int, results: dict) -> None:
    """One worker with its sink; two workers with a sink each (an SMTP relay runs many processes;
    one aiosmtpd event loop would be the bottleneck being measured); two sharing one sink."""
    one, two, shared = Series(), Series(), Series()
    details = {1: [], 2: [], "shared": []}
    second = SinkProcess()
    try:
        for _ in range(reps):
            for k, series, sinks in ((1, one, [bench.sink]), (2, two, [bench.sink, second]),
                                     ("shared", shared, [bench.sink, bench.sink])):
                bench.seed()
                info = run_workers(bench, sinks)
                series.rates.append(info["rate"])
                details[k].append(info)
                print(f"  [{bench.name}] {len(sinks)} worker process(es), {len({id(x) for x in sinks})} sink(s): "
                      f"{info['rate']:,.0f} msg/s in {info['wall']:.2f} s, "
                      f"split {info['split']}, {info['busy']:.2f} of {os.cpu_count()} cores busy (PostgreSQL "
                      f"{info['load']['pg']:.2f}, others {info['load']['others']:.2f}), "
                      f"worker CPU {info['worker_cpu']:.2f} s, sink CPU {info['sink_cpu']:.2f} s", flush=True)
    finally:
        second.stop()
    results["workers"] = {"one": one, "two": two, "shared": shared, "details": details}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=5000,
                        help="messages per figure, split evenly over the repetitions (default 5 x 1000)")
    parser.add_argument("--reps", type=int, default=5, help="repetitions per figure (the median is reported)")
    parser.add_argument("--postgres", default=DEFAULT_PG, help="server URL; a fresh schema is used and dropped")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--profile", action="store_true", help="cProfile one extra one-worker pass per database")
    args = parser.parse_args(argv)
    if args.reps < 1 or args.messages < args.reps * 10:
        parser.error("need --reps >= 1 and at least 10 messages per repetition")
    n = args.messages // args.reps  # messages per repetition
    started = time.perf_counter()
    print(f"bench_dispatch: {args.reps} repetitions x {n} messages per figure, {os.cpu_count()} CPU cores, "
          f"Python {sys.version.split()[0]}", flush=True)

    results: dict = {}
    notes: list[str] = []
    before = cpu_snapshot()
    time.sleep(1.0)
    background = cores_busy(before, cpu_snapshot())
    print(f"background load before starting: {background:.2f} of {os.cpu_count()} cores busy", flush=True)
    if background > 0.25:
        notes.append(f"WARNING: other processes kept {background:.2f} of {os.cpu_count()} cores busy before the "
                     f"run; absolute figures (and ratios whose two sides load the machine differently) are "
                     f"disturbed -- rerun on an idle machine")
    sink = SinkProcess()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-dispatch-") as tmp:
            url = f"sqlite:///{Path(tmp) / 'crm.sqlite3'}"
            upgrade(url)
            bench = Bench("SQLite", url, sink, n)
            try:
                measure_db(bench, args.reps, results, args.profile)
            finally:
                bench.close()
        if not args.no_postgres:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = None
            try:
                admin = create_engine(args.postgres)
                with admin.begin() as conn:
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            except Exception as exc:  # noqa: BLE001 - report, do not hide
                notes.append(f"PostgreSQL not run: {type(exc).__name__}: {exc}".splitlines()[0])
                print(notes[-1], flush=True)
                schema = None
            if schema:
                try:
                    url = with_search_path(args.postgres, schema)
                    upgrade(url)
                    bench = Bench("PostgreSQL", url, sink, n)
                    try:
                        measure_db(bench, args.reps, results, args.profile)
                        measure_workers(bench, args.reps, results)
                    finally:
                        bench.close()
                finally:
                    with admin.begin() as conn:
                        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                    admin.dispose()
    finally:
        sink.stop()

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
        print("    (each message's mark is committed while the next one is checked, rendered and transferred "
              "-- in a helper thread on PostgreSQL -- and settled just before that one's end of data)")
        print(f"    per message on the dispatcher's connection: {pm.get('driver statements', 0):.2f} statements "
              f"straight to the driver (autocommit: each its own transaction; on PostgreSQL the marks run on "
              f"the marks thread's connection instead), {pm.get('SQLAlchemy statements', 0):.2f} through "
              f"SQLAlchemy (claims, BEGIN/COMMIT of the claim), {pm.get('pool checkouts', 0):.2f} pool checkouts")
    if w:
        one_inproc = results["PostgreSQL"]["disp"].median
        d1 = w["details"][1]
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
    print(f"total bench time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "_child":
        child_main(sys.argv[2:])
        sys.exit(0)
    sys.exit(main())
