"""SNS signatures: version 1 and 2, certificates only from SNS's own https host, fetched once."""
import json
from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from crossborder_crm.errors import CrmError
from crossborder_crm.feedback.events import Unauthenticated
from crossborder_crm.feedback.sns import CertCache, FetchFailed, UrlFetcher, confirm, is_sns_url, verify
from tests.feedback.conftest import FakeFetcher
from tests.feedback.keys import CERT_URL, VALID_FROM, sns_cert_pem
from tests.feedback.payloads import SUBSCRIBE_URL, ses_bounce, sns_notification, sns_subscription

NOW = datetime(2026, 3, 10, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def certs():
    return CertCache(FakeFetcher({CERT_URL: sns_cert_pem()}))


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_notification_signed_by_sns_verifies(certs, version):
    verify(sns_notification(ses_bounce("ana@example.es"), version=version), certs, NOW)


@pytest.mark.parametrize("version", ["1", "2"])
def test_a_subscription_confirmation_signed_by_sns_verifies(certs, version):
    verify(sns_subscription(version=version), certs, NOW)


def test_a_changed_message_does_not_verify(certs):
    message = sns_notification(ses_bounce("ana@example.es"))
    message["Message"] = json.dumps(ses_bounce("someone-else@example.es"))
    with pytest.raises(Unauthenticated):
        verify(message, certs, NOW)


def test_a_message_signed_with_another_key_does_not_verify(certs):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(Unauthenticated):
        verify(sns_notification(ses_bounce("ana@example.es"), key=stranger), certs, NOW)


def test_an_unknown_signature_version_is_refused(certs):
    message = sns_notification(ses_bounce("ana@example.es"))
    message["SignatureVersion"] = "3"
    with pytest.raises(Unauthenticated) as err:
        verify(message, certs, NOW)
    assert "SignatureVersion" in err.value.fields


@pytest.mark.parametrize("url", [
    "http://sns.eu-west-1.amazonaws.com/cert.pem",
    "https://sns.eu-west-1.amazonaws.com.evil.example/cert.pem",
    "https://evil.example/sns.eu-west-1.amazonaws.com/cert.pem",
    "https://user@sns.eu-west-1.amazonaws.com/cert.pem",
    "https://sns.eu-west-1.amazonaws.com:8443/cert.pem",
    "https://s3.eu-west-1.amazonaws.com/cert.pem",
    "https://sns.eu-west-1.amazonaws.com/cert.txt",
])
def test_a_certificate_url_off_sns_is_refused_before_any_fetch(url):
    fetcher = FakeFetcher({url: sns_cert_pem()})
    with pytest.raises(Unauthenticated):
        verify(sns_notification(ses_bounce("ana@example.es"), cert_url=url), CertCache(fetcher), NOW)
    assert fetcher.calls == []


def test_the_sns_url_check_accepts_every_region():
    assert is_sns_url("https://sns.ap-southeast-2.amazonaws.com/SimpleNotificationService-x.pem", pem=True)


def test_a_certificate_is_fetched_once(certs):
    for version in ("1", "2", "1"):
        verify(sns_notification(ses_bounce("ana@example.es"), version=version), certs, NOW)
    assert certs.fetcher.calls == [CERT_URL]


def test_an_expired_certificate_is_refused():
    expired = CertCache(FakeFetcher({CERT_URL: sns_cert_pem(not_after=VALID_FROM.replace(month=2))}))
    with pytest.raises(Unauthenticated):
        verify(sns_notification(ses_bounce("ana@example.es")), expired, NOW)


def test_an_unreachable_certificate_is_a_502_so_sns_retries():
    with pytest.raises(CrmError) as err:
        verify(sns_notification(ses_bounce("ana@example.es")), CertCache(FakeFetcher({})), NOW)
    assert err.value.status == 502


def test_confirming_gets_the_subscribe_url():
    fetcher = FakeFetcher({SUBSCRIBE_URL: b"<ConfirmSubscriptionResponse/>"})
    confirm(sns_subscription(), fetcher)
    assert fetcher.calls == [SUBSCRIBE_URL]


def test_a_subscribe_url_off_sns_is_never_fetched():
    fetcher = FakeFetcher({})
    with pytest.raises(Unauthenticated):
        confirm(sns_subscription(subscribe_url="https://attacker.example/?Action=ConfirmSubscription"), fetcher)
    assert fetcher.calls == []


def test_the_real_fetcher_only_fetches_https():
    with pytest.raises(FetchFailed):
        UrlFetcher().get("http://sns.eu-west-1.amazonaws.com/x.pem")
