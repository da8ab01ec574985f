"""A LibreTranslate stand-in on loopback: a real HTTP server speaking LibreTranslate's wire format.

POST /translate takes q, source, target, format and api_key the way the real server does (a JSON
object, or form / query-string values) and answers {"translatedText": ...}; errors are
{"error": "..."} with a 4xx status, as LibreTranslate words them. Its "translation" is
deterministic: "<target>: <text>" (placeholder tokens such as {0} kept), so tests can tell what
was translated into what. Modes: `delay` (seconds before answering), `fail` ((status, error) for
every call), `api_key` (required key), `languages` (what it translates), `mangle` (drop the
placeholder tokens, as a careless engine would).
"""
from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

LANGUAGES = ("en", "de", "es", "fr", "it", "ja", "pt", "ru", "th", "vi", "id", "zh", "zt", "ar", "he")


class LibreStandIn:
    def __init__(self, *, api_key: str | None = None, languages=LANGUAGES):
        self.api_key, self.languages = api_key, set(languages)
        self.delay = 0.0
        self.fail: tuple[int, str] | None = None
        self.mangle = False
        self.requests: list[dict] = []  # every /translate call's values, in order
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/"

    def answer(self, values: dict) -> tuple[int, dict]:
        """What LibreTranslate answers to these request values."""
        q, source, target = values.get("q"), values.get("source"), values.get("target")
        if self.fail:
            return self.fail[0], {"error": self.fail[1]}
        if self.api_key is not None and values.get("api_key") != self.api_key:
            return 403, {"error": "Invalid API key"}
        if not q:
            return 400, {"error": "Invalid request: missing q parameter"}
        if not source:
            return 400, {"error": "Invalid request: missing source parameter"}
        if not target:
            return 400, {"error": "Invalid request: missing target parameter"}
        for lang in (source, target):
            if lang != "auto" and lang not in self.languages:
                return 400, {"error": f"{lang} is not supported"}
        text = re.sub(r"\{\d+\}", "", q) if self.mangle else q
        return 200, {"translatedText": f"{target}: {text}"}

    def start(self) -> "LibreStandIn":
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 -- http.server's naming
                url = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                values = {k: v[-1] for k, v in parse_qs(url.query).items()}  # like Flask's request.values
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    try:
                        values = json.loads(body or b"null")
                    except ValueError:
                        values = None
                    if not isinstance(values, dict):
                        return self._send(400, {"error": "Invalid JSON format"})
                elif body:
                    values.update({k: v[-1] for k, v in parse_qs(body.decode()).items()})
                if url.path != "/translate":
                    return self._send(404, {"error": "Not Found"})
                stand_in.requests.append(values)
                if stand_in.delay:
                    time.sleep(stand_in.delay)
                self._send(*stand_in.answer(values))

            def _send(self, status: int, payload: dict):
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="libre-stand-in", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def libre():
    """A started stand-in, stopped at teardown (import this fixture into a test module to use it)."""
    server = LibreStandIn().start()
    yield server
    server.stop()
