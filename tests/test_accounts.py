"""Sellers and access: hashed tokens, rotation, login throttling."""
from datetime import timedelta

from sqlalchemy import select

from crossborder_crm.accounts.models import ApiToken, User
from crossborder_crm.accounts.service import check_login, rotate_api_token, seller_for_token


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


def test_failed_logins_slow_down_then_lock(services, seller_a, clock):
    results = [check_login(services.db, clock, seller_a.user_email, "wrong", slowdown_after=3, lockout_after=5,
                           lockout_seconds=600) for _ in range(5)]
    assert results[0].delay == 0 and results[3].delay > 0
    assert results[4].locked
    # Even the right password is refused while locked...
    assert check_login(services.db, clock, seller_a.user_email, "correct horse 1").locked
    clock.advance(timedelta(seconds=601))
    # ...and accepted after the lock expires.
    assert check_login(services.db, clock, seller_a.user_email, "correct horse 1").user_id is not None
