"""Settings: the account, the panel language, sending, the API token and the webhook secrets.

The language is saved on the user (or in the session before sign-in). Sending settings go through
outbox.sender.update_sender; its errors are shown next to their fields (422) and nothing is saved.
A rotated API token or webhook secret is rendered once on the resulting page and nowhere else (no
flash, no URL); afterwards a webhook secret shows only its first characters. The DKIM private key
is never rendered back: an empty key field keeps the stored key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Mapping

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from crossborder_crm.accounts.models import FEEDBACK_SOURCES, WEBHOOK_SOURCES, ApiToken, Seller, WebhookSecret
from crossborder_crm.accounts.service import rotate_api_token, rotate_webhook_secret, set_user_locale
from crossborder_crm.container import current_services
from crossborder_crm.errors import NotFound, ValidationFailed
from crossborder_crm.feedback.queries import EventRow, recent_events
from crossborder_crm.i18n import PANEL_LOCALES
from crossborder_crm.i18n import gettext as _
from crossborder_crm.marketplaces.queries import DeliveryRow, recent_deliveries
from crossborder_crm.outbox.relays import RelayView, relay_view
from crossborder_crm.outbox.sender import update_sender
from crossborder_crm.panel.auth import safe_next
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.delivery_events import FeedbackInfo, feedback_infos
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.reasons import localize_reason
from crossborder_crm.panel.users import SESSION_LOCALE_KEY, renew_session
from crossborder_crm.secret_box import SecretBox

# The sending form's fields, in the order they are shown (the DKIM key is handled on its own).
TEXT_FIELDS = ("from_name", "from_email", "reply_to", "postal_address")
REQUIRED_FIELDS = ("quiet_start", "quiet_end", "marketing_cap_count", "marketing_cap_days",
                   "conversation_deadline_hours")
DKIM_FIELDS = ("dkim_domain", "dkim_selector")
SENDER_FIELDS = (*TEXT_FIELDS, *REQUIRED_FIELDS, *DKIM_FIELDS, "dkim_private_key")

MASK_VISIBLE = 4  # characters of a webhook secret still shown after it was first displayed

# How a stored webhook delivery stands (marketplaces.models.DELIVERY_STATUSES), as the panel says it.
DELIVERY_STATUS_LABELS = {
    "received": N_("received, not applied yet"),
    "applied": N_("applied"),
    "ignored": N_("ignored (nothing to change)"),
    "failed": N_("failed"),
    "waiting": N_("waiting for its order"),
}

SOURCE_LABELS = {
    "shopify": "Shopify",
    "woocommerce": "WooCommerce",
    "aftership": "AfterShip",
    "generic": N_("Generic (any platform)"),
}


# --------------------------------------------------------------------------- read model

@dataclass(frozen=True)
class TokenInfo:
    prefix: str
    created_at: datetime


@dataclass(frozen=True)
class WebhookInfo:
    source: str
    label: str
    url: str
    masked: str | None  # "3f9a…"; None: no secret yet


@dataclass(frozen=True)
class NewWebhookSecret:
    """A webhook secret just created: shown on this one response."""

    source: str
    label: str
    secret: str = field(repr=False)


@dataclass(frozen=True)
class SettingsView:
    """What the settings page shows for the signed-in seller (never the DKIM private key)."""

    seller_key: str
    dkim_record: str | None  # "s1._domainkey.shop.example" when DKIM is configured
    has_dkim_key: bool
    token: TokenInfo | None
    webhooks: list[WebhookInfo]
    sender: dict[str, str]
    deliveries: dict[str, list[DeliveryRow]] = field(default_factory=dict)  # the last few per source
    seller_timezone: str = "UTC"  # delivery times are shown in the shop's zone
    feedback: list[FeedbackInfo] = field(default_factory=list)  # bounce/complaint providers
    feedback_events: dict[str, list[EventRow]] = field(default_factory=dict)  # the last few per provider
    relay: RelayView | None = None  # the seller's own relay (never its password); None: the service's


def _sender_values(seller: Seller) -> dict[str, str]:
    values = {name: "" if getattr(seller, name) is None else str(getattr(seller, name))
              for name in (*TEXT_FIELDS, *REQUIRED_FIELDS, *DKIM_FIELDS)}
    values["dkim_private_key"] = ""
    values["track_engagement"] = "1" if seller.track_engagement else ""
    return values


def mask(secret: str) -> str:
    """The start of a secret, enough to tell secrets apart, never enough to use one."""
    return secret[:MASK_VISIBLE] + "…"


def _masked(box: SecretBox, stored: str | None) -> str | None:
    return None if stored is None else mask(box.decrypt(stored))


def load_view(seller_id: int) -> SettingsView:
    """The seller's settings, token prefix and masked webhook secrets, scoped to this seller."""
    svc = current_services()
    base = str(svc.settings.get("PUBLIC_URL") or "").rstrip("/")
    with svc.db.reading() as s:
        seller = s.get(Seller, seller_id)
        if seller is None:
            raise NotFound(f"seller {seller_id} not found")
        token = s.execute(
            select(ApiToken.prefix, ApiToken.created_at)
            .where(ApiToken.seller_id == seller_id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).limit(1)).first()
        secrets = dict(s.execute(select(WebhookSecret.source, WebhookSecret.secret)
                                 .where(WebhookSecret.seller_id == seller_id)).all())
        configured = bool(seller.dkim_domain and seller.dkim_selector and seller.dkim_private_key)
        return SettingsView(
            seller_key=seller.key,
            dkim_record=f"{seller.dkim_selector}._domainkey.{seller.dkim_domain}" if configured else None,
            has_dkim_key=bool(seller.dkim_private_key),
            token=TokenInfo(token.prefix, token.created_at) if token else None,
            webhooks=[WebhookInfo(src, SOURCE_LABELS.get(src, src),
                                  f"{base}/webhooks/{src}/{seller.key}", _masked(svc.box, secrets.get(src)))
                      for src in WEBHOOK_SOURCES],
            sender=_sender_values(seller),
            deliveries=recent_deliveries(svc.db, seller_id, WEBHOOK_SOURCES), seller_timezone=seller.timezone,
            feedback=feedback_infos(base, seller.key, secrets, svc.box),
            feedback_events=recent_events(svc.db, seller_id, FEEDBACK_SOURCES), relay=relay_view(seller))


