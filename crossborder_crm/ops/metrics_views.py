"""/metrics in Prometheus's text format, for a scraper holding CRM_METRICS_TOKEN or on this machine."""
from __future__ import annotations

from flask import Blueprint, Response, request
from prometheus_client.exposition import choose_encoder

from crossborder_crm.container import current_services
from crossborder_crm.ops.metrics import PROXY_HEADERS, scrape_refusal, scrape_registry

bp = Blueprint("metrics", __name__)

REFUSALS = {401: "a bearer token is required\n", 403: "metrics are served to this machine only\n"}


@bp.get("/metrics")
def metrics():
    """Every process's counters and the outbox gauges; 401/403 for a scraper that may not read them."""
    svc = current_services()
    refusal = scrape_refusal(request.remote_addr, request.headers.get("Authorization"),
                             any(h in request.headers for h in PROXY_HEADERS), svc.settings["METRICS_TOKEN"])
    if refusal is not None:
        response = Response(REFUSALS[refusal], status=refusal, mimetype="text/plain")
        if refusal == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    # A registry per scrape, as prometheus_client asks in multi-process mode.
    encode, content_type = choose_encoder(request.headers.get("Accept", ""))
    response = Response(encode(scrape_registry(svc.db, svc.clock)), content_type=content_type)
    response.headers["Cache-Control"] = "no-store"
    return response
