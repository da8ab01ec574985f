"""crossborder_crm: a CRM for cross-border sellers. `create_app()` builds the Flask application."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import load_config
from crossborder_crm import api, app_errors, cli, i18n, ops, panel
from crossborder_crm.clock import Clock
from crossborder_crm.container import build_services
from crossborder_crm.db import Database
from crossborder_crm.feedback import feedback_views
from crossborder_crm.marketplaces import webhook_views
from crossborder_crm.outbox import tracking_views, unsubscribe_views

__version__ = "0.1.0"


def create_app(overrides: Mapping[str, Any] | None = None, *, env: str | None = None,
               clock: Clock | None = None, db: Database | None = None, dev_server: bool = False) -> Flask:
    """The application factory: settings, services, then each area registers itself.

    `dev_server` is for `crossborder-crm serve` only: it may make its own secret key.
    """
    app = Flask(__name__, instance_relative_config=False)
    settings = load_config(env, overrides, instance_dir=app.instance_path, dev_server=dev_server)
    app.config.update(settings)
    app.config["MAX_CONTENT_LENGTH"] = settings["MAX_CONTENT_LENGTH"]
    if settings["TRUSTED_PROXIES"] > 0:
        # Only then is X-Forwarded-For believed: the login throttle counts per client address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings["TRUSTED_PROXIES"])
    app.extensions["crm"] = build_services(settings, clock=clock, db=db)
    i18n.init_app(app)
    panel.init_app(app)
    api.init_app(app)
    app_errors.init_app(app)
    unsubscribe_views.init_app(app)
    tracking_views.init_app(app)
    webhook_views.init_app(app)
    feedback_views.init_app(app)
    ops.init_app(app)
    cli.register(app)
    return app
