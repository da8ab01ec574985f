"""Buyer-profile inference and validation: time zone and language, with where each came from.

Pure functions (no Flask, no database). Everything is cached on its inputs, so an importer
calling these for every row pays the lookup cost once per distinct input: a repeated call
costs about a microsecond.

Time zone, in order of preference:
    given  >  the country's only zone  >  postal code inside a split region (or a known city there)
           >  region (ISO 3166-2, by code or name; "medium" when the region is split)
           >  region derived from the postal code  >  one clock nationwide in practice (CN, AR, DE...)
           >  the country's most populous zone ("low")

Language, in order of preference:
    given  >  the marketplace's customer locale  >  the country's main official language (CLDR)
           >  the seller's default

The region -> zone and postal-prefix tables live in ``data/region_timezones.json`` (format
described at the top of that file) and are read on first use.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import pycountry
import pytz
from babel import Locale, UnknownLocaleError
from babel.languages import get_official_languages

__all__ = [
    "Inferred",
    "validate_country",
    "validate_timezone",
    "normalize_language",
    "normalize_region",
    "infer_timezone",
    "infer_language",
    "TIMEZONE_SOURCES",
    "LANGUAGE_SOURCES",
    "CONFIDENCES",
]

DATA_FILE = Path(__file__).with_name("data") / "region_timezones.json"

TIMEZONE_SOURCES = ("given", "region", "postal_code", "country", "country_default")
LANGUAGE_SOURCES = ("given", "marketplace_locale", "country_language", "seller_default")
CONFIDENCES = ("high", "medium", "low")

_GIVEN_EXPLANATION = "given on the buyer profile"


@dataclass(frozen=True)
class Inferred:
    """An inferred (or given) value and where it came from."""

    value: str  # e.g. "America/Chicago" or "pt-BR"
    source: str  # machine code, one of TIMEZONE_SOURCES / LANGUAGE_SOURCES
    confidence: str  # "high" | "medium" | "low"
    explanation: str  # human text for the buyer panel


# --------------------------------------------------------------------------- helpers

_DROP_CHARS = dict.fromkeys(map(ord, "'’‘ʻʼ`´."), None)
_WORD = re.compile(r"[^\W_]+")


def _fold(text: str) -> str:
    """Accent-, case- and punctuation-insensitive key: "Québec" -> "quebec", "St. John's" -> "st johns"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(stripped.casefold().translate(_DROP_CHARS)))


def _clean(value: object) -> str | None:
    """Strip a free-text input; empty becomes None."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _quoted(value: object) -> str:
    return f"'{value.strip() if isinstance(value, str) else value}'"


# --------------------------------------------------------------------------- validation


@cache
def _alpha2_codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


@lru_cache(maxsize=4096)
def validate_country(value: str) -> str:
    """ISO 3166-1 alpha-2 code, upper-cased: " us" -> "US". Alpha-3 codes and names are refused."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) == 2 and code in _alpha2_codes():
        return code
    raise ValueError(f"unknown country code {_quoted(value)}")


@cache
def _timezones_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in pytz.all_timezones}


@lru_cache(maxsize=4096)
def validate_timezone(value: str) -> str:
    """An IANA zone name known to pytz, in its canonical spelling ("america/chicago" -> "America/Chicago")."""
    name = value.strip() if isinstance(value, str) else ""
    if name in pytz.all_timezones_set:
        return name
    canonical = _timezones_by_lower_name().get(name.lower()) if name else None
    if canonical is not None:
        return canonical
    raise ValueError(f"unknown time zone {_quoted(value)} (expected an IANA name such as 'Europe/Berlin')")


def _locale_tag(locale: Locale) -> str:
    return "-".join(part for part in (locale.language, locale.script, locale.territory, locale.variant) if part)


