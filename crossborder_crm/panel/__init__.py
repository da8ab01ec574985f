"""The seller web panel: login, dashboard, buyers, outbox, shipments, campaigns, inbox, settings.
Server-rendered Jinja.

One blueprint, `panel`, with its views split by area (auth, dashboard, buyers, outbox, shipments,
campaigns, inbox, settings). Every view needs a signed-in user except the few listed in PUBLIC_ENDPOINTS;
every form carries a CSRF token (Flask-WTF's CSRFProtect; the API exempts itself).
"""
from __future__ import annotations

from flask import Flask
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from crossborder_crm.i18n import gettext
from crossborder_crm.panel import (  # noqa: F401  (routes register on import)
    auth,
    buyer_files,
    buyer_outbox,
    buyers,
    campaign_labels,
    campaign_launch,
    campaign_page,
    campaign_wizard,
    campaigns,
    complaint_insights,
    dashboard,
    delivery_events,
    errors,
    feedback_settings,
    formatting,
    inbox,
    message_view,
    notify_settings,
    outbox,
    relay_settings,
    reply_policy,
    saved_replies,
    segment_labels,
    settings,
    shipments,
    shop_timezone,
    write_form,
)
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.users import AnonymousPanelUser, load_user


def init_app(app: Flask) -> None:
    """Register CSRF protection, login management, template helpers and the panel routes."""
    CSRFProtect(app)
    lm = LoginManager(app)
    lm.login_view = "panel.login"
    lm.login_message = auth.LOGIN_REQUIRED_MESSAGE
    lm.login_message_category = "info"
    lm.localize_callback = gettext
    lm.anonymous_user = AnonymousPanelUser
    lm.user_loader(load_user)

    errors.init_app(app)
    app.register_blueprint(bp)
