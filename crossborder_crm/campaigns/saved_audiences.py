"""Saved audiences: a seller's named filters, to preview and to start campaigns from."""
from __future__ import annotations

from typing import Any, Mapping

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crossborder_crm.campaigns.audiences import AudienceFilter
from crossborder_crm.campaigns.models import SavedAudience
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import Conflict, NotFound
from crossborder_crm.validation import Schema, parse


class SavedAudienceIn(Schema):
    """A name and the filter it stands for."""

    name: str = Field(min_length=1, max_length=200)
    filter: AudienceFilter = Field(default_factory=AudienceFilter)


def _row(s, seller_id: int, audience_id: int) -> SavedAudience:
    found = s.scalar(select(SavedAudience).where(SavedAudience.id == audience_id,
                                                 SavedAudience.seller_id == seller_id))
    if found is None:
        raise NotFound(f"saved audience {audience_id} not found")
    return found


def _taken(name: str) -> Conflict:
    return Conflict(f"a saved audience is already named {name!r}")


def save_audience(db: Database, clock: Clock, seller_id: int, data: Mapping[str, Any],
                  audience_id: int | None = None) -> SavedAudience:
    """Create (or, with an id, replace) a saved audience; 409 when the name is taken."""
    spec = parse(SavedAudienceIn, data, "saved audience")
    now = clock.now()
    try:
        with db.transaction() as s:
            if audience_id is None:
                row = SavedAudience(seller_id=seller_id, created_at=now)
                s.add(row)
            else:
                row = _row(s, seller_id, audience_id)
            row.name, row.filter, row.updated_at = spec.name, spec.filter.model_dump(mode="json"), now
            s.flush()
            return row
    except IntegrityError:
        raise _taken(spec.name) from None


def list_audiences(db: Database, seller_id: int) -> list[SavedAudience]:
    """The seller's saved audiences by name."""
    with db.reading() as s:
        return list(s.scalars(select(SavedAudience).where(SavedAudience.seller_id == seller_id)
                              .order_by(SavedAudience.name)))


def get_audience(db: Database, seller_id: int, audience_id: int) -> SavedAudience:
    """One saved audience (404 when it is not the seller's)."""
    with db.reading() as s:
        return _row(s, seller_id, audience_id)


def delete_audience(db: Database, seller_id: int, audience_id: int) -> None:
    """Forget a saved audience; campaigns made from it keep their copy of the filter."""
    with db.transaction() as s:
        s.delete(_row(s, seller_id, audience_id))
