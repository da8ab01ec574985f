"""Signing in and out, cookies, login throttling, CSRF, language choice, access control."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from crossborder_crm.accounts.models import User
from crossborder_crm.accounts.service import create_seller
from tests.panel.conftest import PASSWORD, login
from tests.panel.html import Page

PRIVATE_PAGES = ["/", "/buyers", "/buyers/1", "/buyers/1/edit", "/outbox", "/shipments",
                 "/campaigns", "/inbox", "/settings"]


@pytest.mark.parametrize("path", PRIVATE_PAGES)
def test_private_pages_send_anonymous_visitors_to_sign_in(client, path):
    r = client.get(path)
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login?next=")


def test_login_page_renders_a_form(client):
    r = client.get("/login")
    page = Page(r.data)
    assert r.status_code == 200
    assert page.attr("email", "type") == "email" and page.attr("password", "type") == "password"
    assert "Sign in" in page.text()


def test_good_login_sets_a_hardened_session_cookie_and_opens_the_dashboard(client, seller_a):
    r = login(client, seller_a.user_email)
    assert r.status_code == 302 and r.headers["Location"] == "/"
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain http in tests and the dev server
    page = client.get("/")
    assert page.status_code == 200
    assert "Shop A" in Page(page.data).text()


def test_email_is_matched_case_insensitively(client, seller_a):
    assert login(client, "  OWNER-A@Example.com ").status_code == 302


def test_production_cookies_are_secure(make_app, services, seller_a):
    app = make_app("production", SECRET_KEY="a-long-production-secret-for-the-test", PUBLIC_URL="https://crm.example.com")
    r = login(app.test_client(), seller_a.user_email)
    cookie = next(c for c in r.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("email,password", [("owner-a@example.com", "wrong password"),
                                            ("nobody@example.com", PASSWORD)])
def test_wrong_credentials_get_one_message_and_no_session(client, seller_a, email, password):
    r = login(client, email, password)
    assert r.status_code == 200
    assert Page(r.data).text("login-error") == "Wrong email or password."
    assert client.get("/").status_code == 302


def test_next_goes_back_to_the_page_asked_for(client, seller_a):
    r = client.get("/buyers?country=ES")
    target = r.headers["Location"]
    form_next = Page(client.get(target).data).all("input", name="next")[0].attrs["value"]
    assert form_next == "/buyers?country=ES"
    r = login(client, seller_a.user_email, next=form_next)
    assert r.headers["Location"] == "/buyers?country=ES"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)"])
def test_next_never_leaves_the_site(client, seller_a, target):
    r = login(client, seller_a.user_email, next=target)
    assert r.headers["Location"] == "/"


def test_failed_logins_pause_the_account_then_the_right_password_gets_in(make_app, clock):
    app = make_app(LOGIN_SLOWDOWN_AFTER=2)
    svc = app.extensions["crm"]
    create_seller(svc.db, svc.clock, "Shop", "owner@example.com", PASSWORD)
    client = app.test_client()
    for _ in range(2):
        assert login(client, "owner@example.com", "guess").status_code == 200
    r = login(client, "owner@example.com", "guess")
    assert r.status_code == 429
    assert r.headers["Retry-After"] == "1"
    assert Page(r.data).text("login-error") == ("Too many failed sign-in attempts for this account. "
                                                "Wait 1 second before trying again.")
    # Even the right password is not checked during the pause...
    assert login(client, "owner@example.com", PASSWORD).status_code == 429
    assert client.get("/").status_code == 302
    # ...and is accepted once it has passed.
    clock.advance(timedelta(seconds=1))
    assert login(client, "owner@example.com", PASSWORD).status_code == 302


def test_account_pause_message_is_translated(make_app):
    app = make_app(LOGIN_SLOWDOWN_AFTER=1)
    client = app.test_client()
    login(client, "owner@example.com", "x")
    r = client.post("/login", data={"email": "owner@example.com", "password": "x"},
                    headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert r.status_code == 429
    assert Page(r.data).text("login-error") == "此账号登录失败次数过多，请等待 1 秒后再试。"


def test_client_lockout_message_is_translated(make_app):
    app = make_app(LOGIN_CLIENT_LOCKOUT_AFTER=1, LOGIN_CLIENT_LOCKOUT_SECONDS=600)
    client = app.test_client()
    login(client, "owner@example.com", "x")
    r = client.post("/login", data={"email": "other@example.com", "password": "x"},
                    headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert r.status_code == 429
    assert Page(r.data).text("login-error") == "来自您网络的登录失败次数过多，请在 10 分钟后重试。"


def test_logout_is_a_post_and_ends_the_session(panel_a):
    assert panel_a.get("/logout").status_code == 405
    r = panel_a.post("/logout")
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert "You have signed out." in Page(panel_a.get("/login").data).text()
    assert panel_a.get("/").status_code == 302


def test_a_deleted_user_is_signed_out(panel_a, services, seller_a):
    with services.db.transaction() as s:
        s.delete(s.scalar(select(User).where(User.email == seller_a.user_email)))
    assert panel_a.get("/").status_code == 302


def test_panel_pages_send_security_headers(panel_a):
    r = panel_a.get("/")
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Cache-Control"] == "no-store"


def test_static_files_are_served_locally(client):
    r = client.get("/panel-static/pico.min.css")
    assert r.status_code == 200
    assert b"Pico CSS" in r.data[:200] and b"Licensed under MIT" in r.data[:200]
    assert client.get("/panel-static/app.css").status_code == 200


def test_pages_reference_no_external_assets(panel_a, shop_a):
    for path in ("/", "/buyers", f"/buyers/{shop_a['lucia'].id}", "/login"):
        html = panel_a.get(path).data.decode()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), path


# --------------------------------------------------------------------------- CSRF

def _token(html: bytes) -> str:
    return Page(html).all("input", name="csrf_token")[0].attrs["value"]


def test_csrf_refuses_a_post_without_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    svc = app.extensions["crm"]
    create_seller(svc.db, svc.clock, "Shop", "owner@example.com", PASSWORD)
    client = app.test_client()
    r = login(client, "owner@example.com")
    assert r.status_code == 400
    assert "This form could not be accepted" in Page(r.data).text()
    assert client.get("/").status_code == 302  # not signed in
    # With the token from the form, the same post works.
    token = _token(client.get("/login").data)
    assert login(client, "owner@example.com", csrf_token=token).status_code == 302
    # Signed in, a state-changing post without the token is still refused.
    r = client.post("/settings/language", data={"locale": "zh_CN"})
    assert r.status_code == 400
    with svc.db.reading() as s:
        assert s.scalar(select(User.locale).where(User.email == "owner@example.com")) is None
    token = _token(client.get("/settings").data)
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 400
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_csrf_does_not_get_in_the_way_of_the_api(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    svc = app.extensions["crm"]
    seller = create_seller(svc.db, svc.clock, "Shop", "owner@example.com", PASSWORD)
    r = app.test_client().post("/api/v1/buyers", json={"name": "Ana", "country": "PT"},
                               headers={"Authorization": f"Bearer {seller.api_token}"})
    assert r.status_code == 201


# --------------------------------------------------------------------------- language

def test_browser_language_picks_the_panel_language(client):
    r = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    page = Page(r.data)
    assert "登录" in page.text() and 'lang="zh-CN"' in r.data.decode()


def test_language_can_be_chosen_before_signing_in(client, seller_a):
    r = client.post("/settings/language", data={"locale": "zh_CN", "next": "/login"})
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert "密码" in Page(client.get("/login").data).text()
    login(client, seller_a.user_email)
    assert "概览" in Page(client.get("/").data).text()


def test_switching_language_is_saved_on_the_user(panel_a, app, services, seller_a):
    r = panel_a.post("/settings/language", data={"locale": "zh_CN", "next": "/buyers"})
    assert r.headers["Location"] == "/buyers"
    with services.db.reading() as s:
        assert s.scalar(select(User.locale).where(User.email == seller_a.user_email)) == "zh_CN"
    page = Page(panel_a.get("/buyers").data)
    assert "买家" in page.text() and "语言设置已保存。" in page.text()
    # A fresh session (another browser, English preferred) still gets the saved choice.
    other = app.test_client()
    login(other, seller_a.user_email)
    assert "概览" in Page(other.get("/", headers={"Accept-Language": "en"}).data).text()
    # And back to English.
    panel_a.post("/settings/language", data={"locale": "en"})
    assert "Dashboard" in Page(panel_a.get("/").data).text()


def test_unknown_language_is_refused_and_nothing_saved(panel_a, services, seller_a):
    r = panel_a.post("/settings/language", data={"locale": "xx", "next": "/settings"})
    assert r.status_code == 302
    assert "That language is not available." in Page(panel_a.get("/settings").data).text()
    with services.db.reading() as s:
        assert s.scalar(select(User.locale).where(User.email == seller_a.user_email)) is None


# --------------------------------------------------------------------------- navigation

def test_every_navigation_link_works(panel_a):
    page = Page(panel_a.get("/").data)
    nav = [a.attrs["href"] for a in page.all("a") if a.parent.tag == "li"
           and a.parent.parent.parent.tag == "nav" and a.parent.parent.parent.attrs.get("aria-label")]
    assert nav == ["/", "/buyers", "/outbox", "/shipments", "/campaigns", "/inbox", "/settings"]
    for href in nav:
        assert panel_a.get(href).status_code == 200, href


def test_the_campaigns_page_lists_the_holidays_ahead_for_the_sellers_buyers(panel_a, shop_a):
    page = Page(panel_a.get("/campaigns").data)
    assert "Campaigns" in page.text() and page.find("holidays-table") is not None
    current = [a for a in page.all("a") if a.attrs.get("aria-current") == "page"]
    assert [a.attrs["href"] for a in current] == ["/campaigns"]


def test_settings_page_shows_the_account(panel_a, seller_a):
    text = Page(panel_a.get("/settings").data).text()
    assert "Shop A" in text and seller_a.user_email in text and "Asia/Shanghai" in text
