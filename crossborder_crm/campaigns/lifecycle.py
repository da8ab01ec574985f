"""Campaign use cases: create (or draft one from a holiday), list, read, preview, launch, pause,
resume, cancel, and the daily planning of standing (repurchase) campaigns."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, Callable, Mapping

from sqlalchemy import bindparam, func, select, update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.campaigns.audiences import AudienceFilter, where_clauses
from crossborder_crm.campaigns.content_translation import translate_missing
from crossborder_crm.campaigns.definition import (
    CampaignCreate,
    check_not_everyone,
    content_of,
    details_of,
    parse_campaign,
)
from crossborder_crm.campaigns.holidays import HolidayDay, max_window, upcoming
from crossborder_crm.campaigns.models import Campaign
from crossborder_crm.campaigns.planning import Plan, sample_row, setting, walk
from crossborder_crm.campaigns.saved_audiences import get_audience
from crossborder_crm.campaigns.service import buyers_by_country
from crossborder_crm.campaigns.shopping_days import MARKETS
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, Conflict, NotFound, Reason, ValidationFailed
from crossborder_crm.i18n.emails import template_values
from crossborder_crm.i18n.translator import Translator
from crossborder_crm.outbox.locks import run_once
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.render import Rendered, RenderInput, render
from crossborder_crm.outbox.send_timing import country_curves, seller_policy
from crossborder_crm.timing import default_profile, next_send_times
from crossborder_crm.validation import FieldError

PLAN_LOCK_TTL = timedelta(hours=2)


def _row(s, seller_id: int, campaign_id: int, *, lock: bool = False) -> Campaign:
    query = select(Campaign).where(Campaign.id == campaign_id, Campaign.seller_id == seller_id)
    found = s.scalar(query.with_for_update() if lock else query)
    if found is None:
        raise NotFound(f"campaign {campaign_id} not found")
    return found


def _holiday(db: Database, seller_id: int, key: str, today: date) -> HolidayDay:
    """The next occurrence of a day in the calendar, over the main markets and the seller's countries."""
    countries = tuple(dict.fromkeys((*MARKETS, *sorted(buyers_by_country(db, seller_id)))))
    for day in upcoming(today, today + max_window(), countries):
        if day.key == key:
            return day
    raise ValidationFailed("unknown holiday", {"holiday.key": Reason(
        N_("unknown holiday %(key)s: not in the calendar of the next %(days)s days"), key=key,
        days=max_window().days)})


def _check_dates(spec: CampaignCreate, today: date) -> None:
    if spec.send_on is not None and spec.send_on < today - timedelta(days=1):
        raise ValidationFailed("send_on is past", {"send_on": N_("must not be in the past")})
    if spec.offer is not None and spec.offer.ends_at.date() < today - timedelta(days=1):
        raise ValidationFailed("the sale has ended", {"offer.ends_at": N_("must not be in the past")})


def _check_tracking(db: Database, seller_id: int, spec: CampaignCreate) -> None:
    if spec.ab is None or spec.ab.metric == "orders":
        return
    with db.reading() as s:
        tracking = s.scalar(select(Seller.track_engagement).where(Seller.id == seller_id))
    if not tracking:
        raise ValidationFailed("opens and clicks are not counted", {"ab.metric": N_(
            "opens and clicks are counted only with tracking on (Settings); choose orders or turn it on")})


def _saved_filter(db: Database, seller_id: int, spec: CampaignCreate) -> None:
    """Copy a saved audience's filter into the campaign (422 naming audience_id when unknown)."""
    if spec.audience_id is None:
        return
    try:
        saved = get_audience(db, seller_id, spec.audience_id)
    except NotFound:
        raise ValidationFailed("unknown saved audience", {"audience_id": N_("no saved audience with this id")}
                               ) from None
    spec.audience = AudienceFilter.model_validate(saved.filter)
    try:
        check_not_everyone(spec)
    except FieldError as exc:
        raise ValidationFailed("the saved audience is every buyer", {exc.field: exc.reason}) from None


