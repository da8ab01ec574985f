"""Serves the generated OpenAPI document."""
from flask import jsonify

from crossborder_crm.api.blueprint import bp
from crossborder_crm.api.openapi import build_document
from crossborder_crm.api.registry import operation


@operation(bp, "/openapi.json", "GET", "This OpenAPI document", tag="meta", auth=False)
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(build_document())
