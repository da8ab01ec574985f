"""Message-IDs: deterministic ones for the outbox, and the checks of a domain and of an id."""

from __future__ import annotations

import functools
import hashlib
import re

__all__ = ["ascii_domain", "check_message_id", "make_message_id"]

_DOMAIN_RE = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_LOCAL_UNSAFE_RE = re.compile(r"[^A-Za-z0-9_-]+")
_MSGID_RE = re.compile(r"^<[!-;=?-~]+@[!-;=?-~]+>$")  # printable ASCII minus <, >, @ inside parts


@functools.lru_cache(maxsize=1024)  # a few domains (the seller's, gmail.com, ...) recur all the time
def ascii_domain(domain: str) -> str:
    """The domain validated, lower-cased, in its ASCII (IDNA) form; ValueError when invalid."""
    domain = domain.strip().rstrip(".")
    try:
        domain.encode("ascii")
    except UnicodeEncodeError:
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise ValueError(f"invalid domain: {domain!r}") from exc
    if not _DOMAIN_RE.match(domain):
        raise ValueError(f"invalid domain: {domain!r}")
    return domain.lower()


def make_message_id(seller_key: str, idempotency_key: str, domain: str) -> str:
    """Deterministic ``<{hash32}.{seller_key}@{domain}>``.

    The same (seller_key, idempotency_key, domain) always yields the same id,
    so a retried send carries the same Message-ID and receivers/our own
    bounce matching can de-duplicate.  Characters of ``seller_key`` that are
    not ``[A-Za-z0-9_-]`` are replaced by ``-`` in the visible part (the hash
    covers the original value).
    """
    if not seller_key:
        raise ValueError("seller_key must not be empty")
    if not idempotency_key:
        raise ValueError("idempotency_key must not be empty")
    host = ascii_domain(domain)
    digest = hashlib.sha256(
        b"\x00".join(
            [
                b"crossborder-crm-message-id-v1",
                seller_key.encode("utf-8"),
                idempotency_key.encode("utf-8"),
                host.encode("ascii"),
            ]
        )
    ).hexdigest()[:32]
    label = _LOCAL_UNSAFE_RE.sub("-", seller_key).strip("-")[:40] or "s"
    return f"<{digest}.{label}@{host}>"


def check_message_id(message_id: str) -> str:
    """The Message-ID without surrounding whitespace; ValueError unless it is ``<id@domain>``."""
    message_id = message_id.strip()
    if not _MSGID_RE.match(message_id) or message_id.count("@") != 1:
        raise ValueError(f"invalid Message-ID (expected '<id@domain>'): {message_id!r}")
    return message_id
