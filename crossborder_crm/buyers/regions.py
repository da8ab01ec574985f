"""Regions of a country (ISO 3166-2 subdivisions): recognising a code or name, and their hierarchy.

Names come from pycountry, plus the aliases and old codes listed in ``data/region_timezones.json``
(format described at the top of that file); this module also reads that file for `timezone`.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import pycountry

from crossborder_crm.buyers.codes import validate_country
from crossborder_crm.buyers.freetext import clean, fold

DATA_FILE = Path(__file__).with_name("data") / "region_timezones.json"

_GENERIC_WORDS = frozenset(
    "oblast oblysy kray krai respublika respublikasi republic avtonomnyy avtonomnaya okrug autonomous "
    "sheng shi zizhiqu sar kommunia kommune kommuneqarfik province state region territory wilayah persekutuan".split()
)


@cache
def region_data() -> dict[str, dict]:
    """Per-country entries of ``data/region_timezones.json``, read once."""
    with DATA_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)["countries"]


@dataclass(frozen=True)
class Subdivisions:
    """A country's subdivisions, keyed by code suffix ("TX" for US-TX)."""

    names: dict[str, str]  # suffix -> display name
    parents: dict[str, str]  # suffix -> parent suffix
    by_name: dict[str, str]  # folded name or alias -> suffix
    code_aliases: dict[str, str]  # old/alternative code -> suffix

    def ancestors(self, code: str) -> list[str]:
        """Parent, grandparent, ... of a subdivision, nearest first."""
        chain, seen = [], {code}
        while (code := self.parents.get(code)) and code not in seen:
            chain.append(code)
            seen.add(code)
        return chain

    def label(self, code: str) -> str:
        """"TX (Texas)" for explanations; the bare code when there is no other name."""
        name = self.names.get(code)
        return f"{code} ({name})" if name and name != code else code


def _name_variants(name: str) -> list[tuple[int, str]]:
    """(priority, folded) spellings of a pycountry subdivision name; lower priority wins."""
    out: list[tuple[int, str]] = []
    bracketed = re.findall(r"\[([^\]]+)\]", name)
    base = re.sub(r"\s*\[[^\]]*\]", "", name).strip()
    for text in [base, *bracketed]:
        out.append((1, fold(text)))
        if "," in text:
            head, _, tail = text.partition(",")
            out += [(2, fold(f"{head} {tail}")), (2, fold(f"{tail} {head}")), (2, fold(head))]
    for _, folded in list(out):
        words = [w for w in folded.split() if w not in _GENERIC_WORDS]
        if words and len(words) < len(folded.split()):
            out.append((2, " ".join(words)))
    return [(p, f) for p, f in out if f]


@cache
def subdivisions(cc: str) -> Subdivisions:
    """The subdivisions of a country (alpha-2 code), with every name and alias that identifies one."""
    subs = pycountry.subdivisions.get(country_code=cc) or []
    names: dict[str, str] = {}
    parents: dict[str, str] = {}
    candidates: dict[str, set[tuple[int, int, int, str]]] = {}
    for sub in subs:
        code = sub.code.split("-", 1)[1]
        names[code] = sub.name
        parent = getattr(sub, "parent_code", None)
        if parent:
            parents[code] = parent.split("-", 1)[1]
        geo_unit = int(sub.type == "Geographical unit")
        for priority, folded in _name_variants(sub.name):
            candidates.setdefault(folded, set()).add((priority, geo_unit, int(bool(parent)), code))
    by_name: dict[str, str] = {}
    for folded, options in candidates.items():
        ranked = sorted(options)
        best = ranked[0]
        rivals = [o for o in ranked[1:] if o[:3] == best[:3] and o[3] != best[3]]
        if not rivals:  # an equally good match for another region makes the name ambiguous
            by_name[folded] = best[3]
    country = region_data().get(cc, {})
    code_aliases = {k.upper(): v for k, v in country.get("code_aliases", {}).items()}
    for alias, code in country.get("aliases", {}).items():
        by_name[fold(alias)] = code
    return Subdivisions(names, parents, by_name, code_aliases)


@lru_cache(maxsize=16384)
def normalize_region(country: str, region: str | None) -> str | None:
    """ISO 3166-2 subdivision suffix ("TX", "QC", "SP", "NSW") from a code ("TX", "US-TX") or a
    name ("Texas", "Québec", "Sao Paulo", "New South Wales"); None when empty or not recognised."""
    cc = validate_country(country)
    text = clean(region)
    if text is None:
        return None
    subs = subdivisions(cc)
    code = text.upper()
    if code.startswith(cc + "-"):
        code = code[len(cc) + 1:]
    if code in subs.names:
        return code
    if code in subs.code_aliases:
        return subs.code_aliases[code]
    return subs.by_name.get(fold(text))
