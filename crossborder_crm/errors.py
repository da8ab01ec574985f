"""Domain errors: raised by services, mapped to HTTP statuses by the API and panel."""
from __future__ import annotations


class CrmError(Exception):
    """Base class; `code` is the machine-readable error code in API responses."""

    code = "error"
    status = 400

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class ValidationFailed(CrmError):
    """Input is well-formed but a field is invalid (422)."""

    code = "invalid"
    status = 422


class Malformed(CrmError):
    """The request body cannot be parsed at all (400)."""

    code = "malformed"
    status = 400


class UnsupportedMediaType(CrmError):
    """The body is not sent as JSON (415)."""

    code = "unsupported_media_type"
    status = 415


class NotFound(CrmError):
    """The record does not exist for this seller (404) — also when it belongs to another."""

    code = "not_found"
    status = 404


class Conflict(CrmError):
    """A unique value is already taken (409)."""

    code = "conflict"
    status = 409
