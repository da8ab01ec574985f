"""The worker's own /metrics port: its dispatch counters and the outbox gauges, under the same access rule."""
from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from click.testing import CliRunner

from config import ConfigError, load_config
from crossborder_crm.outbox.cli import worker_cmd
from crossborder_crm.ops.metrics import scrape_registry
from crossborder_crm.ops.metrics_server import start_metrics_server
from crossborder_crm.worker import serve_worker_metrics
from tests.ops.conftest import scraped, value
from tests.outbox.helpers import at, dispatch, new_buyer, schedule, smtp_services, with_mail

TOKEN = "worker-metrics-token-0123456789"


@pytest.fixture
def servers():
    """Start metrics servers through `start(...)`; each is shut down after the test."""
    started = []

    def track(server):
        started.append(server)
        return server

    yield track
    for server in started:
        server.shutdown()
        server.server_close()


def get(port: int, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/metrics")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_worker_serves_what_it_sent_and_the_outbox_on_its_own_port(api_a, services, clock, sink, servers):
    schedule(api_a, new_buyer(api_a)["id"], send_at="2026-03-10T12:00:00+00:00")
    at(clock, "2026-03-10T12:00:00Z")
    dispatch(smtp_services(services, sink))
    server = servers(serve_worker_metrics(with_mail(services, WORKER_METRICS_ADDR="127.0.0.1"), 0))
    status, text = get(server.server_port)
    assert status == 200
    samples = scraped(text)
    assert value(samples, "crm_outbox_sent_total", kind="conversation") >= 1
    assert value(samples, "crm_outbox_messages", status="sent", kind="conversation") == 1


def test_the_worker_port_asks_for_the_token_when_one_is_set(services, servers):
    server = servers(start_metrics_server(0, "127.0.0.1", scrape_registry(services.db, services.clock), TOKEN))
    assert get(server.server_port)[0] == 401
    assert get(server.server_port, "wrong")[0] == 401
    assert get(server.server_port, TOKEN)[0] == 200


def test_the_worker_metrics_port_is_off_by_default_and_must_be_a_port():
    assert load_config("test", environ={})["WORKER_METRICS_PORT"] == 0
    assert load_config("test", environ={"CRM_WORKER_METRICS_PORT": "9464"})["WORKER_METRICS_PORT"] == 9464
    with pytest.raises(ConfigError, match="CRM_WORKER_METRICS_PORT"):
        load_config("test", environ={"CRM_WORKER_METRICS_PORT": "70000"})


def test_the_worker_command_refuses_a_metrics_port_out_of_range():
    result = CliRunner().invoke(worker_cmd, ["--metrics-port", "70000"])
    assert result.exit_code == 2
    assert "'--metrics-port': 70000 is not in the range" in result.output
