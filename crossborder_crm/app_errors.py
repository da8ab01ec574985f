"""App-wide HTTP errors: the API's JSON shape under /api/ (and /webhooks/), the panel's page elsewhere."""
from __future__ import annotations

from flask import Flask, request

from crossborder_crm.api.blueprint import error_response
from crossborder_crm.panel.errors import not_found


def init_app(app: Flask) -> None:
    """Register the 404 and 413 handlers that pick the shape from the URL."""

    @app.errorhandler(404)
    def _not_found(exc):
        if request.path.startswith("/api/"):
            return error_response(404, "not_found", "no such endpoint")
        return not_found(exc)

    @app.errorhandler(413)
    def _too_large(exc):
        if request.path.startswith(("/api/", "/webhooks/")):
            return error_response(413, "too_large", "request body too large",
                                  {"body": f"larger than {request.max_content_length} bytes"})
        return exc
