"""The JSON API under /api/v1: each endpoint module adds its routes to the blueprint on import."""
from __future__ import annotations

from flask import Flask

from crossborder_crm.api import (  # noqa: F401  (routes register on import)
    audiences,
    buyers,
    campaigns,
    docs,
    drafts,
    faq,
    holidays,
    insights,
    messages,
    segments,
    shipments,
)
from crossborder_crm.api.blueprint import bp


def init_app(app: Flask) -> None:
    """Register the API blueprint (exempt from CSRF: it authenticates by bearer token)."""
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
