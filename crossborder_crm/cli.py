"""The `crossborder-crm` command group (also `flask --app wsgi crm …`)."""
from __future__ import annotations

import json
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from crossborder_crm.errors import CrmError


def _services():
    from crossborder_crm import services

    return services(current_app)


def _fail(exc: CrmError) -> None:
    click.echo(f"error: {exc.message}", err=True)
    for field, reason in exc.fields.items():
        click.echo(f"  {field}: {reason}", err=True)
    sys.exit(2)


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
    from crossborder_crm.migrate import upgrade

    url = _services().db.url
    upgrade(url, revision)
    click.echo(f"database at {revision}: {_redact(url)}")


@db.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Take the schema back to REVISION (e.g. base)."""
    from crossborder_crm.migrate import downgrade

    downgrade(_services().db.url, revision)
    click.echo(f"database at {revision}")


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@crm.command("create-seller")
@click.option("--name", required=True)
@click.option("--email", required=True, help="login of the first panel user")
@click.option("--password", required=True, help="at least 8 characters")
@click.option("--language", default="en", show_default=True, help="the seller's own language")
@click.option("--timezone", "tz", default="Asia/Shanghai", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object for scripts")
@with_appcontext
def create_seller_cmd(name: str, email: str, password: str, language: str, tz: str, as_json: bool) -> None:
    """Create a seller with its first user; prints the API token (shown once) and webhook secrets."""
    from crossborder_crm.accounts.service import create_seller

    svc = _services()
    try:
        new = create_seller(svc.db, svc.clock, name, email, password, default_language=language, timezone=tz)
    except CrmError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(new.as_dict()))
        return
    click.echo(f"seller {new.seller_id} created (key {new.seller_key}); login: {new.user_email}")
    click.echo(f"API token (shown once, keep it safe): {new.api_token}")
    for source, secret in new.webhook_secrets.items():
        click.echo(f"webhook secret for {source}: {secret}")


@crm.command("configure-sender")
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
@with_appcontext
def configure_sender_cmd(seller_id, from_name, from_email, reply_to, postal_address, quiet_hours, marketing_cap,
                         conversation_deadline, dkim_domain, dkim_selector, dkim_key_file) -> None:
    """Set how a seller's email goes out: addresses, footer, quiet hours, cap, DKIM."""
    from crossborder_crm.accounts.sender import update_sender

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
    svc = _services()
    try:
        seller = update_sender(svc.db, svc.clock, seller_id, data)
    except CrmError as exc:
        _fail(exc)
    click.echo(f"seller {seller.id}: quiet hours {seller.quiet_start}-{seller.quiet_end}, marketing cap "
               f"{seller.marketing_cap_count}/{seller.marketing_cap_days} days, DKIM "
               f"{'on (' + seller.dkim_selector + '._domainkey.' + seller.dkim_domain + ')' if seller.dkim_domain else 'off'}")


@crm.command("dispatch")
@click.option("--once", is_flag=True, required=True, help="run one pass and exit")
@click.option("--now", "now_text", default=None, help="run the pass 'at' this ISO 8601 instant (with offset)")
@with_appcontext
def dispatch_cmd(once: bool, now_text: str | None) -> None:
    """Send every message due now (or at --now) in one pass."""
    from datetime import datetime

    from crossborder_crm.clock import FixedClock
    from crossborder_crm.container import Services
    from crossborder_crm.worker import dispatch_job, worker_id

    svc = _services()
    if now_text:
        try:
            at = datetime.fromisoformat(now_text.replace("Z", "+00:00"))
            clock = FixedClock(at)
        except ValueError as exc:
            raise click.BadParameter(f"{now_text!r}: {exc}", param_hint="--now") from None
        svc = Services(db=svc.db, settings=svc.settings, clock=clock)
    r = dispatch_job(svc, worker_id())
    click.echo(f"claimed {r.claimed}, sent {r.sent}, retried {r.retried}, failed {r.failed}, "
               f"suppressed {r.suppressed}, released {r.released}")


@crm.command("worker")
@with_appcontext
def worker_cmd() -> None:
    """Run the scheduler/dispatcher until SIGTERM (any number of these may run on PostgreSQL)."""
    import logging

    from crossborder_crm.worker import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    svc = _services()
    if svc.db.dialect == "sqlite":
        click.echo("note: on SQLite run a single worker; use PostgreSQL for several", err=True)
    run_worker(svc)


@crm.command("demo")
@click.option("--buyers", default=320, show_default=True)
@click.option("--if-empty", is_flag=True, help="only seed when the database has no seller yet")
@with_appcontext
def demo_cmd(buyers: int, if_empty: bool) -> None:
    """Seed a demo seller with buyers in 30 countries, orders and activity."""
    from crossborder_crm.buyers.demo import database_is_empty, seed_demo

    svc = _services()
    if if_empty and not database_is_empty(svc.db):
        click.echo("database already has data: demo not seeded")
        return
    with click.progressbar(length=buyers, label="seeding demo buyers") as bar:
        result = seed_demo(svc.db, svc.clock, buyers=buyers, progress=lambda n: bar.update(n))
    click.echo(f"demo seller {result.seller_id}: {result.buyers} buyers, {result.orders} orders")
    click.echo(f"panel login: {result.email} / {result.password}")
    click.echo(f"API token: {result.api_token}")


@crm.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--no-scheduler", is_flag=True, help="do not run the dispatcher in this process")
@with_appcontext
def serve_cmd(host: str, port: int, no_scheduler: bool) -> None:
    """`make run`: migrate, seed the demo if empty, start the scheduler and the dev server."""
    import logging
    import threading

    from crossborder_crm.buyers.demo import DEMO_EMAIL, DEMO_PASSWORD, database_is_empty, seed_demo
    from crossborder_crm.migrate import upgrade
    from crossborder_crm.worker import build_scheduler, worker_id

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # one line per tick drowns the log
    logging.getLogger("alembic").setLevel(logging.WARNING)
    svc = _services()
    click.echo(f"==> migrating {_redact(svc.db.url)}")
    upgrade(svc.db.url)
    token_line = "  API token:  see `crossborder-crm create-seller` (the demo token is shown on first run only)"
    if database_is_empty(svc.db):
        click.echo("==> empty database: seeding the demo seller and buyers")
        with click.progressbar(length=320, label="seeding demo buyers") as bar:
            demo = seed_demo(svc.db, svc.clock, progress=lambda n: bar.update(n))
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
    click.echo("")
    try:
        current_app.run(host=host, port=port, debug=False, use_reloader=False)
    finally:
        if sched is not None:
            sched.shutdown(wait=False)


from crossborder_crm.buyers.cli import register as _register_buyer_commands  # noqa: E402

_register_buyer_commands(crm)


def main() -> None:
    """Entry point of the `crossborder-crm` console script."""
    from flask.cli import ScriptInfo

    from crossborder_crm import create_app

    info = ScriptInfo(create_app=lambda: create_app())
    crm.main(obj=info, prog_name="crossborder-crm")


def register(app) -> None:
    """Attach the group to `flask crm`."""
    app.cli.add_command(crm)


if __name__ == "__main__":
    main()
