"""Far-future rows stay displayable, and the panel refuses the hostile input that made them (issue 18)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select, update

from crossborder_crm.buyers import service as buyers
from crossborder_crm.buyers.models import Activity, Buyer
from crossborder_crm.outbox import service
from crossborder_crm.outbox.models import Message
from tests.panel.html import Page

FAR = datetime(9999, 12, 31, 20, 0, tzinfo=timezone.utc)  # past year 9999 in Shanghai (UTC+8)
HUGE = 2**63      # past any 64-bit integer: SQLite cannot bind it
PAST_INT4 = 2**31  # ids are INTEGER columns: PostgreSQL cannot bind this one
NONCE = "n0nce-for-the-test-1234"


@pytest.fixture
def wang(services, seller_a):
    """A buyer in Shanghai, as is the seller: UTC+8 for both."""
    # With an address: a message to a buyer without one is refused before its send time is looked at.
    return buyers.create_buyer(services.db, services.clock, seller_a.seller_id,
                               {"name": "王芳", "country": "CN", "email": "wang.fang@example.cn"})


def far_message(services, seller_id: int, buyer_id: int) -> int:
    """A message stored with a send time in year 9999, as the API accepted before it was bounded."""
    msg = service.schedule_message(services.db, services.clock, seller_id,
                                   {"buyer_id": buyer_id, "subject": "Hi", "body": "x"},
                                   mail_domain="crm.localhost").message
    with services.db.transaction() as s:
        s.execute(update(Message).where(Message.id == msg.id).values(scheduled_at=FAR, due_at=FAR))
    return msg.id


def messages(services) -> int:
    with services.db.reading() as s:
        return s.scalar(select(func.count(Message.id)))


def write(client, buyer_id: int, local: str):
    return client.post(f"/buyers/{buyer_id}/messages", data={
        "subject": "Your scarf", "body": "It ships tomorrow.", "kind": "conversation", "when": "local",
        "local": local, "nonce": NONCE})


# ---------------------------------------------------------------------------------- stored rows

def test_the_outbox_shows_a_far_future_message_in_utc_and_the_seller_can_cancel_it(panel_a, services,
                                                                                  seller_a, wang):
    message_id = far_message(services, seller_a.seller_id, wang.id)
    r = panel_a.get("/outbox")
    assert r.status_code == 200
    assert "Dec 31 20:00 UTC" in Page(r.data).text()
    assert panel_a.post(f"/outbox/{message_id}/cancel").status_code == 302
    assert panel_a.get("/outbox?status=cancelled").status_code == 200


def test_the_buyer_page_shows_a_far_future_message(panel_a, services, seller_a, wang):
    far_message(services, seller_a.seller_id, wang.id)
    r = panel_a.get(f"/buyers/{wang.id}")
    assert r.status_code == 200
    assert "Dec 31 20:00 UTC" in Page(r.data).text("buyer-messages")


def test_the_buyer_page_shows_activity_stored_in_year_9999(panel_a, services, seller_a, wang):
    with services.db.transaction() as s:
        s.add(Activity(seller_id=seller_a.seller_id, buyer_id=wang.id, kind="visit", occurred_at=FAR,
                       source="api", created_at=services.clock.now()))
    assert panel_a.get(f"/buyers/{wang.id}").status_code == 200


def test_the_buyer_list_shows_a_last_order_stored_in_year_9999(panel_a, services, wang):
    with services.db.transaction() as s:
        s.execute(update(Buyer).where(Buyer.id == wang.id).values(last_order_at=FAR, order_count=1))
    r = panel_a.get("/buyers")
    assert r.status_code == 200
    assert "Dec 31, 9999 UTC" in Page(r.data).text("buyers-table")


# ---------------------------------------------------------------------------------- the write form

@pytest.mark.parametrize("local", ["9999-12-31T23:59", "2027-06-01T09:00"])
def test_a_send_time_past_the_horizon_is_shown_next_to_the_time_and_schedules_nothing(panel_a, services,
                                                                                      wang, local):
    r = write(panel_a, wang.id, local)
    assert r.status_code == 422
    assert Page(r.data).text("e-local") == "Choose a moment within the next 366 days."
    assert messages(services) == 0


# ---------------------------------------------------------------------------------- query values and ids

@pytest.mark.parametrize("path", ["/buyers?limit=%C2%B2", "/buyers?limit=%D9%A3", "/outbox?limit=%C2%B2",
                                  "/outbox?limit=1_0"])
def test_a_page_size_not_in_ascii_digits_is_a_422_saying_so(panel_a, wang, path):
    r = panel_a.get(path)
    assert r.status_code == 422
    assert "Choose a page size from 1 to 100." in Page(r.data).text()


@pytest.mark.parametrize("value", ["%C2%B2", "1_0", "-3", str(HUGE)])
def test_an_outbox_cursor_that_is_not_an_id_is_a_422_naming_it(panel_a, value):
    r = panel_a.get(f"/outbox?cursor={value}")
    assert r.status_code == 422
    assert Page(r.data).text("e-cursor") == "This page link is not valid; start again from the first page."


@pytest.mark.parametrize("path", [
    "/outbox?buyer=%C2%B2", f"/outbox?buyer={HUGE}", f"/outbox?buyer={PAST_INT4}",
    f"/buyers/{HUGE}", f"/buyers/{PAST_INT4}", f"/buyers/{HUGE}/edit",
])
def test_a_buyer_id_that_names_no_row_is_a_404(panel_a, path):
    assert panel_a.get(path).status_code == 404


@pytest.mark.parametrize("path", [f"/buyers/{HUGE}/messages", f"/outbox/{HUGE}/cancel", f"/outbox/{HUGE}/retry",
                                  f"/outbox/{PAST_INT4}/cancel"])
def test_an_action_on_an_id_that_names_no_row_is_a_404(panel_a, path):
    assert panel_a.post(path, data={"nonce": NONCE}).status_code == 404


def test_a_confirmation_id_in_other_digits_is_ignored(panel_a, wang):
    r = panel_a.get(f"/buyers/{wang.id}?scheduled=%C2%B2")
    assert r.status_code == 200 and Page(r.data).find("write-confirmation") is None


# ---------------------------------------------------------------------------------- the edit form

def test_more_than_fifty_tags_in_the_edit_form_are_shown_next_to_tags(panel_a, services, seller_a, wang):
    r = panel_a.post(f"/buyers/{wang.id}/edit", data={
        "name": "王芳", "country": "CN", "tags": ", ".join(f"tag-{i}" for i in range(51)),
        "consent_status": "unknown", "consent_status_was": "unknown"})
    assert r.status_code == 422
    assert Page(r.data).text("e-tags")
    assert buyers.get_buyer(services.db, seller_a.seller_id, wang.id).tags == []
