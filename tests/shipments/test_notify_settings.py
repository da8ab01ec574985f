"""A seller's buyer-notification choices: checked, stored, read back with the defaults, used by the rules."""
from __future__ import annotations

import pytest

from crossborder_crm.errors import ValidationFailed
from crossborder_crm.shipments.notify_settings import load_notify_settings, save_notify_settings
from crossborder_crm.shipments.settings import DEFAULT_NOTIFY


def test_a_seller_who_never_chose_gets_the_defaults(services, seller_a):
    chosen = load_notify_settings(services.db, seller_a.seller_id)
    assert chosen.notify == frozenset(DEFAULT_NOTIFY) and chosen.delay_notices and chosen.follow_up
    assert chosen.help_url is None


def test_saved_choices_are_read_back(services, seller_a):
    save_notify_settings(services.db, seller_a.seller_id, {"notify": ["delivered", "in_transit"],
                                                           "delay_notices": False, "follow_up": True,
                                                           "help_url": "https://shop.example/help"})
    chosen = load_notify_settings(services.db, seller_a.seller_id)
    assert chosen.notify == {"in_transit", "delivered"} and not chosen.delay_notices
    assert chosen.help_url == "https://shop.example/help"


def test_choosing_no_milestone_is_allowed_and_silences_them(services, seller_a):
    save_notify_settings(services.db, seller_a.seller_id, {"notify": [], "delay_notices": True})
    assert load_notify_settings(services.db, seller_a.seller_id).notify == frozenset()


@pytest.mark.parametrize("data, field", [
    ({"notify": ["teleported"]}, "notify"),
    ({"notify": [], "help_url": "javascript:alert(1)"}, "help_url"),
    ({"notify": [], "help_url": "https://" + "a" * 500}, "help_url"),
    ({"notify": [], "help_url": "https://shop.example/a b"}, "help_url"),
])
def test_a_bad_field_is_named_and_nothing_changes(services, seller_a, data, field):
    save_notify_settings(services.db, seller_a.seller_id, {"notify": ["delivered"]})
    with pytest.raises(ValidationFailed) as caught:
        save_notify_settings(services.db, seller_a.seller_id, data)
    assert list(caught.value.fields) == [field]
    assert load_notify_settings(services.db, seller_a.seller_id).notify == {"delivered"}


def test_other_settings_of_the_seller_are_kept(services, seller_a):
    from crossborder_crm.accounts.models import Seller

    with services.db.transaction() as s:
        s.get(Seller, seller_a.seller_id).settings = {"kept": 1}
    save_notify_settings(services.db, seller_a.seller_id, {"notify": []})
    with services.db.reading() as s:
        assert s.get(Seller, seller_a.seller_id).settings["kept"] == 1
