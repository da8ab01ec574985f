"""Amazon SNS over HTTP: the message signature (versions 1 and 2) checked with SNS's own certificate,
and a subscription confirmed by fetching its SubscribeURL."""
from __future__ import annotations

import base64
import binascii
import re
import threading
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from crossborder_crm.feedback.events import Unauthenticated, UpstreamFailed

TYPES = ("Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation")
# The fields signed, in this order (a field absent from the message is left out, as SNS does).
NOTIFICATION_FIELDS = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
CONFIRMATION_FIELDS = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}
SNS_HOST = re.compile(r"sns\.[a-z0-9-]+\.amazonaws\.com")


class FetchFailed(Exception):
    """A URL could not be fetched (network, status, size): the message says why."""


class Fetcher(Protocol):
    """GET a URL and return its body; raise FetchFailed otherwise. Tests pass a local stand-in."""

    def get(self, url: str) -> bytes: ...


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # the checked host must be the one answering
        return None


class UrlFetcher:
    """HTTPS GET with urllib (certificate and host name verified), a timeout, no redirects, a size cap."""

    def __init__(self, timeout: float = 5.0, max_bytes: int = 64 * 1024):
        self.timeout, self.max_bytes = timeout, max_bytes
        self._opener = urllib.request.build_opener(_NoRedirect())

    def get(self, url: str) -> bytes:
        """The body at an https URL, or FetchFailed."""
        if not url.startswith("https://"):
            raise FetchFailed("only https URLs are fetched")
        request = urllib.request.Request(url, headers={"User-Agent": "crossborder-crm"})
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                if response.status != 200:
                    raise FetchFailed(f"HTTP {response.status}")
                data = response.read(self.max_bytes + 1)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            raise FetchFailed(str(exc)[:200]) from None
        if len(data) > self.max_bytes:
            raise FetchFailed(f"larger than {self.max_bytes} bytes")
        return data


def is_sns_url(url: Any, *, pem: bool = False) -> bool:
    """True for https://sns.<region>.amazonaws.com/… (and a .pem path when `pem`): nowhere else is fetched."""
    if not isinstance(url, str) or not url.isascii() or len(url) > 2000:
        return False
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return False
    return (parts.scheme == "https" and SNS_HOST.fullmatch(parts.hostname or "") is not None
            and parts.username is None and parts.password is None and port in (None, 443)
            and (not pem or parts.path.endswith(".pem")))


class CertCache:
    """SNS signing certificates by URL, fetched once (SNS publishes a new certificate under a new URL)."""

    def __init__(self, fetcher: Fetcher, max_entries: int = 32):
        self.fetcher, self.max_entries = fetcher, max_entries
        self._certs: dict[str, x509.Certificate] = {}
        self._lock = threading.Lock()

    def certificate(self, url: str) -> x509.Certificate:
        """The certificate at `url` (an SNS URL, checked by the caller)."""
        cert = self._certs.get(url)
        if cert is not None:
            return cert
        try:
            pem = self.fetcher.get(url)
        except FetchFailed as exc:
            raise UpstreamFailed("the SNS signing certificate could not be fetched",
                                 {"SigningCertURL": str(exc)}) from None
        try:
            cert = x509.load_pem_x509_certificate(pem)
        except ValueError:
            raise Unauthenticated("the SNS signing certificate is not a PEM certificate",
                                  {"SigningCertURL": "not a certificate"}) from None
        with self._lock:
            if len(self._certs) >= self.max_entries:
                self._certs.clear()
            self._certs[url] = cert
        return cert


def string_to_sign(message: dict, fields: tuple[str, ...]) -> bytes:
    """What SNS signs: "name\\nvalue\\n" for each signed field present, in order."""
    out = []
    for name in fields:
        value = message.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            raise Unauthenticated("SNS message fields must be text", {name: "expected text"})
        out.append(f"{name}\n{value}\n")
    return "".join(out).encode("utf-8")


def verify(message: dict, certs: CertCache, now: datetime) -> None:
    """Check an SNS message's signature; Unauthenticated (401) says what is wrong."""
    algorithm = HASHES.get(str(message.get("SignatureVersion") or ""))
    if algorithm is None:
        raise Unauthenticated("unknown SNS SignatureVersion", {"SignatureVersion": "expected 1 or 2"})
    url = message.get("SigningCertURL")
    if not is_sns_url(url, pem=True):
        raise Unauthenticated("SigningCertURL is not an SNS certificate URL",
                              {"SigningCertURL": "must be https://sns.<region>.amazonaws.com/….pem"})
    try:
        signature = base64.b64decode(str(message.get("Signature") or ""), validate=True)
    except (binascii.Error, ValueError):
        signature = b""
    if not signature:
        raise Unauthenticated("SNS signature missing or not base64", {"Signature": "missing or not base64"})
    fields = NOTIFICATION_FIELDS if message.get("Type") == "Notification" else CONFIRMATION_FIELDS
    cert = certs.certificate(url)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise Unauthenticated("the SNS signing certificate is not valid now", {"SigningCertURL": "expired"})
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise Unauthenticated("the SNS signing certificate has no RSA key", {"SigningCertURL": "not RSA"})
    try:
        key.verify(signature, string_to_sign(message, fields), padding.PKCS1v15(), algorithm())
    except InvalidSignature:
        raise Unauthenticated("SNS signature does not match the message", {"Signature": "does not match"}) from None


def confirm(message: dict, fetcher: Fetcher) -> None:
    """Confirm a verified subscription: GET its SubscribeURL (an SNS URL only)."""
    url = message.get("SubscribeURL")
    if not is_sns_url(url):
        raise Unauthenticated("SubscribeURL is not an SNS URL",
                              {"SubscribeURL": "must be https://sns.<region>.amazonaws.com/…"})
    try:
        fetcher.get(url)
    except FetchFailed as exc:
        raise UpstreamFailed("the SNS subscription could not be confirmed", {"SubscribeURL": str(exc)}) from None
