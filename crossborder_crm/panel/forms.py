"""The buyer edit form: posted fields → the service's update dict, and its errors → per-field messages.

Pure functions over plain mappings, so they are tested without a request (outside one the
errors stay English).
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from crossborder_crm.panel.reasons import localize_reason

# Form fields, in the order they are shown.
TEXT_FIELDS = ("name", "email", "phone", "country", "region", "city", "postal_code", "timezone",
               "language")
FORM_FIELDS = (*TEXT_FIELDS, "tags", "notes", "consent_status")
# Where the consent change is recorded as coming from.
CONSENT_SOURCE = "panel"


def split_tags(raw: str) -> list[str]:
    """'vip, repeat\\nwholesale' → ['vip', 'repeat', 'wholesale'] (the service normalises case)."""
    return [t.strip() for t in re.split(r"[,\n;]", raw or "") if t.strip()]


def form_values(buyer) -> dict[str, str]:
    """What the form shows for a stored buyer.

    Timezone and language are only filled in when the seller gave them: an inferred value stays
    empty (shown as a hint) so it is inferred again when the address changes.
    """
    values = {name: getattr(buyer, name) or "" for name in TEXT_FIELDS}
    if buyer.timezone_source != "given":
        values["timezone"] = ""
    if buyer.language_source != "given":
        values["language"] = ""
    values["tags"] = ", ".join(buyer.tags or [])
    values["notes"] = buyer.notes or ""
    values["consent_status"] = buyer.consent_status or "unknown"
    return values


def submitted_values(form: Mapping[str, str]) -> dict[str, str]:
    """The posted values as typed, to show the form again after an error."""
    return {name: form.get(name, "") for name in FORM_FIELDS}


def update_from_form(form: Mapping[str, str]) -> dict[str, Any]:
    """The partial update for buyers.service.update_buyer.

    Empty text fields clear the value (name and country then fail as required); an empty
    timezone or language means "infer it". Consent is only sent when the seller changed it, so
    saving the form never overwrites an unsubscribe that arrived while it was open.
    """
    data: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        value = (form.get(name) or "").strip()
        data[name] = value or None
    if data["country"]:
        data["country"] = data["country"].upper()
    data["tags"] = split_tags(form.get("tags", ""))
    notes = (form.get("notes") or "").strip()
    data["notes"] = notes or None
    status = form.get("consent_status")
    if status and status != form.get("consent_status_was"):
        data["consent"] = {"status": status, "source": CONSENT_SOURCE}
    return data


def place_errors(fields: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """Service errors ({"consent.status": …, "tags.2": …, "body": "phone: …"}) → next to each field,
    in the panel's language. Whatever cannot be tied to a form field is returned as a general message.
    """
    per_field: dict[str, str] = {}
    general: list[str] = []
    for key, message in fields.items():
        head = key.split(".")[0]
        if head == "consent":
            head = "consent_status"
        if head == "body":
            prefix, sep, rest = message.partition(": ")
            if sep and prefix in FORM_FIELDS:
                head, message = prefix, rest
        if head in FORM_FIELDS:
            per_field.setdefault(head, localize_reason(message))
        else:
            general.append(localize_reason(message))
    return per_field, general
