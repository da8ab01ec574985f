"""What complaints teach: counts per group once each, the trend against the window before, the weekly digest."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from crossborder_crm.accounts.service import create_seller
from crossborder_crm.buyers.orders import add_order
from crossborder_crm.buyers.service import create_buyer
from crossborder_crm.clock import FixedClock
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.replies.insights import (
    PROBLEM_OF,
    check_group_by,
    check_window,
    complaint_insights,
    weekly_digest,
)
from crossborder_crm.replies.models import ReplyDraft
from crossborder_crm.replies.remedy import DEFAULT_RULES
from crossborder_crm.shipments.models import Shipment

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=timezone.utc)
WEEK = {"start": date(2026, 3, 1), "end": date(2026, 3, 7)}  # previous window: 22-28 February


def at(day: str, hour: int = 12) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


class Shop:
    """A seller with one buyer; orders, shipments and complaints written straight to the database."""

    def __init__(self, db, name="Shop A", email="a@example.com"):
        self.db, self.clock = db, FixedClock(NOW)
        self.seller_id = create_seller(db, self.clock, name, email, "correct horse 1").seller_id
        self.buyer_id = create_buyer(db, self.clock, self.seller_id,
                                     {"name": "Lucía", "email": f"lucia@{name[-1].lower()}.es", "country": "ES"}).id
        self.orders = 0

    def order(self, *items: dict, carrier: str | None = None, route: tuple[str, str] | None = None) -> int:
        self.orders += 1
        order_id = add_order(self.db, self.clock, self.seller_id, self.buyer_id, {
            "marketplace": "shopify", "external_id": str(self.orders), "placed_at": "2026-02-01T10:00:00Z",
            "currency": "EUR", "items": [{"unit_price": "10.00", **i} for i in items or ({"title": "Tea set"},)]}).id
        if carrier or route:
            self.ship(order_id, carrier_name=carrier, origin=route and route[0], destination=route and route[1])
        return order_id

    def ship(self, order_id: int, *, carrier_name=None, carrier_code=None, origin=None, destination=None,
             created_at: datetime = NOW) -> None:
        with self.db.transaction() as s:
            s.add(Shipment(seller_id=self.seller_id, order_id=order_id, buyer_id=self.buyer_id, source="api",
                           tracking_number=f"T{order_id}-{created_at.isoformat()}", carrier_name=carrier_name,
                           carrier_code=carrier_code, origin_country=origin, destination_country=destination,
                           milestone="in_transit", created_at=created_at, updated_at=created_at))

    def complaint(self, category: str, received_at: datetime, order_id: int | None = None,
                  status: str = "new") -> None:
        with self.db.transaction() as s:
            s.add(ReplyDraft(seller_id=self.seller_id, buyer_id=self.buyer_id, order_id=order_id, kind="dispute",
                             source="api", received_at=received_at, text="…", language="es", category=category,
                             categories=[category], severity="medium", buyer_locale="es", buyer_subject="s",
                             buyer_body="b", seller_locale="en", seller_subject="s", seller_body="b",
                             status=status, created_at=received_at, updated_at=received_at))

    def insights(self, *group_by: str, **window):
        return complaint_insights(self.db, self.seller_id, group_by=group_by or ("category",), **(window or WEEK))


@pytest.fixture
def shop(database) -> Shop:
    return Shop(database)


def counts(insights) -> dict[tuple[str, ...], int]:
    return {tuple(r.values.values()): r.count for r in insights.rows if r.count}


def test_complaints_are_counted_by_category_largest_first(shop):
    for category in ("damaged", "late_delivery", "damaged"):
        shop.complaint(category, at("2026-03-02"))
    found = shop.insights("category")
    assert [(r.values, r.count) for r in found.rows] == [({"category": "damaged"}, 2),
                                                         ({"category": "late_delivery"}, 1)]
    assert found.total == 3


def test_a_complaint_counts_under_each_product_of_its_order(shop):
    order = shop.order({"title": "Tea set"}, {"title": "Teapot"})
    shop.complaint("damaged", at("2026-03-02"), order)
    assert counts(shop.insights("product")) == {("Tea set",): 1, ("Teapot",): 1}


def test_a_product_on_two_lines_of_one_order_counts_the_complaint_once(shop):
    order = shop.order({"title": "Tea set"}, {"title": "Tea set", "quantity": 2})
    shop.complaint("damaged", at("2026-03-02"), order)
    assert counts(shop.insights("product")) == {("Tea set",): 1}


def test_the_sku_names_the_product_when_there_is_one(shop):
    order = shop.order({"title": "Tea set, blue", "sku": "TEA-01"}, {"title": "Spoon"})
    shop.complaint("poor_quality", at("2026-03-02"), order)
    assert counts(shop.insights("product")) == {("TEA-01",): 1, ("Spoon",): 1}


def test_a_complaint_without_an_order_is_grouped_under_a_dash(shop):
    shop.complaint("other", at("2026-03-02"))
    assert counts(shop.insights("product", "carrier", "route")) == {("—", "—", "—"): 1}


def test_the_carrier_and_route_come_from_the_latest_shipment_of_the_order(shop):
    order = shop.order()
    shop.ship(order, carrier_name="Yanwen", origin="CN", destination="ES", created_at=NOW - timedelta(days=20))
    shop.ship(order, carrier_name="Correos", origin="CN", destination="ES", created_at=NOW - timedelta(days=5))
    shop.complaint("not_received", at("2026-03-02"), order)
    assert counts(shop.insights("carrier", "route")) == {("Correos", "CN→ES"): 1}


def test_the_carrier_code_stands_in_for_a_missing_carrier_name(shop):
    order = shop.order()
    shop.ship(order, carrier_code="cainiao", destination="ES")
    shop.complaint("late_delivery", at("2026-03-02"), order)
    assert counts(shop.insights("carrier", "route")) == {("cainiao", "?→ES"): 1}


def test_month_is_the_utc_month_the_complaint_was_received(shop):
    shop.complaint("damaged", at("2026-02-28", 23))
    shop.complaint("damaged", at("2026-03-01", 0))
    found = shop.insights("month", start=date(2026, 2, 1), end=date(2026, 3, 31))
    assert counts(found) == {("2026-02",): 1, ("2026-03",): 1}


def test_the_window_holds_its_last_day_whole_and_nothing_after(shop):
    shop.complaint("damaged", at("2026-03-07", 23) + timedelta(minutes=59))
    shop.complaint("damaged", at("2026-03-08", 0))
    assert shop.insights().total == 1


def test_the_trend_compares_with_the_window_of_the_same_length_just_before(shop):
    for day in ("2026-02-22", "2026-02-28"):  # the previous window: 22-28 February
        shop.complaint("damaged", at(day))
    shop.complaint("damaged", at("2026-02-21"))  # before both windows
    for day in ("2026-03-01", "2026-03-03", "2026-03-07"):
        shop.complaint("damaged", at(day))
    found = shop.insights()
    assert (found.previous_start, found.previous_end) == (date(2026, 2, 22), date(2026, 2, 28))
    row = found.rows[0]
    assert (row.count, row.previous_count, row.change) == (3, 2, 0.5)
    assert (found.total, found.previous_total) == (3, 2)


def test_the_change_is_none_when_the_previous_window_had_none(shop):
    shop.complaint("damaged", at("2026-03-02"))
    assert shop.insights().rows[0].change is None


def test_a_problem_that_went_away_is_listed_at_zero(shop):
    shop.complaint("late_delivery", at("2026-02-25"))
    shop.complaint("damaged", at("2026-03-02"))
    rows = shop.insights().rows
    assert [(r.values["category"], r.count, r.previous_count, r.change) for r in rows] == [
        ("damaged", 1, 0, None), ("late_delivery", 0, 1, -1.0)]


def test_the_share_is_of_all_complaints_in_the_window(shop):
    order = shop.order({"title": "Tea set"}, {"title": "Teapot"})
    shop.complaint("damaged", at("2026-03-02"), order)
    shop.complaint("other", at("2026-03-02"))
    shares = {r.values["product"]: r.share for r in shop.insights("product").rows}
    assert shares == {"Tea set": 0.5, "Teapot": 0.5, "—": 0.5}


def test_groups_combine_into_one_row_per_combination(shop):
    correos = shop.order({"title": "Tea set"}, carrier="Correos", route=("CN", "ES"))
    yanwen = shop.order({"title": "Tea set"}, carrier="Yanwen", route=("CN", "FR"))
    shop.complaint("late_delivery", at("2026-03-02"), correos)
    shop.complaint("late_delivery", at("2026-03-03"), correos)
    shop.complaint("late_delivery", at("2026-03-03"), yanwen)
    assert counts(shop.insights("category", "carrier", "route")) == {
        ("late_delivery", "Correos", "CN→ES"): 2, ("late_delivery", "Yanwen", "CN→FR"): 1}


def test_another_sellers_complaints_are_never_counted(shop, database):
    other = Shop(database, "Shop B", "b@example.com")
    other.complaint("damaged", at("2026-03-02"), other.order(carrier="Correos"))
    shop.complaint("late_delivery", at("2026-03-02"))
    found = shop.insights("category", "carrier")
    assert counts(found) == {("late_delivery", "—"): 1} and found.total == 1


def test_each_category_is_routed_to_the_supplier_the_forwarder_or_the_seller(shop):
    assert set(PROBLEM_OF) == set(DEFAULT_RULES)  # every category the classifier gives
    assert {c: w for c, w in PROBLEM_OF.items() if w == "forwarder"}.keys() == {
        "not_received", "late_delivery", "customs_duties"}
    shop.complaint("size_fit", at("2026-03-02"))
    assert shop.insights().rows[0].problem_of == "supplier"


def test_without_a_category_group_no_one_is_named(shop):
    shop.complaint("size_fit", at("2026-03-02"))
    assert shop.insights("month").rows[0].problem_of is None


def test_an_unknown_group_is_refused_naming_group_by():
    with pytest.raises(ValidationFailed) as refused:
        check_group_by("category,supplier")
    assert set(refused.value.fields) == {"group_by"}


def test_the_group_defaults_to_category_and_repeats_are_dropped():
    assert check_group_by("") == ("category",)
    assert check_group_by("carrier, route,carrier") == ("carrier", "route")


def test_the_window_defaults_to_the_thirty_days_ending_today():
    assert check_window(None, None, date(2026, 3, 10)) == (date(2026, 2, 9), date(2026, 3, 10))


@pytest.mark.parametrize("start,end,field", [(date(2026, 3, 2), date(2026, 3, 1), "to"),
                                             (date(2025, 1, 1), date(2026, 2, 6), "to"),
                                             (date(1900, 1, 1), date(1900, 2, 1), "from")])
def test_a_bad_window_is_refused_naming_the_field(start, end, field):
    with pytest.raises(ValidationFailed) as refused:
        check_window(start, end, date(2026, 3, 10))
    assert set(refused.value.fields) == {field}


def digest(shop, sla_hours=24, now=NOW):
    return weekly_digest(shop.db, shop.seller_id, date(2026, 3, 10), now=now, sla_hours=sla_hours)


def test_the_digest_compares_the_last_seven_full_days_with_the_seven_before(shop):
    shop.complaint("damaged", at("2026-02-24"))  # the week before: 24 February - 2 March
    for day in ("2026-03-03", "2026-03-09"):  # the week: 3-9 March
        shop.complaint("damaged", at(day))
    shop.complaint("damaged", at("2026-03-10", 1))  # today: not a full day yet
    found = digest(shop)
    assert (found.start, found.end, found.total, found.previous_total, found.change) == (
        date(2026, 3, 3), date(2026, 3, 9), 2, 1, 1.0)


def test_the_digest_lists_the_top_three_categories_with_their_change(shop):
    for category, n in (("damaged", 4), ("late_delivery", 3), ("size_fit", 2), ("other", 1)):
        for _ in range(n):
            shop.complaint(category, at("2026-03-05"))
    shop.complaint("damaged", at("2026-03-01"))
    top = digest(shop).top_categories
    assert [(r.values["category"], r.count, r.change) for r in top] == [
        ("damaged", 4, 3.0), ("late_delivery", 3, None), ("size_fit", 2, None)]


def test_the_digest_sends_quality_problems_by_product_to_the_supplier(shop):
    teapot = shop.order({"title": "Teapot"}, carrier="Correos", route=("CN", "ES"))
    shop.complaint("damaged", at("2026-03-05"), teapot)
    shop.complaint("poor_quality", at("2026-03-06"), teapot)
    shop.complaint("late_delivery", at("2026-03-06"), shop.order({"title": "Cup"}))  # the forwarder's
    shop.complaint("damaged", at("2026-03-06"))  # no order: no product to name
    assert [(r.values, r.count) for r in digest(shop).supplier_products] == [({"product": "Teapot"}, 2)]


def test_the_digest_sends_delivery_problems_by_carrier_and_route_to_the_forwarder(shop):
    correos = shop.order(carrier="Correos", route=("CN", "ES"))
    yanwen = shop.order(carrier="Yanwen", route=("CN", "FR"))
    shop.complaint("not_received", at("2026-03-05"), correos)
    shop.complaint("customs_duties", at("2026-03-05"), correos)
    shop.complaint("late_delivery", at("2026-03-05"), yanwen)
    shop.complaint("damaged", at("2026-03-05"), yanwen)  # the supplier's
    assert [(r.values, r.count) for r in digest(shop).forwarder_routes] == [
        ({"carrier": "Correos", "route": "CN→ES"}, 2), ({"carrier": "Yanwen", "route": "CN→FR"}, 1)]


def test_open_complaints_are_those_not_yet_sent(shop):
    for status in ("new", "edited", "approved", "sent"):
        shop.complaint("damaged", at("2026-01-05"), status=status)
    assert digest(shop).open_count == 3


def test_overdue_complaints_are_unsent_and_older_than_the_sla(shop):
    shop.complaint("damaged", NOW - timedelta(hours=25))
    shop.complaint("damaged", NOW - timedelta(hours=25), status="sent")
    shop.complaint("damaged", NOW - timedelta(hours=24))  # exactly at the SLA: not over it yet
    shop.complaint("damaged", NOW - timedelta(hours=3))
    assert digest(shop).overdue_count == 1
    assert digest(shop, sla_hours=2).overdue_count == 3
