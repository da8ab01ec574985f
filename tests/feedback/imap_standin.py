"""A local stand-in for the bounce mailbox: the few IMAP4rev1 commands imaplib sends, over plain TCP."""
from __future__ import annotations

import re
import socketserver
import threading


class Mailbox:
    """Messages by UID with their \\Seen flag; what the server serves and the test inspects."""

    def __init__(self, user: str, password: str, messages: list[bytes]):
        self.user, self.password = user, password
        self.messages = {uid: raw for uid, raw in enumerate(messages, start=1)}
        self.seen: set[int] = set()


class _Handler(socketserver.StreamRequestHandler):
    def _send(self, text: str | bytes) -> None:
        self.wfile.write(text if isinstance(text, bytes) else text.encode())

    def handle(self) -> None:
        box: Mailbox = self.server.mailbox
        self._send("* OK IMAP4rev1 stand-in ready\r\n")
        while line := self.rfile.readline():
            tag, _, rest = line.decode().rstrip("\r\n").partition(" ")
            command, _, args = rest.partition(" ")
            command = command.upper()
            if command == "CAPABILITY":
                self._send(f"* CAPABILITY IMAP4rev1\r\n{tag} OK CAPABILITY completed\r\n")
            elif command == "LOGIN":
                user, password = re.match(r'(\S+) "?(.*?)"?$', args).groups()
                ok = (user, password) == (box.user, box.password)
                self._send(f"{tag} OK LOGIN completed\r\n" if ok else f"{tag} NO [AUTHENTICATIONFAILED] nope\r\n")
            elif command == "SELECT":
                self._send(f"* {len(box.messages)} EXISTS\r\n* FLAGS (\\Seen)\r\n{tag} OK [READ-WRITE] done\r\n")
            elif command == "UID":
                self._uid(tag, args, box)
            elif command == "LOGOUT":
                self._send(f"* BYE\r\n{tag} OK LOGOUT completed\r\n")
                return
            else:
                self._send(f"{tag} BAD unknown command\r\n")

    def _uid(self, tag: str, args: str, box: Mailbox) -> None:
        sub, _, rest = args.partition(" ")
        if sub.upper() == "SEARCH":
            found = " ".join(str(uid) for uid in box.messages if uid not in box.seen)
            self._send(f"* SEARCH {found}\r\n{tag} OK SEARCH completed\r\n")
        elif sub.upper() == "FETCH":
            uid = int(rest.split()[0])
            raw = box.messages[uid]
            self._send(f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode() + raw + b")\r\n")
            self._send(f"{tag} OK FETCH completed\r\n")
        elif sub.upper() == "STORE":
            uid = int(rest.split()[0])
            box.seen.add(uid)
            self._send(f"* {uid} FETCH (UID {uid} FLAGS (\\Seen))\r\n{tag} OK STORE completed\r\n")


class ImapStandIn:
    """Serve a Mailbox on 127.0.0.1 in a thread, as a context manager; `port` is where."""

    def __init__(self, mailbox: Mailbox):
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.mailbox = mailbox
        self.port = self.server.server_address[1]

    def __enter__(self) -> "ImapStandIn":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()
