"""Service errors in the panel's language: a Reason is the English text (API, JSON) and keeps its
msgid, which the panel translates where it shows it."""
from __future__ import annotations

import io
import json

import pytest

from crossborder_crm.buyers.import_read import count_of, over_limit
from crossborder_crm.buyers.schemas import BuyerCreate
from crossborder_crm.errors import N_, Reason, ValidationFailed
from crossborder_crm.panel.reasons import localize_reason
from crossborder_crm.validation import parse
from tests.panel.html import Page


def _in_chinese(client) -> None:
    assert client.post("/settings/language", data={"locale": "zh_CN"}).status_code == 302


def test_a_reason_is_its_english_text():
    reason = Reason(N_("must be one of: %(choices)s"), choices="a, b")
    assert reason == "must be one of: a, b" and str(reason) == "must be one of: a, b"
    assert json.dumps({"field": reason}) == '{"field": "must be one of: a, b"}'


def test_a_reason_keeps_its_msgid_and_parameters():
    reason = Reason(N_("must be one of: %(choices)s"), choices="a, b")
    assert reason.template == "must be one of: %(choices)s" and reason.params == {"choices": "a, b"}


def test_a_library_worded_reason_reads_as_the_library_but_keeps_our_msgid():
    reason = Reason.worded("The email address is not valid.", N_("is not a valid email address"))
    assert reason == "The email address is not valid." and reason.template == "is not a valid email address"


def test_a_cross_field_reason_lands_on_its_field_as_a_reason():
    with pytest.raises(ValidationFailed) as refused:
        parse(BuyerCreate, {"name": "A", "country": "US", "phone": "123"}, "buyer")
    reason = refused.value.fields["phone"]
    assert reason == "'123' is not a possible number" and reason.template == "%(number)s is not a possible number"


def test_outside_a_request_the_reason_stays_english():
    assert localize_reason(Reason(N_("must be at most %(num)s characters"), num=5)) == "must be at most 5 characters"


def test_a_text_the_catalog_does_not_have_is_shown_as_it_is(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert localize_reason("(1) The string supplied did not seem to be a phone number.") == \
            "(1) The string supplied did not seem to be a phone number."
        assert localize_reason("") == ""


def test_a_reason_inside_a_reason_is_translated_too(app):
    refusal = over_limit(1, count_of(N_("the file is %(num)s bytes"), 2048), count_of(N_("%(num)s bytes"), 1024),
                         "IMPORT_MAX_BYTES").error.reason
    assert refusal.startswith("the file is 2,048 bytes, over the import limit of 1,024 bytes")
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert localize_reason(refusal).startswith("文件大小为 2,048 字节，超过导入上限 1,024 字节（")


def test_a_chinese_user_sees_a_missing_country_in_chinese(panel_a):
    _in_chinese(panel_a)
    r = panel_a.post("/buyers/new", data={"name": "Nobody", "country": "", "consent_status": "unknown"})
    assert r.status_code == 422 and Page(r.data).text("e-country") == "此项为必填项"


def test_a_chinese_user_sees_an_unknown_country_with_its_code(panel_a):
    _in_chinese(panel_a)
    r = panel_a.post("/buyers/new", data={"name": "Nobody", "country": "XX", "consent_status": "unknown"})
    assert Page(r.data).text("e-country") == "未知的国家/地区代码 'XX'"


def test_a_chinese_user_sees_a_bad_email_in_chinese_instead_of_the_librarys_english(panel_a):
    _in_chinese(panel_a)
    r = panel_a.post("/buyers/new", data={"name": "Nobody", "country": "DE", "email": "not-an-email",
                                          "consent_status": "unknown"})
    assert Page(r.data).text("e-email") == "不是有效的电子邮件地址"


def test_an_english_user_still_sees_the_english_reason(panel_a):
    r = panel_a.post("/buyers/new", data={"name": "Nobody", "country": "XX", "consent_status": "unknown"})
    assert Page(r.data).text("e-country") == "unknown country code 'XX'"


def test_a_chinese_user_sees_the_edit_form_errors_in_chinese(panel_a, shop_a):
    _in_chinese(panel_a)
    r = panel_a.post(f"/buyers/{shop_a['jean'].id}/edit",
                     data={"name": "Jean Dupont", "country": "FR", "email": "maria@example.com"})
    assert r.status_code == 409 and Page(r.data).text("e-email") == f"已被买家 {shop_a['maria'].id} 使用"


def test_a_chinese_user_sees_an_incident_without_scope_refused_in_chinese(panel_a):
    _in_chinese(panel_a)
    r = panel_a.post("/shipments/incidents", data={"starts_on": "2026-03-01", "reason": "Strike"})
    assert r.status_code == 422 and Page(r.data).text("e-general") == "请至少填写一个承运商或一条线路"


def test_a_chinese_user_sees_a_bad_incident_country_in_chinese(panel_a):
    _in_chinese(panel_a)
    r = panel_a.post("/shipments/incidents", data={"destination": "XX", "starts_on": "2026-03-01",
                                                   "reason": "Strike"})
    assert Page(r.data).text("e-destination") == "未知的国家/地区代码 'XX'"


def test_a_chinese_user_sees_import_row_errors_in_chinese(panel_a):
    _in_chinese(panel_a)
    data = "name,email,country,fax\nBad Row,bad@example.com,XX,1\n".encode()
    r = panel_a.post("/buyers/import", data={"file": (io.BytesIO(data), "buyers.csv")},
                     content_type="multipart/form-data")
    assert Page(r.data).rows("import-errors") == [["1", "fax", "无法识别的列"],
                                                  ["2", "country", "未知的国家/地区代码 'XX'"]]


def test_a_chinese_user_sees_a_buyer_list_filter_error_in_chinese(panel_a, shop_a):
    _in_chinese(panel_a)
    r = panel_a.get("/buyers?has_orders=maybe")
    assert r.status_code == 422 and Page(r.data).text("e-has_orders") == "必须为 true 或 false"


def test_the_api_still_answers_in_english_to_a_chinese_browser(api_a):
    r = api_a.post("/buyers", json={"name": "Nobody", "country": "XX"}, headers={"Accept-Language": "zh-CN"})
    assert r.status_code == 422 and r.get_json()["error"]["fields"] == {"country": "unknown country code 'XX'"}
