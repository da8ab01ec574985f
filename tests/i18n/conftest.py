"""A locales folder of its own for the catalog tests: one Chinese catalog, compiled or not."""
from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po


def write_catalog(locales: Path, messages: dict[str, str], domain: str = "messages", lang: str = "zh_CN",
                  **header) -> Path:
    """Write <locales>/<lang>/LC_MESSAGES/<domain>.po with these translations; returns its path."""
    catalog = Catalog(locale=lang, domain=domain, **header)
    for source, translated in messages.items():
        catalog.add(source, translated)
    po = locales / lang / "LC_MESSAGES" / f"{domain}.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    with po.open("wb") as f:
        write_po(f, catalog)
    return po


@pytest.fixture
def locales(tmp_path) -> Path:
    folder = tmp_path / "locales"
    folder.mkdir()
    return folder
