"""/healthz (the process answers) and /readyz (it can do its work): for load balancers and orchestrators.

No login, and nothing in the answers that describes the installation: no URL, no version, no
exception text (the reason goes to the log).
"""
from __future__ import annotations

from flask import Blueprint, jsonify

from crossborder_crm.container import current_services
from crossborder_crm.migrate import head
from crossborder_crm.ops.health import readiness

bp = Blueprint("health", __name__)


def _answer(body: dict, status: int):
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"  # a cached "ready" would hide an outage
    return response


@bp.get("/healthz")
def healthz():
    """Liveness: the process is up and serving requests; touches nothing else."""
    return _answer({"status": "ok"}, 200)


@bp.get("/readyz")
def readyz():
    """Readiness: the database answers and its schema is at the newest migration; 503 says which failed."""
    result = readiness(current_services().db, head())
    if result.ready:
        return _answer({"status": "ready"}, 200)
    return _answer({"status": "unavailable", "failed": result.failed, "reason": result.reason}, 503)
