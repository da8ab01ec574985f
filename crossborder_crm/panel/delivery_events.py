"""Delivery feedback in the panel: the labels, the read model of the Settings section, and the
`message_delivery_events` template helper the message page's include calls."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from cryptography.hazmat.primitives import hashes, serialization
from flask_login import current_user

from crossborder_crm.accounts.models import FEEDBACK_SOURCES
from crossborder_crm.container import current_services
from crossborder_crm.feedback import queries
from crossborder_crm.feedback.credentials import GENERATED
from crossborder_crm.feedback.postmark import USERNAME as POSTMARK_USERNAME
from crossborder_crm.feedback.rules import Policy
from crossborder_crm.feedback.sendgrid import load_public_key
from crossborder_crm.feedback.ses import topics_of
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.nav import N_
from crossborder_crm.secret_box import SecretBox

SOURCE_LABELS = {"ses": "Amazon SES", "postmark": "Postmark", "sendgrid": "SendGrid", "mailgun": "Mailgun",
                 "dsn": N_("Bounce mailbox")}
KIND_LABELS = {"hard_bounce": N_("Hard bounce"), "soft_bounce": N_("Soft bounce"), "complaint": N_("Complaint"),
               "unsubscribe": N_("Unsubscribed"), "subscription": N_("Subscription confirmed")}
ACTION_LABELS = {"suppressed_all": N_("address suppressed for all mail"),
                 "suppressed_marketing": N_("address suppressed for marketing"),
                 "counted": N_("counted toward the soft-bounce limit"),
                 "confirmed": N_("subscription confirmed")}
# What the seller pastes for each provider, as the form asks for it.
CREDENTIAL_PROMPTS = {"ses": N_("SNS topic ARNs (one per line)"),
                      "sendgrid": N_("Verification key (public key)"),
                      "mailgun": N_("HTTP webhook signing key")}


@dataclass(frozen=True)
class FeedbackInfo:
    """One provider on the Settings page: its URL and what is set (never a secret in full)."""

    source: str
    label: str
    url: str
    generated: bool  # Postmark: we make the password; the others are pasted
    shown: str | None  # topics, a key fingerprint or a masked secret; None: nothing set yet
    username: str | None = None


def _shown(source: str, clear: str) -> str:
    if source == "ses":
        return ", ".join(topics_of(clear))  # not secret: the seller wants to see which topics are heard
    if source == "sendgrid":
        try:
            der = load_public_key(clear).public_bytes(serialization.Encoding.DER,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo)
        except ValueError:
            return "…"
        digest = hashes.Hash(hashes.SHA256())
        digest.update(der)
        return "EC · SHA256 " + digest.finalize().hex()[:16]
    return clear[:4] + "…"


def feedback_infos(base_url: str, seller_key: str, stored: Mapping[str, str], box: SecretBox) -> list[FeedbackInfo]:
    """The delivery-feedback providers for the Settings page, from the seller's stored credentials."""
    return [FeedbackInfo(src, SOURCE_LABELS[src], f"{base_url}/webhooks/{src}/{seller_key}", src in GENERATED,
                         _shown(src, box.decrypt(stored[src])) if src in stored else None,
                         POSTMARK_USERNAME if src in GENERATED else None)
            for src in FEEDBACK_SOURCES]


@bp.context_processor
def _delivery_event_helpers():
    """Template helpers: labels, and the events of a message (the message page's include calls it)."""

    def message_delivery_events(message_id: int) -> list[queries.EventRow]:
        """The signed-in seller's events about this message."""
        return queries.events_for_message(current_services().db, current_user.seller_id, message_id)

    return {"message_delivery_events": message_delivery_events, "feedback_source_labels": SOURCE_LABELS,
            "feedback_kind_labels": KIND_LABELS, "feedback_action_labels": ACTION_LABELS,
            "feedback_prompts": CREDENTIAL_PROMPTS,
            "feedback_policy": Policy.from_settings(current_services().settings)}
