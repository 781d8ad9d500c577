"""Kiosk video calls: phone hours, the queue, answering, signalling between the two ends, call-backs
through the outbox, booking on the call, the kiosk reset, the sweep job and the dashboard."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time

import pytest
import time_machine

from app.extensions import db
from app.kiosk import call_signalling, kiosk_calls
from app.kiosk import kiosk as kiosks
from app.messaging.dispatch import dispatch_due
from app.models import Appointment, AuditEvent, KioskCall, KioskCallSignal, Message
from app.timeutil import local_to_utc
from tests.booking_helpers import NOW, World
from tests.factories import PASSWORD, CustomerFactory, HubFactory, UserFactory
from tests.pages import csrf_token, set_up_kiosk

TUESDAY_9AM = NOW  # 1 December 2026, 9am in the UK (GMT)
SDP = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"


def _kiosk(app, hub, name="Reception kiosk"):
    browser = app.test_client()
    _device, token = kiosks.register(hub, name)
    db.session.commit()
    assert set_up_kiosk(browser, token).status_code == 302
    return browser


def _agent(app, name="Sam Adviser"):
    browser = app.test_client()
    user = UserFactory(role="agent", full_name=name)
    db.session.commit()
    page = browser.get("/sign-in").get_data(as_text=True)
    signed_in = browser.post(
        "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page)}
    )
    assert signed_in.status_code == 302
    browser.user = user
    return browser


def _post(browser, url, data, page_url=None):
    page = browser.get(page_url or url).get_data(as_text=True)
    return browser.post(url, data={**data, "csrf_token": csrf_token(page)})


def _start_call(browser, mode="video", from_page="/kiosk/"):
    """Press "Talk to someone" on a kiosk page, then start the call from the notice."""
    page = browser.get(from_page).get_data(as_text=True)
    href = re.search(r'href="(/kiosk/call/\?step=[^"]+)"[^>]*>Talk to someone<', page).group(1)
    notice = browser.get(href.replace("&amp;", "&")).get_data(as_text=True)
    assert "The call is not recorded." in notice
    step = re.search(r'name="step" value="([^"]*)"', notice).group(1)
    response = browser.post(
        "/kiosk/call/", data={"csrf_token": csrf_token(notice), "step": step, "mode": mode}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.get(KioskCall, int(response.headers["Location"].rsplit("/", 1)[1]))


def _news(browser, url, after=0):
    response = browser.get(url, query_string={"after": after})
    assert response.status_code == 200
    return response.get_json()


def _kiosk_news(browser, call, after=0):
    return _news(browser, f"/kiosk/call/{call.id}/news", after)


def _agent_news(browser, call, after=0):
    return _news(browser, f"/agent/kiosk-calls/{call.id}/news", after)


def _send(browser, url, kind, data, csrf_page):
    token = csrf_token(browser.get(csrf_page).get_data(as_text=True))
    return browser.post(url, json={"kind": kind, "data": data}, headers={"X-CSRFToken": token})


def _kiosk_send(browser, call, kind, data):
    return _send(browser, f"/kiosk/call/{call.id}/signal", kind, data, f"/kiosk/call/{call.id}")


def _agent_send(browser, call, kind, data):
    return _send(browser, f"/agent/kiosk-calls/{call.id}/signal", kind, data, f"/agent/kiosk-calls/{call.id}")


def _set_available(agent, available=True):
    response = _post(
        agent,
        "/agent/kiosk-calls/availability",
        {"available": "yes" if available else "no"},
        "/agent/kiosk-calls/",
    )
    assert response.status_code == 302


def _answer(agent, call):
    return _post(agent, f"/agent/kiosk-calls/{call.id}/answer", {}, "/agent/kiosk-calls/")


# Phone hours ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "label"),
    [
        (TUESDAY_9AM, "Talk to someone<"),
        (local_to_utc(NOW.date(), clock_time(8, 29)), "from 8:30am today"),
        (local_to_utc(NOW.date(), clock_time(17, 30)), "from 8:30am tomorrow"),
        (datetime(2026, 12, 5, 11, 0, tzinfo=UTC), "from 8:30am on Monday 7 December 2026"),  # Saturday
        # Christmas Eve evening: Christmas, the weekend and the Boxing Day bank holiday (moved to Monday).
        (datetime(2026, 12, 24, 18, 0, tzinfo=UTC), "from 8:30am on Tuesday 29 December 2026"),
    ],
)
def test_the_button_says_when_someone_will_be_there(app, moment, label):
    world = World()
    with time_machine.travel(moment, tick=False):
        kiosk = _kiosk(app, world.hub)
        page = kiosk.get("/kiosk/").get_data(as_text=True)
        assert f"Talk to someone {label}" in page if label.startswith("from") else label in page
        if label.startswith("from"):  # and nobody can be queued for: the page offers a call back
            notice = kiosk.get("/kiosk/call/?step=kiosk.start").get_data(as_text=True)
            assert f"Someone will be there from <strong>{label[5:]}</strong>" in notice
            assert "Start a video call" not in notice and "Call me back" in notice
            refused = kiosk.post(
                "/kiosk/call/",
                data={"csrf_token": csrf_token(notice), "step": "kiosk.start", "mode": "video"},
            )
            assert refused.status_code == 302 and db.session.query(KioskCall).count() == 0


@pytest.mark.parametrize(
    ("moment", "polish", "nepali"),
    [
        (local_to_utc(NOW.date(), clock_time(8, 29)), "doradcą: dzisiaj od 8:30", "आज 8:30 देखि"),
        (local_to_utc(NOW.date(), clock_time(17, 30)), "doradcą: jutro od 8:30", "भोलि 8:30 देखि"),
        (
            datetime(2026, 12, 5, 11, 0, tzinfo=UTC),  # Saturday
            "doradcą: poniedziałek, 7 grudnia 2026, od 8:30",
            "सोमबार, 7 डिसेम्बर 2026 8:30 देखि",
        ),
    ],
)
def test_the_button_says_when_someone_will_be_there_in_the_kiosks_language(app, moment, polish, nepali):
    """It read "8:30am today" in English inside the Polish and Nepali sentences. Polish says the day
    as a heading would, after a colon: "od" before it would need the day declined ("od poniedziałku"),
    and "w dniu poniedziałek" was a slip."""
    world = World()
    with time_machine.travel(moment, tick=False):
        kiosk = _kiosk(app, world.hub)
        for locale, words in (("pl", polish), ("ne", nepali)):
            kiosk.get(f"/language/{locale}")
            page = kiosk.get("/kiosk/").get_data(as_text=True)
            notice = kiosk.get("/kiosk/call/?step=kiosk.start").get_data(as_text=True)
            assert words in page and words.split(" ", 1)[1] in notice.replace("<strong>", "").replace(
                "</strong>", ""
            )
            assert not re.search(r"8:30am|today|tomorrow|Monday", page + notice)


# The queue -----------------------------------------------------------------------------------------


@time_machine.travel(TUESDAY_9AM, tick=False)
def test_residents_queue_in_order_and_one_agent_answers_each_call(app):
    world = World()
    other_hub = HubFactory(name="Melksham hub", area=world.area)
    first, second = _kiosk(app, world.hub), _kiosk(app, other_hub, "Library kiosk")
    _post(first, "/book/service", {"service": world.service.code})
    _post(first, "/book/where", {"location_type": "hub"})
    _post(first, "/book/postcode", {"postcode": "SN10 1AA"})
    _post(first, "/book/hub", {"hub": world.hub.code})
    first_call = _start_call(first, from_page="/book/time")
    second_call = _start_call(second, mode="voice")

    assert "All our advisers are busy. You are number 1 in the queue." in first.get(
        f"/kiosk/call/{first_call.id}"
    ).get_data(as_text=True)
    assert _kiosk_news(second, second_call)["position"] == 2
    sam, alex = _agent(app, "Sam Adviser"), _agent(app, "Alex Adviser")
    _set_available(sam)
    assert _kiosk_news(first, first_call)["agents_free"] == 1
    console = sam.get("/agent/kiosk-calls/").get_data(as_text=True)
    assert f"Choosing a time ({world.service.name})" in console  # the step the resident had reached
    assert (
        console.index(world.hub.name) < console.index("Melksham hub") and "Voice only, no camera" in console
    )

    answered = _answer(sam, first_call)
    assert answered.headers["Location"] == f"/agent/kiosk-calls/{first_call.id}"
    kiosk_view = _kiosk_news(first, first_call)
    assert kiosk_view["status"] == "connected" and kiosk_view["agent"] == "Sam"
    assert _kiosk_news(second, second_call)["position"] == 1  # moved up
    assert _kiosk_news(second, second_call)["agents_free"] == 0  # Sam is on a call

    # Alex presses Answer on the call Sam has just taken: it stays Sam's.
    late = _answer(alex, first_call)
    assert late.headers["Location"] == "/agent/kiosk-calls/"
    assert "Another agent answered that call" in alex.get("/agent/kiosk-calls/").get_data(as_text=True)
    db.session.refresh(first_call)
    assert first_call.agent_id == sam.user.id
    assert alex.get(f"/agent/kiosk-calls/{first_call.id}/news").status_code == 404  # not Alex's call
    # Sam cannot take a second call while on one.
    assert _answer(sam, second_call).headers["Location"] == "/agent/kiosk-calls/"
    db.session.refresh(second_call)
    assert second_call.status == "waiting"


@time_machine.travel(TUESDAY_9AM, tick=False)
def test_the_queue_updates_the_agents_console(app):
    world = World()
    kiosk = _kiosk(app, world.hub)
    sam = _agent(app)
    empty = sam.get("/agent/kiosk-calls/queue").get_json()
    assert empty["waiting"] == 0 and "Nobody is waiting" in empty["html"]
    unchanged = sam.get("/agent/kiosk-calls/queue", query_string={"token": empty["token"]}).get_json()
    assert unchanged["token"] == empty["token"]
    _start_call(kiosk)
    arrived = sam.get("/agent/kiosk-calls/queue", query_string={"token": empty["token"]}).get_json()
    assert arrived["token"] != empty["token"] and arrived["waiting"] == 1
    assert arrived["hubs"] == [world.hub.name] and "Answer" in arrived["html"]


def test_an_available_agent_whose_console_closed_is_not_free(app):
    world = World()
    with time_machine.travel(TUESDAY_9AM, tick=False) as clock:
        kiosk = _kiosk(app, world.hub)
        sam = _agent(app)
        _set_available(sam)
        call = _start_call(kiosk)
        assert _kiosk_news(kiosk, call)["agents_free"] == 1
        clock.shift(timedelta(minutes=2))  # Sam's console has not asked for the queue since
        assert _kiosk_news(kiosk, call)["agents_free"] == 0
        sam.get("/agent/kiosk-calls/queue")
        assert _kiosk_news(kiosk, call)["agents_free"] == 1


# Signalling between the two ends -------------------------------------------------------------------


@time_machine.travel(TUESDAY_9AM, tick=False)
def test_offers_answers_candidates_and_chat_pass_between_the_ends_in_order(app):
    world = World()
    kiosk, stranger = _kiosk(app, world.hub), _kiosk(app, world.hub, "Second kiosk")
    call = _start_call(kiosk)
    assert _kiosk_send(kiosk, call, "offer", {"sdp": SDP, "gen": 1}).status_code == 409  # nobody answered yet
    assert _kiosk_send(kiosk, call, "media", {"mode": "voice"}).status_code == 201  # no camera after all
    sam = _agent(app)
    _answer(sam, call)
    assert "Voice only, no camera" in sam.get(f"/agent/kiosk-calls/{call.id}").get_data(as_text=True)
    assert _agent_send(sam, call, "ready", {}).status_code == 201
    assert [s["kind"] for s in _kiosk_news(kiosk, call)["signals"]] == ["ready"]

    assert _kiosk_send(kiosk, call, "offer", {"sdp": SDP, "gen": 1}).status_code == 201
    candidate = {
        "candidate": "candidate:1 1 udp 2122 192.0.2.2 45516 typ host",
        "sdpMid": "0",
        "sdpMLineIndex": 0,
    }
    assert _kiosk_send(kiosk, call, "candidate", {**candidate, "gen": 1}).status_code == 201
    news = _agent_news(sam, call)
    assert [(s["kind"], s["data"].get("gen")) for s in news["signals"]] == [
        ("media", None),
        ("offer", 1),
        ("candidate", 1),
    ]
    assert news["signals"][2]["data"]["candidate"] == candidate["candidate"]
    assert _agent_news(sam, call, after=news["after"])["signals"] == []

    assert _agent_send(sam, call, "answer", {"sdp": SDP, "gen": 1}).status_code == 201
    assert _agent_send(sam, call, "chat", {"text": "  Hello,   how can I help?  "}).status_code == 201
    kiosk_news = _kiosk_news(kiosk, call)
    assert [s["kind"] for s in kiosk_news["signals"]] == ["ready", "answer", "chat"]
    assert kiosk_news["signals"][-1]["data"] == {"text": "Hello, how can I help?"}

    # The other kiosk at the hub, and the next person on this one, cannot read or write this call.
    assert stranger.get(f"/kiosk/call/{call.id}/news").status_code == 404
    assert (
        _send(stranger, f"/kiosk/call/{call.id}/signal", "chat", {"text": "hi"}, "/kiosk/").status_code == 404
    )


@time_machine.travel(TUESDAY_9AM, tick=False)
def test_bad_signals_get_json_errors_naming_the_field(app):
    world = World()
    kiosk = _kiosk(app, world.hub)
    call = _start_call(kiosk)
    sam = _agent(app)
    _answer(sam, call)
    cases = [
        ("answer", {"sdp": SDP}, "kind"),  # the kiosk makes offers, never answers
        ("offer", {"sdp": ""}, "sdp"),
        ("offer", {"sdp": "x" * 20_001}, "sdp"),
        ("offer", {"sdp": SDP, "gen": -1}, "gen"),
        ("offer", {"sdp": SDP, "gen": True}, "gen"),
        ("candidate", {"candidate": "c", "sdpMLineIndex": "zero"}, "sdpMLineIndex"),
        ("chat", {"text": "x" * 501}, "text"),
        ("chat", {"text": 42}, "text"),
        ("media", {"mode": "hologram"}, "mode"),
        ("chat", "hello", "data"),
    ]
    for kind, data, field in cases:
        response = _kiosk_send(kiosk, call, kind, data)
        assert response.status_code == 422 and field in response.get_json()["errors"], (kind, data)
    token = csrf_token(kiosk.get(f"/kiosk/call/{call.id}").get_data(as_text=True))
    not_json = kiosk.post(
        f"/kiosk/call/{call.id}/signal",
        data="{",
        headers={"X-CSRFToken": token, "Content-Type": "application/json"},
    )
    assert not_json.status_code == 422 and "body" in not_json.get_json()["errors"]
    assert (
        kiosk.post(f"/kiosk/call/{call.id}/signal", json={"kind": "chat", "data": {"text": "hi"}}).status_code
        == 400
    )
    assert db.session.query(KioskCallSignal).count() == 0  # nothing half-written


# Booking on the call, the ticket, and the reset -------------------------------------------------------


@time_machine.travel(TUESDAY_9AM, tick=False)
def test_the_agent_books_on_the_call_and_the_kiosk_prints_the_ticket_then_forgets(app):
    world = World()
    kiosk = _kiosk(app, world.hub)
    call = _start_call(kiosk)
    sam = _agent(app)
    _answer(sam, call)
    _kiosk_send(kiosk, call, "media", {"mode": "video"})
    _agent_send(sam, call, "chat", {"text": "Your reference will show on screen"})
    resident = CustomerFactory(name="Kim Kiosk", lat=51.355, lng=-1.99, postcode="SN10 1AA")
    db.session.commit()
    url = f"/agent/customers/{resident.id}/book?service={world.service.code}&place=home"
    page = sam.get(url).get_data(as_text=True)
    assert f"You are on a kiosk call from {world.hub.name}" in page
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', page).group(1)
    booked = sam.post(url, data={"csrf_token": csrf_token(page), "slot": slot, "preferred_channel": "none"})
    assert booked.status_code == 302
    appointment = db.session.query(Appointment).one()
    assert appointment.channel == "kiosk" and appointment.booked_by_id == sam.user.id
    reference = f"{appointment.reference[:4]}-{appointment.reference[4:]}"
    assert _kiosk_news(kiosk, call)["booked"] == reference

    ended = _post(sam, f"/agent/kiosk-calls/{call.id}/end", {}, f"/agent/kiosk-calls/{call.id}")
    assert ended.headers["Location"] == "/agent/kiosk-calls/"
    news = _kiosk_news(kiosk, call)
    assert news["status"] == "ended" and news["booked"] == reference
    assert db.session.query(KioskCallSignal).filter_by(call_id=call.id).count() == 0  # nothing kept
    ticket = kiosk.get(f"/kiosk/call/{call.id}/ticket")
    assert ticket.headers["Location"] == "/kiosk/ticket"
    ticket_page = kiosk.get("/kiosk/ticket").get_data(as_text=True)
    assert reference in ticket_page and "Print ticket" in ticket_page

    kiosk.post("/kiosk/reset", data={"csrf_token": csrf_token(ticket_page)})
    assert kiosk.get("/kiosk/ticket").headers["Location"] == "/kiosk/"
    assert kiosk.get(f"/kiosk/call/{call.id}").status_code == 404
    assert kiosk.get(f"/kiosk/call/{call.id}/news").status_code == 404
    assert "Kim" not in kiosk.get("/kiosk/").get_data(as_text=True)
    db.session.refresh(call)
    assert (call.status, call.outcome, call.agent_id, call.appointment_id) == (
        "ended",
        "booked",
        sam.user.id,
        appointment.id,
    )
    assert call.answered_at is not None and call.ended_at is not None
    # The next phone booking Sam makes is a phone booking again.
    assert kiosk_calls.booking_channel(sam.user) == "phone"


@time_machine.travel(TUESDAY_9AM, tick=False)
def test_resetting_the_kiosk_ends_its_call_as_inactivity_would(app):
    world = World()
    kiosk = _kiosk(app, world.hub)
    waiting = _start_call(kiosk)
    page = kiosk.get(f"/kiosk/call/{waiting.id}").get_data(as_text=True)
    assert 'form="kiosk-reset-form"' in page  # "End call" submits the kiosk's own reset form
    kiosk.post("/kiosk/reset", data={"csrf_token": csrf_token(page)})
    db.session.refresh(waiting)
    assert (waiting.status, waiting.outcome) == ("ended", "left")

    talking = _start_call(kiosk)
    sam = _agent(app)
    _answer(sam, talking)
    _agent_send(sam, talking, "chat", {"text": "Hello"})
    kiosk.post("/kiosk/reset", data={"csrf_token": csrf_token(kiosk.get("/kiosk/").get_data(as_text=True))})
    db.session.refresh(talking)
    assert (talking.status, talking.outcome) == ("ended", "helped")
    assert db.session.query(KioskCallSignal).count() == 0
    assert _agent_news(sam, talking)["status"] == "ended"  # the agent's page says the resident left
    assert sam.get(f"/agent/kiosk-calls/{talking.id}").headers["Location"] == "/agent/kiosk-calls/"


# Call-backs ----------------------------------------------------------------------------------------


@time_machine.travel(TUESDAY_9AM, tick=False)
def test_a_resident_in_the_queue_leaves_a_number_and_the_contact_centre_is_emailed(app, smtp, configure):
    configure(contact_centre_emails="callbacks@council.example, duty-manager@council.example")
    world = World()
    kiosk = _kiosk(app, world.hub)
    call = _start_call(kiosk)
    page = kiosk.get(f"/kiosk/call/{call.id}").get_data(as_text=True)
    costly = kiosk.post(  # a premium-rate number would bill the council for the call
        "/kiosk/call/call-back", data={"csrf_token": csrf_token(page), "phone": "0909 8790000"}
    )
    html = costly.get_data(as_text=True)
    assert costly.status_code == 200 and "govuk-error-summary" in html
    assert "Enter a UK phone number, like 07700 900 982 or 01380 722000" in html
    assert db.session.query(Message).count() == 0
    done = kiosk.post("/kiosk/call/call-back", data={"csrf_token": csrf_token(page), "phone": "07700 900123"})
    assert "phone your number ending 123 as soon as one is free" in done.get_data(as_text=True)
    db.session.refresh(call)
    assert (call.status, call.outcome) == ("ended", "call_back")
    messages = db.session.query(Message).filter_by(kind="kiosk_call_back").order_by(Message.recipient).all()
    assert [m.recipient for m in messages] == ["callbacks@council.example", "duty-manager@council.example"]
    assert all(m.status == "created" and m.channel == "email" for m in messages)  # the outbox sends them
    assert "07700 900123" in messages[0].body and world.hub.name in messages[0].body
    assert "Start screen" in messages[0].body

    report = dispatch_due()
    assert report.sent == 2
    assert sorted(m["To"] for m in smtp.messages) == [
        "callbacks@council.example",
        "duty-manager@council.example",
    ]
    assert "07700 900123" in smtp.messages[0].get_content()
    # Sending again sends nothing twice.
    assert dispatch_due().sent == 0


def test_out_of_hours_a_call_back_is_logged_for_the_hub(app):
    world = World()
    with time_machine.travel(datetime(2026, 12, 5, 11, 0, tzinfo=UTC), tick=False):  # a Saturday
        kiosk = _kiosk(app, world.hub)
        notice = kiosk.get("/kiosk/call/?step=manage.find").get_data(as_text=True)
        kiosk.post(
            "/kiosk/call/call-back",
            data={"csrf_token": csrf_token(notice), "phone": "+44 7700 900456", "step": "manage.find"},
        )
    call = db.session.query(KioskCall).one()
    assert (call.status, call.outcome, call.hub_id, call.agent_id) == (
        "ended",
        "call_back",
        world.hub.id,
        None,
    )
    assert call.step == "Finding a booking to check or change"
    message = db.session.query(Message).filter_by(kind="kiosk_call_back").one()
    assert message.recipient == "contact-centre@council.example" and "07700 900456" in message.body


# Over time: the sweep job, and the dashboard ---------------------------------------------------------


def test_the_scheduler_ends_calls_whose_kiosk_or_agent_went_quiet(app):
    from app.scheduler import JOBS, run_job

    job = next(job for job in JOBS if job.id == "kiosk_calls")
    assert job.trigger.interval == timedelta(seconds=30)
    world = World()
    with time_machine.travel(TUESDAY_9AM, tick=False) as clock:
        waiting_kiosk, talking_kiosk = _kiosk(app, world.hub), _kiosk(app, world.hub, "Second kiosk")
        left = _start_call(waiting_kiosk).id  # ids: the job ends its own session, detaching objects
        dropped = _start_call(talking_kiosk)
        sam = _agent(app)
        _answer(sam, dropped)
        _agent_send(sam, dropped, "chat", {"text": "Are you there?"})
        dropped = dropped.id
        clock.shift(timedelta(seconds=45))
        run_job(app, job)  # within a minute of both ends asking: nothing ends
        assert db.session.query(KioskCall).filter_by(status="ended").count() == 0
        _news(talking_kiosk, f"/kiosk/call/{dropped}/news")
        _news(sam, f"/agent/kiosk-calls/{dropped}/news")
        clock.shift(timedelta(seconds=30))  # the first kiosk went quiet 75s ago; the call is still alive
        run_job(app, job)
        assert sam.get("/agent/kiosk-calls/queue").get_json()["waiting"] == 0
        clock.shift(timedelta(seconds=61))  # now the kiosk on the call has gone quiet too
        run_job(app, job)
    calls = {c.id: c for c in db.session.query(KioskCall)}
    assert (calls[left].status, calls[left].outcome) == ("ended", "left")
    assert (calls[dropped].status, calls[dropped].outcome) == ("ended", "dropped")
    assert db.session.query(KioskCallSignal).count() == 0


@time_machine.travel(TUESDAY_9AM, tick=False)
def test_every_call_is_logged_and_counted_on_the_dashboard_by_hub(app, client, sign_in):
    world = World()
    melksham = HubFactory(name="Melksham hub", area=world.area)
    devizes_kiosk, melksham_kiosk = _kiosk(app, world.hub), _kiosk(app, melksham)
    sam = _agent(app)
    answered = _start_call(devizes_kiosk)
    _answer(sam, answered)
    _post(sam, f"/agent/kiosk-calls/{answered.id}/end", {}, f"/agent/kiosk-calls/{answered.id}")
    _start_call(devizes_kiosk)
    devizes_kiosk.post(
        "/kiosk/reset", data={"csrf_token": csrf_token(devizes_kiosk.get("/kiosk/").get_data(as_text=True))}
    )
    waiting = _start_call(melksham_kiosk)
    page = melksham_kiosk.get(f"/kiosk/call/{waiting.id}").get_data(as_text=True)
    melksham_kiosk.post(
        "/kiosk/call/call-back", data={"csrf_token": csrf_token(page), "phone": "07700 900123"}
    )

    sign_in("supervisor")
    html = client.get("/supervisor/dashboard?month=2026-12").get_data(as_text=True)
    table = html[html.index("Kiosk video calls by hub") :]
    assert re.search(
        rf"{world.hub.name}</th>\s*<td[^>]*>2</td>\s*<td[^>]*>1</td>\s*<td[^>]*>0</td>\s*<td[^>]*>0</td>\s*<td[^>]*>1</td>",
        table,
    )
    assert re.search(
        r"Melksham hub</th>\s*<td[^>]*>1</td>\s*<td[^>]*>0</td>\s*<td[^>]*>0</td>\s*<td[^>]*>1</td>", table
    )
    csv = client.get("/supervisor/reports/kiosk_calls.csv?month=2026-12").get_data(as_text=True)
    assert f"{world.hub.name},2,1,0,0,1" in csv
    logged = {e.action for e in db.session.query(AuditEvent)}
    assert {
        "kiosk_call_requested",
        "kiosk_call_answered",
        "kiosk_call_ended",
        "kiosk_call_back_requested",
    } <= logged


# Settings and headers ------------------------------------------------------------------------------


def test_turn_credentials_are_short_lived_and_signed_with_coturns_secret(app, configure):
    import base64
    import hashlib
    import hmac

    configure(
        stun_urls="stun:turn.council.example:3478",
        turn_urls="turn:turn.council.example:3478",
        turn_secret="s" * 40,
    )
    with app.test_request_context():
        stun, turn = call_signalling.ice_servers(now=TUESDAY_9AM)
    assert stun == {"urls": ["stun:turn.council.example:3478"]}
    expires, _ = turn["username"].split(":")
    assert int(expires) == int(TUESDAY_9AM.timestamp()) + 4 * 3600
    expected = base64.b64encode(
        hmac.new(b"s" * 40, turn["username"].encode(), hashlib.sha1).digest()
    ).decode()
    assert turn["credential"] == expected
    configure(stun_urls="", turn_urls="", turn_secret="")
    with app.test_request_context():
        assert call_signalling.ice_servers() == []  # one network: host candidates are enough


def test_ice_server_settings_are_checked_at_start_up(monkeypatch):
    from app import ConfigError, load_settings

    monkeypatch.setenv("STUN_URLS", "https://stun.example")
    with pytest.raises(ConfigError, match="STUN_URLS"):
        load_settings()
    monkeypatch.setenv("STUN_URLS", "stun:stun.example:3478")
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "0123456789abcdef" * 3)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://doorstep.council.example")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/5")
    monkeypatch.setenv("TURN_URLS", "turn:turn.council.example:3478")
    with pytest.raises(ConfigError, match="TURN_SECRET"):
        load_settings()
    monkeypatch.setenv("TURN_SECRET", "t" * 40)
    assert load_settings().turn_urls == "turn:turn.council.example:3478"


@time_machine.travel(TUESDAY_9AM, tick=False)
def test_only_the_call_pages_may_use_the_camera_and_microphone(app):
    world = World()
    kiosk = _kiosk(app, world.hub)
    assert "camera=()" in kiosk.get("/kiosk/").headers["Permissions-Policy"]
    call = _start_call(kiosk)
    assert "camera=(self)" in kiosk.get(f"/kiosk/call/{call.id}").headers["Permissions-Policy"]
    sam = _agent(app)
    _answer(sam, call)
    assert "camera=(self)" in sam.get(f"/agent/kiosk-calls/{call.id}").headers["Permissions-Policy"]
    assert "camera=()" in sam.get("/agent/kiosk-calls/").headers["Permissions-Policy"]


# The long poll, across real commits --------------------------------------------------------------------


def test_a_waiting_long_poll_returns_as_soon_as_the_other_end_writes(app, committed):
    world = World()
    with time_machine.travel(TUESDAY_9AM, tick=True):
        kiosk = _kiosk(app, world.hub)
        call = _start_call(kiosk)
        sam = _agent(app)
        _answer(sam, call)
        token = csrf_token(sam.get(f"/agent/kiosk-calls/{call.id}").get_data(as_text=True))
        idle = _kiosk_news(kiosk, call)
        signal_url = f"/agent/kiosk-calls/{call.id}/signal"
        writer = threading.Timer(
            0.5,
            lambda: sam.post(
                signal_url,
                json={"kind": "chat", "data": {"text": "Hello"}},
                headers={"X-CSRFToken": token},
            ),
        )
        started = time.monotonic()
        writer.start()
        news = kiosk.get(
            f"/kiosk/call/{call.id}/news",
            query_string={"after": idle["after"], "state": idle["token"], "wait": 20},
        ).get_json()
        writer.join()
    assert [s["data"]["text"] for s in news["signals"]] == ["Hello"]
    assert time.monotonic() - started < 15  # woken by the message, not by the 20-second limit


@time_machine.travel(TUESDAY_9AM, tick=False)
def test_long_polls_leave_the_session_cookie_alone(app):
    """A poll that started before a booking in another tab must not put back the session as it was
    (the booking's "Booked" message, a kiosk's ticket): polls never re-send the cookie."""
    world = World()
    kiosk = _kiosk(app, world.hub)
    call = _start_call(kiosk)
    sam = _agent(app)
    _answer(sam, call)
    polls = [
        kiosk.get(f"/kiosk/call/{call.id}/news"),
        _kiosk_send(kiosk, call, "media", {"mode": "voice"}),
        sam.get(f"/agent/kiosk-calls/{call.id}/news"),
        _agent_send(sam, call, "chat", {"text": "Hello"}),
        sam.get("/agent/kiosk-calls/queue"),
        sam.get("/static/doorstep.css"),  # nor do files a page asks for (a late one would undo a sign-in)
    ]
    assert [p.headers.get("Set-Cookie") for p in polls] == [None] * len(polls)
    # Short requests still renew it, so an open call or console counts as activity.
    assert "session=" in kiosk.get("/kiosk/call/still-here").headers["Set-Cookie"]
    assert "session=" in sam.get("/agent/kiosk-calls/still-here").headers["Set-Cookie"]


@time_machine.travel(TUESDAY_9AM, tick=False)
def test_call_backs_are_limited_per_kiosk(app):
    from app.web.guards import limiter

    world = World()
    kiosk, other = _kiosk(app, world.hub), _kiosk(app, world.hub, "Second kiosk")
    limiter.enabled = True
    limiter.reset()
    try:
        statuses = [
            _post(kiosk, "/kiosk/call/call-back", {"phone": "07700 900123"}).status_code for _ in range(11)
        ]
        elsewhere = _post(other, "/kiosk/call/call-back", {"phone": "07700 900123"}).status_code
    finally:
        limiter.enabled = False
    assert statuses == [200] * 10 + [429] and elsewhere == 200
    assert db.session.query(Message).filter_by(kind="kiosk_call_back").count() == 11
