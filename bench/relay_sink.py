"""bench_relay: SMTP sinks in their own processes, answering each message's end of data now or after a delay.

Three kinds, so the bench can show what the sink itself costs per message:

* ``count``    -- a minimal SMTP server on a bare asyncio protocol that only counts: EHLO offers
                  PIPELINING, 8BITMIME, SMTPUTF8 and SIZE; every command is answered 250 (DATA 354),
                  pipelined commands in order; the data is scanned for its end, never kept or parsed.
                  It stands for a remote relay, whose CPU is not spent on the sending machine.
* ``aiosmtpd`` -- aiosmtpd with a handler that only counts (aiosmtpd's own command parsing and
                  dot-unstuffing of the data, nothing kept), PIPELINING offered as tests/smtp_sink does
                  (aiosmtpd alone does not offer it: clients then need four round trips a message).
* ``keep``     -- tests/smtp_sink.SmtpSink, which keeps every message (the sink of bench_dispatch
                  and of the README's old loopback row).

``--hold S`` waits S seconds after receiving a message before answering its end of data, as a
relay does while it queues the message (``hold_reply`` in tests/smtp_sink).

Run as a script it prints its port, then answers one line per ``take`` on stdin:
{"count": messages since the last take, "cpu": the process's CPU seconds so far}.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

EHLO = (b"250-sink.bench\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
        b"250 SIZE 52428800\r\n")
END = b"\r\n.\r\n"


class Counter:
    """Messages answered 250 at their end of data (read by the stdin thread; an int is safe to read)."""

    count = 0


class CountingSmtp(asyncio.Protocol):
    """One client connection of the minimal sink."""

    hold = 0.0

    def connection_made(self, transport) -> None:
        self.transport, self.buf, self.in_data, self.scan = transport, b"", False, 0
        self.holding, self.pending = False, []
        transport.write(b"220 sink.bench ESMTP\r\n")

    def _reply(self, data: bytes) -> None:
        if self.holding:  # keep replies in order behind a held end-of-data reply
            self.pending.append(data)
        else:
            self.transport.write(data)

    def _release(self) -> None:
        self.holding = False
        out, self.pending = b"250 2.0.0 queued\r\n" + b"".join(self.pending), []
        if not self.transport.is_closing():
            self.transport.write(out)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        out = []
        while self.buf:
            if self.in_data:
                if self.buf.startswith(b".\r\n") and self.scan == 0:
                    end = -2  # an empty body
                else:
                    end = self.buf.find(END, max(0, self.scan - 4))
                if end < 0:
                    self.scan = len(self.buf)
                    break
                self.buf, self.in_data, self.scan = self.buf[end + 5:], False, 0
                Counter.count += 1
                if self.hold > 0:
                    if out:
                        self._reply(b"".join(out))
                        out = []
                    self.holding = True
                    asyncio.get_running_loop().call_later(self.hold, self._release)
                else:
                    out.append(b"250 2.0.0 queued\r\n")
                continue
            nl = self.buf.find(b"\r\n")
            if nl < 0:
                break
            line, self.buf = self.buf[:nl], self.buf[nl + 2:]
            verb = line[:4].upper()
            if verb == b"EHLO":
                out.append(EHLO)
            elif verb == b"DATA":
                out.append(b"354 go ahead\r\n")
                self.in_data, self.scan = True, 0
            elif verb == b"QUIT":
                out.append(b"221 bye\r\n")
                self._reply(b"".join(out))
                self.transport.close()
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP...: accepted
                out.append(b"250 ok\r\n")
        if out:
            self._reply(b"".join(out))


def _serve_count(hold: float) -> int:
    """Start the minimal sink in a daemon thread; its port."""
    CountingSmtp.hold = hold
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(CountingSmtp, "127.0.0.1", 0, reuse_address=True))
    threading.Thread(target=loop.run_forever, name="sink", daemon=True).start()
    return server.sockets[0].getsockname()[1]


def _serve_aiosmtpd(hold: float) -> int:
    """aiosmtpd with a handler that only counts (and holds its reply when asked)."""
    from aiosmtpd.smtp import SMTP

    class Handler:
        async def handle_EHLO(self, server, session, envelope, hostname, responses):
            session.host_name = hostname
            responses.insert(len(responses) - 1, "250-PIPELINING")  # as real MTAs (and tests/smtp_sink) do
            return responses

        async def handle_DATA(self, server, session, envelope):
            Counter.count += 1
            if hold > 0:
                await asyncio.sleep(hold)
            return "250 2.0.0 queued"

    loop = asyncio.new_event_loop()
    handler = Handler()
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, hostname="sink.bench", enable_SMTPUTF8=True, auth_require_tls=False, loop=loop),
        "127.0.0.1", 0, reuse_address=True))
    threading.Thread(target=loop.run_forever, name="sink", daemon=True).start()
    return server.sockets[0].getsockname()[1]


def main() -> None:
    """Serve until stdin says quit (or closes)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", choices=("count", "aiosmtpd", "keep"), default="count")
    parser.add_argument("--hold", type=float, default=0.0)
    args = parser.parse_args()
    keep = None
    if args.kind == "count":
        port = _serve_count(args.hold)
    elif args.kind == "aiosmtpd":
        port = _serve_aiosmtpd(args.hold)
    else:
        sys.path.insert(0, str(ROOT))
        from tests.smtp_sink import SmtpSink
        hold = args.hold
        keep = SmtpSink(hostname="sink.bench", hold_reply=(lambda raw: hold) if hold > 0 else None).start()
        port = keep.port
    print(port, flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "take":
            n = len(keep.take()) if keep is not None else Counter.count
            Counter.count = 0 if keep is None else Counter.count
            print(json.dumps({"count": n, "cpu": time.process_time()}), flush=True)
        elif cmd == "quit":
            break
    if keep is not None:
        keep.stop()


class SinkClient:
    """A sink running in a process of its own, spoken to over its stdin/stdout: it prints its port,
    answers `take` with a JSON line and stops on `quit`. Both benches' sink processes are one."""

    def __init__(self, args: list[str], what: str):
        self.proc = subprocess.Popen([sys.executable, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, bufsize=1, cwd=str(ROOT))
        line = self.proc.stdout.readline()
        if not line.strip().isdigit():
            raise RuntimeError(f"{what} did not start: {line!r}")
        self.port = int(line)
        self.pid = self.proc.pid

    def take(self) -> dict:
        """Messages received since the last take, and the sink process's CPU seconds so far."""
        self.proc.stdin.write("take\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def stop(self) -> None:
        """Ask it to quit; kill it (by its own pid) if it does not."""
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(10)
            except Exception:  # noqa: BLE001
                self.proc.kill()
                self.proc.wait()


class Sink(SinkClient):
    """A sink process of one kind (count, aiosmtpd, keep), holding each end-of-data reply `hold` seconds."""

    def __init__(self, kind: str = "count", hold: float = 0.0):
        self.kind, self.hold = kind, hold
        super().__init__([str(Path(__file__).resolve()), "--kind", kind, "--hold", str(hold)],
                         f"SMTP sink ({kind})")


if __name__ == "__main__":
    main()
