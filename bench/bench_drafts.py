"""Benchmark: draft replies to 10,000 complaints through the real service, translation off, one core.

    .venv/bin/python bench/bench_drafts.py [--complaints 10000] [--buyers 2000] [--postgres URL] [--seed 7]

The shop: buyers in 14 languages, each with an order of one to three items and a parcel (moving,
stalled, delivered or lost) on a route with delivery history, so every draft reads its facts, the
route's usual transit time and the buyer's earlier complaints. The complaints are the labelled
corpus (tests/data/complaints.jsonl: 14 languages, short and mixed texts), each sent for a buyer of
its language, by order reference half the time.

Two paths, as production runs them, both one process and one thread:
  - batches of 100 (what the worker's reply_drafts job does with the marketplaces' events, and what a
    backlog import would do): one read session and one write transaction per batch;
  - one at a time (POST /api/v1/drafts, the panel): a read session and a transaction per draft.
Prints drafts per second for each (target >= 200/s) against same-run baselines that store the same
complaints as rows through the same database in the same batching with no understanding or writing
(the buyer and order read, one insert), and where the time goes (understanding, writing both
language versions, the database) from an instrumented pass over a sample.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from crossborder_crm.accounts.service import create_seller  # noqa: E402
from crossborder_crm.buyers.models import Buyer, Order, OrderItem  # noqa: E402
from crossborder_crm.clock import FixedClock  # noqa: E402
from crossborder_crm.db import Database  # noqa: E402
from crossborder_crm.migrate import upgrade  # noqa: E402
from crossborder_crm.replies import compose as compose_mod  # noqa: E402
from crossborder_crm.replies import drafting  # noqa: E402
from crossborder_crm.replies import understand as understand_mod  # noqa: E402
from crossborder_crm.replies import versions as versions_mod  # noqa: E402
from crossborder_crm.replies.drafting import Incoming  # noqa: E402
from crossborder_crm.replies.lookup import resolve  # noqa: E402
from crossborder_crm.replies.models import ReplyDraft  # noqa: E402
from crossborder_crm.shipments.models import Shipment  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)
TARGET = 200.0
# Corpus language -> (country, profile language) of the buyers who write in it.
MARKETS = {"en": ("US", "en-US"), "es": ("ES", "es-ES"), "fr": ("FR", "fr-FR"), "de": ("DE", "de-DE"),
           "it": ("IT", "it-IT"), "pt": ("BR", "pt-BR"), "ru": ("RU", "ru-RU"), "pl": ("PL", "pl-PL"),
           "nl": ("NL", "nl-NL"), "tr": ("TR", "tr-TR"), "ar": ("SA", "ar-SA"), "ja": ("JP", "ja-JP"),
           "ko": ("KR", "ko-KR"), "zh": ("CN", "zh-CN")}
ITEMS = ["Silk scarf", "Tea set", "Phone case", "Linen shirt", "Ceramic mug", "LED lamp", "Wool socks"]
PARCELS = [("in_transit", False), ("in_transit", True), ("arrived_destination", False), ("delivered", False),
           ("exception_lost", False)]


def corpus() -> list[dict]:
    rows = [json.loads(line) for line in (ROOT / "tests/data/complaints.jsonl").read_text("utf-8").splitlines()
            if line.strip()]
    return [r for r in rows if r["language"].split("-")[0] in MARKETS]


def seed_shop(db: Database, seller_id: int, buyers: int, rng: random.Random) -> dict[str, list[tuple[int, str]]]:
    """Buyers with one order and one parcel each, plus delivered history per route; (buyer id, order ref) by language."""
    by_language: dict[str, list[tuple[int, str]]] = {lang: [] for lang in MARKETS}
    languages = list(MARKETS)
    with db.transaction() as s:
        for n in range(buyers):
            lang = languages[n % len(languages)]
            country, tag = MARKETS[lang]
            buyer = Buyer(seller_id=seller_id, name=f"Buyer {n}", email=f"b{n}@example.com", country=country,
                          timezone="UTC", timezone_source="given", timezone_confidence="high",
                          timezone_explanation="", language=tag, language_source="given", language_explanation="",
                          tags=[], consent_status="unknown", order_count=1, created_at=NOW, updated_at=NOW)
            s.add(buyer)
            s.flush()
            ref = f"#{10000 + n}"
            order = Order(seller_id=seller_id, buyer_id=buyer.id, marketplace="shopify", external_id=str(90000 + n),
                          reference=ref, placed_at=NOW - timedelta(days=rng.randint(5, 40)), currency="EUR",
                          total_minor=rng.randint(900, 12000), status="paid", created_at=NOW, updated_at=NOW)
            order.items = [OrderItem(title=rng.choice(ITEMS), quantity=rng.randint(1, 3),
                                     unit_price_minor=rng.randint(500, 4000)) for _ in range(rng.randint(1, 3))]
            s.add(order)
            s.flush()
            milestone, stalled = PARCELS[n % len(PARCELS)]
            shipped = order.placed_at + timedelta(days=1)
            s.add(Shipment(seller_id=seller_id, order_id=order.id, buyer_id=buyer.id, source="shopify",
                           carrier_name="China Post", tracking_number=f"LX{n:06d}CN",
                           tracking_url=f"https://track.example/LX{n:06d}CN", origin_country="CN",
                           destination_country=country, shipped_at=shipped, milestone=milestone,
                           milestone_at=NOW - timedelta(days=2), last_checkpoint_at=NOW - timedelta(days=2),
                           last_location="Sorting centre", stalled=stalled, late=stalled,
                           expected_delivery=(shipped + timedelta(days=14)).date(),
                           delivered_at=NOW - timedelta(days=1) if milestone == "delivered" else None,
                           created_at=NOW, updated_at=NOW))
            by_language[lang].append((buyer.id, ref))
    return by_language


def requests(rows: list[dict], shop: dict[str, list[tuple[int, str]]], count: int, rng: random.Random) -> list[dict]:
    out = []
    for i in range(count):
        row = rows[i % len(rows)]
        buyer_id, ref = rng.choice(shop[row["language"].split("-")[0]])
        kind = "review" if row.get("rating") else rng.choice(("dispute", "message"))
        body = {"kind": kind, "text": row["text"], **({"rating": row["rating"]} if row.get("rating") else {})}
        out.append({**body, "order_ref": ref} if i % 2 else {**body, "buyer_id": buyer_id})
    return out


def store_only(db: Database, seller_id: int, batch: list[dict], size: int) -> float:
    """The baseline: read the buyer and order as a draft does, insert the complaint as a row, nothing else;
    `size` complaints per read session and transaction."""
    started = time.perf_counter()
    for at in range(0, len(batch), size):
        chunk = batch[at:at + size]
        with db.reading() as s:
            found = [resolve(s, seller_id, body.get("buyer_id"), body.get("order_ref")) for body in chunk]
        with db.transaction() as s:
            for body, (buyer, order) in zip(chunk, found):
                s.add(ReplyDraft(seller_id=seller_id, buyer_id=buyer.id, order_id=order.id if order else None,
                             kind=body["kind"], source="bench", received_at=NOW, text=body["text"],
                             rating=body.get("rating"), language="und", category="other", categories=[],
                             evidence=[], severity="low", severity_reasons=[], facts={}, remedy={},
                             buyer_locale="en", buyer_subject="", buyer_body="", seller_locale="en",
                             seller_subject="", seller_body="", machine_translated=False, tone_warnings=[],
                             status="new", created_at=NOW, updated_at=NOW))
    return time.perf_counter() - started


def run_path(db: Database, clock, seller_id: int, batch: list[dict], size: int) -> tuple[float, list[float]]:
    """(seconds, per-call seconds): drafting `batch` through create_drafts, `size` at a time."""
    calls = []
    started = time.perf_counter()
    for at in range(0, len(batch), size):
        t0 = time.perf_counter()
        drafting.create_drafts(db, clock, seller_id, [Incoming(body) for body in batch[at:at + size]])
        calls.append(time.perf_counter() - t0)
        if (at // size) % max(1, 2000 // size) == 0 and at:
            print(f"  … {at:,} drafted", flush=True)
    return time.perf_counter() - started, calls


class Timed:
    """Wraps a function and adds up the time spent in it (for the breakdown pass only)."""

    def __init__(self, fn):
        self.fn, self.total = fn, 0.0

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.total += time.perf_counter() - started


def breakdown(db: Database, clock, seller_id: int, sample: list[dict]) -> dict[str, float]:
    """Milliseconds per draft (one at a time) in understanding, writing both versions, and the rest (database,
    tone check, audit trail)."""
    understand, compose = Timed(understand_mod.understand), Timed(compose_mod.compose)
    originals = (drafting.understand, versions_mod.compose)
    drafting.understand, versions_mod.compose = understand, compose
    try:
        started = time.perf_counter()
        for body in sample:
            drafting.create_draft(db, clock, seller_id, body)
        total = time.perf_counter() - started
    finally:
        drafting.understand, versions_mod.compose = originals
    n = len(sample)
    return {"understand": understand.total / n * 1000, "compose": compose.total / n * 1000,
            "database and the rest": (total - understand.total - compose.total) / n * 1000}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--complaints", type=int, default=10_000)
    ap.add_argument("--buyers", type=int, default=2_000)
    ap.add_argument("--postgres", help="a PostgreSQL URL (a fresh schema is made in it) instead of a SQLite file")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        if args.postgres:
            schema = f"bench_drafts_{int(time.time())}"
            admin = Database(args.postgres)
            with admin.engine.begin() as conn:
                conn.execute(text(f"CREATE SCHEMA {schema}"))
            url = f"{args.postgres}{'&' if '?' in args.postgres else '?'}options=-csearch_path%3D{schema}"
        else:
            url = f"sqlite:///{tmp}/bench.sqlite3"
        upgrade(url)
        db, clock = Database(url), FixedClock(NOW)
        seller = create_seller(db, clock, "Bench Shop", "bench@example.com", "correct horse battery")
        print(f"database: {'PostgreSQL' if args.postgres else 'SQLite file'}; seeding {args.buyers} buyers with "
              f"orders and parcels …", flush=True)
        shop = seed_shop(db, seller.seller_id, args.buyers, rng)
        batch = requests(corpus(), shop, args.complaints, rng)
        drafting.create_draft(db, clock, seller.seller_id, batch[0])  # load the lexicons and lingua's models

        for label, size in (("batches of 100 (the worker)", 100), ("one at a time (the API)", 1)):
            baseline = store_only(db, seller.seller_id, batch, size)
            base_rate = len(batch) / baseline
            elapsed, calls = run_path(db, clock, seller.seller_id, batch, size)
            rate = len(batch) / elapsed
            q = statistics.quantiles(calls, n=100) if len(calls) >= 100 else None
            latency = f"; per call p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms" if q else ""
            print(f"{label}: {len(batch):,} drafts in {elapsed:.1f} s = {rate:,.0f} drafts/s "
                  f"(target >= {TARGET:.0f}/s: {'met' if rate >= TARGET else 'NOT met'}){latency}; "
                  f"baseline (store the rows only, same batching) {base_rate:,.0f}/s, drafting at "
                  f"{rate / base_rate:.2f}x its rate", flush=True)
        parts = breakdown(db, clock, seller.seller_id, batch[:1000])
        print("where a draft's time goes (ms): " + ", ".join(f"{k} {v:.2f}" for k, v in parts.items()))
        if args.postgres:
            with admin.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
