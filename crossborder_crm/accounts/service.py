"""Use cases for sellers and their users: create, authenticate, rotate secrets, throttle logins."""
from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from crossborder_crm.accounts.models import (
    FEEDBACK_SOURCES,
    GENERATED_SOURCES,
    WEBHOOK_SOURCES,
    ApiToken,
    Seller,
    User,
    WebhookSecret,
)
from crossborder_crm.accounts.throttle import (
    ACCOUNT,
    CLIENT,
    LoginPolicy,
    Refusal,
    account_key,
    claim,
    client_key,
    forget_success,
    prune_expired,
)
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import Conflict, NotFound, ValidationFailed
from crossborder_crm.secret_box import SecretBox

TOKEN_PREFIX = "crm_"


@dataclass(frozen=True)
class NewSeller:
    """What `create-seller` prints: the only time the API token is visible."""

    seller_id: int
    seller_key: str
    api_token: str = field(repr=False)  # out of repr: shown once, never in a log or a traceback
    webhook_secrets: dict[str, str] = field(repr=False)
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
                  postal_address: str | None = None, *, box: SecretBox | None = None) -> NewSeller:
    """Create a seller, its first user, an API token and, given the box, one webhook secret per source.

    The secrets are stored encrypted and returned in clear only here; without a box (demo data,
    imports in tests) the seller starts with none and Settings creates them.
    """
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
        hooks = {src: _new_webhook_secret() for src in WEBHOOK_SOURCES} if box is not None else {}
        for src, secret in hooks.items():
            s.add(WebhookSecret(seller_id=seller.id, source=src, secret=box.encrypt(secret), created_at=now))
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
    """Revoke every live token of the seller, end its users' panel sessions, issue a new token (shown once)."""
    token = _new_token()
    now = clock.now()
    with db.transaction() as s:
        s.execute(update(ApiToken).where(ApiToken.seller_id == seller_id,
                                         ApiToken.revoked_at.is_(None)).values(revoked_at=now))
        # Rotation is what a seller does when something leaked: panel sessions end with the token.
        s.execute(update(User).where(User.seller_id == seller_id)
                  .values(session_generation=User.session_generation + 1))
        s.add(ApiToken(seller_id=seller_id, token_hash=hash_token(token), prefix=token[:10],
                       created_at=now))
    return token


def _new_webhook_secret() -> str:
    return secrets.token_hex(24)


def _check_source(source: str, allowed: tuple[str, ...] = (*WEBHOOK_SOURCES, *FEEDBACK_SOURCES)) -> None:
    if source not in allowed:
        raise ValidationFailed("unknown webhook source", {"source": f"one of {', '.join(allowed)}"})


def _store_secret(db: Database, clock: Clock, box: SecretBox, seller_id: int, source: str, secret: str) -> None:
    with db.transaction() as s:
        row = s.scalar(select(WebhookSecret).where(WebhookSecret.seller_id == seller_id,
                                                   WebhookSecret.source == source))
        if row is None:
            row = WebhookSecret(seller_id=seller_id, source=source)
            s.add(row)
        row.secret, row.created_at = box.encrypt(secret), clock.now()


def rotate_webhook_secret(db: Database, clock: Clock, box: SecretBox, seller_id: int, source: str) -> str:
    """Replace (or create) one source's webhook secret; stored encrypted, returned in clear once."""
    _check_source(source, GENERATED_SOURCES)
    secret = _new_webhook_secret()
    _store_secret(db, clock, box, seller_id, source, secret)
    return secret


def set_webhook_secret(db: Database, clock: Clock, box: SecretBox, seller_id: int, source: str, value: str) -> None:
    """Store a credential the provider made (a verification key, a topic), encrypted; the caller validated it."""
    _check_source(source, FEEDBACK_SOURCES)
    _store_secret(db, clock, box, seller_id, source, value)


def webhook_secret(db: Database, box: SecretBox, seller_id: int, source: str) -> str:
    """The secret a source's webhooks are signed with, in clear, to verify their HMAC."""
    _check_source(source)
    with db.reading() as s:
        stored = s.scalar(select(WebhookSecret.secret).where(WebhookSecret.seller_id == seller_id,
                                                             WebhookSecret.source == source))
    if stored is None:
        raise NotFound(f"no {source} webhook secret for seller {seller_id}")
    return box.decrypt(stored)


@dataclass(frozen=True)
class LoginResult:
    """Outcome of a login attempt: the user id, or which pause refused it and for how long."""

    user_id: int | None
    locked: bool = False
    retry_after: int = 0
    scope: str | None = None  # throttle.ACCOUNT or throttle.CLIENT when refused


class _Refused(Exception):
    """Raised inside the claim's transaction so that a half-made claim is rolled back."""

    def __init__(self, refusal: Refusal):
        super().__init__(refusal.scope)
        self.refusal = refusal


def check_login(db: Database, clock: Clock, email: str, password: str, *, client: str | None = None,
                policy: LoginPolicy = LoginPolicy()) -> LoginResult:
    """Verify a password; an account pauses after a few failures, a client address stops after many.

    The attempt is counted before the password is checked, in a transaction of its own: parallel
    guesses cannot overtake the count, and the slow KDF runs while no lock is held.
    """
    email = (email or "").strip().lower()
    account = account_key(email)
    client_at = client_key(client) if client else None
    keys = ([(CLIENT, client_at)] if client_at else []) + [(ACCOUNT, account)]
    now = clock.now()
    try:
        with db.transaction() as s:
            for scope, key in keys:
                refusal = claim(s, scope, key, now, policy)
                if refusal is not None:
                    raise _Refused(refusal)
            user = s.execute(select(User.id, User.password_hash).where(User.email == email)).first()
    except _Refused as refused:
        return LoginResult(None, locked=True, retry_after=refused.refusal.retry_after,
                           scope=refused.refusal.scope)
    # Always run the KDF so timing does not tell whether the account exists.
    ok = check_password_hash(user.password_hash if user else _dummy_hash(), password or "")
    if not ok or user is None:
        return LoginResult(None)
    with db.transaction() as s:
        forget_success(s, account, client_at, policy)
    return LoginResult(user.id)


def prune_throttle(db: Database, clock: Clock, keep_seconds: int) -> int:
    """Delete the throttle rows whose windows and pauses are all over (see throttle.prune_expired); how many."""
    with db.transaction() as s:
        return prune_expired(s, clock.now(), keep_seconds)


def end_sessions(db: Database, user_id: int) -> None:
    """Sign the user out everywhere: every session cookie issued so far stops working."""
    with db.transaction() as s:
        s.execute(update(User).where(User.id == user_id)
                  .values(session_generation=User.session_generation + 1))


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-real-password")


def set_user_locale(db: Database, user_id: int, locale: str | None) -> None:
    """Save the user's panel language (None: follow the browser)."""
    with db.transaction() as s:
        s.execute(update(User).where(User.id == user_id).values(locale=locale))
