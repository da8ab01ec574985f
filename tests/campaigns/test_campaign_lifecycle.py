"""Pause, resume and cancel act on what has not gone out; the command line launches with progress."""
from __future__ import annotations

from datetime import timedelta

from crossborder_crm.timing.localtime import to_local
from tests.campaigns.campaign_helpers import add_buyer, create, launch, messages


def _launched(api, names=("Amy", "Ben")) -> int:
    for name in names:
        add_buyer(api, name, "US")
    made = create(api)
    launch(api, made["id"])
    return made["id"]


def test_pause_holds_every_unsent_email(api_a, services):
    cid = _launched(api_a)
    r = api_a.post(f"/campaigns/{cid}/pause")
    assert r.status_code == 200 and r.get_json()["held"] == 2
    assert {m.status for m in messages(services, cid)} == {"paused"}
    assert r.get_json()["campaign"]["status"] == "paused"


def test_resume_releases_the_held_emails_at_their_planned_time(api_a, services):
    cid = _launched(api_a)
    before = [m.scheduled_at for m in messages(services, cid)]
    api_a.post(f"/campaigns/{cid}/pause")
    assert api_a.post(f"/campaigns/{cid}/resume").get_json()["released"] == 2
    after = messages(services, cid)
    assert {m.status for m in after} == {"scheduled"} and [m.scheduled_at for m in after] == before


def test_resume_moves_an_email_whose_time_passed_to_the_buyers_next_good_hour(api_a, services):
    cid = _launched(api_a, ("Amy",))
    api_a.post(f"/campaigns/{cid}/pause")
    services.clock.set(messages(services, cid)[0].scheduled_at + timedelta(hours=2))
    api_a.post(f"/campaigns/{cid}/resume")
    (msg,) = messages(services, cid)
    assert msg.scheduled_at > services.clock.now() and msg.due_at == msg.scheduled_at
    assert 8 <= to_local(msg.scheduled_at, "America/New_York").hour < 21
    assert msg.explanation.startswith("resumed after a pause")


def test_cancel_cancels_every_unsent_email_and_a_relaunch_is_refused(api_a, services):
    cid = _launched(api_a)
    assert api_a.post(f"/campaigns/{cid}/cancel").get_json()["cancelled"] == 2
    assert {m.status for m in messages(services, cid)} == {"cancelled"}
    assert api_a.post(f"/campaigns/{cid}/launch").status_code == 409


def test_a_draft_cannot_be_paused(api_a):
    made = create(api_a)
    assert api_a.post(f"/campaigns/{made['id']}/pause").status_code == 409


def test_the_list_shows_the_status_and_what_was_planned(api_a):
    cid = _launched(api_a)
    create(api_a, name="Later")
    items = api_a.get("/campaigns").get_json()["items"]
    assert [(c["name"], c["status"]) for c in items] == [("Later", "draft"), ("Spring", "launched")]
    assert items[1]["last_plan"]["planned"] == 2 and items[1]["id"] == cid
    assert [c["name"] for c in api_a.get("/campaigns?status=draft").get_json()["items"]] == ["Later"]
    assert api_a.get("/campaigns?status=sleeping").status_code == 422


def test_the_email_preview_is_the_buyers_email_in_the_campaign_frame(api_a):
    hans = add_buyer(api_a, "Hans", "DE", language="de-DE")
    made = create(api_a, content={"language": "en", "versions": {
        "en": {"subject": "Hello {name}", "body": "News"}, "de": {"subject": "Hallo {name}", "body": "Neues"}}})
    r = api_a.get(f"/campaigns/{made['id']}/email?buyer_id={hans}")
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["subject"] == "Hallo Hans" and "Neues" in body["text"]
    assert "Diese E-Mails abbestellen" in body["text"] and 'lang="de-DE"' in body["html"]
    assert api_a.get(f"/campaigns/{made['id']}/email").status_code == 422


def test_the_launch_command_shows_progress_and_what_was_planned(app, api_a, seller_a):
    add_buyer(api_a, "Amy", "US")
    add_buyer(api_a, "Hans", "DE", consent=None)
    made = create(api_a)
    r = app.test_cli_runner().invoke(
        args=["crm", "campaigns", "launch", str(made["id"]), "--seller-id", str(seller_a.seller_id)])
    assert r.exit_code == 0, r.output
    assert "1 recipients of 2 matched" in r.stdout and "no_consent: 1" in r.stdout
    assert "planning" in r.stderr
