"""The outbox page (statuses, buyer filter, pages, retry, cancel) and the buyer page's timing and
"write to buyer" parts: heatmap, next good moment, the form, its errors and its idempotency."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from crossborder_crm.outbox import service
from crossborder_crm.outbox.send_timing import buyer_timing
from crossborder_crm.outbox.models import Message
from tests.panel.html import Page

NONCE = "n0nce-for-the-test-1234"
SELLER_TZ = "Asia/Shanghai"  # the default zone of a new seller
BAD_TIME = "Enter a date and time such as 2026-03-12 09:00."


def when(value: datetime, tz: str) -> str:
    """The panel's English 'Wed, Mar 11 20:00', computed independently of Babel."""
    local = value.astimezone(ZoneInfo(tz))
    return f"{local:%a, %b} {local.day} {local:%H:%M}"


def schedule(services, seller_id, buyer_id, subject="Hola", **extra):
    data = {"buyer_id": buyer_id, "subject": subject, "body": "Tu pedido está listo.", **extra}
    return service.schedule_message(services.db, services.clock, seller_id, data,
                                    mail_domain="crm.localhost").message


def message_cell(cell: str) -> str:
    """An outbox message cell without its folded 'why this moment' text: subject and kind."""
    return cell.split(" Why this moment", 1)[0]


def set_status(services, message_id, status, **values):
    with services.db.transaction() as s:
        s.execute(update(Message).where(Message.id == message_id).values(status=status, **values))


def get(services, message_id) -> Message:
    with services.db.reading() as s:
        return s.get(Message, message_id)


def count(services) -> int:
    with services.db.reading() as s:
        return s.scalar(select(func.count(Message.id)))


def write(client, buyer_id, **fields):
    data = {"subject": "Your scarf", "body": "It ships tomorrow.", "kind": "conversation",
            "when": "best", "local": "", "nonce": NONCE, **fields}
    return client.post(f"/buyers/{buyer_id}/messages", data=data)


@pytest.fixture
def mixed(services, seller_a, shop_a):
    """One message of Lucía's in each status, and one scheduled for Jean."""
    sid = seller_a.seller_id
    lucia, jean = shop_a["lucia"].id, shop_a["jean"].id
    out = {status: schedule(services, sid, lucia, subject=f"About {status}")
           for status in ("scheduled", "sent", "failed", "suppressed", "cancelled")}
    sent_at = datetime(2026, 3, 9, 19, 5, tzinfo=timezone.utc)
    set_status(services, out["sent"].id, "sent", sent_at=sent_at, attempts=1)
    set_status(services, out["failed"].id, "failed", attempts=5, last_error="550 mailbox unavailable")
    set_status(services, out["suppressed"].id, "suppressed", attempts=1, last_error="buyer unsubscribed")
    set_status(services, out["cancelled"].id, "cancelled")
    out["jean"] = schedule(services, sid, jean, subject="Bonjour Jean")
    return out


# --------------------------------------------------------------------------- the outbox page

def test_outbox_is_a_real_page_now(panel_a):
    r = panel_a.get("/outbox")
    assert r.status_code == 200
    page = Page(r.data)
    assert "Coming soon" not in page.text()
    assert "Nothing in the outbox yet" in page.text()
    assert page.attr("tab-all", "aria-current") == "page"
    nav = [a for a in page.all("a", href="/outbox") if a.attrs.get("aria-current") == "page"]
    assert nav, "the Outbox nav entry is marked as the current page"


def test_row_shows_buyer_both_times_explanation_and_actions(panel_a, services, seller_a, shop_a):
    msg = schedule(services, seller_a.seller_id, shop_a["lucia"].id)
    page = Page(panel_a.get("/outbox").data)
    [row] = page.rows("outbox-table")
    buyer, message, status, when_cell, sent, actions = row
    assert buyer.startswith("Lucía García") and "ES" in buyer
    assert message.startswith("Hola Conversation Why this moment ")
    assert "Lucía García is most active" in page.text(f"why-{msg.id}")  # folded under the subject
    assert status == "Scheduled"
    assert when_cell == (f"{when(msg.scheduled_at, 'Europe/Madrid')} Madrid "
                         f"{when(msg.scheduled_at, SELLER_TZ)} your time")
    assert sent == "—"
    assert actions == "Cancel"
    assert f"/buyers/{shop_a['lucia'].id}" in page.hrefs()
    assert "Your time (Shanghai)" in page.text("outbox-table")


