"""Key rotation for secrets at rest: store every webhook secret, DKIM key and relay password again under the
first key."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select

from crossborder_crm.accounts.models import Seller, WebhookSecret
from crossborder_crm.db import Database
from crossborder_crm.secret_box import SecretBox, UndecryptableSecret, is_encrypted


@dataclass(frozen=True)
class RotationReport:
    """How many stored secrets were re-encrypted, and how many of them were legacy plain values."""

    webhook_secrets: int
    dkim_keys: int
    were_plain: int
    relay_passwords: int = 0


def _rotated(box: SecretBox, stored: str, what: str) -> str:
    try:
        return box.rotate(stored)
    except UndecryptableSecret as exc:
        raise UndecryptableSecret(f"{what}: {exc}") from None


def reencrypt_secrets(db: Database, box: SecretBox) -> RotationReport:
    """Re-encrypt every stored secret with the box's first key, in one transaction: all or none.

    Rows are locked while they are rewritten (PostgreSQL), so a secret rotated in the panel at the
    same moment is not overwritten with its older value.
    """
    plain = 0
    with db.transaction() as s:
        hooks = s.scalars(select(WebhookSecret).order_by(WebhookSecret.id).with_for_update()).all()
        for hook in hooks:
            plain += not is_encrypted(hook.secret)
            hook.secret = _rotated(box, hook.secret, f"the {hook.source} webhook secret of seller {hook.seller_id}")
        sellers = s.scalars(select(Seller).where(or_(Seller.dkim_private_key != "", Seller.relay_password != ""))
                            .order_by(Seller.id).with_for_update()).all()
        dkim = relay = 0
        for seller in sellers:
            if seller.dkim_private_key:
                dkim += 1
                plain += not is_encrypted(seller.dkim_private_key)
                seller.dkim_private_key = _rotated(box, seller.dkim_private_key,
                                                   f"the DKIM private key of seller {seller.id}")
            if seller.relay_password:
                relay += 1
                plain += not is_encrypted(seller.relay_password)
                seller.relay_password = _rotated(box, seller.relay_password,
                                                 f"the relay password of seller {seller.id}")
    return RotationReport(len(hooks), dkim, plain, relay)
