"""Deciding a campaign's A/B test once its hours have passed: score A and B by the chosen metric,
give the rest the winning subject, release them at each buyer's next good hour. The worker's
`ab_decisions` job runs it every five minutes."""
from __future__ import annotations

from sqlalchemy import bindparam, select, update

from crossborder_crm.campaigns.ab_test import A, B, hold_until, winner
from crossborder_crm.campaigns.lifecycle import move_status, reschedule_late
from crossborder_crm.campaigns.models import Campaign
from crossborder_crm.campaigns.results import Breakdown, campaign_results
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Message


def _hits(part: Breakdown, metric: str) -> int:
    return {"opens": part.opened, "clicks": part.clicked, "orders": part.orders}[metric]


def scores(db: Database, campaign: Campaign) -> dict[str, tuple[int, int]]:
    """(hits, sent) of groups A and B by the test's metric."""
    found = campaign_results(db, campaign)
    metric = campaign.details["ab"]["metric"]
    return {g: (_hits(found.by_variant[g], metric), found.by_variant[g].sent) for g in (A, B)}


def decide(db: Database, clock: Clock, campaign: Campaign) -> str | None:
    """Pick the winner and release the rest; None when another worker decided it first."""
    now = clock.now()
    scored = scores(db, campaign)
    best = winner(scored)
    with db.transaction() as s:
        row = s.scalar(select(Campaign).where(Campaign.id == campaign.id).with_for_update())
        ab = dict(row.details.get("ab") or {})
        if not ab or ab.get("decided") or row.status != "launched":
            return None
        ab["decided"] = {"winner": best, "at": now.isoformat(), "scores": {g: list(v) for g, v in scored.items()}}
        row.details, row.updated_at = {**row.details, "ab": ab}, now
        mine = (Message.seller_id == row.seller_id, Message.origin == "campaign",
                Message.origin_ref == str(row.id), Message.status == "waiting")
        if best == B:
            waiting = s.execute(select(Message.id, Message.context).where(*mine)).all()
            s.connection().execute(update(Message).where(Message.id == bindparam("m_id"))
                                   .values(subject=bindparam("m_subject")),
                                   [{"m_id": mid, "m_subject": ctx["subject_b"]} for mid, ctx in waiting
                                    if ctx.get("subject_b")])
        reschedule_late(s, row.seller_id, row.id, "waiting", now, f"A/B test decided for {best.upper()}")
        move_status(s, row.seller_id, row.id, "waiting", "scheduled", now)
    return best


def decide_due(db: Database, clock: Clock) -> int:
    """Decide every launched campaign whose A/B test hours have passed; how many were decided."""
    now = clock.now()
    with db.reading() as s:
        launched = s.scalars(select(Campaign).where(Campaign.status == "launched")).all()
    due = [c for c in launched if (c.details or {}).get("ab") and not c.details["ab"].get("decided")
           and hold_until(c.details["ab"], c.launched_at, now) <= now]
    return sum(decide(db, clock, c) is not None for c in due)

