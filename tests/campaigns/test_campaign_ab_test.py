"""A/B test of subjects: half the sample each, the rest waiting, then the winner's subject to the rest."""
from __future__ import annotations

from datetime import timedelta

from crossborder_crm.campaigns.ab_decision import decide_due
from crossborder_crm.campaigns.ab_test import A, B, group, winner
from tests.campaigns.campaign_helpers import (
    add_buyer,
    content,
    create,
    launch,
    messages,
    sample_sent_with_an_order_in_b,
)

AB = {"subject_b": {"en": "B for {name}"}, "sample_percent": 50, "decide_after_hours": 24, "metric": "orders"}


def _ab_campaign(api, services, n=40):
    for i in range(n):
        add_buyer(api, f"Buyer {i}", "US")
    made = create(api, ab=AB, content=content(subject="A for {name}"))
    launch(api, made["id"])
    return made["id"], messages(services, made["id"])


def test_a_buyer_stays_in_the_same_group_on_every_relaunch():
    assert {group(7, 42, 20) for _ in range(3)} == {group(7, 42, 20)}


def test_the_sample_is_split_half_a_half_b():
    groups = [group(3, b, 20) for b in range(10_000)]
    assert 900 < groups.count(A) < 1100 and 900 < groups.count(B) < 1100


def test_b_wins_only_with_a_better_rate():
    assert winner({A: (1, 10), B: (2, 10)}) == B
    assert winner({A: (2, 10), B: (2, 10)}) == A
    assert winner({A: (0, 0), B: (0, 0)}) == A


def test_the_sample_gets_both_subjects_and_the_rest_waits_for_the_decision(api_a, services):
    _, planned = _ab_campaign(api_a, services)
    by_group = {g: [m for m in planned if m.variant == g] for g in ("a", "b", "rest")}
    assert all(by_group.values())
    assert all(m.subject.startswith("A for") and m.status == "scheduled" for m in by_group["a"])
    assert all(m.subject.startswith("B for") and m.status == "scheduled" for m in by_group["b"])
    assert all(m.status == "waiting" for m in by_group["rest"])
    decided_at = services.clock.now() + timedelta(hours=24)
    assert all(m.scheduled_at >= decided_at for m in by_group["rest"])


def test_the_winner_by_orders_goes_to_the_rest(api_a, services):
    cid, planned = _ab_campaign(api_a, services)
    sample_sent_with_an_order_in_b(api_a, services, cid, planned)
    services.clock.advance(timedelta(hours=23))
    assert decide_due(services.db, services.clock) == 0  # not yet: 24 hours from the launch
    services.clock.advance(timedelta(hours=2))
    assert decide_due(services.db, services.clock) == 1
    rest = [m for m in messages(services, cid) if m.variant == "rest"]
    assert rest and all(m.status == "scheduled" and m.subject.startswith("B for") for m in rest)
    assert all(m.scheduled_at > services.clock.now() - timedelta(minutes=1) for m in rest)
    ab = api_a.get(f"/campaigns/{cid}/results").get_json()["ab"]
    assert ab["decided"]["winner"] == "b" and ab["groups"]["b"]["orders"] == 1
    assert decide_due(services.db, services.clock) == 0  # decided once


def test_a_relaunch_after_the_decision_gives_new_buyers_in_the_rest_the_winner(api_a, services):
    cid, _ = _ab_campaign(api_a, services, n=4)
    services.clock.advance(timedelta(hours=25))
    decide_due(services.db, services.clock)  # nothing sent: A wins the tie
    newcomers = [add_buyer(api_a, f"Late {i}", "US") for i in range(30)]
    launch(api_a, cid)
    late = [m for m in messages(services, cid) if m.buyer_id in newcomers and m.variant == "rest"]
    assert late and all(m.status == "scheduled" and m.subject.startswith("A for") for m in late)


def test_a_test_by_opens_needs_tracking_on(api_a):
    add_buyer(api_a, "Amy", "US")
    r = api_a.post("/campaigns", {"name": "x", "kind": "announcement", "audience": {}, "confirm_all": True,
                                  "content": content(), "ab": {**AB, "metric": "opens"}})
    assert r.status_code == 422 and "ab.metric" in r.get_json()["error"]["fields"]


def test_the_second_subject_needs_the_sellers_language(api_a):
    r = api_a.post("/campaigns", {"name": "x", "kind": "announcement", "audience": {}, "confirm_all": True,
                                  "content": content(), "ab": {**AB, "subject_b": {"de": "B"}}})
    assert r.status_code == 422 and "ab.subject_b" in r.get_json()["error"]["fields"]
