"""`crossborder-crm webhooks replay|apply`: re-run stored deliveries, or apply the queue once."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from crossborder_crm.container import current_services
from crossborder_crm.marketplaces.apply import PassResult, apply_pending, replay
from crossborder_crm.marketplaces.models import DELIVERY_STATUSES


@click.group("webhooks")
def webhooks() -> None:
    """Stored webhook deliveries."""


def _echo(result: PassResult) -> None:
    parts = ", ".join(f"{status} {n}" for status, n in sorted(result.counts.items())) or "nothing to do"
    click.echo(f"{result.total} deliveries: {parts}")


@webhooks.command("replay")
@click.option("--id", "delivery_id", type=click.IntRange(1, 2**31 - 1), help="one delivery by its number")
@click.option("--status", type=click.Choice(DELIVERY_STATUSES), help="every delivery with this status, e.g. failed")
@with_appcontext
def replay_cmd(delivery_id: int | None, status: str | None) -> None:
    """Apply deliveries again from their stored raw body (after a fix, or a failure)."""
    if delivery_id is None and status is None:
        raise click.UsageError("give --id N or --status STATUS")
    svc = current_services()
    _echo(replay(svc.db, svc.clock, svc.settings, delivery_id=delivery_id, status=status))


@webhooks.command("apply")
@with_appcontext
def apply_cmd() -> None:
    """Apply every delivery received and not applied yet (what the worker does every few seconds)."""
    svc = current_services()
    _echo(apply_pending(svc.db, svc.clock, svc.settings))


COMMANDS = (webhooks,)
