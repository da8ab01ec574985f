"""`crossborder-crm segments refresh`: score every buyer from the order history now (the worker does it
every six hours)."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from crossborder_crm.campaigns.segments import SEGMENTS
from crossborder_crm.campaigns.segments_service import refresh_segments
from crossborder_crm.cli_support import resolve_seller
from crossborder_crm.container import current_services


@click.group("segments")
def segments() -> None:
    """Buyer segments from recency, frequency and spend."""


@segments.command("refresh")
@click.option("--seller-id", type=click.IntRange(1, 2**31 - 1), help="one seller (default: every seller)")
@with_appcontext
def refresh_cmd(seller_id: int | None) -> None:
    """Score every buyer and store their segment with the reason."""
    svc = current_services()
    if seller_id is not None:
        resolve_seller(svc.db, seller_id, None)

    def progress(done: int, total: int) -> None:
        click.echo(f"  sellers {done}/{total}", err=True)

    result = refresh_segments(svc.db, svc.clock, seller_id, progress)
    counts = ", ".join(f"{name} {result.segments[name]}" for name in SEGMENTS if result.segments[name])
    click.echo(f"{result.buyers} buyers of {result.sellers} sellers: {counts or 'none'}")


COMMANDS = (segments,)
