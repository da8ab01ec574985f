"""Signed unsubscribe tokens and the List-Unsubscribe links built from them.

Tokens are signed with itsdangerous (salt ``"unsubscribe"``) and carry no
expiry: a link in a years-old newsletter must still work.  They are URL-safe
(``[A-Za-z0-9_.-]``), so they can go into a URL path and a mailto subject
unescaped.
"""

from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadData, URLSafeSerializer

__all__ = [
    "InvalidUnsubscribeToken",
    "UnsubscribeClaim",
    "make_unsubscribe_token",
    "read_unsubscribe_token",
    "unsubscribe_links",
]

_SALT = "unsubscribe"
_VERSION = 1


class InvalidUnsubscribeToken(ValueError):
    """The token was tampered with, truncated, or signed with another secret."""


@dataclass(frozen=True)
class UnsubscribeClaim:
    seller_id: int
    buyer_id: int
    email: str
    message_id: int | None = None


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
    email: str,
    message_id: int | None = None,
) -> str:
    if not _is_int(seller_id) or not _is_int(buyer_id):
        raise TypeError("seller_id and buyer_id must be int")
    if message_id is not None and not _is_int(message_id):
        raise TypeError("message_id must be int or None")
    if not isinstance(email, str) or not email:
        raise ValueError("email must be a non-empty str")
    # compact positional payload keeps the links short
    return _serializer(secret).dumps([_VERSION, seller_id, buyer_id, email, message_id])


def read_unsubscribe_token(secret: str, token: str) -> UnsubscribeClaim:
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise InvalidUnsubscribeToken("malformed unsubscribe token")
    try:
        payload = _serializer(secret).loads(token)
    except BadData as exc:
        raise InvalidUnsubscribeToken("invalid unsubscribe token") from exc
    except Exception as exc:  # noqa: BLE001 - garbage that trips the decoder
        raise InvalidUnsubscribeToken("malformed unsubscribe token") from exc
    if not (isinstance(payload, list) and len(payload) == 5 and payload[0] == _VERSION):
        raise InvalidUnsubscribeToken("unsupported unsubscribe token payload")
    _, seller_id, buyer_id, email, message_id = payload
    if (
        not _is_int(seller_id)
        or not _is_int(buyer_id)
        or not isinstance(email, str)
        or not (message_id is None or _is_int(message_id))
    ):
        raise InvalidUnsubscribeToken("unsupported unsubscribe token payload")
    return UnsubscribeClaim(seller_id=seller_id, buyer_id=buyer_id, email=email, message_id=message_id)


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
