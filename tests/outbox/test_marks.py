"""Marks: settled before the next message can be accepted, inline or in a helper thread."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest

from crossborder_crm.outbox.marks import InlineMarks, ThreadedMarks
from crossborder_crm.outbox.models import Message
from crossborder_crm.outbox.store import OutboxStore
from tests.outbox.helpers import at, new_buyer, schedule


def _claimed(api_a, services, clock):
    buyer = new_buyer(api_a)
    schedule(api_a, buyer["id"], send_at="2026-03-10T12:00:00+00:00")
    at(clock, "2026-03-10T12:00:00Z")
    [msg] = OutboxStore(services.db).claim("w", clock.now(), 10, timedelta(seconds=60))
    return msg


@pytest.mark.parametrize("kind", [InlineMarks, ThreadedMarks], ids=["inline", "threaded"])
def test_a_settled_mark_is_committed(api_a, services, clock, kind):
    msg = _claimed(api_a, services, clock)
    marks = kind(OutboxStore(services.db), "w")
    try:
        marks.submit(msg, "lucia@example.es", clock.now())
        assert marks.pending == msg
        assert marks.settle() == (msg, True)
        assert marks.pending is None and marks.settle() is None
    finally:
        marks.close()
    with services.db.reading() as s:
        assert s.get(Message, msg.id).status == "sent"


def test_threaded_marks_report_a_connection_that_cannot_be_opened_and_still_close(
        api_a, services, clock, monkeypatch):
    msg = _claimed(api_a, services, clock)

    @contextmanager
    def unreachable(self):
        raise ConnectionError("database unreachable")
        yield

    monkeypatch.setattr(OutboxStore, "pinned", unreachable)
    marks = ThreadedMarks(OutboxStore(services.db), "w")
    marks.submit(msg, "lucia@example.es", clock.now())
    with pytest.raises(ConnectionError):
        marks.settle()
    marks.close()  # returns: the thread is not left waiting
    assert marks._thread is None
