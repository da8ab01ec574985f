"""bench_dispatch: the SMTP sink process and one database seeded with a seller, buyers and messages."""
from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from relay_sink import SinkClient
from sqlalchemy import delete, func, insert, select, text, update

from config import load_config
from crossborder_crm.accounts.models import Seller
from crossborder_crm.accounts.service import create_seller
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.clock import SystemClock
from crossborder_crm.container import Services
from crossborder_crm.db import Database
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.models import Message, SendLog
from crossborder_crm.outbox.store import Claimed
from crossborder_crm.worker import make_dispatcher

ROOT = Path(__file__).resolve().parent.parent

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
        n = len(sink.take())
        print(json.dumps({"count": n, "cpu": time.process_time(), "conns": sink.connections}), flush=True)
    elif cmd == "quit":
        break
sink.stop()
"""


class SinkProcess(SinkClient):
    """tests.smtp_sink.SmtpSink in its own process, so its CPU is not under the workers' GIL."""

    def __init__(self):
        super().__init__(["-c", SINK_CODE, str(ROOT)], "SMTP sink")


def with_search_path(url: str, schema: str) -> str:
    """The PostgreSQL URL with `schema` as the search path of its connections."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def settings_for(url: str, smtp_port: int) -> dict:
    """The application settings of a bench worker: this database, the sink at `smtp_port`."""
    return load_config("test", {"DATABASE_URL": url, "MAIL_BACKEND": "smtp",
                                "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}?helo=bench.local",
                                "SMTP_TIMEOUT": 10.0, "MAIL_FROM_DOMAIN": MAIL_DOMAIN,
                                "PUBLIC_URL": "https://crm.example.com", "SECRET_KEY": "bench-secret"})


class Bench:
    """One migrated database with a seller and one buyer per message."""

    def __init__(self, name: str, url: str, sink: SinkProcess, messages: int):
        self.name, self.url, self.sink, self.n = name, url, sink, messages
        self.db = Database(url)
        self.settings = settings_for(url, sink.port)
        self.svc = Services(self.db, self.settings, SystemClock())
        now = SystemClock().now()
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
            # Messages are due at the wall clock, which may be night for these UTC buyers: send at any hour.
            s.execute(update(Seller).where(Seller.id == self.seller_id).values(quiet_start="00:00", quiet_end="00:00"))
            s.execute(insert(Buyer), rows)
            self.buyers = [tuple(r) for r in s.execute(select(Buyer.id, Buyer.language, Buyer.name)
                                                        .where(Buyer.seller_id == self.seller_id).order_by(Buyer.id))]
        self.round = 0
        self.last_cpu_ms = float("nan")  # this process's CPU per message in the last timed loop
        self.last_load: dict = {}  # LoadProbe result of the last bare smtplib loop
        self.pipelined = False  # whether the last transport loop was pipelined

    def seed(self, n: int | None = None) -> None:
        """Empty the outbox and put n messages in it, all due a minute ago."""
        n = self.n if n is None else n
        self.round += 1
        now = SystemClock().now()
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
        """Number of messages per status."""
        with self.db.reading() as s:
            return dict(s.execute(select(Message.status, func.count()).group_by(Message.status)).all())

    def check_all_sent(self, what: str, n: int | None = None) -> None:
        """Raise unless exactly the n seeded messages (default: all) are marked sent."""
        n = self.n if n is None else n
        counts = self.counts()
        if counts != {"sent": n}:
            raise RuntimeError(f"{self.name} {what}: expected {n} sent, found {counts}")

    def prepared(self) -> list[tuple[int, str, str, bytes]]:
        """(id, envelope from, recipient, RFC 5322 bytes) of every scheduled message, built beforehand
        by the dispatcher's own build() (render + mime.build_message)."""
        d = make_dispatcher(self.svc, "bench:prepare")
        now = SystemClock().now()
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

    def warm_up(self) -> None:
        """A small pass first: templates compiled, connections pooled (a long-running worker is warm)."""
        self.seed(min(self.n, 70))
        make_dispatcher(self.svc, "bench-warm").run_pass()
        self.sink.take()

    def close(self) -> None:
        """Close the database's connections."""
        self.db.dispose()
