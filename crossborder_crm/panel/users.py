"""Who is signed in: a Flask-Login wrapper around accounts.models.User, and the anonymous visitor.

A session carries the user's session generation from the moment of sign-in; the user loader
accepts it only while it is still the user's current one, so bumping the generation (sign-out,
API token rotation) ends every session issued before, although the cookies themselves live on.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request, session
from flask_login import AnonymousUserMixin, UserMixin, login_user, logout_user

from crossborder_crm.container import current_services
from crossborder_crm.i18n import negotiate_panel_locale
from crossborder_crm.panel.queries import panel_user

# The language chosen before signing in (or by a user who never saved one) lives here.
SESSION_LOCALE_KEY = "panel_locale"
# The user's session generation when this session signed in.
SESSION_GENERATION_KEY = "_session_generation"


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
    session_generation: int

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


def find_user(user_id: int) -> PanelUser | None:
    """The user with this id as the panel shows them, or None."""
    row = panel_user(current_services().db, user_id)
    if row is None:
        return None
    return PanelUser(id=row.id, seller_id=row.seller_id, email=row.email, saved_locale=row.locale,
                     seller_name=row.seller_name, seller_timezone=row.seller_timezone,
                     session_generation=row.session_generation)


def load_user(user_id: str) -> PanelUser | None:
    """Flask-Login's user_loader: the user, while this session is of their current generation; else None."""
    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        return None
    user = find_user(uid)
    if user is None or session.get(SESSION_GENERATION_KEY) != user.session_generation:
        return None
    return user


def start_session(user: PanelUser) -> None:
    """Sign the user in on this browser, stamped with their current session generation."""
    login_user(user)
    session[SESSION_GENERATION_KEY] = user.session_generation


def renew_session(user_id: int) -> None:
    """Keep this browser signed in after the user's generation moved on (e.g. token rotation)."""
    user = find_user(user_id)
    if user is not None:
        session[SESSION_GENERATION_KEY] = user.session_generation


def close_session() -> None:
    """Forget the signed-in user on this browser."""
    logout_user()
    session.pop(SESSION_GENERATION_KEY, None)
