"""A seller's remedy policy: the defaults, changed and checked field by field."""
from __future__ import annotations

import pytest

from crossborder_crm.errors import ValidationFailed
from crossborder_crm.replies.policy_service import load_policy, save_policy
from crossborder_crm.replies.remedy import DEFAULT_RULES


def test_a_seller_without_changes_has_the_defaults(services, seller_a):
    policy = load_policy(services.db, seller_a.seller_id)
    assert policy.rules == DEFAULT_RULES and policy.sla_hours == 24


def test_saved_changes_apply_on_top_of_the_defaults(services, seller_a):
    save_policy(services.db, services.clock, seller_a.seller_id,
                {"rules": {"poor_quality": ["refund_full", "return"]}, "sla_hours": "12"})
    policy = load_policy(services.db, seller_a.seller_id)
    assert policy.rules["poor_quality"] == ("refund_full", "return") and policy.sla_hours == 12
    assert policy.rules["damaged"] == DEFAULT_RULES["damaged"]


def test_an_unknown_remedy_is_refused_naming_the_rule_and_nothing_is_stored(services, seller_a):
    with pytest.raises(ValidationFailed) as err:
        save_policy(services.db, services.clock, seller_a.seller_id,
                    {"rules": {"damaged": ["reship", "pray"]}, "sla_hours": 12})
    assert list(err.value.fields) == ["rules.damaged.high"]
    assert load_policy(services.db, seller_a.seller_id).sla_hours == 24


def test_a_number_out_of_range_is_refused_naming_it(services, seller_a):
    with pytest.raises(ValidationFailed) as err:
        save_policy(services.db, services.clock, seller_a.seller_id, {"partial_refund_percent": 150})
    assert "partial_refund_percent" in err.value.fields


def test_waiting_is_not_a_rule_a_seller_picks(services, seller_a):
    with pytest.raises(ValidationFailed) as err:
        save_policy(services.db, services.clock, seller_a.seller_id, {"rules": {"damaged": ["wait", "reship"]}})
    assert "rules.damaged.low" in err.value.fields


def test_each_seller_has_their_own_policy(services, seller_a, seller_b):
    save_policy(services.db, services.clock, seller_a.seller_id, {"sla_hours": 6})
    assert load_policy(services.db, seller_b.seller_id).sla_hours == 24
