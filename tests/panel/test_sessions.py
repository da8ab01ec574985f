"""Sessions that end: a session cookie stops working on sign-out and on API token rotation."""
from __future__ import annotations

from sqlalchemy import select

from crossborder_crm.accounts.models import User
from crossborder_crm.accounts.service import add_user, end_sessions
from tests.panel.conftest import PASSWORD, login


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _browser_with(app, cookie: str):
    """Another browser, replaying a captured session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def _is_signed_in(client) -> bool:
    return client.get("/shipments").status_code == 200


def test_a_cookie_captured_before_sign_out_is_refused_after_it(app, panel_a):
    captured = _cookie(panel_a)
    panel_a.post("/logout")
    r = _browser_with(app, captured).get("/")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_signing_out_ends_the_users_sessions_in_other_browsers_until_they_sign_in_again(app, panel_a, seller_a):
    laptop = app.test_client()
    login(laptop, seller_a.user_email)
    panel_a.post("/logout")
    assert not _is_signed_in(laptop)
    assert login(laptop, seller_a.user_email).status_code == 302
    assert _is_signed_in(laptop)


def test_rotating_the_api_token_ends_the_sellers_other_sessions(app, panel_a, panel_b, services, seller_a):
    colleague = app.test_client()
    add_user(services.db, services.clock, seller_a.seller_id, "colleague@example.com", PASSWORD)
    login(colleague, "colleague@example.com")
    captured = _cookie(panel_a)
    r = panel_a.post("/settings/api-token")
    assert r.status_code == 200
    assert not _is_signed_in(_browser_with(app, captured))
    assert not _is_signed_in(colleague)
    # The browser that rotated stays signed in, with its fresh cookie; other sellers are untouched.
    assert _is_signed_in(panel_a)
    assert _is_signed_in(panel_b)


def test_ending_sessions_signs_the_user_out_on_the_next_request(panel_a, services, seller_a):
    with services.db.reading() as s:
        user_id = s.scalar(select(User.id).where(User.email == seller_a.user_email))
    end_sessions(services.db, user_id)
    assert not _is_signed_in(panel_a)


def test_a_session_without_a_generation_is_refused(app, seller_a, services):
    with services.db.reading() as s:
        user_id = s.scalar(select(User.id).where(User.email == seller_a.user_email))
    # What a cookie issued before sessions carried a generation looks like.
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.dumps({"_user_id": str(user_id), "_fresh": True})
    assert not _is_signed_in(_browser_with(app, cookie))

