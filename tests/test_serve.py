"""`crossborder-crm serve --port N` (what `make run PORT=N` runs): links point at the port actually served."""
from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

CLI = Path(sys.executable).with_name("crossborder-crm")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRM_")}
    env.update(CRM_INSTANCE_DIR=str(tmp_path), CRM_ENV="development")
    proc = subprocess.Popen([str(CLI), "serve", "--port", str(port), "--no-scheduler"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                time.sleep(0.3)
        else:
            pytest.fail("serve did not answer /healthz within 90 s")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _signed_in(port: int) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(f"http://127.0.0.1:{port}/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "email": "demo@example.com", "password": "demo-password"})
    opener.open(f"http://127.0.0.1:{port}/login", data=form.encode())
    return opener


@pytest.mark.slow
def test_settings_show_webhook_urls_on_the_port_served(served):
    settings = _signed_in(served).open(f"http://127.0.0.1:{served}/settings").read().decode()
    urls = re.findall(r"https?://[^\s\"<]+/webhooks/[a-z]+/[0-9a-f]+", settings)
    assert urls, "no webhook URL on the Settings page"
    assert all(u.startswith(f"http://127.0.0.1:{served}/") for u in urls), urls
