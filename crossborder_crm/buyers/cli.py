"""Buyer commands: `import-buyers`, `export-buyers` and `demo`.

Exit codes of import-buyers: 0 every row imported (or, with --dry-run, would be); 1 some rows
had errors and the valid ones were imported (non-strict); 2 nothing written because of errors
(--strict, or --dry-run that found errors), an unreadable file, or a usage error.
"""
from __future__ import annotations

import csv
import sys

import click
from flask.cli import with_appcontext

from crossborder_crm.buyers.demo import database_is_empty, seed_demo
from crossborder_crm.buyers.exporter import export_buyers
from crossborder_crm.buyers.importer import ImportLimits, import_buyers
from crossborder_crm.buyers.listing import parse_filter
from crossborder_crm.cli_support import resolve_seller, seller_options
from crossborder_crm.container import current_services
from crossborder_crm.errors import CrmError

SHOWN_ERRORS = 50


def _exit_code(report) -> int:
    if report.fatal:
        return 2
    if not report.errors:
        return 0
    if report.strict or report.dry_run:
        return 2
    return 1


@click.command("import-buyers")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@seller_options
@click.option("--dry-run", is_flag=True, help="check everything and report, write nothing")
@click.option("--strict", is_flag=True, help="write nothing if any row has an error")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), help="default: from the extension")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, writable=True),
              help="write every error to this CSV (row, column, reason)")
@with_appcontext
def import_buyers_cmd(file: str, seller_id: int | None, seller_key: str | None, dry_run: bool,
                      strict: bool, fmt: str | None, report_path: str | None) -> None:
    """Import buyers (and their orders) from a CSV or .xlsx FILE in one transaction.

    Rows are matched to existing buyers by email; each bad cell is reported as row, column,
    reason and its row skipped. Exit status: 0 all rows imported, 1 some rows skipped,
    2 nothing written (--strict or --dry-run with errors, unreadable file, usage error).
    """
    svc = current_services()
    sid = resolve_seller(svc.db, seller_id, seller_key)
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=max(total, 1), label="importing", file=sys.stderr,
                                    show_pos=True)
            bar.__enter__()
        bar.length = max(total, done, 1)
        bar.update(done - bar.pos)

    try:
        report = import_buyers(svc.db, svc.clock, sid, file, fmt=fmt, dry_run=dry_run,
                               strict=strict, progress=progress, limits=ImportLimits.from_settings(svc.settings))
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    _print_report(report)
    if report_path:
        with open(report_path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["row", "column", "reason"])
            w.writerows((e.row, e.column, e.reason) for e in report.errors)
        click.echo(f"all {len(report.errors)} errors written to {report_path}", err=True)
    sys.exit(_exit_code(report))


def _print_report(report) -> None:
    for e in report.errors[:SHOWN_ERRORS]:
        where = f"row {e.row}" + (f", {e.column}" if e.column else "")
        click.echo(f"{where}: {e.reason}", err=True)
    if len(report.errors) > SHOWN_ERRORS:
        click.echo(f"… and {len(report.errors) - SHOWN_ERRORS} more", err=True)
    if report.fatal:
        click.echo("nothing imported: the file was refused as a whole (see above)", err=True)
        return
    what = (f"buyers created: {report.buyers_created}, updated: {report.buyers_updated}; "
            f"orders created: {report.orders_created}")
    if report.orders_existing:
        what += f" (already recorded: {report.orders_existing})"
    click.echo(f"rows: {report.rows_total}, valid: {report.rows_imported}, "
               f"with errors: {report.rows_with_errors}")
    if report.committed:
        click.echo(what)
    elif report.dry_run:
        click.echo(f"dry run, nothing written; it would do: {what}")
    else:
        click.echo(f"strict: errors found, nothing written (without them: {what})")


@click.command("export-buyers")
@seller_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              default="-", show_default=True, help="CSV file to write ('-' for standard output)")
@click.option("--country", help="only buyers in this country (ISO 3166-1 alpha-2)")
@click.option("--language", help="only buyers with this language (BCP 47)")
@click.option("--tag", help="only buyers with this tag")
@click.option("--consent", help="only buyers with this consent status")
@with_appcontext
def export_buyers_cmd(seller_id: int | None, seller_key: str | None, output: str, country: str | None,
                      language: str | None, tag: str | None, consent: str | None) -> None:
    """Export the seller's buyers as CSV (the import format plus read-only columns)."""
    svc = current_services()
    sid = resolve_seller(svc.db, seller_id, seller_key)
    try:
        flt = parse_filter({k: v for k, v in (("country", country), ("language", language),
                                              ("tag", tag), ("consent", consent)) if v})
    except CrmError as exc:
        raise click.UsageError("; ".join(f"--{k.replace('_', '-')}: {v}" for k, v in exc.fields.items()))
    if output == "-":
        count = export_buyers(svc.db, sid, sys.stdout, flt)
    else:
        with open(output, "w", newline="", encoding="utf-8") as f:
            count = export_buyers(svc.db, sid, f, flt)
    click.echo(f"{count} buyers exported" + ("" if output == "-" else f" to {output}"), err=True)


@click.command("demo")
@click.option("--buyers", default=320, show_default=True)
@click.option("--if-empty", is_flag=True, help="only seed when the database has no seller yet")
@with_appcontext
def demo_cmd(buyers: int, if_empty: bool) -> None:
    """Seed a demo seller with buyers in 30 countries, orders and activity."""
    svc = current_services()
    if if_empty and not database_is_empty(svc.db):
        click.echo("database already has data: demo not seeded")
        return
    with click.progressbar(length=buyers, label="seeding demo buyers") as bar:
        result = seed_demo(svc.db, svc.clock, buyers=buyers, progress=lambda n: bar.update(n),
                           settings=svc.settings)
    click.echo(f"demo seller {result.seller_id}: {result.buyers} buyers, {result.orders} orders")
    click.echo(f"panel login: {result.email} / {result.password}")
    click.echo(f"API token: {result.api_token}")


COMMANDS = (import_buyers_cmd, export_buyers_cmd, demo_cmd)
