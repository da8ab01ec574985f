"""Request schemas for messages: what a seller sends and when."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal, Union

from pydantic import AfterValidator, Field, StrictBool, TypeAdapter, ValidationError, WrapValidator, field_validator

from crossborder_crm.errors import N_, Reason, reason_of
from crossborder_crm.validation import Instant, RowId, Schema, check_wall_time

LOCAL_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")
SEND_AT_SHAPES = '"best", an ISO 8601 instant with an offset, or {"local": "YYYY-MM-DDTHH:MM"}'
QUIET_OVERRIDE_HELP = ("a send_at time inside the buyer's quiet hours (the seller's quiet_start–quiet_end, in the "
                       "buyer's zone) is refused with 422 unless this is true; the explanation then says so. "
                       "Ignored for \"best\", which never lands in quiet hours")


def _local(value: str) -> str:
    if not LOCAL_FORMAT.fullmatch(value):
        raise ValueError(N_("expected YYYY-MM-DDTHH:MM (the buyer's wall time, no offset)"))
    check_wall_time(datetime.strptime(value, "%Y-%m-%dT%H:%M"))
    return value


# C0 and C1 controls but tab, CR and LF (CR/LF are refused outright: they would split the header).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _subject_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(N_("must be one line"))
    value = CONTROL.sub("", value).replace("\t", " ").strip()
    if not value:
        raise ValueError(N_("must not be empty once control characters are removed"))
    return value


class LocalTime(Schema):
    """A wall time in the buyer's own zone."""

    local: Annotated[str, AfterValidator(_local)]


_INSTANT = TypeAdapter(Instant)


def _by_shape(value: Any, _handler) -> Any:
    """Validate send_at as the one shape it was given in, so an error names `send_at` (not a
    branch of the union) and says what that shape needs."""
    if value == "best":
        return value
    try:
        if isinstance(value, dict):
            return LocalTime.model_validate(value)
        return _INSTANT.validate_python(value)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        if err["type"] != "value_error" and not isinstance(value, dict):
            raise ValueError(Reason(N_("expected %(shapes)s"), shapes=SEND_AT_SHAPES)) from None
        where = ".".join(str(p) for p in err["loc"])
        error = (err.get("ctx") or {}).get("error")
        reason = reason_of(error) if isinstance(error, ValueError) else err["msg"].removeprefix("Value error, ")
        raise ValueError(Reason(N_("%(where)s: %(reason)s"), where=where, reason=reason) if where
                         else reason) from None


# The union documents the shapes in OpenAPI; the wrap validator does the validating.
SendAt = Annotated[Union[Literal["best"], Instant, LocalTime], WrapValidator(_by_shape)]


class MessageCreate(Schema):
    """A written message to a buyer, in the seller's own words."""

    buyer_id: RowId
    subject: Annotated[str, AfterValidator(_subject_line)] = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=50000)
    send_at: SendAt = Field(default="best", description=f"{SEND_AT_SHAPES} in the buyer's zone; "
                                                        "at most SEND_HORIZON_DAYS (default 366) ahead")
    kind: Literal["conversation", "marketing", "transactional"] = "conversation"
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=150)
    translate: StrictBool = Field(default=True, description=(
        "when the buyer's language differs from the seller's default language and the translator is on "
        "(CRM_TRANSLATOR), send a machine translation with the original below it; false: send as written. "
        "The answer's translation_note says what happened"))
    override_quiet_hours: StrictBool = Field(default=False, description=QUIET_OVERRIDE_HELP)

    @field_validator("idempotency_key")
    @classmethod
    def _key_chars(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"[\x21-\x7e]+", v):
            raise ValueError(N_("printable ASCII without spaces"))
        return v


class MessageReschedule(Schema):
    """A new send time for a message that has not gone out."""

    send_at: SendAt
    override_quiet_hours: StrictBool = Field(default=False, description=QUIET_OVERRIDE_HELP)
