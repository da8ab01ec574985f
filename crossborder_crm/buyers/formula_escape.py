"""Spreadsheet formula injection: text cells written so no spreadsheet runs them, and read back as written.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is taken as a
formula by Excel, LibreOffice and Google Sheets; buyer names come from marketplaces, so an
export must not hand them over as formulas. Following OWASP's advice on CSV injection, such a
cell gets one leading single quote, which spreadsheets show as "this is text".

So that an export re-imports to the same values, the importer takes that one quote off again.
Values that already start with quotes before a trigger character get one more on export, so
the pair is exact: ``restore(escape(v)) == v`` for every string.
"""
from __future__ import annotations

import re

TRIGGERS = "=+-@\t\r"
_ESCAPED = re.compile(r"'+[=+\-@\t\r]")  # what escape() produces: restore() takes one quote off
_NEEDS = re.compile(r"'*[=+\-@\t\r]")


def escape(value: str) -> str:
    """The text as a spreadsheet-safe cell: one quote before a leading formula character."""
    return "'" + value if _NEEDS.match(value) else value


def restore(value: str) -> str:
    """A cell as escape() wrote it back to the text it was (other values unchanged)."""
    return value[1:] if value[:1] == "'" and _ESCAPED.match(value) else value
