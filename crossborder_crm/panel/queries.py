"""Reads the panel needs that the feature services do not offer (yet); each scoped to the seller."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, func, select

from crossborder_crm.accounts.models import Seller, User
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.db import Database


@dataclass(frozen=True)
class PanelUserRow:
    """A user with the seller facts the panel shows on every page."""

    id: int
    seller_id: int
    email: str
    locale: str | None
    seller_name: str
    seller_timezone: str
    session_generation: int


def panel_user(db: Database, user_id: int) -> PanelUserRow | None:
    """The user and their seller's name and timezone, or None."""
    with db.reading() as s:
        row = s.execute(select(User.id, User.seller_id, User.email, User.locale, Seller.name,
                               Seller.timezone, User.session_generation)
                        .join(Seller, Seller.id == User.seller_id)
                        .where(User.id == user_id)).first()
    return PanelUserRow(*row) if row else None


@dataclass(frozen=True)
class DashboardSummary:
    """Headline counts of a seller's buyers and where they are."""

    buyers: int
    countries: int
    with_orders: int
    consent_granted: int
    top_countries: list[tuple[str, int]]
    top_languages: list[tuple[str, int]]


def dashboard_summary(db: Database, seller_id: int, top: int = 8) -> DashboardSummary:
    """Counts of buyers, countries, buyers with orders, consent; the biggest countries and languages."""
    mine = Buyer.seller_id == seller_id
    count = func.count(Buyer.id)
    with db.reading() as s:
        buyers = s.scalar(select(count).where(mine)) or 0
        countries = s.scalar(select(func.count(distinct(Buyer.country))).where(mine)) or 0
        with_orders = s.scalar(select(count).where(mine, Buyer.order_count > 0)) or 0
        granted = s.scalar(select(count).where(mine, Buyer.consent_status == "granted")) or 0
        top_countries = [(c, n) for c, n in s.execute(
            select(Buyer.country, count).where(mine).group_by(Buyer.country)
            .order_by(count.desc(), Buyer.country).limit(top))]
        top_languages = [(lang, n) for lang, n in s.execute(
            select(Buyer.language, count).where(mine).group_by(Buyer.language)
            .order_by(count.desc(), Buyer.language).limit(top))]
    return DashboardSummary(buyers, countries, with_orders, granted, top_countries, top_languages)


def filter_choices(db: Database, seller_id: int) -> tuple[list[str], list[str]]:
    """The countries and languages that occur among the seller's buyers (for the filter menus)."""
    mine = Buyer.seller_id == seller_id
    with db.reading() as s:
        countries = list(s.scalars(select(Buyer.country).distinct().where(mine).order_by(Buyer.country)))
        languages = list(s.scalars(select(Buyer.language).distinct().where(mine).order_by(Buyer.language)))
    return countries, languages
