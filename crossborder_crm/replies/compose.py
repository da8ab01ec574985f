"""Writing the reply from a phrase catalog: acknowledge, the facts, the remedy with its timeline, an
easy next step, a warm close. Pure: the caller passes the facts, the remedy and the clock's today.

A sentence whose fact is unknown is left out rather than written with a blank.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date
from babel.lists import format_list

from crossborder_crm.i18n.email_format import money
from crossborder_crm.i18n.emails import babel_locale
from crossborder_crm.replies.facts import Facts
from crossborder_crm.replies.phrasebook import Phrasebook
from crossborder_crm.replies.remedy import Remedy

KINDS = ("review", "dispute", "message")
# The tag each catalog writes for (Babel reads it for dates, lists and money).
CATALOG_TAGS = {"zh": "zh-CN", "pt": "pt-BR"}
MAX_ITEMS = 3  # items named in the order sentence; the rest is "and N more" by the list's length


@dataclass(frozen=True)
class Composed:
    """One language's version of a reply."""

    locale: str
    subject: str
    body: str
    public_reply: str | None = None


class _Writer:
    """Formats values for one catalog's language."""

    def __init__(self, book: Phrasebook):
        self.book = book
        self.tag = CATALOG_TAGS.get(book.language, book.language)
        self.locale = babel_locale(self.tag)

    def day(self, value: date | datetime | None) -> str:
        if value is None:
            return ""
        return format_date(value.date() if isinstance(value, datetime) else value, format="long", locale=self.locale)

    def money(self, minor: int | None, currency: str | None) -> str:
        return money(minor, currency, str(self.locale))

    def items(self, titles: tuple[str, ...]) -> str:
        return format_list(list(titles[:MAX_ITEMS]), locale=self.locale) if titles else ""


def _fact_sentences(w: _Writer, facts: Facts, now: datetime) -> list[str]:
    say, out = w.book.say, []
    order, parcel = facts.order, facts.parcel
    if order is not None and order.items:
        out.append(say("facts.order", items=w.items(order.items), order_date=w.day(order.placed_at)))
    if parcel is None:
        if order is not None:
            out.append(say("facts.not_shipped"))
        return out
    # The sentences naming the carrier need its name: a tracking number does not read as one.
    carrier = parcel.carrier
    if parcel.delivered_at is not None:
        if carrier:
            out.append(say("facts.delivered", carrier=carrier, date=w.day(parcel.delivered_at)))
        return out
    if parcel.shipped_at is not None and carrier:
        out.append(say("facts.shipped", carrier=carrier, date=w.day(parcel.shipped_at)))
    if parcel.last_location and parcel.last_checkpoint_at:
        out.append(say("facts.last_seen", location=parcel.last_location, date=w.day(parcel.last_checkpoint_at)))
    elif parcel.last_checkpoint_at or parcel.milestone_at:
        out.append(say("facts.last_update", date=w.day(parcel.last_checkpoint_at or parcel.milestone_at)))
    transit = parcel.days_in_transit(now)
    if transit is not None and parcel.usual_days and transit > parcel.usual_days:
        out.append(say("facts.in_transit_days", days=transit, usual=parcel.usual_days))
    if parcel.stalled:
        out.append(say("facts.stalled"))
    elif parcel.expected is not None and parcel.expected >= now.date():
        out.append(say("facts.expected", date=w.day(parcel.expected)))
    if parcel.tracking_url:
        out.append(say("facts.tracking", url=parcel.tracking_url))
    return out


def _remedy_sentences(w: _Writer, remedy: Remedy, facts: Facts, category: str) -> list[str]:
    say = w.book.say
    currency = facts.order.currency if facts.order else None
    values = {"date": w.day(remedy.promise), "days": remedy.days, "hours": remedy.hours,
              "percent": remedy.percent, "amount": w.money(remedy.amount_minor, currency),
              "carrier": (facts.parcel.carrier if facts.parcel and facts.parcel.carrier else "")}
    key = f"remedy.{remedy.key}"
    if remedy.key == "trace" and not values["carrier"]:
        key, values["hours"] = "remedy.answer", 24  # nothing to trace: answer, promptly
    if remedy.key in ("refund_full", "refund_partial", "return") and not values["amount"]:
        key, values["hours"] = "remedy.answer", 24  # no order on record: no amount to promise
    out = [say(key, **values)]
    if remedy.coupon_percent:
        out.append(say("remedy.coupon", percent=remedy.coupon_percent))
    if remedy.photos and w.book.has(f"photo.{category}"):
        out.append(say("photo.ask", photo=say(f"photo.{category}")))
    return out


def _subject(book: Phrasebook, kind: str, facts: Facts) -> str:
    reference = facts.order.reference if facts.order and facts.order.reference else None
    if reference is None and facts.order is not None:
        reference = f"#{facts.order.id}"
    return book.say(f"subject.{kind}", order=reference) if reference else book.say("subject.no_order")


def compose(book: Phrasebook, kind: str, category: str, facts: Facts, remedy: Remedy, seller_name: str,
            now: datetime) -> Composed:
    """The private reply (and, for a review, the public one) in the catalog's language."""
    w, say = _Writer(book), book.say
    greeting = say("greeting.named", name=facts.buyer_name) if facts.buyer_name else say("greeting.plain")
    apology = say(f"apology.{category}") if book.has(f"apology.{category}") else say("apology.other")
    join = book.sentence_separator.join
    what = join([apology, *_fact_sentences(w, facts, now)])
    how = join([*_remedy_sentences(w, remedy, facts, category),
                    say("next_step.dispute" if kind == "dispute" else "next_step.reply")])
    body = "\n\n".join([greeting, what, how, say("close.text"), say("close.signature", seller=seller_name)])
    public = None
    if kind == "review":
        public = join([say("public.thanks"), say("public.ownership"), say("public.done"),
                           say("public.improve"), say("public.close", seller=seller_name)])
    return Composed(w.tag, _subject(book, kind, facts), body, public)
