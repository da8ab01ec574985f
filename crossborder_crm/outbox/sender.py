"""The seller as a sender: addresses, footer, quiet hours, marketing cap, deadline, DKIM key.

The DKIM private key is validated in clear and stored encrypted (SecretBox).
"""
from __future__ import annotations

import re
from typing import Annotated, Any, Mapping

from pydantic import AfterValidator, Field, field_validator, model_validator

from crossborder_crm.accounts.models import Seller
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, NotFound
from crossborder_crm.outbox.dkim_signing import validate_dkim_key
from crossborder_crm.secret_box import SecretBox
from crossborder_crm.validation import Email, FieldError, Schema, parse

HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _hhmm(value: str) -> str:
    if not HHMM.match(value):
        raise ValueError(N_("expected HH:MM (24-hour, buyer local time)"))
    return value


class SenderSettings(Schema):
    """Sending settings a seller may change; only the fields given are touched."""

    from_name: str | None = Field(default=None, min_length=1, max_length=200)
    from_email: Email | None = None
    reply_to: Email | None = None
    postal_address: str | None = Field(default=None, max_length=500, description="shown in every email footer")
    quiet_start: Annotated[str, AfterValidator(_hhmm)] | None = None
    quiet_end: Annotated[str, AfterValidator(_hhmm)] | None = None
    marketing_cap_count: int | None = Field(default=None, ge=0, le=100)
    marketing_cap_days: int | None = Field(default=None, ge=1, le=90)
    conversation_deadline_hours: int | None = Field(default=None, ge=1, le=168)
    dkim_domain: str | None = Field(default=None, max_length=253)
    dkim_selector: str | None = Field(default=None, max_length=63, pattern=r"^[A-Za-z0-9._-]+$")
    dkim_private_key: str | None = Field(default=None, description="RSA private key, PEM")
    track_engagement: bool | None = Field(default=None, description="count opens and clicks of marketing email")

    @field_validator("dkim_private_key")
    @classmethod
    def _key(cls, v: str | None) -> str | None:
        if v:
            validate_dkim_key(v.encode())
        return v

    @model_validator(mode="after")
    def _dkim_complete(self):
        given = [f for f in ("dkim_domain", "dkim_selector", "dkim_private_key") if getattr(self, f)]
        if given and len(given) < 3:
            missing = sorted({"dkim_domain", "dkim_selector", "dkim_private_key"} - set(given))[0]
            raise FieldError(missing, N_("DKIM needs a domain, a selector and a private key together"))
        return self


def update_sender(db: Database, clock: Clock, box: SecretBox, seller_id: int, data: Mapping[str, Any]) -> Seller:
    """Validate and apply sender settings in one transaction (the DKIM key stored encrypted)."""
    spec = parse(SenderSettings, data, "sender settings")
    with db.transaction() as s:
        seller = s.get(Seller, seller_id)
        if seller is None:
            raise NotFound(f"seller {seller_id} not found")
        for name in spec.model_fields_set:
            value = getattr(spec, name)
            if name == "dkim_private_key" and value:
                value = box.encrypt(value)
            setattr(seller, name, value)
        return seller
