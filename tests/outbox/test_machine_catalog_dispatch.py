"""Emails to buyers whose language ships no catalog: the worker's job fills a machine catalog, the
dispatcher picks it up from the cache before a pass and never calls the translator itself."""
from __future__ import annotations

import pytest

from crossborder_crm import create_app
from crossborder_crm.i18n.machine_catalog import forget_machine_catalogs
from crossborder_crm.i18n.translation_cache import CachedTranslator
from crossborder_crm.i18n.translator import FakeTranslator, TranslationFailed
from crossborder_crm.outbox.render import clear_caches
from crossborder_crm.outbox.service import NewMessage, enqueue
from crossborder_crm.worker import machine_catalogs_job
from tests.outbox.helpers import at, dispatch, new_buyer, parse, with_mail
from tests.outbox.test_email_templates import CONTEXT


@pytest.fixture(autouse=True)
def no_machine_catalogs():
    forget_machine_catalogs()
    clear_caches()
    yield
    forget_machine_catalogs()
    clear_caches()


@pytest.fixture
def app(database, clock, tmp_path):
    return create_app({"MAIL_DIR": str(tmp_path / "mail"), "DATABASE_URL": database.url, "TRANSLATOR": "fake"},
                      env="test", clock=clock, db=database)


def delivered_notice(services, seller_id: int, buyer_id: int):
    with services.db.transaction() as s:
        return enqueue(s, services.clock, NewMessage(seller_id, buyer_id, "transactional", "ship-1:delivered",
                                                     template="shipment_delivered", context=dict(CONTEXT),
                                                     origin="milestone"), mail_domain="crm.test").message


def sent_text(out_dir) -> tuple[str, str]:
    mail = parse(next(out_dir.glob("*.eml")).read_bytes())
    return str(mail["Subject"]), mail.get_body(("plain",)).get_content()


def no_network(*_args, **_kwargs):
    raise AssertionError("the translator was called while sending")


def test_the_job_fills_the_catalog_and_the_next_pass_sends_in_it(api_a, services, seller_a, clock, tmp_path,
                                                                 monkeypatch):
    buyer = new_buyer(api_a, name="Somchai", email="somchai@example.th", country="TH")
    msg = delivered_notice(services, seller_a.seller_id, buyer["id"])
    machine_catalogs_job(services, "worker-1")
    monkeypatch.setattr(FakeTranslator, "translate", no_network)
    at(clock, msg.scheduled_at.isoformat())
    assert dispatch(with_mail(services, MAIL_DIR=str(tmp_path / "out"))).sent == 1
    subject, text = sent_text(tmp_path / "out")
    assert subject.startswith("[th] ")
    assert "[th] This email was translated automatically." in text


def test_before_the_job_has_run_the_email_goes_in_english(api_a, services, seller_a, clock, tmp_path):
    buyer = new_buyer(api_a, name="Somchai", email="somchai@example.th", country="TH")
    msg = delivered_notice(services, seller_a.seller_id, buyer["id"])
    at(clock, msg.scheduled_at.isoformat())
    assert dispatch(with_mail(services, MAIL_DIR=str(tmp_path / "out"))).sent == 1
    subject, text = sent_text(tmp_path / "out")
    assert subject == "Your order has been delivered" and "translated automatically" not in text


def test_the_job_translates_only_for_the_buyers_languages(api_a, services):
    new_buyer(api_a, name="An", email="an@example.vn", country="VN")
    inner = FakeTranslator()
    services.translator = CachedTranslator(inner, services.db, services.clock)
    machine_catalogs_job(services, "worker-1")
    assert {target for _, target, _ in inner.calls} == {"vi"}


def test_the_job_does_nothing_with_the_translator_off(api_a, services):
    new_buyer(api_a, name="An", email="an@example.vn", country="VN")
    services.translator = None
    machine_catalogs_job(services, "worker-1")  # no translator: nothing to call, nothing raised


def test_a_failing_provider_leaves_the_emails_in_english_and_is_tried_again(api_a, services, seller_a, clock,
                                                                          tmp_path):
    buyer = new_buyer(api_a, name="Somchai", email="somchai@example.th", country="TH")
    failing = FakeTranslator(fail="libre unreachable (connection refused)")
    services.translator = CachedTranslator(failing, services.db, services.clock)
    machine_catalogs_job(services, "worker-1")
    machine_catalogs_job(services, "worker-1")
    assert len(failing.calls) == 2  # one try per run: the first failure ends that language's turn
    msg = delivered_notice(services, seller_a.seller_id, buyer["id"])
    at(clock, msg.scheduled_at.isoformat())
    assert dispatch(with_mail(services, MAIL_DIR=str(tmp_path / "out"))).sent == 1
    assert sent_text(tmp_path / "out")[0] == "Your order has been delivered"


def test_a_broken_cache_read_never_stops_the_pass(api_a, services, seller_a, clock, tmp_path, monkeypatch):
    import crossborder_crm.worker as worker

    def broken(_translator):
        raise TranslationFailed("database hiccup")

    monkeypatch.setattr(worker, "refresh_machine_catalogs", broken)
    buyer = new_buyer(api_a, name="Somchai", email="somchai@example.th", country="TH")
    msg = delivered_notice(services, seller_a.seller_id, buyer["id"])
    at(clock, msg.scheduled_at.isoformat())
    assert dispatch(with_mail(services, MAIL_DIR=str(tmp_path / "out"))).sent == 1