@lru_cache(maxsize=4096)
def normalize_language(value: str) -> str:
    """BCP 47 tag of a locale Babel knows: "pt_BR", "pt-br" -> "pt-BR"; "zh-Hans-CN"; "en"."""
    raw = value.strip() if isinstance(value, str) else ""
    tag = raw.replace("_", "-")
    error = ValueError(f"language {_quoted(value)} is not a locale Babel knows")
    if not tag or tag.split("-", 1)[0].lower() in ("und", "root"):
        raise error
    try:
        locale = Locale.parse(tag, sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        raise error from None
    return _locale_tag(locale)


# --------------------------------------------------------------------------- regions

_GENERIC_WORDS = frozenset(
    "oblast oblysy kray krai respublika respublikasi republic avtonomnyy avtonomnaya okrug autonomous "
    "sheng shi zizhiqu sar kommunia kommune kommuneqarfik province state region territory wilayah persekutuan".split()
)


@dataclass(frozen=True)
class _Subdivisions:
    names: dict[str, str]  # suffix -> display name
    parents: dict[str, str]  # suffix -> parent suffix
    by_name: dict[str, str]  # folded name or alias -> suffix
    code_aliases: dict[str, str]  # old/alternative code -> suffix

    def ancestors(self, code: str) -> list[str]:
        chain, seen = [], {code}
        while (code := self.parents.get(code)) and code not in seen:
            chain.append(code)
            seen.add(code)
        return chain

    def label(self, code: str) -> str:
        name = self.names.get(code)
        return f"{code} ({name})" if name and name != code else code


def _name_variants(name: str) -> list[tuple[int, str]]:
    """(priority, folded) spellings of a pycountry subdivision name; lower priority wins."""
    out: list[tuple[int, str]] = []
    bracketed = re.findall(r"\[([^\]]+)\]", name)
    base = re.sub(r"\s*\[[^\]]*\]", "", name).strip()
    for text in [base, *bracketed]:
        out.append((1, _fold(text)))
        if "," in text:
            head, _, tail = text.partition(",")
            out += [(2, _fold(f"{head} {tail}")), (2, _fold(f"{tail} {head}")), (2, _fold(head))]
    for _, folded in list(out):
        words = [w for w in folded.split() if w not in _GENERIC_WORDS]
        if words and len(words) < len(folded.split()):
            out.append((2, " ".join(words)))
    return [(p, f) for p, f in out if f]


@cache
def _subdivisions(cc: str) -> _Subdivisions:
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
    country = _tz_data().get(cc, {})
    code_aliases = {k.upper(): v for k, v in country.get("code_aliases", {}).items()}
    for alias, code in country.get("aliases", {}).items():
        by_name[_fold(alias)] = code
    return _Subdivisions(names, parents, by_name, code_aliases)


@lru_cache(maxsize=16384)
def normalize_region(country: str, region: str | None) -> str | None:
    """ISO 3166-2 subdivision suffix ("TX", "QC", "SP", "NSW") from a code ("TX", "US-TX") or a
    name ("Texas", "Québec", "Sao Paulo", "New South Wales"); None when empty or not recognised."""
    cc = validate_country(country)
    text = _clean(region)
    if text is None:
        return None
    subs = _subdivisions(cc)
    code = text.upper()
    if code.startswith(cc + "-"):
        code = code[len(cc) + 1:]
    if code in subs.names:
        return code
    if code in subs.code_aliases:
        return subs.code_aliases[code]
    return subs.by_name.get(_fold(text))


# --------------------------------------------------------------------------- time-zone tables


@cache
def _tz_data() -> dict[str, dict]:
    with DATA_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)["countries"]


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
class _Country:
    regions: dict[str, _Region]
    other_regions: _Region | None
    most_populous: str | None
    nationwide: str | None
    postal: _PrefixTable
    postal_to_region: _PrefixTable
    postal_pattern: re.Pattern[str] | None
    postal_pad: int | None

    def normalize_postal(self, postal: str | None) -> str | None:
        if not postal:
            return None
        code = re.sub(r"[\s\-.]", "", postal).upper()
        if self.postal_pad and code.isdigit() and len(code) == self.postal_pad - 1:
            code = code.zfill(self.postal_pad)  # a spreadsheet dropped the leading zero
        if not code or (self.postal_pattern is not None and not self.postal_pattern.fullmatch(code)):
            return None
        return code

    def region_entry(self, code: str, subs: _Subdivisions) -> _Region | None:
        for candidate in (code, *subs.ancestors(code)):
            if candidate in self.regions:
                return self.regions[candidate]
        return self.other_regions


def _build_region(spec: str | dict, where: str) -> _Region:
    if isinstance(spec, str):
        return _Region(spec, _PrefixTable(), {}, False, None)
    postal = _PrefixTable.build(list(spec.get("postal", {}).items()), where)
    cities = {_fold(name): zone for name, zone in spec.get("cities", {}).items()}
    split = spec.get("split", bool(postal or cities))
    return _Region(spec["zone"], postal, cities, split, spec.get("note"))


@cache
def _country_table(cc: str) -> _Country:
    spec = _tz_data().get(cc, {})
    other = spec.get("other_regions_zone")
    pattern = spec.get("postal_pattern")
    return _Country(
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
    if _clean(given) is not None:
        return Inferred(validate_timezone(given), "given", "high", _GIVEN_EXPLANATION)
    return _infer_timezone(validate_country(country), _clean(region), _clean(postal_code), _clean(city))


@lru_cache(maxsize=65536)
def _infer_timezone(cc: str, region: str | None, postal: str | None, city: str | None) -> Inferred:
    zones = pytz.country_timezones.get(cc)
    if not zones:
        raise ValueError(f"no time zone is known for country '{cc}'")
    if len(zones) == 1:
        return Inferred(zones[0], "country", "high", f"inferred from country {cc}")

    table = _country_table(cc)
    subs = _subdivisions(cc)
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
            if entry.cities and city is not None and (zone := entry.cities.get(_fold(city))) is not None:
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


# --------------------------------------------------------------------------- language inference


@cache
def _country_language(cc: str) -> str | None:
    """Main official language of a territory per CLDR, as a tag Babel parses: BR -> "pt-BR"."""
    for language in get_official_languages(cc, de_facto=True):
        for candidate in (f"{language}_{cc}", language):
            try:
                return _locale_tag(Locale.parse(candidate))
            except (ValueError, TypeError, UnknownLocaleError):
                continue
    return None


@lru_cache(maxsize=16384)
def infer_language(
    country: str | None,
    given: str | None = None,
    marketplace_locale: str | None = None,
    seller_default: str = "en",
) -> Inferred:
    """The buyer's language: given > marketplace locale > country's official language > seller default.

    An invalid ``given`` or ``seller_default`` raises ValueError; an unparseable marketplace locale
    (external data) is skipped and mentioned in the explanation of whatever is used instead.
    """
    if _clean(given) is not None:
        return Inferred(normalize_language(given), "given", "high", _GIVEN_EXPLANATION)
    notes = ""
    if (locale := _clean(marketplace_locale)) is not None:
        try:
            return Inferred(
                normalize_language(locale), "marketplace_locale", "high", "from the marketplace's customer locale"
            )
        except ValueError:
            notes = f" (marketplace locale '{locale}' not recognised)"
    if _clean(country) is not None:
        cc = validate_country(country)
        tag = _country_language(cc)
        if tag is not None:
            return Inferred(tag, "country_language", "medium", f"main official language of {cc} (CLDR){notes}")
        notes += f" (no official language known for {cc})"
    return Inferred(
        normalize_language(seller_default or "en"), "seller_default", "low", f"the seller's default language{notes}"
    )
