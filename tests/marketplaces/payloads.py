"""Real-format webhook bodies (Shopify REST, WooCommerce v3, AfterShip, our generic JSON), signed
the way each platform signs them. Bodies are bytes exactly as sent."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json

BIG_ORDER_ID = 9007199254740993      # 2**53 + 1: a float would turn it into ...992
BIG_CUSTOMER_ID = 9007199254740995
TRACKING = "1234567890"


def shopify_sign(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def generic_sign(secret: str, body: bytes, t: int) -> str:
    return f"t={t},v1=" + hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def dumps(data: dict) -> bytes:
    # Platforms send compact JSON with non-ASCII as is; big ids are written as the digits they are.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def shopify_order(order_id: int = BIG_ORDER_ID, *, updated_at: str = "2026-03-09T10:15:03-05:00",
                  financial_status: str = "paid", cancelled_at: str | None = None) -> dict:
    return {
        "id": order_id, "admin_graphql_api_id": f"gid://shopify/Order/{order_id}",
        "email": "camille.durand@example.fr", "created_at": "2026-03-09T10:15:00-05:00",
        "updated_at": updated_at, "processed_at": "2026-03-09T10:15:00-05:00",
        "name": "#1001", "order_number": 1001, "currency": "EUR", "presentment_currency": "EUR",
        "total_price": "59.80", "subtotal_price": "49.80", "total_tax": "0.00",
        "financial_status": financial_status, "fulfillment_status": None, "cancelled_at": cancelled_at,
        "customer_locale": "fr-FR", "test": False,
        "customer": {"id": BIG_CUSTOMER_ID, "email": "camille.durand@example.fr", "first_name": "Camille",
                     "last_name": "Durand", "created_at": "2026-03-09T10:14:00-05:00",
                     "updated_at": "2026-03-09T10:15:00-05:00", "state": "enabled", "verified_email": True,
                     "default_address": {"city": "Lyon", "zip": "69002", "country_code": "FR",
                                         "province_code": None, "country": "France"}},
        "shipping_address": {"first_name": "Camille", "last_name": "Durand", "address1": "12 rue de la Paix",
                             "city": "Lyon", "zip": "69002", "province": None, "province_code": None,
                             "country": "France", "country_code": "FR", "phone": "+33 6 12 34 56 78",
                             "name": "Camille Durand"},
        "line_items": [{"id": 866550311766439020, "title": "Silk scarf", "quantity": 2, "price": "24.90",
                        "sku": "SCARF-01", "variant_id": 808950810, "name": "Silk scarf - Blue"},
                       {"id": 141249953, "title": "Gift box", "quantity": 1, "price": "10.00", "sku": None}],
    }


def shopify_fulfillment(order_id: int = BIG_ORDER_ID, *, shipment_status: str | None = None) -> dict:
    return {
        "id": 255858046, "order_id": order_id, "status": "success", "service": "manual",
        "created_at": "2026-03-10T09:00:00-05:00", "updated_at": "2026-03-10T09:00:00-05:00",
        "tracking_company": "DHL Express", "shipment_status": shipment_status, "location_id": 487838322,
        "tracking_number": TRACKING, "tracking_numbers": [TRACKING],
        "tracking_url": f"https://www.dhl.com/en/express/tracking.html?AWB={TRACKING}",
        "tracking_urls": [f"https://www.dhl.com/en/express/tracking.html?AWB={TRACKING}"],
        "name": "#1001.1", "receipt": {},
        "destination": {"city": "Lyon", "zip": "69002", "country_code": "FR", "country": "France"},
        "line_items": [{"id": 866550311766439020, "title": "Silk scarf", "quantity": 2}],
    }


def aftership_update(event_id: str, tag: str, subtag: str, checkpoints: list[dict], *,
                     expected_delivery: str | None = "2026-03-20") -> dict:
    return {
        "event": "tracking_update", "event_id": event_id, "is_tracking_first_tag": True, "ts": 1773300000,
        "msg": {"id": "5b74f4958776db0e00b6f5ed", "tracking_number": TRACKING, "slug": "dhl", "title": "#1001",
                "tag": tag, "subtag": subtag, "subtag_message": subtag, "expected_delivery": expected_delivery,
                "origin_country_iso3": "CHN", "destination_country_iso3": "FRA",
                "shipment_pickup_date": "2026-03-10T15:00:00", "order_id": str(BIG_ORDER_ID),
                "updated_at": f"2026-03-{10 + len(checkpoints):02d}T12:00:00+00:00",
                "checkpoints": checkpoints},
    }


def checkpoint(at: str, tag: str, subtag: str, message: str, *, city: str | None = None,
               country_iso3: str | None = None) -> dict:
    return {"slug": "dhl", "checkpoint_time": at, "tag": tag, "subtag": subtag, "subtag_message": subtag,
            "message": message, "city": city, "state": None, "zip": None, "location": None,
            "country_iso3": country_iso3, "country_name": None, "coordinates": [], "raw_tag": "X"}


def woo_order(order_id: int = 727, *, modified_gmt: str = "2026-03-09T15:16:00", status: str = "processing",
              customer_id: int = 0) -> dict:
    return {
        "id": order_id, "parent_id": 0, "number": str(order_id), "order_key": "wc_order_58d2d042d1d",
        "status": status, "currency": "BRL", "date_created": "2026-03-09T12:15:00",
        "date_created_gmt": "2026-03-09T15:15:00", "date_modified": "2026-03-09T12:16:00",
        "date_modified_gmt": modified_gmt, "total": "129.90", "customer_id": customer_id,
        "billing": {"first_name": "João", "last_name": "Silva", "email": "joao@example.com.br",
                    "phone": "+55 11 91234-5678", "country": "BR", "state": "SP", "city": "São Paulo",
                    "postcode": "01310-100"},
        "shipping": {"first_name": "João", "last_name": "Silva", "country": "BR", "state": "SP",
                     "city": "São Paulo", "postcode": "01310-100"},
        "line_items": [{"id": 315, "name": "Caneca", "quantity": 3, "price": 43.3, "sku": "MUG",
                        "total": "129.90"}],
    }
