"""Public unsubscribe endpoints: RFC 8058 one-click POST (no cookie, no login) and a preference page.

The one-click POST (body ``List-Unsubscribe=One-Click``) comes from mail providers' servers,
cross-site and without cookies: it is honoured as is, since all it can do is unsubscribe. The
preference page's buttons carry a form token bound to the link and the action, and must come
from our own page when the browser says where they came from; subscribing again needs the
browser to say so, so a cross-site form can never re-grant consent.
"""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template, request

from crossborder_crm.container import current_services
from crossborder_crm.i18n.emails import email_translations, shipped_email_locales, text_direction
from crossborder_crm.outbox.suppression import resubscribe, subscription_state, unsubscribe
from crossborder_crm.outbox.unsubscribe import (
    InvalidUnsubscribeToken,
    UnsubscribeClaim,
    check_form_token,
    form_token,
    read_unsubscribe_token,
)
from crossborder_crm.web_security import add_security_headers, same_origin

bp = Blueprint("unsubscribe", __name__, static_folder="static", static_url_path="/u-static")

FORM_ACTIONS = ("unsubscribe", "resubscribe")


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _claim(token: str) -> UnsubscribeClaim | None:
    try:
        return read_unsubscribe_token(_secret(), token)
    except InvalidUnsubscribeToken:
        return None


def _render(template: str, locale: str, **values) -> str:
    """A page in the buyer's language: the `emails` catalog, as their emails use, not the panel's."""
    return render_template(template, _=email_translations(locale).ugettext, direction=text_direction(locale),
                           lang=locale, **values)


def _invalid():
    """The broken-link page, in the browser's language: the token no longer says whose link it was."""
    return _render("unsubscribe_invalid.html", request.accept_languages.best_match(shipped_email_locales(), "en")), 400


def _page(token: str, claim: UnsubscribeClaim, done: str | None, status: int = 200):
    state = subscription_state(current_services().db, claim)
    action = "resubscribe" if state.unsubscribed else "unsubscribe"
    return _render("unsubscribe.html", state.locale, token=token, seller=state.seller_name,
                   unsubscribed=state.unsubscribed, done=done, email=state.masked_email, action=action,
                   form_token=form_token(_secret(), token, action)), status


def _from_our_page(token: str, action: str) -> bool:
    """The form's POST carries our token for this action and, for resubscribing, came from our page."""
    if action not in FORM_ACTIONS or not check_form_token(_secret(), token, action, request.form.get("form_token")):
        return False
    verdict = same_origin(request, (current_app.config.get("PUBLIC_URL") or "",))
    # unsubscribing is the safe direction: a client that names no origin may still do it
    return verdict is True or (verdict is None and action == "unsubscribe")


@bp.get("/u/<token>")
def preferences(token: str):
    """The preference page behind the link in the footer."""
    claim = _claim(token)
    if claim is None:
        return _invalid()
    return _page(token, claim, None)


@bp.post("/u/<token>")
def one_click(token: str):
    """One-click unsubscribe (RFC 8058) or the preference form; answers 200, never a redirect."""
    claim = _claim(token)
    if claim is None:
        return _invalid()
    svc = current_services()
    if request.form.get("List-Unsubscribe") == "One-Click":
        unsubscribe(svc.db, svc.clock, claim, "one_click")
        return _page(token, claim, "unsubscribed")
    action = request.form.get("action", "")
    if not _from_our_page(token, action):
        return _render("unsubscribe_refused.html", subscription_state(svc.db, claim).locale), 403
    if action == "resubscribe":
        resubscribe(svc.db, svc.clock, claim)
        return _page(token, claim, "resubscribed")
    unsubscribe(svc.db, svc.clock, claim, "preference_page")
    return _page(token, claim, "unsubscribed")


@bp.after_request
def _security_headers(response):
    """The pages behind a link in an email are never framed, sniffed or cached."""
    return add_security_headers(response, no_store=request.endpoint != "unsubscribe.static")


def init_app(app: Flask) -> None:
    """Register the public routes; they check their own form token instead of the panel's CSRF token."""
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
