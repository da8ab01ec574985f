"""Login throttling under pressure: parallel guesses, a growing pause per account, a limit per address."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from crossborder_crm.accounts.models import LoginThrottle
from crossborder_crm.accounts.service import create_seller
from crossborder_crm.accounts.throttle import account_key, client_key
from tests.panel.conftest import PASSWORD
from tests.panel.html import Page

OWNER = "owner@example.com"
PARALLEL = 50


def _failures(app, key: str) -> int:
    with app.extensions["crm"].db.reading() as s:
        return s.scalar(select(LoginThrottle.failures).where(LoginThrottle.key == key)) or 0


def _shop(make_app, **settings):
    app = make_app(**settings)
    svc = app.extensions["crm"]
    create_seller(svc.db, svc.clock, "Shop", OWNER, PASSWORD)
    return app


def _from(address: str) -> dict:
    return {"environ_overrides": {"REMOTE_ADDR": address}}


def _login(client, email: str, password: str = PASSWORD, **request):
    """Post the sign-in form with request options (address, headers)."""
    return client.post("/login", data={"email": email, "password": password}, **request)


def _guess_in_parallel(app, count: int = PARALLEL) -> list:
    """`count` wrong passwords for the owner at once, each from its own client and address."""
    start = threading.Barrier(count)

    def guess(i: int):
        client = app.test_client()
        start.wait()
        return _login(client, OWNER, f"guess {i}", **_from(f"198.51.100.{i + 1}"))

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(guess, range(count)))


def test_parallel_wrong_passwords_are_each_counted_once(make_app):
    app = _shop(make_app, LOGIN_SLOWDOWN_AFTER=1000)
    responses = _guess_in_parallel(app)
    assert sorted({r.status_code for r in responses}) == [200]
    assert _failures(app, account_key(OWNER)) == PARALLEL


def test_parallel_guesses_past_the_free_ones_wait_for_the_pause(make_app, clock):
    app = _shop(make_app, LOGIN_SLOWDOWN_AFTER=3)
    responses = _guess_in_parallel(app)
    checked = [r for r in responses if r.status_code == 200]
    refused = [r for r in responses if r.status_code == 429]
    assert len(checked) == 3 and len(refused) == PARALLEL - 3
    assert _failures(app, account_key(OWNER)) == len(checked)
    assert {r.headers["Retry-After"] for r in refused} == {"1"}
    client = app.test_client()
    assert _login(client, OWNER).status_code == 429
    clock.advance(timedelta(seconds=1))
    assert _login(client, OWNER).status_code == 302


def test_each_further_failure_doubles_the_pause_up_to_the_cap(make_app, clock):
    app = _shop(make_app, LOGIN_SLOWDOWN_AFTER=2, LOGIN_PAUSE_MAX_SECONDS=8)
    client = app.test_client()
    pauses = []
    for _ in range(8):
        r = _login(client, OWNER, "guess")
        if r.status_code == 429:
            pauses.append(int(r.headers["Retry-After"]))
            clock.advance(timedelta(seconds=pauses[-1]))
            r = _login(client, OWNER, "guess")
        assert r.status_code == 200
    assert pauses == [1, 2, 4, 8, 8, 8]


def test_the_right_password_starts_the_account_afresh(make_app, clock):
    app = _shop(make_app, LOGIN_SLOWDOWN_AFTER=2)
    client = app.test_client()
    _login(client, OWNER, "guess")
    assert _login(client, OWNER).status_code == 302
    assert _failures(app, account_key(OWNER)) == 0


def test_an_address_is_refused_after_its_failure_limit_and_successes_do_not_count(make_app, clock):
    app = _shop(make_app, LOGIN_CLIENT_LOCKOUT_AFTER=5, LOGIN_CLIENT_LOCKOUT_SECONDS=900)
    attacker = _from("203.0.113.7")
    for i in range(4):  # one guess per account, so no account pause gets in the way
        assert _login(app.test_client(), f"user{i}@example.com", "guess", **attacker).status_code == 200
    for _ in range(2):  # the owner signs in from the same address (an office behind one NAT)
        assert _login(app.test_client(), OWNER, **attacker).status_code == 302
    assert _login(app.test_client(), "user4@example.com", "guess", **attacker).status_code == 200
    r = _login(app.test_client(), OWNER, **attacker)
    assert r.status_code == 429 and r.headers["Retry-After"] == "900"
    assert "from your network" in Page(r.data).text("login-error")
    # Other addresses are not affected...
    assert _login(app.test_client(), OWNER, **_from("192.0.2.1")).status_code == 302
    # ...and the address is let in again after the lockout.
    clock.advance(timedelta(seconds=900))
    assert _login(app.test_client(), OWNER, **attacker).status_code == 302


def test_x_forwarded_for_is_ignored_without_trusted_proxies(make_app):
    app = _shop(make_app, LOGIN_CLIENT_LOCKOUT_AFTER=2)
    for i in range(2):
        _login(app.test_client(), f"user{i}@example.com", "guess",
               headers={"X-Forwarded-For": f"192.0.2.{i}"})
    r = _login(app.test_client(), OWNER, headers={"X-Forwarded-For": "192.0.2.99"})
    assert r.status_code == 429
    assert _failures(app, client_key("127.0.0.1")) == 2


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(make_app):
    app = _shop(make_app, LOGIN_CLIENT_LOCKOUT_AFTER=2, TRUSTED_PROXIES=1)
    for i in range(2):
        _login(app.test_client(), f"user{i}@example.com", "guess",
               headers={"X-Forwarded-For": "192.0.2.50"})
    assert _failures(app, client_key("192.0.2.50")) == 2
    assert _login(app.test_client(), OWNER, headers={"X-Forwarded-For": "192.0.2.50"}).status_code == 429
    assert _login(app.test_client(), OWNER, headers={"X-Forwarded-For": "192.0.2.51"}).status_code == 302


@pytest.mark.parametrize("email", ["x" * 5000 + "@example.com", "ünïcode@例え.jp"])
def test_any_typed_email_is_throttled_without_an_error(make_app, email):
    app = _shop(make_app, LOGIN_SLOWDOWN_AFTER=1)
    assert _login(app.test_client(), email, "guess").status_code == 200
    assert _login(app.test_client(), email, "guess").status_code == 429
