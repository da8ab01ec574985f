"""crossborder_crm: a CRM for cross-border sellers. `create_app()` builds the Flask application."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from crossborder_crm.clock import Clock
from crossborder_crm.db import Database

__version__ = "0.1.0"


def create_app(overrides: Mapping[str, Any] | None = None, *, env: str | None = None,
               clock: Clock | None = None, db: Database | None = None) -> Flask:
    """The application factory: settings, services, then each area registers itself."""
    from config import load_config
    from crossborder_crm.container import build_services

    settings = load_config(env, overrides)
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_CONTENT_LENGTH"]
    app.extensions["crm"] = build_services(settings, clock=clock, db=db)

    from crossborder_crm import api, i18n, panel, unsubscribe_views

    i18n.init_app(app)
    panel.init_app(app)
    api.init_app(app)
    unsubscribe_views.init_app(app)
    from crossborder_crm import cli

    cli.register(app)
    return app


def services(app: Flask | None = None):
    """The Services bundle of the current (or given) app."""
    from flask import current_app

    return (app or current_app).extensions["crm"]
