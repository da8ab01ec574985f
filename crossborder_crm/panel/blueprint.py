"""The panel blueprint: default-deny login check and the security headers of every panel page."""
from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_login import current_user

from crossborder_crm.web_security import add_security_headers

bp = Blueprint("panel", __name__, template_folder="templates", static_folder="static",
               static_url_path="/panel-static")

# Reachable without signing in.
PUBLIC_ENDPOINTS = frozenset({"panel.login", "panel.set_language", "panel.static"})


@bp.before_request
def _require_login():
    """Default-deny: a view is private unless it is listed as public."""
    if request.endpoint in PUBLIC_ENDPOINTS or current_user.is_authenticated:
        return None
    return current_app.login_manager.unauthorized()


@bp.after_request
def _security_headers(response):
    """Panel pages are never framed, sniffed or cached by shared caches."""
    return add_security_headers(response, no_store=request.endpoint != "panel.static")
