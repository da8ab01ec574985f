"""Use cases for sellers and their users: create, authenticate, rotate secrets, throttle logins."""
from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from crossborder_crm.accounts.models import WEBHOOK_SOURCES, ApiToken, LoginThrottle, Seller, User, WebhookSecret
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import Conflict, ValidationFailed

TOKEN_PREFIX = "crm_"


@dataclass(frozen=True)
class NewSeller:
    """What `create-seller` prints: the only time the API token is visible."""

    seller_id: int
    seller_key: str
    api_token: str
    webhook_secrets: dict[str, str]
    user_email: str

    def as_dict(self) -> dict:
        return {"seller_id": self.seller_id, "seller_key": self.seller_key,
                "api_token": self.api_token, "webhook_secrets": dict(self.webhook_secrets)}


def hash_token(token: str) -> str:
    """SHA-256 of a token: tokens are 256-bit random, so a slow KDF buys nothing here."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _check_new_user(email: str, password: str) -> str:
    fields = {}
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        fields["email"] = str(exc)
    if len(password or "") < 8:
        fields["password"] = "must be at least 8 characters"
    if fields:
        raise ValidationFailed("invalid user", fields)
    return email


def create_seller(db: Database, clock: Clock, name: str, email: str, password: str,
                  default_language: str = "en", timezone: str = "Asia/Shanghai",
                  postal_address: str | None = None) -> NewSeller:
    """Create a seller, its first user, an API token and one webhook secret per source."""
    if not (name or "").strip():
        raise ValidationFailed("invalid seller", {"name": "is required"})
    email = _check_new_user(email, password)
    now = clock.now()
    token = _new_token()
    with db.transaction() as s:
        if s.scalar(select(User.id).where(User.email == email)) is not None:
            raise Conflict("a user with this email already exists", {"email": "already registered"})
        seller = Seller(key=secrets.token_hex(8), name=name.strip(), default_language=default_language,
                        timezone=timezone, from_name=name.strip(), postal_address=postal_address,
                        settings={}, created_at=now)
        s.add(seller)
        s.flush()
        s.add(User(seller_id=seller.id, email=email, password_hash=generate_password_hash(password),
                   created_at=now))
        s.add(ApiToken(seller_id=seller.id, token_hash=hash_token(token), prefix=token[:10],
                       created_at=now))
        hooks = {src: secrets.token_hex(24) for src in WEBHOOK_SOURCES}
        for src, secret in hooks.items():
            s.add(WebhookSecret(seller_id=seller.id, source=src, secret=secret, created_at=now))
        return NewSeller(seller.id, seller.key, token, hooks, email)


def add_user(db: Database, clock: Clock, seller_id: int, email: str, password: str) -> int:
    """Add another panel user to a seller."""
    email = _check_new_user(email, password)
    with db.transaction() as s:
        if s.scalar(select(User.id).where(User.email == email)) is not None:
            raise Conflict("a user with this email already exists", {"email": "already registered"})
        user = User(seller_id=seller_id, email=email, password_hash=generate_password_hash(password),
                    created_at=clock.now())
        s.add(user)
        s.flush()
        return user.id


def seller_for_token(db: Database, token: str) -> int | None:
    """The seller a bearer token belongs to, or None if unknown or revoked."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    with db.reading() as s:
        return s.scalar(select(ApiToken.seller_id).where(
            ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)))


def rotate_api_token(db: Database, clock: Clock, seller_id: int) -> str:
    """Revoke every live token of the seller and issue a new one (shown once)."""
    token = _new_token()
    now = clock.now()
    with db.transaction() as s:
        s.execute(update(ApiToken).where(ApiToken.seller_id == seller_id,
                                         ApiToken.revoked_at.is_(None)).values(revoked_at=now))
        s.add(ApiToken(seller_id=seller_id, token_hash=hash_token(token), prefix=token[:10],
                       created_at=now))
    return token


def rotate_webhook_secret(db: Database, clock: Clock, seller_id: int, source: str) -> str:
    """Replace one source's webhook secret."""
    if source not in WEBHOOK_SOURCES:
        raise ValidationFailed("unknown webhook source", {"source": f"one of {', '.join(WEBHOOK_SOURCES)}"})
    secret = secrets.token_hex(24)
    with db.transaction() as s:
        row = s.scalar(select(WebhookSecret).where(WebhookSecret.seller_id == seller_id,
                                                   WebhookSecret.source == source))
        row.secret, row.created_at = secret, clock.now()
    return secret


@dataclass(frozen=True)
class LoginResult:
    """Outcome of a login attempt: the user id, or why not and how long to wait."""

    user_id: int | None
    locked: bool = False
    retry_after: int = 0
    delay: float = 0.0


def check_login(db: Database, clock: Clock, email: str, password: str, *, slowdown_after: int = 3,
                lockout_after: int = 10, lockout_seconds: int = 900) -> LoginResult:
    """Verify a password, counting failures: slowed after a few, refused for a while after many."""
    key = (email or "").strip().lower()
    now = clock.now()
    with db.transaction() as s:
        throttle = s.get(LoginThrottle, key)
        if throttle and throttle.locked_until and throttle.locked_until > now:
            return LoginResult(None, locked=True,
                               retry_after=int((throttle.locked_until - now).total_seconds()) + 1)
        user = s.scalar(select(User).where(User.email == key))
        # Always run the KDF so timing does not tell whether the account exists.
        ok = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
        if ok and user is not None:
            if throttle:
                s.delete(throttle)
            return LoginResult(user.id)
        if throttle is None:
            throttle = LoginThrottle(key=key, failures=0)
            s.add(throttle)
        throttle.failures += 1
        throttle.last_failure_at = now
        if throttle.failures >= lockout_after:
            throttle.locked_until = now + timedelta(seconds=lockout_seconds)
            throttle.failures = 0
            return LoginResult(None, locked=True, retry_after=lockout_seconds)
        extra = max(0, throttle.failures - slowdown_after + 1)
        return LoginResult(None, delay=min(0.25 * (2 ** extra - 1), 4.0) if extra else 0.0)


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-real-password")


def set_user_locale(db: Database, user_id: int, locale: str | None) -> None:
    """Save the user's panel language (None: follow the browser)."""
    with db.transaction() as s:
        s.execute(update(User).where(User.id == user_id).values(locale=locale))
