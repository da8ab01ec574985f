"""Sign in and out. After a few failures an account must pause before each attempt, and a client
address with many failures is refused for a while (both HTTP 429 with Retry-After). Signing out
ends the user's sessions everywhere, not just the cookie in this browser.
"""
from __future__ import annotations

import math
from typing import Any, Mapping
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm.accounts.service import check_login, end_sessions
from crossborder_crm.accounts.throttle import CLIENT, LoginPolicy
from crossborder_crm.container import current_services
from crossborder_crm.i18n import gettext as _
from crossborder_crm.i18n import ngettext
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.users import close_session, find_user, start_session

LOGIN_REQUIRED_MESSAGE = N_("Please sign in to see this page.")


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in; anything pointing elsewhere becomes the dashboard."""
    default = url_for("panel.dashboard")
    if not target or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def login_policy(settings: Mapping[str, Any]) -> LoginPolicy:
    """The LOGIN_* settings as the throttle takes them."""
    return LoginPolicy(slowdown_after=settings["LOGIN_SLOWDOWN_AFTER"],
                       pause_max_seconds=settings["LOGIN_PAUSE_MAX_SECONDS"],
                       client_lockout_after=settings["LOGIN_CLIENT_LOCKOUT_AFTER"],
                       client_lockout_seconds=settings["LOGIN_CLIENT_LOCKOUT_SECONDS"])


def refusal_message(scope: str, retry_after: int) -> str:
    """Why this attempt was not even checked, and how long to wait, in the panel's language."""
    if scope == CLIENT:
        minutes = max(1, math.ceil(retry_after / 60))
        return ngettext("Too many failed sign-in attempts from your network. "
                        "Try again in %(num)d minute.",
                        "Too many failed sign-in attempts from your network. "
                        "Try again in %(num)d minutes.", minutes)
    return ngettext("Too many failed sign-in attempts for this account. "
                    "Wait %(num)d second before trying again.",
                    "Too many failed sign-in attempts for this account. "
                    "Wait %(num)d seconds before trying again.", retry_after)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; on success, on to where the user was going."""
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    if request.method == "GET":
        return render_template("panel/login.html", email="", next_url=next_url)
    email = (request.form.get("email") or "").strip()
    password = request.form.get("password") or ""
    svc = current_services()
    # remote_addr is the peer, or the client a trusted proxy names (TRUSTED_PROXIES, ProxyFix).
    result = check_login(svc.db, svc.clock, email, password, client=request.remote_addr,
                         policy=login_policy(svc.settings))
    if result.locked:
        body = render_template("panel/login.html", email=email, next_url=next_url,
                               error=refusal_message(result.scope, result.retry_after), locked=True)
        return body, 429, {"Retry-After": str(result.retry_after)}
    user = find_user(result.user_id) if result.user_id is not None else None
    if user is None:
        return render_template("panel/login.html", email=email, next_url=next_url,
                               error=_("Wrong email or password.")), 200
    start_session(user)
    return redirect(next_url)


@bp.post("/logout")
def logout():
    """Sign out everywhere (a POST with a CSRF token, so no other site can sign you out)."""
    end_sessions(current_services().db, current_user.id)
    close_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("panel.login"))
