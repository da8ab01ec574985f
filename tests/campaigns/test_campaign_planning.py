"""Planning a campaign: each buyer on their own local day at an allowed hour, the exclusions held,
nothing planned twice."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import update

from crossborder_crm.buyers.models import Buyer
from crossborder_crm.campaigns.lifecycle import plan_standing
from crossborder_crm.outbox.models import Suppression
from tests.campaigns.campaign_helpers import add_buyer, content, create, launch, local, messages

QUIET_START, QUIET_END = time(21, 30), time(8, 30)


def _allowed_hour(moment: datetime) -> bool:
    return QUIET_END <= moment.time() < QUIET_START


def test_mothers_day_reaches_each_buyer_before_their_own_countrys_date_and_nobody_else(api_a, services):
    uk = add_buyer(api_a, "Olivia", "GB")
    us = add_buyer(api_a, "Amy", "US")
    add_buyer(api_a, "Wanjiru", "KE")
    made = create(api_a, kind="holiday", holiday={"key": "mothers_day", "days_before": 3},
                  content=content(subject="{holiday} is on {holiday_date}"))
    assert "KE" not in made["holiday"]["dates"]
    plan = launch(api_a, made["id"])
    assert plan["excluded"] == {"holiday_not_kept": 1}
    sent = {m.buyer_id: m for m in messages(services, made["id"])}
    assert set(sent) == {uk, us}
    uk_local, us_local = local(sent[uk], "Europe/London"), local(sent[us], "America/New_York")
    assert uk_local.date() == date(2026, 3, 12) and us_local.date() == date(2026, 5, 7)
    assert _allowed_hour(uk_local) and _allowed_hour(us_local)
    assert sent[uk].subject == "Mother's Day is on 15 March 2026"
    assert sent[us].subject == "Mother's Day is on May 10, 2026"


def test_a_holiday_too_close_for_its_days_before_leaves_the_buyer_out(api_a, services):
    add_buyer(api_a, "Olivia", "GB")
    made = create(api_a, kind="holiday", holiday={"key": "mothers_day", "days_before": 10})
    assert launch(api_a, made["id"])["excluded"] == {"too_late": 1}


def _sale(api, ends_at: str) -> dict:
    return create(api, kind="sale", offer={"discount": "20 %", "coupon": "SPRING", "starts_on": "2026-03-10",
                                           "ends_at": ends_at},
                  content=content(subject="{discount} off until {ends}", body="Code {coupon}"))


def test_each_buyer_gets_the_sale_end_in_their_own_time_zone(api_a, services):
    ny = add_buyer(api_a, "Amy", "US")
    tokyo = add_buyer(api_a, "Yuki", "JP")
    made = _sale(api_a, "2026-03-12T23:00")
    launch(api_a, made["id"])
    ends = {m.buyer_id: m.context["not_after"] for m in messages(services, made["id"])}
    assert ends == {ny: "2026-03-13T03:00:00+00:00", tokyo: "2026-03-12T14:00:00+00:00"}


def test_a_buyer_whose_best_hour_falls_after_their_local_end_is_left_out(api_a, services):
    add_buyer(api_a, "Yuki", "JP")  # 11:00 in Tokyo: the evening peak comes after a noon end
    made = _sale(api_a, "2026-03-10T12:00")
    assert launch(api_a, made["id"])["excluded"] == {"offer_ended": 1}
    assert messages(services, made["id"]) == []


def test_every_sale_email_is_planned_before_the_buyers_local_end(api_a, services):
    for n, country in enumerate(("US", "GB", "DE", "JP", "AU", "BR")):
        add_buyer(api_a, f"Buyer {n}", country)
    made = _sale(api_a, "2026-03-11T18:00")
    launch(api_a, made["id"])
    for m in messages(services, made["id"]):
        assert m.scheduled_at < datetime.fromisoformat(m.context["not_after"])


def test_suppressed_and_consentless_buyers_get_no_campaign_email(api_a, services, seller_a):
    add_buyer(api_a, "Hans", "DE", consent=None)
    bounced = add_buyer(api_a, "Bob", "US")
    ok = add_buyer(api_a, "Amy", "US")
    with services.db.transaction() as s:
        s.add(Suppression(seller_id=seller_a.seller_id, email="bob@example.com", reason="hard_bounce", scope="all",
                          created_at=services.clock.now()))
    made = create(api_a)
    plan = launch(api_a, made["id"])
    assert plan["excluded"] == {"no_consent": 1, "bounced": 1}
    assert [m.buyer_id for m in messages(services, made["id"])] == [ok]
    assert bounced not in [m.buyer_id for m in messages(services, made["id"])]


def test_a_relaunch_plans_nothing_twice(api_a, services):
    for name in ("Amy", "Ben", "Cat"):
        add_buyer(api_a, name, "US")
    made = create(api_a)
    assert launch(api_a, made["id"])["recipients"] == 3
    again = launch(api_a, made["id"])
    assert (again["recipients"], again["excluded"]) == (0, {"already_planned": 3})
    assert len(messages(services, made["id"])) == 3


def test_a_relaunch_plans_a_buyer_added_since(api_a, services):
    add_buyer(api_a, "Amy", "US")
    made = create(api_a)
    launch(api_a, made["id"])
    late = add_buyer(api_a, "Ben", "US")
    assert launch(api_a, made["id"])["recipients"] == 1
    assert late in [m.buyer_id for m in messages(services, made["id"])]


def test_a_buyer_at_the_frequency_cap_is_left_out(api_a):
    add_buyer(api_a, "Amy", "US")
    for n in range(2):  # the default cap: two marketing emails in seven days
        assert launch(api_a, create(api_a, name=f"C{n}")["id"])["recipients"] == 1
    assert launch(api_a, create(api_a, name="C3")["id"])["excluded"] == {"frequency_cap": 1}


def test_a_launch_on_a_later_day_sends_on_that_local_day(api_a, services):
    amy = add_buyer(api_a, "Amy", "US")
    made = create(api_a, send_on="2026-03-20")
    launch(api_a, made["id"])
    (msg,) = messages(services, made["id"])
    assert msg.buyer_id == amy and local(msg, "America/New_York").date() == date(2026, 3, 20)


def test_a_launch_limited_to_a_category_reaches_only_its_buyers(api_a, services):
    tea = add_buyer(api_a, "Amy", "US")
    add_buyer(api_a, "Ben", "US")
    api_a.post(f"/buyers/{tea}/orders", {"marketplace": "shopify", "external_id": "1", "currency": "USD",
                                         "placed_at": "2026-02-01T10:00:00Z", "total": "20.00",
                                         "items": [{"title": "Oolong", "category": "tea", "quantity": 1,
                                                    "unit_price": "20.00"}]})
    made = create(api_a, kind="launch", product={"name": "Jasmine tea", "url": "https://shop.example/jasmine",
                                                 "prices": {"USD": 1299, "EUR": 1199}, "category": "tea"},
                  content=content(subject="New: {product} at {price}"))
    launch(api_a, made["id"])
    (msg,) = messages(services, made["id"])
    assert msg.buyer_id == tea and msg.subject == "New: Jasmine tea at $12.99"


def _due(services, buyer_id: int, in_days: float | None, last_order: datetime | None = None) -> None:
    now = services.clock.now()
    with services.db.transaction() as s:
        s.execute(update(Buyer).where(Buyer.id == buyer_id).values(
            next_purchase_at=None if in_days is None else now + timedelta(days=in_days),
            last_order_at=last_order or now - timedelta(days=30)))


def test_a_repurchase_campaign_picks_exactly_the_buyers_due_within_its_window(api_a, services):
    due = add_buyer(api_a, "Due", "US")
    for name, days in (("Later", 20), ("Overdue", -2), ("Unknown", None)):
        _due(services, add_buyer(api_a, name, "US"), days)
    _due(services, due, 3)
    made = create(api_a, kind="repurchase", repurchase={"within_days": 7}, audience={}, confirm_all=False)
    launch(api_a, made["id"])
    assert [m.buyer_id for m in messages(services, made["id"])] == [due]


def test_a_repurchase_buyer_is_written_once_per_cycle(api_a, services):
    amy = add_buyer(api_a, "Amy", "US")
    _due(services, amy, 3)
    made = create(api_a, kind="repurchase", audience={}, confirm_all=False)
    launch(api_a, made["id"])
    assert plan_standing(services.db, services.clock, mail_domain="crm.example") == 0
    _due(services, amy, 2, last_order=services.clock.now() - timedelta(days=1))  # bought again: a new cycle
    assert plan_standing(services.db, services.clock, mail_domain="crm.example") == 1
    assert len(messages(services, made["id"])) == 2


def test_the_preview_charts_send_hours_in_utc_and_in_the_sellers_time(api_a):
    for name in ("Amy", "Ben"):
        add_buyer(api_a, name, "US")
    made = create(api_a)
    r = api_a.post(f"/campaigns/{made['id']}/preview")
    body = r.get_json()
    assert body["recipients"] == 2 and api_a.get(f"/campaigns/{made['id']}").get_json()["status"] == "draft"
    utc, seller = body["send_hours"]["utc"], body["send_hours"]["seller"]
    assert sum(utc) == sum(seller) == 2
    hour = utc.index(2)
    assert seller[(hour + 8) % 24] == 2  # the seller is in Shanghai, UTC+8
