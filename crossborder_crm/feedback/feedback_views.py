"""POST /webhooks/<provider>/<seller_key> for ses, postmark, sendgrid, mailgun: raw bytes to feedback.receive."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify, request

from crossborder_crm.container import current_services
from crossborder_crm.errors import CrmError, Malformed, NotFound
from crossborder_crm.feedback.events import Unauthenticated
from crossborder_crm.feedback.receive import PROVIDERS, Network, receive
from crossborder_crm.feedback.rules import Policy
from crossborder_crm.ops.metrics import record_webhook_delivery

bp = Blueprint("feedback", __name__, url_prefix="/webhooks")
EXTENSION = "crm_feedback_network"  # app.extensions key of the Network (tests put a stand-in there)
_OUTCOMES = {NotFound: "unknown_seller", Unauthenticated: "bad_signature", Malformed: "bad_payload"}


def _error(exc: CrmError, provider: str):
    resp = jsonify({"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}})
    resp.status_code = exc.status
    if exc.status == 401 and provider == "postmark":
        resp.headers["WWW-Authenticate"] = 'Basic realm="crossborder-crm"'
    return resp


def feedback_webhook(provider: str, seller_key: str):
    """Verify, store and act on a provider's delivery events (cheap enough to do in the request)."""
    svc = current_services()
    body = request.get_data(cache=False)  # the exact bytes: signatures are checked on these
    try:
        receipt = receive(svc.db, svc.clock, svc.box, current_app.extensions[EXTENSION],
                          Policy.from_settings(svc.settings), provider, seller_key, body, request.headers)
    except CrmError as exc:
        record_webhook_delivery(provider, _OUTCOMES.get(type(exc), "failed"))
        return _error(exc, provider)
    record_webhook_delivery(provider, "duplicate" if receipt.body["status"] == "duplicate" else "accepted")
    return jsonify(receipt.body), receipt.status


# One fixed route per provider: more specific than the marketplaces' /webhooks/<source>/<seller_key>.
for _provider in PROVIDERS:
    bp.add_url_rule(f"/{_provider}/<seller_key>", f"receive_{_provider}", feedback_webhook, methods=["POST"],
                    defaults={"provider": _provider})


def init_app(app: Flask, network: Network | None = None) -> None:
    """Register the endpoints (exempt from CSRF: providers authenticate by signature or basic auth)."""
    app.extensions[EXTENSION] = network or Network.using()
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
