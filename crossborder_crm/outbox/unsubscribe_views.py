"""Public unsubscribe endpoints: RFC 8058 one-click POST (no cookie, no login) and a preference page."""
from __future__ import annotations

from flask import Blueprint, Flask, render_template, request

from crossborder_crm.container import current_services
from crossborder_crm.i18n.emails import email_translations, text_direction
from crossborder_crm.outbox.suppression import resubscribe, subscription_state, unsubscribe
from crossborder_crm.outbox.unsubscribe import InvalidUnsubscribeToken, read_unsubscribe_token

bp = Blueprint("unsubscribe", __name__)


def _claim(token: str):
    from flask import current_app

    try:
        return read_unsubscribe_token(current_app.config["SECRET_KEY"], token)
    except InvalidUnsubscribeToken:
        return None


def _page(token: str, claim, done: str | None, status: int = 200):

    seller, unsubscribed, locale = subscription_state(current_services().db, claim)
    t = email_translations(locale)
    return render_template("unsubscribe.html", token=token, seller=seller, unsubscribed=unsubscribed, done=done,
                           email=claim.email, t=t.ugettext, direction=text_direction(locale), lang=locale), status


@bp.get("/u/<token>")
def preferences(token: str):
    """The preference page behind the link in the footer."""
    claim = _claim(token)
    if claim is None:
        return render_template("unsubscribe_invalid.html"), 400
    return _page(token, claim, None)


@bp.post("/u/<token>")
def one_click(token: str):
    """One-click unsubscribe (RFC 8058) or the preference form; answers 200, never a redirect."""

    claim = _claim(token)
    if claim is None:
        return render_template("unsubscribe_invalid.html"), 400
    svc = current_services()
    if request.form.get("action") == "resubscribe":
        resubscribe(svc.db, svc.clock, claim)
        return _page(token, claim, "resubscribed")
    source = "one_click" if request.form.get("List-Unsubscribe") == "One-Click" else "preference_page"
    unsubscribe(svc.db, svc.clock, claim, source)
    return _page(token, claim, "unsubscribed")


def init_app(app: Flask) -> None:
    """Register the public routes; they carry their own signed token instead of a CSRF token."""
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