@pytest.mark.parametrize("status,subjects", [
    ("all", ["Bonjour Jean", "About cancelled", "About suppressed", "About failed", "About sent",
             "About scheduled"]),
    ("scheduled", ["Bonjour Jean", "About scheduled"]),
    ("sent", ["About sent"]),
    ("failed", ["About failed"]),
    ("suppressed", ["About suppressed"]),
    ("cancelled", ["About cancelled"]),
])
def test_status_tabs_filter_the_list(panel_a, mixed, status, subjects):
    query = "" if status == "all" else f"?status={status}"
    page = Page(panel_a.get(f"/outbox{query}").data)
    assert [message_cell(row[1]).rsplit(" ", 1)[0] for row in page.rows("outbox-table")] == subjects
    assert page.attr(f"tab-{status}", "aria-current") == "page"
    tabs = page.text("status-tabs")
    assert "All 6" in tabs and "Scheduled 2" in tabs and "Failed 1" in tabs and "Cancelled 1" in tabs


def test_failed_and_suppressed_rows_show_attempts_last_error_and_sent_time(panel_a, mixed):
    rows = {message_cell(r[1]).rsplit(" ", 1)[0]: r for r in Page(panel_a.get("/outbox").data).rows("outbox-table")}
    assert rows["About failed"][2] == "Failed 5 attempts 550 mailbox unavailable"
    assert rows["About failed"][5] == "Retry Cancel"
    assert rows["About suppressed"][2] == "Suppressed 1 attempt The buyer unsubscribed from marketing email."
    assert rows["About suppressed"][5] == ""
    assert rows["About sent"][2] == "Sent"
    assert rows["About sent"][4] == "Tue, Mar 10 03:05"  # 19:05 UTC in Shanghai
    assert rows["About sent"][5] == "" and rows["About cancelled"][5] == ""


def test_unknown_status_is_reported_and_all_are_listed(panel_a, mixed):
    r = panel_a.get("/outbox?status=lost")
    assert r.status_code == 422
    page = Page(r.data)
    assert "Choose one of the listed statuses." in page.text("e-status")
    assert len(page.rows("outbox-table")) == 6


def test_buyer_filter(panel_a, mixed, shop_a):
    lucia = shop_a["lucia"].id
    page = Page(panel_a.get(f"/outbox?buyer={lucia}&status=scheduled").data)
    assert [message_cell(r[1]) for r in page.rows("outbox-table")] == ["About scheduled Conversation"]
    assert "Messages to Lucía García" in page.text("buyer-filter")
    assert "Scheduled 1" in page.text("status-tabs") and "All 5" in page.text("status-tabs")
    # Tabs keep the buyer; clearing the buyer keeps the tab.
    assert page.attr("tab-sent", "href") == f"/outbox?buyer={lucia}&status=sent"
    assert page.attr("clear-buyer-filter", "href") == "/outbox?status=scheduled"


@pytest.mark.parametrize("buyer", ["abc", "999999"])
def test_buyer_filter_with_an_unknown_buyer_is_404(panel_a, mixed, buyer):
    assert panel_a.get(f"/outbox?buyer={buyer}").status_code == 404


def test_pages_next_and_previous(panel_a, services, seller_a, shop_a):
    ids = [schedule(services, seller_a.seller_id, shop_a["jean"].id, subject=f"Note {n:02d}").id
           for n in range(1, 31)]
    first = Page(panel_a.get("/outbox?status=scheduled").data)
    assert [r[1].split(" ")[1] for r in first.rows("outbox-table")] == [f"{n:02d}" for n in range(30, 5, -1)]
    next_url = first.attr("page-next", "href")
    assert parse_qs(urlsplit(next_url).query)["status"] == ["scheduled"]
    assert parse_qs(urlsplit(next_url).query)["cursor"] == [str(ids[5])]
    second = Page(panel_a.get(next_url).data)
    assert [r[1].split(" ")[1] for r in second.rows("outbox-table")] == ["05", "04", "03", "02", "01"]
    assert second.find("page-next") is None
    assert "Page 2" in second.text()
    back = Page(panel_a.get(second.attr("page-prev", "href")).data)
    assert len(back.rows("outbox-table")) == 25 and back.find("page-prev") is None


