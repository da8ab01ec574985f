"""Request schemas for messages: what a seller sends and when."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, Field, field_validator

from crossborder_crm.buyers.schemas import AwareDatetime
from crossborder_crm.validation import Schema

LOCAL_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")


def _local(value: str) -> str:
    if not LOCAL_FORMAT.match(value):
        raise ValueError("expected YYYY-MM-DDTHH:MM (the buyer's wall time, no offset)")
    datetime.strptime(value, "%Y-%m-%dT%H:%M")
    return value


# C0 and C1 controls but tab, CR and LF (CR/LF are refused outright: they would split the header).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _subject_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("must be one line")
    value = CONTROL.sub("", value).replace("\t", " ").strip()
    if not value:
        raise ValueError("must not be empty once control characters are removed")
    return value


class LocalTime(Schema):
    """A wall time in the buyer's own zone."""

    local: Annotated[str, AfterValidator(_local)]


SendAt = Union[Literal["best"], AwareDatetime, LocalTime]


class MessageCreate(Schema):
    """A written message to a buyer, in the seller's own words."""

    buyer_id: int = Field(ge=1)
    subject: Annotated[str, AfterValidator(_subject_line)] = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=50000)
    send_at: SendAt = Field(default="best", description='"best", an ISO 8601 instant with offset, '
                                                        'or {"local": "YYYY-MM-DDTHH:MM"} in the buyer\'s zone')
    kind: Literal["conversation", "marketing", "transactional"] = "conversation"
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=150)

    @field_validator("idempotency_key")
    @classmethod
    def _key_chars(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[\x21-\x7e]+", v):
            raise ValueError("printable ASCII without spaces")
        return v


class MessageReschedule(Schema):
    """A new send time for a message that has not gone out."""

    send_at: SendAt
