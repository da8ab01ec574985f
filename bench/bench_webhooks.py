"""Benchmark: the Shopify orders/create webhook under gunicorn, against a bare Flask endpoint.

    .venv/bin/python bench/bench_webhooks.py [--workers 2] [--threads 4] [--seconds 5]
                                             [--connections 16] [--postgres URL]

Both servers run under the same gunicorn settings (the project's gunicorn_conf, 2 workers x 4
threads by default), in the same run, on a migrated SQLite file (or a fresh PostgreSQL schema).
A small load generator on loopback (processes x threads, a new connection per request) measures:
  1. peak throughput, closed loop, for the bare endpoint and for the webhook;
  2. latency p50/p99 at half the webhook's peak, open loop (scheduled sends, so a slow answer
     delays the clock, not the next request);
  3. what applying costs afterwards (the worker's job), per delivery, in this process.
Every webhook request is a real-format orders/create body, signed as Shopify signs it, with its
own X-Shopify-Webhook-Id, so each one is verified and stored.
Targets: webhook throughput >= 40 % of bare; p99 < 50 ms at half the peak.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from flask import Flask, request

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).parent / "gunicorn"

bare_app = Flask("bare")


@bare_app.post("/webhooks/<source>/<seller_key>")
def bare(source: str, seller_key: str):
    request.get_data()  # read the body as the real endpoint does
    return "", 200


# --------------------------------------------------------------------------- load generator

def _post(port: int, path: str, body: bytes, headers: dict) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def _requests(secret: str | None, count: int, salt: str):
    """(body, headers) pairs: distinct orders, each signed, each with its own webhook id."""
    out = []
    for i in range(count):
        order = _order(10**15 + hash((salt, i)) % 10**12)
        body = json.dumps(order, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", "X-Shopify-Topic": "orders/create",
                   "X-Shopify-Webhook-Id": f"{salt}-{i}", "X-Shopify-Shop-Domain": "bench.myshopify.com"}
        if secret:
            headers["X-Shopify-Hmac-Sha256"] = base64.b64encode(
                hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
        out.append((body, headers))
    return out


def _order(order_id: int) -> dict:
    return {"id": order_id, "name": f"#{order_id % 100000}", "email": f"b{order_id}@example.com",
            "created_at": "2026-03-09T10:15:00-05:00", "updated_at": "2026-03-09T10:15:03-05:00",
            "currency": "EUR", "total_price": "59.80", "financial_status": "paid", "customer_locale": "fr-FR",
            "customer": {"id": order_id + 1, "email": f"b{order_id}@example.com", "first_name": "Camille",
                         "last_name": "Durand"},
            "shipping_address": {"city": "Lyon", "zip": "69002", "country_code": "FR", "province_code": None},
            "line_items": [{"id": 1, "title": "Silk scarf", "quantity": 2, "price": "24.90", "sku": "S1"},
                           {"id": 2, "title": "Gift box", "quantity": 1, "price": "10.00", "sku": None}]}


def _worker(port, path, reqs, seconds, threads, rate, out):
    """One load process: `threads` threads for `seconds`; closed loop, or `rate` req/s if given."""
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = time.perf_counter()
    end = start + seconds

    def run(tid):
        mine, k = [], tid
        interval = threads / rate if rate else 0.0
        due = start + (tid / rate if rate else 0.0)
        while True:
            if rate:
                now = time.perf_counter()
                if due > now:
                    time.sleep(due - now)
                sent_at = due
                due += interval
            else:
                sent_at = time.perf_counter()
            if sent_at >= end:
                break
            body, headers = reqs[k % len(reqs)]
            k += threads
            try:
                ok = _post(port, path, body, headers) < 300
            except OSError:
                ok = False
            done = time.perf_counter()
            if ok:
                mine.append(done - sent_at)
            else:
                with lock:
                    errors[0] += 1
        with lock:
            lat.extend(mine)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    out.put((lat, errors[0], time.perf_counter() - start))


def load(port, path, reqs, seconds, connections, rate=None, procs=2):
    """Run the load; (requests/s, p50 ms, p99 ms, errors)."""
    q = mp.Queue()
    per = max(1, connections // procs)
    ps = [mp.Process(target=_worker, args=(port, path, reqs[i::procs], seconds, per,
                                           rate / procs if rate else None, q)) for i in range(procs)]
    for p in ps:
        p.start()
    results = [q.get() for _ in ps]
    for p in ps:
        p.join()
    lat = sorted(x for r in results for x in r[0])
    errors = sum(r[1] for r in results)
    elapsed = max(r[2] for r in results)
    if not lat:
        return 0.0, float("nan"), float("nan"), errors
    return len(lat) / elapsed, lat[len(lat) // 2] * 1000, lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, errors


# --------------------------------------------------------------------------- servers

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(target: str, env: dict, workers: int, threads: int, cwd: Path) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    proc = subprocess.Popen([str(GUNICORN), "-c", "python:crossborder_crm.ops.gunicorn_conf", "-w", str(workers),
                             "--threads", str(threads),
                             "-b", f"127.0.0.1:{port}", "--log-level", "warning", target],
                            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{target} did not start")


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _pg_schema(base: str):
    """A fresh schema on the server at `base`: (its URL, a function dropping it)."""
    from sqlalchemy import create_engine, text

    schema = f"bench_{os.getpid()}_{int(time.time())}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"

    def drop():
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return f"{base}{sep}options=-csearch_path%3D{schema}", drop


def _setup(url: str, env: dict):
    """Migrate, create a seller; returns (seller key, shopify secret, app services)."""
    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    from crossborder_crm import create_app
    from crossborder_crm.accounts.service import create_seller
    from crossborder_crm.migrate import upgrade

    upgrade(url)
    app = create_app()
    svc = app.extensions["crm"]
    seller = create_seller(svc.db, svc.clock, "Bench shop", "bench@example.com", "correct horse 1", box=svc.box)
    return seller.seller_key, seller.webhook_secrets["shopify"], svc


def _apply_cost(svc, key: str, secret: str, count: int) -> float:
    """Store `count` fresh orders through the real endpoint (test client), then time one apply pass."""
    from crossborder_crm import create_app
    from crossborder_crm.marketplaces.apply import apply_pending

    client = create_app().test_client()
    for body, headers in _requests(secret, count, "apply"):
        client.post(f"/webhooks/shopify/{key}", data=body, headers=headers)
    started = time.perf_counter()
    result = apply_pending(svc.db, svc.clock, svc.settings, limit=count)
    took = time.perf_counter() - started
    return took / max(1, result.total) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (> 1: gthread workers)")
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--app", default="wsgi:app", help="gunicorn target of the app under test")
    ap.add_argument("--postgres", metavar="URL", help="run on PostgreSQL (a fresh schema, dropped afterwards) "
                                                     "instead of a SQLite file")
    args = ap.parse_args()
    if not GUNICORN.exists():
        raise SystemExit(f"gunicorn is not installed beside this interpreter ({GUNICORN})")
    tmp = Path(tempfile.mkdtemp(prefix="bench-webhooks-"))
    url, drop = f"sqlite:///{tmp / 'crm.sqlite3'}", None
    if args.postgres:
        url, drop = _pg_schema(args.postgres)
    env = {**os.environ, "CRM_ENV": "development", "CRM_SECRET_KEY": "b" * 48, "CRM_DATABASE_URL": url,
           "CRM_INSTANCE_DIR": str(tmp / "instance"), "CRM_LOG_FORMAT": "json", "CRM_RUN_SCHEDULER": "0",
           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)}
    key, secret, svc = _setup(url, env)
    path = f"/webhooks/shopify/{key}"
    where = "PostgreSQL" if args.postgres else f"SQLite at {tmp}"
    kind = f"gthread workers: {args.workers} x {args.threads} threads" if args.threads > 1 else \
        f"sync workers: {args.workers}"
    print(f"gunicorn {kind}; {args.connections} connections; {args.seconds:.0f} s per phase; "
          f"{where}")
    bare_proc, bare_port = _start("bench_webhooks:bare_app", env, args.workers, args.threads, ROOT / "bench")
    hook_proc, hook_port = _start(args.app, env, args.workers, args.threads, ROOT)
    try:
        warm = _requests(secret, 50, "warm")
        load(hook_port, path, warm, 1, 4)
        load(bare_port, path, warm, 1, 4)
        reqs = _requests(secret, 4000, "peak")
        bare_rps, bare_p50, bare_p99, bare_err = load(bare_port, path, reqs, args.seconds, args.connections)
        hook_rps, hook_p50, hook_p99, hook_err = load(hook_port, path, reqs, args.seconds, args.connections)
        half = hook_rps / 2
        slow = _requests(secret, 4000, "half")
        h_rps, h_p50, h_p99, h_err = load(hook_port, path, slow, args.seconds, args.connections, rate=half)
        b_rps, b_p50, b_p99, b_err = load(bare_port, path, slow, args.seconds, args.connections, rate=half)
    finally:
        _stop(hook_proc)
        _stop(bare_proc)
    per_apply = _apply_cost(svc, key, secret, 300)
    if drop:
        svc.db.dispose()
        drop()
    ratio = hook_rps / bare_rps if bare_rps else 0.0
    print(f"{'':28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    print(f"{'bare Flask, peak':28}{bare_rps:10.0f}{bare_p50:10.1f}{bare_p99:10.1f}{bare_err:8d}")
    print(f"{'webhook, peak':28}{hook_rps:10.0f}{hook_p50:10.1f}{hook_p99:10.1f}{hook_err:8d}")
    print(f"{'bare Flask, at ' + format(half, '.0f') + '/s':28}{b_rps:10.0f}{b_p50:10.1f}{b_p99:10.1f}{b_err:8d}")
    print(f"{'webhook, at ' + format(half, '.0f') + '/s':28}{h_rps:10.0f}{h_p50:10.1f}{h_p99:10.1f}{h_err:8d}")
    print(f"webhook / bare throughput: {ratio:.0%} (target >= 40 %)  "
          f"{'OK' if ratio >= 0.4 else 'MISSED'}")
    print(f"webhook p99 at half the peak: {h_p99:.1f} ms (target < 50 ms)  {'OK' if h_p99 < 50 else 'MISSED'}")
    print(f"applying afterwards (worker job, one process): {per_apply:.1f} ms per orders/create delivery")
    return 0


if __name__ == "__main__":
    sys.exit(main())
