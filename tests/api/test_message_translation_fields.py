"""The API's side of translated written messages: the `translate` option documented from the
validating schema, and the translation fields on every message."""
from __future__ import annotations

from tests.outbox.helpers import new_buyer, schedule


def test_the_openapi_document_describes_the_translate_option(client):
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]["MessageCreate"]
    option = schema["properties"]["translate"]
    assert option["type"] == "boolean" and option["default"] is True
    assert "translation_note" in option["description"]
    assert "translate" not in schema.get("required", [])


def test_every_message_carries_the_translation_fields_null_when_nothing_was_to_translate(api_a):
    buyer = new_buyer(api_a, name="Amy", email="amy@example.com", country="US")  # English, like the seller
    created = schedule(api_a, buyer["id"])
    listed = api_a.get("/messages").get_json()["items"][0]
    for body in (created, listed, api_a.get(f"/messages/{created['id']}").get_json()):
        assert (body["original_subject"], body["original_body"], body["translation_note"]) == (None, None, None)
