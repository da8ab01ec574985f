"""The seller web panel: login, dashboard, buyers, outbox, settings. Server-rendered Jinja.

One blueprint, `panel`, with its views split by area (auth, dashboard, buyers, outbox, settings,
placeholders). Every view needs a signed-in user except the few listed in PUBLIC_ENDPOINTS;
every form carries a CSRF token (Flask-WTF's CSRFProtect; the API exempts itself).
"""
from __future__ import annotations

import time

from flask import Blueprint, Flask, request
from flask_login import current_user

bp = Blueprint("panel", __name__, template_folder="templates", static_folder="static",
               static_url_path="/panel-static")

# Reachable without signing in.
PUBLIC_ENDPOINTS = frozenset({"panel.login", "panel.set_language", "panel.static"})

# Content-Security-Policy: everything is served from here; no inline script anywhere.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


@bp.before_request
def _require_login():
    """Default-deny: a view is private unless it is listed as public."""
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    from flask import current_app

    return current_app.login_manager.unauthorized()


@bp.after_request
def _security_headers(response):
    """Panel pages are never framed, sniffed or cached by shared caches."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "panel.static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    """Register CSRF protection, login management, template helpers and the panel routes."""
    from flask_login import LoginManager
    from flask_wtf.csrf import CSRFProtect

    from crossborder_crm.i18n import gettext
    from crossborder_crm.panel import (auth, buyers, dashboard, errors, formatting,  # noqa: F401
                                       outbox, placeholders, settings)
    from crossborder_crm.panel.users import AnonymousPanelUser, load_user

    CSRFProtect(app)
    lm = LoginManager(app)
    lm.login_view = "panel.login"
    lm.login_message = auth.LOGIN_REQUIRED_MESSAGE
    lm.login_message_category = "info"
    lm.localize_callback = gettext
    lm.anonymous_user = AnonymousPanelUser
    lm.user_loader(load_user)
    # The pause after a failed login; tests put a recorder here instead of sleeping.
    app.extensions.setdefault("panel.sleep", time.sleep)

    errors.init_app(app)
    app.register_blueprint(bp)
