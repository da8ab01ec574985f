"""Shared pieces for request schemas: the email type, and pydantic errors turned into our field → reason map."""
from __future__ import annotations

import re
from typing import Annotated, Any, Mapping, TypeVar

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from crossborder_crm.errors import ValidationFailed

M = TypeVar("M", bound=BaseModel)
_FIELD_PREFIX = re.compile(r"^([a-z_]+): (.+)$", re.S)


def check_email(value: str | None) -> str | None:
    """Normalised address: local part kept, domain lower-cased and IDNA-encoded (what SMTP carries).

    A non-ASCII local part needs SMTPUTF8, which the sending path does not offer: refused here
    rather than failing at dispatch.
    """
    if value is None or value == "":
        return None
    try:
        checked = validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return f"{checked.local_part}@{checked.ascii_domain}"


Email = Annotated[str, AfterValidator(check_email)]


class Schema(BaseModel):
    """Base for request schemas: unknown fields are errors, strings are trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def field_errors(exc: ValidationError) -> dict[str, str]:
    """`{"consent.status": "must be one of …"}` from a pydantic error."""
    fields: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif loc == "body" and (m := _FIELD_PREFIX.match(msg)):
            # Cross-field checks name their field as "field: reason".
            loc, msg = m.group(1), m.group(2)
        fields.setdefault(loc, msg)
    return fields


def parse(schema: type[M], data: Any, what: str = "request") -> M:
    """Validate `data` against `schema` or raise ValidationFailed naming each bad field."""
    if not isinstance(data, Mapping):
        raise ValidationFailed(f"invalid {what}: expected a JSON object", {"body": "expected an object"})
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        fields = field_errors(exc)
        first = next(iter(fields.items()))
        raise ValidationFailed(f"invalid {what}: {first[0]}: {first[1]}", fields) from None
