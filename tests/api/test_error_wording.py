"""API errors in the caller's terms: the field by its JSON name, the reason without pydantic's jargon."""
from __future__ import annotations

import json

import pytest

from tests.outbox.helpers import new_buyer


def _fields(response) -> dict:
    return response.get_json()["error"]["fields"]


@pytest.mark.parametrize("value, reason", [
    ("abc", "expected a whole number"),
    (None, "expected a whole number"),
])
def test_a_non_numeric_buyer_id_is_named_as_a_whole_number_expected(api_a, value, reason):
    r = api_a.post("/messages", {"buyer_id": value, "subject": "Hi", "body": "x"})
    assert r.status_code == 422
    assert _fields(r) == {"buyer_id": reason}


def test_an_empty_subject_must_not_be_empty(api_a):
    buyer = new_buyer(api_a)
    r = api_a.post("/messages", {"buyer_id": buyer["id"], "subject": "", "body": "x"})
    assert _fields(r)["subject"] == "must not be empty"


def test_a_missing_field_is_required(api_a):
    r = api_a.post("/buyers", {"name": "Ana"})
    assert _fields(r)["country"] == "is required"
    assert r.get_json()["error"]["message"] == "invalid buyer: country: is required"


def test_a_choice_outside_the_list_names_the_choices(api_a):
    r = api_a.post("/buyers", {"name": "Ana", "country": "ES", "consent": {"status": "maybe"}})
    assert _fields(r)["consent.status"] == "must be one of: unknown, granted, denied, withdrawn"


def test_a_time_without_offset_names_send_at_and_says_why(api_a):
    buyer = new_buyer(api_a)
    r = api_a.post("/messages", {"buyer_id": buyer["id"], "subject": "Hi", "body": "x",
                                 "send_at": "2026-12-05T10:00:00"})
    assert r.status_code == 422
    assert list(_fields(r)) == ["send_at"]
    assert "offset" in _fields(r)["send_at"] and "function-after" not in r.get_data(as_text=True)


def test_json_without_content_type_is_415_naming_the_header(api_a):
    buyer = new_buyer(api_a)
    r = api_a.post("/messages", data=json.dumps({"buyer_id": buyer["id"], "subject": "Hi", "body": "x"}))
    assert r.status_code == 415
    err = r.get_json()["error"]
    assert err["code"] == "unsupported_media_type"
    assert err["fields"] == {"Content-Type": "expected application/json"}
    assert "empty" not in err["message"]


def test_an_empty_body_is_still_reported_as_empty(api_a):
    r = api_a.post("/messages", data=b"", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.get_json()["error"]["fields"] == {"body": "empty"}
