"""Kiosk call-backs are listed on the agents' console until an adviser rings them, so none is lost when
the contact centre's email is (no mail server, a full inbox)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import time_machine

from app.extensions import db
from app.messaging.dispatch import dispatch_due
from app.models import KioskCall, Message
from tests.booking_helpers import NOW, World
from tests.kiosk.test_kiosk_calls import _agent, _kiosk, _post
from tests.pages import csrf_token

SATURDAY = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)


def test_a_call_back_asked_out_of_hours_waits_on_the_console_until_an_adviser_rings(app):
    world = World()
    with time_machine.travel(SATURDAY, tick=False):
        kiosk = _kiosk(app, world.hub)
        # A landline will do: an adviser rings it (many who need a kiosk have no mobile).
        done = _post(
            kiosk, "/kiosk/call/call-back", {"phone": "01380 900555", "step": "kiosk.start"}, "/kiosk/call/"
        )
        assert (  # Saturday: the phones open again on Monday, and the resident is told so
            "Our phones are closed now. An adviser will phone your number ending 555 from 8:30am on "
            "Monday 7 December 2026."
        ) in " ".join(done.get_data(as_text=True).split())
    with time_machine.travel(NOW.replace(day=7), tick=False):  # Monday morning: the phones open
        agent = _agent(app)
        console = agent.get("/agent/kiosk-calls/").get_data(as_text=True)
        listed = console[console.index("Call-backs to make") :]
        assert "01380 900555" in listed and world.hub.name in listed and "Start screen" in listed
        assert ">Phone number</th>" in listed and ">Mobile</th>" not in listed  # a landline, as here, will do
        call = db.session.query(KioskCall).one()
        rung = agent.post(
            f"/agent/kiosk-calls/call-backs/{call.id}",
            data={"csrf_token": csrf_token(console)},
            follow_redirects=True,
        )
        html = rung.get_data(as_text=True)
        assert f"Called back: the resident from {world.hub.name}." in html
        assert "No call-backs to make" in html and "called back by Sam Adviser" in html
        assert "01380 900555" not in html
        again = agent.post(f"/agent/kiosk-calls/call-backs/{call.id}", data={"csrf_token": csrf_token(html)})
        assert again.status_code == 302
    call = db.session.query(KioskCall).one()
    assert call.called_back_by.full_name == "Sam Adviser" and call.call_back_phone == ""  # not kept once rung


def test_only_call_backs_can_be_marked_called_back(app):
    world = World()
    with time_machine.travel(NOW, tick=False):
        agent = _agent(app)
        call = KioskCall(hub=world.hub, mode="video", status="ended", outcome="left")
        db.session.add(call)
        db.session.commit()
        page = agent.get("/agent/kiosk-calls/").get_data(as_text=True)
        missing = agent.post(
            f"/agent/kiosk-calls/call-backs/{call.id}", data={"csrf_token": csrf_token(page)}
        )
    assert missing.status_code == 404


def test_once_rung_the_mobile_goes_from_the_contact_centres_sent_email_but_not_from_one_still_to_send(
    app, smtp, configure
):
    """The email's words are kept for 730 days (retention): once the resident is called back, the
    mobile in an email already sent is no longer needed. An email still waiting keeps its words, or the
    contact centre would get an empty one."""
    configure(contact_centre_emails="callbacks@council.example, duty-manager@council.example")
    world = World()
    with time_machine.travel(SATURDAY, tick=False):
        kiosk = _kiosk(app, world.hub)
        _post(kiosk, "/kiosk/call/call-back", {"phone": "07700 900555", "step": "kiosk.start"}, "/kiosk/")
        assert dispatch_due().sent == 2  # the first call-back's emails have gone
        _post(kiosk, "/kiosk/call/call-back", {"phone": "07700 900666", "step": "kiosk.start"}, "/kiosk/")
    first, second = db.session.query(KioskCall).order_by(KioskCall.id).all()
    with time_machine.travel(NOW.replace(day=7), tick=False):
        agent = _agent(app)
        for call in (first, second):
            console = agent.get("/agent/kiosk-calls/").get_data(as_text=True)
            agent.post(f"/agent/kiosk-calls/call-backs/{call.id}", data={"csrf_token": csrf_token(console)})
    emails = db.session.query(Message).filter_by(kind="kiosk_call_back").order_by(Message.id).all()
    sent, waiting = emails[:2], emails[2:]
    assert [m.status for m in sent] == ["sent", "sent"] and all(m.body == "" for m in sent)
    assert [m.status for m in waiting] == ["created", "created"]
    assert all("07700 900666" in m.body for m in waiting)  # still to send: its words kept
    with time_machine.travel(NOW.replace(day=7), tick=False):
        assert dispatch_due().sent == 2
    assert "07700 900666" in smtp.messages[-1].get_content()


def _call_backs_listed(agent) -> str:
    console = agent.get("/agent/kiosk-calls/").get_data(as_text=True)
    return console[console.index("Call-backs to make") :]


def test_a_call_back_asked_in_polish_says_so_to_the_agent_and_the_contact_centre(app):
    """A user walk: the kiosk was in Polish, and nothing told the adviser before they rang."""
    world = World()
    with time_machine.travel(SATURDAY, tick=False):
        kiosk = _kiosk(app, world.hub)
        kiosk.get("/language/pl")
        done = _post(
            kiosk, "/kiosk/call/call-back", {"phone": "07700 900555", "step": "kiosk.start"}, "/kiosk/call/"
        )
        assert done.status_code == 200
        english = _kiosk(app, world.hub, name="Lobby kiosk")
        _post(english, "/kiosk/call/call-back", {"phone": "07700 900666", "step": "kiosk.start"}, "/kiosk/")
    polish, other = db.session.query(KioskCall).order_by(KioskCall.id).all()
    assert (polish.locale, other.locale) == ("pl", "en")
    emails = db.session.query(Message).filter_by(kind="kiosk_call_back").all()
    polish_email = next(m for m in emails if m.dedupe_key.startswith(f"kiosk_call_back:{polish.id}:"))
    assert "Language: Polish" in polish_email.body
    assert all("Language: English" in m.body for m in emails if m is not polish_email)
    with time_machine.travel(NOW.replace(day=7), tick=False):
        listed = _call_backs_listed(_agent(app))
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', listed, re.S)
    by_phone = {("900555" if "900555" in row else "900666"): re.sub(r"<[^>]+>", " ", row) for row in rows}
    assert "Polish" in by_phone["900555"] and "Book an interpreter" in by_phone["900555"]
    assert "English" in by_phone["900666"] and "interpreter" not in by_phone["900666"]


def test_a_nepali_call_shows_its_language_in_the_queue_and_when_it_becomes_a_call_back(app):
    world = World()
    with time_machine.travel(NOW, tick=False):  # Tuesday 9am: the phones are open
        kiosk = _kiosk(app, world.hub)
        kiosk.get("/language/ne")
        page = kiosk.get("/kiosk/call/?step=kiosk.start").get_data(as_text=True)
        started = kiosk.post(
            "/kiosk/call/", data={"csrf_token": csrf_token(page), "step": "kiosk.start", "mode": "video"}
        )
        assert started.status_code == 302
        agent = _agent(app)
        queue = agent.get("/agent/kiosk-calls/").get_data(as_text=True)
        waiting = queue[queue.index("Waiting") : queue.index("Call-backs to make")]
        assert "Nepali" in waiting
        # Tired of waiting, they leave a number instead: the call-back keeps the language.
        _post(kiosk, "/kiosk/call/call-back", {"phone": "07700 900777"}, "/kiosk/call/call-back")
        listed = _call_backs_listed(agent)
    assert "07700 900777" in listed and "Nepali" in listed and "Book an interpreter" in listed
    assert db.session.query(KioskCall).one().locale == "ne"