def _fields(db: Database, seller_id: int, spec: CampaignCreate, today: date) -> dict:
    _saved_filter(db, seller_id, spec)
    _check_dates(spec, today)
    _check_tracking(db, seller_id, spec)
    details = details_of(spec)
    if spec.holiday is not None:
        day = _holiday(db, seller_id, spec.holiday.key, today)
        details["holiday"].update(name=day.name, kind=day.kind,
                                  dates={d.country: d.date.isoformat() for d in day.dates})
    return {"name": spec.name, "kind": spec.kind, "audience": spec.audience.model_dump(mode="json"),
            "confirm_all": spec.confirm_all, "details": details, "send_on": spec.send_on,
            "content": content_of(spec), "attribution_days": spec.attribution_days}


def create_campaign(db: Database, clock: Clock, seller_id: int, data: Mapping[str, Any]) -> Campaign:
    """A new draft; 422 naming the field for an unknown holiday, a sale ending before it starts, a
    filter that would mail everyone without confirm_all."""
    now = clock.now()
    values = _fields(db, seller_id, parse_campaign(data), now.date())
    with db.transaction() as s:
        campaign = Campaign(seller_id=seller_id, status="draft", created_at=now, updated_at=now, **values)
        s.add(campaign)
        s.flush()
        return campaign


def update_campaign(db: Database, clock: Clock, seller_id: int, campaign_id: int, data: Mapping[str, Any]
                    ) -> Campaign:
    """Replace a draft's definition (a launched campaign is fixed: 409)."""
    now = clock.now()
    values = _fields(db, seller_id, parse_campaign(data), now.date())
    with db.transaction() as s:
        campaign = _row(s, seller_id, campaign_id, lock=True)
        if campaign.status != "draft":
            raise Conflict(f"campaign {campaign_id} is {campaign.status}: only a draft can be changed")
        for name, value in values.items():
            setattr(campaign, name, value)
        campaign.updated_at = now
        return campaign


def holiday_draft(db: Database, clock: Clock, seller_id: int, key: str, days_before: int = 3) -> Campaign:
    """A draft holiday campaign for the countries that keep the day, with a starting text to edit."""
    day = _holiday(db, seller_id, key, clock.now().date())
    return create_campaign(db, clock, seller_id, {
        "name": f"{day.name} {day.first.year}", "kind": "holiday",
        "holiday": {"key": key, "days_before": days_before},
        "audience": {"countries": sorted({d.country for d in day.dates})},
        "content": {"language": "en", "versions": {"en": {
            "subject": "{holiday} is coming, {name}",
            "body": "Hello {name},\n\n{holiday} is on {holiday_date}. We have picked a few things you may like "
                    "for it, starting with {pick}.\n\n{shop}"}}}})


def get_campaign(db: Database, seller_id: int, campaign_id: int) -> Campaign:
    """One campaign of the seller (404 otherwise)."""
    with db.reading() as s:
        return _row(s, seller_id, campaign_id)


def list_campaigns(db: Database, seller_id: int, status: str | None = None) -> list[Campaign]:
    """The seller's campaigns, newest first."""
    with db.reading() as s:
        query = select(Campaign).where(Campaign.seller_id == seller_id)
        if status:
            query = query.where(Campaign.status == status)
        return list(s.scalars(query.order_by(Campaign.id.desc())))


def preview_campaign(db: Database, clock: Clock, seller_id: int, campaign_id: int) -> Plan:
    """Who a launch now would reach and leave out, and when their emails would go."""
    with db.reading() as s:
        st = setting(s, _row(s, seller_id, campaign_id), clock.now())
    return walk(db, st, clock.now(), write=False)


def audience_languages(db: Database, seller_id: int, campaign: Campaign) -> list[str]:
    """The distinct languages of the campaign's audience (what needs a version)."""
    f = AudienceFilter.model_validate(campaign.audience or {})
    with db.reading() as s:
        return sorted(s.scalars(select(Buyer.language).where(*where_clauses(seller_id, f)).distinct()))


