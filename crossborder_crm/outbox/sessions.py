"""A worker's SMTP sessions in flight: N dispatchers side by side, each with its own database
connection, its own reused SMTP connection and its own lease name, so every guarantee holds per
session (gate re-checked at send, fenced mark, at most one accepted message unmarked).

A relay answers each message in 50-300 ms; one connection then gives 5-20 messages a second,
whatever the CPU. N sessions wait on the relay at once. SQLite has one writer: there a worker runs
one session.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import fields
from typing import Callable

from crossborder_crm.outbox.dispatcher import Dispatcher, PassResult

log = logging.getLogger(__name__)

MAX_CONCURRENCY = 16


def effective_concurrency(requested: int, dialect: str) -> int:
    """The sessions a worker runs: as asked on PostgreSQL, one on SQLite."""
    return 1 if dialect == "sqlite" else max(1, min(int(requested), MAX_CONCURRENCY))


def session_name(worker: str, index: int, concurrency: int) -> str:
    """The lease name of one session: the worker's own when it runs one."""
    return worker if concurrency == 1 else f"{worker}/{index}"


def merge(results: list[PassResult]) -> PassResult:
    """One pass's result from its sessions' results."""
    total = PassResult()
    for r in results:
        for f in fields(PassResult):
            if f.name == "errors":
                total.errors.extend(r.errors)
            else:
                setattr(total, f.name, getattr(total, f.name) + getattr(r, f.name))
    return total


class Sessions:
    """Runs one pass in `concurrency` sessions made by `make(index, name)` and adds up what they did."""

    def __init__(self, make: Callable[[int, str], Dispatcher], worker: str, concurrency: int):
        self.make, self.worker, self.concurrency = make, worker, concurrency

    def run_pass(self) -> PassResult:
        """Every session drains what is due; returns when all have stopped."""
        if self.concurrency == 1:
            return self.make(0, self.worker).run_pass()
        results: list[PassResult | None] = [None] * self.concurrency
        failures: list[BaseException] = []

        def run(index: int) -> None:
            try:
                results[index] = self.make(index, session_name(self.worker, index, self.concurrency)).run_pass()
            except BaseException as exc:  # noqa: BLE001 - re-raised once every session has stopped
                log.exception("outbox session %s failed", index)
                failures.append(exc)

        threads = [threading.Thread(target=run, args=(i,), name=f"outbox-session-{i}", daemon=True)
                   for i in range(self.concurrency)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failures:
            raise failures[0]
        return merge([r for r in results if r is not None])
