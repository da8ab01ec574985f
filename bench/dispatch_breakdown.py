"""bench_dispatch: where one worker's time goes, every step of a dispatch pass timed on its own."""
from __future__ import annotations

import time
from collections import defaultdict

from dispatch_setup import Bench
from sqlalchemy import event

import crossborder_crm.outbox.dispatcher as dmod
from crossborder_crm.worker import make_dispatcher


def breakdown(bench: Bench, n: int) -> dict:
    """One more one-worker pass to the sink with every step timed: ms per message of each part,
    SQL statements, pool checkouts and commits per message (this pass is not one of the rates)."""
    bench.seed(n)
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

    listeners = [(bench.db.engine, "before_cursor_execute", count("SQLAlchemy statements")),
                 (bench.db.engine.pool, "checkout", count("pool checkouts"))]
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    orig_render, orig_build = dmod.render, dmod.build_message
    dmod.render = timed("render (Jinja, both parts)", orig_render)
    dmod.build_message = timed("mime.build_message", orig_build)
    try:
        d = make_dispatcher(bench.svc, f"bench-breakdown:{bench.round}")
        for name in ("claim", "sender", "gate", "mark_sent"):
            setattr(d.store, name, timed(f"store.{name}", getattr(d.store, name)))
        run = d.store._run  # the per-message statements go straight to the driver

        def counted_run(*args):
            counters["driver statements"] += 1
            return run(*args)

        d.store._run = counted_run
        factory = d.transport_factory

        def transport():
            t = factory()
            t.send = timed("SMTP send (envelope, body, end of data, reply)", t.send)
            return t

        d.transport_factory = transport
        bench.sink.take()
        t0, c0 = time.perf_counter(), time.process_time()
        result = d.run_pass()
        total, total_cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        dmod.render, dmod.build_message = orig_render, orig_build
        for target, name, fn in listeners:
            event.remove(target, name, fn)
    got = bench.sink.take()["count"]
    if result.sent != n or got != n:
        raise RuntimeError(f"{bench.name} breakdown pass: {result}, sink received {got}")
    parts = {k: (v * 1000 / n, cpu[k] * 1000 / n) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}
    # build() = render + build_message + the unsubscribe token and small glue; report the glue apart
    parts["everything else (dispatcher and build() glue)"] = (
        total * 1000 / n - sum(w for w, _ in parts.values()), total_cpu * 1000 / n - sum(c for _, c in parts.values()))
    return {"n": n, "total_ms": total * 1000 / n, "total_cpu_ms": total_cpu * 1000 / n, "parts": parts,
            "per_message": {k: v / n for k, v in counters.items()}}
