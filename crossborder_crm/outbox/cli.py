"""Sending commands: `configure-sender`, `send-test-email`, `dispatch --once` and `worker`."""
from __future__ import annotations

import sys
from dataclasses import replace
from datetime import datetime

import click
from flask.cli import with_appcontext

from crossborder_crm.cli_support import fail
from crossborder_crm.clock import FixedClock
from crossborder_crm.container import current_services
from crossborder_crm.errors import CrmError
from crossborder_crm.ops.logging_setup import configure_logging
from crossborder_crm.outbox.relay_check import send_seller_test_email
from crossborder_crm.outbox.relay_options import apply_relay_flags, relay_options
from crossborder_crm.outbox.sender import SenderSettings, update_sender
from crossborder_crm.outbox.sessions import MAX_CONCURRENCY
from crossborder_crm.validation import parse
from crossborder_crm.worker import dispatch_job, run_worker, worker_id


@click.command("configure-sender")
@click.option("--seller-id", type=int, required=True)
@click.option("--from-name")
@click.option("--from-email")
@click.option("--reply-to")
@click.option("--postal-address", help="shown in every email footer")
@click.option("--quiet-hours", help="buyer-local quiet window, e.g. 21:30-08:30")
@click.option("--marketing-cap", help="at most N marketing emails per D days, e.g. 2/7")
@click.option("--conversation-deadline", type=int, help="hours within which a written message must go out")
@click.option("--dkim-domain")
@click.option("--dkim-selector")
@click.option("--dkim-key-file", type=click.File("r"), help="RSA private key (PEM)")
@click.option("--tracking", type=click.Choice(["on", "off"]), help="count opens and clicks of marketing email")
@relay_options
@with_appcontext
def configure_sender_cmd(seller_id, from_name, from_email, reply_to, postal_address, quiet_hours, marketing_cap,
                         conversation_deadline, dkim_domain, dkim_selector, dkim_key_file, tracking,
                         **relay_flags) -> None:
    """Set how a seller's email goes out: addresses, footer, quiet hours, cap, DKIM, tracking, own relay."""
    data = {k: v for k, v in {"from_name": from_name, "from_email": from_email, "reply_to": reply_to,
                              "postal_address": postal_address, "conversation_deadline_hours": conversation_deadline,
                              "dkim_domain": dkim_domain, "dkim_selector": dkim_selector}.items() if v is not None}
    if quiet_hours:
        start, _, end = quiet_hours.partition("-")
        data.update(quiet_start=start.strip(), quiet_end=end.strip())
    if marketing_cap:
        count, _, days = marketing_cap.partition("/")
        if not (count.isdigit() and days.isdigit()):
            raise click.BadParameter("expected N/D, e.g. 2/7", param_hint="--marketing-cap")
        data.update(marketing_cap_count=int(count), marketing_cap_days=int(days))
    if dkim_key_file is not None:
        data["dkim_private_key"] = dkim_key_file.read()
    if tracking is not None:
        data["track_engagement"] = tracking == "on"
    svc = current_services()
    try:
        parse(SenderSettings, data, "sender settings")  # checked before the relay is saved: nothing half-done
        relay = apply_relay_flags(svc.db, svc.clock, svc.box, seller_id, relay_flags)
        seller = update_sender(svc.db, svc.clock, svc.box, seller_id, data)
    except CrmError as exc:
        fail(exc)
    click.echo(f"seller {seller.id}: quiet hours {seller.quiet_start}-{seller.quiet_end}, marketing cap "
               f"{seller.marketing_cap_count}/{seller.marketing_cap_days} days, DKIM "
               f"{'on (' + seller.dkim_selector + '._domainkey.' + seller.dkim_domain + ')' if seller.dkim_domain else 'off'}"
               f", tracking {'on' if seller.track_engagement else 'off'}")
    if relay is not None:
        click.echo(f"seller {seller.id}: {relay}")


@click.command("send-test-email")
@click.option("--seller-id", type=int, required=True)
@click.option("--to", "to_addr", required=True, help="where the test email goes")
@with_appcontext
def send_test_email_cmd(seller_id: int, to_addr: str) -> None:
    """Send a short test email through the seller's relay (or the service's) and print the relay's answer."""
    svc = current_services()
    try:
        outcome = send_seller_test_email(svc.db, svc.clock, svc.box, svc.settings, seller_id, to_addr)
    except CrmError as exc:
        fail(exc)
    click.echo(outcome.answer)
    if not outcome.ok:
        sys.exit(1)


_CONCURRENCY = click.option("--concurrency", type=click.IntRange(1, MAX_CONCURRENCY), default=None,
                            help="SMTP sessions in flight (default: CRM_DISPATCH_CONCURRENCY; one on SQLite)")


def _with_concurrency(svc, concurrency: int | None):
    if concurrency is None:
        return svc
    return replace(svc, settings={**svc.settings, "DISPATCH_CONCURRENCY": concurrency})


@click.command("dispatch")
@click.option("--once", is_flag=True, required=True, help="run one pass and exit")
@click.option("--now", "now_text", default=None, help="run the pass 'at' this ISO 8601 instant (with offset)")
@_CONCURRENCY
@with_appcontext
def dispatch_cmd(once: bool, now_text: str | None, concurrency: int | None) -> None:
    """Send every message due now (or at --now) in one pass."""
    svc = _with_concurrency(current_services(), concurrency)
    if now_text:
        try:
            at = datetime.fromisoformat(now_text.replace("Z", "+00:00"))
            clock = FixedClock(at)
        except ValueError as exc:
            raise click.BadParameter(f"{now_text!r}: {exc}", param_hint="--now") from None
        svc = replace(svc, clock=clock)
    r = dispatch_job(svc, worker_id())
    click.echo(f"claimed {r.claimed}, sent {r.sent}, retried {r.retried}, failed {r.failed}, "
               f"suppressed {r.suppressed}, released {r.released}")


@click.command("worker")
@click.option("--metrics-port", type=click.IntRange(0, 65535), default=None,
              help="serve this worker's /metrics on this port (default: CRM_WORKER_METRICS_PORT; 0: off)")
@_CONCURRENCY
@with_appcontext
def worker_cmd(metrics_port: int | None, concurrency: int | None) -> None:
    """Run the scheduler/dispatcher until SIGTERM (any number of these may run on PostgreSQL)."""
    svc = _with_concurrency(current_services(), concurrency)
    configure_logging(svc.settings["LOG_FORMAT"])
    if svc.db.dialect == "sqlite":
        click.echo("note: on SQLite run a single worker; use PostgreSQL for several", err=True)
    run_worker(svc, metrics_port)


COMMANDS = (configure_sender_cmd, send_test_email_cmd, dispatch_cmd, worker_cmd)
