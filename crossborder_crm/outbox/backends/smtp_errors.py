"""How SMTP replies become delivery errors."""

from __future__ import annotations

from typing import Sequence

from .base import DeliveryError, PermanentDeliveryError, TransientDeliveryError

__all__ = ["recipients_error", "reply_error", "reply_text"]

# 530 auth/STARTTLS required, 534 mechanism too weak, 535 bad credentials,
# 538 encryption required for mechanism (RFC 4954 / 3207)
_SESSION_POLICY_CODES = frozenset({530, 534, 535, 538})


def reply_text(resp: bytes | str | None) -> str:
    """An SMTP reply's text as str (bytes decoded leniently; None as "")."""
    if resp is None:
        return ""
    if isinstance(resp, bytes):
        return resp.decode("utf-8", "replace")
    return str(resp)


def reply_error(what: str, code: int | None, resp, *, hard_bounce: bool) -> DeliveryError:
    """The delivery error for a refused MAIL, DATA or end of data: 5xx permanent, else transient."""
    reason = f"{what}: {reply_text(resp)}"
    if code in _SESSION_POLICY_CODES:
        # "authentication / STARTTLS required": our configuration is
        # wrong, not the message -- keep it for a later retry
        return TransientDeliveryError(reason, code)
    if code is not None and 500 <= code < 600:
        return PermanentDeliveryError(reason, code, hard_bounce=hard_bounce)
    return TransientDeliveryError(reason, code)


def recipients_error(refused: dict, *, accepted: Sequence[str]) -> DeliveryError:
    """The delivery error for refused recipients ({rcpt: (code, text)}): a hard bounce on any 5xx."""
    info = {str(r): (int(c), reply_text(t)) for r, (c, t) in refused.items()}
    permanent = {r: v for r, v in info.items() if 500 <= v[0] < 600}
    if permanent:
        rcpt, (code, text) = next(iter(permanent.items()))
        return PermanentDeliveryError(
            f"recipient refused: {rcpt}: {text}", code, hard_bounce=True, refused=info, accepted=accepted
        )
    rcpt, (code, text) = next(iter(info.items()))
    return TransientDeliveryError(f"recipient refused: {rcpt}: {text}", code, refused=info, accepted=accepted)
