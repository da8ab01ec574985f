"""The buyer page's "write to buyer" form: its checks, and the view that schedules what it posts.

The form posts to `buyer_write`; on a field error that view renders the same buyer page (422),
whose messages block shows the posted form with each error next to its field.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Mapping

from flask import current_app, flash, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers import service as buyers_service
from crossborder_crm.container import current_services
from crossborder_crm.errors import Conflict, ValidationFailed
from crossborder_crm.i18n import gettext as _
from crossborder_crm.i18n.translator import same_language
from crossborder_crm.outbox import service
from crossborder_crm.outbox.chosen_time import IN_QUIET_HOURS
from crossborder_crm.outbox.deliverability import NO_CONSENT, NO_REPLY_ADDRESS, UNSUBSCRIBED
from crossborder_crm.outbox.schemas import MessageCreate
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.buyers import buyer as buyer_page
from crossborder_crm.panel.explain import quiet_hours_warning, refusal_sentence
from crossborder_crm.panel.reasons import localize_reason
from crossborder_crm.validation import ID_IN_PATH, parse

# What a seller may write from the panel (transactional mail comes from order events).
WRITE_KINDS = ("conversation", "marketing")
WHEN_CHOICES = ("best", "local")
NONCE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
LOCAL_INPUT = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2})(:00(\.0+)?)?")


@dataclass
class WriteForm:
    """The "write to buyer" form as posted (or as first shown) and its errors."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    quiet_hours: bool = False  # the time chosen is in the buyer's quiet hours: offer "send anyway"
    reply_address_missing: bool = False  # link to Settings → Sending

    @classmethod
    def blank(cls, local_default: str = "") -> "WriteForm":
        """A fresh form: best moment, a conversation, a new nonce."""
        return cls({"subject": "", "body": "", "kind": "conversation", "when": "best",
                    "local": local_default, "nonce": secrets.token_urlsafe(18), "translate": "1",
                    "override_quiet_hours": ""})

    @classmethod
    def posted(cls, form: Mapping[str, str]) -> "WriteForm":
        """The form as the seller submitted it."""
        values = {name: (form.get(name) or "") for name in ("subject", "body", "kind", "when",
                                                             "local", "nonce")}
        values["local"] = values["local"].strip()
        values["translate"] = "1" if form.get("translate") else ""  # an unticked box is not posted
        values["override_quiet_hours"] = "1" if form.get("override_quiet_hours") else ""
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
            elif not LOCAL_INPUT.fullmatch(v["local"]):
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
            send_at = {"local": LOCAL_INPUT.fullmatch(v["local"]).group(1)}
        digest = hashlib.sha256(f"{buyer_id}:{v['nonce']}".encode()).hexdigest()[:40]
        return {"buyer_id": buyer_id, "subject": v["subject"], "body": v["body"], "kind": v["kind"],
                "send_at": send_at, "idempotency_key": f"panel-write:{digest}",
                "translate": bool(v.get("translate")),
                "override_quiet_hours": v["when"] == "local" and bool(v.get("override_quiet_hours"))}

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
            elif head == "buyer_id":
                self.general.append(refusal_sentence(message))  # the buyer cannot be mailed
            elif head == "kind" and getattr(message, "template", None) == NO_REPLY_ADDRESS:
                self.reply_address_missing = True
                self.general.append(refusal_sentence(message))
            elif head == "kind" and getattr(message, "template", None) in (UNSUBSCRIBED, NO_CONSENT):
                self.errors.setdefault("kind", refusal_sentence(message))
            elif head == "kind":
                self.errors.setdefault("kind", _("Choose one of the listed kinds."))
            elif head == "send_at":
                target = "local" if self.values["when"] == "local" else "when"
                if getattr(message, "template", None) == IN_QUIET_HOURS:
                    self.quiet_hours = True
                    reason = quiet_hours_warning(message.params)
                elif "passed" in message:
                    reason = _("That moment has already passed in the buyer's time zone.")
                elif "days from now" in message or "must be between" in message:
                    reason = _("Choose a moment within the next %(days)s days.", days=horizon_days())
                else:
                    reason = _("Enter a date and time such as 2026-03-12 09:00.")
                self.errors.setdefault(target, reason)
            elif head == "idempotency_key":
                self.general.append(_("This form has expired. Reload the page and write the message again."))
            else:
                self.general.append(localize_reason(message))


@dataclass(frozen=True)
class WriteLanguages:
    """The languages of the write form: the seller writes theirs, the buyer reads theirs."""

    seller: str
    buyer: str
    translator_on: bool

    @property
    def differ(self) -> bool:
        return not same_language(self.seller, self.buyer)


def write_languages(buyer) -> WriteLanguages:
    """The seller's default language against this buyer's, and whether a translator is set up."""
    svc = current_services()
    with svc.db.reading() as s:
        seller_language = s.scalar(select(Seller.default_language).where(Seller.id == current_user.seller_id))
    return WriteLanguages(seller_language or "en", buyer.language, svc.translator is not None)


def horizon_days() -> int:
    """How many days ahead a message may be set to go out (the SEND_HORIZON_DAYS setting)."""
    return current_app.config["SEND_HORIZON_DAYS"]


def shown_form(local_default: str) -> WriteForm:
    """The form the buyer page shows: the one just posted, with its errors, or a blank one."""
    return g.get("write_form") or WriteForm.blank(local_default)


@bp.post(f"/buyers/<{ID_IN_PATH}:buyer_id>/messages")
def buyer_write(buyer_id: int):
    """Schedule a written message; errors go back to the buyer page next to their fields."""
    svc = current_services()
    seller_id = current_user.seller_id
    buyers_service.get_buyer(svc.db, seller_id, buyer_id)  # another seller's buyer: 404 first
    form = WriteForm.posted(request.form)
    status = 422
    if form.check():
        try:
            result = service.schedule_message(svc.db, svc.clock, seller_id,
                                              form.service_data(buyer_id),
                                              mail_domain=current_app.config["MAIL_FROM_DOMAIN"],
                                              horizon=timedelta(days=horizon_days()),
                                              translator=svc.translator)
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
    return buyer_page(buyer_id), status
