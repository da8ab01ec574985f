"""A real SMTP server on loopback for tests and benchmarks (aiosmtpd).

    sink = SmtpSink()            # 127.0.0.1, free port, plain SMTP
    sink.start()
    try:
        ... send to ("127.0.0.1", sink.port) ...
        assert sink.message_ids() == [...]
    finally:
        sink.stop()

or ``with SmtpSink() as sink: ...``.

Options:

* ``tls_context`` -- server-side ``ssl.SSLContext``; offered via STARTTLS,
  or wraps the socket from the first byte when ``implicit_tls=True``;
* ``require_starttls`` -- refuse everything but EHLO/STARTTLS/QUIT before TLS;
* ``auth`` -- ``{"user": "password"}`` (or a ``(user, password)`` pair):
  enables AUTH PLAIN/LOGIN and requires it before MAIL;
  ``auth_require_tls`` (default: only when STARTTLS is offered) mirrors
  aiosmtpd's option of the same name; ``auth_exclude_mechanism=("PLAIN",)``
  hides a mechanism; successful logins land in ``logins`` as
  ``(mechanism, user)``;
* ``refuse`` -- ``callable(rcpt) -> "550 5.1.1 ..." | "451 ..." | None``;
* ``reject_data`` -- ``callable(raw_bytes) -> "554 ..." | None`` (reply to DATA);
* ``drop_after`` -- close the connection after every N accepted messages;
* ``drop_on_data`` -- close the connection instead of answering DATA;
* ``lose_reply`` -- ``callable(raw_bytes) -> bool``: when True, the message is
  received and kept, then the connection is closed instead of answering its
  end of data (the ``250`` is lost: the client cannot know it was delivered);
  each such message is counted in ``lost_replies``;
* ``hold_reply`` -- ``callable(raw_bytes) -> seconds``: wait that long after
  receiving (and keeping) the message before answering its end of data;
* ``smtputf8`` -- advertise SMTPUTF8 (RFC 6531; default True);
* ``pipelining`` -- advertise PIPELINING (RFC 2920; default True, as real
  MTAs do). aiosmtpd reads commands one line at a time from a buffered
  stream, so pipelined commands are answered in order.

Everything the sink accepts is kept in ``messages`` as
``(envelope_from, rcpt_tos, raw_bytes)``.  ``connections`` counts TCP
connections, ``disconnect_all()`` closes the open ones (an "idle timeout").
"""

from __future__ import annotations

import asyncio
import re
import ssl
import threading
import time
from typing import Callable, Mapping

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

__all__ = ["SmtpSink"]

_MSGID_RE = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)
_HEADER_END_RE = re.compile(rb"\r?\n\r?\n")


def _message_id(raw: bytes) -> str | None:
    m = _HEADER_END_RE.search(raw)
    head = raw[: m.start()] if m else raw
    found = _MSGID_RE.search(head)
    if not found:
        return None
    return b" ".join(found.group(1).split()).decode("ascii", "replace")


class _Handler:
    def __init__(self, sink: "SmtpSink") -> None:
        self.sink = sink

    async def handle_EHLO(self, server, session: Session, envelope: Envelope, hostname: str, responses):
        session.host_name = hostname
        if self.sink.pipelining:
            responses.insert(len(responses) - 1, "250-PIPELINING")  # before "250 HELP"
        return responses

    async def handle_MAIL(self, server, session: Session, envelope: Envelope, address: str, mail_options):
        # AUTH is enforced here rather than with aiosmtpd's auth_required,
        # which warns when TLS is not required for it
        if self.sink.auth is not None and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session: Session, envelope: Envelope, address: str, rcpt_options):
        refuse = self.sink.refuse
        if refuse is not None:
            reply = refuse(address)
            if reply:
                return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session: Session, envelope: Envelope):
        raw = envelope.original_content or b""
        if not isinstance(raw, bytes):  # pragma: no cover - decode_data=False
            raw = raw.encode("utf-8", "surrogateescape")
        if self.sink.reject_data is not None:
            reply = self.sink.reject_data(raw)
            if reply:
                return reply
        self.sink._record(envelope.mail_from, list(envelope.rcpt_tos), raw)
        server._sink_recorded = True
        if self.sink.hold_reply is not None:
            await asyncio.sleep(self.sink.hold_reply(raw))
        if self.sink.lose_reply is not None and self.sink.lose_reply(raw):
            self.sink.lost_replies += 1
            server.transport.close()  # the reply below is then never written
        return "250 2.0.0 Message accepted for delivery"


