"""Translation chores on the source tree: extract, update, compile and check the gettext catalogs.

Each domain has a Babel extraction config at the repository root and a template
`crossborder_crm/locales/<domain>.pot`; each language has
`crossborder_crm/locales/<lang>/LC_MESSAGES/<domain>.po`, compiled to `.mo` beside it. These work on a source checkout (they need the sources to extract from).
"""
from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

from crossborder_crm.i18n import LOCALES_DIR
from crossborder_crm.i18n.compiled import FIX, matches, write_compiled

PACKAGE_DIR = LOCALES_DIR.parent
SOURCE_ROOT = PACKAGE_DIR.parent
# domain -> its extraction config: the panel's words, and the emails' (in the buyer's language).
DOMAINS: dict[str, str] = {"messages": "babel.cfg", "emails": "babel-emails.cfg"}
# The line width each domain's .po files are written at (the emails catalogs were made at 100): an
# update then changes only the entries that changed, not every wrapped line.
PO_WIDTH: dict[str, int] = {"emails": 100}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|%[sdf]|\{(\w*)\}")


@dataclass(frozen=True)
class CatalogProblem:
    """One thing wrong with a catalog: which file, which message, why."""

    path: Path
    message: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.path.relative_to(SOURCE_ROOT)}"
        return f"{where}: {self.message!r}: {self.reason}" if self.message else f"{where}: {self.reason}"


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def template_path(domain: str) -> Path:
    """The extracted template (.pot) of a domain."""
    return LOCALES_DIR / f"{domain}.pot"


def catalog_paths(domain: str) -> list[Path]:
    """Every language's .po file of a domain, sorted."""
    return sorted(LOCALES_DIR.glob(f"*/LC_MESSAGES/{domain}.po"))


def _domains(domain: str | None) -> list[str]:
    if domain is None:
        return list(DOMAINS)
    if domain not in DOMAINS:
        raise ValueError(f"unknown domain {domain!r}; known: {', '.join(DOMAINS)}")
    return [domain]


def _require_sources() -> None:
    if not (SOURCE_ROOT / "babel.cfg").is_file() or not PACKAGE_DIR.is_dir():
        raise FileNotFoundError(f"no source checkout at {SOURCE_ROOT}: the i18n commands work on the sources")


def extract(domain: str | None = None) -> list[Path]:
    """Write each domain's .pot from the marked strings in the sources."""
    _require_sources()
    written = []
    for d in _domains(domain):
        out = template_path(d)
        # Relative paths, run from the checkout's root: the .pot's source references then read
        # "crossborder_crm/panel/…", the same on every machine.
        with contextlib.chdir(SOURCE_ROOT):
            _pybabel("extract", "-F", DOMAINS[d], "--project", "crossborder_crm",
                     "-o", str(out.relative_to(SOURCE_ROOT)), PACKAGE_DIR.name)
        written.append(out)
    return written


def update(domain: str | None = None) -> list[Path]:
    """Merge each domain's .pot into every language's .po (new strings appear untranslated)."""
    _require_sources()
    updated = []
    for d in _domains(domain):
        if catalog_paths(d):
            _pybabel("update", "-i", str(template_path(d)), "-d", str(LOCALES_DIR), "-D", d,
                     "-w", str(PO_WIDTH.get(d, 76)))
            updated.extend(catalog_paths(d))
    return updated


def compile_catalogs(domain: str | None = None) -> list[Path]:
    """Compile every .po to its .mo; a catalog with errors is refused (ValueError)."""
    compiled = []
    for d in _domains(domain):
        for po in catalog_paths(d):
            errors = _placeholder_problems(po)
            if errors:
                raise ValueError("; ".join(str(e) for e in errors))
            # The same compiler as the package build's (setup.py), so the start-up check agrees with both.
            compiled.append(write_compiled(po))
    return compiled


def _placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text)}


def _strings(value) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def _read(po: Path):
    with po.open("rb") as f:
        return read_po(f)


def _placeholder_problems(po: Path) -> list[CatalogProblem]:
    problems = []
    for m in _read(po):
        if not m.id or not m.string:
            continue
        wanted = _placeholders(_strings(m.id)[0])
        for s in _strings(m.string):
            if s and _placeholders(s) != wanted:
                problems.append(CatalogProblem(po, _strings(m.id)[0], f"placeholders {sorted(_placeholders(s))} "
                                                                        f"do not match the source's {sorted(wanted)}"))
    return problems


def check(domain: str | None = None) -> list[CatalogProblem]:
    """Everything wrong: strings missing from a .po, untranslated or fuzzy ones, placeholders that
    differ from the source, and .mo files missing or not matching their .po."""
    problems: list[CatalogProblem] = []
    for d in _domains(domain):
        pot = template_path(d)
        ids = [m.id for m in _read(pot) if m.id] if pot.is_file() else []
        for po in catalog_paths(d):
            cat = _read(po)
            if cat.fuzzy:
                problems.append(CatalogProblem(po, "", "the catalog header is marked fuzzy"))
            for mid in ids:
                m = cat.get(mid)
                text = _strings(mid)[0]
                if m is None:
                    problems.append(CatalogProblem(po, text, "missing (run `crossborder-crm i18n update`)"))
                elif "fuzzy" in m.flags:
                    problems.append(CatalogProblem(po, text, "fuzzy"))
                elif not all(_strings(m.string)):
                    problems.append(CatalogProblem(po, text, "not translated"))
            problems.extend(_placeholder_problems(po))
            mo = po.with_suffix(".mo")
            if not mo.is_file():
                problems.append(CatalogProblem(po, "", f"not compiled ({FIX})"))
            elif not matches(po.read_bytes(), mo.read_bytes()):  # contents: pip keeps no reliable mtimes
                problems.append(CatalogProblem(po, "", f"the compiled catalog does not match the .po ({FIX})"))
    return problems
