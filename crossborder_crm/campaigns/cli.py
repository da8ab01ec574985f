"""`crossborder-crm segments refresh`: score every buyer from the order history now (the worker does it
every six hours). `crossborder-crm campaigns list|preview|launch|pause|resume|cancel`: the campaigns of a
seller from the shell, a launch with a progress bar."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from crossborder_crm.campaigns import lifecycle
from crossborder_crm.campaigns.planning import Plan
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


@click.group("campaigns")
def campaigns() -> None:
    """Second-round campaigns: list, preview, launch, pause, resume, cancel."""


_SELLER = click.option("--seller-id", type=click.IntRange(1, 2**31 - 1), required=True)
_CAMPAIGN = click.argument("campaign_id", type=click.IntRange(1, 2**31 - 1))


def _show(plan: Plan) -> None:
    click.echo(f"{plan.recipients} recipients of {plan.matched} matched")
    for reason, n in plan.excluded.most_common():
        click.echo(f"  left out, {reason}: {n}")
    for day, n in sorted(plan.days.items()):
        click.echo(f"  sending {day} (UTC): {n}")


@campaigns.command("list")
@_SELLER
@with_appcontext
def list_cmd(seller_id: int) -> None:
    """The seller's campaigns, newest first."""
    for c in lifecycle.list_campaigns(current_services().db, seller_id):
        planned = (c.last_plan or {}).get("planned")
        click.echo(f"{c.id}\t{c.status}\t{c.kind}\t{c.name}" + (f"\t{planned} planned" if planned is not None else ""))


@campaigns.command("preview")
@_SELLER
@_CAMPAIGN
@with_appcontext
def preview_cmd(seller_id: int, campaign_id: int) -> None:
    """Who a launch now would reach, who it leaves out and why, and on which days."""
    svc = current_services()
    _show(lifecycle.preview_campaign(svc.db, svc.clock, seller_id, campaign_id))


@campaigns.command("launch")
@_SELLER
@_CAMPAIGN
@with_appcontext
def launch_cmd(seller_id: int, campaign_id: int) -> None:
    """Plan the campaign's emails (a relaunch plans only new recipients), with a progress bar."""
    svc = current_services()
    total = lifecycle.audience_size(svc.db, seller_id, lifecycle.get_campaign(svc.db, seller_id, campaign_id))
    with click.progressbar(length=total, label="planning", file=sys.stderr) as bar:
        seen = [0]

        def progress(done: int) -> None:
            bar.update(done - seen[0])
            seen[0] = done

        plan = lifecycle.launch_campaign(svc.db, svc.clock, seller_id, campaign_id,
                                         mail_domain=current_app.config["MAIL_FROM_DOMAIN"],
                                         translator=svc.translator, holder="cli", progress=progress)
    _show(plan)


def _state(action, verb: str):
    @_SELLER
    @_CAMPAIGN
    @with_appcontext
    def command(seller_id: int, campaign_id: int) -> None:
        svc = current_services()
        n = action(svc.db, svc.clock, seller_id, campaign_id)
        click.echo(f"campaign {campaign_id}: {n} emails {verb}")

    return command


campaigns.command("pause", help="Hold every email not yet sent.")(_state(lifecycle.pause_campaign, "held"))
campaigns.command("resume", help="Release the held emails.")(_state(lifecycle.resume_campaign, "released"))
campaigns.command("cancel", help="Cancel every email not yet sent.")(_state(lifecycle.cancel_campaign, "cancelled"))


COMMANDS = (segments, campaigns)
