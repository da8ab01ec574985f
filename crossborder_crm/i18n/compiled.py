"""Compiled catalogs (.mo): make them from the .po sources, and tell whether one still matches its .po.

Only the standard library and Babel here: the package build (setup.py) loads this file by path to
compile the catalogs into the wheel, so the build and the start-up check share one definition of
"compiled".
"""
from __future__ import annotations

import functools
import io
import struct
from dataclasses import dataclass
from pathlib import Path

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

CATALOG_GLOB = "*/LC_MESSAGES/*.po"
FIX = "run `crossborder-crm i18n compile`, or reinstall the package (building it compiles the catalogs)"


def po_files(locales_dir: Path) -> list[Path]:
    """Every language's .po of every domain under a locales folder, sorted."""
    return sorted(Path(locales_dir).glob(CATALOG_GLOB))


def compile_po(po_data: bytes) -> bytes:
    """The .mo bytes for a .po's bytes (fuzzy and untranslated entries left out, as pybabel does)."""
    out = io.BytesIO()
    write_mo(out, read_po(io.BytesIO(po_data)), use_fuzzy=False)
    return out.getvalue()


def write_compiled(po: Path) -> Path:
    """Compile one .po into the .mo beside it; returns the .mo's path."""
    mo = po.with_suffix(".mo")
    mo.write_bytes(compile_po(po.read_bytes()))
    return mo


def compile_tree(locales_dir: Path) -> list[Path]:
    """Compile every .po under a locales folder; returns the .mo paths written."""
    return [write_compiled(po) for po in po_files(locales_dir)]


def _frozen(value):
    return tuple(value) if isinstance(value, list) else value


def mo_entries(data: bytes) -> dict:
    """What a .mo file means: its messages (id -> translation) and its plural rule.

    Dates and translator names in the header are left out: they change nothing the app shows.
    ValueError when the bytes are not a readable .mo file.
    """
    try:
        catalog = read_mo(io.BytesIO(data))
    except (OSError, struct.error, IndexError, UnicodeDecodeError) as exc:
        raise ValueError(f"not a readable .mo file: {exc}") from None
    # Plural entries come as lists (id and its plural, one string per form): tuples, to compare and key.
    entries: dict = {(m.context, _frozen(m.id)): _frozen(m.string) for m in catalog if m.id}
    entries["plural-forms"] = catalog.plural_forms
    return entries


@functools.lru_cache(maxsize=16)
def matches(po_data: bytes, mo_data: bytes) -> bool:
    """True when the .mo holds exactly the messages the .po compiles to.

    Keyed on the files' contents, so a cached answer can never be a stale one; the cache only
    spares each later app in the same process (tests build many) from parsing the .po again.
    """
    try:
        return mo_entries(mo_data) == mo_entries(compile_po(po_data))
    except ValueError:
        return False


@dataclass(frozen=True)
class StaleCatalog:
    """A catalog the app would not load as its .po says: the .mo is missing or differs."""

    po: Path
    reason: str  # "missing" | "outdated"

    def __str__(self) -> str:
        mo = self.po.with_suffix(".mo")
        if self.reason == "missing":
            return f"compiled catalog {mo} is missing, so its texts show in English; {FIX}"
        return f"compiled catalog {mo} does not match {self.po} (compiled from an older version); {FIX}"


def stale_catalogs(locales_dir: Path) -> list[StaleCatalog]:
    """Every catalog under a locales folder whose .mo is missing or does not match its .po."""
    stale = []
    for po in po_files(locales_dir):
        mo = po.with_suffix(".mo")
        if not mo.is_file():
            stale.append(StaleCatalog(po, "missing"))
        elif not matches(po.read_bytes(), mo.read_bytes()):
            stale.append(StaleCatalog(po, "outdated"))
    return stale
