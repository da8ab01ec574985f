"""The worker: APScheduler ticks the dispatcher and the periodic jobs; the database owns the truth.

Jobs are declared as data in one place. Every trigger runs in UTC, so DST never skips or
doubles a run; missed ticks coalesce into one; `once=True` jobs run in one worker at a time.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable
from wsgiref.simple_server import WSGIServer

from sqlalchemy import select

from crossborder_crm.accounts.service import prune_throttle
from crossborder_crm.buyers.models import Buyer
from crossborder_crm.campaigns.ab_decision import decide_due
from crossborder_crm.campaigns.lifecycle import plan_standing
from crossborder_crm.campaigns.segments_service import refresh_segments
from crossborder_crm.container import Services
from crossborder_crm.feedback.bounces import fetch_bounces, record_dsn
from crossborder_crm.feedback.mailbox import ImapMailbox, MailboxError
from crossborder_crm.feedback.rules import Policy
from crossborder_crm.i18n.machine_catalog import (
    fill_machine_catalogs,
    refresh_machine_catalogs,
)
from crossborder_crm.marketplaces.apply import apply_pending
from crossborder_crm.ops.dispatch_observer import MetricsLogObserver
from crossborder_crm.ops.metrics import scrape_registry
from crossborder_crm.ops.metrics_server import start_metrics_server
from crossborder_crm.outbox.backends import make_transport
from crossborder_crm.outbox.dispatcher import DispatchConfig, Dispatcher, PassResult
from crossborder_crm.outbox.locks import run_once
from crossborder_crm.outbox.rate_limits import Limits, RateLimiter
from crossborder_crm.outbox.relay_check import TEST_EMAIL_WINDOW_SECONDS
from crossborder_crm.outbox.send_timing import refresh_country_curves
from crossborder_crm.outbox.sessions import Sessions, effective_concurrency
from crossborder_crm.outbox.store import OutboxStore
from crossborder_crm.replies.from_events import draft_new_events
from crossborder_crm.shipments.scan import scan_shipments

BOUNCE_BATCH = 500  # DSNs read from the bounce mailbox a pass
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    """A job the worker runs on an interval; `once` = in one worker only (advisory lock)."""

    name: str
    func: Callable[[Services, str], object]
    seconds: int
    once: bool = False


def worker_id() -> str:
    """host:pid — unique across the workers sharing one database."""
    return f"{socket.gethostname()}:{os.getpid()}"


def make_dispatcher(svc: Services, worker: str, stop: threading.Event | None = None,
                    batch_size: int | None = None, refresh: bool = True) -> Dispatcher:
    """A dispatcher (one session) wired from settings: store, transport, clock, config."""
    st = svc.settings
    config = DispatchConfig(
        worker_id=worker, secret_key=st["SECRET_KEY"], public_url=st["PUBLIC_URL"],
        mail_domain=st["MAIL_FROM_DOMAIN"], batch_size=batch_size or st["DISPATCH_BATCH_SIZE"],
        lease=timedelta(seconds=st["DISPATCH_LEASE_SECONDS"]), max_attempts=st["DISPATCH_MAX_ATTEMPTS"],
        backoff_base=timedelta(seconds=st["DISPATCH_BACKOFF_BASE_SECONDS"]),
        limits=Limits(st["SMTP_MAX_PER_SECOND"] or None, st["SMTP_MAX_PER_DOMAIN_PER_MINUTE"] or None,
                      st["SMTP_THROTTLE_BACKOFF_SECONDS"]))

    def transport():
        return make_transport(st["MAIL_BACKEND"], mail_dir=st["MAIL_DIR"], smtp_url=st["SMTP_URL"],
                              timeout=st["SMTP_TIMEOUT"])

    translator = svc.translator
    catalogs = (lambda: refresh_machine_catalogs(translator)) if translator is not None and refresh else None
    return Dispatcher(OutboxStore(svc.db), transport, svc.clock, config, stop=stop, box=svc.box,
                      observer=MetricsLogObserver(), refresh_catalogs=catalogs, limiter=RateLimiter(svc.db))


def make_sessions(svc: Services, worker: str, stop: threading.Event | None = None) -> Sessions:
    """DISPATCH_CONCURRENCY sessions (one on SQLite), each claiming its share of a batch at a time."""
    n = effective_concurrency(svc.settings["DISPATCH_CONCURRENCY"], svc.db.dialect)
    batch = max(1, svc.settings["DISPATCH_BATCH_SIZE"] // n)
    # Only the first session refreshes the machine-made catalogs: they are shared by the process.
    return Sessions(lambda i, name: make_dispatcher(svc, name, stop, batch, refresh=i == 0), worker, n)


def dispatch_job(svc: Services, worker: str, stop: threading.Event | None = None) -> PassResult:
    """One dispatch pass, in every session of the worker."""
    result = make_sessions(svc, worker, stop).run_pass()
    if result.claimed:
        log.info("dispatch: %s", result)
    return result


def refresh_country_curves_job(svc: Services, worker: str) -> None:
    """Learn each seller's country curves from all their buyers' activity (once-only job)."""
    with run_once(svc.db, "country_curves", worker, svc.clock.now()) as mine:
        if mine:
            refresh_country_curves(svc.db, svc.clock)


def webhooks_apply_job(svc: Services, worker: str) -> None:
    """Apply the webhook deliveries received since the last tick (the endpoint only stores them).

    Every worker may run it: each delivery is claimed by one of them (marketplaces.apply).
    """
    result = apply_pending(svc.db, svc.clock, svc.settings)
    if result.total:
        log.info("webhooks: %s", result.counts)


def shipment_scan_job(svc: Services, worker: str) -> None:
    """Flag stalled and late parcels, send due follow-ups, notify active incidents (once-only job)."""
    with run_once(svc.db, "shipment_scan", worker, svc.clock.now()) as mine:
        if mine:
            result = scan_shipments(svc.db, svc.clock, svc.settings)
            log.info("shipment scan: %s", result)


def machine_catalogs_job(svc: Services, worker: str) -> None:
    """Machine-translate the email catalog for buyer languages that ship none (once-only job; the
    only place email strings go to the translator: the dispatcher reads the cache)."""
    if svc.translator is None:
        return
    with run_once(svc.db, "machine_catalogs", worker, svc.clock.now()) as mine:
        if mine:
            with svc.db.reading() as s:
                languages = s.scalars(select(Buyer.language).distinct()).all()
            result = fill_machine_catalogs(svc.translator, languages)
            if result.translated or result.failed:
                log.info("machine catalogs: %s", result)


def reply_drafts_job(svc: Services, worker: str) -> None:
    """Draft replies for the marketplaces' new buyer messages, bad reviews and disputes (once-only job)."""
    with run_once(svc.db, "reply_drafts", worker, svc.clock.now()) as mine:
        if mine:
            result = draft_new_events(svc.db, svc.clock, svc.translator)
            if result.drafted or result.failed:
                log.info("reply drafts: %s", result)