class _SinkSMTP(SMTP):
    sink: "SmtpSink"

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        first = self._original_transport is None and self.transport is None
        refuse = self.sink.refuse_connection
        if first and refuse is not None and refuse(self.sink.connections + self.sink.refused_connections + 1):
            self.sink.refused_connections += 1
            self._sink_refused = True
            transport.close()
            return
        super().connection_made(transport)
        if first:
            self.sink._connection_opened(self)
            self._sink_accepted = 0

    def connection_lost(self, error):
        if getattr(self, "_sink_refused", False):
            return
        self.sink._connection_closed(self)
        super().connection_lost(error)

    async def smtp_DATA(self, arg: str) -> None:
        if self.sink.drop_on_data:
            self.sink.drops += 1
            self.transport.close()
            return
        self._sink_recorded = False
        await super().smtp_DATA(arg)
        if self._sink_recorded:
            self._sink_accepted += 1
            n = self.sink.drop_after
            if n and self._sink_accepted % n == 0 and self.transport is not None:
                self.sink.drops += 1
                self.transport.close()


class SmtpSink:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        tls_context: ssl.SSLContext | None = None,
        require_starttls: bool = False,
        auth: Mapping[str, str] | tuple[str, str] | None = None,
        refuse: Callable[[str], str | None] | None = None,
        *,
        implicit_tls: bool = False,
        auth_require_tls: bool | None = None,
        auth_exclude_mechanism: tuple[str, ...] = (),
        reject_data: Callable[[bytes], str | None] | None = None,
        drop_after: int | None = None,
        drop_on_data: bool = False,
        data_size_limit: int | None = 33554432,
        refuse_connection: Callable[[int], bool] | None = None,
        hostname: str = "sink.test",
        pipelining: bool = True,
        lose_reply: Callable[[bytes], bool] | None = None,
        hold_reply: Callable[[bytes], float] | None = None,
        smtputf8: bool = True,
    ) -> None:
        if implicit_tls and tls_context is None:
            raise ValueError("implicit_tls needs a tls_context")
        if isinstance(auth, tuple):
            auth = {auth[0]: auth[1]}
        self.host = host
        self._requested_port = port
        self.port: int | None = None
        self.tls_context = tls_context
        self.implicit_tls = implicit_tls
        self.require_starttls = require_starttls
        self.auth = dict(auth) if auth else None
        if auth_require_tls is None:
            auth_require_tls = tls_context is not None and not implicit_tls
        self.auth_require_tls = auth_require_tls
        self.auth_exclude_mechanism = tuple(auth_exclude_mechanism)
        self.refuse = refuse
        self.reject_data = reject_data
        self.drop_after = drop_after
        self.drop_on_data = drop_on_data
        self.data_size_limit = data_size_limit
        self.refuse_connection = refuse_connection  # (connection number) -> close it before the greeting
        self.refused_connections = 0
        self.hostname = hostname
        self.pipelining = pipelining
        self.lose_reply = lose_reply
        self.lost_replies = 0
        self.hold_reply = hold_reply
        self.smtputf8 = smtputf8  # offer SMTPUTF8 (RFC 6531) in the EHLO reply

        self.messages: list[tuple[str, list[str], bytes]] = []
        self.arrivals: list[float] = []  # time.monotonic() of each kept message, for rate tests
        self.logins: list[tuple[str, str]] = []  # (mechanism, user)
        self.connections = 0
        self.most_open = 0  # the most connections open at once
        self.drops = 0
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._active: set[_SinkSMTP] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.AbstractServer | None = None
        self._thread: threading.Thread | None = None
        self._handler = _Handler(self)

    # --------------------------------------------------------------- records

    @property
    def message_count(self) -> int:
        return len(self.messages)

    def _record(self, mail_from: str, rcpts: list[str], raw: bytes) -> None:
        with self._cond:
            self.messages.append((mail_from, rcpts, raw))
            self.arrivals.append(time.monotonic())
            self._cond.notify_all()

    def _connection_opened(self, proto: _SinkSMTP) -> None:
        with self._lock:
            self.connections += 1
            self._active.add(proto)
            self.most_open = max(self.most_open, len(self._active))

    def _connection_closed(self, proto: _SinkSMTP) -> None:
        with self._lock:
            self._active.discard(proto)

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._active)

    def message_ids(self) -> list[str | None]:
        with self._lock:
            raws = [raw for _, _, raw in self.messages]
        return [_message_id(raw) for raw in raws]

    def wait_for(self, count: int, timeout: float = 10.0) -> bool:
        """Block until at least ``count`` messages arrived (True) or timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.messages) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def take(self) -> list[tuple[str, list[str], bytes]]:
        """The messages received since the last take (or the start), forgotten here."""
        with self._lock:
            taken = list(self.messages)
            self.messages.clear()
        return taken

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.logins.clear()

    # ------------------------------------------------------------------ auth

    def _authenticator(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword) or self.auth is None:
            return AuthResult(success=False, handled=False)
        user = auth_data.login.decode("utf-8", "replace")
        password = auth_data.password.decode("utf-8", "replace")
        if self.auth.get(user) == password:
            with self._lock:
                self.logins.append((mechanism, user))
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    # ------------------------------------------------------------- lifecycle

    def _factory(self) -> _SinkSMTP:
        kwargs = dict(
            hostname=self.hostname,
            data_size_limit=self.data_size_limit,
            enable_SMTPUTF8=self.smtputf8,
            loop=self._loop,
        )
        if self.tls_context is not None and not self.implicit_tls:
            kwargs["tls_context"] = self.tls_context
            kwargs["require_starttls"] = self.require_starttls
        if self.auth is not None:
            kwargs["authenticator"] = self._authenticator
            kwargs["auth_require_tls"] = self.auth_require_tls
            if self.auth_exclude_mechanism:
                kwargs["auth_exclude_mechanism"] = list(self.auth_exclude_mechanism)
        else:
            kwargs["auth_require_tls"] = False
        proto = _SinkSMTP(self._handler, **kwargs)
        proto.sink = self
        return proto

    def start(self) -> "SmtpSink":
        if self._thread is not None:
            raise RuntimeError("sink already running")
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()
        error: list[BaseException] = []

        def run() -> None:
            loop = self._loop
            assert loop is not None
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(
                    loop.create_server(
                        self._factory,
                        host=self.host,
                        port=self._requested_port,
                        ssl=self.tls_context if self.implicit_tls else None,
                        reuse_address=True,
                    )
                )
                self.port = self._server.sockets[0].getsockname()[1]
            except BaseException as exc:  # noqa: BLE001
                error.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                try:
                    tasks = [t for t in asyncio.all_tasks(loop) if not t.done()]
                    for t in tasks:
                        t.cancel()
                    if tasks:
                        loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
                    loop.run_until_complete(loop.shutdown_asyncgens())
                finally:
                    loop.close()

        self._thread = threading.Thread(target=run, name="smtp-sink", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise TimeoutError("SMTP sink did not start")
        if error:
            self._thread.join(5)
            self._thread = None
            raise error[0]
        return self

    def disconnect_all(self, timeout: float = 5.0) -> None:
        """Close every open client connection (server side), like an idle
        timeout would, and wait until they are gone."""
        loop = self._loop
        if loop is None:
            return
        done = threading.Event()

        def close_all() -> None:
            for proto in list(self._active):
                if proto.transport is not None:
                    proto.transport.close()
            done.set()

        loop.call_soon_threadsafe(close_all)
        done.wait(timeout)
        deadline = time.monotonic() + timeout
        while self.open_connections and time.monotonic() < deadline:
            time.sleep(0.005)

    def stop(self) -> None:
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return

        async def shutdown() -> None:
            server = self._server
            if server is not None:
                server.close()
            for proto in list(self._active):
                if proto.transport is not None:
                    proto.transport.close()
            if server is not None:
                try:
                    await asyncio.wait_for(server.wait_closed(), 5)
                except Exception:  # noqa: BLE001
                    pass
            # let connection_lost callbacks run
            await asyncio.sleep(0)
            loop.stop()

        try:
            asyncio.run_coroutine_threadsafe(shutdown(), loop)
        except RuntimeError:  # loop already closed
            pass
        thread.join(10)
        if thread.is_alive():  # pragma: no cover - defensive
            raise RuntimeError("SMTP sink thread did not stop")
        self._thread = None
        self._loop = None
        self._server = None

    def __enter__(self) -> "SmtpSink":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