# --------------------------------------------------------------------------- retry and cancel

def test_retry_puts_a_failed_message_back_in_the_queue(panel_a, services, mixed):
    failed = mixed["failed"]
    r = panel_a.post(f"/outbox/{failed.id}/retry", data={"next": "/outbox?status=failed"})
    assert r.status_code == 302 and r.headers["Location"] == "/outbox?status=failed"
    after = get(services, failed.id)
    assert (after.status, after.attempts, after.due_at) == ("scheduled", 0, services.clock.now())
    page = Page(panel_a.get(r.headers["Location"]).data)
    assert "queued again" in page.text()
    assert page.rows("outbox-table") == []


@pytest.mark.parametrize("status", ["scheduled", "failed"])
def test_cancel_a_message_that_has_not_gone_out(panel_a, services, mixed, status):
    msg = mixed[status]
    r = panel_a.post(f"/outbox/{msg.id}/cancel")
    assert r.status_code == 302 and r.headers["Location"] == "/outbox"
    assert get(services, msg.id).status == "cancelled"
    assert "Message cancelled; it will not be sent." in Page(panel_a.get("/outbox").data).text()


@pytest.mark.parametrize("action,status,message", [
    ("cancel", "sent", "This message can no longer be cancelled; it is: Sent."),
    ("cancel", "cancelled", "This message can no longer be cancelled; it is: Cancelled."),
    ("retry", "scheduled", "Only failed messages can be retried; this one is: Scheduled."),
    ("retry", "sent", "Only failed messages can be retried; this one is: Sent."),
])
def test_actions_that_do_not_apply_change_nothing(panel_a, services, mixed, action, status, message):
    msg = mixed[status]
    before = get(services, msg.id)
    r = panel_a.post(f"/outbox/{msg.id}/{action}")
    assert r.status_code == 302
    after = get(services, msg.id)
    assert (after.status, after.updated_at) == (before.status, before.updated_at)
    assert message in Page(panel_a.get("/outbox").data).text()


@pytest.mark.parametrize("action", ["retry", "cancel"])
def test_another_sellers_message_is_404_and_unchanged(panel_b, services, mixed, action):
    for msg in (mixed["failed"], mixed["scheduled"]):
        before = get(services, msg.id)
        assert panel_b.post(f"/outbox/{msg.id}/{action}").status_code == 404
        after = get(services, msg.id)
        assert (after.status, after.attempts, after.updated_at) == (before.status, before.attempts,
                                                                    before.updated_at)
    page = Page(panel_b.get("/outbox").data)
    assert page.rows("outbox-table") == [] and "About" not in page.text()
    assert panel_b.get(f"/outbox?buyer={mixed['failed'].buyer_id}").status_code == 404


def test_actions_need_a_post(panel_a, mixed):
    assert panel_a.get(f"/outbox/{mixed['failed'].id}/retry").status_code == 405


def test_actions_refuse_a_next_pointing_elsewhere(panel_a, mixed):
    r = panel_a.post(f"/outbox/{mixed['scheduled'].id}/cancel", data={"next": "https://evil.example/"})
    assert r.headers["Location"] == "/"


# --------------------------------------------------------------------------- buyer page: timing

