"""The outbox page (by status, retry, cancel) and the buyer page's timing and "write to buyer" parts.

The buyer page itself is rendered by buyers.buyer; its `buyer_timing` and `buyer_messages` blocks
ask `buyer_outbox(buyer)` (a template helper, computed once per request) for the heatmap, the next
good moment, the buyer's recent messages and the state of the write form. The write form posts to
`buyer_write`, which on a field error renders the same buyer page with the errors (422).
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

import pytz
from babel.dates import (format_skeleton, format_time, format_timedelta, get_day_names,
                         get_timezone_location)
from babel.numbers import format_percent
from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm import services
from crossborder_crm.buyers import service as buyers_service
from crossborder_crm.errors import Conflict, NotFound, ValidationFailed
from crossborder_crm.i18n import current_locale
from crossborder_crm.i18n import gettext as _
from crossborder_crm.i18n import ngettext
from crossborder_crm.outbox import service
from crossborder_crm.outbox.insights import BuyerTiming, buyer_timing
from crossborder_crm.outbox.schemas import MessageCreate
from crossborder_crm.panel import bp
from crossborder_crm.panel.auth import safe_next
from crossborder_crm.panel.formatting import country_name, ui_locale
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.outbox_queries import (QuietHours, buyer_briefs, seller_quiet_hours,
                                                  status_counts)
from crossborder_crm.panel.paging import Trail, page_size
from crossborder_crm.validation import parse

RECENT_ON_BUYER_PAGE = 8

# The outbox tabs, in order; "all" lists every status (sending included).
STATUS_TABS = (
    ("all", N_("All")),
    ("scheduled", N_("Scheduled")),
    ("sent", N_("Sent")),
    ("failed", N_("Failed")),
    ("suppressed", N_("Suppressed")),
    ("cancelled", N_("Cancelled")),
)
STATUS_LABELS = {
    "scheduled": N_("Scheduled"),
    "sending": N_("Sending"),
    "sent": N_("Sent"),
    "failed": N_("Failed"),
    "suppressed": N_("Suppressed"),
    "cancelled": N_("Cancelled"),
}
KIND_LABELS = {
    "conversation": N_("Conversation"),
    "marketing": N_("Marketing"),
    "transactional": N_("Transactional"),
}
# What a seller may write from the panel (transactional mail comes from order events).
WRITE_KINDS = ("conversation", "marketing")
WHEN_CHOICES = ("best", "local")
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
LOCAL_INPUT = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(:00(\.0+)?)?$")


# --------------------------------------------------------------------------- formatting

def _zone(tz_name: str | None):
    try:
        return pytz.timezone(tz_name) if tz_name else pytz.utc
    except pytz.UnknownTimeZoneError:
        return pytz.utc


def zone_city(tz_name: str | None) -> str:
    """The exemplar city of a zone in the panel language, e.g. 'Madrid' / '马德里'."""
    if not tz_name:
        return "UTC"
    try:
        city = get_timezone_location(_zone(tz_name), locale=ui_locale(), return_city=True)
    except (LookupError, ValueError):
        city = ""
    if not city or "/" in city:
        city = tz_name.rsplit("/", 1)[-1].replace("_", " ")
    return city


def moment(value: datetime | None, tz_name: str | None) -> str:
    """Weekday, date and 24-hour time of an instant in a zone, e.g. 'Wed, Mar 11 20:00'."""
    if value is None:
        return ""
    loc = ui_locale()
    local = value.astimezone(_zone(tz_name))
    return f"{format_skeleton('MMMEd', local, locale=loc)} {format_time(local, 'HH:mm', locale=loc)}"


def at_buyer(value: datetime, buyer_tz: str) -> str:
    """'Wed, Mar 11 20:00 in Madrid': an instant in the buyer's time, named by their city."""
    return _("%(time)s in %(city)s", time=moment(value, buyer_tz), city=zone_city(buyer_tz))


def at_seller(value: datetime, seller_tz: str) -> str:
    """'(Thu, Mar 12 03:00 your time)': the same instant in the seller's time."""
    return _("(%(time)s your time)", time=moment(value, seller_tz))


def both_times(value: datetime, buyer_tz: str, seller_tz: str) -> str:
    """'Wed, Mar 11 20:00 in Madrid (Thu, Mar 12 03:00 your time)'."""
    return f"{at_buyer(value, buyer_tz)} {at_seller(value, seller_tz)}"


