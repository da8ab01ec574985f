"""Code validation, regions, and time-zone and language inference for buyer profiles."""
from __future__ import annotations

import json
import re

import pycountry
import pytest
import pytz
from babel import Locale

from crossborder_crm.buyers.codes import normalize_language, validate_country, validate_timezone
from crossborder_crm.buyers.inference import Inferred
from crossborder_crm.buyers.language import infer_language
from crossborder_crm.buyers.regions import DATA_FILE, normalize_region, subdivisions
from crossborder_crm.buyers.timezone import country_zones, infer_timezone


def _data() -> dict[str, dict]:
    with DATA_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)["countries"]


def _zones_in(spec: dict) -> list[tuple[str, str]]:
    """(where, zone) for every zone named in one country's entry."""
    out = []
    for key in ("most_populous", "nationwide", "other_regions_zone"):
        if key in spec:
            out.append((key, spec[key]))
    for prefix, zone in spec.get("postal", {}).items():
        out.append((f"postal {prefix}", zone))
    for code, region in spec.get("regions", {}).items():
        if isinstance(region, str):
            out.append((code, region))
            continue
        out.append((code, region["zone"]))
        out += [(f"{code} postal {p}", z) for p, z in region.get("postal", {}).items()]
        out += [(f"{code} city {c}", z) for c, z in region.get("cities", {}).items()]
    return out


# --------------------------------------------------------------------------- validate_country


@pytest.mark.parametrize("raw", [" us", "US", "us ", "Us"])
def test_validate_country_normalises_case_and_whitespace(raw):
    assert validate_country(raw) == "US"


@pytest.mark.parametrize("raw", ["XX", "ZZ", ""])
def test_validate_country_rejects_unknown_code_naming_it(raw):
    with pytest.raises(ValueError, match=re.escape(f"unknown country code '{raw}'")):
        validate_country(raw)


@pytest.mark.parametrize("raw", ["USA", "DEU", "Germany", "United States"])
def test_validate_country_rejects_alpha3_and_names(raw):
    with pytest.raises(ValueError, match=raw):
        validate_country(raw)


# --------------------------------------------------------------------------- validate_timezone


def test_validate_timezone_accepts_iana_name():
    assert validate_timezone(" America/Chicago ") == "America/Chicago"


def test_validate_timezone_restores_canonical_spelling():
    assert validate_timezone("america/sao_paulo") == "America/Sao_Paulo"


@pytest.mark.parametrize("raw", ["Mars/Olympus_Mons", "CEST", "America/Chicgo", ""])
def test_validate_timezone_rejects_unknown_zone_naming_it(raw):
    with pytest.raises(ValueError, match=re.escape(f"unknown time zone '{raw}'")):
        validate_timezone(raw)


# --------------------------------------------------------------------------- normalize_language


@pytest.mark.parametrize(
    "raw, expected",
    [("pt_BR", "pt-BR"), ("pt-br", "pt-BR"), ("zh-Hans-CN", "zh-Hans-CN"), ("en", "en"), (" de_CH ", "de-CH")],
)
def test_normalize_language_returns_bcp47_tag(raw, expected):
    assert normalize_language(raw) == expected


def test_normalized_language_is_parseable_by_babel():
    tag = normalize_language("es_419")
    assert Locale.parse(tag, sep="-") == Locale.parse("es_419")


@pytest.mark.parametrize("raw", ["xx-??", "xx", "klingon", "", "und"])
def test_normalize_language_rejects_unknown_locale_naming_it(raw):
    with pytest.raises(ValueError, match=re.escape(f"language '{raw}' is not a locale Babel knows")):
        normalize_language(raw)


# --------------------------------------------------------------------------- normalize_region


@pytest.mark.parametrize(
    "country, raw, expected",
    [("US", "TX", "TX"), ("US", "US-TX", "TX"), ("US", " tx ", "TX"), ("CA", "QC", "QC"),
     ("BR", "SP", "SP"), ("AU", "NSW", "NSW"), ("KZ", "KZ-15", "15")],
)
def test_normalize_region_accepts_codes(country, raw, expected):
    assert normalize_region(country, raw) == expected


@pytest.mark.parametrize(
    "country, raw, expected",
    [("US", "Texas", "TX"), ("CA", "Québec", "QC"), ("CA", "Quebec", "QC"), ("BR", "São Paulo", "SP"),
     ("BR", "Sao Paulo", "SP"), ("AU", "New South Wales", "NSW"), ("MX", "Quintana Roo", "ROO"),
     ("RU", "Tatarstan", "TA"), ("ID", "West Java", "JB"), ("US", "Washington, D.C.", "DC")],
)
def test_normalize_region_accepts_names_with_or_without_accents(country, raw, expected):
    assert normalize_region(country, raw) == expected