def launch_campaign(db: Database, clock: Clock, seller_id: int, campaign_id: int, *, mail_domain: str,
                    translator: Translator | None, holder: str = "launch",
                    progress: Callable[[int], None] | None = None) -> Plan:
    """Plan one message per recipient at their best local time; a relaunch plans only who is new.

    Languages of the audience without a version get a machine translation first (marked for review)."""
    now = clock.now()
    campaign = get_campaign(db, seller_id, campaign_id)
    if campaign.status not in ("draft", "launched"):
        raise Conflict(f"campaign {campaign_id} is {campaign.status}: resume it, or make a new one")
    content = translate_missing(translator, campaign.content, audience_languages(db, seller_id, campaign))
    with run_once(db, f"campaign:{campaign_id}", holder, now, PLAN_LOCK_TTL) as mine:
        if not mine:
            raise Conflict(f"campaign {campaign_id} is being planned by another launch")
        with db.transaction() as s:
            row = _row(s, seller_id, campaign_id, lock=True)
            row.content, row.updated_at = content, now
            st = setting(s, row, now)
        plan = walk(db, st, now, write=True, mail_domain=mail_domain, progress=progress)
        _record(db, seller_id, campaign_id, plan, now, launched=True)
    return plan


def _record(db: Database, seller_id: int, campaign_id: int, plan: Plan, now: datetime, launched: bool) -> None:
    with db.transaction() as s:
        row = _row(s, seller_id, campaign_id, lock=True)
        row.last_plan = {"planned": plan.recipients, "matched": plan.matched, "excluded": dict(plan.excluded),
                         "at": now.isoformat()}
        if launched and row.status == "draft":
            row.status, row.launched_at = "launched", now
        row.updated_at = now


def _count(s, seller_id: int, campaign_id: int, status: str) -> int:
    return s.scalar(select(func.count()).select_from(Message).where(
        Message.seller_id == seller_id, Message.origin == "campaign", Message.origin_ref == str(campaign_id),
        Message.status == status))


def move_status(s, seller_id: int, campaign_id: int, frm: str, to: str, now: datetime) -> int:
    return s.execute(update(Message).where(
        Message.seller_id == seller_id, Message.origin == "campaign", Message.origin_ref == str(campaign_id),
        Message.status == frm).values(status=to, updated_at=now)).rowcount


def _switch(db: Database, clock: Clock, seller_id: int, campaign_id: int, frm: str, to: str, verb: str) -> int:
    """Move a campaign from `frm` to `to` and its messages with it (paused <-> scheduled); how many moved."""
    now = clock.now()
    held = to == "paused"
    with db.transaction() as s:
        row = _row(s, seller_id, campaign_id, lock=True)
        if row.status != frm:
            raise Conflict(f"campaign {campaign_id} is {row.status}: only a {frm} campaign can be {verb}")
        row.status, row.updated_at = to, now
        if not held:
            reschedule_late(s, seller_id, campaign_id, "paused", now, "resumed after a pause")
        return move_status(s, seller_id, campaign_id, *(("scheduled", "paused") if held else ("paused", "scheduled")),
                           now)


def pause_campaign(db: Database, clock: Clock, seller_id: int, campaign_id: int) -> int:
    """Hold every message not yet sent (a message being sent right now still goes); how many were held."""
    return _switch(db, clock, seller_id, campaign_id, "launched", "paused", "paused")


def resume_campaign(db: Database, clock: Clock, seller_id: int, campaign_id: int) -> int:
    """Release the held messages: those whose time passed go at the buyer's next good hour."""
    return _switch(db, clock, seller_id, campaign_id, "paused", "launched", "resumed")


