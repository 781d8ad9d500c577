"""STOP holds for every text to a resident, in one place (the outbox): the kiosk's "Text me my booking"
too, which said it was texting a number that had replied STOP. Texts to staff are safety-critical and
are never held. And the kiosk's help button, which texts the hub's staff phone, is rate limited."""

from __future__ import annotations

from app.extensions import db
from app.inbound.inbound import handle
from app.kiosk import kiosk as kiosks
from app.messaging.consent import stop_from
from app.models import Message
from tests.booking_helpers import World, book_at_a_kiosk
from tests.pages import csrf_token, set_up_kiosk, submit_form
from tests.safety_helpers import OFFICER_PHONE, SUPERVISOR_PHONE, officer_user, supervisor_on_duty
from tests.web.test_attack import _limited_app

RELATIVE = "+447700900654"


def test_the_kiosk_texts_no_booking_to_a_number_that_replied_stop_and_says_so(client):
    book_at_a_kiosk(client)
    stop_from(RELATIVE)
    db.session.commit()
    answer = submit_form(client, "/kiosk/text-booking", {"phone": "07700 900654"})
    html = answer.get_data(as_text=True)
    assert "ending 654" not in html  # it no longer claims to be texting
    assert "We will not text 07700 900654: that number replied STOP to one of our texts" in html
    assert "To get our texts again, reply START to any text from us on that phone." in html
    assert db.session.query(Message).filter_by(recipient=RELATIVE).count() == 0
    # Another number is texted as before.
    sent = submit_form(client, "/kiosk/text-booking", {"phone": "07700 900655"}).get_data(as_text=True)
    assert "ending 655" in sent
    assert db.session.query(Message).filter_by(kind="kiosk_confirmation").count() == 1


def test_texts_to_staff_flow_even_to_a_number_on_record_as_stopped(client):
    """A work mobile that once replied STOP as a resident (a shared or reissued number) still gets the
    safety texts: help alerts to the supervisor and the reply to the officer."""
    world = World()
    officer_user(world)
    supervisor_on_duty()
    stop_from(SUPERVISOR_PHONE)
    stop_from(OFFICER_PHONE)
    db.session.commit()
    assert handle("SM-help-stopped", OFFICER_PHONE, "help").action == "help"
    db.session.commit()
    assert db.session.query(Message).filter_by(kind="safety_alert", recipient=SUPERVISOR_PHONE).count() == 1
    assert db.session.query(Message).filter_by(kind="officer_reply", recipient=OFFICER_PHONE).count() == 1


def test_the_kiosk_help_button_is_rate_limited(app):
    world = World()
    world.hub.staff_phone = "+447700900999"
    _device, token = kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    kiosk = _limited_app(app).test_client()
    set_up_kiosk(kiosk, token)
    form = csrf_token(kiosk.get("/kiosk/").get_data(as_text=True))
    statuses = [kiosk.post("/kiosk/help", data={"csrf_token": form}).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # Presses while a request is open text nobody again (and none out of the hub's hours): one at most.
    assert db.session.query(Message).filter_by(kind="kiosk_help").count() <= 1
