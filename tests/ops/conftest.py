"""Fixtures for the operations tests: the outbox's SMTP sink and free port, and readers of metrics."""
from __future__ import annotations

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.outbox.conftest import make_sink, sink, unused_port  # noqa: F401  (fixtures shared with the outbox)


def sample(name: str, **labels: str) -> float:
    """A process-wide metric's current value (0 when the series does not exist yet)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scraped(text: str) -> dict[tuple[str, frozenset], float]:
    """The samples of a /metrics answer: {(name, {label: value}): value}."""
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: dict, name: str, **labels: str) -> float | None:
    """One sample of a scrape, or None when it is not there."""
    return samples.get((name, frozenset(labels.items())))


@pytest.fixture
def scrape(client):
    """GET /metrics as a local scraper and parse it."""
    def get():
        r = client.get("/metrics")
        assert r.status_code == 200, r.data
        return scraped(r.get_data(as_text=True))
    return get
