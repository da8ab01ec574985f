"""bench_dispatch: worker processes, one or two dispatching at once, each to its own sink (or one shared)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from dispatch_load import LoadProbe
from dispatch_report import Series
from dispatch_setup import LOCALES, ROOT, Bench, SinkProcess, settings_for
from sqlalchemy import select, text

from crossborder_crm.clock import SystemClock
from crossborder_crm.container import Services
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.store import Claimed
from crossborder_crm.worker import make_dispatcher

# a worker process is bench_dispatch.py started with "_child" (see child_main)
MAIN_SCRIPT = Path(__file__).resolve().parent / "bench_dispatch.py"


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
    now = SystemClock().now()
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
    procs = [subprocess.Popen([sys.executable, str(MAIN_SCRIPT), "_child", bench.url, str(sink.port),
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
