"""What the web layer, the CLI and the worker share: the database, the clock, the settings, the secret
box and the translator."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from crossborder_crm.clock import Clock, SystemClock
from crossborder_crm.db import Database
from crossborder_crm.i18n.translation_cache import CachedTranslator, make_translator
from crossborder_crm.secret_box import SecretBox


@dataclass
class Services:
    """The app's dependencies, built once by the factory and handed to every adapter."""

    db: Database
    # Out of repr: a traceback or a debug print must not spill the secret key or the keys.
    settings: dict[str, Any] = field(repr=False)
    clock: Clock = field(default_factory=SystemClock)
    # Encrypts secrets at rest; a bundle made without one (tests, benchmarks) builds it from settings.
    box: SecretBox = field(default=None, repr=False)  # type: ignore[assignment]
    # Machine translation behind the database cache (TRANSLATOR setting); None when it is off.
    # Made from the settings unless given.
    translator: CachedTranslator | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.box is None:
            self.box = SecretBox.from_settings(self.settings)
        if self.translator is None:
            self.translator = make_translator(self.settings, self.db, self.clock)


def build_services(settings: dict[str, Any], clock: Clock | None = None,
                   db: Database | None = None) -> Services:
    """Create the database handle (no connection yet) and the secret box, bundled with clock and settings."""
    return Services(db=db or Database(settings["DATABASE_URL"], echo=settings.get("SQL_ECHO", False)),
                    settings=settings, clock=clock or SystemClock(), box=SecretBox.from_settings(settings))


def current_services() -> Services:
    """The Services bundle of the Flask app handling this request or CLI command."""
    return current_app.extensions["crm"]
