"""Amazon SES bounce and complaint notifications, delivered through an SNS topic the seller names."""
from __future__ import annotations

import re
from typing import Any, Mapping

from crossborder_crm.errors import Malformed
from crossborder_crm.feedback import sns
from crossborder_crm.feedback.events import (
    COMPLAINT,
    HARD,
    Context,
    SOFT,
    SUBSCRIPTION,
    Feedback,
    Opened,
    Unauthenticated,
    address,
    body_id,
    crm_message,
    detail,
    event_id,
    iso_time,
    json_body,
    message_id,
    need_object,
)

SOURCE = "ses"
TOPIC_ARN = re.compile(r"arn:aws(?:-cn|-us-gov)?:sns:[a-z0-9-]{1,30}:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?")
MAX_TOPICS = 10


def topics_of(credential: str) -> list[str]:
    """The seller's topic ARNs as stored (one per line)."""
    return [t for t in credential.split() if t]


def parse_topics(text: str) -> list[str]:
    """Topic ARNs pasted by the seller (separated by spaces, commas or lines); ValueError says which is wrong."""
    found = [t for t in re.split(r"[\s,]+", text or "") if t]
    if not found:
        raise ValueError("paste at least one SNS topic ARN")
    if len(found) > MAX_TOPICS:
        raise ValueError(f"at most {MAX_TOPICS} topics")
    for topic in found:
        if not TOPIC_ARN.fullmatch(topic):
            raise ValueError(f"{topic[:80]} is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)")
    return list(dict.fromkeys(found))


def _original_ids(mail: Any) -> tuple[tuple[str, ...], int | None]:
    """Our Message-ID and X-CRM-Message from the original headers SES includes (when it is set to)."""
    mail = mail if isinstance(mail, dict) else {}
    ids, crm = [], None
    common = mail.get("commonHeaders")
    if isinstance(common, dict) and message_id(common.get("messageId")):
        ids.append(message_id(common.get("messageId")))
    for header in mail.get("headers") or []:
        if not isinstance(header, dict):
            continue
        name = str(header.get("name") or "").lower()
        if name == "message-id" and message_id(header.get("value")):
            ids.append(message_id(header.get("value")))
        elif name == "x-crm-message":
            crm = crm_message(header.get("value"))
    return tuple(dict.fromkeys(ids)), crm


def notification_events(message: dict, body: bytes) -> Opened:
    """The bounce or complaint in an SNS Notification; anything else on the topic is ignored."""
    try:
        inner = json_body(str(message.get("Message") or "").encode("utf-8"))
    except Malformed:
        return Opened([], ignored=1)
    if not isinstance(inner, dict):
        return Opened([], ignored=1)
    kind = inner.get("notificationType") or inner.get("eventType")
    ids, crm = _original_ids(inner.get("mail"))
    if kind == "Bounce":
        report = need_object(inner.get("bounce"), "bounce")
        what = HARD if report.get("bounceType") == "Permanent" else SOFT  # Transient, Undetermined
        people = report.get("bouncedRecipients")
    elif kind == "Complaint":
        report = need_object(inner.get("complaint"), "complaint")
        what, people = COMPLAINT, report.get("complainedRecipients")
    else:  # Delivery, Send, Open…: nothing to act on
        return Opened([], ignored=1)
    people = [p for p in people or [] if isinstance(p, dict) and address(p.get("emailAddress"))]
    base = report.get("feedbackId") or message.get("MessageId") or body_id(body)
    at = iso_time(report.get("timestamp"))
    events = []
    for i, person in enumerate(people):
        if what == COMPLAINT:
            why = detail(report.get("complaintFeedbackType") or "complaint", report.get("complaintSubType"))
        else:
            why = detail(report.get("bounceType"), report.get("bounceSubType"), person.get("status"),
                         person.get("diagnosticCode"))
        events.append(Feedback(event_id(base, i, len(people)), what, address(person.get("emailAddress")), at,
                               why, body, ids, crm))
    return Opened(events)


def open_delivery(body: bytes, headers: Mapping[str, str], credential: str, ctx: Context) -> Opened:
    """Verify an SNS message from one of the seller's topics; confirm a subscription; read a notification."""
    message = need_object(json_body(body), "body")
    kind = message.get("Type")
    if kind not in sns.TYPES:
        raise Malformed("not an SNS message", {"Type": f"one of {', '.join(sns.TYPES)}"})
    # Anyone can create a topic and subscribe this URL: only the seller's own topics are listened to.
    if message.get("TopicArn") not in topics_of(credential):
        raise Unauthenticated("the SNS topic is not one of this seller's", {"TopicArn": "not set in Settings"})
    sns.verify(message, ctx.certs, ctx.now)
    if kind == "SubscriptionConfirmation":
        sns.confirm(message, ctx.fetcher)
        confirmed = Feedback(event_id(message.get("MessageId") or body_id(body), 0, 1), SUBSCRIPTION, "",
                             iso_time(message.get("Timestamp")), detail(message.get("TopicArn")), body)
        return Opened([confirmed], status="subscribed")
    if kind == "UnsubscribeConfirmation":
        return Opened([], ignored=1)
    return notification_events(message, body)
