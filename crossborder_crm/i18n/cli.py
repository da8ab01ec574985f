"""`crossborder-crm i18n extract|update|compile|check`: the translation chores around pybabel."""
from __future__ import annotations

import sys

import click

from crossborder_crm.i18n import LOCALES_DIR
from crossborder_crm.i18n.catalogs import DOMAINS, SOURCE_ROOT, check, compile_catalogs, extract, update

_domain = click.option("--domain", type=click.Choice(sorted(DOMAINS)), help="one domain (default: all)")


def _shown(path) -> str:
    return str(path.relative_to(SOURCE_ROOT))


def _run(step, domain: str | None, verb: str) -> None:
    try:
        paths = step(domain)
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    for path in paths:
        click.echo(f"{verb} {_shown(path)}")
    if not paths:
        click.echo(f"no catalogs found under {_shown(LOCALES_DIR)}")


@click.group("i18n")
def i18n() -> None:
    """Translation catalogs: extract the marked strings, update, compile and check the catalogs."""


@i18n.command("extract")
@_domain
def extract_cmd(domain: str | None) -> None:
    """Extract every marked string from the sources into crossborder_crm/locales/<domain>.pot."""
    _run(extract, domain, "extracted")


@i18n.command("update")
@_domain
def update_cmd(domain: str | None) -> None:
    """Merge the .pot templates into each language's .po (new strings come untranslated)."""
    _run(update, domain, "updated")


@i18n.command("compile")
@_domain
def compile_cmd(domain: str | None) -> None:
    """Compile each .po into the .mo the app loads."""
    _run(compile_catalogs, domain, "compiled")


@i18n.command("check")
@_domain
def check_cmd(domain: str | None) -> None:
    """Fail on any missing, untranslated or fuzzy string, mismatched placeholder or stale .mo."""
    problems = check(domain)
    for p in problems:
        click.echo(str(p), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in the catalogs", err=True)
        sys.exit(1)
    click.echo("catalogs complete: every string translated, placeholders match, compiled")


COMMANDS = (i18n,)