def until(value: datetime, now: datetime) -> str:
    """How far ahead a moment is, to the hour, e.g. 'in 11 hours' or 'in 2 days'."""
    return format_timedelta(value - now, granularity="hour", add_direction=True, locale=ui_locale())


def day_names() -> list[str]:
    """Abbreviated weekday names, Monday first, in the panel language."""
    names = get_day_names("abbreviated", locale=ui_locale())
    return [names[i] for i in range(7)]


@bp.context_processor
def _outbox_helpers():
    """Panel templates get the time helpers, the buyer page parts and the message labels."""
    return {"zone_city": zone_city, "moment": moment, "at_buyer": at_buyer, "at_seller": at_seller,
            "both_times": both_times, "until": until,
            "buyer_outbox": buyer_outbox, "message_status_labels": STATUS_LABELS,
            "message_kind_labels": KIND_LABELS}


# --------------------------------------------------------------------------- heatmap

@dataclass(frozen=True)
class HeatCell:
    """One local hour of one weekday: shade (0..10), quiet-hours state, whether it is the next moment."""

    hour: int
    level: int
    quiet: str
    next: bool
    title: str


@dataclass(frozen=True)
class HeatRow:
    day: str
    cells: list[HeatCell]


def heat_rows(heatmap: list[list[float]], quiet: QuietHours, next_local: datetime | None) -> list[HeatRow]:
    """The 7×24 weights as table rows: a shade class per cell and a title saying what it means."""
    loc = ui_locale()
    names = day_names()
    states = [quiet.hour_state(h) for h in range(24)]
    rows = []
    for d, weights in enumerate(heatmap):
        cells = []
        for h, weight in enumerate(weights):
            title = _("%(day)s %(start)s–%(end)s: %(percent)s of this buyer's peak activity",
                      day=names[d], start=f"{h:02d}:00", end=f"{(h + 1) % 24:02d}:00",
                      percent=format_percent(weight, locale=loc))
            if states[h] == "quiet":
                title += " · " + _("quiet hours")
            elif states[h] == "partly":
                title += " · " + _("partly in quiet hours")
            is_next = bool(next_local and next_local.weekday() == d and next_local.hour == h)
            if is_next:
                title += " · " + _("next good moment")
            cells.append(HeatCell(h, max(0, min(10, round(weight * 10))), states[h], is_next, title))
        rows.append(HeatRow(names[d], cells))
    return rows


def source_line(timing: BuyerTiming, country: str) -> str:
    """Where the online pattern comes from; English readers get the engine's own summary."""
    if current_locale() == "en" and timing.summary:
        return timing.summary[:1].upper() + timing.summary[1:]
    if timing.source == "learned":
        phrase = ngettext("Learned from %(num)d activity event of this buyer",
                          "Learned from %(num)d activity events of this buyer", timing.event_count)
    elif timing.source == "country_default":
        phrase = _("Country default for %(country)s: no activity from this buyer yet",
                   country=country_name(country) or country)
    else:
        phrase = _("Your default pattern: no activity from this buyer yet")
    flat = [w for row in timing.heatmap for w in row]
    if max(flat, default=0) > 0:
        d, h = divmod(flat.index(max(flat)), 24)
        phrase += _("; most active around %(day)s %(hour)s (buyer's time)",
                    day=day_names()[d], hour=f"{h:02d}:00")
    return phrase


# --------------------------------------------------------------------------- the write form

