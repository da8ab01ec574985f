"""bench_dispatch: the timed runs, the worker's and its same-run baselines; each returns messages per second."""
from __future__ import annotations

import cProfile
import smtplib
import time
from datetime import timedelta

from dispatch_load import LoadProbe
from dispatch_setup import Bench

from crossborder_crm.clock import SystemClock
from crossborder_crm.outbox.backends import BaseTransport, SmtpTransport
from crossborder_crm.outbox.store import OutboxStore
from crossborder_crm.worker import make_dispatcher


class CountingTransport(BaseTransport):
    """A transport that accepts everything and only counts: isolates the engine from SMTP."""

    def __init__(self):
        self.count = 0
        self.bytes = 0

    def open(self) -> None:
        """Nothing to connect."""
        return None

    def send(self, envelope_from, recipients, message) -> None:
        """Count the message and its bytes."""
        self.count += 1
        self.bytes += len(message)

    def close(self) -> None:
        """Nothing to close."""
        return None


def bare_smtp(bench: Bench, prepared) -> float:
    """A bare smtplib loop sending the prepared bytes over one connection: the baseline of figure 1."""
    sink0 = bench.sink.take()
    probe = LoadProbe()
    t0, c0 = time.perf_counter(), time.process_time()
    smtp = smtplib.SMTP("127.0.0.1", bench.sink.port, local_hostname="bench.local", timeout=10)
    for _, env_from, rcpt, raw in prepared:
        smtp.sendmail(env_from, [rcpt], raw)
    smtp.quit()
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    bench.last_cpu_ms = cpu * 1000 / len(prepared)
    sink1 = bench.sink.take()
    bench.last_load = probe.finish(cpu + sink1["cpu"] - sink0["cpu"])
    got = sink1["count"]
    if got != len(prepared):
        raise RuntimeError(f"bare smtplib loop: sink received {got}, sent {len(prepared)}")
    return len(prepared) / elapsed


def transport_loop(bench: Bench, prepared) -> float:
    """Our SmtpTransport sending the same prepared bytes (pipelined when the sink offers it):
    shows how much of the worker's time is SMTP once the dispatcher's own work is taken out."""
    bench.sink.take()
    t0 = time.perf_counter()
    with SmtpTransport.from_url(bench.settings["SMTP_URL"], timeout=10) as transport:
        for _, env_from, rcpt, raw in prepared:
            transport.send(env_from, [rcpt], raw)
        bench.pipelined = transport.pipelined_transactions == len(prepared)
    elapsed = time.perf_counter() - t0
    got = bench.sink.take()["count"]
    if got != len(prepared):
        raise RuntimeError(f"transport loop: sink received {got}, sent {len(prepared)}")
    return len(prepared) / elapsed


def dispatch_smtp(bench: Bench, profile: cProfile.Profile | None = None,
                  prebuilt: dict[int, bytes] | None = None) -> tuple[float, dict]:
    """One in-process worker to the sink; (messages/s, where the machine's CPU went).
    With `prebuilt`, build() is a lookup: the same send path with bodies rendered beforehand."""
    d = make_dispatcher(bench.svc, f"bench-inproc:{bench.round}")
    if prebuilt is not None:
        d.build = lambda msg, sender, to_email, now: prebuilt[msg.id]
    sink0 = bench.sink.take()
    probe = LoadProbe()
    t0, c0 = time.perf_counter(), time.process_time()
    if profile is not None:
        profile.enable()
    result = d.run_pass()
    if profile is not None:
        profile.disable()
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    bench.last_cpu_ms = cpu * 1000 / bench.n
    sink1 = bench.sink.take()
    load = probe.finish(cpu + sink1["cpu"] - sink0["cpu"])
    got = sink1["count"]
    if result.sent != bench.n or got != bench.n:
        raise RuntimeError(f"{bench.name} dispatch: {result}, sink received {got}")
    bench.check_all_sent("dispatch")
    return bench.n / elapsed, load


def claim_mark(bench: Bench, durable: bool = True) -> float:
    """claim + mark_sent per message on one pinned connection, as the dispatcher runs them.
    durable=False (PostgreSQL, for information only): the same with synchronous_commit off,
    which shows what waiting for the disk costs; the product never runs that way."""
    store = OutboxStore(bench.db)
    worker, lease, batch = f"bench-claim:{bench.round}", timedelta(seconds=120), bench.settings["DISPATCH_BATCH_SIZE"]
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
    if done != bench.n:
        raise RuntimeError(f"claim/mark marked {done} of {bench.n}")
    bench.check_all_sent("claim/mark")
    return bench.n / elapsed


def dispatch_counting(bench: Bench, prebuilt: dict[int, bytes] | None) -> float:
    """The dispatcher path with a counting transport; with `prebuilt`, build() is a lookup."""
    d = make_dispatcher(bench.svc, f"bench-count:{bench.round}")
    transport = CountingTransport()
    d.transport_factory = lambda: transport
    if prebuilt is not None:
        d.build = lambda msg, sender, to_email, now: prebuilt[msg.id]
    t0 = time.perf_counter()
    result = d.run_pass()
    elapsed = time.perf_counter() - t0
    if result.sent != bench.n or transport.count != bench.n:
        raise RuntimeError(f"{bench.name} counting dispatch: {result}, transport saw {transport.count}")
    return bench.n / elapsed
