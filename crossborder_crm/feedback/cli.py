"""`crossborder-crm bounces read|fetch`: DSNs piped from the MTA, or read from the bounce mailbox over IMAP."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from crossborder_crm.container import current_services
from crossborder_crm.errors import NotFound
from crossborder_crm.feedback.bounces import DsnOutcome, fetch_bounces, record_dsn
from crossborder_crm.feedback.mailbox import ImapMailbox, MailboxError
from crossborder_crm.feedback.rules import Policy

MAX_DSN_BYTES = 10 * 1024 * 1024
ACTION_WORDS = {"suppressed_all": "suppressed for all mail", "suppressed_marketing": "suppressed for marketing",
                "counted": "counted toward the soft-bounce limit"}
STATUS_WORDS = {"duplicate": "already recorded: nothing changed",
                "not_a_dsn": "not a delivery status notification (multipart/report): nothing recorded",
                "no_failure": "no recipient failed (delays only): nothing recorded",
                "unmatched": "no message of ours in the returned headers: nothing recorded "
                             "(give --seller KEY to match by recipient address)"}
SELLER_OPTION = click.option("--seller", "seller_key", metavar="KEY",
                             help="the seller key, when the mailbox is that seller's: match by recipient too")


@click.group("bounces")
def bounces() -> None:
    """Delivery status notifications (bounces) sent to the return path."""


def _echo(outcome: DsnOutcome) -> None:
    if outcome.status != "recorded":
        click.echo(STATUS_WORDS[outcome.status])
    for kind, recipient, action in outcome.actions:
        click.echo(f"{kind} {recipient}: {ACTION_WORDS.get(action, action)}")


def _record(seller_key: str | None):
    svc = current_services()
    policy = Policy.from_settings(svc.settings)

    def handle(raw: bytes) -> DsnOutcome:
        try:
            return record_dsn(svc.db, svc.clock, policy, raw, seller_key)
        except NotFound:
            raise click.BadParameter("no seller with this key", param_hint="--seller") from None
    return handle


@bounces.command("read")
@SELLER_OPTION
@with_appcontext
def read_cmd(seller_key: str | None) -> None:
    """Record one DSN from standard input (pipe the MTA's bounce into it)."""
    with click.open_file("-", "rb") as stdin:
        raw = stdin.read(MAX_DSN_BYTES + 1)
    if len(raw) > MAX_DSN_BYTES:
        raise click.ClickException(f"the message is larger than {MAX_DSN_BYTES} bytes")
    _echo(_record(seller_key)(raw))


@bounces.command("fetch")
@SELLER_OPTION
@click.option("--limit", type=click.IntRange(1, 100_000), default=500, show_default=True,
              help="messages read in this run")
@with_appcontext
def fetch_cmd(seller_key: str | None, limit: int) -> None:
    """Record the unseen DSNs in the bounce mailbox (BOUNCE_IMAP_* settings) and mark them seen."""
    settings = current_services().settings
    if not settings["BOUNCE_IMAP_HOST"]:
        raise click.UsageError("set CRM_BOUNCE_IMAP_HOST (and _USER, _PASSWORD, _FOLDER) to read a bounce mailbox")
    try:
        with ImapMailbox.from_settings(settings) as mailbox:
            counts = fetch_bounces(mailbox, _record(seller_key), limit)
    except MailboxError as exc:
        raise click.ClickException(f"bounce mailbox: {exc}") from None
    summary = ", ".join(f"{status} {n}" for status, n in sorted(counts.items())) or "nothing new"
    click.echo(f"{sum(counts.values())} messages: {summary}")


COMMANDS = (bounces,)
