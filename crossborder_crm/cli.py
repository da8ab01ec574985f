"""The `crossborder-crm` command group (also `flask --app wsgi crm …`).

Each feature keeps its commands in its own `cli.py` with a `COMMANDS` tuple; `FEATURE_COMMANDS`
below is the one list that adds them to the group. The app-wide commands (`db`, `serve`) live here.
"""
from __future__ import annotations

import threading

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from config import served_public_url
from crossborder_crm.accounts import cli as accounts_cli
from crossborder_crm.buyers import cli as buyers_cli
from crossborder_crm.buyers.demo import DEMO_EMAIL, DEMO_PASSWORD, database_is_empty, seed_demo
from crossborder_crm.campaigns import cli as campaigns_cli
from crossborder_crm.cli_support import redact
from crossborder_crm.container import current_services
from crossborder_crm.feedback import cli as feedback_cli
from crossborder_crm.i18n import cli as i18n_cli
from crossborder_crm.marketplaces import cli as marketplaces_cli
from crossborder_crm.migrate import downgrade, upgrade
from crossborder_crm.ops import cli as ops_cli
from crossborder_crm.ops.logging_setup import configure_logging
from crossborder_crm.outbox import cli as outbox_cli
from crossborder_crm.worker import build_scheduler, worker_id

FEATURE_COMMANDS = (*accounts_cli.COMMANDS, *buyers_cli.COMMANDS, *outbox_cli.COMMANDS, *i18n_cli.COMMANDS,
                    *marketplaces_cli.COMMANDS, *feedback_cli.COMMANDS, *campaigns_cli.COMMANDS,
                    *ops_cli.COMMANDS)


@click.group(name="crm")
def crm() -> None:
    """crossborder_crm: buyer profiles, timezone-aware email, webhooks."""


@crm.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply the Alembic migrations."""
    url = current_services().db.url
    upgrade(url, revision)
    click.echo(f"database at {revision}: {redact(url)}")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Take the schema back to REVISION (e.g. base)."""
    downgrade(current_services().db.url, revision)
    click.echo(f"database at {revision}")


@crm.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--no-scheduler", is_flag=True, help="do not run the dispatcher in this process")
@with_appcontext
def serve_cmd(host: str, port: int, no_scheduler: bool) -> None:
    """`make run`: migrate, seed the demo if empty, start the scheduler and the dev server."""
    svc = current_services()
    configure_logging(svc.settings["LOG_FORMAT"])  # apscheduler's and alembic's chatter stays quiet
    public_url = served_public_url(svc.settings, host, port)
    svc.settings["PUBLIC_URL"] = current_app.config["PUBLIC_URL"] = public_url
    click.echo(f"==> migrating {redact(svc.db.url)}")
    upgrade(svc.db.url)
    token_line = "  API token:  see `crossborder-crm create-seller` (the demo token is shown on first run only)"
    if database_is_empty(svc.db):
        click.echo("==> empty database: seeding the demo seller and buyers")
        with click.progressbar(length=320, label="seeding demo buyers") as bar:
            demo = seed_demo(svc.db, svc.clock, progress=lambda n: bar.update(n), settings=svc.settings)
        token_line = f"  API token:  {demo.api_token}  (shown once; rotate it on the Settings page)"
    sched = None
    if svc.settings["RUN_SCHEDULER"] and not no_scheduler:
        sched = build_scheduler(svc, worker_id(), threading.Event(), blocking=False)
        sched.start()
        click.echo(f"==> scheduler running in process (mail backend: {svc.settings['MAIL_BACKEND']}, "
                   f"folder {svc.settings['MAIL_DIR']})")
    click.echo("")
    click.echo(f"  crossborder_crm is running at http://{host}:{port}/")
    click.echo(f"  demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}")
    click.echo(token_line)
    click.echo(f"  API docs:   http://{host}:{port}/api/v1/openapi.json")
    click.echo(f"  public URL: {public_url}  (unsubscribe links, webhook URLs; set CRM_PUBLIC_URL to change)")
    click.echo("")
    try:
        current_app.run(host=host, port=port, debug=False, use_reloader=False)
    finally:
        if sched is not None:
            sched.shutdown(wait=False)


for _command in FEATURE_COMMANDS:
    crm.add_command(_command)


def register(app: Flask) -> None:
    """Attach the group to `flask crm`."""
    app.cli.add_command(crm)
