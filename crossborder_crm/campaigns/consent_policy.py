"""Which countries need a buyer's recorded consent before any marketing (opt-in), and which allow it to
existing customers until they say no (opt-out). Data, with the law each line follows; a seller's lawyer
may make it stricter, never looser.

Buyers who denied or withdrew consent, or unsubscribed, get no marketing anywhere.
"""
from __future__ import annotations

OPT_IN, OPT_OUT = "opt_in", "opt_out"

# EU and EEA: GDPR with the ePrivacy Directive (art. 13): prior consent for marketing email.
EU_EEA = ("AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE "
          "IS LI NO").split()
OPT_IN_COUNTRIES = frozenset(EU_EEA + [
    "GB",  # UK GDPR and PECR reg. 22
    "CH",  # revised FADP and UCA art. 3(1)(o)
    "CA",  # CASL: express (or time-limited implied) consent
    "AU",  # Spam Act 2003
    "NZ",  # Unsolicited Electronic Messages Act 2007
    "JP",  # Act on Regulation of Transmission of Specified Electronic Mail
    "KR",  # Network Act art. 50
    "BR",  # LGPD art. 7
    "ZA",  # POPIA s. 69
    "IL",  # Communications Law amendment 40
    "SG",  # PDPA (Do Not Call) and Spam Control Act: treated as opt-in for email here
    "HK",  # PDPO part 6A
    "TR",  # Law 6563 on electronic commerce
    "RU",  # Federal Law 38-FZ on advertising, art. 18
])


def rule_for(country: str | None) -> str:
    """OPT_IN or OPT_OUT for a buyer's country (an unknown country is treated as opt-in: the safe side)."""
    if not country:
        return OPT_IN
    code = country.upper()
    return OPT_IN if code in OPT_IN_COUNTRIES or len(code) != 2 else OPT_OUT


def may_market(country: str | None, consent_status: str) -> bool:
    """Whether marketing may be planned for a buyer with this country and consent record."""
    if consent_status in ("denied", "withdrawn"):
        return False
    return consent_status == "granted" or rule_for(country) == OPT_OUT
