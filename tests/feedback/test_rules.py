"""What each kind of event does to the address."""
from datetime import datetime, timedelta, timezone

from crossborder_crm.feedback.rules import Decision, Policy, clamp_time, decide

POLICY = Policy(soft_bounce_limit=3, soft_bounce_days=30)
NOW = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)


def test_a_hard_bounce_suppresses_all_mail():
    assert decide("hard_bounce", 0, POLICY) == Decision("suppressed_all", "hard_bounce", "all")


def test_a_complaint_suppresses_marketing_only():
    assert decide("complaint", 0, POLICY) == Decision("suppressed_marketing", "complaint", "marketing")


def test_an_unsubscribe_suppresses_marketing_only():
    assert decide("unsubscribe", 0, POLICY) == Decision("suppressed_marketing", "unsubscribe", "marketing")


def test_a_soft_bounce_below_the_limit_is_only_counted():
    assert decide("soft_bounce", 2, POLICY) == Decision("counted")


def test_the_soft_bounce_that_reaches_the_limit_suppresses_all_mail():
    assert decide("soft_bounce", 3, POLICY) == Decision("suppressed_all", "soft_bounces", "all")


def test_the_policy_reads_its_settings():
    policy = Policy.from_settings({"FEEDBACK_SOFT_BOUNCE_LIMIT": 5, "FEEDBACK_SOFT_BOUNCE_DAYS": 10})
    assert (policy.soft_bounce_limit, policy.window_start(NOW)) == (5, NOW - timedelta(days=10))


def test_a_provider_time_in_the_future_is_replaced_by_the_receipt_time():
    assert clamp_time(NOW + timedelta(hours=1), NOW) == NOW
    assert clamp_time(None, NOW) == NOW
    assert clamp_time(NOW - timedelta(hours=1), NOW) == NOW - timedelta(hours=1)
