"""RFC 3464 parsing: who failed, hard or soft, and which message of ours it was."""
from crossborder_crm.feedback.dsn import feedback_of, parse_report, status_kind
from tests.feedback.payloads import dsn

MID = "<1f3a9c0e2b7d4e8f9a0b1c2d3e4f5a6b.s1@crm.example>"


def test_postfix_user_unknown_is_a_hard_bounce_for_the_recipient():
    raw = dsn("postfix_user_unknown.eml", "Ana@Example.es", MID, 42)
    [event] = feedback_of(parse_report(raw), raw)
    assert (event.kind, event.recipient) == ("hard_bounce", "ana@example.es")
    assert event.detail.startswith("5.1.1 · smtp; 550 5.1.1")


def test_postfix_returned_headers_give_our_message_id_and_number():
    report = parse_report(dsn("postfix_user_unknown.eml", "ana@example.es", MID, 42))
    assert report.message_ids[0] == MID.strip("<>") and report.crm_message == 42


def test_the_dsn_is_known_by_its_own_message_id():
    report = parse_report(dsn("postfix_user_unknown.eml", "ana@example.es", MID, 42))
    assert report.dsn_id == "20260310015803.4Q1xYz2kLmz9sT@mail.crm.example"


def test_exchange_recipient_not_found_is_hard_and_names_the_original():
    raw = dsn("exchange_recipient_not_found.eml", "ana@contoso.com", MID, 7)
    report = parse_report(raw)
    [event] = feedback_of(report, raw)
    assert (event.kind, event.recipient) == ("hard_bounce", "ana@contoso.com")
    assert report.message_ids == (MID.strip("<>"),) and report.crm_message == 7


def test_gmail_mailbox_full_is_a_soft_bounce():
    raw = dsn("gmail_mailbox_full.eml", "ana@gmail.com", MID, 9)
    [event] = feedback_of(parse_report(raw), raw)
    assert (event.kind, event.recipient, event.crm_message) == ("soft_bounce", "ana@gmail.com", 9)


def test_a_failure_with_a_4xx_status_after_the_queue_lifetime_is_soft():
    raw = dsn("postfix_expired.eml", "ana@example.es", MID, 42)
    assert [e.kind for e in feedback_of(parse_report(raw), raw)] == ["soft_bounce"]


def test_a_delay_warning_is_no_bounce():
    raw = dsn("postfix_delayed.eml", "ana@example.es", MID, 42)
    assert feedback_of(parse_report(raw), raw) == []


def test_a_message_without_a_delivery_status_part_is_not_a_dsn():
    assert parse_report(b"From: a@example.com\r\nSubject: out of office\r\n\r\nI am away.\r\n") is None


def test_the_global_delivery_status_of_rfc_6533_is_read_too():
    raw = (b"Content-Type: multipart/report; report-type=global-delivery-status; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: message/global-delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
           b"Final-Recipient: rfc822; jos\xc3\xa9@example.es\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
           b"--b\r\nContent-Type: message/global-headers\r\n\r\nMessage-ID: <x.s1@crm.example>\r\n\r\n--b--\r\n")
    report = parse_report(raw)
    assert [(r.recipient, r.status) for r in report.recipients] == [("josé@example.es", "5.1.1")]
    assert report.message_ids == ("x.s1@crm.example",)


def test_status_kind_needs_action_failed():
    assert [status_kind(a, s) for a, s in (("failed", "5.7.1"), ("failed", "4.4.7"), ("delayed", "4.4.1"),
                                           ("delivered", "2.0.0"), ("failed", ""))] == \
        ["hard_bounce", "soft_bounce", None, None, None]


def test_several_failed_recipients_get_distinct_event_ids():
    raw = (b"Message-ID: <dsn-1@mx.example>\r\nContent-Type: multipart/report; boundary=b\r\n\r\n"
           b"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
           b"Final-Recipient: rfc822; a@example.es\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n"
           b"Final-Recipient: rfc822; b@example.es\r\nAction: failed\r\nStatus: 5.2.1\r\n\r\n--b--\r\n")
    events = feedback_of(parse_report(raw), raw)
    assert [e.event_id for e in events] == ["dsn-1@mx.example#1", "dsn-1@mx.example#2"]
