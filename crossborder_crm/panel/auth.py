"""Sign in and out. Failed attempts are slowed down, then refused for a while (HTTP 429)."""
from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from crossborder_crm.accounts.service import check_login
from crossborder_crm.container import current_services
from crossborder_crm.i18n import gettext as _
from crossborder_crm.i18n import ngettext
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.nav import N_
from crossborder_crm.panel.users import load_user

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


def _locked_message(retry_after: int) -> str:
    minutes = max(1, math.ceil(retry_after / 60))
    return ngettext("Too many failed sign-in attempts. Sign-in for this account is paused; "
                    "try again in %(num)d minute.",
                    "Too many failed sign-in attempts. Sign-in for this account is paused; "
                    "try again in %(num)d minutes.", minutes)


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
    cfg = svc.settings
    result = check_login(svc.db, svc.clock, email, password,
                         slowdown_after=cfg["LOGIN_SLOWDOWN_AFTER"],
                         lockout_after=cfg["LOGIN_LOCKOUT_AFTER"],
                         lockout_seconds=cfg["LOGIN_LOCKOUT_SECONDS"])
    if result.locked:
        body = render_template("panel/login.html", email=email, next_url=next_url,
                               error=_locked_message(result.retry_after), locked=True)
        return body, 429, {"Retry-After": str(result.retry_after)}
    user = load_user(str(result.user_id)) if result.user_id is not None else None
    if user is None:
        if result.delay:
            current_app.extensions["panel.sleep"](result.delay)
        return render_template("panel/login.html", email=email, next_url=next_url,
                               error=_("Wrong email or password.")), 200
    login_user(user)
    return redirect(next_url)


@bp.post("/logout")
def logout():
    """Sign out (a POST with a CSRF token, so no other site can sign you out)."""
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("panel.login"))
