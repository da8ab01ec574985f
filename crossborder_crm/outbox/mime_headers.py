"""Header lines of an outgoing message: sanitised, RFC 2047 encoded where needed, folded.

* non-ASCII display names and subjects as RFC 2047 UTF-8 encoded-words
  (Q or B, whichever is shorter, each <= 75 characters), ASCII display names
  with RFC 5322 specials as quoted-strings; header lines folded (CRLF + space)
  at 78 columns where possible, never above 998 octets; CRLF line ends;
* control characters (CR, LF, NUL, U+2028, ...) in display names, subject
  and extra header values are replaced by spaces so no value can ever start
  a new header line;
* ``List-Unsubscribe`` URIs are checked and written verbatim.
"""

from __future__ import annotations

import binascii
import functools
import re

from crossborder_crm.outbox.message_id import ascii_domain

__all__ = [
    "HEADER_NAME_RE",
    "RESERVED_HEADERS",
    "addr_spec",
    "address_header",
    "check_uri",
    "list_unsubscribe_header",
    "sanitize_header_text",
    "sender_header",
    "unstructured_header",
]

# --------------------------------------------------------------------------
# header hygiene
# --------------------------------------------------------------------------

# C0 controls (incl. TAB, CR, LF), DEL, C1 controls (incl. NEL) and the
# Unicode line/paragraph separators -- everything str.splitlines() breaks on.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES_RE = re.compile(r" {2,}")


def sanitize_header_text(value: str) -> str:
    """Replace control characters (CR/LF/...) by single spaces and trim."""
    # isprintable() is False for every character _CONTROL_RE matches: the common clean value
    # skips both regular expressions.
    if value.isprintable() and "  " not in value:
        return value.strip()
    return _SPACES_RE.sub(" ", _CONTROL_RE.sub(" ", value)).strip()


_ADDR_FORBIDDEN_RE = re.compile("[\\s<>,;\x00-\x1f\x7f-\x9f\u2028\u2029\"]")
# local-part characters that force a quoted-string (RFC 5322 specials, minus '.')
_LOCAL_QUOTE_RE = re.compile(r'[()<>@,:;\\"\[\]]')


def _quote_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def addr_spec(addr: str, *, what: str) -> str:
    """Validate ``addr`` and return its ``local@domain`` form (IDNA domain; the local part as given,
    UTF-8 when it is not ASCII)."""
    if not isinstance(addr, str):
        raise TypeError(f"{what} must be a str")
    addr = addr.strip()
    if not addr or _ADDR_FORBIDDEN_RE.search(addr) or addr.count("@") != 1:
        raise ValueError(f"invalid {what}: {addr!r}")
    local, _, domain = addr.partition("@")
    if not local:
        raise ValueError(f"invalid {what}: {addr!r}")
    # A non-ASCII local part is written as is (RFC 6532): the transport then needs SMTPUTF8.
    if _LOCAL_QUOTE_RE.search(local):
        local = _quote_string(local)
    return f"{local}@{ascii_domain(domain)}"


_URI_FORBIDDEN_RE = re.compile("[\\s<>\"\x00-\x1f\x7f-\x9f\u2028\u2029]")
_MAX_URI = 900  # keep the header line well below the 998 octet hard limit


def check_uri(uri: str, schemes: tuple[str, ...], what: str) -> str:
    """The URI trimmed; ValueError unless it has one of `schemes`, is ASCII and fits a header."""
    uri = uri.strip()
    if (
        not uri
        or _URI_FORBIDDEN_RE.search(uri)
        or not uri.lower().startswith(schemes)
        or len(uri) > _MAX_URI
    ):
        raise ValueError(f"invalid {what}: {uri!r}")
    if not uri.isascii():
        raise ValueError(f"{what} must be ASCII (percent-encode it): {uri!r}")
    return uri


HEADER_NAME_RE = re.compile(r"^[!-9;-~]{1,200}$")  # RFC 5322 ftext (length-capped)
# the headers build_message writes itself: an extra header may not set them
RESERVED_HEADERS = frozenset(
    h.lower()
    for h in (
        "From", "To", "Cc", "Bcc", "Sender", "Reply-To", "Subject", "Date",
        "Message-ID", "MIME-Version", "Content-Type", "Content-Transfer-Encoding",
        "Content-Disposition", "List-Unsubscribe", "List-Unsubscribe-Post",
        "DKIM-Signature", "Return-Path", "Received",
    )
)

# --------------------------------------------------------------------------
# header encoding and folding (RFC 5322 / RFC 2047)
# --------------------------------------------------------------------------

_MAX_LINE = 78  # RFC 5322 "SHOULD" limit; folding aims for it
_HARD_LINE = 998  # RFC 5322 "MUST" limit (octets, excluding CRLF)
_EW_MAX = 75  # RFC 2047: an encoded-word is at most 75 characters
_EW_OVERHEAD = len("=?utf-8?q??=")  # 12, same for ?b?

# Q-encoding literals that are legal in *every* context, including a
# display-name phrase (RFC 2047 section 5 (3)); space is written as "_".
_Q_SAFE = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/"
_QTAB = tuple(
    chr(b) if b in _Q_SAFE else ("_" if b == 0x20 else f"={b:02X}") for b in range(256)
)

