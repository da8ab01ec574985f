"""How a buyer's timezone and language were arrived at, said in the panel language."""
from __future__ import annotations

from dataclasses import dataclass

from crossborder_crm.buyers.regions import normalize_region, subdivisions
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.formatting import country_name


@dataclass(frozen=True)
class Provenance:
    """Where a profile value came from: a short phrase, the engine's full reason, how sure it is."""

    summary: str
    detail: str
    confidence: str

    @property
    def low(self) -> bool:
        return self.confidence == "low"


def region_name(country: str, region: str | None) -> str:
    """A region's name ('Canarias' for ES/CN), or the region as it was written."""
    try:
        code = normalize_region(country, region)
    except ValueError:
        code = None
    return subdivisions(country).names.get(code, region or "") if code else (region or "")


def _summary(kind: str, source: str, buyer) -> str:
    country = country_name(buyer.country) or buyer.country
    phrases = {
        ("tz", "given"): lambda: _("given on the buyer profile"),
        ("tz", "region"): lambda: _("inferred from region %(region)s",
                                            region=region_name(buyer.country, buyer.region)),
        ("tz", "postal_code"): lambda: _("inferred from postal code %(postal_code)s",
                                         postal_code=buyer.postal_code or ""),
        ("tz", "country"): lambda: _("inferred from country %(country)s", country=country),
        ("tz", "country_default"): lambda: _("the most populous time zone of %(country)s",
                                             country=country),
        ("lang", "given"): lambda: _("given on the buyer profile"),
        ("lang", "marketplace_locale"): lambda: _("from the marketplace's customer locale"),
        ("lang", "country_language"): lambda: _("main official language of %(country)s",
                                                country=country),
        ("lang", "seller_default"): lambda: _("your default language"),
    }
    phrase = phrases.get((kind, source))
    return phrase() if phrase else source


def _provenance(kind: str, source: str, confidence: str, explanation: str, buyer) -> Provenance:
    # The engine's explanation (English, with codes) stays in the detail, shown on hover.
    return Provenance(_summary(kind, source, buyer), explanation or "", confidence or "high")


def timezone_provenance(buyer) -> Provenance:
    """Where the buyer's timezone came from."""
    return _provenance("tz", buyer.timezone_source, buyer.timezone_confidence,
                       buyer.timezone_explanation, buyer)


def language_provenance(buyer) -> Provenance:
    """Where the buyer's language came from (the engine rates country languages as medium)."""
    confidence = "low" if buyer.language_source == "seller_default" else (
        "medium" if buyer.language_source == "country_language" else "high")
    return _provenance("lang", buyer.language_source, confidence, buyer.language_explanation, buyer)
