"""The public preference page behind unsubscribe links."""
import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from crossborder_crm.outbox.models import Suppression
from crossborder_crm.outbox.unsubscribe import make_unsubscribe_token
from tests.outbox.helpers import new_buyer
from tests.panel.html import Page

OURS = {"Origin": "http://localhost"}
ELSEWHERE = {"Origin": "https://evil.example"}


def _token(services, seller, buyer):
    return make_unsubscribe_token(services.settings["SECRET_KEY"], seller.seller_id, buyer["id"], 7)


def _form(client, token) -> dict:
    """The hidden fields of the preference page's form, as a browser would post them."""
    page = Page(client.get(f"/u/{token}").data)
    return {n.attrs["name"]: n.attrs["value"] for n in page.all("input", type="hidden")}


def _suppressed(services):
    with services.db.reading() as s:
        return s.scalars(select(Suppression.email)).all()


def _consent(api, buyer):
    return api.get(f"/buyers/{buyer['id']}").get_json()["consent"]["status"]


def test_preference_page_offers_to_unsubscribe(client, api_a, services, seller_a):
    buyer = new_buyer(api_a)
    r = client.get(f"/u/{_token(services, seller_a, buyer)}")
    # The buyer is Spanish: the button is in the buyer's language.
    assert r.status_code == 200 and b"Shop A" in r.data and "Darse de baja".encode() in r.data


def test_preference_page_shows_the_address_masked(client, api_a, services, seller_a):
    buyer = new_buyer(api_a)
    page = Page(client.get(f"/u/{_token(services, seller_a, buyer)}").data)
    assert page.text("email") == "l***@example.es"
    assert "lucia@" not in page.text()


def test_form_unsubscribe_then_resubscribe(client, api_a, services, seller_a):
    buyer = new_buyer(api_a)
    token = _token(services, seller_a, buyer)
    assert client.post(f"/u/{token}", data=_form(client, token), headers=OURS).status_code == 200
    assert _suppressed(services) == ["lucia@example.es"]
    r = client.post(f"/u/{token}", data=_form(client, token), headers=OURS)
    assert r.status_code == 200
    assert _suppressed(services) == []
    assert _consent(api_a, buyer) == "granted"


def test_form_post_without_the_form_token_is_refused_and_changes_nothing(client, api_a, services, seller_a):
    buyer = new_buyer(api_a)
    token = _token(services, seller_a, buyer)
    r = client.post(f"/u/{token}", data={"action": "unsubscribe"}, headers=OURS)
    assert r.status_code == 403
    assert _suppressed(services) == [] and _consent(api_a, buyer) == "unknown"


def test_form_token_of_another_link_is_refused(client, api_a, services, seller_a):
    buyer, other = new_buyer(api_a), new_buyer(api_a, email="jo@example.com")
    fields = _form(client, _token(services, seller_a, other))
    r = client.post(f"/u/{_token(services, seller_a, buyer)}", data=fields, headers=OURS)
    assert r.status_code == 403 and _suppressed(services) == []


def test_cross_site_post_can_unsubscribe_but_never_resubscribe(app, client, api_a, services, seller_a):
    buyer = new_buyer(api_a)
    token = _token(services, seller_a, buyer)
    elsewhere = app.test_client(use_cookies=False)
    assert elsewhere.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"}, headers=ELSEWHERE).status_code == 200
    fields = _form(client, token)  # even with the right form token, taken from our page
    assert fields["action"] == "resubscribe"
    r = elsewhere.post(f"/u/{token}", data=fields, headers=ELSEWHERE)
    assert r.status_code == 403
    assert _suppressed(services) == ["lucia@example.es"] and _consent(api_a, buyer) == "withdrawn"


