"""A seller's remedy policy: the shipped defaults with the seller's saved changes, read and saved."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy.orm import Session

from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import N_, Reason, ValidationFailed
from crossborder_crm.replies.models import ReplyPolicy
from crossborder_crm.replies.remedy import CHOOSABLE, DEFAULT_RULES, NUMBER_FIELDS, Policy


def policy_in(s: Session, seller_id: int) -> Policy:
    """The seller's policy inside the caller's session."""
    row = s.get(ReplyPolicy, seller_id)
    return Policy().with_overrides(row.data) if row is not None else Policy()


def load_policy(db: Database, seller_id: int) -> Policy:
    """The seller's policy: the defaults with their changes."""
    with db.reading() as s:
        return policy_in(s, seller_id)


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def check_policy(data: Mapping[str, Any]) -> dict[str, Any]:
    """The changes as stored; ValidationFailed naming every bad field (`rules.damaged.low`, `sla_hours`)."""
    errors: dict[str, Any] = {}
    rules: dict[str, list[str]] = {}
    raw_rules = data.get("rules") or {}
    if not isinstance(raw_rules, Mapping):
        errors["rules"] = Reason(N_("expected an object"))
        raw_rules = {}
    for category, pair in raw_rules.items():
        if category not in DEFAULT_RULES:
            errors[f"rules.{category}"] = Reason(N_("unknown category"))
            continue
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            errors[f"rules.{category}"] = Reason(N_("expected two remedies: low value, higher value"))
            continue
        for side, remedy in zip(("low", "high"), pair):
            if remedy not in CHOOSABLE:
                errors[f"rules.{category}.{side}"] = Reason(N_("must be one of: %(choices)s"),
                                                            choices=", ".join(CHOOSABLE))
        rules[category] = list(pair)
    numbers: dict[str, int] = {}
    for name, (low, high) in NUMBER_FIELDS.items():
        if name not in data or data[name] in (None, ""):
            continue
        value = _whole(data[name])
        if value is None or not low <= value <= high:
            errors[name] = Reason(N_("must be a whole number from %(low)s to %(high)s"), low=low, high=high)
        else:
            numbers[name] = value
    unknown = set(data) - {"rules", *NUMBER_FIELDS}
    for name in sorted(unknown):
        errors[name] = Reason(N_("unknown field"))
    if errors:
        first = next(iter(errors))
        raise ValidationFailed(f"invalid policy: {first}", errors)
    return {"rules": rules, **numbers}


def save_policy(db: Database, clock: Clock, seller_id: int, data: Mapping[str, Any]) -> Policy:
    """Check and store the seller's changes (replacing earlier ones); nothing is stored on a bad field."""
    stored = check_policy(data)
    now: datetime = clock.now()
    with db.transaction() as s:
        row = s.get(ReplyPolicy, seller_id)
        if row is None:
            row = ReplyPolicy(seller_id=seller_id)
            s.add(row)
        row.data, row.updated_at = stored, now
    return Policy().with_overrides(stored)