@dataclass
class WriteForm:
    """The "write to buyer" form as posted (or as first shown) and its errors."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)

    @classmethod
    def blank(cls, local_default: str = "") -> "WriteForm":
        return cls({"subject": "", "body": "", "kind": "conversation", "when": "best",
                    "local": local_default, "nonce": secrets.token_urlsafe(18)})

    @classmethod
    def posted(cls, form: Mapping[str, str]) -> "WriteForm":
        values = {name: (form.get(name) or "") for name in ("subject", "body", "kind", "when",
                                                             "local", "nonce")}
        values["local"] = values["local"].strip()
        return cls(values)

    def check(self) -> bool:
        """The panel's own checks (choices, the time input); the service checks the rest."""
        v = self.values
        if v["kind"] not in WRITE_KINDS:
            self.errors["kind"] = _("Choose one of the listed kinds.")
        if v["when"] not in WHEN_CHOICES:
            self.errors["when"] = _("Choose when the message should go out.")
        elif v["when"] == "local":
            if not v["local"]:
                self.errors["local"] = _("Choose the date and time, in the buyer's time zone.")
            elif not LOCAL_INPUT.match(v["local"]):
                self.errors["local"] = _("Enter a date and time such as 2026-03-12 09:00.")
        if not NONCE.match(v["nonce"]):
            self.general.append(_("This form has expired. Reload the page and write the message again."))
        if self.errors or self.general:
            # Say what else is wrong too (subject, body) without scheduling anything.
            try:
                parse(MessageCreate, {"buyer_id": 1, "subject": v["subject"], "body": v["body"]})
            except ValidationFailed as exc:
                self.place(exc.fields)
            return False
        return True

    def service_data(self, buyer_id: int) -> dict[str, Any]:
        """The dict for outbox.service.schedule_message; the key makes a double submit harmless."""
        v = self.values
        send_at: Any = "best"
        if v["when"] == "local":
            send_at = {"local": LOCAL_INPUT.match(v["local"]).group(1)}
        digest = hashlib.sha256(f"{buyer_id}:{v['nonce']}".encode()).hexdigest()[:40]
        return {"buyer_id": buyer_id, "subject": v["subject"], "body": v["body"], "kind": v["kind"],
                "send_at": send_at, "idempotency_key": f"panel-write:{digest}"}

    def place(self, fields: Mapping[str, str]) -> None:
        """Service errors ({"subject": …, "send_at.LocalTime.local": …}) → next to each field."""
        for key, message in fields.items():
            head = key.split(".")[0]
            if head == "subject":
                self.errors.setdefault("subject", (
                    _("The subject must be one line.") if "one line" in message else
                    _("Keep the subject to 300 characters or fewer.") if "at most" in message else
                    _("Write a subject.")))
            elif head == "body":
                self.errors.setdefault("body", (
                    _("The message is too long (at most 50,000 characters).") if "at most" in message
                    else _("Write the message.")))
            elif head == "kind":
                self.errors.setdefault("kind", _("Choose one of the listed kinds."))
            elif head == "send_at":
                target = "local" if self.values["when"] == "local" else "when"
                self.errors.setdefault(target, (
                    _("That moment has already passed in the buyer's time zone.")
                    if "passed" in message else _("Enter a date and time such as 2026-03-12 09:00.")))
            elif head == "idempotency_key":
                self.general.append(_("This form has expired. Reload the page and write the message again."))
            else:
                self.general.append(message)


# --------------------------------------------------------------------------- buyer page parts

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


def _confirmation(seller_id: int, buyer_id: int):
    raw = request.args.get("scheduled", "")
    if not raw.isdigit():
        return None
    try:
        msg = service.get_message(services().db, seller_id, int(raw))
    except NotFound:
        return None
    return msg if msg.buyer_id == buyer_id else None


def buyer_outbox(buyer) -> BuyerOutbox:
    """The buyer page's timing and outbox parts (computed once per request)."""
    cache = g.setdefault("_buyer_outbox", {})
    if buyer.id in cache:
        return cache[buyer.id]
    svc = services()
    seller_id = current_user.seller_id
    timing = buyer_timing(svc.db, svc.clock, seller_id, buyer.id)
    quiet = seller_quiet_hours(svc.db, seller_id)
    messages, more = service.list_messages(svc.db, seller_id, buyer_id=buyer.id,
                                           limit=RECENT_ON_BUYER_PAGE)
    form = g.get("write_form") or WriteForm.blank(f"{timing.next_buyer_local:%Y-%m-%dT%H:%M}")
    result = BuyerOutbox(
        timing=timing, rows=heat_rows(timing.heatmap, quiet, timing.next_buyer_local),
        hours=list(range(24)), quiet=quiet, source_line=source_line(timing, buyer.country),
        messages=messages, more_messages=more is not None, form=form,
        confirmation=_confirmation(seller_id, buyer.id))
    cache[buyer.id] = result
    return result


@bp.post("/buyers/<int:buyer_id>/messages")
def buyer_write(buyer_id: int):
    """Schedule a written message; errors go back to the buyer page next to their fields."""
    svc = services()
    seller_id = current_user.seller_id
    buyers_service.get_buyer(svc.db, seller_id, buyer_id)  # another seller's buyer: 404 first
    form = WriteForm.posted(request.form)
    status = 422
    if form.check():
        try:
            result = service.schedule_message(svc.db, svc.clock, seller_id,
                                              form.service_data(buyer_id),
                                              mail_domain=current_app.config["MAIL_FROM_DOMAIN"])
        except (ValidationFailed, Conflict) as exc:
            form.place(exc.fields)
            status = exc.status
        else:
            if result.created:
                flash(_("Message scheduled."), "success")
            else:
                flash(_("This message was already scheduled; it was not added twice."), "info")
            return redirect(url_for("panel.buyer", buyer_id=buyer_id,
                                    scheduled=result.message.id, _anchor="write"))
    g.write_form = form
    from crossborder_crm.panel.buyers import buyer as buyer_page

    return buyer_page(buyer_id), status


