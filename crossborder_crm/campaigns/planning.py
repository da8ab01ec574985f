"""Planning a campaign: stream the audience in batches, leave out who must not get it (each counted
by reason), pick each buyer's send instant on their own local day (computed per zone and profile,
not per row) and write one outbox message per recipient, idempotent per campaign and buyer.

The same walk answers the preview (nothing written) and the launch; memory stays flat."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Callable, Iterable

from sqlalchemy import and_, any_, bindparam, exists, func, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Activity, Buyer, Order, OrderItem
from crossborder_crm.campaigns.ab_test import REST, B, group, hold_until, subject_of
from crossborder_crm.campaigns.audiences import AudienceFilter, Preview, exclusion, where_clauses
from crossborder_crm.campaigns.content import Facts, fill, uses, values, version_for
from crossborder_crm.campaigns.models import Campaign
from crossborder_crm.campaigns.targeting import OFFER_ENDED, offer_end, target_day
from crossborder_crm.db import Database
from crossborder_crm.outbox.message_id import make_message_id
from crossborder_crm.outbox.models import Message, Suppression
from crossborder_crm.outbox.send_timing import LEARNING_WINDOW, MAX_EVENTS, country_curves, seller_cap, seller_policy
from crossborder_crm.timing import (ActivityEvent, cap_allows, clear_caches, default_profile, learn_profile,
                                    next_send_times)
from crossborder_crm.timing.localtime import to_local

BATCH = 5_000
ALREADY, CAPPED = "already_planned", "frequency_cap"
# Message statuses that count toward the frequency cap (a paused one may still go out).
_CAPPED_STATUSES = ("scheduled", "paused", "sending", "sent")
_COLUMNS = ("seller_id", "buyer_id", "kind", "origin", "origin_ref", "idempotency_key", "rfc_message_id", "locale",
            "template", "context", "subject", "body", "scheduled_at", "explanation", "status", "due_at", "attempts",
            "created_at", "updated_at", "variant")


@dataclass
class Plan(Preview):
    """What a planning walk found: the audience preview's counts (recipients planned now, at launch, or
    that would be) plus the buyers matched and the send-time chart."""

    matched: int = 0
    hours_utc: list[int] = field(default_factory=lambda: [0] * 24)
    hours_seller: list[int] = field(default_factory=lambda: [0] * 24)
    days: Counter = field(default_factory=Counter)  # recipients per UTC send date


@dataclass(frozen=True)
class Setting:
    """The campaign and seller facts a walk needs, read once."""

    campaign_id: int
    seller_id: int
    seller_key: str
    seller_tz: str
    kind: str
    audience: AudienceFilter
    details: dict
    send_on: date | None
    content: dict
    facts: Facts
    policy_for: Callable[[date], object]
    cap: object
    curves: dict | None
    ab: dict | None = None  # the A/B test of subjects (campaigns.ab_test)
    hold_until: datetime | None = None  # the rest of an undecided A/B test wait until then


def setting(s: Session, campaign: Campaign, now: datetime | None = None) -> Setting:
    """Read what planning needs from the campaign and its seller (`now`: when an A/B test starts)."""
    seller = s.get(Seller, campaign.seller_id)
    details = campaign.details or {}
    policies: dict[date, object] = {}

    def policy_for(day: date):
        if day not in policies:
            policies[day] = seller_policy(seller, "marketing", day)
        return policies[day]

    return Setting(campaign.id, seller.id, seller.key, seller.timezone, campaign.kind,
                   AudienceFilter.model_validate(campaign.audience or {}), details, campaign.send_on,
                   campaign.content, Facts(seller.name, details.get("product"), details.get("offer"),
                                           (details.get("holiday") or {}).get("name", "")),
                   policy_for, seller_cap(seller), country_curves(seller) or None, details.get("ab"),
                   hold_until(details["ab"], campaign.launched_at, now or campaign.updated_at)
                   if details.get("ab") else None)


def cycle_of(last_order_at: datetime | None) -> str:
    """A repurchase cycle is named by the order that started it: one email per buyer per cycle."""
    return last_order_at.strftime("%Y%m%d%H%M%S") if last_order_at else "none"


def idempotency_key(st: Setting, buyer_id: int, last_order_at: datetime | None) -> str:
    """One message per campaign and buyer (per cycle for a repurchase campaign)."""
    base = f"campaign:{st.campaign_id}:{buyer_id}"
    return f"{base}:{cycle_of(last_order_at)}" if st.kind == "repurchase" else base


def _kind_where(st: Setting, now: datetime) -> list:
    if st.kind == "repurchase":
        within = timedelta(days=(st.details.get("repurchase") or {}).get("within_days", 7))
        return [Buyer.next_purchase_at.is_not(None), Buyer.last_order_at.is_not(None),
                Buyer.next_purchase_at >= now, Buyer.next_purchase_at <= now + within]
    category = (st.details.get("product") or {}).get("category")
    if st.kind == "launch" and category:
        return [exists().where(Order.buyer_id == Buyer.id, OrderItem.order_id == Order.id,
                               OrderItem.category == category)]
    return []


_BUYER_COLUMNS = (Buyer.id, Buyer.name, Buyer.email, Buyer.country, Buyer.language, Buyer.timezone, Buyer.segment,
                  Buyer.consent_status, Buyer.last_negative_review_at, Buyer.last_order_at)


def _batches(db: Database, st: Setting, now: datetime) -> Iterable[list]:
    """The audience in id order, BATCH buyers per short read (keyset: no cursor held across writes)."""
    where = where_clauses(st.seller_id, st.audience) + _kind_where(st, now)
    last = 0
    while True:
        with db.reading() as s:
            rows = s.execute(select(*_BUYER_COLUMNS).where(*where, Buyer.id > last)
                             .order_by(Buyer.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _among(s: Session, column, values: list):
    """`column IN values`; on PostgreSQL `= ANY` of one array parameter: building and binding a
    5,000-item IN list cost the client more than the server spent on the query."""
    if s.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(column.type)))
    return column.in_(values)


def _events(s: Session, ids: list[int], now: datetime) -> dict[int, list[ActivityEvent]]:
    found: dict[int, list[ActivityEvent]] = defaultdict(list)
    for buyer_id, at, kind in s.execute(
            select(Activity.buyer_id, Activity.occurred_at, Activity.kind)
            # the batch's id range as well: the buyers' index range is read, not the whole table
            .where(_among(s, Activity.buyer_id, ids), Activity.buyer_id.between(min(ids), max(ids)),
                   Activity.occurred_at >= now - LEARNING_WINDOW,
                   Activity.occurred_at <= now).order_by(Activity.buyer_id, Activity.occurred_at.desc())):
        if len(found[buyer_id]) < MAX_EVENTS:
            found[buyer_id].append(ActivityEvent(at, kind))
    return found


def _picks(s: Session, ids: list[int]) -> dict[int, str]:
    """Each buyer's most bought item title."""
    counts = s.execute(select(Order.buyer_id, OrderItem.title, func.sum(OrderItem.quantity))
                       .join(OrderItem, OrderItem.order_id == Order.id).where(_among(s, Order.buyer_id, ids))
                       .group_by(Order.buyer_id, OrderItem.title))
    best: dict[int, tuple[int, str]] = {}
    for buyer_id, title, n in counts:
        if buyer_id not in best or (n, title) > best[buyer_id]:
            best[buyer_id] = (n, title)
    return {b: t for b, (_, t) in best.items()}


