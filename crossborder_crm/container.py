"""What the web layer, the CLI and the worker share: the database, the clock and the settings."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from crossborder_crm.clock import Clock, SystemClock
from crossborder_crm.db import Database


@dataclass
class Services:
    """The app's dependencies, built once by the factory and handed to every adapter."""

    db: Database
    settings: dict[str, Any]
    clock: Clock = field(default_factory=SystemClock)


def build_services(settings: dict[str, Any], clock: Clock | None = None,
                   db: Database | None = None) -> Services:
    """Create the database handle (no connection yet) and bundle it with clock and settings."""
    return Services(db=db or Database(settings["DATABASE_URL"], echo=settings.get("SQL_ECHO", False)),
                    settings=settings, clock=clock or SystemClock())


def current_services() -> Services:
    """The Services bundle of the Flask app handling this request or CLI command."""
    return current_app.extensions["crm"]
