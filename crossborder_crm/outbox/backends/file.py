"""Development transport: every message becomes an ``.eml`` file.

Files are written atomically (temporary file in the same directory, then
``os.replace``) and named after a hash of the ``Message-ID`` header, so
re-sending the same message overwrites the earlier file instead of adding a
duplicate.  The file holds exactly the message bytes that SMTP would carry
(CRLF line endings), so it opens in any mail client.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from typing import Sequence

from .base import BaseTransport, TransientDeliveryError, check_send_args

__all__ = ["FileTransport", "eml_filename"]

_HEADER_END_RE = re.compile(rb"\r?\n\r?\n")
_MSGID_RE = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


def _message_id(message: bytes) -> bytes | None:
    m = _HEADER_END_RE.search(message)
    head = message[: m.start()] if m else message
    found = _MSGID_RE.search(head)
    if not found:
        return None
    value = b" ".join(found.group(1).split())
    return value or None


def eml_filename(message: bytes) -> str:
    """File name used for ``message``: hash of its Message-ID (or of the
    whole message when it has none)."""
    key = _message_id(message)
    if key is None:
        key = b"no-message-id\x00" + bytes(message)
    return hashlib.sha256(key).hexdigest()[:40] + ".eml"


class FileTransport(BaseTransport):
    def __init__(self, mail_dir: str | os.PathLike[str]) -> None:
        if not mail_dir:
            raise ValueError("mail_dir is required for the file backend")
        self.mail_dir = os.fspath(mail_dir)

    def __repr__(self) -> str:
        return f"FileTransport(mail_dir={self.mail_dir!r})"

    def open(self) -> None:
        try:
            os.makedirs(self.mail_dir, exist_ok=True)
        except OSError as exc:
            raise TransientDeliveryError(f"cannot create mail_dir {self.mail_dir!r}: {exc}") from exc

    def path_for(self, message: bytes) -> str:
        return os.path.join(self.mail_dir, eml_filename(message))

    def send(self, envelope_from: str, recipients: Sequence[str], message: bytes) -> None:
        check_send_args(envelope_from, recipients, message)
        data = bytes(message)
        target = self.path_for(data)
        tmp_path = None
        try:
            os.makedirs(self.mail_dir, exist_ok=True)
            fd, tmp_path = tempfile.mkstemp(prefix=".tmp-", suffix=".eml", dir=self.mail_dir)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.chmod(tmp_path, 0o644)
            os.replace(tmp_path, target)
            tmp_path = None
        except OSError as exc:
            raise TransientDeliveryError(f"cannot write {target!r}: {exc}") from exc
        finally:
            if tmp_path is not None:
                try:
                    os.unlink(tmp_path)
                except OSError:
                    pass

    def close(self) -> None:
        return None
