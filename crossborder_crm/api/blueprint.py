"""The API blueprint: bearer-token auth per seller, and one JSON error shape for every failure."""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from werkzeug.exceptions import HTTPException

from crossborder_crm.accounts.service import seller_for_token
from crossborder_crm.container import current_services
from crossborder_crm.errors import CrmError, Malformed, NotFound, UnsupportedMediaType
from crossborder_crm.validation import MAX_ID

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error_response(status: int, code: str, message: str, fields: dict | None = None):
    """`{"error": {"code", "message", "fields"}}` with the given status."""
    resp = jsonify({"error": {"code": code, "message": message, "fields": fields or {}}})
    resp.status_code = status
    return resp


def json_body() -> dict:
    """The request's JSON object, or Malformed (400) with the parser's reason."""
    if not request.data:
        raise Malformed("request body is empty; send a JSON object", {"body": "empty"})
    if not request.is_json:
        # Said plainly: reading the body as JSON anyway would answer "not valid JSON" about valid JSON.
        got = request.mimetype or "no Content-Type"
        raise UnsupportedMediaType(f"send the body as JSON with Content-Type: application/json (got {got})",
                                   {"Content-Type": "expected application/json"})
    try:
        data = request.get_json(silent=True)
        if data is None:
            try:
                request.get_json(force=True)
            except HTTPException as exc:
                reason = getattr(exc, "description", "not valid JSON")
            else:
                reason = "not valid JSON"
            raise Malformed("request body is not valid JSON", {"body": str(reason)[:200]})
    except RecursionError:
        # The parser recurses once per nesting level; a body of 100,000 "[" exhausts the stack.
        raise Malformed("request body is nested too deeply", {"body": "nested too deeply to parse"}) from None
    if not isinstance(data, dict):
        raise Malformed("request body must be a JSON object", {"body": "expected an object"})
    return data


@bp.before_request
def _authenticate():
    if request.endpoint in ("api.openapi",):
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return error_response(401, "unauthorized", "missing bearer token",
                              {"Authorization": "expected 'Bearer <api token>'"})
    seller_id = seller_for_token(current_services().db, token.strip())
    if seller_id is None:
        return error_response(401, "unauthorized", "unknown or revoked API token",
                              {"Authorization": "token not recognised"})
    g.seller_id = seller_id
    return None


@bp.before_request
def _ids_in_range():
    # Checked here, not by the route's converter: with one rule per method, werkzeug answers a
    # converter's refusal with 405. An id past MAX_ID names no row, and drivers refuse to bind it.
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and value > MAX_ID:
            raise NotFound(f"{name.removesuffix('_id')} {value} not found")


@bp.errorhandler(CrmError)
def _crm_error(exc: CrmError):
    return error_response(exc.status, exc.code, exc.message, exc.fields)


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    codes = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 400: "malformed"}
    fields = {"body": f"larger than {request.max_content_length} bytes"} if exc.code == 413 else {}
    return error_response(exc.code or 500, codes.get(exc.code, "error"), exc.description or exc.name, fields)