def test_heatmap_has_7_days_by_24_hours_with_titles_and_quiet_hours(panel_a, services, seller_a, shop_a):
    lucia = shop_a["lucia"]
    page = Page(panel_a.get(f"/buyers/{lucia.id}").data)
    table = page.find("heatmap")
    body_rows = [tr for tr in table.iter() if tr.tag == "tr" and tr.parent.tag == "tbody"]
    assert len(body_rows) == 7
    days = [next(c for c in tr.children if getattr(c, "tag", None) == "th").text() for tr in body_rows]
    assert days == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    cells = [[c for c in tr.children if getattr(c, "tag", None) == "td"] for tr in body_rows]
    assert all(len(row) == 24 for row in cells)
    timing = buyer_timing(services.db, services.clock, seller_a.seller_id, lucia.id)
    for d, row in enumerate(cells):
        for h, cell in enumerate(row):
            classes = cell.attrs["class"].split()
            assert f"heat-{round(timing.heatmap[d][h] * 10)}" in classes
            assert cell.attrs["title"].startswith(f"{days[d]} {h:02d}:00–{(h + 1) % 24:02d}:00: ")
            assert "of this buyer's peak activity" in cell.attrs["title"]
            # The seller's quiet hours (21:30–08:30 buyer-local): whole hours hatched, edges partly.
            quiet = "heat-quiet" in classes
            partly = "heat-partly" in classes
            assert quiet == (h >= 22 or h < 8), (d, h)
            assert partly == (h in (8, 21)), (d, h)
            assert ("quiet hours" in cell.attrs["title"]) == (quiet or partly)
    peak = max(max(r) for r in timing.heatmap)
    assert peak == 1.0
    nxt = [(d, h) for d, row in enumerate(cells) for h, c in enumerate(row)
           if "heat-next" in c.attrs["class"]]
    assert nxt == [(timing.next_buyer_local.weekday(), timing.next_buyer_local.hour)]


def test_source_line_and_next_good_moment(panel_a, services, seller_a, shop_a):
    lucia = shop_a["lucia"]
    timing = buyer_timing(services.db, services.clock, seller_a.seller_id, lucia.id)
    page = Page(panel_a.get(f"/buyers/{lucia.id}").data)
    assert page.text("timing-source").startswith("Learned from 4 activity events of this buyer; most active")
    assert page.text("next-moment-line") == (
        f"{when(timing.next_utc, 'Europe/Madrid')} in Madrid "
        f"({when(timing.next_utc, SELLER_TZ)} your time)")
    why = page.text("next-moment-why")
    assert "Lucía García is most active on Monday in the evening" in why and "score" not in why
    assert "in 10 hours" in page.text("next-moment")


def test_a_buyer_without_activity_gets_the_country_default(panel_a, shop_a):
    page = Page(panel_a.get(f"/buyers/{shop_a['jean'].id}").data)
    assert page.text("timing-source").startswith("Country default for France:")
    assert " in Paris (" in page.text("next-moment-line")


# --------------------------------------------------------------------------- buyer page: write

def test_the_form_defaults_to_a_conversation_at_the_best_moment(panel_a, shop_a):
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data)
    assert page.attr("write-form", "action") == f"/buyers/{shop_a['lucia'].id}/messages#write"
    assert "checked" in page.find("kind-conversation").attrs
    assert "checked" in page.find("when-best").attrs
    assert "checked" not in page.find("when-local").attrs
    nonce = [i.attrs["value"] for i in page.all("input", name="nonce")]
    assert len(nonce) == 1 and len(nonce[0]) >= 16
    again = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data)
    assert again.all("input", name="nonce")[0].attrs["value"] != nonce[0]
    assert "No messages yet" in page.text("buyer-messages")
    assert "Europe/Madrid" in page.text("f-when")


def test_write_at_the_best_moment_and_see_both_times(panel_a, services, seller_a, shop_a):
    lucia = shop_a["lucia"]
    timing = buyer_timing(services.db, services.clock, seller_a.seller_id, lucia.id)
    r = write(panel_a, lucia.id)
    assert r.status_code == 302
    location = urlsplit(r.headers["Location"])
    assert location.path == f"/buyers/{lucia.id}" and location.fragment == "write"
    [msg] = service.list_messages(services.db, seller_a.seller_id)[0]
    assert parse_qs(location.query) == {"scheduled": [str(msg.id)]}
    assert (msg.buyer_id, msg.subject, msg.body, msg.kind, msg.status) == (
        lucia.id, "Your scarf", "It ships tomorrow.", "conversation", "scheduled")
    assert msg.scheduled_at == timing.next_utc
    page = Page(panel_a.get(r.headers["Location"]).data)
    assert "Message scheduled." in page.text()
    confirmation = page.text("write-confirmation")
    assert "“Your scarf” is scheduled for" in confirmation
    assert page.text("confirm-when") == (f"{when(msg.scheduled_at, 'Europe/Madrid')} in Madrid "
                                         f"({when(msg.scheduled_at, SELLER_TZ)} your time)")
    assert "It goes at the first hour within your 24-hour reply deadline" in confirmation
    assert page.attr("confirm-outbox-link", "href") == f"/outbox?buyer={lucia.id}"
    [row] = page.rows("buyer-messages-table")
    assert row == ["Your scarf Conversation", "Scheduled",
                   f"{when(msg.scheduled_at, 'Europe/Madrid')} "
                   f"({when(msg.scheduled_at, SELLER_TZ)} your time)"]


