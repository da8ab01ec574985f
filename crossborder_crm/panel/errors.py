"""Error pages of the panel: 404 for anything not found (another seller's record included), CSRF."""
from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import NotFound as HTTPNotFound

from crossborder_crm.errors import NotFound
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.reasons import localize_reason

# Flask-WTF's reasons, marked here so the catalog has them (they are shown translated).
CSRF_REASONS = (N_("The CSRF token is missing."), N_("The CSRF session token is missing."),
                N_("The CSRF token has expired."), N_("The CSRF token is invalid."),
                N_("The CSRF tokens do not match."), N_("The referrer header is missing."),
                N_("The referrer does not match the host."))


@bp.errorhandler(NotFound)
@bp.errorhandler(HTTPNotFound)
def not_found(_exc):
    """The same page whether the record never existed or belongs to another seller."""
    return render_template("panel/404.html"), 404


def csrf_failed(exc: CSRFError):
    """A form posted without a valid CSRF token: refused, nothing changed."""
    return render_template("panel/error.html", status=400, reason=localize_reason(exc.description or "")), 400


def init_app(app: Flask) -> None:
    """App-level handlers (CSRF is checked before any blueprint view runs)."""
    app.register_error_handler(CSRFError, csrf_failed)
