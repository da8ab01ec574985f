"""The pure parts of the panel: form parsing, error placement, the page trail, safe redirects."""
from __future__ import annotations

import pytest

from crossborder_crm.panel.forms import place_errors, split_tags, update_from_form
from crossborder_crm.panel.paging import Trail

FORM = {"name": " Ana ", "email": "", "phone": "", "country": "pt", "region": "", "city": "Porto",
        "postal_code": "", "timezone": "", "language": "", "tags": "a, b", "notes": "  ",
        "consent_status": "unknown", "consent_status_was": "unknown"}


def test_update_from_form_clears_empty_fields_and_leaves_consent_alone():
    data = update_from_form(FORM)
    assert data["name"] == "Ana" and data["country"] == "PT" and data["city"] == "Porto"
    assert data["email"] is None and data["timezone"] is None and data["notes"] is None
    assert data["tags"] == ["a", "b"]
    assert "consent" not in data


def test_update_from_form_sends_a_changed_consent_with_its_source():
    data = update_from_form({**FORM, "consent_status": "granted"})
    assert data["consent"] == {"status": "granted", "source": "panel"}


def test_split_tags():
    assert split_tags("vip,, repeat\nwholesale; x ") == ["vip", "repeat", "wholesale", "x"]
    assert split_tags("") == []


def test_place_errors_puts_each_message_by_its_field():
    fields, general = place_errors({
        "consent.status": "bad", "tags.3": "too long", "body": "phone: not possible",
        "email": "taken", "marketplace": "odd"})
    assert fields == {"consent_status": "bad", "tags": "too long", "phone": "not possible",
                      "email": "taken"}
    assert general == ["odd"]


def test_trail_round_trip():
    t = Trail.parse(None)
    assert not t and t.top() is None
    t = t.push(None).push("abc")
    assert t.encode() == "_.abc" and len(t) == 2
    assert t.top() == "abc" and t.pop().top() is None
    assert Trail.parse("_.abc.") == t


def test_trail_is_bounded():
    t = Trail()
    for i in range(80):
        t = t.push(f"c{i}")
    assert len(t) == 50 and t.top() == "c79"


@pytest.mark.parametrize("target,expected", [
    ("/buyers?q=a", "/buyers?q=a"), (None, "/"), ("", "/"), ("https://x.example/", "/"),
    ("//x.example", "/"), ("/\\x.example", "/"), ("buyers", "/"), ("javascript:alert(1)", "/")])
def test_safe_next(app, target, expected):
    from crossborder_crm.panel.auth import safe_next

    with app.test_request_context():
        assert safe_next(target) == expected
