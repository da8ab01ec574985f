"""A message as its buyer will read it: both rendered parts and the main headers, rendered the way
the dispatcher renders them (outbox.render with the seller's sender identity), for the panel's
message page. Plain data in, plain data out; no Flask.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from crossborder_crm.accounts.models import Seller
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.db import Database
from crossborder_crm.i18n.emails import template_values
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.render import Rendered, RenderInput, render
from crossborder_crm.outbox.unsubscribe import unsubscribe_links

# Unsubscribe links carry a per-message signed token made when the message is sent; the preview
# shows the link's shape with this stand-in so that a click in the preview unsubscribes no one.
PREVIEW_TOKEN = "preview"


@dataclass(frozen=True)
class Header:
    """One header line as the buyer's mail program will show it."""

    name: str
    value: str


@dataclass(frozen=True)
class Preview:
    """The rendered message (None with `error` when it cannot be rendered) and its headers."""

    rendered: Rendered | None
    error: str | None
    headers: list[Header]
    buyer_name: str
    buyer_email: str | None


def _address(name: str | None, email: str | None) -> str:
    if not email:
        return ""
    return f"{name} <{email}>" if name else email


def message_preview(db: Database, msg: Message, *, public_url: str, mail_domain: str) -> Preview:
    """Render `msg` (one of the seller's messages) for its buyer, with the headers it goes with."""
    with db.reading() as s:
        seller = s.scalar(select(Seller).where(Seller.id == msg.seller_id))
        buyer = s.scalar(select(Buyer).where(Buyer.id == msg.buyer_id, Buyer.seller_id == msg.seller_id))
    buyer_name = buyer.name if buyer else ""
    to_email = msg.to_email or (buyer.email if buyer else None)
    unsub_url = mailto = None
    if msg.kind == "marketing":
        unsub_url, mailto = unsubscribe_links(public_url, PREVIEW_TOKEN, mail_domain)
    try:
        rendered, error = render(RenderInput(
            locale=msg.locale, buyer_name=buyer_name, seller_name=seller.name,
            postal_address=seller.postal_address, subject=msg.subject, body=msg.body,
            template=msg.template, context=template_values(msg.locale, msg.context), unsubscribe_url=unsub_url,
            preferences_url=unsub_url)), None
    except Exception as exc:  # noqa: BLE001 -- shown on the page, as the dispatcher would report it
        rendered, error = None, f"{type(exc).__name__}: {exc}"
    from_name = seller.from_name or seller.name
    headers = [
        Header("From", _address(from_name, seller.from_email or f"no-reply@{mail_domain}")),
        Header("Reply-To", seller.reply_to or ""),
        Header("To", _address(buyer_name, to_email)),
        Header("Subject", rendered.subject if rendered else (msg.subject or "")),
        Header("Message-ID", msg.rfc_message_id),
    ]
    if unsub_url:
        headers.append(Header("List-Unsubscribe", f"<{unsub_url}>, <{mailto}>"))
        headers.append(Header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    return Preview(rendered, error, headers, buyer_name, to_email)
