"""Drafting replies for what the marketplaces report: a buyer message, a review of three stars or
fewer, an opened dispute. The worker runs it; each event is drafted once (reply_drafts.activity_id).
"""
from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Row, select
from sqlalchemy.exc import IntegrityError

from crossborder_crm.buyers.models import Activity
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import CrmError
from crossborder_crm.i18n.translator import Translator
from crossborder_crm.replies.drafting import Incoming, create_drafts
from crossborder_crm.replies.models import EventOutcome

log = logging.getLogger(__name__)

KINDS = {"message_received": "message", "review": "review", "dispute": "dispute"}
LOOK_BACK = timedelta(days=14)  # older events are history, not something to answer now
HAPPY_AT_LEAST = 4  # stars: a review this good is thanked elsewhere, not drafted here
# Reviews arrive as "4/5: text" (marketplaces/generic.py writes the rating before the words).
_RATED = re.compile(r"([1-5])/5(?::\s*(.*))?", re.DOTALL)


@dataclass
class Drafted:
    """What one pass did."""

    drafted: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)


def complaint_of(kind: str, detail: str | None) -> tuple[str, int | None] | None:
    """(text, rating) of an event worth a reply, or None (no words, or a happy review)."""
    text, rating = (detail or "").strip(), None
    if kind == "review":
        rated = _RATED.fullmatch(text)
        if rated is not None:
            rating, text = int(rated.group(1)), (rated.group(2) or "").strip()
        if rating is not None and rating >= HAPPY_AT_LEAST:
            return None
    return (text, rating) if text else None


def draft_new_events(db: Database, clock: Clock, translator: Translator | None, limit: int = 100) -> Drafted:
    """Draft the recent marketplace complaints not drafted yet (oldest first, `limit` a pass)."""
    since = clock.now() - LOOK_BACK
    seen = select(EventOutcome.activity_id)
    with db.reading() as s:
        rows = s.execute(select(Activity.id, Activity.seller_id, Activity.buyer_id, Activity.kind, Activity.detail,
                                Activity.source, Activity.occurred_at)
                         .where(Activity.kind.in_(tuple(KINDS)), Activity.created_at >= since,
                                Activity.id.not_in(seen))
                         .order_by(Activity.id).limit(limit)).all()
    done, outcomes = Drafted(), []
    by_seller: dict[int, list[tuple[Row, Incoming]]] = defaultdict(list)
    for row in rows:
        found = complaint_of(row.kind, row.detail)
        if found is None:
            done.skipped += 1
            outcomes.append((row.id, "skipped", "no words, or a happy review"))
            continue
        text, rating = found
        body = {"kind": KINDS[row.kind], "text": text, "buyer_id": row.buyer_id,
                **({"rating": rating} if rating is not None else {})}
        by_seller[row.seller_id].append((row, Incoming(body, row.source, row.occurred_at, row.id)))
    for seller_id, batch in by_seller.items():
        try:
            results = create_drafts(db, clock, seller_id, [item for _, item in batch], translator=translator,
                                    actor="worker")
        except IntegrityError:  # drafted by a pass that stopped before noting it: never twice
            results = [CrmError("already drafted")] * len(batch)
        for (row, _), result in zip(batch, results):
            if isinstance(result, CrmError):  # the buyer deleted meanwhile, a text a draft refuses
                log.warning("activity %s not drafted: %s", row.id, result.message)
                done.failed.append(f"{row.id}: {result.message}")
                outcomes.append((row.id, "failed", result.message))
            else:
                done.drafted += 1
                outcomes.append((row.id, "drafted", f"draft {result.id}"))
    _note(db, clock, outcomes)
    return done


def _note(db: Database, clock: Clock, outcomes: list[tuple[int, str, str]]) -> None:
    """Remember each event was looked at, so a pass never picks it again."""
    with db.transaction() as s:
        for activity_id, outcome, detail in outcomes:
            s.merge(EventOutcome(activity_id=activity_id, outcome=outcome, detail=detail[:300], at=clock.now()))
