"""Operating the service: health and readiness probes, Prometheus metrics, structured logs.

`health` and `metrics` are plain functions and metric objects (the worker uses them too);
`health_views` and `metrics_views` put them on the web: /healthz, /readyz and /metrics.
"""
from __future__ import annotations

from flask import Flask

from crossborder_crm.ops import health_views, metrics_views


def init_app(app: Flask) -> None:
    """Register the probes and the metrics endpoint (no login: they are for machines)."""
    app.register_blueprint(health_views.bp)
    app.register_blueprint(metrics_views.bp)
