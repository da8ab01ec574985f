"""The web as operators run it: gunicorn with several workers, multi-process metrics, the probes."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from crossborder_crm.migrate import upgrade
from tests.ops.conftest import scraped, value

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"  # the one installed beside this interpreter


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn with two workers on a migrated SQLite file and a multi-process metrics folder."""
    url = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    upgrade(url)
    folder = tmp_path / "prometheus"
    folder.mkdir()
    (folder / "counter_999999.db").write_bytes(b"left by an earlier run")
    port = free_port()
    env = {**os.environ, "CRM_ENV": "development", "CRM_SECRET_KEY": "k" * 48, "CRM_DATABASE_URL": url,
           "CRM_INSTANCE_DIR": str(tmp_path / "instance"), "CRM_LOG_FORMAT": "json",
           "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    if not GUNICORN.exists():
        pytest.fail(f"gunicorn is not installed in the virtualenv ({GUNICORN})", pytrace=False)
    proc = subprocess.Popen([str(GUNICORN), "-c", "python:crossborder_crm.ops.gunicorn_conf", "-w", "2",
                             "-b", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):  # up to ~30 s for the workers to boot
            if proc.poll() is not None:
                pytest.fail(f"gunicorn exited: {proc.stderr.read().decode()[-2000:]}", pytrace=False)
            try:
                if get(base + "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        yield base, folder
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_under_gunicorn_the_probes_answer_and_metrics_are_read_in_multi_process_mode(gunicorn):
    base, folder = gunicorn
    assert get(base + "/readyz") == (200, '{"status":"ready"}\n')
    status, text = get(base + "/metrics")
    assert status == 200
    samples = scraped(text)
    assert value(samples, "crm_outbox_metrics_up") == 1
    assert value(samples, "crm_outbox_oldest_due_age_seconds") == 0
    # Read from the workers' files, not from the answering worker alone (which would show its own
    # process_* figures from prometheus_client's default registry).
    assert not any(name.startswith("process_") for name, _ in samples)
    assert not (folder / "counter_999999.db").exists()  # an earlier run's counts are not added in
