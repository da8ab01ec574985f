"""Shared pieces for request schemas: bounded types (email, ids, instants, text), and pydantic
errors turned into our field → reason map."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from typing import Annotated, Any, Mapping, TypeVar

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from crossborder_crm.errors import N_, Reason, ValidationFailed, reason_of

M = TypeVar("M", bound=BaseModel)
_FIELD_PREFIX = re.compile(r"^([a-z_]+): (.+)$", re.S)

# The largest id a row can have: ids are INTEGER columns, 32 bits on PostgreSQL (SQLite's are 64).
# A larger number names no row, and binding it fails (PostgreSQL: out of range; SQLite past 2**63).
MAX_ID = 2**31 - 1
# Route converter for an id in a path: past MAX_ID the URL does not match, so it is a 404 (only
# where one rule serves the path: with one rule per method werkzeug would answer 405).
ID_IN_PATH = f"int(max={MAX_ID})"
# Every date a request may carry lies here: far enough for history and plans, and every wall
# time in any zone (offsets stay within a day) remains a datetime Python can represent.
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)
_BOUNDS = {"start": f"{EARLIEST:%Y-%m-%d}", "end": f"{LATEST:%Y-%m-%d}"}
# ASCII digits only: str.isdigit() also accepts '²' (which int() refuses) and int() accepts '٣'.
# 19 digits hold every 64-bit integer; longer numbers are refused before int() reads them.
_ASCII_INT = re.compile(r"-?[0-9]{1,19}")


def check_email(value: str | None) -> str | None:
    """Normalised address: local part kept (NFC), domain lower-cased and IDNA-encoded (what SMTP carries).

    A non-ASCII local part is accepted (RFC 6531): such mail goes out through relays offering
    SMTPUTF8 and fails with that reason through the others.
    """
    if value is None or value == "":
        return None
    try:
        checked = validate_email(value, check_deliverability=False, allow_smtputf8=True)
    except EmailNotValidError as exc:
        # email_validator's own words for the API; the panel says it in the seller's language.
        raise ValueError(Reason.worded(str(exc), N_("is not a valid email address"))) from None
    return f"{checked.local_part}@{checked.ascii_domain}"


# The length is checked on the text as sent: "" becomes None, which a later max_length cannot measure.
Email = Annotated[str, Field(max_length=320), AfterValidator(check_email)]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


def ascii_int(raw: str | None) -> int | None:
    """The integer a query-string or form value spells in ASCII digits (at most 19), else None."""
    if raw is None or not _ASCII_INT.fullmatch(raw):
        return None
    return int(raw)


def row_id(raw: str | None) -> int | None:
    """The row id a query-string or form value spells (ASCII digits, 1 to MAX_ID), else None."""
    value = ascii_int(raw)
    return value if value is not None and 1 <= value <= MAX_ID else None


def check_instant(value: datetime) -> datetime:
    """The instant in UTC if it carries an offset and lies between EARLIEST and LATEST; else ValueError."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(N_("needs a UTC offset or Z (a time without one is never taken as UTC)"))
    try:
        utc = value.astimezone(timezone.utc)
    except OverflowError:  # e.g. 0001-01-01T00:00+14:00 is before year 1 in UTC
        raise ValueError(Reason(N_("must be between %(start)s and %(end)s (UTC)"), **_BOUNDS)) from None
    if not EARLIEST <= utc < LATEST:
        raise ValueError(Reason(N_("must be between %(start)s and %(end)s (UTC)"), **_BOUNDS))
    return utc


def check_wall_time(value: datetime) -> datetime:
    """A naive wall time between EARLIEST and LATEST (so any zone can resolve it); else ValueError."""
    if not EARLIEST.replace(tzinfo=None) <= value < LATEST.replace(tzinfo=None):
        raise ValueError(Reason(N_("must be between %(start)s and %(end)s"), **_BOUNDS))
    return value


Instant = Annotated[datetime, AfterValidator(check_instant)]


def check_text(value: str) -> str:
    """Text both databases can store: no NUL character, no unpaired surrogate; else ValueError."""
    if "\x00" in value:
        raise ValueError(N_("must not contain the NUL character (\\u0000)"))
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(N_("must be valid Unicode (an unpaired surrogate such as \\ud800 cannot be stored)")) from None
    return value


