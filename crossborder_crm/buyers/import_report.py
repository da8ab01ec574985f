"""What a buyer import did: the `ImportReport`, with a `RowError` for each bad cell."""
from __future__ import annotations

from dataclasses import dataclass, field

from crossborder_crm.errors import N_

# A new buyer's missing name or country, in the words import reports have always used (pydantic's).
FIELD_REQUIRED = N_("Field required")


@dataclass(frozen=True)
class RowError:
    """One bad cell: spreadsheet row (the header is row 1), column as named in the file, why."""

    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    """What an import did (or, for a dry run or a refused strict run, would have done)."""

    rows_total: int = 0  # data rows (blank lines not counted)
    rows_imported: int = 0  # rows without errors (written unless dry run / strict refusal)
    buyers_created: int = 0
    buyers_updated: int = 0  # buyers that existed before the import (matched by email / id)
    orders_created: int = 0
    orders_existing: int = 0  # already recorded for the same buyer: left as they are
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    strict: bool = False
    committed: bool = False
    fatal: bool = False  # the file could not be read at all

    @property
    def rows_with_errors(self) -> int:
        """Data rows skipped because of an error (header errors not counted)."""
        return len({e.row for e in self.errors if e.row > 1})

    def as_dict(self) -> dict:
        """The report as plain data, errors included."""
        return {"rows_total": self.rows_total, "rows_imported": self.rows_imported,
                "rows_with_errors": self.rows_with_errors, "buyers_created": self.buyers_created,
                "buyers_updated": self.buyers_updated, "orders_created": self.orders_created,
                "orders_existing": self.orders_existing, "dry_run": self.dry_run,
                "strict": self.strict, "committed": self.committed, "fatal": self.fatal,
                "errors": [e.__dict__ for e in self.errors]}
