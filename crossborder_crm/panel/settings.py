"""Settings: the account, and the panel language (saved on the user, or in the session before sign-in)."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, request, session
from flask_login import current_user

from crossborder_crm import services
from crossborder_crm.i18n import PANEL_LOCALES
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel import bp
from crossborder_crm.panel.auth import safe_next
from crossborder_crm.accounts.service import set_user_locale
from crossborder_crm.panel.users import SESSION_LOCALE_KEY


@bp.get("/settings")
def settings():
    """The account and the language choice; more settings slot in here later."""
    return render_template("panel/settings.html")


@bp.post("/settings/language")
def set_language():
    """Switch the panel language and remember it; back to the page the switch was used on."""
    locale = request.form.get("locale")
    target = safe_next(request.form.get("next"))
    if locale not in PANEL_LOCALES:
        flash(_("That language is not available."), "error")
        return redirect(target)
    session[SESSION_LOCALE_KEY] = locale
    if current_user.is_authenticated:
        set_user_locale(services().db, current_user.id, locale)
    g.panel_locale = locale  # so the confirmation below is already in the new language
    flash(_("Language saved."), "success")
    return redirect(target)