def segments_job(svc: Services, worker: str) -> None:
    """Score every buyer from the order history and store their segment (once-only job)."""
    with run_once(svc.db, "segments", worker, svc.clock.now()) as mine:
        if mine:
            log.info("segments: %s", refresh_segments(svc.db, svc.clock))


def bounce_mailbox_job(svc: Services, worker: str) -> None:
    """Record the DSNs in the bounce mailbox when one is configured (once-only job)."""
    if not svc.settings["BOUNCE_IMAP_HOST"]:
        return
    with run_once(svc.db, "bounce_mailbox", worker, svc.clock.now()) as mine:
        if not mine:
            return
        policy = Policy.from_settings(svc.settings)
        try:
            with ImapMailbox.from_settings(svc.settings) as mailbox:
                counts = fetch_bounces(mailbox, lambda raw: record_dsn(svc.db, svc.clock, policy, raw), BOUNCE_BATCH)
        except MailboxError as exc:  # the mailbox is down or refuses us: said, tried again next time
            log.warning("bounce mailbox: %s", exc)
            return
        if counts:
            log.info("bounce mailbox: %s", dict(counts))


def standing_campaigns_job(svc: Services, worker: str) -> None:
    """Plan the buyers now due in each launched repurchase campaign (once-only job; once per buyer per cycle)."""
    with run_once(svc.db, "standing_campaigns", worker, svc.clock.now()) as mine:
        if mine:
            planned = plan_standing(svc.db, svc.clock, mail_domain=svc.settings["MAIL_FROM_DOMAIN"],
                                    translator=svc.translator)
            if planned:
                log.info("standing campaigns: %s emails planned", planned)


def ab_decisions_job(svc: Services, worker: str) -> None:
    """Decide the campaigns' A/B tests whose hours have passed and release the rest (once-only job)."""
    with run_once(svc.db, "ab_decisions", worker, svc.clock.now()) as mine:
        if mine:
            decided = decide_due(svc.db, svc.clock)
            if decided:
                log.info("A/B tests decided: %s", decided)


