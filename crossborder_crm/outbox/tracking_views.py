"""Public tracking endpoints: the open pixel and the click redirect of tracked marketing email."""
from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, redirect, request

from crossborder_crm.container import current_services
from crossborder_crm.outbox.tracking import PIXEL, InvalidTrackingToken, read_token
from crossborder_crm.outbox.tracking_service import record

bp = Blueprint("tracking", __name__)


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store, private"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/t/o/<token>", methods=["GET", "HEAD"])
def opened(token: str):
    """The 1x1 image: always answered (a broken image helps nobody), recorded when the token is ours."""
    try:
        tracked = read_token(current_app.config["SECRET_KEY"], token)
    except InvalidTrackingToken:
        tracked = None
    if tracked is not None and tracked.url is None:
        svc = current_services()
        record(svc.db, svc.clock, tracked, "open", request.headers.get("User-Agent"), request.method)
    return _no_store(Response(PIXEL, mimetype="image/gif"))


@bp.route("/t/c/<token>", methods=["GET", "HEAD"])
def clicked(token: str):
    """Record the click and send the buyer on to the link the token names (and nowhere else)."""
    try:
        tracked = read_token(current_app.config["SECRET_KEY"], token)
    except InvalidTrackingToken:
        return _no_store(Response("This link is not valid.", status=404, mimetype="text/plain"))
    if tracked.url is None:
        return _no_store(Response("This link is not valid.", status=404, mimetype="text/plain"))
    svc = current_services()
    record(svc.db, svc.clock, tracked, "click", request.headers.get("User-Agent"), request.method)
    return _no_store(redirect(tracked.url, 302))


def init_app(app: Flask) -> None:
    """Register the public routes (no login, no CSRF: they only record and redirect)."""
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
