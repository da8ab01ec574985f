"""Who may read /metrics: with CRM_METRICS_TOKEN set, its bearer; without, this machine only."""
from __future__ import annotations

import pytest

from crossborder_crm import create_app
from crossborder_crm.ops.metrics import scrape_refusal

TOKEN = "metrics-token-for-the-test-0123456789"
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture
def token_client(make_app):
    return make_app(METRICS_TOKEN=TOKEN).test_client()


@pytest.fixture
def make_app(database, clock, tmp_path):
    def build(**overrides):
        return create_app({"MAIL_DIR": str(tmp_path / "mail"), "DATABASE_URL": database.url, **overrides},
                          env="test", clock=clock, db=database)
    return build


def test_without_a_token_a_loopback_scraper_is_answered(client):
    r = client.get("/metrics")
    assert r.status_code == 200
    assert r.content_type.startswith("text/plain")
    assert "crm_outbox_messages" in r.get_data(as_text=True)


def test_without_a_token_another_machine_is_refused(client):
    r = client.get("/metrics", environ_base=ELSEWHERE)
    assert r.status_code == 403
    assert "crm_" not in r.get_data(as_text=True)


def test_without_a_token_a_request_relayed_by_a_proxy_is_refused(client):
    r = client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
    assert r.status_code == 403


def test_with_a_token_set_a_scrape_without_it_is_refused_even_from_loopback(token_client):
    r = token_client.get("/metrics")
    assert r.status_code == 401
    assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert "crm_" not in r.get_data(as_text=True)


def test_with_a_token_set_a_wrong_token_is_refused(token_client):
    assert token_client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert token_client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401


def test_with_a_token_set_its_bearer_is_answered_from_anywhere(token_client):
    r = token_client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, environ_base=ELSEWHERE)
    assert r.status_code == 200
    assert "crm_outbox_oldest_due_age_seconds" in r.get_data(as_text=True)


@pytest.mark.parametrize("addr", ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"])
def test_every_loopback_form_counts_as_this_machine(addr):
    assert scrape_refusal(addr, None, False, "") is None


@pytest.mark.parametrize("addr", ["10.0.0.5", "::ffff:10.0.0.5", "fe80::1", "", None, "not-an-address"])
def test_any_other_peer_is_refused_without_a_token(addr):
    assert scrape_refusal(addr, None, False, "") == 403
