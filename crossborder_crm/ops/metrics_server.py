"""The worker's own /metrics: a small HTTP server in a daemon thread, with the web's access rule."""
from __future__ import annotations

import socket
import threading
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import make_wsgi_app
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.registry import CollectorRegistry

from crossborder_crm.ops.metrics import PROXY_HEADERS, scrape_refusal

REFUSALS = {401: b"a bearer token is required\n", 403: b"metrics are served to this machine only\n"}
_PROXY_KEYS = tuple("HTTP_" + h.upper().replace("-", "_") for h in PROXY_HEADERS)


class QuietHandler(WSGIRequestHandler):
    """No access log line per scrape on standard error."""

    def log_message(self, format, *args):  # noqa: A002 - the signature of the method overridden
        """Log nothing."""


def guarded(app, token: str):
    """The WSGI app behind the rule of /metrics: the bearer token when one is set, else loopback only."""

    def guarded_app(environ, start_response):
        refusal = scrape_refusal(environ.get("REMOTE_ADDR"), environ.get("HTTP_AUTHORIZATION"),
                                 any(k in environ for k in _PROXY_KEYS), token)
        if refusal is None:
            return app(environ, start_response)
        headers = [("Content-Type", "text/plain; charset=utf-8")]
        if refusal == 401:
            headers.append(("WWW-Authenticate", 'Bearer realm="metrics"'))
        start_response(f"{refusal} {'Unauthorized' if refusal == 401 else 'Forbidden'}", headers)
        return [REFUSALS[refusal]]

    return guarded_app


def start_metrics_server(port: int, addr: str, registry: CollectorRegistry, token: str) -> WSGIServer:
    """Serve `registry` on addr:port until the process ends; returns the server (its port, shutdown())."""

    class Server(ThreadingWSGIServer):
        address_family = socket.AF_INET6 if ":" in addr else socket.AF_INET

    httpd = make_server(addr, port, guarded(make_wsgi_app(registry), token), Server, handler_class=QuietHandler)
    threading.Thread(target=httpd.serve_forever, name="metrics-http", daemon=True).start()
    return httpd
