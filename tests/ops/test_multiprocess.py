"""Under gunicorn (PROMETHEUS_MULTIPROC_DIR set), /metrics adds up the counters of every process."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.ops.conftest import scraped, value

COUNT = textwrap.dedent("""
    from crossborder_crm.ops.metrics import SENT
    SENT.labels("marketing").inc({n})
""")
SCRAPE = textwrap.dedent("""
    import sys
    from prometheus_client import generate_latest
    from crossborder_crm.clock import SystemClock
    from crossborder_crm.db import Database
    from crossborder_crm.ops.metrics import scrape_registry
    sys.stdout.write(generate_latest(scrape_registry(Database({url!r}), SystemClock())).decode())
""")


def run(code: str, folder) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                          check=True)
    return done.stdout


def test_a_scrape_adds_up_the_counters_of_every_process(sqlite_db, tmp_path):
    folder = tmp_path / "prometheus"
    folder.mkdir()
    run(COUNT.format(n=2), folder)  # two gunicorn workers that each sent some, then exited
    run(COUNT.format(n=3), folder)
    samples = scraped(run(SCRAPE.format(url=sqlite_db.url), folder))
    assert value(samples, "crm_outbox_sent_total", kind="marketing") == 5
    assert value(samples, "crm_outbox_metrics_up") == 1  # the outbox gauges are read once, not per process
