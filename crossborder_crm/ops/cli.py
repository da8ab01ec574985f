"""`crossborder-crm check`: validate the configuration before starting (or after changing) a deployment."""
from __future__ import annotations

import sys

import click
from flask import Flask

from config import ConfigError
from crossborder_crm.i18n import LOCALES_DIR
from crossborder_crm.migrate import head
from crossborder_crm.ops.checks import load_settings, run_all


@click.command("check")
def check_cmd() -> None:
    """Check the database, the mail backend, the secret key, the public URL, the catalogs and the
    encryption keys; one line each, and a non-zero exit when anything is wrong."""
    # The app is not built: it would stop at the first bad setting, and every finding is wanted.
    # The instance folder is the app's own (where the default SQLite file and mail folder live).
    instance_dir = Flask("crossborder_crm").instance_path
    try:
        settings = load_settings(instance_dir=instance_dir)
    except ConfigError as exc:
        click.echo(f"FAIL  settings: {exc}")
        sys.exit(1)
    findings = run_all(settings, head(), LOCALES_DIR)
    for finding in findings:
        click.echo(finding.line())
    failed = [f.name for f in findings if not f.ok]
    if failed:
        click.echo(f"{len(failed)} problem(s): {', '.join(failed)}", err=True)
        sys.exit(1)


COMMANDS = (check_cmd,)