def prune_throttle_job(svc: Services, worker: str) -> None:
    """Delete the login_throttle rows whose windows and pauses are over (once-only job)."""
    # The longest window any key uses: a row untouched for longer counts for nothing any more.
    keep = max(svc.settings["LOGIN_CLIENT_LOCKOUT_SECONDS"], TEST_EMAIL_WINDOW_SECONDS)
    with run_once(svc.db, "prune_throttle", worker, svc.clock.now()) as mine:
        if mine:
            pruned = prune_throttle(svc.db, svc.clock, keep)
            if pruned:
                log.info("login throttle: %s expired rows deleted", pruned)


# Later capabilities add their jobs here (stalled-shipment scan, campaign triggers, segments).
JOBS: list[PeriodicJob] = [
    PeriodicJob("country_curves", refresh_country_curves_job, seconds=6 * 3600, once=True),
    PeriodicJob("shipment_scan", shipment_scan_job, seconds=15 * 60, once=True),
    PeriodicJob("webhooks_apply", webhooks_apply_job, seconds=2),
    PeriodicJob("machine_catalogs", machine_catalogs_job, seconds=5 * 60, once=True),
    PeriodicJob("reply_drafts", reply_drafts_job, seconds=30, once=True),
    PeriodicJob("segments", segments_job, seconds=6 * 3600, once=True),
    PeriodicJob("bounce_mailbox", bounce_mailbox_job, seconds=5 * 60, once=True),
    PeriodicJob("standing_campaigns", standing_campaigns_job, seconds=3600, once=True),
    PeriodicJob("ab_decisions", ab_decisions_job, seconds=5 * 60, once=True),
    # Hourly: the table holds one row per key seen; one DELETE keeps it to the keys still counted.
    PeriodicJob("prune_throttle", prune_throttle_job, seconds=3600, once=True),
]


def build_scheduler(svc: Services, worker: str, stop: threading.Event, *, blocking: bool):
    """An APScheduler with the dispatcher tick and every periodic job, all in UTC."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    cls = BlockingScheduler if blocking else BackgroundScheduler
    sched = cls(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 300})
    interval = svc.settings["DISPATCH_INTERVAL_SECONDS"]
    busy = threading.Lock()

    def tick():
        with busy:
            if not stop.is_set():
                dispatch_job(svc, worker, stop)

    sched.add_job(tick, "interval", seconds=interval, id="dispatch")
    for job in JOBS:
        sched.add_job(job.func, "interval", seconds=job.seconds, args=(svc, worker), id=job.name)
    sched.busy = busy  # run_worker waits on it so the message in flight is finished on shutdown
    return sched


def serve_worker_metrics(svc: Services, port: int) -> WSGIServer:
    """Expose this worker's counters and the outbox gauges on WORKER_METRICS_ADDR:`port` (a daemon thread)."""
    addr = svc.settings["WORKER_METRICS_ADDR"]
    server = start_metrics_server(port, addr, scrape_registry(svc.db, svc.clock), svc.settings["METRICS_TOKEN"])
    log.info("worker metrics on http://%s:%s/metrics", addr, server.server_port)
    return server


def run_worker(svc: Services, metrics_port: int | None = None) -> None:
    """Block running the scheduler until SIGTERM/SIGINT: finish the current message, release the rest.

    `metrics_port` (default: the WORKER_METRICS_PORT setting; 0: none) serves /metrics meanwhile.
    """
    stop = threading.Event()
    worker = worker_id()
    port = svc.settings["WORKER_METRICS_PORT"] if metrics_port is None else metrics_port
    if port:
        serve_worker_metrics(svc, port)
    sched = build_scheduler(svc, worker, stop, blocking=True)

    def _shutdown(signum, _frame):
        log.info("worker %s: signal %s, finishing the current message", worker, signum)
        stop.set()
        sched.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _shutdown)
    signal.signal(signal.SIGINT, _shutdown)
    log.info("worker %s started (dispatch every %ss, %s SMTP sessions)", worker,
             svc.settings["DISPATCH_INTERVAL_SECONDS"],
             effective_concurrency(svc.settings["DISPATCH_CONCURRENCY"], svc.db.dialect))
    # A restart catches up in one pass: everything due while the worker was down goes out now.
    with sched.busy:
        dispatch_job(svc, worker, stop)
    if not stop.is_set():
        sched.start()
    with sched.busy:  # wait for a pass still in flight to finish its message and release the rest
        log.info("worker %s stopped", worker)
