"""Recording the opens and clicks of tracked email, each marked human or machine."""
from __future__ import annotations

from sqlalchemy import select

from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.outbox.models import Message, MessageEvent
from crossborder_crm.outbox.tracking import Tracked, is_machine

MAX_USER_AGENT = 300


def record(db: Database, clock: Clock, tracked: Tracked, kind: str, user_agent: str | None, method: str) -> bool:
    """Store one open or click of a message that exists; False when it does not (deleted since)."""
    now = clock.now()
    with db.transaction() as s:
        found = s.execute(select(Message.seller_id, Message.sent_at).where(Message.id == tracked.message_id)).first()
        if found is None:
            return False
        s.add(MessageEvent(seller_id=found.seller_id, message_id=tracked.message_id, kind=kind,
                           machine=is_machine(user_agent, method, now, found.sent_at),
                           url=(tracked.url or None) and tracked.url[:2000],
                           user_agent=(user_agent or "")[:MAX_USER_AGENT] or None, at=now))
    return True