# a display name made of atoms and single spaces needs no quoting
_PHRASE_NEEDS_QUOTE_RE = re.compile(r"[^A-Za-z0-9!#$%&'*+\-/=?^_`{|}~ ]")


def _encoded_words(text: str, first_max: int) -> list[str]:
    """RFC 2047 encoded-words (UTF-8, Q or B, whichever is shorter) for ``text``.

    Words never split a character; the first is at most ``first_max``
    characters long, the others at most 75.
    """
    data = text.encode("utf-8")
    unsafe = len(data.translate(None, _Q_SAFE)) - data.count(b" ")
    qlen = len(data) + 2 * unsafe
    blen = (len(data) + 2) // 3 * 4
    limit = first_max - _EW_OVERHEAD  # payload characters in the current word
    if qlen <= blen and qlen <= limit:  # one word (a name, a short subject): no splitting needed
        return ["=?utf-8?q?" + "".join(map(_QTAB.__getitem__, data)) + "?="]
    words: list[str] = []
    if qlen <= blen:
        cur: list[str] = []
        cur_len = 0
        qtab = _QTAB
        for ch in text:
            q = qtab[ord(ch)] if ch < "\x80" else "".join([qtab[b] for b in ch.encode("utf-8")])
            if cur and cur_len + len(q) > limit:
                words.append("=?utf-8?q?" + "".join(cur) + "?=")
                cur = []
                cur_len = 0
                limit = _EW_MAX - _EW_OVERHEAD
            cur.append(q)
            cur_len += len(q)
        words.append("=?utf-8?q?" + "".join(cur) + "?=")
    else:
        n = len(data)
        pos = 0
        while pos < n:
            end = min(pos + limit // 4 * 3, n)
            while end < n and (data[end] & 0xC0) == 0x80:  # never split a character
                end -= 1
            words.append("=?utf-8?b?" + binascii.b2a_base64(data[pos:end], newline=False).decode("ascii") + "?=")
            pos = end
            limit = _EW_MAX - _EW_OVERHEAD
    return words


def _first_word_max(name: str) -> int:
    # "Name: " + first word fits in 78 columns when the name allows it
    return max(24, min(_EW_MAX, _MAX_LINE - len(name) - 2))


def _fold(name: str, tokens: list[str]) -> str:
    """``Name: tok tok`` folded greedily (CRLF + space) between tokens only.

    Tokens are joined by single spaces; folding replaces such a space by
    CRLF + space, so unfolding restores the value exactly.
    """
    line = name + ": " + " ".join(tokens)
    if tokens and len(line) <= _MAX_LINE:  # what the greedy loop below writes for a short header
        return line + "\r\n"
    line = name + ":"
    lines = []
    first = True
    for tok in tokens:
        if not first and len(line) + 1 + len(tok) > _MAX_LINE:
            lines.append(line)
            line = " " + tok
        else:
            line += " " + tok
        first = False
    lines.append(line)
    return "\r\n".join(lines) + "\r\n"


def _plain_tokens_fit(name: str, tokens: list[str]) -> bool:
    return len(name) + 2 + max(map(len, tokens)) <= _HARD_LINE


def unstructured_header(name: str, value: str) -> str:
    """Header line(s) for an unstructured value (already sanitised)."""
    if not value:
        return name + ":\r\n"
    if value.isascii() and "=?" not in value:
        if len(name) + 2 + len(value) <= _MAX_LINE:  # what folding the words would write
            return name + ": " + value + "\r\n"
        tokens = value.split(" ")
        if _plain_tokens_fit(name, tokens):
            return _fold(name, tokens)
    return _fold(name, _encoded_words(value, _first_word_max(name)))


def address_header(name: str, spec: str, display_name: str = "") -> str:
    """Header line(s) for one address (``spec`` from :func:`addr_spec`) with its display name."""
    display_name = sanitize_header_text(display_name or "")
    if not display_name:
        return _fold(name, [spec])
    angle = f"<{spec}>"
    if display_name.isascii() and "=?" not in display_name:
        if _PHRASE_NEEDS_QUOTE_RE.search(display_name):
            # quoted-string; folding between its words is legal FWS
            tokens = _quote_string(display_name).split(" ")
        else:
            tokens = display_name.split(" ")
        if _plain_tokens_fit(name, tokens):
            tokens.append(angle)
            return _fold(name, tokens)
    tokens = _encoded_words(display_name, _first_word_max(name))
    tokens.append(angle)
    return _fold(name, tokens)


@functools.lru_cache(maxsize=1024)
def sender_header(name: str, addr: str, display_name: str, what: str) -> str:
    """From / Reply-To: the same few per seller in every message, so built once each."""
    return address_header(name, addr_spec(addr, what=what), display_name)


def list_unsubscribe_header(uris: list[str]) -> str:
    """The List-Unsubscribe line for checked URIs (see :func:`check_uri`)."""
    # written verbatim (never encoded), folded only between the "<uri>" items
    text = ", ".join(f"<{u}>" for u in uris)
    if len("List-Unsubscribe") + 2 + len(text) > _MAX_LINE:
        text = ",\r\n ".join(f"<{u}>" for u in uris)
    return f"List-Unsubscribe: {text}\r\n"
