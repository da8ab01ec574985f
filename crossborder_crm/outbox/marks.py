"""Marking accepted messages sent, settled before the next message can be accepted.

The dispatcher submits each message the SMTP server accepted and settles it at the last moment
before the next one can be accepted (after that message's body, before the end of its data).
So at most one accepted message is ever unmarked -- the window no mailer can close -- while
the mark's commit overlaps the next message's check, rendering and transfer.

On SQLite a commit is a quick local write: it runs inline when settled. On PostgreSQL a durable
commit waits for the disk, so it runs on a second connection in a helper thread (the driver
releases the GIL while it waits) as soon as it is submitted.
"""
from __future__ import annotations

import queue
import threading
from datetime import datetime

from crossborder_crm.outbox.store import Claimed, OutboxStore


class InlineMarks:
    """Marks the submitted message when settled, on the dispatcher's own connection."""

    def __init__(self, store: OutboxStore, worker: str):
        self.store, self.worker = store, worker
        self.pending: Claimed | None = None
        self._job: tuple[Claimed, str, datetime] | None = None

    def submit(self, msg: Claimed, to_email: str, at: datetime) -> None:
        """Hand over a message the server accepted at `at`."""
        self.pending, self._job = msg, (msg, to_email, at)

    def settle(self) -> tuple[Claimed, bool] | None:
        """Make the submitted mark durable: (message, False if its lease was lost), or None."""
        job, self._job, self.pending = self._job, None, None
        if job is None:
            return None
        msg, to_email, at = job
        return msg, self.store.mark_sent(msg, self.worker, at, to_email)

    def close(self) -> None:
        """Release what the marks hold (nothing here)."""


class ThreadedMarks(InlineMarks):
    """Starts each mark at once on its own connection in a helper thread; settle() waits for it."""

    def __init__(self, store: OutboxStore, worker: str):
        super().__init__(OutboxStore(store.db), worker)
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._done = threading.Event()
        self._outcome: tuple[bool, BaseException | None] = (False, None)
        self._thread: threading.Thread | None = None
        self._closed = False  # the thread took close()'s sentinel

    def submit(self, msg: Claimed, to_email: str, at: datetime) -> None:
        if self._thread is None:
            self._closed = False
            self._thread = threading.Thread(target=self._run, name="outbox-marks", daemon=True)
            self._thread.start()
        self.pending = msg
        self._done.clear()
        self._jobs.put((msg, to_email, at))

    def settle(self) -> tuple[Claimed, bool] | None:
        msg, self.pending = self.pending, None
        if msg is None:
            return None
        self._done.wait()
        ok, error = self._outcome
        if error is not None:
            raise error
        return msg, ok

    def close(self) -> None:
        if self._thread is not None:
            self._jobs.put(None)
            self._thread.join()
            self._thread = None

    def _run(self) -> None:
        try:
            with self.store.pinned():
                self._serve(None)
        except BaseException as exc:  # the connection failed: every later mark reports it
            if not self._closed:
                self._serve(exc)

    def _serve(self, broken: BaseException | None) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                if broken is not None:
                    raise broken
                msg, to_email, at = job
                self._outcome = (self.store.mark_sent(msg, self.worker, at, to_email), None)
            except BaseException as exc:  # handed to the dispatcher by settle()
                self._outcome = (False, exc)
            finally:
                self._done.set()
        self._closed = True


def marks_for(store: OutboxStore, worker: str) -> InlineMarks:
    """Threaded marks where commits wait on a server's disk (PostgreSQL), inline otherwise."""
    return ThreadedMarks(store, worker) if store.driver.postgres else InlineMarks(store, worker)
