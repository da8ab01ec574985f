"""The demo's data tables (catalogue, prices, countries, names, cities), read from JSON on first use."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

DATA_DIR = Path(__file__).with_name("data")
NAMES_FILE = DATA_DIR / "demo_names.json"
SHOP_FILE = DATA_DIR / "demo_shop.json"


class Product(NamedTuple):
    """A catalogue item; consumables are bought again and again."""

    sku: str
    title: str
    category: str
    usd: str  # price in USD
    consumable: bool


@dataclass(frozen=True)
class ShopTables:
    """The tables of ``data/demo_shop.json`` (described in its ``_about``)."""

    email_domains: dict[str, int]
    country_weights: dict[str, float]
    currency: dict[str, str]
    sometimes_eur: frozenset[str]
    fx: dict[str, tuple[str, str]]
    catalogue: tuple[Product, ...]
    categories: tuple[str, ...]  # in catalogue order
    category_tags: dict[str, str]
    marketplaces: tuple[str | None, ...]
    market_mix: dict[str, tuple[int, ...]]
    market_style: dict[str, str]
    english_browsers: dict[str, float]
    eea_like: frozenset[str]
    phone_area_codes: dict[str, tuple[str, ...]]
    notes: tuple[str, ...]
    messages: tuple[str, ...]
    background_hours: tuple[float, ...]


@cache
def shop() -> ShopTables:
    """The demo shop's tables, read once."""
    raw = json.loads(SHOP_FILE.read_text(encoding="utf-8"))
    catalogue = tuple(Product(**item) for item in raw["catalogue"])
    return ShopTables(
        email_domains=raw["email_domains"],
        country_weights=raw["country_weights"],
        currency=raw["currency"],
        sometimes_eur=frozenset(raw["sometimes_eur"]),
        fx={code: (rate, ending) for code, (rate, ending) in raw["fx"].items()},
        catalogue=catalogue,
        categories=tuple(dict.fromkeys(p.category for p in catalogue)),
        category_tags=raw["category_tags"],
        marketplaces=tuple(raw["marketplaces"]),
        market_mix={style: tuple(weights) for style, weights in raw["market_mix"].items()},
        market_style=raw["market_style"],
        english_browsers=raw["english_browsers"],
        eea_like=frozenset(raw["eea_like"]),
        phone_area_codes={cc: tuple(codes) for cc, codes in raw["phone_area_codes"].items()},
        notes=tuple(raw["notes"]),
        messages=tuple(raw["messages"]),
        background_hours=tuple(raw["background_hours"]),
    )


@cache
def name_pools() -> dict[str, Any]:
    """Per-country name pools and cities of ``data/demo_names.json`` (format in its ``_about``), read once."""
    with NAMES_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)["countries"]
