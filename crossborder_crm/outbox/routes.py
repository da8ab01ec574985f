"""Which relay each seller's mail goes through, and a session's connections to them: one reused
transport per relay, opened when first needed, holding one of the relay's connection slots when the
relay limits its connections (every worker together), closed at the end of the pass."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from crossborder_crm.outbox.backends import SmtpTransport, Transport
from crossborder_crm.outbox.backends.smtp_settings import SmtpSettings
from crossborder_crm.outbox.rate_limits import SLOT_LEASE_SECONDS, Limits, RateLimiter
from crossborder_crm.outbox.relays import seller_relay
from crossborder_crm.outbox.store import SenderInfo
from crossborder_crm.secret_box import SecretBox

log = logging.getLogger(__name__)
DEFAULT = "default"


def smtp_transport(smtp: SmtpSettings) -> Transport:
    """A transport to a seller's relay."""
    return SmtpTransport(smtp.host, smtp.port, username=smtp.username, password=smtp.password,
                         security=smtp.security, verify=smtp.verify, timeout=smtp.timeout,
                         local_hostname=smtp.local_hostname)


@dataclass(frozen=True)
class Route:
    """A relay: its name (for its limits), its limits, and how to reach it (None: the service's relay)."""

    key: str
    limits: Limits
    smtp: SmtpSettings | None = None


class Routes:
    """A session's relays and its open transports."""

    def __init__(self, default_transport: Callable[[], Transport],
                 relay_transport: Callable[[SmtpSettings], Transport], default_limits: Limits, box: SecretBox,
                 limiter: RateLimiter | None, holder: str):
        self.default_transport, self.relay_transport = default_transport, relay_transport
        self.default_limits, self.box, self.limiter, self.holder = default_limits, box, limiter, holder
        self._routes: dict[int, Route] = {}
        self._open: dict[str, Transport] = {}
        self._renewed_at = float("-inf")

    def route(self, sender: SenderInfo) -> Route:
        """The seller's own relay when they set one, else the service's (UndecryptableSecret: its password
        cannot be read)."""
        if sender.id not in self._routes:
            relay = seller_relay(self.box, sender.relay) if sender.relay is not None else None
            if relay is None:
                self._routes[sender.id] = Route(DEFAULT, self.default_limits)
            else:
                limits = relay.limits
                self._routes[sender.id] = Route(relay.key, Limits(
                    limits.per_second, limits.per_domain_per_minute, self.default_limits.throttle_backoff_seconds,
                    limits.max_connections), relay.smtp)
        return self._routes[sender.id]

    def transport(self, route: Route) -> Transport | None:
        """The session's transport to the route's relay; None when all its connection slots are taken."""
        if route.key in self._open:
            self._keep_slots()
            return self._open[route.key]
        if route.limits.max_connections and self.limiter is not None:
            if not self.limiter.hold_slot(route.key, route.limits.max_connections, self.holder):
                return None
        made = self.default_transport() if route.smtp is None else self.relay_transport(route.smtp)
        self._open[route.key] = made
        return made

    def _keep_slots(self) -> None:
        if self.limiter is None:
            return
        now = self.limiter.now()
        if now - self._renewed_at > SLOT_LEASE_SECONDS / 3:
            self.limiter.renew_slot(self.holder)
            self._renewed_at = now

    def close(self) -> None:
        """Close every transport and give back the slots."""
        for key, transport in self._open.items():
            try:
                transport.close()
            except Exception as exc:  # closing a dead connection must not hide the pass's result
                log.warning("closing the transport to %s: %s", key, exc)
        self._open.clear()
        self._routes.clear()
        if self.limiter is not None:
            self.limiter.free_slots(self.holder)
