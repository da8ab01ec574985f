"""Query-string parameters shared by the API's endpoints, each failing as a 422 naming itself."""
from __future__ import annotations

import re
from datetime import date, timedelta

from flask import current_app, request

from crossborder_crm.errors import ValidationFailed
from crossborder_crm.validation import MAX_ID, ascii_int


def int_arg(name: str, default: int | None, bounds: tuple[int, int]) -> int | None:
    """An integer query parameter in ASCII digits within `bounds` (inclusive), or a 422 naming it."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    value = ascii_int(raw)
    low, high = bounds
    if value is None or not low <= value <= high:
        raise ValidationFailed(f"invalid {name}", {name: f"must be an integer from {low} to {high}"})
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def date_arg(name: str) -> date | None:
    """A YYYY-MM-DD query parameter, None when absent, a 422 naming it otherwise."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        # fromisoformat alone would also take "20260101" and "2026-W01-1".
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"invalid {name}", {name: "must be a date YYYY-MM-DD"}) from None


def id_arg(name: str) -> int | None:
    """A row id in the query string (1 to MAX_ID), or None when absent; a 422 naming it otherwise."""
    return int_arg(name, None, (1, MAX_ID))


def send_horizon() -> timedelta:
    """How far ahead a send time may be set (the SEND_HORIZON_DAYS setting)."""
    return timedelta(days=current_app.config["SEND_HORIZON_DAYS"])