def test_normalize_region_accepts_former_codes():
    assert normalize_region("KZ", "AKT") == "15"


@pytest.mark.parametrize("raw", ["Atlantis", "ZZ", "CA-QC", None, "", "   "])
def test_normalize_region_returns_none_when_unknown_or_empty(raw):
    assert normalize_region("US", raw) is None


# --------------------------------------------------------------------------- infer_timezone: multi-zone countries by region


@pytest.mark.parametrize(
    "country, region, zone",
    [
        ("US", "CA", "America/Los_Angeles"), ("US", "Colorado", "America/Denver"), ("US", "NY", "America/New_York"),
        ("US", "Hawaii", "Pacific/Honolulu"),
        ("CA", "Alberta", "America/Edmonton"), ("CA", "MB", "America/Winnipeg"), ("CA", "Nova Scotia", "America/Halifax"),
        ("BR", "MT", "America/Cuiaba"), ("BR", "Acre", "America/Rio_Branco"), ("BR", "Rondônia", "America/Porto_Velho"),
        ("BR", "RR", "America/Boa_Vista"), ("BR", "MS", "America/Campo_Grande"), ("BR", "São Paulo", "America/Sao_Paulo"),
        ("RU", "NVS", "Asia/Novosibirsk"), ("RU", "Kaliningrad", "Europe/Kaliningrad"), ("RU", "KAM", "Asia/Kamchatka"),
        ("RU", "Saint Petersburg", "Europe/Moscow"), ("RU", "Primorsky Krai", "Asia/Vladivostok"),
        ("AU", "WA", "Australia/Perth"), ("AU", "Queensland", "Australia/Brisbane"), ("AU", "SA", "Australia/Adelaide"),
        ("AU", "Northern Territory", "Australia/Darwin"),
        ("MX", "Quintana Roo", "America/Cancun"), ("MX", "Sonora", "America/Hermosillo"),
        ("MX", "Baja California", "America/Tijuana"), ("MX", "Jalisco", "America/Mexico_City"),
        ("ID", "Bali", "Asia/Makassar"), ("ID", "Papua", "Asia/Jayapura"), ("ID", "JK", "Asia/Jakarta"),
        ("ID", "Kalimantan Barat", "Asia/Pontianak"),
        ("KZ", "Aktobe", "Asia/Aqtobe"), ("KZ", "Almaty", "Asia/Almaty"), ("KZ", "West Kazakhstan", "Asia/Oral"),
        ("KZ", "Mangystau", "Asia/Aqtau"),
    ],
)
def test_multi_zone_country_zone_from_region(country, region, zone):
    result = infer_timezone(country, region)
    assert (result.value, result.source, result.confidence) == (zone, "region", "high")


def test_region_explanation_names_code_and_region():
    assert infer_timezone("US", "Colorado").explanation == "inferred from region CO (Colorado)"


@pytest.mark.parametrize(
    "country, region, zone",
    [("ES", "Canarias", "Atlantic/Canary"), ("ES", "Las Palmas", "Atlantic/Canary"), ("ES", "Cataluña", "Europe/Madrid"),
     ("PT", "Madeira", "Atlantic/Madeira"), ("PT", "Açores", "Atlantic/Azores"), ("NZ", "Chatham Islands", "Pacific/Chatham"),
     ("EC", "Galápagos", "Pacific/Galapagos"), ("CL", "Magallanes", "America/Punta_Arenas"),
     ("CD", "Haut-Katanga", "Africa/Lubumbashi"), ("MN", "Hovd", "Asia/Hovd"), ("KI", "Line Islands", "Pacific/Kiritimati")],
)
def test_smaller_multi_zone_countries_zone_from_region(country, region, zone):
    result = infer_timezone(country, region)
    assert (result.value, result.source, result.confidence) == (zone, "region", "high")


def test_subdivision_without_own_entry_inherits_parent_region():
    assert infer_timezone("ES", "Santa Cruz de Tenerife").value == "Atlantic/Canary"


# --------------------------------------------------------------------------- infer_timezone: postal codes inside split regions


