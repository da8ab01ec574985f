"""GET /api/v1/holidays: each day with each country's date and the seller's buyers there."""
from __future__ import annotations

import pytest


def add_buyers(api, country: str, n: int) -> None:
    for i in range(n):
        r = api.post("/buyers", {"name": f"Buyer {country} {i}", "country": country,
                                 "email": f"b{i}-{country.lower()}@example.com"})
        assert r.status_code == 201, r.get_json()


def item(body: dict, key: str) -> dict:
    found = [i for i in body["items"] if i["key"] == key]
    assert len(found) == 1, [i["key"] for i in body["items"]]
    return found[0]


def test_mothers_day_lists_each_countrys_date_with_the_sellers_buyers_there(api_a):
    add_buyers(api_a, "GB", 2)
    add_buyers(api_a, "US", 3)
    r = api_a.get("/holidays?from=2026-03-01&to=2026-05-31&country=GB&country=US&country=DE")
    assert r.status_code == 200
    mothers = item(r.get_json(), "mothers_day")
    assert mothers["kind"] == "shopping_day" and mothers["name"] == "Mother's Day"
    assert mothers["dates"] == [{"country": "GB", "date": "2026-03-15", "buyers": 2},
                                {"country": "DE", "date": "2026-05-10", "buyers": 0},
                                {"country": "US", "date": "2026-05-10", "buyers": 3}]
    assert mothers["buyers"] == 5


def test_another_sellers_buyers_are_not_counted(api_a, api_b):
    add_buyers(api_a, "US", 1)
    add_buyers(api_b, "US", 4)
    body = api_a.get("/holidays?from=2026-11-01&to=2026-11-30&country=US").get_json()
    assert item(body, "black_friday")["buyers"] == 1
    assert item(api_b.get("/holidays?from=2026-11-01&to=2026-11-30&country=US").get_json(),
                "black_friday")["buyers"] == 4


def test_items_are_sorted_by_date(api_a):
    body = api_a.get("/holidays?from=2026-01-01&to=2026-12-31&country=US").get_json()
    firsts = [i["dates"][0]["date"] for i in body["items"]]
    assert firsts == sorted(firsts) and len(firsts) > 10


def test_without_a_country_the_sellers_buyer_countries_are_included(api_a):
    add_buyers(api_a, "KE", 2)  # Kenya: not one of the default markets
    body = api_a.get("/holidays?from=2026-12-01&to=2026-12-31").get_json()
    christmas = item(body, "christmas_day")
    assert {"country": "KE", "date": "2026-12-25", "buyers": 2} in christmas["dates"]
    assert {d["country"] for d in christmas["dates"]} >= {"US", "DE", "GB"}


def test_country_is_case_insensitive(api_a):
    body = api_a.get("/holidays?from=2026-11-11&to=2026-11-11&country=cn").get_json()
    assert [(i["key"], i["dates"][0]["country"]) for i in body["items"]] == [("singles_day", "CN")]


def test_the_window_defaults_to_sixty_days_from_the_clocks_today(api_a):
    # The test clock stands at 2026-03-10: Mothering Sunday (15 March) is in, Black Friday is not.
    keys = {i["key"] for i in api_a.get("/holidays?country=GB&country=US").get_json()["items"]}
    assert "mothers_day" in keys and "black_friday" not in keys


@pytest.mark.parametrize("query,field", [
    ("from=2026-13-01&to=2026-12-31", "from"),
    ("from=20260101&to=2026-12-31", "from"),
    ("from=2026-01-01&to=tomorrow", "to"),
    ("from=2026-05-01&to=2026-04-30", "to"),
    ("from=2026-01-01&to=2027-02-06", "to"),
    ("from=1800-01-01&to=1800-02-01", "from"),
    ("from=2026-01-01&to=2026-02-01&country=XX", "country"),
    ("from=2026-01-01&to=2026-02-01&country=USA", "country"),
])
def test_bad_query_is_a_422_naming_the_field(api_a, query, field):
    r = api_a.get(f"/holidays?{query}")
    assert r.status_code == 422
    error = r.get_json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) == {field}, error


def test_a_window_of_exactly_four_hundred_days_is_accepted(api_a):
    assert api_a.get("/holidays?from=2026-01-01&to=2027-02-05&country=US").status_code == 200


def test_unknown_country_error_names_the_code(api_a):
    r = api_a.get("/holidays?from=2026-01-01&to=2026-02-01&country=XX")
    assert "XX" in r.get_json()["error"]["fields"]["country"]


def test_the_calendar_needs_a_token(client):
    assert client.get("/api/v1/holidays?from=2026-01-01&to=2026-02-01").status_code == 401


def test_the_calendar_is_in_the_openapi_document(client):
    op = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/holidays"]["get"]
    assert {p["name"] for p in op["parameters"]} == {"from", "to", "country"}
    assert {"200", "401", "422"} <= set(op["responses"])

