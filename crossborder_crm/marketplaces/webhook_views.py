"""POST /webhooks/<source>/<seller_key>: the raw body goes to marketplaces.receive; errors in the API's shape."""
from __future__ import annotations

from flask import Blueprint, Flask, jsonify, request

from crossborder_crm.container import current_services
from crossborder_crm.errors import CrmError, Malformed, NotFound, Unauthenticated
from crossborder_crm.marketplaces.receive import receive
from crossborder_crm.marketplaces.sources import ADAPTERS
from crossborder_crm.ops.metrics import record_webhook_delivery

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
# crm_webhook_deliveries_total{status}: what each refusal counts as.
_OUTCOMES = {NotFound: "unknown_seller", Unauthenticated: "bad_signature", Malformed: "bad_payload"}


def _error(exc: CrmError):
    resp = jsonify({"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}})
    resp.status_code = exc.status
    return resp


@bp.post("/<source>/<seller_key>")
def webhook(source: str, seller_key: str):
    """Store a verified delivery and acknowledge it; applying it is the worker's job."""
    svc = current_services()
    # The exact bytes as sent: signatures are checked on these, never on a re-serialised body.
    body = request.get_data(cache=False)
    try:
        receipt = receive(svc.db, svc.clock, svc.box, source, seller_key, body, request.headers)
    except CrmError as exc:
        if source in ADAPTERS:  # a metric label never comes from an unchecked URL
            record_webhook_delivery(source, _OUTCOMES.get(type(exc), "failed"))
        return _error(exc)
    record_webhook_delivery(source, "duplicate" if receipt.body.get("status") == "duplicate" else "accepted")
    return jsonify(receipt.body), receipt.status


def init_app(app: Flask) -> None:
    """Register the endpoint (exempt from CSRF: platforms authenticate by signature)."""
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