def test_write_at_the_buyers_local_time(panel_a, services, seller_a, shop_a):
    lucia = shop_a["lucia"]
    r = write(panel_a, lucia.id, when="local", local="2026-03-12T09:00", kind="marketing")
    assert r.status_code == 302
    [msg] = service.list_messages(services.db, seller_a.seller_id)[0]
    assert msg.kind == "marketing"
    assert msg.scheduled_at == datetime(2026, 3, 12, 8, 0, tzinfo=timezone.utc)  # CET, UTC+1
    page = Page(panel_a.get(r.headers["Location"]).data)
    assert page.text("confirm-when") == "Thu, Mar 12 09:00 in Madrid (Thu, Mar 12 16:00 your time)"
    assert "You chose Thu, Mar 12 09:00 in Madrid." in page.text("write-confirmation")


def test_the_confirmation_only_shows_this_buyers_own_message(panel_a, services, seller_a, shop_a):
    jeans = schedule(services, seller_a.seller_id, shop_a["jean"].id)
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}?scheduled={jeans.id}").data)
    assert page.find("write-confirmation") is None


@pytest.mark.parametrize("fields,errors", [
    ({"subject": "", "body": ""}, {"subject": "Write a subject.", "body": "Write the message."}),
    ({"subject": "Line one\r\nline two"}, {"subject": "The subject must be one line."}),
    ({"subject": "x" * 301}, {"subject": "Keep the subject to 300 characters or fewer."}),
    ({"when": "local", "local": ""}, {"local": "Choose the date and time, in the buyer's time zone."}),
    ({"when": "local", "local": "next tuesday"}, {"local": BAD_TIME}),
    ({"when": "local", "local": "2026-03-12T25:00"}, {"local": BAD_TIME}),
    ({"when": "local", "local": "2026-03-09T09:00"},
     {"local": "That moment has already passed in the buyer's time zone."}),
    ({"kind": "transactional", "subject": ""}, {"kind": "Choose one of the listed kinds.",
                                                "subject": "Write a subject."}),
    ({"when": "soon"}, {"when": "Choose when the message should go out."}),
])
def test_bad_input_shows_field_errors_and_schedules_nothing(panel_a, services, shop_a, fields, errors):
    r = write(panel_a, shop_a["lucia"].id, **fields)
    assert r.status_code == 422
    page = Page(r.data)
    assert "The message was not scheduled." in page.text("write-errors")
    shown = {key: page.text(f"e-{key}") for key in ("subject", "body", "kind", "when", "local")
             if page.find(f"e-{key}") is not None}
    assert shown == errors
    for key in errors:
        target = {"kind": "f-kind", "when": "f-when"}.get(key, f"f-{key}")
        assert page.attr(target, "aria-invalid") == "true"
    assert count(services) == 0
    # What was typed is kept, and the same nonce, so fixing and resubmitting creates one message.
    assert page.all("input", name="nonce")[0].attrs["value"] == NONCE
    if fields.get("subject"):
        assert page.attr("f-subject", "value") == fields["subject"]
    if fields.get("when") == "local":
        assert "checked" in page.find("when-local").attrs
    # The rest of the buyer page is still there, under the Buyers nav entry.
    assert "Lucía García" in page.text("buyer-name") and page.find("heatmap") is not None


def test_fixing_the_errors_then_submitting_schedules_once(panel_a, services, seller_a, shop_a):
    assert write(panel_a, shop_a["lucia"].id, subject="").status_code == 422
    assert write(panel_a, shop_a["lucia"].id).status_code == 302
    assert count(services) == 1


