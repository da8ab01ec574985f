"""Keyset pagination in the panel: the page size, and "previous page" as a short stack of the
cursors already visited, in the URL."""
from __future__ import annotations

from dataclasses import dataclass

from crossborder_crm.i18n import gettext as _
from crossborder_crm.validation import ascii_int

FIRST_PAGE = "_"  # stands for "no cursor"; a real cursor is never a single character
SEPARATOR = "."   # not in the base64url alphabet cursors are written in
MAX_DEPTH = 50    # keeps URLs short; going back further than this lands on the first page


@dataclass(frozen=True)
class Trail:
    """Cursors of the pages before the current one, oldest first."""

    cursors: tuple[str, ...] = ()

    @classmethod
    def parse(cls, raw: str | None) -> "Trail":
        """Read the `trail` query value; anything malformed is just dropped."""
        parts = [p for p in (raw or "").split(SEPARATOR) if p]
        return cls(tuple(parts[-MAX_DEPTH:]))

    def encode(self) -> str:
        return SEPARATOR.join(self.cursors)

    def push(self, cursor: str | None) -> "Trail":
        """The trail one page further on, remembering the current page's cursor."""
        return Trail((*self.cursors, cursor or FIRST_PAGE)[-MAX_DEPTH:])

    def pop(self) -> "Trail":
        return Trail(self.cursors[:-1])

    def top(self) -> str | None:
        """The cursor of the previous page (None for the first page)."""
        last = self.cursors[-1] if self.cursors else FIRST_PAGE
        return None if last == FIRST_PAGE else last

    def __len__(self) -> int:
        return len(self.cursors)


PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def page_size(raw: str | None) -> int | None:
    """Rows per page from the query string: 25 by default, a number clamped to 1–100; None when
    the value is not a number in ASCII digits (the page says so next to `limit`)."""
    if not raw:
        return PAGE_SIZE
    value = ascii_int(raw)
    return None if value is None else min(max(value, 1), MAX_PAGE_SIZE)


def page_size_error() -> str:
    """What the page says about a `limit` that is not a number."""
    return _("Choose a page size from 1 to %(max)s.", max=MAX_PAGE_SIZE)


def page_link_error() -> str:
    """What the page says about a `cursor` that no page of the panel made."""
    return _("This page link is not valid; start again from the first page.")