class _Lookups:
    """What one walk reads once per seller: suppressions, open disputes; and per batch."""

    def __init__(self, db: Database, st: Setting, now: datetime, launch: bool = False):
        self.st, self.now = st, now
        with db.reading() as s:
            # Only the planner writes a campaign's keys, and a launch holds the campaign's lock: a launch
            # that starts with none written cannot find one in any batch (no query per batch then).
            self.none_planned = launch and not s.scalar(select(exists().where(
                Message.seller_id == st.seller_id, Message.origin == "campaign",
                Message.origin_ref == str(st.campaign_id))))
            self.suppressed = {e.lower(): r for e, r in s.execute(
                select(Suppression.email, Suppression.reason).where(Suppression.seller_id == st.seller_id))}
            self.disputed = set(s.scalars(select(Order.buyer_id).where(Order.seller_id == st.seller_id,
                                                                      Order.dispute_open).distinct()))
        self.profiles: dict[tuple[str, str], object] = {}
        self.wanted = uses(st.content["versions"])
        self.versions: dict[str, str] = {}  # buyer locale -> the key of the version they get
        self.ends: dict[tuple[datetime, str], datetime] = {}  # (offer end, zone) -> its local wall clock

    def default(self, country: str, tz: str):
        key = (country, tz)
        if key not in self.profiles:
            self.profiles[key] = default_profile(country, tz, self.st.curves)
        return self.profiles[key]

    def version_key(self, locale: str) -> str:
        """The version a buyer reading `locale` gets (content.version_for), worked out once per locale."""
        if locale not in self.versions:
            self.versions[locale] = version_for(self.st.content["versions"], self.st.content["language"], locale)
        return self.versions[locale]

    def local_end(self, not_after: datetime, tz: str) -> datetime:
        """The offer's end as a naive wall clock in `tz`, once per zone."""
        if (not_after, tz) not in self.ends:
            self.ends[not_after, tz] = to_local(not_after, tz).replace(tzinfo=None)
        return self.ends[not_after, tz]

    def existing(self, s: Session, keys: list[str]) -> set[str]:
        if self.none_planned:
            return set()
        return set(s.scalars(select(Message.idempotency_key).where(Message.seller_id == self.st.seller_id,
                                                                   _among(s, Message.idempotency_key, keys))))

    def marketing_sends(self, s: Session, ids: list[int]) -> dict[int, list[datetime]]:
        sends: dict[int, list[datetime]] = defaultdict(list)
        since = self.now - self.st.cap.window
        for buyer_id, at in s.execute(select(Message.buyer_id, Message.scheduled_at).where(
                _among(s, Message.buyer_id, ids), Message.kind == "marketing", Message.status.in_(_CAPPED_STATUSES),
                Message.scheduled_at >= since,
                ~and_(Message.origin == "campaign", Message.origin_ref == str(self.st.campaign_id)))):
            sends[buyer_id].append(at)
        return sends


