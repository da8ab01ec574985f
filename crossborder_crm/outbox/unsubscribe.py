"""Signed unsubscribe tokens, the List-Unsubscribe links built from them, and the preference form's token.

Tokens are signed with itsdangerous (salt ``"unsubscribe"``) and carry no expiry: a link in a
years-old newsletter must still work. They are URL-safe (``[A-Za-z0-9_.-]``), so they can go
into a URL path and a mailto subject unescaped. A token is signed, not encrypted, so anyone
holding a link can read its payload: it names the buyer only by id, never by address.

Payloads: version 2 is ``[2, seller_id, buyer_id, message_id, scope]``. Version 1 (in mails
sent before) is ``[1, seller_id, buyer_id, email, message_id]``: still honoured, its address
ignored (the buyer's stored one is used).
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadData, Signer, URLSafeSerializer

__all__ = [
    "InvalidUnsubscribeToken",
    "UnsubscribeClaim",
    "check_form_token",
    "form_token",
    "make_unsubscribe_token",
    "mask_email",
    "read_unsubscribe_token",
    "unsubscribe_links",
]

_SALT = "unsubscribe"
_FORM_SALT = "unsubscribe-form"
_VERSION = 2
_LEGACY_VERSION = 1
SCOPES = ("marketing",)


class InvalidUnsubscribeToken(ValueError):
    """The token was tampered with, truncated, or signed with another secret."""


@dataclass(frozen=True)
class UnsubscribeClaim:
    """Who asked to stop which mail: the buyer by id; the address is looked up, never carried."""

    seller_id: int
    buyer_id: int
    message_id: int | None = None
    scope: str = "marketing"


def _serializer(secret: str) -> URLSafeSerializer:
    if not secret:
        raise ValueError("an unsubscribe secret is required")
    return URLSafeSerializer(secret, salt=_SALT)


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def make_unsubscribe_token(
    secret: str,
    seller_id: int,
    buyer_id: int,
    message_id: int | None = None,
    scope: str = "marketing",
) -> str:
    """The opaque, signed token of the unsubscribe link in one message to one buyer."""
    if not _is_int(seller_id) or not _is_int(buyer_id):
        raise TypeError("seller_id and buyer_id must be int")
    if message_id is not None and not _is_int(message_id):
        raise TypeError("message_id must be int or None")
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}")
    # compact positional payload keeps the links short
    return _serializer(secret).dumps([_VERSION, seller_id, buyer_id, message_id, scope])


def _claim(payload: object) -> UnsubscribeClaim | None:
    """The claim of a version 2 or version 1 payload; None for anything else."""
    if not isinstance(payload, list) or len(payload) != 5:
        return None
    if payload[0] == _VERSION:
        _, seller_id, buyer_id, message_id, scope = payload
        if scope not in SCOPES:
            return None
    elif payload[0] == _LEGACY_VERSION:
        # the address in a version 1 token is not trusted or shown: the buyer's stored one is
        _, seller_id, buyer_id, email, message_id = payload
        if not isinstance(email, str):
            return None
        scope = "marketing"
    else:
        return None
    if not _is_int(seller_id) or not _is_int(buyer_id) or not (message_id is None or _is_int(message_id)):
        return None
    return UnsubscribeClaim(seller_id=seller_id, buyer_id=buyer_id, message_id=message_id, scope=scope)


def read_unsubscribe_token(secret: str, token: str) -> UnsubscribeClaim:
    """The claim a token carries; InvalidUnsubscribeToken if it is not one of ours, intact."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise InvalidUnsubscribeToken("malformed unsubscribe token")
    try:
        payload = _serializer(secret).loads(token)
    except BadData as exc:
        raise InvalidUnsubscribeToken("invalid unsubscribe token") from exc
    except Exception as exc:  # noqa: BLE001 - garbage that trips the decoder
        raise InvalidUnsubscribeToken("malformed unsubscribe token") from exc
    claim = _claim(payload)
    if claim is None:
        raise InvalidUnsubscribeToken("unsupported unsubscribe token payload")
    return claim


def _form_signer(secret: str) -> Signer:
    if not secret:
        raise ValueError("an unsubscribe secret is required")
    return Signer(secret, salt=_FORM_SALT)


def form_token(secret: str, token: str, action: str) -> str:
    """The preference form's hidden field: a signature of this link's token and this button's action."""
    return _form_signer(secret).get_signature(f"{action}:{token}").decode("ascii")


def check_form_token(secret: str, token: str, action: str, value: str | None) -> bool:
    """Whether `value` is the form token of this link and action (constant-time compare)."""
    if not value or len(value) > 200:
        return False
    return _form_signer(secret).verify_signature(f"{action}:{token}", value)


def mask_email(email: str | None) -> str:
    """An address as the preference page may show it: l***@example.es ("" if there is none)."""
    if not email:
        return ""
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def unsubscribe_links(public_url: str, token: str, mailto_domain: str) -> tuple[str, str]:
    """Return ``(https_url, mailto_url)`` for the List-Unsubscribe header.

    ``public_url`` is the CRM's public base URL (``https://crm.example.com``,
    optionally with a path prefix); the one-click endpoint is ``/u/<token>``.
    """
    if not public_url:
        raise ValueError("public_url is required")
    if not mailto_domain or any(c in mailto_domain for c in "@/?#<> \r\n"):
        raise ValueError(f"invalid mailto_domain: {mailto_domain!r}")
    if not token or any(not (c.isascii() and (c.isalnum() or c in "-_.")) for c in token):
        raise ValueError("token is not URL-safe")
    base = public_url.rstrip("/")
    return (
        f"{base}/u/{token}",
        f"mailto:unsubscribe@{mailto_domain.strip().lower()}?subject=unsubscribe-{token}",
    )
