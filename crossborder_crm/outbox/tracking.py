"""Open and click tracking of marketing email, for sellers who turn it on (off by default).

A tracked email carries a 1x1 image and links that pass through us: each holds a signed token naming
the message (and, for a link, where it goes), so no one can make us redirect elsewhere. Machine opens
are not counted as opens: mail scanners and link checkers fetch within seconds of delivery or say
what they are, and a HEAD request is never a person. Pure functions; no database, no Flask.
"""
from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import unescape

from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import escape

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")  # 1x1 transparent GIF
# Fetched this soon after the send, an open or click is a scanner's, not the buyer's.
MACHINE_WINDOW = timedelta(seconds=10)
_SCANNERS = re.compile(r"bot\b|crawler|spider|scanner|preview|barracuda|proofpoint|mimecast|messagelabs|"
                       r"symantec|fireeye|trendmicro|safelinks|urldefense|python-requests|curl/|wget|headless",
                       re.IGNORECASE)
_HREF = re.compile(r'href="(https?://[^"]+)"', re.IGNORECASE)
_SALT = "crossborder_crm.tracking"


class InvalidTrackingToken(ValueError):
    """The token was not made by us with this secret."""


@dataclass(frozen=True)
class Tracked:
    """What a token names: the message and, for a click, the address the link goes to."""

    message_id: int
    url: str | None = None


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt=_SALT)


def make_token(secret: str, message_id: int, url: str | None = None) -> str:
    """A signed token for the pixel (no url) or one link."""
    return _serializer(secret).dumps([message_id, url] if url else [message_id])


def read_token(secret: str, token: str) -> Tracked:
    """The message (and link) a token names; InvalidTrackingToken otherwise."""
    try:
        data = _serializer(secret).loads(token)
    except BadSignature:
        raise InvalidTrackingToken("bad signature") from None
    if not (isinstance(data, list) and data and isinstance(data[0], int) and not isinstance(data[0], bool)):
        raise InvalidTrackingToken("malformed")
    url = data[1] if len(data) > 1 and isinstance(data[1], str) else None
    return Tracked(data[0], url)


def instrument(html: str, secret: str, public_url: str, message_id: int, keep: tuple[str, ...] = ()) -> str:
    """The HTML with each web link passing through us (except `keep`, e.g. the unsubscribe link) and
    the pixel before </body>."""
    base = public_url.rstrip("/")

    def through_us(match: re.Match) -> str:
        target = unescape(match.group(1))
        if target in keep:
            return match.group(0)
        return f'href="{escape(base + "/t/c/" + make_token(secret, message_id, target))}"'

    pixel = (f'<img src="{escape(base + "/t/o/" + make_token(secret, message_id))}" width="1" height="1" '
             'alt="" style="display:block;border:0;width:1px;height:1px;">')
    html = _HREF.sub(through_us, html)
    at = html.rfind("</body>")
    return html[:at] + pixel + html[at:] if at >= 0 else html + pixel


def is_machine(user_agent: str | None, method: str, at: datetime, sent_at: datetime | None) -> bool:
    """True when a scanner, a prefetch or a link checker made the request, not the buyer."""
    if method == "HEAD" or not user_agent or _SCANNERS.search(user_agent):
        return True
    return sent_at is not None and at - sent_at < MACHINE_WINDOW