def _row(st: Setting, lk: _Lookups, b, key: str, when: datetime, why: str, not_after: datetime | None,
         pick: str, mail_domain: str, now: datetime, grp: str | None = None) -> dict:
    versions = st.content["versions"]
    lang = lk.version_key(b.language)
    version = versions[lang]
    holiday = st.details.get("holiday") or {}
    filled = values(st.facts, lk.wanted, name=b.name, country=b.country, locale=b.language,
                    ends_local=lk.local_end(not_after, b.timezone) if not_after else None,
                    holiday_date=holiday.get("dates", {}).get(b.country), pick=pick)
    context: dict = {"campaign": st.campaign_id}
    if version.get("origin") == "machine":
        context["machine_translated"] = True  # the frame tells the buyer
    if st.facts.product:
        context["product"] = {k: st.facts.product.get(k) for k in ("name", "url", "image_url")}
    if not_after is not None:
        context["not_after"] = not_after.isoformat()
    subject = version["subject"]
    waiting = grp == REST and st.hold_until is not None
    if st.ab is not None:
        subject_b = st.ab["subject_b"].get(lang, subject)
        if subject_of(grp, st.ab) == B:
            subject = subject_b
        if waiting:  # the test may still pick B: the B subject, filled, waits beside it
            context["subject_b"] = fill(subject_b, filled)[:998]
    return {"seller_id": st.seller_id, "buyer_id": b.id, "kind": "marketing", "origin": "campaign",
            "origin_ref": str(st.campaign_id), "idempotency_key": key,
            "rfc_message_id": make_message_id(st.seller_key, key, mail_domain), "locale": b.language,
            "template": "campaign", "context": context, "subject": fill(subject, filled)[:998],
            "body": fill(version["body"], filled), "scheduled_at": when, "explanation": why[:500],
            "status": "waiting" if waiting else "scheduled", "due_at": when, "attempts": 0, "created_at": now,
            "updated_at": now, "variant": grp}


