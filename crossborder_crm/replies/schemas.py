"""Request schemas for reply drafts: a complaint to draft for, and a seller's edit."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from crossborder_crm.errors import N_
from crossborder_crm.validation import FieldError, RowId, Schema

MAX_TEXT = 10_000  # a review or dispute longer than this is not one
MAX_BODY = 20_000


class DraftCreate(Schema):
    """A review, dispute or buyer message, and what it is about."""

    kind: Literal["review", "dispute", "message"]
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="the buyer's words, in any language")
    rating: int | None = Field(default=None, ge=1, le=5, description="stars, for a review")
    buyer_id: RowId | None = None
    order_ref: str | None = Field(default=None, min_length=1, max_length=100,
                                  description="the order as the buyer knows it (#1001) or the platform's id")


class DraftEdit(Schema):
    """The seller's changes to the reply in the buyer's language."""

    subject: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, min_length=1, max_length=MAX_BODY)
    public_reply: str | None = Field(default=None, min_length=1, max_length=MAX_BODY)

    @model_validator(mode="after")
    def _something(self) -> "DraftEdit":
        if self.subject is None and self.body is None and self.public_reply is None:
            raise FieldError("body", N_("give at least one of subject, body, public_reply"))
        return self