@pytest.mark.parametrize("headers", [{}, {"Origin": "null"}, {"Referer": "https://evil.example/u/x"},
                                     {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site"}],
                         ids=["no-origin", "null-origin", "foreign-referer", "cross-site-fetch"])
def test_resubscribe_needs_the_browser_to_say_it_came_from_our_page(client, api_a, services, seller_a, headers):
    buyer = new_buyer(api_a)
    token = _token(services, seller_a, buyer)
    client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    r = client.post(f"/u/{token}", data=_form(client, token), headers=headers)
    assert r.status_code == 403 and _consent(api_a, buyer) == "withdrawn"
    # the same form, with our page as the Referer (a browser that sends no Origin), is accepted
    r = client.post(f"/u/{token}", data=_form(client, token), headers={"Referer": f"http://localhost/u/{token}"})
    assert r.status_code == 200 and _consent(api_a, buyer) == "granted"


def test_tampered_token_is_refused_and_changes_nothing(client, api_a, services, seller_a):
    buyer = new_buyer(api_a)
    token = _token(services, seller_a, buyer)
    r = client.post(f"/u/{token[:-2]}xx", data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 400
    assert _suppressed(services) == []


def test_one_click_needs_no_cookie_and_does_not_redirect(app, api_a, services, seller_a):
    buyer = new_buyer(api_a)
    fresh = app.test_client(use_cookies=False)
    r = fresh.post(f"/u/{_token(services, seller_a, buyer)}", data="List-Unsubscribe=One-Click",
                   content_type="application/x-www-form-urlencoded")
    assert r.status_code == 200 and "Location" not in r.headers


def test_version_1_link_from_an_old_mail_unsubscribes_the_stored_address(client, api_a, services, seller_a):
    buyer = new_buyer(api_a)
    legacy = URLSafeSerializer(services.settings["SECRET_KEY"], salt="unsubscribe").dumps(
        [1, seller_a.seller_id, buyer["id"], "someone-else@example.org", 7])
    r = client.post(f"/u/{legacy}", data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and b"someone-else" not in r.data
    assert _suppressed(services) == ["lucia@example.es"] and _consent(api_a, buyer) == "withdrawn"


@pytest.mark.parametrize("path", ["/u/{token}", "/u/not-a-token"])
def test_pages_cannot_be_framed_sniffed_or_cached(client, api_a, services, seller_a, path):
    buyer = new_buyer(api_a)
    r = client.get(path.format(token=_token(services, seller_a, buyer)))
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert (r.headers["X-Frame-Options"], r.headers["X-Content-Type-Options"]) == ("DENY", "nosniff")
    assert r.headers["Referrer-Policy"] == "same-origin" and r.headers["Cache-Control"] == "no-store"


def test_page_style_is_a_file_the_policy_allows_not_inline(client, api_a, services, seller_a):
    buyer = new_buyer(api_a)
    r = client.get(f"/u/{_token(services, seller_a, buyer)}")
    assert "style-src 'self'" in r.headers["Content-Security-Policy"] and b"<style" not in r.data
    [sheet] = [n.attrs["href"] for n in Page(r.data).all("link", rel="stylesheet")]
    css = client.get(sheet)
    assert css.status_code == 200 and b"max-width:460px" in css.data


def _html(page: Page) -> dict:
    """The attributes of the page's <html> element."""
    return page.all("html")[0].attrs


def test_preference_page_is_wholly_in_the_buyers_language(client, api_a, services, seller_a):
    buyer = new_buyer(api_a, email="hans@example.de", country="DE", language="de", timezone="Europe/Berlin")
    page = Page(client.get(f"/u/{_token(services, seller_a, buyer)}").data)
    assert _html(page)["lang"] == "de"
    for english in ("Email preferences", "Email address:", "Stop receiving news and offers"):
        assert english not in page.text()


def test_a_broken_link_page_follows_the_browsers_language(client):
    r = client.get("/u/not-a-token", headers={"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"})
    page = Page(r.data)
    assert r.status_code == 400 and _html(page)["lang"] == "ja"
    assert "This link is not valid" not in page.text()


def test_a_broken_link_page_is_english_for_a_browser_asking_for_a_language_we_lack(client):
    r = client.get("/u/not-a-token", headers={"Accept-Language": "fi"})
    assert r.status_code == 400 and "This link is not valid" in Page(r.data).text()


def test_a_refused_request_answers_in_the_buyers_language_right_to_left(client, api_a, services, seller_a):
    buyer = new_buyer(api_a, email="amal@example.ae", country="AE", language="ar", timezone="Asia/Dubai")
    r = client.post(f"/u/{_token(services, seller_a, buyer)}", data={"action": "unsubscribe"}, headers=OURS)
    page = Page(r.data)
    assert r.status_code == 403 and _html(page)["dir"] == "rtl"
    assert "This request was not accepted" not in page.text()
