"""Domain errors: raised by services, mapped to HTTP statuses by the API and panel.

Their reasons are English (the API's wording); the panel translates them where it shows them.
"""
from __future__ import annotations


def N_(message: str) -> str:
    """Mark a string for extraction (a Babel default keyword); it is translated where it is shown."""
    return message


class Reason(str):
    """An English reason that keeps its msgid and parameters, so the panel can show it translated.

    It *is* the English text: str(), ==, JSON and the API see nothing else.
    """

    template: str
    params: dict[str, object]

    def __new__(cls, template: str, /, **params: object) -> "Reason":
        return cls.worded(template % params if params else template, template, **params)

    @classmethod
    def worded(cls, text: str, template: str, /, **params: object) -> "Reason":
        """A reason whose English comes from elsewhere (a library's message); the panel shows `template`."""
        reason = super().__new__(cls, text)
        reason.template, reason.params = template, params
        return reason


def reason_of(exc: BaseException) -> str:
    """The reason an exception was raised with: its Reason when it has one (str(exc) would drop it)."""
    arg = exc.args[0] if len(exc.args) == 1 else None
    return arg if isinstance(arg, Reason) else str(exc)


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


class Unauthenticated(CrmError):
    """Missing or wrong signature or credentials on a webhook (401): nothing is stored."""

    code = "unauthorized"
    status = 401


class NotFound(CrmError):
    """The record does not exist for this seller (404) — also when it belongs to another."""

    code = "not_found"
    status = 404


class Conflict(CrmError):
    """A unique value is already taken (409)."""

    code = "conflict"
    status = 409
