"""A seller's written message reaches the buyer in the buyer's language: translated once when it
is put in the outbox, the original kept and printed under the translation; never blocked."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from crossborder_crm import create_app
from crossborder_crm.i18n.translation_cache import CachedTranslator, make_translator
from crossborder_crm.i18n.translator import FakeTranslator
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.written_translation import translate_written
from tests.libre_standin import libre  # noqa: F401 -- the fixture
from tests.outbox.helpers import at, dispatch, new_buyer, parse, with_mail

WRITTEN = {"subject": "Your scarf has shipped", "body": "Hello Somchai,\n\nyour scarf left today.\n\nLi"}


@pytest.fixture
def app(database, clock, tmp_path):
    """The app with the offline fake translator on (the seller writes English, by default)."""
    return create_app({"MAIL_DIR": str(tmp_path / "mail"), "DATABASE_URL": database.url, "TRANSLATOR": "fake"},
                      env="test", clock=clock, db=database)


def thai_buyer(api) -> dict:
    return new_buyer(api, name="Somchai", email="somchai@example.th", country="TH")  # language th-TH


def post(api, buyer_id: int, **fields):
    return api.post("/messages", {"buyer_id": buyer_id, **WRITTEN, **fields})


def row(services, message_id: int) -> Message:
    with services.db.reading() as s:
        return s.scalar(select(Message).where(Message.id == message_id))


def test_a_message_to_a_buyer_of_another_language_is_sent_translated(api_a):
    r = post(api_a, thai_buyer(api_a)["id"])
    assert r.status_code == 201
    body = r.get_json()
    assert body["subject"] == "[th] Your scarf has shipped"
    assert (body["original_subject"], body["original_body"]) == (WRITTEN["subject"], WRITTEN["body"])
    assert body["translation_note"] == "machine-translated from en by fake"


def test_the_row_keeps_translation_original_and_source_language(api_a, services):
    msg = row(services, post(api_a, thai_buyer(api_a)["id"]).get_json()["id"])
    assert msg.body == "[th] " + WRITTEN["body"] and msg.original_body == WRITTEN["body"]
    assert (msg.source_language, msg.locale) == ("en", "th-TH")
    assert msg.context == {"translated_from": "en", "original_body": WRITTEN["body"]}


def test_the_buyer_reads_the_translation_with_the_original_under_it(api_a, services, clock, tmp_path):
    msg = post(api_a, thai_buyer(api_a)["id"]).get_json()
    at(clock, msg["scheduled_at"])
    assert dispatch(with_mail(services, MAIL_DIR=str(tmp_path / "out"))).sent == 1
    mail = parse(next((tmp_path / "out").glob("*.eml")).read_bytes())
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert mail["Subject"] == "[th] Your scarf has shipped"
    note = text.index("This message was translated automatically")
    assert text.startswith("[th] " + WRITTEN["body"]) and text.find(WRITTEN["body"], note) > note
    assert "This message was translated automatically" in mail.get_body(("html",)).get_content()


def test_a_buyer_of_the_sellers_language_gets_it_as_written_with_no_note(api_a):
    buyer = new_buyer(api_a, name="Amy", email="amy@example.co.uk", country="GB")  # en-GB: same language
    body = post(api_a, buyer["id"]).get_json()
    assert body["subject"] == WRITTEN["subject"]
    assert (body["original_subject"], body["original_body"], body["translation_note"]) == (None, None, None)


def test_with_the_translator_off_the_message_goes_as_written_and_says_so(api_a, services):
    services.translator = None
    body = post(api_a, thai_buyer(api_a)["id"]).get_json()
    assert body["subject"] == WRITTEN["subject"] and body["original_body"] is None
    assert body["translation_note"] == "translator off: sent as written"


def test_the_seller_may_ask_for_no_translation(api_a, services):
    inner = FakeTranslator()
    services.translator = CachedTranslator(inner, services.db, services.clock)
    body = post(api_a, thai_buyer(api_a)["id"], translate=False).get_json()
    assert body["subject"] == WRITTEN["subject"]
    assert body["translation_note"] == "not translated, as the seller asked: sent as written"
    assert inner.calls == []


def test_a_failing_translator_never_blocks_the_message(api_a, services):
    services.translator = CachedTranslator(FakeTranslator(fail="timeout after 5 s"), services.db, services.clock)
    r = post(api_a, thai_buyer(api_a)["id"])
    assert r.status_code == 201 and r.get_json()["status"] == "scheduled"
    assert r.get_json()["subject"] == WRITTEN["subject"]
    assert r.get_json()["translation_note"] == "translation failed (timeout after 5 s): sent as written"
    assert row(services, r.get_json()["id"]).context == {}  # the templates print no "translated" note


def test_a_reposted_idempotency_key_is_not_translated_again(api_a, services):
    buyer = thai_buyer(api_a)
    first = post(api_a, buyer["id"], idempotency_key="order-9-note")
    failing = FakeTranslator(fail="must not be asked")
    services.translator = CachedTranslator(failing, services.db, services.clock)
    again = post(api_a, buyer["id"], idempotency_key="order-9-note")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    assert failing.calls == []


def test_translate_must_be_true_or_false(api_a):
    r = post(api_a, thai_buyer(api_a)["id"], translate="no")
    assert r.status_code == 422 and "translate" in r.get_json()["error"]["fields"]
    assert api_a.get("/messages").get_json()["items"] == []


def test_a_libre_server_translates_the_message(api_a, services, libre):
    services.translator = make_translator({"TRANSLATOR": "libre", "TRANSLATOR_URL": libre.url}, services.db,
                                          services.clock)
    body = post(api_a, thai_buyer(api_a)["id"]).get_json()
    assert body["subject"] == "th: Your scarf has shipped"
    assert body["translation_note"] == "machine-translated from en by libre"
    assert [(r["q"], r["source"], r["target"]) for r in libre.requests][0] == (WRITTEN["subject"], "en", "th")


def test_a_slow_libre_sends_the_message_as_written_with_the_reason(api_a, services, libre):
    libre.delay = 3.0
    services.translator = make_translator({"TRANSLATOR": "libre", "TRANSLATOR_URL": libre.url,
                                           "TRANSLATOR_TIMEOUT_SECONDS": 0.5}, services.db, services.clock)
    r = post(api_a, thai_buyer(api_a)["id"])
    assert r.status_code == 201 and r.get_json()["subject"] == WRITTEN["subject"]
    assert r.get_json()["translation_note"] == "translation failed (timeout after 0.5 s): sent as written"


def test_an_unreachable_libre_sends_the_message_as_written_with_the_reason(api_a, services, unused_port):
    services.translator = make_translator({"TRANSLATOR": "libre", "TRANSLATOR_URL": f"http://127.0.0.1:{unused_port}"},
                                          services.db, services.clock)
    r = post(api_a, thai_buyer(api_a)["id"])
    assert r.status_code == 201
    assert r.get_json()["translation_note"] == ("translation failed (libre unreachable (connection refused)): "
                                                "sent as written")


# --------------------------------------------------------------------- the decision, as data


def test_a_translated_subject_becomes_one_header_line():
    class Newlines(FakeTranslator):
        def translate(self, text, target, source):
            return "Ihr Schal\r\nist\tunterwegs\x07" if text == "S" else "Body"

    out = translate_written(Newlines(), "S", "B", source="en", target="de")
    assert out.subject == "Ihr Schal ist unterwegs"


def test_an_empty_translation_counts_as_a_failure():
    class Empty(FakeTranslator):
        def translate(self, text, target, source):
            return "  "

    out = translate_written(Empty(), "S", "B", source="en", target="de")
    assert (out.subject, out.body, out.original_body) == ("S", "B", None)
    assert out.note == "translation failed (fake answered an empty text): sent as written"


def test_portuguese_of_brazil_and_portugal_are_one_language():
    out = translate_written(FakeTranslator(), "S", "B", source="pt-BR", target="pt")
    assert (out.subject, out.note) == ("S", None)
