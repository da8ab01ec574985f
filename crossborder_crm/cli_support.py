"""What every feature's commands share: error output, seller selection, redacted database URLs."""
from __future__ import annotations

import sys
from typing import NoReturn

import click
from sqlalchemy import select
from sqlalchemy.engine import make_url

from crossborder_crm.accounts.models import Seller
from crossborder_crm.db import Database
from crossborder_crm.errors import CrmError


def fail(exc: CrmError) -> NoReturn:
    """Print a service error with each field's reason on stderr and exit 2."""
    click.echo(f"error: {exc.message}", err=True)
    for field, reason in exc.fields.items():
        click.echo(f"  {field}: {reason}", err=True)
    sys.exit(2)


def redact(url: str) -> str:
    """A database URL safe to print: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def seller_options(f):
    """Add --seller-id and --seller-key (pass exactly one) to a command."""
    f = click.option("--seller-key", help="the seller's public key")(f)
    f = click.option("--seller-id", type=int, help="the seller's id")(f)
    return f


def resolve_seller(db: Database, seller_id: int | None, seller_key: str | None) -> int:
    """The seller named by --seller-id or --seller-key (exactly one), or a usage error."""
    if (seller_id is None) == (seller_key is None):
        raise click.UsageError("give exactly one of --seller-id or --seller-key")
    with db.reading() as s:
        if seller_id is not None:
            found = s.scalar(select(Seller.id).where(Seller.id == seller_id))
        else:
            found = s.scalar(select(Seller.id).where(Seller.key == seller_key))
    if found is None:
        raise click.UsageError(f"no seller with {'id ' + str(seller_id) if seller_id is not None else 'key ' + seller_key}")
    return found
