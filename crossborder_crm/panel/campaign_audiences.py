"""The wizard's saved audiences: the menu's entries (each filter as the audience fields show it) and the
JSON endpoint that saves the wizard's current filter under a name."""
from __future__ import annotations

from typing import Any

from flask import jsonify, request
from flask_login import current_user

from crossborder_crm.campaigns.audiences import parse_filter
from crossborder_crm.campaigns.models import SavedAudience
from crossborder_crm.campaigns.saved_audiences import list_audiences, save_audience
from crossborder_crm.container import current_services
from crossborder_crm.db import Database
from crossborder_crm.errors import Conflict, ValidationFailed
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.campaign_form import CampaignForm, audience_values
from crossborder_crm.panel.reasons import localize_reason

NAME_FIELD = "saved_audience_name"


def saved_choice(saved: SavedAudience, seller_tz: str) -> dict[str, Any]:
    """One menu entry: id, name, the audience fields it fills, and what of it the wizard cannot show."""
    consent = (saved.filter or {}).get("consent") or []
    note = _("This saved audience also narrows by consent (%(values)s), which this form cannot set: the "
             "campaign leaves that part out.", values=", ".join(consent)) if consent else ""
    return {"id": saved.id, "name": saved.name, "fields": audience_values(saved.filter or {}, seller_tz),
            "note": note}


def saved_choices(db: Database, seller_id: int, seller_tz: str) -> list[dict[str, Any]]:
    """The seller's saved audiences by name, as the wizard's menu offers them."""
    return [saved_choice(a, seller_tz) for a in list_audiences(db, seller_id)]


@bp.post("/campaigns/saved-audiences")
def campaign_save_audience():
    """Save the wizard's audience filter under a name (JSON): the new menu entry, or the errors by field."""
    svc = current_services()
    tz = current_user.seller_timezone
    form = CampaignForm.posted(request.form)
    name = (request.form.get(NAME_FIELD) or "").strip()
    audience = form.audience(tz)
    if not name:
        form.errors[NAME_FIELD] = _("Enter a name for this audience.")
    if not form.errors:
        try:
            saved = save_audience(svc.db, svc.clock, current_user.seller_id,
                                  {"name": name, "filter": parse_filter(audience).model_dump(mode="json")})
        except Conflict:
            return jsonify({"errors": {NAME_FIELD: _("You already have a saved audience named “%(name)s”: "
                                                     "choose another name.", name=name)}, "general": [],
                            "message": _("The audience was not saved.")}), 409
        except ValidationFailed as exc:
            for key, reason in exc.fields.items():
                if key == "name":
                    form.errors[NAME_FIELD] = localize_reason(reason)
                else:  # the filter's own checks, as the live preview reports them
                    form.place({f"audience.{key}": reason})
        else:
            return jsonify({"audience": saved_choice(saved, tz),
                            "message": _("Saved as “%(name)s”: it is in the menu above.", name=saved.name)}), 201
    return jsonify({"errors": form.errors, "general": form.general,
                    "message": _("The audience was not saved: check the fields named here.")}), 422
