"""The dispatcher: claim due messages, re-check, render, send over one reused connection, mark.

Each message runs one plain sequence, claim -> check -> build -> send -> mark: a message the relay
accepted is marked sent in its own commit before the session takes the next one, so at most one
accepted message per session is ever unmarked (a worker's sessions in flight: sessions.py).

It is given everything it needs (store, transport factory, clock, a plain config); it reads no
settings itself. One pass drains what is due at the pass's instant, batch by batch. Before a pass
it may refresh the machine-made email catalogs from the database (`refresh_catalogs`); nothing in
the send loop calls a translator.
"""
from __future__ import annotations

import logging
import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable

from crossborder_crm.clock import Clock
from crossborder_crm.i18n.emails import template_values
from crossborder_crm.outbox.backends import PermanentDeliveryError, TransientDeliveryError, Transport
from crossborder_crm.outbox.backends.smtp_settings import SmtpSettings
from crossborder_crm.outbox.deliverability import address_refusal
from crossborder_crm.outbox.dispatch_events import DispatchObserver, DispatchOutcome, NoObserver
from crossborder_crm.outbox.mime import DkimKey, OutgoingEmail, build_message
from crossborder_crm.outbox.rate_limits import Limits, RateLimiter, is_throttling, recipient_domain
from crossborder_crm.outbox.render import RenderInput, clear_caches, render
from crossborder_crm.outbox.routes import Routes, smtp_transport
from crossborder_crm.outbox.send_window import QuietHold, quiet_hold
from crossborder_crm.outbox.store import Claimed, OutboxStore, SendCheck, SenderInfo
from crossborder_crm.outbox.tracking import instrument
from crossborder_crm.outbox.unsubscribe import make_unsubscribe_token, unsubscribe_links
from crossborder_crm.secret_box import SecretBox, UndecryptableSecret

log = logging.getLogger(__name__)
SLOT_RETRY = timedelta(seconds=5)  # a message whose relay has no free connection is tried again this soon


@dataclass(frozen=True)
class DispatchConfig:
    """Knobs of the sending engine, taken from settings by the caller."""

    worker_id: str
    secret_key: str
    public_url: str
    mail_domain: str
    batch_size: int = 100
    lease: timedelta = timedelta(seconds=120)
    max_attempts: int = 8
    backoff_base: timedelta = timedelta(seconds=60)
    backoff_max: timedelta = timedelta(hours=6)
    max_batches_per_pass: int = 1000
    limits: Limits = field(default_factory=Limits)  # the default relay's rates (outbox.rate_limits)


@dataclass
class PassResult:
    """What one pass did."""

    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    suppressed: int = 0
    released: int = 0
    lost_lease: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempt: int, base: timedelta, cap: timedelta, rng: random.Random) -> timedelta:
    """Exponential backoff with full jitter: uniform in [base/2, base·2^(attempt-1)], capped."""
    upper = min(cap.total_seconds(), base.total_seconds() * (2 ** max(0, attempt - 1)))
    return timedelta(seconds=rng.uniform(min(base.total_seconds() / 2, upper), upper))


OFFER_ENDED = "the offer had ended for this buyer"


def gate_reason(msg: Claimed, gate: SendCheck, cap_count: int, now: datetime | None = None) -> str | None:
    """Why a message must not go out now (None: it may); `now` checks a campaign offer's local end."""
    if gate.status != "sending":
        return f"status changed to {gate.status}"
    # The same rule refuses such a message when it is written (outbox.deliverability).
    refusal = address_refusal(msg.kind, gate.email, gate.consent_status, gate.suppressed_scope)
    if refusal is not None:
        return str(refusal.reason)  # a plain str: the driver stores it as is
    if msg.kind == "marketing" and gate.marketing_sent >= cap_count:
        return "frequency cap reached at send time"
    not_after = (msg.context or {}).get("not_after")
    if now is not None and not_after and now >= datetime.fromisoformat(not_after):
        return OFFER_ENDED  # a sale is never mailed after it ended where the buyer lives
    return None


