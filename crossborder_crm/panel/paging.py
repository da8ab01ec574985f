"""Keyset pagination in the panel: the page size, and "previous page" as a short stack of the
cursors already visited, in the URL."""
from __future__ import annotations

from dataclasses import dataclass

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


def page_size(raw: str | None) -> int:
    """Rows per page from the query string: 25 by default, 1–100, anything else the default."""
    try:
        return min(max(int(raw), 1), MAX_PAGE_SIZE) if raw else PAGE_SIZE
    except ValueError:
        return PAGE_SIZE
