"""The OpenAPI document is generated from the request schemas."""
from crossborder_crm.buyers.schemas import BuyerCreate


def test_openapi_document_is_served_without_a_token(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/buyers" in doc["paths"]
    assert "/api/v1/buyers/{buyer_id}" in doc["paths"]


def test_buyer_schema_in_the_document_is_the_validating_schema(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schema = doc["components"]["schemas"]["BuyerCreate"]
    assert set(schema["properties"]) == set(BuyerCreate.model_fields)
    assert set(schema["required"]) == {"name", "country"}
    op = doc["paths"]["/api/v1/buyers"]["post"]
    assert op["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/BuyerCreate")
    assert {"201", "401", "409", "422"} <= set(op["responses"])


def test_every_operation_has_an_error_shape(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for code, resp in op["responses"].items():
                if int(code) >= 400:
                    assert resp["content"]["application/json"]["schema"]["$ref"].endswith("/Error"), (path, method)
