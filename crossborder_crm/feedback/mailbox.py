"""The bounce mailbox over IMAP (imaplib): unseen messages by UID, marked \\Seen once recorded."""
from __future__ import annotations

import imaplib
import ssl
from typing import Any, Iterator, Mapping


class MailboxError(Exception):
    """The IMAP server refused or could not be reached: the message says what failed."""


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ImapMailbox:
    """One IMAP session on the bounce folder, as a context manager."""

    def __init__(self, host: str, port: int, user: str, password: str, folder: str = "INBOX", *,
                 use_ssl: bool = True, starttls: bool = True, timeout: float = 30.0):
        self.host, self.port, self.user, self.folder = host, port, user, folder
        self._password, self.use_ssl, self.starttls, self.timeout = password, use_ssl, starttls, timeout
        self._conn: imaplib.IMAP4 | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> "ImapMailbox":
        """The mailbox named by the BOUNCE_IMAP_* settings."""
        return cls(settings["BOUNCE_IMAP_HOST"], int(settings["BOUNCE_IMAP_PORT"]), settings["BOUNCE_IMAP_USER"],
                   settings["BOUNCE_IMAP_PASSWORD"], settings["BOUNCE_IMAP_FOLDER"] or "INBOX",
                   use_ssl=bool(settings["BOUNCE_IMAP_SSL"]), starttls=bool(settings["BOUNCE_IMAP_STARTTLS"]))

    def __enter__(self) -> "ImapMailbox":
        try:
            if self.use_ssl:
                self._conn = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=ssl.create_default_context(),
                                               timeout=self.timeout)
            else:
                self._conn = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
                if self.starttls:
                    self._conn.starttls(ssl.create_default_context())
            self._conn.login(self.user, self._password)
            status, _ = self._conn.select(_quoted(self.folder))
        except (imaplib.IMAP4.error, OSError) as exc:
            self.__exit__()
            raise MailboxError(f"{self.host}:{self.port}: {exc}") from None
        if status != "OK":
            self.__exit__()
            raise MailboxError(f"folder {self.folder!r} cannot be opened")
        return self

    def __exit__(self, *exc_info: object) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.logout()
            except (imaplib.IMAP4.error, OSError):
                pass  # closing anyway; nothing left to save

    def _uid(self, *args: str) -> list:
        try:
            status, data = self._conn.uid(*args)
        except (imaplib.IMAP4.error, OSError) as exc:
            raise MailboxError(f"UID {args[0]}: {exc}") from None
        if status != "OK":
            raise MailboxError(f"UID {args[0]} answered {status}")
        return data

    def unseen(self, limit: int) -> Iterator[tuple[str, bytes]]:
        """(uid, raw message) of up to `limit` unseen messages, oldest first; fetching leaves them unseen."""
        uids = (self._uid("SEARCH", "UNSEEN")[0] or b"").split()[:limit]
        for uid in uids:
            parts = self._uid("FETCH", uid.decode(), "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple) and len(p) == 2), None)
            if raw is not None:
                yield uid.decode(), raw

    def mark_seen(self, uid: str) -> None:
        """Flag a recorded message \\Seen so the next run skips it."""
        self._uid("STORE", uid, "+FLAGS", "(\\Seen)")
