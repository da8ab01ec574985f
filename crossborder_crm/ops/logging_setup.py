"""Log format for the processes we start (worker, dev server, gunicorn): plain text or one JSON object a line.

Events carry their fields as `extra={...}`: the JSON format puts them at the top level, the plain
format appends them as key=value. Email addresses are masked before they reach a log line.
"""
from __future__ import annotations

import json
import logging
import re

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

LOG_FORMATS = ("plain", "json")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Chatty libraries: APScheduler logs every tick, Alembic every migration step.
QUIET_LOGGERS = ("apscheduler", "alembic")

_ADDRESS = re.compile(r"([^\s@<>(),;:\"'\[\]]+)@([^\s@<>(),;:\"'\[\]]+\.[^\s@<>(),;:\"'\[\]]+)")
_RESERVED = frozenset(RESERVED_ATTRS) | {"message", "asctime"}


def mask_email(address: str | None) -> str | None:
    """'lucia@example.es' → 'l***@example.es': enough to tell domains apart, not to know the buyer."""
    if not address:
        return address
    local, at, domain = address.rpartition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_addresses(text: str | None) -> str | None:
    """The text with every email address in it masked (SMTP replies quote the recipient)."""
    if not text:
        return text
    return _ADDRESS.sub(lambda m: f"{m.group(1)[:1]}***@{m.group(2)}", text)


def event_fields(record: logging.LogRecord) -> dict[str, object]:
    """The fields a caller passed as `extra` (everything that is not a standard record attribute)."""
    return {k: v for k, v in record.__dict__.items() if k not in _RESERVED and not k.startswith("_")}


class PlainFormatter(logging.Formatter):
    """The classic one-line format, followed by the event's fields as key=value."""

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = event_fields(record)
        if not fields:
            return line
        head, sep, tail = line.partition("\n")  # a traceback stays below the fields
        pairs = " ".join(f"{k}={_plain_value(v)}" for k, v in fields.items() if v is not None)
        return f"{head} {pairs}{sep}{tail}"


def _plain_value(value: object) -> str:
    """A value as logfmt writes it: bare when it is one word, else a quoted string."""
    text = str(value)
    if text and not any(c.isspace() or c in '"=' for c in text):
        return text
    return json.dumps(text, ensure_ascii=False)


def make_formatter(fmt: str) -> logging.Formatter:
    """The formatter for CRM_LOG_FORMAT: 'plain' or 'json'."""
    if fmt == "json":
        return JsonFormatter("{levelname}{name}{message}", style="{", timestamp="time",
                             rename_fields={"levelname": "level", "name": "logger"})
    if fmt == "plain":
        return PlainFormatter(PLAIN_FORMAT)
    raise ValueError(f"log format: expected one of {', '.join(LOG_FORMATS)}, got {fmt!r}")


def configure_logging(fmt: str = "plain", level: int = logging.INFO) -> None:
    """Send every log record to standard error in the chosen format, replacing earlier handlers."""
    handler = logging.StreamHandler()
    handler.setFormatter(make_formatter(fmt))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
