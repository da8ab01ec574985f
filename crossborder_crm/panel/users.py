"""Who is signed in: a Flask-Login wrapper around accounts.models.User, and the anonymous visitor."""
from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request, session
from flask_login import AnonymousUserMixin, UserMixin

from crossborder_crm.container import current_services
from crossborder_crm.i18n import negotiate_panel_locale
from crossborder_crm.panel.queries import panel_user

# The language chosen before signing in (or by a user who never saved one) lives here.
SESSION_LOCALE_KEY = "panel_locale"


def browser_locale() -> str | None:
    """The panel locale the browser asks for (Accept-Language), as one of PANEL_LOCALES."""

    if not has_request_context():
        return None
    return negotiate_panel_locale(None, request.headers.get("Accept-Language"))


def _chosen_locale(saved: str | None) -> str | None:
    return saved or session.get(SESSION_LOCALE_KEY) or browser_locale()


@dataclass(frozen=True)
class PanelUser(UserMixin):
    """A signed-in panel user: which seller they act for, and their saved panel language."""

    id: int
    seller_id: int
    email: str
    saved_locale: str | None
    seller_name: str
    seller_timezone: str

    def get_id(self) -> str:
        return str(self.id)

    @property
    def locale(self) -> str | None:
        """The saved choice, else what was picked on the login page, else the browser's."""
        return _chosen_locale(self.saved_locale)


class AnonymousPanelUser(AnonymousUserMixin):
    """A visitor on the login page; their language choice is kept in the session."""

    seller_id = None

    @property
    def locale(self) -> str | None:
        return _chosen_locale(None)


def load_user(user_id: str) -> PanelUser | None:
    """Flask-Login's user_loader: the user with this id, or None (signs the session out)."""

    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        return None
    row = panel_user(current_services().db, uid)
    if row is None:
        return None
    return PanelUser(id=row.id, seller_id=row.seller_id, email=row.email, saved_locale=row.locale,
                     seller_name=row.seller_name, seller_timezone=row.seller_timezone)
