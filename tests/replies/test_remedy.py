"""The remedy a reply offers: the policy per category and order value, and the parcel's state."""
from __future__ import annotations

from datetime import date

from crossborder_crm.replies.remedy import Parcel, Policy, choose, is_low_value

TODAY = date(2026, 3, 10)
POLICY = Policy()


def test_a_parcel_moving_on_time_gets_a_dated_promise_not_a_replacement():
    r = choose("not_received", 9000, "EUR", Parcel("in_transit", expected=date(2026, 3, 12)), TODAY, POLICY)
    assert (r.key, r.promise) == ("wait", date(2026, 3, 17))


def test_a_late_parcel_still_moving_gets_the_promise_and_a_coupon():
    r = choose("late_delivery", 9000, "EUR", Parcel("in_transit", expected=date(2026, 3, 1), late=True), TODAY,
               POLICY)
    assert (r.key, r.promise, r.coupon_percent) == ("wait", date(2026, 3, 15), 10)


def test_a_stalled_parcel_is_replaced():
    r = choose("not_received", 9000, "EUR", Parcel("in_transit", stalled=True), TODAY, POLICY)
    assert r.key == "reship" and "stalled" in r.reason


def test_a_parcel_reported_lost_is_replaced():
    r = choose("not_received", 9000, "EUR", Parcel("exception_lost"), TODAY, POLICY)
    assert r.key == "reship" and "lost" in r.reason


def test_without_tracking_the_carrier_is_asked_first():
    r = choose("not_received", 9000, "EUR", Parcel(None), TODAY, POLICY)
    assert (r.key, r.promise) == ("trace", date(2026, 3, 15))


def test_photos_are_asked_for_a_damaged_item_only_above_the_low_value():
    cheap = choose("damaged", 1500, "EUR", Parcel("delivered"), TODAY, POLICY)
    dear = choose("damaged", 15000, "EUR", Parcel("delivered"), TODAY, POLICY)
    assert (cheap.key, cheap.photos) == ("reship", False)
    assert (dear.key, dear.photos) == ("reship", True)


def test_a_cheap_disappointing_item_is_partly_refunded_and_kept():
    r = choose("poor_quality", 2000, "USD", Parcel("delivered"), TODAY, POLICY)
    assert (r.key, r.percent, r.amount_minor) == ("refund_partial", 30, 600)


def test_a_dear_disappointing_item_is_returned_for_a_full_refund():
    r = choose("not_as_described", 20000, "USD", Parcel("delivered"), TODAY, POLICY)
    assert (r.key, r.amount_minor) == ("return", 20000)


def test_the_low_value_line_is_per_currency():
    assert is_low_value(4000, "JPY", POLICY) and not is_low_value(4000, "EUR", POLICY)


def test_an_unknown_currency_is_never_low_value():
    assert not is_low_value(1, "XTS", POLICY)


def test_a_sellers_override_changes_the_rule_and_the_numbers():
    policy = POLICY.with_overrides({"rules": {"poor_quality": ["refund_full", "refund_full"]}, "refund_days": 3})
    r = choose("poor_quality", 2000, "USD", Parcel("delivered"), TODAY, policy)
    assert (r.key, r.amount_minor, r.days) == ("refund_full", 2000, 3)


def test_customs_charges_are_refunded_against_the_receipt():
    assert choose("customs_duties", 2000, "USD", Parcel("delivered"), TODAY, POLICY).key == "refund_duties"
