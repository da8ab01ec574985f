"""The whole path: schedule through the API, dispatch at simulated instants, receive over real SMTP."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from crossborder_crm.outbox.models import Message, Suppression
from tests.outbox.helpers import at, dispatch, new_buyer, parse, schedule, smtp_services, with_mail


def _status(services, message_id):
    with services.db.reading() as s:
        return s.get(Message, message_id)


def test_best_moment_message_is_not_sent_before_its_instant(api_a, services, clock, sink):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"])
    assert dispatch(smtp_services(services, sink)).sent == 0
    assert sink.messages == []
    assert _status(services, msg["id"]).status == "scheduled"


def test_message_goes_out_at_its_instant_with_its_message_id(api_a, services, clock, sink):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"])
    at(clock, msg["scheduled_at"])
    result = dispatch(smtp_services(services, sink))
    assert result.sent == 1
    assert sink.message_ids() == [msg["message_id"]]
    row = _status(services, msg["id"])
    assert row.status == "sent" and row.sent_at == clock.now() and row.lease_owner is None


def test_sent_mail_is_multipart_with_text_and_html_and_encoded_name(api_a, services, clock, sink):
    buyer = new_buyer(api_a, name="山田太郎", email="taro@example.jp", country="JP")
    msg = schedule(api_a, buyer["id"], send_at="best", subject="ご注文ありがとうございます")
    at(clock, msg["scheduled_at"])
    dispatch(smtp_services(services, sink))
    mail = parse(sink.messages[0][2])
    assert mail.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    assert "山田太郎" in str(mail["To"]) and mail["Subject"] == "ご注文ありがとうございます"
    assert b"=?utf-8?" in sink.messages[0][2].split(b"\r\n\r\n")[0].lower()


def test_html_in_the_body_is_escaped(api_a, services, clock, sink):
    buyer = new_buyer(api_a, name="<b>Bob</b>")
    msg = schedule(api_a, buyer["id"], body="<script>alert(1)</script>")
    at(clock, msg["scheduled_at"])
    dispatch(smtp_services(services, sink))
    html = parse(sink.messages[0][2]).get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_file_backend_writes_a_real_eml(api_a, services, clock, tmp_path):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"])
    at(clock, msg["scheduled_at"])
    mail_dir = tmp_path / "eml"
    assert dispatch(with_mail(services, MAIL_BACKEND="file", MAIL_DIR=str(mail_dir))).sent == 1
    files = list(mail_dir.glob("*.eml"))
    assert len(files) == 1
    assert parse(files[0].read_bytes())["Message-ID"] == msg["message_id"]


def test_a_second_pass_sends_nothing_again(api_a, services, clock, sink):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"])
    at(clock, msg["scheduled_at"])
    svc = smtp_services(services, sink)
    dispatch(svc)
    assert dispatch(svc).sent == 0
    assert len(sink.messages) == 1


def test_transient_failure_retries_with_backoff_then_fails_with_the_reason(api_a, services, clock, unused_port):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"], send_at="2026-03-10T12:00:00+00:00")
    at(clock, "2026-03-10T12:00:00Z")
    svc = with_mail(services, MAIL_BACKEND="smtp", SMTP_URL=f"smtp://127.0.0.1:{unused_port}",
                    SMTP_TIMEOUT=2.0, DISPATCH_MAX_ATTEMPTS=3)
    assert dispatch(svc).retried == 1
    row = _status(services, msg["id"])
    assert row.status == "scheduled" and row.attempts == 1 and "refused" in row.last_error.lower()
    first_delay = row.due_at - clock.now()
    assert timedelta(seconds=30) <= first_delay <= timedelta(seconds=60)
    for _ in range(2):
        clock.set(_status(services, msg["id"]).due_at)
        dispatch(svc)
    row = _status(services, msg["id"])
    assert row.status == "failed" and row.attempts == 3
    assert "gave up after 3 attempts" in row.last_error


def test_smtp_4xx_is_retried(api_a, services, clock, make_sink):
    sink = make_sink(refuse=lambda rcpt: "451 4.7.1 try again later")
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"], send_at="2026-03-10T12:00:00+00:00")
    at(clock, "2026-03-10T12:00:00Z")
    assert dispatch(smtp_services(services, sink)).retried == 1
    assert "451" in _status(services, msg["id"]).last_error


def test_hard_bounce_fails_at_once_and_suppresses_the_address(api_a, services, clock, make_sink):
    sink = make_sink(refuse=lambda rcpt: "550 5.1.1 no such user")
    buyer = new_buyer(api_a)
    first = schedule(api_a, buyer["id"], send_at="2026-03-10T12:00:00+00:00")
    second = schedule(api_a, buyer["id"], send_at="2026-03-11T12:00:00+00:00")
    at(clock, "2026-03-10T12:00:00Z")
    svc = smtp_services(services, sink)
    assert dispatch(svc).failed == 1
    row = _status(services, first["id"])
    assert row.status == "failed" and row.attempts == 1 and "550" in row.last_error
    with services.db.reading() as s:
        sup = s.scalar(select(Suppression))
    assert (sup.email, sup.reason, sup.scope) == ("lucia@example.es", "hard_bounce", "all")
    at(clock, "2026-03-11T12:00:00Z")
    assert dispatch(svc).suppressed == 1
    assert _status(services, second["id"]).status == "suppressed"


def test_cancelled_message_is_never_sent(api_a, services, clock, sink):
    buyer = new_buyer(api_a)
    msg = schedule(api_a, buyer["id"])
    assert api_a.post(f"/messages/{msg['id']}/cancel").get_json()["status"] == "cancelled"
    at(clock, msg["scheduled_at"])
    assert dispatch(smtp_services(services, sink)).claimed == 0
    assert sink.messages == []


def test_marketing_mail_carries_one_click_unsubscribe_headers(api_a, services, clock, sink):
    buyer = new_buyer(api_a, consent={"status": "granted", "source": "checkout"})
    msg = schedule(api_a, buyer["id"], kind="marketing")
    at(clock, msg["scheduled_at"])
    dispatch(smtp_services(services, sink))
    mail = parse(sink.messages[0][2])
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<http://127.0.0.1:5000/u/" in mail["List-Unsubscribe"] and "mailto:" in mail["List-Unsubscribe"]


def test_one_click_unsubscribe_stops_a_message_already_queued(api_a, client, services, clock, sink):
    buyer = new_buyer(api_a, consent={"status": "granted"})
    first = schedule(api_a, buyer["id"], kind="marketing", send_at="2026-03-10T12:00:00+00:00")
    second = schedule(api_a, buyer["id"], kind="marketing", send_at="2026-03-11T18:00:00+00:00")
    at(clock, "2026-03-10T12:00:00Z")
    svc = smtp_services(services, sink)
    dispatch(svc)
    url = parse(sink.messages[0][2])["List-Unsubscribe"].split("<")[1].split(">")[0]
    path = url.replace("http://127.0.0.1:5000", "")
    r = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200  # no redirect, no cookie needed
    at(clock, "2026-03-11T18:00:00Z")
    assert dispatch(svc).suppressed == 1
    assert len(sink.messages) == 1
    assert _status(services, second["id"]).last_error == "buyer unsubscribed"
    assert api_a.get(f"/buyers/{buyer['id']}").get_json()["consent"]["status"] == "withdrawn"


def test_unsubscribe_does_not_stop_transactional_mail(api_a, client, services, clock, sink):
    from crossborder_crm.outbox.unsubscribe import make_unsubscribe_token

    buyer = new_buyer(api_a)
    token = make_unsubscribe_token(services.settings["SECRET_KEY"], 1, buyer["id"])
    client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    msg = schedule(api_a, buyer["id"], kind="transactional", send_at="2026-03-10T12:00:00+00:00")
    at(clock, "2026-03-10T12:00:00Z")
    assert dispatch(smtp_services(services, sink)).sent == 1


def test_marketing_without_consent_is_suppressed_at_send(api_a, services, clock, sink):
    buyer = new_buyer(api_a, consent={"status": "granted"})
    msg = schedule(api_a, buyer["id"], kind="marketing", send_at="2026-03-10T12:00:00+00:00")
    # Denied after it was scheduled (scheduling it to a buyer who denied is refused at once).
    assert api_a.patch(f"/buyers/{buyer['id']}", {"consent": {"status": "denied"}}).status_code == 200
    at(clock, "2026-03-10T12:00:00Z")
    assert dispatch(smtp_services(services, sink)).suppressed == 1
    assert _status(services, msg["id"]).last_error == "marketing consent denied"


def test_frequency_cap_is_checked_again_at_send_time(api_a, services, clock, sink):
    buyer = new_buyer(api_a, consent={"status": "granted"})
    msgs = [schedule(api_a, buyer["id"], kind="marketing", send_at=f"2026-03-1{d}T12:00:00+00:00")
            for d in (0, 1)]
    # A third is moved past the cap window when scheduled...
    third = schedule(api_a, buyer["id"], kind="marketing", send_at="2026-03-12T12:00:00+00:00")
    assert third["scheduled_at"] >= "2026-03-17" and "frequency cap" in third["explanation"]
    # ...and one forced into the window (the reschedule sees the others) is stopped at send time.
    with services.db.transaction() as s:
        row = s.get(Message, third["id"])
        row.scheduled_at = row.due_at = datetime(2026, 3, 12, 12, tzinfo=timezone.utc)
    svc = smtp_services(services, sink)
    for day in ("2026-03-10T12:00:00Z", "2026-03-11T12:00:00Z", "2026-03-12T12:00:00Z"):
        at(clock, day)
        dispatch(svc)
    assert len(sink.messages) == 2
    assert _status(services, third["id"]).last_error == "frequency cap reached at send time"


def test_local_send_at_in_a_dst_gap_moves_to_the_end_of_the_gap(api_a):
    buyer = new_buyer(api_a)  # Europe/Madrid: 2026-03-29 02:00 -> 03:00
    msg = schedule(api_a, buyer["id"], send_at={"local": "2026-03-29T02:30"},
                   override_quiet_hours=True)  # 02:30 is in the default quiet hours
    assert msg["scheduled_at"] == "2026-03-29T01:00:00Z"
    assert msg["scheduled_local"]["time"] == "2026-03-29T03:00+02:00"
    assert "does not exist" in msg["explanation"]


def test_local_send_at_in_a_dst_overlap_takes_the_first_occurrence(api_a):
    buyer = new_buyer(api_a)  # Europe/Madrid: 2026-10-25 03:00 -> 02:00
    msg = schedule(api_a, buyer["id"], send_at={"local": "2026-10-25T02:30"},
                   override_quiet_hours=True)  # 02:30 is in the default quiet hours
    assert msg["scheduled_at"] == "2026-10-25T00:30:00Z"


def test_lost_lease_cannot_overwrite_a_reclaimed_message(api_a, services, clock):
    from crossborder_crm.outbox.store import OutboxStore

    buyer = new_buyer(api_a)
    schedule(api_a, buyer["id"], send_at="2026-03-10T12:00:00+00:00")
    at(clock, "2026-03-10T12:00:00Z")
    store = OutboxStore(services.db)
    [mine] = store.claim("worker-a", clock.now(), 10, timedelta(seconds=30))
    clock.advance(timedelta(seconds=31))
    [theirs] = store.claim("worker-b", clock.now(), 10, timedelta(seconds=30))
    assert theirs.id == mine.id and theirs.attempts == 2
    assert store.mark_sent(mine, "worker-a", clock.now(), "x@example.com") is False
    assert store.mark_sent(theirs, "worker-b", clock.now(), "x@example.com") is True


def test_stop_releases_the_rest_of_the_batch(api_a, services, clock, sink):
    import threading

    from crossborder_crm.worker import make_dispatcher

    buyer = new_buyer(api_a)
    for i in range(5):
        schedule(api_a, buyer["id"], send_at="2026-03-10T12:00:00+00:00", idempotency_key=f"k{i}")
    at(clock, "2026-03-10T12:00:00Z")
    stop = threading.Event()
    dispatcher = make_dispatcher(smtp_services(services, sink), "w", stop)
    original = dispatcher.send_one

    def send_then_stop(*args):
        original(*args)
        stop.set()  # SIGTERM arrives while the first message is being sent

    dispatcher.send_one = send_then_stop
    result = dispatcher.run_pass()
    assert (result.sent, result.released) == (1, 4)
    with services.db.reading() as s:
        rows = s.scalars(select(Message).where(Message.status == "scheduled")).all()
    assert len(rows) == 4 and all(r.attempts == 0 and r.lease_owner is None for r in rows)


def _force_due(services, message_ids, when):
    with services.db.transaction() as s:
        for message_id in message_ids:
            row = s.get(Message, message_id)
            row.scheduled_at = row.due_at = when


def test_cap_counts_the_marketing_sent_earlier_in_the_same_pass(api_a, services, clock, sink):
    from crossborder_crm.outbox.models import SendLog

    buyer = new_buyer(api_a, consent={"status": "granted"})
    ids = [schedule(api_a, buyer["id"], kind="marketing", send_at="2026-03-10T12:00:00+00:00",
                    idempotency_key=f"promo-{i}")["id"] for i in range(3)]
    _force_due(services, ids, datetime(2026, 3, 10, 12, tzinfo=timezone.utc))
    at(clock, "2026-03-10T12:00:00Z")
    result = dispatch(smtp_services(services, sink))
    assert (result.sent, result.suppressed) == (2, 1)
    assert len(sink.messages) == 2
    with services.db.reading() as s:
        logged = s.scalars(select(SendLog.message_id).order_by(SendLog.message_id)).all()
        capped = s.scalars(select(Message).where(Message.status == "suppressed")).one()
    assert logged == sorted(set(ids) - {capped.id})
    assert capped.last_error == "frequency cap reached at send time"


def test_a_marketing_mark_with_a_lost_lease_logs_no_send(api_a, services, clock):
    from crossborder_crm.outbox.models import SendLog
    from crossborder_crm.outbox.store import OutboxStore

    buyer = new_buyer(api_a, consent={"status": "granted"})
    schedule(api_a, buyer["id"], kind="marketing", send_at="2026-03-10T12:00:00+00:00")
    at(clock, "2026-03-10T12:00:00Z")
    store = OutboxStore(services.db)
    [mine] = store.claim("worker-a", clock.now(), 10, timedelta(seconds=30))
    clock.advance(timedelta(seconds=31))
    [theirs] = store.claim("worker-b", clock.now(), 10, timedelta(seconds=30))
    assert store.mark_sent(mine, "worker-a", clock.now(), "x@example.com") is False
    with services.db.reading() as s:
        assert s.scalars(select(SendLog)).all() == []
    assert store.mark_sent(theirs, "worker-b", clock.now(), "x@example.com") is True
    with services.db.reading() as s:
        assert s.scalars(select(SendLog.message_id)).all() == [theirs.id]


def test_marks_inside_one_pinned_pass_are_committed_for_other_connections(api_a, services, clock):
    from crossborder_crm.outbox.store import OutboxStore

    buyer = new_buyer(api_a)
    schedule(api_a, buyer["id"], send_at="2026-03-10T12:00:00+00:00")
    at(clock, "2026-03-10T12:00:00Z")
    store = OutboxStore(services.db)
    with store.pinned():
        [msg] = store.claim("worker-a", clock.now(), 10, timedelta(seconds=30))
        assert store.mark_sent(msg, "worker-a", clock.now(), "x@example.com") is True
        # Read on another connection while the pass still holds its own.
        assert _status(services, msg.id).status == "sent"


def test_an_unsubscribe_during_the_previous_send_stops_the_next_message(api_a, services, clock, sink):
    from crossborder_crm.outbox.store import add_suppression
    from crossborder_crm.worker import make_dispatcher

    first = new_buyer(api_a, email="first@example.es", consent={"status": "granted"})
    second = new_buyer(api_a, email="second@example.es", consent={"status": "granted"})
    ids = [schedule(api_a, b["id"], kind="marketing", send_at="2026-03-10T12:00:00+00:00")["id"]
           for b in (first, second)]
    _force_due(services, ids, datetime(2026, 3, 10, 12, tzinfo=timezone.utc))
    at(clock, "2026-03-10T12:00:00Z")
    seller_id = _status(services, ids[1]).seller_id
    dispatcher = make_dispatcher(smtp_services(services, sink), "w")
    factory = dispatcher.transport_factory

    def transport():
        real = factory()
        send, sent = real.send, []

        def send_and_unsubscribe_the_next(*args):
            send(*args)
            sent.append(1)
            if len(sent) == 1:  # the second buyer clicks "unsubscribe" while the first mail goes out
                with services.db.transaction() as s:
                    add_suppression(s, seller_id, "second@example.es", "unsubscribe", "marketing",
                                    clock.now())

        real.send = send_and_unsubscribe_the_next
        return real

    dispatcher.transport_factory = transport
    result = dispatcher.run_pass()
    assert (result.sent, result.suppressed) == (1, 1)
    assert [rcpts for _, rcpts, _ in sink.messages] == [["first@example.es"]]
    assert _status(services, ids[1]).last_error == "buyer unsubscribed"


def test_each_message_is_marked_sent_before_the_next_one_can_be_accepted(api_a, services, clock, make_sink):
    buyer = new_buyer(api_a)
    ids = [schedule(api_a, buyer["id"], send_at="2026-03-10T12:00:00+00:00", idempotency_key=f"k{i}")["id"]
           for i in range(4)]
    unmarked_at_arrival = []

    def look_at_the_outbox(raw):  # runs in the SMTP server as each message's data arrives
        with services.db.reading() as s:
            unmarked_at_arrival.append(s.scalar(
                select(func.count()).select_from(Message).where(Message.status != "sent")))
        return None

    sink = make_sink(reject_data=look_at_the_outbox)
    at(clock, "2026-03-10T12:00:00Z")
    assert dispatch(smtp_services(services, sink)).sent == 4
    # Message k arrives while k (and the ones after it) are unmarked, never k - 1.
    assert unmarked_at_arrival == [4, 3, 2, 1]
    assert sorted(ids) == [m for m, in _rows(services)]


def _rows(services):
    with services.db.reading() as s:
        return s.execute(select(Message.id).where(Message.status == "sent").order_by(Message.id)).all()


def test_a_mark_that_fails_keeps_the_next_message_from_being_delivered(api_a, services, clock, sink, monkeypatch):
    from crossborder_crm.outbox.store import OutboxStore
    from crossborder_crm.worker import make_dispatcher

    buyer = new_buyer(api_a)
    for i in range(2):
        schedule(api_a, buyer["id"], send_at="2026-03-10T12:00:00+00:00", idempotency_key=f"k{i}")
    at(clock, "2026-03-10T12:00:00Z")
    dispatcher = make_dispatcher(smtp_services(services, sink), "w")

    def database_gone(*_args, **_kwargs):
        raise ConnectionError("database connection lost")

    monkeypatch.setattr(OutboxStore, "mark_sent", database_gone)
    with pytest.raises(ConnectionError):
        dispatcher.run_pass()
    # The first message went out; the session stopped before sending the second.
    assert len(sink.messages) == 1


def _two_due(api_a, services, **buyer_fields):
    buyers = [new_buyer(api_a, email=f"buyer{i}@example.es", **buyer_fields) for i in range(2)]
    ids = [schedule(api_a, b["id"], send_at="2026-03-10T12:00:00+00:00")["id"] for b in buyers]
    return buyers, ids


@pytest.mark.parametrize("failing", [0, 1], ids=["first-of-the-batch", "second"])
def test_a_message_that_fails_to_render_fails_alone(api_a, services, clock, sink, failing):
    from crossborder_crm.worker import make_dispatcher

    _, ids = _two_due(api_a, services)
    at(clock, "2026-03-10T12:00:00Z")
    dispatcher = make_dispatcher(smtp_services(services, sink), "w")
    build = dispatcher.build

    def build_or_break(msg, *args):
        if msg.id == ids[failing]:
            raise KeyError("missing template variable")
        return build(msg, *args)

    dispatcher.build = build_or_break
    result = dispatcher.run_pass()
    assert (result.sent, result.failed) == (1, 1)
    assert "rendering failed" in _status(services, ids[failing]).last_error
    assert _status(services, ids[1 - failing]).status == "sent"


def test_a_message_goes_to_the_address_its_buyer_has_when_it_is_sent(api_a, services, clock, sink):
    from crossborder_crm.buyers.models import Buyer
    from crossborder_crm.worker import make_dispatcher

    buyers, ids = _two_due(api_a, services)
    at(clock, "2026-03-10T12:00:00Z")
    dispatcher = make_dispatcher(smtp_services(services, sink), "w")
    factory = dispatcher.transport_factory

    def transport():
        real = factory()
        send = real.send

        def send_then_move_the_second_buyer(*args):
            send(*args)
            with services.db.transaction() as s:
                s.get(Buyer, buyers[1]["id"]).email = "moved@example.es"

        real.send = send_then_move_the_second_buyer
        return real

    dispatcher.transport_factory = transport
    assert dispatcher.run_pass().sent == 2
    rcpts, raw = sink.messages[1][1], sink.messages[1][2]
    assert rcpts == ["moved@example.es"] and "moved@example.es" in str(parse(raw)["To"])