class Dispatcher:
    """Sends due messages; safe to run in many processes against PostgreSQL."""

    def __init__(self, store: OutboxStore, transport_factory: Callable[[], Transport], clock: Clock,
                 config: DispatchConfig, stop: threading.Event | None = None, rng: random.Random | None = None,
                 *, box: SecretBox, observer: DispatchObserver | None = None,
                 refresh_catalogs: Callable[[], bool] | None = None, limiter: RateLimiter | None = None,
                 relay_transport: Callable[[SmtpSettings], Transport] = smtp_transport):
        self.store, self.transport_factory, self.clock, self.config = store, transport_factory, clock, config
        # Installs complete machine-made catalogs from the cache; True when one changed.
        self.refresh_catalogs = refresh_catalogs
        self.limiter = limiter  # rates and throttling pauses shared by every worker; None: no limits
        # Looked up at each new connection: tests and benchmarks swap transport_factory on the instance.
        self._routes = Routes(lambda: self.transport_factory(), relay_transport, config.limits, box, limiter,
                              config.worker_id)
        self.stop = stop or threading.Event()
        self.rng = rng or random.Random()
        self.box = box
        self._senders: dict[int, SenderInfo] = {}
        self._dkim_keys: dict[int, DkimKey] = {}  # decrypted once per seller per pass, like _senders
        self.observer = observer or NoObserver()  # metrics and logs, told each message's outcome

    def run_pass(self) -> PassResult:
        """Claim and send batches until nothing is due (or stop is requested)."""
        result = PassResult()
        self._refresh_catalogs()
        with self.store.pinned():
            try:
                self._drain(result)
            finally:
                self._senders.clear()
                self._dkim_keys.clear()
        return result

    def _refresh_catalogs(self) -> None:
        """Pick up machine-made catalogs completed since the last pass; a failure only means the
        emails go in the fallback language a while longer."""
        if self.refresh_catalogs is None:
            return
        try:
            if self.refresh_catalogs():
                clear_caches()
        except Exception as exc:  # noqa: BLE001 -- never a reason not to send
            log.warning("machine catalogs not refreshed: %s", exc)

    def _drain(self, result: PassResult) -> None:
        try:
            for _ in range(self.config.max_batches_per_pass):
                if self.stop.is_set():
                    break
                batch = self.store.claim(self.config.worker_id, self.clock.now(), self.config.batch_size,
                                         self.config.lease)
                if not batch:
                    break
                result.claimed += len(batch)
                self._send_batch(batch, result)
        finally:
            self._routes.close()

    def _connection(self, msg: Claimed, result: PassResult) -> Transport | None:
        """The session's connection to the message's relay; None when the message was put back (every
        connection to its relay is in use) or failed (the seller's relay password cannot be read)."""
        now = self.clock.now()
        try:
            route = self._routes.route(self._sender(msg.seller_id))
        except UndecryptableSecret as exc:
            self._count(self.store.mark_failed(msg, self.config.worker_id, now, str(exc)), result, "failed", msg,
                        now, str(exc))
            return None
        transport = self._routes.transport(route)
        if transport is None:
            reason = f"all {route.limits.max_connections} connections to relay {route.key} are in use"
            self._count_released(self.store.defer(msg, self.config.worker_id, now, now + SLOT_RETRY, reason), result)
        return transport

    def _send_batch(self, batch: list[Claimed], result: PassResult) -> None:
        # Stop well before the lease runs out, so no other worker reclaims a row still being sent.
        lease_deadline = self.clock.now() + self.config.lease * 0.8
        for index, msg in enumerate(batch):
            if self.stop.is_set() or self.clock.now() > lease_deadline:
                result.released += self.store.release([m.id for m in batch[index:]], self.config.worker_id,
                                                      self.clock.now())
                return
            transport = self._connection(msg, result)
            if transport is not None:
                self.send_one(msg, transport, result)

    def _sender(self, seller_id: int) -> SenderInfo:
        if seller_id not in self._senders:
            self._senders[seller_id] = self.store.sender(seller_id)
        return self._senders[seller_id]

    def _dkim_key(self, sender: SenderInfo) -> DkimKey | None:
        """The seller's signing key in clear (None: DKIM off); a key that cannot be decrypted fails
        each of the seller's messages with the reason, not the whole pass."""
        if not (sender.dkim_domain and sender.dkim_selector and sender.dkim_private_key):
            return None
        if sender.id not in self._dkim_keys:
            try:
                pem = self.box.decrypt(sender.dkim_private_key)
            except UndecryptableSecret as exc:
                raise UndecryptableSecret(f"DKIM private key of seller {sender.id}: {exc}") from None
            self._dkim_keys[sender.id] = DkimKey(sender.dkim_domain, sender.dkim_selector, pem.encode())
        return self._dkim_keys[sender.id]

    def send_one(self, msg: Claimed, transport: Transport, result: PassResult) -> None:
        """Re-check, render, send and mark one claimed message."""
        worker, now = self.config.worker_id, self.clock.now()
        sender = self._sender(msg.seller_id)
        gate = self.store.gate(msg, now - timedelta(days=sender.cap_days))
        reason = gate_reason(msg, gate, sender.cap_count, now)
        if reason:
            self._count(self.store.mark_suppressed(msg, worker, now, reason), result, "suppressed", msg, now, reason)
            return
        if self._quiet(msg, sender, gate.timezone, result, now):
            return
        route = self._routes.route(sender)
        relay, limits = route.key, route.limits
        domain = recipient_domain(gate.email)
        if self._paused(msg, relay, domain, result, now):
            return
        try:
            raw = self.build(msg, sender, gate.email, now)
        except Exception as exc:  # a template bug fails this message visibly, not the whole batch
            log.exception("rendering message %s", msg.id)
            reason = f"rendering failed: {exc}"
            self._count(self.store.mark_failed(msg, worker, now, reason), result, "failed", msg, now, reason)
            return
        envelope_from = sender.from_email or f"no-reply@{self.config.mail_domain}"
        if self.limiter is not None:
            self.limiter.wait_turn(relay, domain, limits)
        try:
            transport.send(envelope_from, [gate.email], raw)
        except PermanentDeliveryError as exc:
            reason = f"permanent: {exc}"
            suppress = (gate.email, str(exc)) if getattr(exc, "hard_bounce", False) else None
            self._count(self.store.mark_failed(msg, worker, self.clock.now(), reason, suppress), result, "failed",
                        msg, now, reason, exc, gate.email)
            return
        except TransientDeliveryError as exc:
            later = None
            if self.limiter is not None and is_throttling(exc.code, exc.reason):
                # The domain says "slow down": every worker leaves it alone a while; others go on.
                later = self.limiter.pause(relay, domain, limits.throttle_backoff_seconds)
            self._transient(msg, exc, result, now, gate.email, later, gate.timezone)
            return
        # The one place a message becomes sent: its own commit, before this session sends another.
        ok = self.store.mark_sent(msg, worker, self.clock.now(), gate.email)
        if not ok:
            log.warning("message %s sent but its lease was lost; another worker owns it now", msg.id)
        self._count(ok, result, "sent", msg, now, None, to_email=gate.email)

    def _paused(self, msg: Claimed, relay: str, domain: str, result: PassResult, now: datetime) -> bool:
        """Put the message back, attempt not counted, while its domain is paused for throttling."""
        until = self.limiter.paused_until(relay, domain) if self.limiter is not None else None
        if until is None:
            return False
        due = datetime.fromtimestamp(until, timezone.utc)
        reason = f"{domain} asked us to slow down: paused until {due:%Y-%m-%d %H:%M:%S} UTC"
        self._count_released(self.store.defer(msg, self.config.worker_id, now, due, reason), result)
        return True

    @staticmethod
    def _quiet_hold(msg: Claimed, sender: SenderInfo, tz: str | None, when: datetime) -> QuietHold | None:
        """Whether sending `msg` at `when` must wait for the end of the buyer's quiet hours."""
        return quiet_hold(when, tz, sender.quiet_start, sender.quiet_end, chosen_at=msg.scheduled_at,
                          overridden=msg.quiet_override)

    def _quiet(self, msg: Claimed, sender: SenderInfo, tz: str | None, result: PassResult, now: datetime) -> bool:
        """Put the message back, attempt not counted, until the buyer's quiet hours end (outbox.send_window)."""
        hold = self._quiet_hold(msg, sender, tz, now)
        if hold is None:
            return False
        self._count_released(self.store.defer(msg, self.config.worker_id, now, hold.until, hold.reason), result)
        return True

    @staticmethod
    def _count_released(ok: bool, result: PassResult) -> None:
        if ok:
            result.released += 1
        else:
            result.lost_lease += 1

    def _transient(self, msg: Claimed, exc: TransientDeliveryError, result: PassResult, started: datetime,
                   to_email: str, paused_until: float | None = None, tz: str | None = None) -> None:
        now = self.clock.now()
        if msg.attempts >= self.config.max_attempts:
            reason = f"gave up after {msg.attempts} attempts: {exc}"
            ok = self.store.mark_failed(msg, self.config.worker_id, now, reason)
            self._count(ok, result, "failed", msg, started, reason, exc, to_email)
            return
        due = now + backoff(msg.attempts, self.config.backoff_base, self.config.backoff_max, self.rng)
        if paused_until is not None:
            due = max(due, datetime.fromtimestamp(paused_until, timezone.utc))
        reason = f"attempt {msg.attempts}: {exc}"
        # A retry must not land in the buyer's night either.
        hold = self._quiet_hold(msg, self._sender(msg.seller_id), tz, due)
        if hold is not None:
            due, reason = hold.until, f"{reason}; retry in the {hold.reason}"
        self._count(self.store.mark_retry(msg, self.config.worker_id, now, reason, due), result, "retried",
                    msg, started, reason, exc, to_email)

    def _count(self, ok: bool, result: PassResult, what: str, msg: Claimed, started: datetime, reason: str | None,
               error: Exception | None = None, to_email: str | None = None) -> None:
        """Count an outcome the store recorded (`ok`), or a lost lease, and tell the observer."""
        if ok:
            setattr(result, what, getattr(result, what) + 1)
        else:
            result.lost_lease += 1
        self.observer.observe(DispatchOutcome(msg, what if ok else "lost_lease", self.config.worker_id,
                                              (self.clock.now() - started).total_seconds(), reason, error, to_email))

    def build(self, msg: Claimed, sender: SenderInfo, to_email: str, now: datetime) -> bytes:
        """Render the message for its buyer and produce the RFC 5322 bytes."""
        unsub_url = mailto = prefs = None
        if msg.kind == "marketing":
            token = make_unsubscribe_token(self.config.secret_key, msg.seller_id, msg.buyer_id, msg.id)
            unsub_url, mailto = unsubscribe_links(self.config.public_url, token, self.config.mail_domain)
            prefs = unsub_url
        body = render(RenderInput(locale=msg.locale, buyer_name=msg.buyer_name, seller_name=sender.name,
                                  postal_address=sender.postal_address, subject=msg.subject, body=msg.body,
                                  template=msg.template, context=template_values(msg.locale, msg.context),
                                  unsubscribe_url=unsub_url,
                                  preferences_url=prefs))
        html = body.html
        if msg.kind == "marketing" and sender.track_engagement:
            html = instrument(html, self.config.secret_key, self.config.public_url, msg.id, keep=(unsub_url,))
        dkim = self._dkim_key(sender)
        email = OutgoingEmail(
            from_addr=sender.from_email or f"no-reply@{self.config.mail_domain}", from_name=sender.from_name,
            to_addr=to_email, to_name=msg.buyer_name, subject=body.subject, text=body.text, html=html,
            message_id=msg.rfc_message_id, date=now, reply_to=sender.reply_to,
            list_unsubscribe_url=unsub_url, list_unsubscribe_mailto=mailto,
            headers=(("X-CRM-Message", str(msg.id)),))
        return build_message(email, dkim)
