"""Sellers and access: hashed tokens, rotation, login throttling."""
from datetime import timedelta

from sqlalchemy import select

from crossborder_crm.accounts.models import ApiToken, User
from crossborder_crm.accounts.service import check_login, rotate_api_token, seller_for_token
from crossborder_crm.accounts.throttle import LoginPolicy


def test_api_token_is_stored_hashed(services, seller_a):
    with services.db.reading() as s:
        stored = s.scalar(select(ApiToken.token_hash))
    assert seller_a.api_token not in stored and len(stored) == 64


def test_password_is_hashed_with_a_modern_kdf(services, seller_a):
    with services.db.reading() as s:
        assert s.scalar(select(User.password_hash)).startswith(("scrypt:", "pbkdf2:"))


def test_rotating_the_token_revokes_the_old_one(services, seller_a):
    new = rotate_api_token(services.db, services.clock, seller_a.seller_id)
    assert seller_for_token(services.db, seller_a.api_token) is None
    assert seller_for_token(services.db, new) == seller_a.seller_id


def test_failed_logins_pause_the_account_then_let_the_right_password_in(services, seller_a, clock):
    policy = LoginPolicy(slowdown_after=3)
    results = [check_login(services.db, clock, seller_a.user_email, "wrong", policy=policy) for _ in range(4)]
    assert [r.locked for r in results] == [False, False, False, True]
    assert results[3].retry_after == 1
    # Even the right password is refused during the pause...
    assert check_login(services.db, clock, seller_a.user_email, "correct horse 1", policy=policy).locked
    clock.advance(timedelta(seconds=1))
    # ...and accepted once it has passed.
    assert check_login(services.db, clock, seller_a.user_email, "correct horse 1",
                       policy=policy).user_id is not None