@pytest.mark.parametrize(
    "country, region, postal, zone",
    [
        ("US", "TX", "79901", "America/Denver"),       # El Paso
        ("US", "TX", "79851", "America/Denver"),       # Sierra Blanca, Hudspeth County
        ("US", "TX", "88510", "America/Denver"),       # El Paso PO boxes (885)
        ("US", "TX", "75001", "America/Chicago"),      # Dallas area
        ("US", "TX", "79830", "America/Chicago"),      # Alpine, Brewster County: ZIP 798 but Central
        ("US", "FL", "32501", "America/Chicago"),      # Pensacola
        ("US", "FL", "32401", "America/Chicago"),      # Panama City
        ("US", "FL", "32301", "America/New_York"),     # Tallahassee
        ("US", "FL", "33101", "America/New_York"),     # Miami
        ("US", "ID", "83814", "America/Los_Angeles"),  # Coeur d'Alene
        ("US", "ID", "83501", "America/Los_Angeles"),  # Lewiston
        ("US", "ID", "83702", "America/Boise"),        # Boise
        ("US", "OR", "97914", "America/Boise"),        # Ontario, Malheur County
        ("US", "OR", "97201", "America/Los_Angeles"),  # Portland
        ("US", "TN", "37902", "America/New_York"),     # Knoxville
        ("US", "TN", "37402", "America/New_York"),     # Chattanooga
        ("US", "TN", "37388", "America/Chicago"),      # Tullahoma (ZIP 373 but Central)
        ("US", "TN", "37201", "America/Chicago"),      # Nashville
        ("US", "IN", "46402", "America/Chicago"),      # Gary
        ("US", "IN", "47708", "America/Chicago"),      # Evansville
        ("US", "IN", "46204", "America/Indiana/Indianapolis"),
        ("US", "KY", "42001", "America/Chicago"),      # Paducah
        ("US", "KY", "40202", "America/New_York"),     # Louisville
        ("US", "MI", "49938", "America/Menominee"),    # Ironwood
        ("US", "MI", "48226", "America/Detroit"),      # Detroit
        ("US", "ND", "58601", "America/Denver"),       # Dickinson
        ("US", "SD", "57701", "America/Denver"),       # Rapid City
        ("US", "NE", "69361", "America/Denver"),       # Scottsbluff
        ("US", "KS", "67735", "America/Denver"),       # Goodland
        ("US", "AZ", "86515", "America/Denver"),       # Window Rock, Navajo Nation
        ("US", "AZ", "85004", "America/Phoenix"),
        ("CA", "ON", "P9N 1A1", "America/Winnipeg"),   # Kenora
        ("CA", "ON", "M5V 3L9", "America/Toronto"),
        ("CA", "BC", "V1G 4J8", "America/Dawson_Creek"),
        ("CA", "BC", "V1C 4H6", "America/Edmonton"),   # Cranbrook
        ("CA", "NL", "A0P 1E0", "America/Goose_Bay"),  # Happy Valley-Goose Bay
        ("CA", "SK", "S9V 0X1", "America/Edmonton"),   # Lloydminster
        ("CA", "NU", "X0C 0G0", "America/Rankin_Inlet"),
        ("BR", "PE", "53990-000", "America/Noronha"),  # Fernando de Noronha
        ("BR", "PE", "50030-230", "America/Recife"),
        ("BR", "AM", "69880-000", "America/Eirunepe"),
        ("AU", "NSW", "2880", "Australia/Broken_Hill"),
        ("AU", "NSW", "2000", "Australia/Sydney"),
        ("MX", "CHH", "32500", "America/Ciudad_Juarez"),
        ("MX", "Tamaulipas", "88500", "America/Matamoros"),  # Reynosa
    ],
)
def test_postal_code_decides_inside_split_region(country, region, postal, zone):
    result = infer_timezone(country, region, postal)
    assert (result.value, result.source, result.confidence) == (zone, "postal_code", "high")


def test_postal_code_explanation_names_region_and_postal_code():
    assert infer_timezone("US", "TX", "79901").explanation == "inferred from region TX (Texas) and postal code 79901"


def test_zip_plus_four_is_accepted():
    assert infer_timezone("US", "TX", "79901-1234").value == "America/Denver"


def test_zip_that_lost_its_leading_zero_is_padded():
    assert infer_timezone("US", None, "2134").explanation == "inferred from postal code 2134 in region MA (Massachusetts)"


# --------------------------------------------------------------------------- infer_timezone: postal code alone


@pytest.mark.parametrize(
    "country, postal, zone",
    [("US", "79901", "America/Denver"), ("US", "10001", "America/New_York"), ("US", "83814", "America/Los_Angeles"),
     ("AU", "2880", "Australia/Broken_Hill"), ("AU", "6000", "Australia/Perth"), ("AU", "0800", "Australia/Darwin"),
     ("CA", "H2X 1Y4", "America/Toronto"), ("CA", "T5J 0N3", "America/Edmonton"), ("BR", "69005-000", "America/Manaus"),
     ("MX", "77500", "America/Cancun"), ("ES", "38001", "Atlantic/Canary"), ("ES", "28001", "Europe/Madrid"),
     ("PT", "9500-123", "Atlantic/Azores"), ("NZ", "8942", "Pacific/Chatham"), ("DE", "78266", "Europe/Busingen")],
)
def test_postal_code_without_region_decides(country, postal, zone):
    result = infer_timezone(country, None, postal)
    assert (result.value, result.source, result.confidence) == (zone, "postal_code", "high")