# --------------------------------------------------------------------------- outbox page

@bp.get("/outbox")
def outbox():
    """The seller's messages by status (and buyer), newest first, in keyset pages."""
    svc = services()
    seller_id = current_user.seller_id
    args = request.args
    errors: dict[str, str] = {}
    status = args.get("status") or "all"
    if status not in dict(STATUS_TABS):
        errors["status"] = _("Choose one of the listed statuses.")
        status = "all"
    for_buyer = None
    raw_buyer = args.get("buyer") or ""
    if raw_buyer:
        if not raw_buyer.isdigit():
            raise NotFound("no such buyer")
        for_buyer = buyers_service.get_buyer(svc.db, seller_id, int(raw_buyer))  # 404 if not theirs
    raw_cursor = args.get("cursor") or ""
    cursor = int(raw_cursor) if raw_cursor.isdigit() else None
    trail = Trail.parse(args.get("trail"))
    limit = page_size(args.get("limit"))
    rows, next_cursor = service.list_messages(
        svc.db, seller_id, status=None if status == "all" else status,
        buyer_id=for_buyer.id if for_buyer else None, limit=limit, cursor=cursor)
    briefs = buyer_briefs(svc.db, seller_id, (m.buyer_id for m in rows))
    counts = status_counts(svc.db, seller_id, for_buyer.id if for_buyer else None)
    counts["all"] = sum(counts.values())
    kept: dict[str, Any] = {}
    if status != "all":
        kept["status"] = status
    if for_buyer:
        kept["buyer"] = for_buyer.id
    if args.get("limit"):
        kept["limit"] = limit
    current = str(cursor) if cursor else None
    pages = {
        "next": url_for("panel.outbox", **kept, cursor=next_cursor,
                        trail=trail.push(current).encode()) if next_cursor else None,
        "prev": (url_for("panel.outbox", **kept, cursor=trail.top(),
                         trail=trail.pop().encode() or None) if trail else None),
        "first": url_for("panel.outbox", **kept) if cursor else None,
        "number": len(trail) + 1,
    }
    tabs = [(key, label, url_for("panel.outbox", **{k: v for k, v in kept.items() if k != "status"},
                                 **({"status": key} if key != "all" else {})))
            for key, label in STATUS_TABS]
    body = render_template("panel/outbox.html", messages=rows, buyers=briefs, status=status,
                           tabs=tabs, counts=counts, for_buyer=for_buyer, pages=pages,
                           errors=errors, here=request.full_path.rstrip("?"),
                           seller_tz=current_user.seller_timezone, now=svc.clock.now())
    return body, 422 if errors else 200


def _back() -> str:
    target = request.form.get("next")
    return safe_next(target) if target else url_for("panel.outbox")


def _status_name(fields: Mapping[str, str]) -> str:
    raw = fields.get("status", "")
    return _(STATUS_LABELS[raw]) if raw in STATUS_LABELS else raw


def _act(action, message_id: int, refused: str, done: str):
    """Run one outbox action; a status that does not allow it changes nothing and says why."""
    svc = services()
    try:
        action(svc.db, svc.clock, current_user.seller_id, message_id)
    except Conflict as exc:
        flash(_(refused, status=_status_name(exc.fields)), "error")
    else:
        flash(_(done), "success")
    return redirect(_back())


@bp.post("/outbox/<int:message_id>/retry")
def outbox_retry(message_id: int):
    """Put a failed message back in the queue, due now."""
    return _act(service.retry_message, message_id,
                N_("Only failed messages can be retried; this one is: %(status)s."),
                N_("The message is queued again and goes out within a few minutes."))


@bp.post("/outbox/<int:message_id>/cancel")
def outbox_cancel(message_id: int):
    """Cancel a message that has not gone out."""
    return _act(service.cancel_message, message_id,
                N_("This message can no longer be cancelled; it is: %(status)s."),
                N_("Message cancelled; it will not be sent."))
