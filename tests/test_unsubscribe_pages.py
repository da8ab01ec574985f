"""The public preference page behind unsubscribe links."""
from sqlalchemy import select

from crossborder_crm.outbox.models import Suppression
from crossborder_crm.outbox.unsubscribe import make_unsubscribe_token
from tests.outbox.helpers import new_buyer


def _token(services, seller, buyer):
    return make_unsubscribe_token(services.settings["SECRET_KEY"], seller.seller_id, buyer["id"], buyer["email"], 7)


def test_preference_page_offers_to_unsubscribe(client, api_a, services, seller_a):
    buyer = new_buyer(api_a)
    r = client.get(f"/u/{_token(services, seller_a, buyer)}")
    assert r.status_code == 200 and b"Shop A" in r.data and b"lucia@example.es" in r.data


def test_form_unsubscribe_then_resubscribe(client, api_a, services, seller_a):
    buyer = new_buyer(api_a)
    token = _token(services, seller_a, buyer)
    assert client.post(f"/u/{token}", data={"action": "unsubscribe"}).status_code == 200
    with services.db.reading() as s:
        assert s.scalar(select(Suppression.reason)) == "unsubscribe"
    r = client.post(f"/u/{token}", data={"action": "resubscribe"})
    assert r.status_code == 200
    with services.db.reading() as s:
        assert s.scalar(select(Suppression.id)) is None
    assert api_a.get(f"/buyers/{buyer['id']}").get_json()["consent"]["status"] == "granted"


def test_tampered_token_is_refused_and_changes_nothing(client, api_a, services, seller_a):
    buyer = new_buyer(api_a)
    token = _token(services, seller_a, buyer)
    r = client.post(f"/u/{token[:-2]}xx", data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 400
    with services.db.reading() as s:
        assert s.scalar(select(Suppression.id)) is None


def test_one_click_needs_no_cookie_and_does_not_redirect(app, api_a, services, seller_a):
    buyer = new_buyer(api_a)
    fresh = app.test_client(use_cookies=False)
    r = fresh.post(f"/u/{_token(services, seller_a, buyer)}", data="List-Unsubscribe=One-Click",
                   content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200 and "Location" not in r.headers
