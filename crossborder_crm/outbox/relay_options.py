"""configure-sender's relay flags: the click options, the data they make for save_relay, the summary line.

The password is read from a file (or "-" for standard input), never from an option, so it does not
land in the shell's history or in the process list.
"""
from __future__ import annotations

from typing import Any, Callable

import click

from crossborder_crm.clock import Clock
from crossborder_crm.db import Database
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.outbox.relays import RelayView, clear_relay, load_relay, save_relay
from crossborder_crm.secret_box import SecretBox

OPTIONS = ("relay_host", "relay_port", "relay_security", "relay_user", "relay_password_file",
           "relay_max_connections", "relay_rate", "relay_domain_rate", "relay_clear")
# flag → save_relay field
_FIELDS = {"relay_host": "host", "relay_port": "port", "relay_security": "security", "relay_user": "username",
           "relay_max_connections": "max_connections", "relay_rate": "per_second",
           "relay_domain_rate": "per_domain_per_minute"}


def relay_options(f: Callable) -> Callable:
    """Add the --relay-* flags to a command (they arrive as the keyword arguments in OPTIONS)."""
    for decorate in reversed((
        click.option("--relay-host", help="the seller's own SMTP relay (host name or IP address)"),
        click.option("--relay-port", type=int, help="its port (default: 587, 465 with tls, 25 with plain)"),
        click.option("--relay-security", type=click.Choice(["plain", "starttls", "tls"]),
                     help="plain, starttls (default) or tls; plain with a login only to this host"),
        click.option("--relay-user", help="the relay login's user name"),
        click.option("--relay-password-file", type=click.File("r"),
                     help="a file holding the relay password, or - for standard input"),
        click.option("--relay-max-connections", type=int, help="sessions open at once to the relay"),
        click.option("--relay-rate", type=float, help="messages per second through the relay"),
        click.option("--relay-domain-rate", type=int, help="messages per minute to one recipient domain"),
        click.option("--relay-clear", is_flag=True, help="forget the seller's relay: use the service's"),
    )):
        f = decorate(f)
    return f


def relay_data(flags: dict[str, Any]) -> dict[str, Any] | None:
    """The data for save_relay from the flags given, or None when no relay flag was given."""
    data = {field: flags[flag] for flag, field in _FIELDS.items() if flags.get(flag) is not None}
    source = flags.get("relay_password_file")
    if source is not None:
        # One line: a trailing newline from `echo` or an editor is not part of the password.
        data["password"] = source.read().rstrip("\r\n")
    return data or None


def relay_summary(view: RelayView | None) -> str:
    """`relay smtp.example.com:587 (starttls, user shop, password saved)` or the service's relay."""
    if view is None:
        return "relay: the service's"
    login = f", user {view.username}, password {'saved' if view.has_password else 'missing'}" if view.username \
        else ", no login"
    limits = [f"{v} {unit}" for v, unit in ((view.limits.max_connections, "connections"),
                                             (view.limits.per_second, "messages/s"),
                                             (view.limits.per_domain_per_minute, "messages/min per domain"))
              if v is not None]
    return f"relay {view.host}:{view.port} ({view.security}{login}{', ' + ', '.join(limits) if limits else ''})"


def _as_data(view: RelayView | None) -> dict[str, Any]:
    if view is None:
        return {}
    return {"host": view.host, "port": view.port, "security": view.security, "username": view.username,
            "max_connections": view.limits.max_connections, "per_second": view.limits.per_second,
            "per_domain_per_minute": view.limits.per_domain_per_minute}


def apply_relay_flags(db: Database, clock: Clock, box: SecretBox, seller_id: int, flags: dict[str, Any]) -> str | None:
    """Save or clear the relay the flags describe and say how it stands; None when no relay flag was given.

    Flags change only what they name: the rest of a saved relay (and its password, while the host and
    user stay) is kept. A new security without a new port takes that security's usual port.
    """
    data = relay_data(flags)
    if flags.get("relay_clear"):
        if data:
            raise ValidationFailed("--relay-clear takes no other --relay-* flag",
                                   {"relay_clear": "cannot be combined with other relay flags"})
        clear_relay(db, seller_id)
        return relay_summary(None)
    if data is None:
        return None
    base = _as_data(load_relay(db, seller_id))
    if "security" in data and "port" not in data:
        base.pop("port", None)
    merged = {k: v for k, v in {**base, **data}.items() if v is not None}
    return relay_summary(save_relay(db, clock, box, seller_id, merged))
