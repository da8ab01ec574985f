"""The drafted reply: greeting by name, the apology for the issue, the facts, the remedy, a warm close."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from crossborder_crm.replies.compose import compose
from crossborder_crm.replies.facts import Facts, OrderFacts, ParcelFacts
from crossborder_crm.replies.phrasebook import catalog_for, phrasebook
from crossborder_crm.replies.remedy import Remedy

NOW = datetime(2026, 3, 20, 9, 0, tzinfo=timezone.utc)
ORDER = OrderFacts(7, "#1001", datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc), ("Tea set", "2 × Cups"), 4500, "EUR")


def parcel(**kw) -> ParcelFacts:
    base = dict(id=1, carrier="Correos", tracking_number="RR1", tracking_url="https://t.example/RR1",
                milestone="in_transit", milestone_at=datetime(2026, 3, 14, 8, tzinfo=timezone.utc),
                last_location="Madrid", last_checkpoint_at=datetime(2026, 3, 14, 8, tzinfo=timezone.utc),
                shipped_at=datetime(2026, 3, 3, 8, tzinfo=timezone.utc), delivered_at=None,
                expected=date(2026, 3, 24), stalled=False, late=False, usual_days=9)
    return ParcelFacts(**{**base, **kw})


def facts(**kw) -> Facts:
    base = dict(buyer_id=1, buyer_name="Lucía", buyer_language="es", buyer_email="l@example.es", order=ORDER,
                parcel=parcel())
    return Facts(**{**base, **kw})


WAIT = Remedy("wait", promise=date(2026, 3, 29))


def test_the_reply_greets_the_buyer_by_name_and_says_where_the_parcel_is():
    out = compose(phrasebook("en"), "message", "not_received", facts(), WAIT, "Shop A", NOW)
    assert out.body.startswith("Dear Lucía,")
    assert "The last scan shows it in Madrid on March 14, 2026." in out.body
    assert "We sent your parcel with Correos on March 3, 2026." in out.body


def test_the_remedy_carries_its_date_in_the_readers_format():
    out = compose(phrasebook("en"), "message", "not_received", facts(), WAIT, "Shop A", NOW)
    assert "If it has not reached you by March 29, 2026" in out.body


def test_days_in_transit_are_said_only_when_longer_than_the_routes_usual():
    assert "usually take 9 days" in compose(phrasebook("en"), "message", "late_delivery", facts(), WAIT, "S", NOW).body
    quick = facts(parcel=parcel(usual_days=30))
    assert "usually take" not in compose(phrasebook("en"), "message", "late_delivery", quick, WAIT, "S", NOW).body


def test_a_delivered_parcel_is_said_delivered_and_nothing_about_transit():
    delivered = facts(parcel=parcel(milestone="delivered", delivered_at=datetime(2026, 3, 15, tzinfo=timezone.utc)))
    out = compose(phrasebook("en"), "message", "damaged", delivered, Remedy("reship", days=2), "S", NOW)
    assert "Correos recorded it as delivered on March 15, 2026." in out.body and "last scan" not in out.body


def test_an_order_not_shipped_yet_says_so():
    out = compose(phrasebook("en"), "message", "not_received", facts(parcel=None), Remedy("trace"), "S", NOW)
    assert "has not left our warehouse" in out.body


def test_the_subject_names_the_order_the_buyer_knows():
    assert compose(phrasebook("en"), "dispute", "damaged", facts(), WAIT, "S", NOW).subject.startswith(
        "About your order #1001")


def test_a_dispute_invites_a_reply_without_waiting_for_the_decision():
    assert "no need to wait for the dispute" in compose(phrasebook("en"), "dispute", "damaged", facts(), WAIT, "S",
                                                        NOW).body


def test_a_review_gets_a_public_reply_without_personal_data():
    out = compose(phrasebook("en"), "review", "damaged", facts(), Remedy("reship", days=2), "Shop A", NOW)
    assert out.public_reply and out.public_reply.endswith("Shop A")
    assert "Lucía" not in out.public_reply and "1001" not in out.public_reply and "Madrid" not in out.public_reply


def test_a_message_has_no_public_reply():
    assert compose(phrasebook("en"), "message", "damaged", facts(), WAIT, "S", NOW).public_reply is None


def test_money_is_written_the_readers_way():
    refund = Remedy("refund_partial", percent=30, amount_minor=1350, days=5)
    assert "(€13.50)" in compose(phrasebook("en"), "message", "poor_quality", facts(), refund, "S", NOW).body
    assert "€13.50" in compose(phrasebook("zh"), "message", "poor_quality", facts(), refund, "S", NOW).body


def test_photos_are_asked_for_only_when_the_remedy_says_so():
    asked = compose(phrasebook("en"), "message", "damaged", facts(), Remedy("reship", days=2, photos=True), "S", NOW)
    plain = compose(phrasebook("en"), "message", "damaged", facts(), Remedy("reship", days=2), "S", NOW)
    assert "photo of the damaged item" in asked.body and "photo" not in plain.body


def test_the_chinese_reply_uses_chinese_dates():
    out = compose(phrasebook("zh"), "message", "not_received", facts(), WAIT, "S", NOW)
    assert out.locale == "zh-CN" and "2026年3月14日" in out.body and out.body.startswith("Lucía，您好")


@pytest.mark.parametrize(("tag", "catalog"), [("pt-BR", "pt"), ("zh-CN", "zh"), ("zh-Hans", "zh"), ("zh-TW", None),
                                              ("en-GB", "en"), ("xx", None), (None, None)])
def test_a_reader_gets_the_catalog_of_their_language(tag, catalog):
    assert catalog_for(tag) == catalog


def test_without_a_carrier_name_the_sentences_naming_it_are_left_out():
    out = compose(phrasebook("de"), "message", "not_received", facts(parcel=parcel(carrier=None)), WAIT, "S", NOW)
    assert "RR1" not in out.body.split("https://")[0] and "Madrid" in out.body