class Schema(BaseModel):
    """Base for request schemas: unknown fields are errors, strings are trimmed and storable."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        # After each field's own validators (a subject drops its control characters first).
        # Nested schemas check their own fields; lists of strings (tags) are checked here.
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, str):
                check_text(item)
        return value


# pydantic's own wording ("Input should be a valid integer, unable to parse string as an
# integer") is written for Python developers; a seller's script or the panel gets these instead.
_WHOLE, _NUMBER, _BOOL = N_("expected a whole number"), N_("expected a number"), N_("expected true or false")
_OBJECT, _DATETIME = N_("expected an object"), N_("expected an ISO 8601 date and time")
_DATE = N_("expected a date (YYYY-MM-DD)")
_PLAIN: dict[str, str] = {
    "missing": N_("is required"),
    "int_parsing": _WHOLE, "int_type": _WHOLE, "int_from_float": _WHOLE,
    "float_parsing": _NUMBER, "float_type": _NUMBER, "decimal_parsing": _NUMBER, "decimal_type": _NUMBER,
    "bool_parsing": _BOOL, "bool_type": _BOOL,
    "string_type": N_("expected text"), "list_type": N_("expected a list"),
    "dict_type": _OBJECT, "model_type": _OBJECT, "model_attributes_type": _OBJECT,
    "datetime_parsing": _DATETIME, "datetime_type": _DATETIME, "datetime_from_date_parsing": _DATETIME,
    "date_parsing": _DATE, "date_type": _DATE, "date_from_datetime_parsing": _DATE,
    "string_pattern_mismatch": N_("has the wrong format"),
    "url_parsing": N_("expected a URL"), "url_scheme": N_("expected an http or https URL"),
}
# Reasons with a number in them: (msgid, the pydantic context value it names).
_SIZED: dict[str, tuple[str, str]] = {
    "string_too_short": (N_("must be at least %(num)s characters"), "min_length"),
    "string_too_long": (N_("must be at most %(num)s characters"), "max_length"),
    "too_short": (N_("needs at least %(num)s item(s)"), "min_length"),
    "too_long": (N_("must have at most %(num)s items"), "max_length"),
    "greater_than": (N_("must be more than %(num)s"), "gt"),
    "greater_than_equal": (N_("must be at least %(num)s"), "ge"),
    "less_than": (N_("must be less than %(num)s"), "lt"),
    "less_than_equal": (N_("must be at most %(num)s"), "le"),
}


class FieldError(ValueError):
    """A model-level check's complaint about one field: reported on that field, not on the body."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


def _plain_reason(err: Mapping[str, Any]) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in _PLAIN:
        return _PLAIN[kind]
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return N_("must not be empty")
    if kind in _SIZED:
        template, key = _SIZED[kind]
        return Reason(template, num=ctx[key])
    if kind in ("literal_error", "enum"):
        return Reason(N_("must be one of: %(choices)s"),
                      choices=ctx.get("expected", "").replace(" or ", ", ").replace("'", ""))
    if isinstance(ctx.get("error"), ValueError):  # our validators' own reasons, Reason kept
        return reason_of(ctx["error"])
    msg = err["msg"]
    return msg[len("Value error, "):] if msg.startswith("Value error, ") else msg


def field_errors(exc: ValidationError) -> dict[str, str]:
    """`{"consent.status": "must be one of …"}` from a pydantic error."""
    fields: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        msg = _plain_reason(err)
        error = (err.get("ctx") or {}).get("error")
        if err["type"] == "extra_forbidden":
            msg = N_("unknown field")
        elif loc == "body" and isinstance(error, FieldError):
            loc, msg = error.field, error.reason
        elif loc == "body" and (m := _FIELD_PREFIX.match(msg)):
            # Cross-field checks name their field as "field: reason".
            loc, msg = m.group(1), m.group(2)
        fields.setdefault(loc, msg)
    return fields


def parse(schema: type[M], data: Any, what: str = "request") -> M:
    """Validate `data` against `schema` or raise ValidationFailed naming each bad field."""
    if not isinstance(data, Mapping):
        raise ValidationFailed(f"invalid {what}: expected a JSON object", {"body": _OBJECT})
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        fields = field_errors(exc)
        first = next(iter(fields.items()))
        raise ValidationFailed(f"invalid {what}: {first[0]}: {first[1]}", fields) from None


def check_date_window(start: date, end: date, earliest: date, latest: date, longest: timedelta
                      ) -> tuple[date, date]:
    """A window of days (`from`, `to`, inclusive) inside [earliest, latest] and at most `longest`; a 422 naming
    `from` or `to` otherwise."""
    for name, value in (("from", start), ("to", end)):
        if not earliest <= value <= latest:
            raise ValidationFailed(f"invalid {name}", {name: f"must be from {earliest} to {latest}"})
    if end < start:
        raise ValidationFailed("invalid to", {"to": f"must not be before from ({start})"})
    if end - start > longest:
        raise ValidationFailed("invalid to", {"to": f"at most {longest.days} days after from"})
    return start, end
