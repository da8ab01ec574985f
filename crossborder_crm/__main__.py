"""Entry point of the `crossborder-crm` console script (also `python -m crossborder_crm`)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import ScriptInfo

from config import ConfigError
from crossborder_crm import create_app
from crossborder_crm.cli import crm
from crossborder_crm.cli_support import redact


def _serving() -> bool:
    """True while the `serve` command runs: only the dev server may make its own secret key."""
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.find_root().invoked_subcommand == "serve"


def _app() -> Flask:
    """The app for a command, saying which database it works on; bad settings end in a plain error."""
    try:
        app = create_app(dev_server=_serving())
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"database: {redact(app.config['DATABASE_URL'])}", err=True)
    return app


def main() -> None:
    """Run the `crm` command group against an app built from the environment."""
    crm.main(obj=ScriptInfo(create_app=_app), prog_name="crossborder-crm")


if __name__ == "__main__":
    main()
