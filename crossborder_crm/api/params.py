"""Query-string parameters shared by the API's endpoints, each failing as a 422 naming itself."""
from __future__ import annotations

from flask import request

from crossborder_crm.errors import ValidationFailed


def int_arg(name: str, default: int) -> int:
    """An integer query parameter, or a 422 naming it."""
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed(f"invalid {name}", {name: "must be an integer"}) from None
