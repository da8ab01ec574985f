"""The package as an operator installs it: a wheel built from the checkout, installed into a fresh
virtualenv outside the repository, run with production settings on PostgreSQL under gunicorn with
a worker beside it.

The new virtualenv sees the pinned dependencies already installed in the test's own environment
through a .pth file (no download of the dependencies), never the checkout's own sources.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
# What a source distribution would not carry, and the compiled catalogs: the build must make those.
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "build", "dist", "instance", "test-output", "bench", "tests",
                                     "__pycache__", "*.pyc", "*.egg-info", "*.mo", ".pytest_cache", ".hypothesis")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, headers: dict | None = None, data: bytes | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {}, data=data)
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def wait_until(what: str, condition, seconds: float = 30):
    """Poll until condition() is truthy; fail naming `what` when it never is."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = condition()
        except OSError:
            result = None
        if result:
            return result
        time.sleep(0.1)
    pytest.fail(f"{what}: not within {seconds} s", pytrace=False)


class TcpProxy:
    """127.0.0.1:<port> forwarded to PostgreSQL; stop() makes the database unreachable through it."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, name="pg-proxy", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
                upstream = socket.create_connection(self.target)
            except OSError:
                return  # stopped
            with self.lock:
                self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def stop(self) -> None:
        """Refuse new connections and cut the open ones, as a stopped server would."""
        self.listener.close()
        with self.lock:
            for s in self.sockets:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel of the checkout's sources (no .mo among them), built as `pip wheel .` builds it."""
    work = tmp_path_factory.mktemp("build")
    src = work / "src"
    shutil.copytree(ROOT, src, ignore=NOT_SOURCES)
    assert not list(src.rglob("*.mo"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
                    "-w", str(work / "dist"), str(src)], check=True, capture_output=True, timeout=300)
    [built] = (work / "dist").glob("crossborder_crm-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    """A fresh virtualenv outside the repository with the wheel installed; dependencies by .pth."""
    folder = tmp_path_factory.mktemp("venv") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True, timeout=120)
    python = folder / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet",
                    "--disable-pip-version-check", str(wheel)], check=True, capture_output=True, timeout=300)
    # Only now the .pth: pip must not see (and offer to uninstall) the test environment's own install.
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    (Path(site) / "crm_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return folder


@pytest.fixture
def pg_database():
    """A throwaway PostgreSQL database: (host, port, name); dropped afterwards."""
    if not PG_URL:
        pytest.skip("CRM_TEST_POSTGRES_URL is not set: PostgreSQL tests not run")
    url = make_url(PG_URL)
    name = f"crm_install_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url, name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def proxy(pg_database):
    url, _ = pg_database
    p = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    yield p
    p.stop()


@pytest.fixture
def deployment(venv, pg_database, proxy, make_sink, tmp_path):
    """Production settings through the proxy, an SMTP relay, and a way to run the installed commands."""
    url, name = pg_database
    relay = make_sink()
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    db_url = url.set(host="127.0.0.1", port=proxy.port, database=name).render_as_string(hide_password=False)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "CRM_ENV": "production", "CRM_SECRET_KEY": "install-test-secret-key-of-more-than-32-bytes",
           "CRM_PUBLIC_URL": "https://crm.example.com", "CRM_DATABASE_URL": db_url,
           "CRM_ENCRYPTION_KEYS": Fernet.generate_key().decode(), "CRM_INSTANCE_DIR": str(tmp_path / "instance"),
           "CRM_MAIL_BACKEND": "smtp", "CRM_SMTP_URL": f"smtp://127.0.0.1:{relay.port}",
           "CRM_DISPATCH_INTERVAL_SECONDS": "1", "CRM_LOG_FORMAT": "json"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(venv / "bin" / "crossborder-crm"), *args], cwd=run_dir, env=env,
                              capture_output=True, text=True, timeout=60)

    return env, run, run_dir, relay


@pytest.fixture
def started(venv, deployment, tmp_path):
    """Start processes in their own process groups; each group is ended at teardown."""
    env, _, run_dir, _ = deployment
    procs: list[subprocess.Popen] = []
    logs = []

    def start(*argv: str, **extra_env: str) -> subprocess.Popen:
        logs.append((tmp_path / f"process-{len(procs)}.log").open("wb"))  # read them when a test fails
        proc = subprocess.Popen(argv, cwd=run_dir, env={**env, **extra_env}, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=logs[-1])
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        try:  # the whole group: gunicorn's workers too, even if the master is gone
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    for log in logs:
        log.close()


def test_the_wheel_carries_compiled_catalogs_and_migrations(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    catalog = "crossborder_crm/locales/zh_CN/LC_MESSAGES/messages"
    assert {f"{catalog}.mo", f"{catalog}.po", "crossborder_crm/migrations/env.py", "wsgi.py",
            "crossborder_crm/migrations/script.py.mako", "crossborder_crm/buyers/data/region_timezones.json"} <= set(names)
    assert any(n.startswith("crossborder_crm/migrations/versions/0001_") for n in names)


def test_the_installed_package_runs_from_its_own_virtualenv(venv, tmp_path):
    found = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import crossborder_crm, config, importlib.util; print(crossborder_crm.__file__); "
                            "print(config.__file__); print(importlib.util.find_spec('wsgi').origin)"],
                           cwd=tmp_path, env={"PATH": "/usr/bin:/bin"}, check=True, capture_output=True,
                           text=True).stdout.split()
    assert len(found) == 3 and all(Path(f).is_relative_to(venv) for f in found), found


def test_an_installed_deployment_serves_chinese_and_goes_unready_when_the_database_is_gone(
        venv, deployment, proxy, started):
    env, run, run_dir, relay = deployment
    upgraded = run("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    made = run("create-seller", "--name", "Shop", "--email", "owner@example.com", "--password", "correct horse 1",
               "--json")
    assert made.returncode == 0, made.stderr
    token = json.loads(made.stdout)["api_token"]
    # A reply address: a personal message nobody could answer is refused when written.
    configured = run("configure-sender", "--seller-id", str(json.loads(made.stdout)["seller_id"]),
                     "--reply-to", "care@example.com")
    assert configured.returncode == 0, configured.stderr

    web_port, worker_metrics_port = free_port(), free_port()
    prometheus = run_dir / "prometheus"
    prometheus.mkdir()
    web = started(str(venv / "bin" / "python"), "-m", "gunicorn", "-c", "python:crossborder_crm.ops.gunicorn_conf",
                  "-w", "2", "-b", f"127.0.0.1:{web_port}", "wsgi:app", PROMETHEUS_MULTIPROC_DIR=str(prometheus))
    started(str(venv / "bin" / "crossborder-crm"), "worker", CRM_WORKER_METRICS_PORT=str(worker_metrics_port))
    base = f"http://127.0.0.1:{web_port}"
    wait_until("gunicorn answering /healthz", lambda: web.poll() is None and get(base + "/healthz")[0] == 200)

    status, page = get(base + "/login", {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert (status, "登录" in page) == (200, True)
    assert get(base + "/readyz")[0] == 200
    checked = run("check")
    assert (checked.returncode, checked.stdout.count("\nok ") + checked.stdout.startswith("ok ")) == (0, 6), \
        checked.stdout + checked.stderr

    # The worker of the installed package sends what the API queued.
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    status, body = get(base + "/api/v1/buyers", auth, json.dumps(
        {"name": "Li Wei", "country": "CN", "email": "li.wei@example.com"}).encode())
    assert status == 201, body
    soon = (datetime.now(timezone.utc) + timedelta(seconds=2)).isoformat()  # an instant, not "now": it may pass
    status, body = get(base + "/api/v1/messages", auth, json.dumps(
        {"buyer_id": json.loads(body)["id"], "subject": "Your order", "body": "Thank you!", "send_at": soon,
         "override_quiet_hours": True}).encode())  # the real clock may be in the buyer's quiet hours
    assert status == 201, body
    assert relay.wait_for(1, timeout=30), "the worker sent nothing"
    assert get(f"http://127.0.0.1:{worker_metrics_port}/metrics")[0] == 200

    proxy.stop()
    wait_until("/readyz answering 503 with the database gone", lambda: get(base + "/readyz")[0] == 503, seconds=15)
    assert get(base + "/healthz")[0] == 200
    checked = run("check")
    assert (checked.returncode, "FAIL  database: cannot connect" in checked.stdout) == (1, True), checked.stdout
