"""Inbox → Questions buyers repeat: FAQ suggestions from similar buyer messages, saved as replies the
seller can insert into any draft; and the saved replies themselves."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from crossborder_crm.container import current_services
from crossborder_crm.errors import ValidationFailed
from crossborder_crm.i18n import gettext as _
from crossborder_crm.panel.blueprint import bp
from crossborder_crm.panel.reasons import localize_fields
from crossborder_crm.replies.faq_service import delete_saved_reply, faq_suggestions, list_saved_replies, save_reply


@bp.context_processor
def _saved_replies_helper():
    """The draft page lists the seller's saved replies to insert."""

    def saved_replies():
        return list_saved_replies(current_services().db, current_user.seller_id)

    return {"saved_replies": saved_replies}


def _page(errors: dict | None = None, values: dict | None = None, status: int = 200):
    svc = current_services()
    suggestions = faq_suggestions(svc.db, current_user.seller_id, svc.clock.now(), translator=svc.translator)
    body = render_template("panel/saved_replies.html", suggestions=suggestions,
                           replies=list_saved_replies(svc.db, current_user.seller_id),
                           errors=errors or {}, values=values or {})
    return body, status


@bp.get("/inbox/faq")
def saved_replies_page():
    """The questions buyers repeat, and the replies saved for them."""
    return _page()


@bp.post("/inbox/faq")
def saved_reply_create():
    """Save a suggested (or typed) answer as a reply to use in drafts."""
    svc = current_services()
    values = {k: request.form.get(k, "") for k in ("title", "body", "source")}
    try:
        save_reply(svc.db, svc.clock, current_user.seller_id,
                   {**values, "source": values["source"] if values["source"] in ("faq", "manual") else "manual"})
    except ValidationFailed as exc:
        return _page(localize_fields(exc.fields), values, 422)
    flash(_("Reply saved for later drafts."), "success")
    return redirect(url_for("panel.saved_replies_page", _anchor="saved"))


@bp.post("/inbox/faq/<int:reply_id>/delete")
def saved_reply_delete(reply_id: int):
    """Delete a saved reply."""
    svc = current_services()
    delete_saved_reply(svc.db, current_user.seller_id, reply_id)
    flash(_("Saved reply deleted."), "success")
    return redirect(url_for("panel.saved_replies_page", _anchor="saved"))