def _stored_dkim_key(seller_id: int) -> str | None:
    """The saved DKIM key in clear (to save it again with the form), or None."""
    svc = current_services()
    with svc.db.reading() as s:
        stored = s.scalar(select(Seller.dkim_private_key).where(Seller.id == seller_id))
    return svc.box.decrypt(stored) if stored else stored


# --------------------------------------------------------------------------- the sending form

def submitted_sender(form: Mapping[str, str]) -> dict[str, str]:
    """The posted values as typed, to show the form again after an error (never the key)."""
    values = {name: form.get(name, "") for name in SENDER_FIELDS}
    values["dkim_private_key"] = ""
    values["track_engagement"] = "1" if form.get("track_engagement") else ""
    return values


def sender_data(form: Mapping[str, str], stored_key: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """The dict for update_sender, and the panel's own errors (required fields left empty).

    Empty optional text fields clear the value. An empty DKIM key keeps the stored one; emptying
    the domain and the selector (with no new key) turns DKIM off and forgets the key.
    """
    data: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in TEXT_FIELDS:
        data[name] = (form.get(name) or "").strip() or None
    data["track_engagement"] = bool(form.get("track_engagement"))
    for name in REQUIRED_FIELDS:
        value = (form.get(name) or "").strip()
        if not value:
            errors[name] = _("This field is required.")
        else:
            data[name] = value
    domain = (form.get("dkim_domain") or "").strip()
    selector = (form.get("dkim_selector") or "").strip()
    key = (form.get("dkim_private_key") or "").strip()
    if not (domain or selector or key):
        data.update(dkim_domain=None, dkim_selector=None, dkim_private_key=None)
    else:
        data.update(dkim_domain=domain or None, dkim_selector=selector or None,
                    dkim_private_key=key or stored_key)
    return data, errors


SENDER_MESSAGES = {
    "from_name": N_("Enter a name of at most 200 characters."),
    "from_email": N_("Enter a valid email address."),
    "reply_to": N_("Enter a valid email address."),
    "postal_address": N_("Keep the address to 500 characters or fewer."),
    "quiet_start": N_("Enter a time such as 21:30 (24-hour clock)."),
    "quiet_end": N_("Enter a time such as 08:30 (24-hour clock)."),
    "marketing_cap_count": N_("Enter a whole number from 0 to 100."),
    "marketing_cap_days": N_("Enter a whole number of days from 1 to 90."),
    "conversation_deadline_hours": N_("Enter a whole number of hours from 1 to 168."),
    "dkim_domain": N_("Enter a domain name such as shop.example.com."),
    "dkim_selector": N_("Use only letters, digits, dots, hyphens and underscores."),
    "dkim_private_key": N_("Paste an RSA private key in PEM format (BEGIN PRIVATE KEY or BEGIN RSA PRIVATE KEY)."),
}


def place_sender_errors(fields: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """update_sender's errors → a translated message next to each field, the rest as general."""
    per_field: dict[str, str] = {}
    general: list[str] = []
    for key, message in fields.items():
        head = key.split(".")[0]
        if head in SENDER_MESSAGES:
            if "together" in message:
                per_field.setdefault(head, _("DKIM needs a domain, a selector and a private key together."))
            else:
                per_field.setdefault(head, _(SENDER_MESSAGES[head]))
        else:
            general.append(localize_reason(message))
    return per_field, general


# --------------------------------------------------------------------------- views

def settings_page(view: SettingsView, *, sender_values: dict | None = None, sender_errors: dict | None = None,
                  sender_general: list | None = None, new_token: str | None = None,
                  new_webhook: NewWebhookSecret | None = None, **extra: Any) -> str:
    """The settings page; `extra` is for the sections kept in other modules (e.g. a feedback form's error)."""
    return render_template("panel/settings.html", view=view, delivery_status_labels=DELIVERY_STATUS_LABELS,
                           sender=sender_values if sender_values is not None else view.sender,
                           sender_errors=sender_errors or {}, sender_general=sender_general or [],
                           new_token=new_token, new_webhook=new_webhook, **extra)


@bp.get("/settings")
def settings():
    """The account, the language, sending, the API token and the webhooks."""
    return settings_page(load_view(current_user.seller_id))


@bp.post("/settings/sender")
def save_sender():
    """Save the sending settings; on an error nothing is saved and the fields say why (422)."""
    svc = current_services()
    seller_id = current_user.seller_id
    data, errors = sender_data(request.form, _stored_dkim_key(seller_id))
    general: list[str] = []
    if not errors:
        try:
            update_sender(svc.db, svc.clock, svc.box, seller_id, data)
        except ValidationFailed as exc:
            errors, general = place_sender_errors(exc.fields)
        else:
            flash(_("Sending settings saved."), "success")
            return redirect(url_for("panel.settings", _anchor="sending"))
    return settings_page(load_view(seller_id), sender_values=submitted_sender(request.form),
                 sender_errors=errors, sender_general=general), 422


@bp.post("/settings/api-token")
def rotate_token():
    """Issue a new API token and show it on this response only; the old one stops working.

    Every other panel session of the seller ends with it; this browser stays signed in.
    """
    svc = current_services()
    token = rotate_api_token(svc.db, svc.clock, current_user.seller_id)
    renew_session(current_user.id)
    return settings_page(load_view(current_user.seller_id), new_token=token)


@bp.post("/settings/webhooks/<source>/rotate")
def rotate_webhook(source: str):
    """Replace (or create) one source's webhook secret and show it on this response only."""
    if source not in WEBHOOK_SOURCES:
        abort(404)
    svc = current_services()
    secret = rotate_webhook_secret(svc.db, svc.clock, svc.box, current_user.seller_id, source)
    new = NewWebhookSecret(source, SOURCE_LABELS.get(source, source), secret)
    return settings_page(load_view(current_user.seller_id), new_webhook=new)


@bp.post("/settings/language")
def set_language():
    """Switch the panel language and remember it; back to the page the switch was used on."""
    locale = request.form.get("locale")
    target = safe_next(request.form.get("next"))
    if locale not in PANEL_LOCALES:
        flash(_("That language is not available."), "error")
        return redirect(target)
    session[SESSION_LOCALE_KEY] = locale
    if current_user.is_authenticated:
        set_user_locale(current_services().db, current_user.id, locale)
    g.panel_locale = locale  # so the confirmation below is already in the new language
    flash(_("Language saved."), "success")
    return redirect(target)
