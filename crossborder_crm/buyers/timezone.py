"""Time-zone inference for a buyer profile, with where the zone came from.

Pure functions (no Flask, no database). Everything is cached on its inputs, so an importer
calling `infer_timezone` for every row pays the lookup cost once per distinct input: a repeated
call costs about a microsecond.

In order of preference:
    given  >  the country's only zone  >  postal code inside a split region (or a known city there)
           >  region (ISO 3166-2, by code or name; "medium" when the region is split)
           >  region derived from the postal code  >  one clock nationwide in practice (CN, AR, DE...)
           >  the country's most populous zone ("low")

The region -> zone and postal-prefix tables live in ``data/region_timezones.json`` (format
described at the top of that file) and are compiled per country on first use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

import pytz

from crossborder_crm.buyers.codes import validate_country, validate_timezone
from crossborder_crm.buyers.freetext import clean, fold
from crossborder_crm.buyers.inference import GIVEN_EXPLANATION, Inferred
from crossborder_crm.buyers.regions import Subdivisions, normalize_region, region_data, subdivisions

# --------------------------------------------------------------------------- time-zone tables


def _expand(key: str) -> list[str]:
    """"324-325" -> ["324", "325"]; "G-J" -> ["G", "H", "I", "J"]; "V0C" -> ["V0C"]."""
    key = key.replace(" ", "").upper()
    if "-" not in key:
        return [key]
    lo, hi = key.split("-")
    if len(lo) != len(hi) or not lo:
        raise ValueError(f"bad postal range {key!r}: ends must have the same length")
    if lo.isdigit() and hi.isdigit():
        return [str(n).zfill(len(lo)) for n in range(int(lo), int(hi) + 1)]
    if lo[:-1] == hi[:-1]:
        return [lo[:-1] + chr(c) for c in range(ord(lo[-1]), ord(hi[-1]) + 1)]
    raise ValueError(f"bad postal range {key!r}: ends may differ only in the last character")


@dataclass(frozen=True)
class _PrefixTable:
    table: dict[str, str] = field(default_factory=dict)
    lengths: tuple[int, ...] = ()

    @classmethod
    def build(cls, items: list[tuple[str, str]], where: str) -> _PrefixTable:
        table: dict[str, str] = {}
        for key, value in items:
            for prefix in _expand(key):
                if table.get(prefix, value) != value:
                    raise ValueError(f"{where}: postal prefix {prefix!r} mapped twice")
                table[prefix] = value
        return cls(table, tuple(sorted({len(k) for k in table}, reverse=True)))

    def lookup(self, postal: str) -> str | None:
        for length in self.lengths:
            if len(postal) >= length and (hit := self.table.get(postal[:length])) is not None:
                return hit
        return None

    def __bool__(self) -> bool:
        return bool(self.table)


@dataclass(frozen=True)
class _Region:
    zone: str
    postal: _PrefixTable
    cities: dict[str, str]
    split: bool
    note: str | None


@dataclass(frozen=True)
class CountryZones:
    """One country's compiled time-zone tables."""

    regions: dict[str, _Region]
    other_regions: _Region | None
    most_populous: str | None
    nationwide: str | None
    postal: _PrefixTable
    postal_to_region: _PrefixTable
    postal_pattern: re.Pattern[str] | None
    postal_pad: int | None

    def normalize_postal(self, postal: str | None) -> str | None:
        """The postal code as the tables key it (no spaces or dashes, upper case); None if invalid."""
        if not postal:
            return None
        code = re.sub(r"[\s\-.]", "", postal).upper()
        if self.postal_pad and code.isdigit() and len(code) == self.postal_pad - 1:
            code = code.zfill(self.postal_pad)  # a spreadsheet dropped the leading zero
        if not code or (self.postal_pattern is not None and not self.postal_pattern.fullmatch(code)):
            return None
        return code

    def region_entry(self, code: str, subs: Subdivisions) -> _Region | None:
        """The entry for a region, else its nearest listed ancestor's, else the other-regions zone."""
        for candidate in (code, *subs.ancestors(code)):
            if candidate in self.regions:
                return self.regions[candidate]
        return self.other_regions


def _build_region(spec: str | dict, where: str) -> _Region:
    if isinstance(spec, str):
        return _Region(spec, _PrefixTable(), {}, False, None)
    postal = _PrefixTable.build(list(spec.get("postal", {}).items()), where)
    cities = {fold(name): zone for name, zone in spec.get("cities", {}).items()}
    split = spec.get("split", bool(postal or cities))
    return _Region(spec["zone"], postal, cities, split, spec.get("note"))