def test_postal_code_outside_given_region_is_ignored():
    result = infer_timezone("US", "TX", "10001")
    assert (result.value, result.source, result.confidence) == ("America/Chicago", "region", "medium")
    assert "postal code 10001 is not in region TX" in result.explanation


def test_malformed_postal_code_is_ignored():
    result = infer_timezone("US", "TX", "ABC-1")
    assert (result.value, result.confidence) == ("America/Chicago", "medium")
    assert "'ABC-1' is not a valid US postal code" in result.explanation


# --------------------------------------------------------------------------- infer_timezone: split region without postal code


@pytest.mark.parametrize(
    "country, region, zone",
    [("US", "TX", "America/Chicago"), ("US", "Florida", "America/New_York"), ("US", "ID", "America/Boise"),
     ("US", "TN", "America/Chicago"), ("CA", "Ontario", "America/Toronto"), ("AU", "NSW", "Australia/Sydney"),
     ("BR", "AM", "America/Manaus"), ("RU", "Sakha", "Asia/Yakutsk"), ("MX", "Chihuahua", "America/Chihuahua")],
)
def test_split_region_without_postal_code_gives_majority_zone_medium_confidence(country, region, zone):
    result = infer_timezone(country, region)
    assert (result.value, result.source, result.confidence) == (zone, "region", "medium")
    assert "majority zone" in result.explanation


def test_city_decides_inside_split_region():
    result = infer_timezone("US", "Texas", None, "el paso")
    assert (result.value, result.source, result.confidence) == ("America/Denver", "region", "high")
    assert result.explanation == "inferred from region TX (Texas), city el paso"


def test_city_outside_exception_areas_leaves_split_region_medium():
    assert infer_timezone("US", "TX", None, "Houston").confidence == "medium"


# --------------------------------------------------------------------------- infer_timezone: fallbacks and single zones


@pytest.mark.parametrize(
    "country, zone",
    [("US", "America/New_York"), ("CA", "America/Toronto"), ("BR", "America/Sao_Paulo"), ("RU", "Europe/Moscow"),
     ("AU", "Australia/Sydney"), ("MX", "America/Mexico_City"), ("ID", "Asia/Jakarta"), ("KZ", "Asia/Almaty")],
)
def test_no_region_falls_back_to_most_populous_zone_with_low_confidence(country, zone):
    assert infer_timezone(country) == Inferred(
        zone, "country_default", "low", "country's most populous zone (low confidence: no region given)"
    )


def test_unrecognised_region_falls_back_saying_so():
    result = infer_timezone("US", "Atlantis")
    assert (result.value, result.source, result.confidence) == ("America/New_York", "country_default", "low")
    assert "region 'Atlantis' not recognised" in result.explanation


def test_multi_zone_country_without_table_falls_back_to_first_pytz_zone():
    result = infer_timezone("UM")
    assert (result.value, result.confidence) == (pytz.country_timezones["UM"][0], "low")


@pytest.mark.parametrize("country, zone", [("FR", "Europe/Paris"), ("JP", "Asia/Tokyo"), ("GB", "Europe/London"),
                                           ("IN", "Asia/Kolkata")])
def test_single_zone_country_gives_its_zone_with_high_confidence(country, zone):
    assert infer_timezone(country, "anything") == Inferred(zone, "country", "high", f"inferred from country {country}")


@pytest.mark.parametrize("country, zone", [("CN", "Asia/Shanghai"), ("AR", "America/Argentina/Buenos_Aires"),
                                           ("DE", "Europe/Berlin")])
def test_country_with_one_clock_in_practice_gives_high_confidence(country, zone):
    result = infer_timezone(country)
    assert (result.value, result.source, result.confidence) == (zone, "country", "high")


def test_given_timezone_wins_over_everything():
    result = infer_timezone("US", "TX", "79901", "El Paso", given="Europe/Berlin")
    assert result == Inferred("Europe/Berlin", "given", "high", "given on the buyer profile")


def test_given_timezone_is_validated():
    with pytest.raises(ValueError, match="'Europe/Atlantis'"):
        infer_timezone("US", given="Europe/Atlantis")


