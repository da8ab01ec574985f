"""Account commands: `create-seller`, and `secrets rotate` for the secrets stored at rest."""
from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from crossborder_crm.accounts.secret_rotation import reencrypt_secrets
from crossborder_crm.accounts.service import create_seller
from crossborder_crm.cli_support import fail
from crossborder_crm.container import current_services
from crossborder_crm.errors import CrmError
from crossborder_crm.secret_box import UndecryptableSecret


@click.command("create-seller")
@click.option("--name", required=True)
@click.option("--email", required=True, help="login of the first panel user")
@click.option("--password", required=True, help="at least 8 characters")
@click.option("--language", default="en", show_default=True, help="the seller's own language")
@click.option("--timezone", "tz", default="Asia/Shanghai", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="print one JSON object for scripts")
@with_appcontext
def create_seller_cmd(name: str, email: str, password: str, language: str, tz: str, as_json: bool) -> None:
    """Create a seller with its first user; prints the API token (shown once) and webhook secrets."""
    svc = current_services()
    try:
        new = create_seller(svc.db, svc.clock, name, email, password, default_language=language, timezone=tz,
                            box=svc.box)
    except CrmError as exc:
        fail(exc)
    if as_json:
        click.echo(json.dumps(new.as_dict()))
        return
    click.echo(f"seller {new.seller_id} created (key {new.seller_key}); login: {new.user_email}")
    click.echo(f"API token (shown once, keep it safe): {new.api_token}")
    for source, secret in new.webhook_secrets.items():
        click.echo(f"webhook secret for {source}: {secret}")


@click.group("secrets")
def secrets_group() -> None:
    """Secrets stored encrypted at rest: webhook secrets, DKIM private keys and relay passwords."""


@secrets_group.command("rotate")
@with_appcontext
def rotate_secrets_cmd() -> None:
    """Re-encrypt every stored secret with the first key of CRM_ENCRYPTION_KEYS (legacy plain ones too).

    Rotation: put the new key first, keep the old one after it, run this, then drop the old key.
    """
    svc = current_services()
    try:
        report = reencrypt_secrets(svc.db, svc.box)
    except UndecryptableSecret as exc:
        raise click.ClickException(f"{exc}; nothing was changed") from None
    click.echo(f"re-encrypted {report.webhook_secrets} webhook secret(s), {report.dkim_keys} DKIM key(s) and "
               f"{report.relay_passwords} relay password(s) with the first key; {report.were_plain} of them were "
               f"stored in plain text")


COMMANDS = (create_seller_cmd, secrets_group)
