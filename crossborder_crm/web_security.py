"""Security headers and the same-origin check shared by the panel and the public unsubscribe pages."""
from __future__ import annotations

from typing import Iterable
from urllib.parse import urlsplit

from flask import Request, Response

# Content-Security-Policy: everything is served from here; no inline script or style anywhere.
CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def add_security_headers(response: Response, *, no_store: bool = True) -> Response:
    """Pages are never framed, sniffed, or (with `no_store`) kept by any cache."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if no_store:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).netloc.lower() or None
    except ValueError:
        return None


def same_origin(request: Request, public_urls: Iterable[str] = ()) -> bool | None:
    """Whether the browser says the request came from one of our pages.

    True or False when it says (Sec-Fetch-Site, Origin, else Referer); None when it says nothing,
    as with a mail provider's server or a client that strips both headers. Ours is the host the
    request was sent to, or the host of one of `public_urls` (behind a proxy that rewrites Host).
    """
    site = request.headers.get("Sec-Fetch-Site", "").lower()
    if site in ("cross-site", "same-site"):  # same-site is a sibling subdomain: still not this origin
        return False
    ours = {request.host.lower()} | {h for h in map(_host, public_urls) if h}
    origin = request.headers.get("Origin")
    if origin is not None:
        # "null" is what sandboxed frames and cross-site redirects send: never ours
        return _host(origin) in ours if origin != "null" else False
    referer = request.headers.get("Referer")
    if referer:
        return _host(referer) in ours
    return True if site == "same-origin" else None
