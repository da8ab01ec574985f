"""The OpenAPI 3.1 document, built from the same pydantic schemas that validate requests."""
from __future__ import annotations

import re

from crossborder_crm.api.registry import OPERATIONS
from crossborder_crm.marketplaces.generic_schemas import GenericEvent
from crossborder_crm.validation import MAX_ID

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "object", "required": ["code", "message", "fields"], "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "field path -> reason"}}}},
}

_STATUS_TEXT = {200: "OK", 201: "Created", 204: "No content", 400: "Malformed request", 401: "Missing or bad token",
                404: "Not found (also another seller's record)", 409: "Duplicate", 413: "Body too large",
                422: "Invalid field"}


def _openapi_path(flask_path: str) -> tuple[str, list[dict]]:
    params = []

    def repl(m: re.Match) -> str:
        conv, name = m.group(1), m.group(2)
        schema: dict = {"type": "integer" if conv == "int" else "string"}
        if conv == "int":  # row ids: a larger one is a 404 (blueprint._ids_in_range)
            schema.update(minimum=1, maximum=MAX_ID)
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", repl, flask_path), params


def build_document(prefix: str = "/api/v1") -> dict:
    """Assemble paths and component schemas from every registered operation."""
    components: dict[str, dict] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path, params = _openapi_path(op.path)
        entry: dict = {"summary": op.summary, "operationId": op.endpoint, "tags": [op.tag]}
        params += [{"name": q.name, "in": "query", "required": False, "description": q.description,
                    "schema": {"type": q.type, **({"enum": list(q.enum)} if q.enum else {})}}
                   for q in op.query]
        if params:
            entry["parameters"] = params
        if op.body is not None:
            schema = op.body.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in schema.pop("$defs", {}).items():
                components[name] = sub
            components[op.body.__name__] = schema
            entry["requestBody"] = {"required": True, "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{op.body.__name__}"}}}}
        responses = {str(code): {"description": text} for code, text in op.responses.items()}
        errors = [400, 422] if op.body is not None else []
        errors += [401] if op.auth else []
        errors += [404] if "{" in path else []
        for code in errors + [c for c in op.responses if c >= 400]:
            # An operation's own wording of an error (what its 422 or 409 means there) wins.
            responses[str(code)] = {"description": op.responses.get(code) or _STATUS_TEXT.get(code, "Error"), "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        if op.auth:
            entry["security"] = [{"bearer": []}]
        entry["responses"] = responses
        paths.setdefault(prefix + path, {})[op.method.lower()] = entry
    _add_generic_webhook(components, paths)
    return {
        "openapi": "3.1.0",
        "info": {"title": "crossborder_crm API", "version": "1",
                 "description": "Buyers, orders, activity and messages of one seller. Bearer token per seller."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "description": "the seller's API token"},
            "crmSignature": {"type": "apiKey", "in": "header", "name": "X-CRM-Signature", "description": (
                "t=<unix seconds>,v1=<hex HMAC-SHA256 of \"<t>.\" + the raw body, keyed with the seller's generic "
                "webhook secret>; refused when t is more than 5 minutes from the server's clock")}}},
    }


def _add_generic_webhook(components: dict, paths: dict) -> None:
    """The generic webhook: our own JSON, signed with X-CRM-Signature (see marketplaces.signing)."""
    schema = GenericEvent.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components["GenericEvent"] = schema
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    paths["/webhooks/generic/{seller_key}"] = {"post": {
        "summary": "Send an order, shipment, buyer message, review or dispute (signed, not bearer)",
        "operationId": "webhooks.generic", "tags": ["webhooks"],
        "parameters": [{"name": "seller_key", "in": "path", "required": True, "schema": {"type": "string"},
                        "description": "the seller key shown on Settings"}],
        "security": [{"crmSignature": []}],
        "requestBody": {"required": True, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/GenericEvent"}}}},
        "responses": {
            "202": {"description": "stored; applied within seconds by the worker (unknown types are stored only)"},
            "200": {"description": "this `id` was received before: acknowledged, nothing changes"},
            "400": {"description": "the body is not a JSON object", "content": error},
            "401": {"description": "missing, wrong or expired X-CRM-Signature: nothing is stored", "content": error},
            "404": {"description": "unknown seller key", "content": error},
            "413": {"description": "body larger than 1 MiB", "content": error}}}}
