"""The campaign screens of the panel: the list, the wizard (a new campaign, a field error kept next to its
field, editing a draft, an A/B test of the subject, saved audiences), a draft from a holiday, the background
launch and its progress, pause, resume, cancel, the email preview, the results and the A/B test's decision."""
from __future__ import annotations

import json
import time
from datetime import timedelta

from sqlalchemy import func, select, update
from werkzeug.datastructures import MultiDict

from crossborder_crm.campaigns import lifecycle
from crossborder_crm.campaigns.ab_decision import decide_due
from crossborder_crm.campaigns.models import Campaign
from crossborder_crm.campaigns.saved_audiences import list_audiences
from crossborder_crm.outbox.models import Message
from tests.campaigns.campaign_helpers import (
    add_buyer,
    content,
    create,
    launch,
    messages,
    sample_sent_with_an_order_in_b,
)
from tests.panel.html import Page

SALE = {
    "name": "Spring sale", "kind": "sale", "countries": "US", "offer_discount": "20 %", "offer_coupon": "SPRING",
    "offer_starts_on": "2026-03-12", "offer_ends_at": "2026-03-20T23:59", "content_language": "en",
    "subject": "{discount} off, {name}", "body": "Use {coupon} before {ends}.", "attribution_days": "10",
    "version_lang": "de", "version_subject": "{discount} Rabatt, {name}", "version_body": "Code {coupon}.",
}


def _form(**changes) -> MultiDict:
    data = MultiDict({**SALE, **{k: v for k, v in changes.items() if not isinstance(v, list)}})
    for key, values in changes.items():
        if isinstance(values, list):
            data.setlist(key, values)
    return data


def _campaigns(services) -> list[Campaign]:
    with services.db.reading() as s:
        return list(s.scalars(select(Campaign).order_by(Campaign.id)))


