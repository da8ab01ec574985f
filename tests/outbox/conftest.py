"""Fixtures for the outbox tests: a real aiosmtpd server on loopback,
self-signed TLS material and a DKIM key pair (both made with openssl)."""

from __future__ import annotations

import base64
import shutil
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

try:  # works whether or not tests/ is a package
    from tests.smtp_sink import SmtpSink
except ImportError:  # pragma: no cover - depends on rootdir/sys.path layout
    from smtp_sink import SmtpSink  # type: ignore[no-redef]


def _openssl(*args: str, cwd: Path) -> None:
    if shutil.which("openssl") is None:  # pragma: no cover
        # a missing tool must not pass as skipped DKIM and TLS tests
        pytest.fail("the openssl command is not installed: the DKIM and TLS tests need it to make "
                    "their keys and certificates (install openssl)", pytrace=False)
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory) -> TlsFiles:
    d = tmp_path_factory.mktemp("tls")
    _openssl(
        "req", "-x509", "-newkey", "rsa:2048", "-nodes",
        "-keyout", "key.pem", "-out", "cert.pem", "-days", "2",
        "-subj", "/CN=localhost",
        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
        cwd=d,
    )
    return TlsFiles(cert=d / "cert.pem", key=d / "key.pem")


@pytest.fixture
def server_tls_context(tls_files) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(tls_files.cert), str(tls_files.key))
    return ctx


@dataclass(frozen=True)
class DkimMaterial:
    private_pkcs8_pem: bytes  # "BEGIN PRIVATE KEY" (openssl 3 default)
    private_pkcs1_pem: bytes  # "BEGIN RSA PRIVATE KEY"
    public_b64: str  # SubjectPublicKeyInfo, base64, for the p= tag

    def txt_record(self) -> bytes:
        return f"v=DKIM1; k=rsa; p={self.public_b64}".encode("ascii")


@pytest.fixture(scope="session")
def dkim_material(tmp_path_factory) -> DkimMaterial:
    d = tmp_path_factory.mktemp("dkim")
    _openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "k8.pem", cwd=d)
    _openssl("rsa", "-in", "k8.pem", "-traditional", "-out", "k1.pem", cwd=d)
    _openssl("rsa", "-in", "k8.pem", "-pubout", "-outform", "DER", "-out", "pub.der", cwd=d)
    return DkimMaterial(
        private_pkcs8_pem=(d / "k8.pem").read_bytes(),
        private_pkcs1_pem=(d / "k1.pem").read_bytes(),
        public_b64=base64.b64encode((d / "pub.der").read_bytes()).decode("ascii"),
    )


@pytest.fixture
def make_sink():
    """Factory: ``make_sink(**SmtpSink options)`` -> started sink; every sink
    is stopped at teardown, even when the test fails."""
    sinks: list[SmtpSink] = []

    def factory(**kwargs) -> SmtpSink:
        sink = SmtpSink(**kwargs)
        sinks.append(sink)
        sink.start()
        return sink

    yield factory
    for sink in sinks:
        sink.stop()


@pytest.fixture
def sink(make_sink) -> SmtpSink:
    """A plain SMTP sink on 127.0.0.1 with a free port."""
    return make_sink()


@pytest.fixture
def unused_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(autouse=True)
def _no_leaked_sink_threads():
    """Every SMTP sink started by a test must be stopped by its teardown."""
    yield
    leaked = [t for t in threading.enumerate() if t.name == "smtp-sink" and t.is_alive()]
    assert not leaked, f"SMTP sink threads still running: {leaked}"
