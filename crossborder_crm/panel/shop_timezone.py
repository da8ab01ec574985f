"""The shop's own time zone (Settings → Account): the seller's "your time" everywhere in the panel."""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import update

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.codes import validate_timezone
from crossborder_crm.container import current_services
from crossborder_crm.db import Database
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.choices import timezone_choices


def set_shop_timezone(db: Database, seller_id: int, value: str) -> str:
    """Validate an IANA zone name and make it the seller's; returns the canonical name."""
    try:
        zone = validate_timezone(value or "")
    except ValueError as exc:
        raise ValidationFailed("invalid time zone", {"timezone": str(exc)}) from None
    with db.transaction() as s:
        s.execute(update(Seller).where(Seller.id == seller_id).values(timezone=zone))
    return zone


@bp.post("/settings/timezone")
def save_shop_timezone():
    """Save the shop's time zone; an unknown zone changes nothing and says so."""
    svc = current_services()
    try:
        zone = set_shop_timezone(svc.db, current_user.seller_id, request.form.get("timezone", ""))
    except ValidationFailed:
        flash(_("Choose a time zone from the list."), "error")
        return redirect(url_for("panel.settings", _anchor="account"))
    flash(_("Shop time zone saved: %(zone)s. Times marked “your time” now use it.", zone=zone), "success")
    return redirect(url_for("panel.settings", _anchor="account"))


@bp.context_processor
def _shop_timezone_choices():
    """Settings gets the zone list (with today's offsets) for the shop's time zone select."""
    return {"shop_timezone_choices": lambda: timezone_choices(current_services().clock.now())}
