"""Creating a campaign: every bad field is a 422 that names it, and nothing is stored."""
from __future__ import annotations

from tests.campaigns.campaign_helpers import add_buyer, content, create, launch


def _refused(api, **fields) -> dict:
    body = {"name": "X", "kind": "announcement", "audience": {"countries": ["US"]}, "content": content(), **fields}
    r = api.post("/campaigns", body)
    assert r.status_code == 422, r.get_json()
    assert api.get("/campaigns").get_json()["items"] == []
    return r.get_json()["error"]["fields"]


def test_an_unknown_holiday_is_refused_naming_the_key(api_a):
    fields = _refused(api_a, kind="holiday", holiday={"key": "no_such_day"})
    assert "holiday.key" in fields


def test_a_sale_that_ends_before_it_starts_is_refused(api_a):
    fields = _refused(api_a, kind="sale", offer={"starts_on": "2026-03-20", "ends_at": "2026-03-19T12:00"})
    assert "offer.ends_at" in fields


def test_a_sale_needs_its_offer(api_a):
    assert "offer" in _refused(api_a, kind="sale")


def test_an_empty_filter_needs_confirm_all(api_a):
    assert "audience" in _refused(api_a, audience={})


def test_an_unknown_placeholder_is_refused_naming_the_version(api_a):
    fields = _refused(api_a, content=content(body="Use {cuopon} today"))
    assert "unknown placeholder {cuopon}" in fields["content.versions.en.body"]


def test_a_placeholder_of_another_kind_is_refused(api_a):
    fields = _refused(api_a, content=content(subject="Code {coupon}"))
    assert "needs a sale campaign" in fields["content.versions.en.subject"]


def test_the_content_needs_the_sellers_own_language(api_a):
    fields = _refused(api_a, content={"language": "de", "versions": {"en": {"subject": "a", "body": "b"}}})
    assert "content.versions" in fields


def test_a_send_day_in_the_past_is_refused(api_a):
    assert "send_on" in _refused(api_a, send_on="2026-01-02")


def test_a_holiday_campaign_keeps_each_countrys_own_date(api_a):
    made = create(api_a, kind="holiday", holiday={"key": "mothers_day", "days_before": 3},
                  audience={"countries": ["GB", "US"]}, confirm_all=False)
    assert made["holiday"]["dates"]["GB"] == "2026-03-15"
    assert made["holiday"]["dates"]["US"] == "2026-05-10"


def test_a_draft_can_be_changed_and_a_launched_campaign_cannot(api_a):
    add_buyer(api_a, "Amy", "US")
    made = create(api_a)
    body = {"name": "Renamed", "kind": "announcement", "audience": {}, "confirm_all": True, "content": content()}
    assert api_a.put(f"/campaigns/{made['id']}", body).get_json()["name"] == "Renamed"
    launch(api_a, made["id"])
    assert api_a.put(f"/campaigns/{made['id']}", body).status_code == 409


def test_a_draft_made_from_a_holiday_targets_the_countries_that_keep_it(api_a):
    r = api_a.post("/campaigns/from-holiday", {"key": "mothers_day", "days_before": 2})
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert made["status"] == "draft" and made["kind"] == "holiday"
    assert set(made["audience"]["countries"]) == set(made["holiday"]["dates"])
    assert "{holiday}" in made["content"]["versions"]["en"]["subject"]


def test_another_sellers_campaign_is_not_found(api_a, api_b):
    made = create(api_a)
    assert api_b.get(f"/campaigns/{made['id']}").status_code == 404
    assert api_b.post(f"/campaigns/{made['id']}/launch").status_code == 404


def test_a_campaign_from_a_saved_audience_copies_its_filter(api_a):
    saved = api_a.post("/audiences", {"name": "UK", "filter": {"countries": ["GB"]}})
    assert saved.status_code == 201, saved.get_json()
    made = create(api_a, audience_id=saved.get_json()["id"], confirm_all=False, audience={})
    assert made["audience"]["countries"] == ["GB"]
    api_a.delete(f"/audiences/{saved.get_json()['id']}")
    assert api_a.get(f"/campaigns/{made['id']}").get_json()["audience"]["countries"] == ["GB"]


def test_an_unknown_saved_audience_is_refused_naming_it(api_a):
    assert "audience_id" in _refused(api_a, audience={}, audience_id=999)


def test_a_saved_audience_and_a_filter_together_are_refused(api_a):
    saved = api_a.post("/audiences", {"name": "UK", "filter": {"countries": ["GB"]}}).get_json()
    assert "audience_id" in _refused(api_a, audience_id=saved["id"])