def _id_from(response) -> int:
    assert response.status_code == 302, response.data[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _wait_for_launch(panel, campaign_id: int, timeout: float = 20.0) -> dict:
    """Poll the progress endpoint as the page does until the background launch is over."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = panel.get(f"/campaigns/{campaign_id}/progress").get_json()
        if not body["running"]:
            return body
        time.sleep(0.05)
    raise AssertionError(f"campaign {campaign_id} still planning after {timeout}s")


def _launched(panel, api, names=("Amy", "Ben")) -> int:
    for name in names:
        add_buyer(api, name, "US")
    cid = create(api)["id"]
    assert panel.post(f"/campaigns/{cid}/launch").status_code == 302
    assert _wait_for_launch(panel, cid)["error"] is None
    return cid


def test_the_list_shows_each_campaign_with_its_status_and_planned_count(panel_a, api_a, services):
    launched = _launched(panel_a, api_a)
    draft = create(api_a, name="Autumn news")["id"]
    page = Page(panel_a.get("/campaigns").data)
    rows = page.rows("campaigns-table")
    assert [r[0] for r in rows] == ["Autumn news", "Spring"]
    assert rows[0][1:4] == ["Announcement", "Draft", "—"]
    assert rows[1][2] == "Launched" and rows[1][3] == "2" and rows[1][4] == "Mar 10, 2026"
    assert f"/campaigns/{draft}" in page.hrefs() and f"/campaigns/{launched}" in page.hrefs()
    assert page.attr("new-campaign", "href") == "/campaigns/new"


def test_the_wizard_creates_the_campaign_the_api_would(panel_a, services, seller_a):
    page = Page(panel_a.get("/campaigns/new").data)
    assert page.find("campaign-form") is not None and "{coupon}" in page.text("placeholders")
    r = panel_a.post("/campaigns/new", data=_form(segments=["loyal", "new"], tags="vip, repeat", min_spend="50",
                                                  spend_currency="eur"))
    cid = _id_from(r)
    (c,) = _campaigns(services)
    assert (c.id, c.name, c.kind, c.status, c.attribution_days) == (cid, "Spring sale", "sale", "draft", 10)
    assert c.audience["countries"] == ["US"] and c.audience["segments"] == ["loyal", "new"]
    assert c.audience["tags"] == ["vip", "repeat"]
    assert (c.audience["spend_currency"], c.audience["min_spend_minor"]) == ("EUR", 5000)
    assert c.details["offer"] == {"discount": "20 %", "coupon": "SPRING", "starts_on": "2026-03-12",
                                  "ends_at": "2026-03-20T23:59"}
    assert set(c.content["versions"]) == {"en", "de"} and c.content["versions"]["de"]["subject"].startswith("{discount}")
    follow = Page(panel_a.get(f"/campaigns/{cid}").data)
    assert "Spring sale" in follow.text("campaign-name") and "Draft" in follow.text("campaign-status")


def test_a_bad_field_is_shown_next_to_it_the_input_kept_and_nothing_stored(panel_a, services):
    r = panel_a.post("/campaigns/new", data=_form(offer_ends_at="2026-03-11T10:00", subject="Hi {nme}",
                                                  version_lang=["de", ""], version_subject=[SALE["version_subject"], ""],
                                                  version_body=[SALE["version_body"], ""]))
    assert r.status_code == 422
    page = Page(r.data)
    assert "must not be before starts_on" in page.text("e-offer_ends_at")
    assert page.attr("f-offer_ends_at", "aria-invalid") == "true"
    assert page.attr("f-name", "value") == "Spring sale" and page.attr("f-offer_coupon", "value") == "SPRING"
    assert page.attr("f-version_lang-0", "value") == "de"
    assert page.attr("f-version_lang-1", "value") == "" and page.find("f-version_lang-2") is None  # one blank row
    assert page.find("form-errors") is not None
    assert _campaigns(services) == []
    # A placeholder the kind cannot fill is reported on the subject once the dates are right.
    page = Page(panel_a.post("/campaigns/new", data=_form(subject="Hi {nme}")).data)
    assert "unknown placeholder {nme}" in page.text("e-subject")
    # The extra language's own field is named too.
    page = Page(panel_a.post("/campaigns/new", data=_form(version_body="Ab {holiday}")).data)
    assert "needs a holiday campaign" in page.text("e-version_body-0")
    assert _campaigns(services) == []


def test_a_filter_that_mails_everyone_needs_the_box_ticked(panel_a, services):
    r = panel_a.post("/campaigns/new", data=_form(countries=[]))
    assert r.status_code == 422 and "every buyer" in Page(r.data).text("e-confirm_all")
    assert _id_from(panel_a.post("/campaigns/new", data=_form(countries=[], confirm_all="1")))


def test_a_spend_range_without_its_currency_is_refused_by_the_panel(panel_a, services):
    page = Page(panel_a.post("/campaigns/new", data=_form(min_spend="10")).data)
    assert "currency" in page.text("e-spend_currency")
    assert _campaigns(services) == []


def test_a_draft_is_edited_in_the_same_form_prefilled(panel_a, services):
    cid = _id_from(panel_a.post("/campaigns/new", data=_form()))
    page = Page(panel_a.get(f"/campaigns/{cid}/edit").data)
    assert page.attr("f-offer_coupon", "value") == "SPRING" and page.attr("f-version_lang-0", "value") == "de"
    assert "checked" in page.find("f-kind-sale").attrs
    r = panel_a.post(f"/campaigns/{cid}/edit", data=_form(name="Spring sale, longer", offer_ends_at="2026-03-25T20:00"))
    assert _id_from(r) == cid
    (c,) = _campaigns(services)
    assert (c.name, c.details["offer"]["ends_at"]) == ("Spring sale, longer", "2026-03-25T20:00")


def test_the_audience_preview_counts_who_the_filter_reaches(panel_a, api_a):
    add_buyer(api_a, "Amy", "US")
    add_buyer(api_a, "Hans", "DE", consent=None)
    add_buyer(api_a, "Greta", "DE")
    every = panel_a.post("/campaigns/audience-preview", data={}).get_json()
    assert (every["matched"], every["recipients"]) == (3, 2)
    assert every["excluded"] == [{"key": "no_consent", "label": "No marketing consent where their country requires it",
                                  "count": 1, "shown": "1"}]
    germany = panel_a.post("/campaigns/audience-preview", data={"countries": "DE"}).get_json()
    assert germany["recipients"] == 1 and [c["key"] for c in germany["by_country"]] == ["DE"]
    bad = panel_a.post("/campaigns/audience-preview", data={"min_orders": "many"})
    assert bad.status_code == 422 and "min_orders" in bad.get_json()["errors"]


def test_a_holiday_row_drafts_a_campaign_for_the_countries_that_keep_it(panel_a, shop_a, services):
    page = Page(panel_a.get("/campaigns").data)
    buttons = [n for n in page.all("button") if n.attrs.get("id", "").startswith("draft-")]
    assert buttons, "every holiday row has a Draft a campaign button"
    key = buttons[0].attrs["id"][len("draft-"):]
    cid = _id_from(panel_a.post("/campaigns/from-holiday", data={"key": key}))
    (c,) = _campaigns(services)
    assert (c.id, c.kind, c.status, c.details["holiday"]["key"]) == (cid, "holiday", "draft", key)
    assert c.audience["countries"] == sorted(c.details["holiday"]["dates"])
    page = Page(panel_a.get(f"/campaigns/{cid}").data)
    assert c.details["holiday"]["name"] in page.text("summary-holiday")
    unknown = panel_a.post("/campaigns/from-holiday", data={"key": "no_such_day"}, follow_redirects=True)
    assert "unknown holiday" in Page(unknown.data).text() and len(_campaigns(services)) == 1


def test_launch_plans_in_the_background_and_the_page_shows_the_outcome(panel_a, api_a, services):
    for name in ("Amy", "Ben", "Cleo"):
        add_buyer(api_a, name, "US")
    cid = create(api_a)["id"]
    r = panel_a.post(f"/campaigns/{cid}/launch")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/campaigns/{cid}")
    done = _wait_for_launch(panel_a, cid)
    assert (done["running"], done["status"], done["error"]) == (False, "launched", None)
    assert len(messages(services, cid)) == 3
    page = Page(panel_a.get(f"/campaigns/{cid}").data)
    assert "Launched" in page.text("campaign-status") and "3 emails planned" in page.text("last-plan")
    assert "Already planned by this campaign" in page.text("exclusions-table")
    assert page.find("launch-progress") is None and page.find("relaunch-campaign") is None
    assert page.find("pause-campaign") is not None and page.find("results") is not None


def test_a_running_launch_shows_its_progress_from_the_database(panel_a, api_a, services, seller_a):
    cid = create(api_a)["id"]
    lifecycle.record_progress(services.db, seller_a.seller_id, cid, 5000, 12000, services.clock.now())
    page = Page(panel_a.get(f"/campaigns/{cid}").data)
    assert page.attr("launch-progress", "data-progress-url") == f"/campaigns/{cid}/progress"
    assert page.attr("launch-bar", "value") == "5000" and page.attr("launch-bar", "max") == "12000"
    assert "5,000 of 12,000" in page.text("launch-count")
    assert page.find("launch-campaign") is None and page.find("preview") is None
    body = panel_a.get(f"/campaigns/{cid}/progress").get_json()
    assert (body["running"], body["percent"]) == (True, 42)
    again = panel_a.post(f"/campaigns/{cid}/launch", follow_redirects=True)
    assert "being planned already" in Page(again.data).text()
    # A launch marked running past the planning lock's life is stale: it may be launched again.
    services.clock.advance(lifecycle.PLAN_LOCK_TTL + timedelta(minutes=1))
    page = Page(panel_a.get(f"/campaigns/{cid}").data)
    assert page.find("launch-stale") is not None and page.find("launch-campaign") is not None


def test_a_failed_launch_is_logged_and_shown(panel_a, api_a, services, monkeypatch, caplog):
    cid = create(api_a)["id"]

    def broken(*_args, **_kwargs):
        raise RuntimeError("the translator exploded")

    monkeypatch.setattr(lifecycle, "launch_campaign", broken)
    panel_a.post(f"/campaigns/{cid}/launch")
    assert _wait_for_launch(panel_a, cid)["error"] == "RuntimeError: the translator exploded"
    page = Page(panel_a.get(f"/campaigns/{cid}").data)
    assert "the translator exploded" in page.text("launch-error")
    assert any("launching campaign" in rec.message for rec in caplog.records)


def test_pause_resume_and_cancel_change_the_status(panel_a, api_a, services):
    cid = _launched(panel_a, api_a)
    r = panel_a.post(f"/campaigns/{cid}/pause", follow_redirects=True)
    assert "Campaign paused: 2 emails held." in Page(r.data).text()
    assert _campaigns(services)[0].status == "paused" and {m.status for m in messages(services, cid)} == {"paused"}
    page = Page(panel_a.post(f"/campaigns/{cid}/resume", follow_redirects=True).data)
    assert "2 emails released" in page.text() and "Launched" in page.text("campaign-status")
    page = Page(panel_a.post(f"/campaigns/{cid}/cancel", follow_redirects=True).data)
    assert "Cancelled" in page.text("campaign-status") and page.find("cancel-campaign") is None
    assert {m.status for m in messages(services, cid)} == {"cancelled"}
    # Not allowed now: the service's reason is flashed, nothing changes.
    page = Page(panel_a.post(f"/campaigns/{cid}/pause", follow_redirects=True).data)
    assert "only a launched campaign can be paused" in page.text()
    assert "cancelled: make a new one" in Page(panel_a.post(f"/campaigns/{cid}/launch", follow_redirects=True).data).text()


def test_the_email_preview_is_the_buyers_email(panel_a, api_a, seller_a):
    amy = add_buyer(api_a, "Amy", "US")
    hans = add_buyer(api_a, "Hans", "DE", language="de-DE")
    cid = create(api_a, content={"language": "en", "versions": {
        "en": {"subject": "Hello {name}", "body": "News"}, "de": {"subject": "Hallo {name}", "body": "Neues"}}})["id"]
    page = Page(panel_a.get(f"/campaigns/{cid}").data)
    assert page.text("email-subject") == "Hello Amy"  # the first matching buyer by name
    assert page.attr("email-frame", "src") == f"/campaigns/{cid}/email/{amy}"
    assert page.attr("email-frame", "sandbox") == ""
    page = Page(panel_a.get(f"/campaigns/{cid}?buyer={hans}").data)
    assert page.text("email-subject") == "Hallo Hans"
    frame = panel_a.get(f"/campaigns/{cid}/email/{hans}")
    assert "Hans" in frame.data.decode() and "default-src 'none'" in frame.headers["Content-Security-Policy"]
    assert "no buyer with this number" in Page(panel_a.get(f"/campaigns/{cid}?buyer=999999").data).text("email-error")


def test_the_page_shows_the_preview_the_versions_and_the_send_hours(panel_a, api_a):
    add_buyer(api_a, "Amy", "US")
    add_buyer(api_a, "Hans", "DE", consent=None)
    cid = create(api_a)["id"]
    page = Page(panel_a.get(f"/campaigns/{cid}").data)
    assert page.text("preview-recipients").startswith("1")
    assert "No marketing consent" in page.text("excluded-no_consent")
    assert "United States (US)" in page.text("preview-countries")
    bars = [n for n in page.find("chart-utc").iter() if n.tag == "rect" and "bar-fill" in n.attrs.get("class", "")]
    assert len(bars) == 1 and bars[0].attrs["data-value"] == "1"
    assert page.find("chart-seller") is not None and "Asia/Shanghai" in page.text("chart-seller")
    assert "Hello {name}" in page.text("version-en")


def test_a_machine_translated_version_is_marked_for_review(panel_a, api_a, services, seller_a):
    cid = create(api_a)["id"]
    with services.db.transaction() as s:
        row = s.get(Campaign, cid)
        row.content = {**row.content, "versions": {**row.content["versions"], "de": {
            "subject": "Hallo {name}", "body": "Neuigkeiten", "origin": "machine",
            "note": "machine-translated from en by libre: review it"}}, "notes": {"fr": "translator off: sent in the seller's language"}}
    page = Page(panel_a.get(f"/campaigns/{cid}").data)
    assert "machine-translated — review" in page.text("version-de") and "review it" in page.text("version-de")
    assert "translator off" in page.text("content-notes")


def test_results_show_an_order_attributed_to_the_campaign(panel_a, api_a, services):
    amy = add_buyer(api_a, "Amy", "US")
    cid = create(api_a)["id"]
    panel_a.post(f"/campaigns/{cid}/launch")
    _wait_for_launch(panel_a, cid)
    sent_at = services.clock.now() - timedelta(days=3)
    with services.db.transaction() as s:
        s.execute(update(Message).where(Message.origin_ref == str(cid)).values(status="sent", sent_at=sent_at))
    r = api_a.post(f"/buyers/{amy}/orders", {
        "marketplace": "shopify", "external_id": "A-9", "currency": "USD", "total": "25.00",
        "placed_at": (sent_at + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "items": [{"title": "Tea", "quantity": 1, "unit_price": "25.00"}]})
    assert r.status_code in (200, 201), r.get_json()
    page = Page(panel_a.get(f"/campaigns/{cid}").data)
    assert page.text("result-orders").endswith("1") and "$25.00" in page.text("result-revenue")
    assert page.text("result-sent-count") == "1"
    assert page.rows("results-countries") == [["United States (US)", "1", "1", "$25.00"]]
    assert page.find("tracking-line") is not None
    bars = [n for n in page.find("chart-sent").iter() if n.tag == "rect" and "bar-fill" in n.attrs.get("class", "")]
    assert len(bars) == 1


def test_another_sellers_campaign_is_not_found(panel_b, api_a, services):
    cid = create(api_a)["id"]
    for path in (f"/campaigns/{cid}", f"/campaigns/{cid}/edit", f"/campaigns/{cid}/progress"):
        assert panel_b.get(path).status_code == 404, path
    assert panel_b.post(f"/campaigns/{cid}/launch").status_code == 404
    with services.db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 0


AB = {"ab_on": "1", "ab_subject_b": "Last days: {discount} off", "ab_sample_percent": "30",
      "ab_decide_after_hours": "12", "ab_metric": "orders", "version_subject_b": "Letzte Tage: {discount}"}


def test_the_wizard_creates_a_campaign_with_an_ab_test_and_prefills_it_when_edited(panel_a, services):
    page = Page(panel_a.get("/campaigns/new").data)
    assert page.attr("f-ab_sample_percent", "value") == "20" and page.attr("f-ab_decide_after_hours", "value") == "24"
    # Tracking is off: only orders can decide, and the form says why.
    options = {n.attrs["value"]: n.attrs for n in page.find("f-ab_metric").iter() if n.tag == "option"}
    assert "disabled" not in options["orders"] and "disabled" in options["opens"] and "disabled" in options["clicks"]
    assert "tracking on" in page.text("h-ab_metric")
    cid = _id_from(panel_a.post("/campaigns/new", data=_form(**AB)))
    (c,) = _campaigns(services)
    assert c.details["ab"] == {"subject_b": {"en": "Last days: {discount} off", "de": "Letzte Tage: {discount}"},
                               "sample_percent": 30, "decide_after_hours": 12, "metric": "orders", "decided": None}
    page = Page(panel_a.get(f"/campaigns/{cid}/edit").data)
    assert "checked" in page.find("f-ab_on").attrs
    assert page.attr("f-ab_subject_b", "value") == "Last days: {discount} off"
    assert page.attr("f-version_subject_b-0", "value") == "Letzte Tage: {discount}"
    assert (page.attr("f-ab_sample_percent", "value"), page.attr("f-ab_decide_after_hours", "value")) == ("30", "12")
    # Saved again with the box unticked, the draft has no A/B test any more.
    assert _id_from(panel_a.post(f"/campaigns/{cid}/edit", data=_form(**{**AB, "ab_on": ""}))) == cid
    assert "ab" not in _campaigns(services)[0].details


def test_an_ab_test_error_is_shown_next_to_its_field(panel_a, services):
    cases = [({"ab_sample_percent": "80"}, "e-ab_sample_percent", "at most 50"),
             ({"ab_decide_after_hours": "0"}, "e-ab_decide_after_hours", "at least 1"),
             ({"ab_metric": "opens"}, "e-ab_metric", "tracking on"),
             ({"ab_subject_b": ""}, "e-ab_subject_b", "second subject"),
             ({"ab_subject_b": "Hi {nme}"}, "e-ab_subject_b", "unknown placeholder {nme}"),
             ({"version_subject_b": "Fest {holiday}"}, "e-version_subject_b-0", "needs a holiday campaign")]
    for change, error_id, words in cases:
        r = panel_a.post("/campaigns/new", data=_form(**{**AB, **change}))
        assert r.status_code == 422, change
        page = Page(r.data)
        assert words in page.text(error_id), (change, page.text("form-errors"))
        assert page.attr("f-" + error_id[2:], "aria-invalid") == "true"
        assert "checked" in page.find("f-ab_on").attrs and page.attr("f-name", "value") == "Spring sale"
    assert _campaigns(services) == []


def test_the_wizard_saves_an_audience_and_offers_it(panel_a, services, seller_a):
    r = panel_a.post("/campaigns/saved-audiences", data={"saved_audience_name": "Big US spenders", "countries": "US",
                                                         "spend_currency": "usd", "min_spend": "100"})
    assert r.status_code == 201, r.get_json()
    made = r.get_json()["audience"]
    assert made["name"] == "Big US spenders" and "Big US spenders" in r.get_json()["message"]
    assert (made["fields"]["countries"], made["fields"]["min_spend"]) == (["US"], "100.00")
    (saved,) = list_audiences(services.db, seller_a.seller_id)
    assert (saved.id, saved.filter["countries"], saved.filter["min_spend_minor"]) == (made["id"], ["US"], 10000)
    # The menu offers it, its filter as the fields show it; a country no buyer has yet is a choice too.
    page = Page(panel_a.get("/campaigns/new").data)
    (option,) = [n for n in page.find("saved-audience").iter() if n.tag == "option" and n.attrs.get("value")]
    assert option.text() == "Big US spenders" and json.loads(option.attrs["data-filter"])["spend_currency"] == "USD"
    assert any(n.attrs.get("value") == "US" for n in page.find("f-countries").iter() if n.tag == "option")
    # The name is taken: 409 and the reason for the name field.
    taken = panel_a.post("/campaigns/saved-audiences", data={"saved_audience_name": "Big US spenders"})
    assert taken.status_code == 409
    assert "already have a saved audience named “Big US spenders”" in taken.get_json()["errors"]["saved_audience_name"]
    # A bad filter names its field; no name names the name.
    bad = panel_a.post("/campaigns/saved-audiences", data={"saved_audience_name": "Odd", "min_orders": "many"})
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"min_orders"}
    unnamed = panel_a.post("/campaigns/saved-audiences", data={"countries": "US"})
    assert unnamed.status_code == 422 and "name" in unnamed.get_json()["errors"]["saved_audience_name"]
    assert len(list_audiences(services.db, seller_a.seller_id)) == 1


def test_the_campaign_page_shows_the_ab_test_then_its_decision(panel_a, api_a, services):
    buyers = [add_buyer(api_a, f"Buyer {i}", "US") for i in range(40)]
    cid = create(api_a, content=content(subject="A for {name}"), ab={
        "subject_b": {"en": "B for {name}"}, "sample_percent": 50, "decide_after_hours": 24, "metric": "orders"})["id"]
    page = Page(panel_a.get(f"/campaigns/{cid}").data)
    assert page.text("ab-subject-a") == "A for {name}" and page.text("ab-subject-b") == "B for {name}"
    assert "50% of the recipients" in page.text("ab-sample") and "Orders" in page.text("ab-metric")
    assert "24 hours after the launch" in page.text("ab-decision") and page.find("ab-groups") is None

    launch(api_a, cid)
    planned = messages(services, cid)
    waiting = sum(m.status == "waiting" for m in planned)
    assert waiting
    page = Page(panel_a.get(f"/campaigns/{cid}").data)
    assert "Mar 11, 2026" in page.text("ab-decision") and "the rest wait" in page.text("ab-decision")
    assert "Waiting for the A/B test" in page.text("result-statuses")
    assert page.text("result-waiting-count") == str(waiting)
    assert f"{waiting} emails are waiting" in page.text("ab-waiting")

    sample_sent_with_an_order_in_b(api_a, services, cid, planned)
    services.clock.advance(timedelta(hours=25))
    assert decide_due(services.db, services.clock) == 1
    sent = {g: sum(m.variant == g for m in planned) for g in ("a", "b")}
    page = Page(panel_a.get(f"/campaigns/{cid}").data)
    assert page.text("ab-winner") == "Subject B won"
    assert page.text("ab-scores") == f"Subject A: 0 of {sent['a']} · Subject B: 1 of {sent['b']}"
    assert page.rows("ab-groups") == [["Subject A", str(sent["a"]), "0"], ["Subject B", str(sent["b"]), "1"],
                                      ["The rest", "0", "0"]]
    assert page.text("result-waiting-count") == "0" and page.find("ab-waiting") is None
    assert len(buyers) == len(planned)