def test_blank_given_timezone_is_ignored():
    assert infer_timezone("FR", given="  ").source == "country"


def test_infer_timezone_rejects_unknown_country():
    with pytest.raises(ValueError, match="unknown country code 'XX'"):
        infer_timezone("XX", "TX")


def test_repeated_call_is_served_from_cache():
    assert infer_timezone("US", "TX", "79901") is infer_timezone("US", "TX", "79901")


# --------------------------------------------------------------------------- infer_language


def test_given_language_wins_and_is_normalised():
    assert infer_language("BR", given="en_gb", marketplace_locale="de-DE") == Inferred(
        "en-GB", "given", "high", "given on the buyer profile"
    )


def test_marketplace_locale_used_when_no_language_given():
    result = infer_language("BR", marketplace_locale="es_MX")
    assert result == Inferred("es-MX", "marketplace_locale", "high", "from the marketplace's customer locale")


@pytest.mark.parametrize("country, tag", [("BR", "pt-BR"), ("DE", "de-DE"), ("CH", "de-CH"), ("FR", "fr-FR"),
                                          ("US", "en-US"), ("CN", "zh-Hans-CN"), ("TW", "zh-Hant-TW")])
def test_country_official_language_used_without_given_or_marketplace(country, tag):
    assert infer_language(country) == Inferred(
        tag, "country_language", "medium", f"main official language of {country} (CLDR)"
    )


@pytest.mark.parametrize("country", ["BR", "CH", "CN", "RS", "IN", "BE"])
def test_country_language_is_a_tag_babel_parses(country):
    tag = infer_language(country).value
    assert normalize_language(tag) == tag


def test_seller_default_used_when_nothing_else_known():
    assert infer_language(None, seller_default="fr_fr") == Inferred(
        "fr-FR", "seller_default", "low", "the seller's default language"
    )


def test_seller_default_used_for_country_without_official_language():
    assert infer_language("AQ", seller_default="de").source == "seller_default"


def test_seller_default_defaults_to_english():
    assert infer_language(None).value == "en"


def test_unparseable_marketplace_locale_is_skipped_and_reported():
    result = infer_language("BR", marketplace_locale="xx-??")
    assert (result.value, result.source) == ("pt-BR", "country_language")
    assert "'xx-??'" in result.explanation


def test_invalid_given_language_raises_naming_it():
    with pytest.raises(ValueError, match=r"language 'xx-\?\?' is not a locale Babel knows"):
        infer_language("BR", given="xx-??")


def test_infer_language_rejects_unknown_country():
    with pytest.raises(ValueError, match="unknown country code 'XX'"):
        infer_language("XX")


# --------------------------------------------------------------------------- data file


def test_every_zone_in_data_file_exists_in_pytz():
    missing = [(cc, where, zone) for cc, spec in _data().items() for where, zone in _zones_in(spec)
               if zone not in pytz.all_timezones_set]
    assert missing == []


def test_every_zone_in_data_file_belongs_to_its_country():
    wrong = []
    for cc, spec in _data().items():
        for where, zone in _zones_in(spec):
            territory = where.split()[0]  # US-PR etc. are also countries of their own
            allowed = set(pytz.country_timezones.get(cc, ())) | set(pytz.country_timezones.get(territory, ()))
            if zone not in allowed:
                wrong.append((cc, where, zone))
    assert wrong == []


def test_every_region_key_and_alias_is_an_iso_3166_2_subdivision():
    bad = []
    for cc, spec in _data().items():
        codes = {s.code.split("-", 1)[1] for s in pycountry.subdivisions.get(country_code=cc) or []}
        targets = [*spec.get("regions", {}), *spec.get("aliases", {}).values(), *spec.get("code_aliases", {}).values()]
        bad += [(cc, code) for code in targets if code not in codes]
        bad += [(cc, lo, hi, code) for lo, hi, code in spec.get("postal_to_region", []) if code not in codes]
    assert bad == []


def test_every_country_table_compiles():
    for cc in _data():
        country_zones(cc)
        subdivisions(cc)


@pytest.mark.parametrize("cc", ["US", "CA", "BR", "RU", "AU", "MX", "ID", "KZ"])
def test_every_subdivision_of_main_multi_zone_countries_has_a_zone(cc):
    unresolved = [s.code for s in pycountry.subdivisions.get(country_code=cc)
                  if infer_timezone(cc, s.code).source != "region" and s.code != "US-UM"]
    assert unresolved == []


def test_every_multi_zone_country_in_data_has_a_fallback_zone():
    for cc, spec in _data().items():
        assert "most_populous" in spec or "nationwide" in spec, cc
