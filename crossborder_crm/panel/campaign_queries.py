"""Reads the campaign screens need that the campaign services do not offer: the seller's language, the
choices of the audience menus, and a few matching buyers to preview the email for."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.campaigns.audiences import AudienceFilter, where_clauses
from crossborder_crm.campaigns.models import Campaign
from crossborder_crm.db import Database
from crossborder_crm.i18n.translator import primary_language
from crossborder_crm.panel.queries import filter_choices

SAMPLE = 50  # buyers offered in the email preview's menu


@dataclass(frozen=True)
class SampleBuyer:
    """A buyer the email preview can be shown for."""

    id: int
    name: str
    country: str
    language: str


def seller_language(db: Database, seller_id: int) -> str:
    """The language the seller writes in (their default language)."""
    with db.reading() as s:
        return s.scalar(select(Seller.default_language).where(Seller.id == seller_id)) or "en"


def audience_choices(db: Database, seller_id: int) -> tuple[list[str], list[str]]:
    """The countries and primary languages among the seller's buyers, for the audience menus."""
    countries, languages = filter_choices(db, seller_id)
    return countries, sorted({primary_language(tag) for tag in languages})


def audience_sample(db: Database, seller_id: int, campaign: Campaign, limit: int = SAMPLE) -> list[SampleBuyer]:
    """Up to `limit` buyers the campaign's filter matches, by name."""
    f = AudienceFilter.model_validate(campaign.audience or {})
    with db.reading() as s:
        rows = s.execute(select(Buyer.id, Buyer.name, Buyer.country, Buyer.language)
                         .where(*where_clauses(seller_id, f)).order_by(Buyer.name, Buyer.id).limit(limit))
        return [SampleBuyer(*row) for row in rows]
