"""The per-seller credential of each provider: made by us (Postmark's password) or pasted by the seller."""
from __future__ import annotations

from crossborder_crm.accounts.service import rotate_webhook_secret, set_webhook_secret
from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.feedback import mailgun, postmark, sendgrid, ses
from crossborder_crm.secret_box import SecretBox

PASTED = (ses.SOURCE, sendgrid.SOURCE, mailgun.SOURCE)
GENERATED = (postmark.SOURCE,)


def _mailgun_key(text: str) -> str:
    key = text.strip()
    if not 16 <= len(key) <= 200 or not key.isascii() or not key.isprintable() or " " in key:
        raise ValueError("paste the HTTP webhook signing key shown in Mailgun (16 to 200 characters, no spaces)")
    return key


def normalized(provider: str, text: str) -> str:
    """The credential as stored, from what the seller pasted; ValueError says what is wrong with it."""
    if provider == ses.SOURCE:
        return "\n".join(ses.parse_topics(text))
    if provider == sendgrid.SOURCE:
        return sendgrid.stored_key(text)
    if provider == mailgun.SOURCE:
        return _mailgun_key(text)
    raise ValueError(f"{provider} credentials are not pasted")


def save_pasted(db: Database, clock: Clock, box: SecretBox, seller_id: int, provider: str, text: str) -> None:
    """Check and store (encrypted) topics, a verification key or a signing key; ValidationFailed names the field."""
    if provider not in PASTED:
        raise ValidationFailed("unknown provider", {"provider": f"one of {', '.join(PASTED)}"})
    try:
        value = normalized(provider, text or "")
    except ValueError as exc:
        raise ValidationFailed(f"invalid {provider} credential", {"credential": str(exc)}) from None
    set_webhook_secret(db, clock, box, seller_id, provider, value)


def new_postmark_password(db: Database, clock: Clock, box: SecretBox, seller_id: int) -> str:
    """A new basic-auth password for Postmark (the old one stops working), returned in clear once."""
    return rotate_webhook_secret(db, clock, box, seller_id, postmark.SOURCE)
