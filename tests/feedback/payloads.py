"""Provider payloads in their documented shapes (values made up), signed as each provider signs them."""
from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

from tests.feedback.keys import CERT_URL, rsa_sign

DATA = Path(__file__).parent / "data"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-bounces"
SUBSCRIBE_URL = ("https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
                 "arn:aws:sns:eu-west-1:123456789012:ses-bounces&Token=2336412f37fb687f5d51e6e2425dacbba")


def dumps(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def dsn(name: str, recipient: str, message_id: str = "<none@nowhere.example>", crm: int | str = "") -> bytes:
    """A DSN from tests/feedback/data with our original message's ids and the recipient filled in."""
    text = (DATA / name).read_text(encoding="utf-8")
    text = text.replace("@@RECIPIENT@@", recipient).replace("@@MESSAGE_ID@@", message_id)
    return text.replace("@@CRM_MESSAGE@@", str(crm)).replace("\n", "\r\n").encode("utf-8")


# --------------------------------------------------------------------------- Amazon SES through SNS

def ses_mail(recipient: str, message_id: str | None, crm: int | None) -> dict:
    headers = [{"name": "From", "value": "Shop A <shop@crm.example>"}, {"name": "To", "value": recipient},
               {"name": "Subject", "value": "Your parcel is on its way"}]
    if message_id:
        headers.append({"name": "Message-ID", "value": message_id})
    if crm is not None:
        headers.append({"name": "X-CRM-Message", "value": str(crm)})
    return {"timestamp": "2026-03-10T01:58:00.000Z", "source": "shop@crm.example",
            "sourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/crm.example", "sourceIp": "192.0.2.10",
            "sendingAccountId": "123456789012",
            "messageId": "0102018e2b3c4d5e-6f7a8b9c-0d1e-2f3a-4b5c-6d7e8f9a0b1c-000000",
            "destination": [recipient], "headersTruncated": False, "headers": headers,
            "commonHeaders": {"from": ["Shop A <shop@crm.example>"], "to": [recipient],
                              "messageId": message_id or "", "subject": "Your parcel is on its way"}}


def ses_bounce(recipient: str, bounce_type: str = "Permanent", *, message_id: str | None = None,
               crm: int | None = None, feedback_id: str = "0102018e2b3c-bounce-1") -> dict:
    sub = "General" if bounce_type == "Permanent" else "MailboxFull"
    status = "5.1.1" if bounce_type == "Permanent" else "4.2.2"
    return {"notificationType": "Bounce",
            "bounce": {"bounceType": bounce_type, "bounceSubType": sub,
                       "reportingMTA": "dns; a4-8.smtp-out.amazonses.com",
                       "bouncedRecipients": [{"emailAddress": recipient, "action": "failed", "status": status,
                                              "diagnosticCode": f"smtp; 550 {status} <{recipient}>... User unknown"}],
                       "timestamp": "2026-03-10T01:58:30.237Z", "feedbackId": feedback_id,
                       "remoteMtaIp": "192.0.2.25"},
            "mail": ses_mail(recipient, message_id, crm)}


def ses_complaint(recipient: str, *, message_id: str | None = None, feedback_id: str = "0102018e-complaint-1") -> dict:
    return {"notificationType": "Complaint",
            "complaint": {"userAgent": "ExampleCorp Feedback Loop (V0.01)", "complainedRecipients": [
                {"emailAddress": recipient}], "complaintFeedbackType": "abuse",
                "arrivalDate": "2026-03-10T02:05:00.000Z", "timestamp": "2026-03-10T02:05:10.000Z",
                "feedbackId": feedback_id},
            "mail": ses_mail(recipient, message_id, None)}


def sns_envelope(kind: str, message: str, *, message_id: str = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
                 topic: str = TOPIC, version: str = "1", cert_url: str = CERT_URL,
                 subscribe_url: str = SUBSCRIBE_URL, key=None) -> dict:
    """An SNS HTTP message signed with the test certificate's key."""
    env = {"Type": kind, "MessageId": message_id, "TopicArn": topic, "Message": message,
           "Timestamp": "2026-03-10T01:58:31.000Z", "SignatureVersion": version, "SigningCertURL": cert_url}
    if kind == "Notification":
        env["UnsubscribeURL"] = ("https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
                                 f"{topic}:c9135db0-26c4-47ec-8998-413945fb5a96")
        fields = ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type")
    else:
        env["Token"] = "2336412f37fb687f5d51e6e2425dacbba"
        env["SubscribeURL"] = subscribe_url
        fields = ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type")
    signed = "".join(f"{n}\n{env[n]}\n" for n in fields if n in env).encode()
    env["Signature"] = rsa_sign(signed, version, key)
    return env


def sns_notification(ses_message: dict, **kw) -> dict:
    return sns_envelope("Notification", json.dumps(ses_message), **kw)


def sns_subscription(**kw) -> dict:
    return sns_envelope("SubscriptionConfirmation",
                        f"You have chosen to subscribe to the topic {TOPIC}.\nTo confirm the subscription, "
                        "visit the SubscribeURL included in this message.", **kw)


# --------------------------------------------------------------------------- Postmark

def postmark_bounce(recipient: str, bounce_type: str = "HardBounce", *, bounce_id: int = 4323372036854775807,
                    content: str | None = None) -> dict:
    codes = {"HardBounce": 1, "SoftBounce": 4096, "Transient": 2, "AutoResponder": 64}
    body = {"RecordType": "Bounce", "MessageStream": "outbound", "ID": bounce_id, "Type": bounce_type,
            "TypeCode": codes.get(bounce_type, 2048),
            "Name": "Hard bounce" if bounce_type == "HardBounce" else bounce_type,
            "Tag": "shipping", "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483", "Metadata": {},
            "ServerID": 23, "Description": "The server was unable to deliver your message (ex: unknown user, "
            "mailbox not found).",
            "Details": "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
            "Email": recipient, "From": "shop@crm.example", "BouncedAt": "2026-03-10T01:58:54.9070259Z",
            "DumpAvailable": True, "Inactive": True, "CanActivate": True, "Subject": "Your parcel is on its way"}
    if content is not None:
        body["Content"] = content
    return body


def postmark_complaint(recipient: str, *, bounce_id: int = 4323372036854775808) -> dict:
    return {"RecordType": "SpamComplaint", "MessageStream": "broadcast", "ID": bounce_id, "Type": "SpamComplaint",
            "TypeCode": 512, "Name": "Spam complaint", "Tag": "spring-sale",
            "MessageID": "00000000-0000-0000-0000-000000000000", "Metadata": {}, "ServerID": 23,
            "Description": "The subscriber explicitly marked this message as spam.",
            "Details": "Test spam complaint details",
            "Email": recipient, "From": "shop@crm.example", "BouncedAt": "2026-03-10T02:05:54.9070259Z",
            "DumpAvailable": True, "Inactive": True, "CanActivate": False, "Subject": "Spring sale"}


def postmark_subscription_change(recipient: str, *, suppress: bool = True,
                                 reason: str | None = "ManualSuppression",
                                 changed_at: str = "2026-03-10T02:10:34.416071Z") -> dict:
    """A suppression (the recipient unsubscribed, by default) or, with suppress=False, a reactivation."""
    return {"RecordType": "SubscriptionChange", "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
            "ServerID": 23, "MessageStream": "broadcast", "ChangedAt": changed_at, "Recipient": recipient,
            "Origin": "Recipient" if suppress else "Customer", "SuppressSending": suppress,
            "SuppressionReason": reason if suppress else None, "Tag": "spring-sale", "Metadata": {}}


# --------------------------------------------------------------------------- SendGrid

def sendgrid_event(event: str, recipient: str, *, sg_event_id: str, smtp_id: str | None = None, **extra) -> dict:
    item = {"email": recipient, "timestamp": 1773107910, "event": event, "category": ["shipping"],
            "sg_event_id": sg_event_id, "sg_message_id": "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0"}
    if smtp_id:
        item["smtp-id"] = smtp_id
    item.update(extra)
    return item


# --------------------------------------------------------------------------- Mailgun

def mailgun_sign(key: str, timestamp: str, token: str) -> dict:
    mac = hmac.new(key.encode(), (timestamp + token).encode(), hashlib.sha256).hexdigest()
    return {"timestamp": timestamp, "token": token, "signature": mac}


def mailgun_event(event: str, recipient: str, *, event_id: str = "G9Bn5sl1TC6dwZqVgJkhnA",
                  severity: str | None = "permanent", message_id: str | None = None) -> dict:
    data = {"id": event_id, "timestamp": 1773107910.908181, "log-level": "error", "event": event,
            "recipient": recipient, "recipient-domain": recipient.split("@")[1], "tags": [],
            "envelope": {"sender": "bounces@crm.example", "transport": "smtp", "targets": recipient},
            "message": {"headers": {"to": recipient, "from": "shop@crm.example",
                                    "subject": "Your parcel is on its way"}, "attachments": [], "size": 3421},
            "flags": {"is-routed": False, "is-authenticated": True, "is-system-test": False, "is-test-mode": False},
            "user-variables": {}}
    if message_id:
        data["message"]["headers"]["message-id"] = message_id
    if event == "failed":
        data["severity"] = severity
        data["reason"] = "bounce" if severity == "permanent" else "generic"
        data["delivery-status"] = {"code": 550 if severity == "permanent" else 452, "attempt-no": 1,
                                   "message": "", "description": "Not delivered", "mx-host": "mx1.example.es",
                                   "session-seconds": 0.43, "tls": True, "certificate-verified": True}
    return data


def mailgun_unsubscribed(recipient: str, *, event_id: str = "Ase7i2zsRYeDXztHGENqRA",
                         message_id: str | None = None) -> dict:
    """The event-data of Mailgun's `unsubscribed` webhook: the recipient used Mailgun's unsubscribe link."""
    data = {"id": event_id, "timestamp": 1773107970.873676, "log-level": "info", "event": "unsubscribed",
            "message": {"headers": {}}, "recipient": recipient, "recipient-domain": recipient.split("@")[1],
            "ip": "198.51.100.23", "geolocation": {"country": "ES", "region": "MD", "city": "Madrid"},
            "client-info": {"client-os": "Linux", "device-type": "desktop", "client-name": "Chrome",
                            "client-type": "browser",
                            "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                                          "Chrome/122.0.0.0 Safari/537.36"},
            "campaigns": [], "tags": ["spring-sale"], "user-variables": {}}
    if message_id:
        data["message"]["headers"]["message-id"] = message_id
    return data