@cache
def country_zones(cc: str) -> CountryZones:
    """The compiled tables of a country (empty for one absent from the data file); ValueError if malformed."""
    spec = region_data().get(cc, {})
    other = spec.get("other_regions_zone")
    pattern = spec.get("postal_pattern")
    return CountryZones(
        regions={code: _build_region(r, f"{cc}-{code}") for code, r in spec.get("regions", {}).items()},
        other_regions=_build_region(other, cc) if other else None,
        most_populous=spec.get("most_populous"),
        nationwide=spec.get("nationwide"),
        postal=_PrefixTable.build(list(spec.get("postal", {}).items()), cc),
        postal_to_region=_PrefixTable.build(
            [(f"{lo}-{hi}" if lo != hi else lo, region) for lo, hi, region in spec.get("postal_to_region", [])], cc
        ),
        postal_pattern=re.compile(pattern) if pattern else None,
        postal_pad=spec.get("postal_pad"),
    )


# --------------------------------------------------------------------------- time-zone inference


@lru_cache(maxsize=65536)
def infer_timezone(
    country: str,
    region: str | None = None,
    postal_code: str | None = None,
    city: str | None = None,
    given: str | None = None,
) -> Inferred:
    """The buyer's IANA time zone: given, or inferred from country, region, postal code and city."""
    if clean(given) is not None:
        return Inferred(validate_timezone(given), "given", "high", GIVEN_EXPLANATION)
    return _infer_timezone(validate_country(country), clean(region), clean(postal_code), clean(city))


@lru_cache(maxsize=65536)
def _infer_timezone(cc: str, region: str | None, postal: str | None, city: str | None) -> Inferred:
    zones = pytz.country_timezones.get(cc)
    if not zones:
        raise ValueError(f"no time zone is known for country '{cc}'")
    if len(zones) == 1:
        return Inferred(zones[0], "country", "high", f"inferred from country {cc}")

    table = country_zones(cc)
    subs = subdivisions(cc)
    notes: list[str] = []
    code = normalize_region(cc, region)
    if region is not None and code is None:
        notes.append(f"region '{region}' not recognised")

    pc = table.normalize_postal(postal)
    if postal is not None and pc is None and (table.postal or table.postal_to_region or table.regions):
        notes.append(f"postal code '{postal}' is not a valid {cc} postal code")
    from_postal = False
    if pc is not None and table.postal_to_region:
        derived = table.postal_to_region.lookup(pc)
        if derived is not None and code is None:
            code, from_postal = derived, True
        elif derived is not None and not (
            derived == code or code in subs.ancestors(derived) or derived in subs.ancestors(code)
        ):
            notes.append(f"postal code {postal} is not in region {code}")
            pc = None

    if code is not None:
        entry = table.region_entry(code, subs)
        label = subs.label(code)
        if entry is None:
            notes.append(f"no time-zone data for region {label}")
        else:
            where = f"postal code {postal} in region {label}" if from_postal else f"region {label}"
            if entry.postal and pc is not None:
                zone = entry.postal.lookup(pc) or entry.zone
                detail = where if from_postal else f"region {label} and postal code {postal}"
                return Inferred(zone, "postal_code", "high", f"inferred from {detail}")
            source = "postal_code" if from_postal else "region"
            if entry.cities and city is not None and (zone := entry.cities.get(fold(city))) is not None:
                return Inferred(zone, source, "high", f"inferred from {where}, city {city}")
            if entry.split:
                if notes:
                    missing = "; ".join(notes)
                elif entry.postal:
                    missing = "no postal code was given"
                else:
                    missing = "the city does not decide" if city is not None else "no city was given"
                note = f". {entry.note.rstrip('.')}" if entry.note else ""
                return Inferred(
                    entry.zone, source, "medium",
                    f"inferred from {where}: its majority zone "
                    f"(medium confidence: the region spans several time zones and {missing}{note})",
                )
            return Inferred(entry.zone, source, "high", f"inferred from {where}")

    if pc is not None and table.postal and (zone := table.postal.lookup(pc)) is not None:
        return Inferred(zone, "postal_code", "high", f"inferred from postal code {postal}")
    if table.nationwide:
        return Inferred(table.nationwide, "country", "high", f"inferred from country {cc} (one clock nationwide)")
    reason = "; ".join(notes) if notes else "no region given"
    return Inferred(
        table.most_populous or zones[0], "country_default", "low",
        f"country's most populous zone (low confidence: {reason})",
    )