def write_rows(s: Session, rows: Iterable[dict]) -> None:
    """Insert planned messages: COPY on PostgreSQL (the walk holds the campaign's lock, so no key
    can collide), many-row INSERT elsewhere. `rows` may be a generator: on PostgreSQL each row is
    then made while the server stores the ones sent before it."""
    if s.get_bind().dialect.name != "postgresql":
        rows = list(rows)
        if rows:
            s.execute(insert(Message), rows)
        return
    naive: dict[datetime, datetime] = {}  # a batch's rows share a few instants: each converted once
    raw = s.connection().connection.driver_connection
    with raw.cursor() as cur, cur.copy(f"COPY messages ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row([_copy_value(r[c], naive) for c in _COLUMNS])


def _copy_value(value, naive: dict[datetime, datetime]):
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    if isinstance(value, datetime):
        if value not in naive:
            naive[value] = value.replace(tzinfo=None)  # the columns hold naive UTC (db.UTCDateTime)
        return naive[value]
    return value


def walk(db: Database, st: Setting, now: datetime, *, write: bool, mail_domain: str = "",
         progress: Callable[[int], None] | None = None) -> Plan:
    """Go through the audience once: count (write=False) or plan (write=True) every recipient."""
    plan, lk = Plan(), _Lookups(db, st, now, launch=write)
    seen = 0
    for rows in _batches(db, st, now):
        with db.transaction() as s:
            _plan_batch(s, st, lk, rows, plan, now, write, mail_domain)
        # A learned profile is one buyer's: the engine's memo of them (up to 65,536, some 8 KB each) would
        # only grow; the per-zone entries it drops are quickly made again.
        clear_caches()
        seen += len(rows)
        if progress is not None:
            progress(seen)
    return plan


def _plan_batch(s: Session, st: Setting, lk: _Lookups, rows: list, plan: Plan, now: datetime, write: bool,
                mail_domain: str) -> None:
    plan.matched += len(rows)
    ids = [b.id for b in rows]
    keys = {b.id: idempotency_key(st, b.id, b.last_order_at) for b in rows}
    existing = lk.existing(s, list(keys.values()))
    candidates, days = [], []
    today_by_tz: dict[str, date] = {}
    for b in rows:
        why = exclusion(b.email, b.country, b.consent_status, lk.suppressed, b.id in lk.disputed,
                        b.last_negative_review_at, now)
        if why is None and keys[b.id] in existing:
            why = ALREADY
        if why is None:
            if b.timezone not in today_by_tz:
                today_by_tz[b.timezone] = to_local(now, b.timezone).date()
            day, why = target_day(st.kind, st.details, st.send_on, b.country, today_by_tz[b.timezone])
        if why is not None:
            plan.excluded[why] += 1
            continue
        candidates.append(b)
        days.append(day)
    if not candidates:
        return
    groups = {b.id: group(st.campaign_id, b.id, st.ab["sample_percent"]) for b in candidates} if st.ab else {}
    earliest = [now] * len(candidates)
    if st.hold_until is not None:  # the rest of an undecided test go no earlier than its decision
        for n, b in enumerate(candidates):
            if groups[b.id] == REST:
                earliest[n] = st.hold_until
                days[n] = max(days[n], to_local(st.hold_until, b.timezone).date())
    events = _events(s, [b.id for b in candidates], now)
    items = [(learn_profile(b.country, b.timezone, events[b.id], now, overrides=st.curves) if b.id in events
              else lk.default(b.country, b.timezone), st.policy_for(day), start)
             for b, day, start in zip(candidates, days, earliest)]
    chosen = next_send_times(items)
    sends = lk.marketing_sends(s, ids)
    picks = _picks(s, [b.id for b in candidates]) if write and "pick" in lk.wanted else {}
    offer = st.details.get("offer")
    kept = []  # (buyer, send instant, why, offer end) of each recipient; their rows are made while written
    instants: dict[datetime, tuple[int, str]] = {}  # send instant -> (seller's local hour, UTC day): few per batch
    for b, (when, why) in zip(candidates, chosen):
        if not cap_allows(st.cap, sends.get(b.id, ()), when):
            plan.excluded[CAPPED] += 1
            continue
        not_after = offer_end(offer["ends_at"], b.timezone) if offer else None
        if not_after is not None and when >= not_after:
            plan.excluded[OFFER_ENDED] += 1
            continue
        plan.add_recipient(b.country, b.language, b.segment)
        if when not in instants:
            instants[when] = (to_local(when, st.seller_tz).hour, when.date().isoformat())
        seller_hour, utc_day = instants[when]
        plan.hours_utc[when.hour] += 1
        plan.hours_seller[seller_hour] += 1
        plan.days[utc_day] += 1
        if write:
            kept.append((b, when, why, not_after))
    if write and kept:
        write_rows(s, (_row(st, lk, b, keys[b.id], when, why, not_after, picks.get(b.id, ""), mail_domain, now,
                            groups.get(b.id)) for b, when, why, not_after in kept))


def sample_row(db: Database, st: Setting, buyer_id: int, now: datetime) -> tuple[dict, str] | None:
    """The message one buyer would get (their words, placeholders filled), whatever the exclusions, and
    the buyer's name; None if the buyer is not the seller's."""
    with db.reading() as s:
        b = s.execute(select(*_BUYER_COLUMNS).where(Buyer.id == buyer_id, Buyer.seller_id == st.seller_id)).first()
        if b is None:
            return None
        picks = _picks(s, [b.id]) if "pick" in uses(st.content["versions"]) else {}
    offer = st.details.get("offer")
    not_after = offer_end(offer["ends_at"], b.timezone) if offer else None
    row = _row(st, _Lookups(db, st, now), b, idempotency_key(st, b.id, b.last_order_at), now, "", not_after,
               picks.get(b.id, ""), "preview.invalid", now)
    return row, b.name
