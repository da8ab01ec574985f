"""The buyer page's timing and messages parts, as the template helper `buyer_outbox(buyer)`.

The buyer page itself is rendered by buyers.buyer; its `buyer_timing` and `buyer_messages` blocks
ask `buyer_outbox(buyer)` (computed once per request) for the heatmap, the next good moment, the
buyer's recent messages and the state of the write form.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import g, request
from flask_login import current_user

from crossborder_crm.container import current_services
from crossborder_crm.errors import NotFound
from crossborder_crm.outbox import service
from crossborder_crm.outbox.deliverability import NO_REPLY_ADDRESS, buyer_refusals
from crossborder_crm.outbox.send_timing import BuyerTiming, buyer_timing
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.explain import refusal_sentence, send_reason
from crossborder_crm.panel.heatmap import HeatRow, heat_rows, source_line
from crossborder_crm.panel.outbox_queries import QuietHours, seller_quiet_hours
from crossborder_crm.panel.write_form import WriteForm, WriteLanguages, shown_form, write_languages
from crossborder_crm.timing import to_local
from crossborder_crm.validation import row_id

RECENT_ON_BUYER_PAGE = 8


@dataclass(frozen=True)
class BuyerOutbox:
    """Everything the buyer page's timing and messages blocks show."""

    timing: BuyerTiming
    rows: list[HeatRow]
    hours: list[int]
    quiet: QuietHours
    source_line: str
    messages: list
    more_messages: bool
    form: WriteForm
    confirmation: Any
    now_local: datetime
    deadline_hours: float | None
    why: str | None
    languages: WriteLanguages  # the seller's and the buyer's, for the form's translation choice
    refusals: dict[str, list[str]]  # per kind, why a message could not be sent (panel language)
    reply_address_missing: bool  # the seller has no address a buyer could reply to


def _confirmation(seller_id: int, buyer_id: int):
    message_id = row_id(request.args.get("scheduled"))  # not isdigit(): it takes '²'
    if message_id is None:
        return None
    try:
        msg = service.get_message(current_services().db, seller_id, message_id)
    except NotFound:
        return None
    return msg if msg.buyer_id == buyer_id else None


def buyer_outbox(buyer) -> BuyerOutbox:
    """The buyer page's timing and outbox parts (computed once per request)."""
    cache = g.setdefault("_buyer_outbox", {})
    if buyer.id in cache:
        return cache[buyer.id]
    svc = current_services()
    seller_id = current_user.seller_id
    timing = buyer_timing(svc.db, svc.clock, seller_id, buyer.id)
    quiet = seller_quiet_hours(svc.db, seller_id)
    messages, more = service.list_messages(svc.db, seller_id, buyer_id=buyer.id,
                                           limit=RECENT_ON_BUYER_PAGE)
    now_local = to_local(svc.clock.now(), buyer.timezone).replace(tzinfo=None)
    deadline = (timing.explanation_data or {}).get("deadline_hours")
    refused = buyer_refusals(svc.db, seller_id, buyer.id)
    result = BuyerOutbox(
        timing=timing, rows=heat_rows(timing.heatmap, quiet, timing.next_buyer_local, now_local,
                                      timedelta(hours=deadline) if deadline else None),
        hours=list(range(24)), quiet=quiet, source_line=source_line(timing, buyer.country),
        messages=messages, more_messages=more is not None,
        form=shown_form(f"{timing.next_buyer_local:%Y-%m-%dT%H:%M}"),
        confirmation=_confirmation(seller_id, buyer.id), now_local=now_local, deadline_hours=deadline,
        why=send_reason(timing.explanation_data, buyer.name), languages=write_languages(buyer),
        refusals={kind: [refusal_sentence(r) for r in fields.values()] for kind, fields in refused.items()},
        reply_address_missing=any(getattr(r, "template", None) == NO_REPLY_ADDRESS
                                  for fields in refused.values() for r in fields.values()))
    cache[buyer.id] = result
    return result


@bp.context_processor
def _buyer_outbox_helper():
    """Panel templates get the buyer page's timing and messages parts."""
    return {"buyer_outbox": buyer_outbox}