def test_an_expired_or_missing_nonce_is_a_general_error(panel_a, services, shop_a):
    r = write(panel_a, shop_a["lucia"].id, nonce="")
    assert r.status_code == 422
    assert "This form has expired." in Page(r.data).text("write-errors")
    assert count(services) == 0


def test_double_submit_with_the_same_nonce_creates_one_message(panel_a, services, seller_a, shop_a):
    lucia = shop_a["lucia"].id
    first = write(panel_a, lucia)
    second = write(panel_a, lucia)
    assert first.status_code == second.status_code == 302
    assert count(services) == 1
    assert first.headers["Location"] == second.headers["Location"]
    page = Page(panel_a.get(second.headers["Location"]).data)
    assert "This message was already scheduled; it was not added twice." in page.text()
    # A new form (new nonce) is a new message.
    assert write(panel_a, lucia, nonce="another-nonce-5678abcd").status_code == 302
    assert count(services) == 2


def test_the_same_nonce_for_another_buyer_is_another_message(panel_a, services, shop_a):
    assert write(panel_a, shop_a["lucia"].id).status_code == 302
    assert write(panel_a, shop_a["jean"].id).status_code == 302
    assert count(services) == 2


@pytest.mark.parametrize("fields", [{}, {"subject": ""}])
def test_writing_to_another_sellers_buyer_is_404(panel_b, services, shop_a, fields):
    """Not a 422 with field errors either: that would confirm the buyer exists."""
    r = write(panel_b, shop_a["lucia"].id, **fields)
    assert r.status_code == 404
    assert "Lucía" not in r.data.decode()
    assert count(services) == 0


def test_consent_warning_for_marketing(panel_a, services, seller_a, shop_a):
    from crossborder_crm.buyers import service as buyers

    jean = shop_a["jean"]
    assert Page(panel_a.get(f"/buyers/{jean.id}").data).find("consent-warning") is None
    buyers.update_buyer(services.db, services.clock, seller_a.seller_id, jean.id,
                        {"consent": {"status": "withdrawn", "source": "panel"}})
    page = Page(panel_a.get(f"/buyers/{jean.id}").data)
    assert "will not be sent" in page.text("consent-warning")


def test_buyer_page_lists_recent_messages_with_a_link_to_the_outbox(panel_a, mixed, shop_a):
    page = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}").data)
    rows = page.rows("buyer-messages-table")
    assert [r[1] for r in rows] == ["Cancelled", "Suppressed", "Failed", "Sent", "Scheduled"]
    assert rows[3][2] == "Mon, Mar 9 20:05 (Tue, Mar 10 03:05 your time)"  # sent 19:05 UTC
    assert page.attr("buyer-outbox-link", "href") == f"/outbox?buyer={shop_a['lucia'].id}"


# --------------------------------------------------------------------------- Simplified Chinese

def test_outbox_and_buyer_page_in_chinese(panel_a, mixed, shop_a):
    zh = {"Accept-Language": "zh-CN"}
    page = Page(panel_a.get("/outbox", headers=zh).data)
    assert "发件箱" in page.text()
    assert "已安排" in page.text("status-tabs")
    assert "买家时间" in page.text("outbox-table") and "实际发送时间" in page.text("outbox-table")
    buyer = Page(panel_a.get(f"/buyers/{shop_a['lucia'].id}", headers=zh).data)
    assert "下一个合适的联系时间" in buyer.text("next-moment")
    assert "马德里" in buyer.text("next-moment-line") and "您的时间" in buyer.text("next-moment-line")
    assert re.search(r"根据该买家的 4 次活动", buyer.text("timing-source"))
    days = [n.text() for n in buyer.all("th", **{"class": "heat-day"})]
    assert days == ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]
    assert "安排发送" in buyer.text("write-form")


def test_field_errors_in_chinese(panel_a, shop_a):
    r = panel_a.post(f"/buyers/{shop_a['lucia'].id}/messages", headers={"Accept-Language": "zh-CN"},
                     data={"subject": "", "body": "x", "kind": "conversation", "when": "best",
                           "local": "", "nonce": NONCE})
    assert r.status_code == 422
    page = Page(r.data)
    assert page.text("e-subject") == "请填写主题。"