def reschedule_late(s, seller_id: int, campaign_id: int, status: str, now: datetime, why_prefix: str) -> int:
    """Held messages (in `status`) whose time passed move to each buyer's next good hour; how many."""
    late = s.execute(select(Message.id, Buyer.country, Buyer.timezone).join(Buyer, Buyer.id == Message.buyer_id)
                     .where(Message.seller_id == seller_id, Message.origin == "campaign",
                            Message.origin_ref == str(campaign_id), Message.status == status,
                            Message.scheduled_at < now)).all()
    if late:
        seller = s.get(Seller, seller_id)
        policy, curves = seller_policy(seller, "marketing"), country_curves(seller) or None
        chosen = next_send_times((default_profile(c, tz, curves), policy, now) for _, c, tz in late)
        s.connection().execute(update(Message).where(Message.id == bindparam("m_id")).values(
            scheduled_at=bindparam("m_when"), due_at=bindparam("m_when"), explanation=bindparam("m_why")),
            [{"m_id": message_id, "m_when": when, "m_why": f"{why_prefix}: {why}"[:500]}
             for (message_id, _, _), (when, why) in zip(late, chosen)])
    return len(late)


def cancel_campaign(db: Database, clock: Clock, seller_id: int, campaign_id: int) -> int:
    """Cancel every message not yet sent and stop planning; how many were cancelled."""
    now = clock.now()
    with db.transaction() as s:
        row = _row(s, seller_id, campaign_id, lock=True)
        if row.status == "cancelled":
            raise Conflict(f"campaign {campaign_id} is already cancelled")
        row.status, row.updated_at = "cancelled", now
        return sum(move_status(s, seller_id, campaign_id, frm, "cancelled", now)
                   for frm in ("scheduled", "paused", "waiting"))


def plan_standing(db: Database, clock: Clock, *, mail_domain: str, translator: Translator | None = None) -> int:
    """The worker's daily pass: each launched repurchase campaign plans the buyers now due."""
    with db.reading() as s:
        standing = s.execute(select(Campaign.seller_id, Campaign.id).where(
            Campaign.kind == "repurchase", Campaign.status == "launched")).all()
    planned = 0
    for seller_id, campaign_id in standing:
        try:
            planned += launch_campaign(db, clock, seller_id, campaign_id, mail_domain=mail_domain,
                                       translator=translator, holder="worker").recipients
        except Conflict:
            continue  # paused or cancelled since, or planned by another launch right now
    return planned


def audience_size(db: Database, seller_id: int, campaign: Campaign) -> int:
    """How many buyers the campaign's filter matches (before exclusions): the progress bar's total."""
    f = AudienceFilter.model_validate(campaign.audience or {})
    with db.reading() as s:
        return s.scalar(select(func.count()).select_from(Buyer).where(*where_clauses(seller_id, f))) or 0


def sample_email(db: Database, clock: Clock, seller_id: int, campaign_id: int, buyer_id: int) -> Rendered:
    """The email one buyer would get, rendered in the campaign frame with the localized footer."""
    now = clock.now()
    with db.reading() as s:
        campaign = _row(s, seller_id, campaign_id)
        st = setting(s, campaign, now)
        seller = s.get(Seller, seller_id)
    found = sample_row(db, st, buyer_id, now)
    if found is None:
        raise NotFound(f"buyer {buyer_id} not found")
    row, name = found
    return render(RenderInput(locale=row["locale"], buyer_name=name, seller_name=seller.name,
                              postal_address=seller.postal_address, subject=row["subject"], body=row["body"],
                              template="campaign", context=template_values(row["locale"], row["context"]),
                              unsubscribe_url="#unsubscribe", preferences_url="#preferences"))


def record_progress(db: Database, seller_id: int, campaign_id: int, seen: int, total: int, now: datetime) -> None:
    """Store a running launch's progress in last_plan, in its own short transaction, for any web process
    to show; launch_campaign overwrites it with the plan when it finishes."""
    with db.transaction() as s:
        s.execute(update(Campaign).where(Campaign.id == campaign_id, Campaign.seller_id == seller_id).values(
            last_plan={"running": True, "seen": seen, "total": total, "at": now.isoformat()}))


def record_launch_failure(db: Database, seller_id: int, campaign_id: int, error: str, now: datetime) -> None:
    """Store why a background launch stopped (last_plan {"error"}), so the campaign page says it."""
    with db.transaction() as s:
        s.execute(update(Campaign).where(Campaign.id == campaign_id, Campaign.seller_id == seller_id).values(
            last_plan={"error": error[:1000], "at": now.isoformat()}))
