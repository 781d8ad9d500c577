"""A booking at a community hub read like a home visit (found by earlier walks of the running product):
a cancelled one said "Nobody will visit", a past one "This visit has taken place", the officer "who
visits you". The resident comes to the hub, so each page, message and calendar entry now says "your
appointment at Devizes community hub"; home visits keep their words. One place words them:
app.appointments.presenters.place_words."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from app.appointments.presenters import calendar_event
from app.booking.booking_request import CustomerDetails
from app.booking.changes import cancel
from app.booking.errors import BookingRuleError
from app.extensions import db
from app.i18n import gettext_for
from app.messaging.outbox import facts, resident_texts
from app.safety import safety
from notifications.templates import email_for
from tests.booking.test_manage_walk_b import _cancel, _open
from tests.booking_helpers import NOW, World, book_first_slot
from tests.pages import csrf_token
from tests.safety_helpers import officer_user

HUB = "Devizes community hub"


@pytest.fixture
def world():
    world = World()
    world.hub.name = HUB
    db.session.commit()
    return world


def _booked(world, at_hub: bool = True, locale: str = "en"):
    name, phone = ("Jo Bloggs", "+447700900123") if at_hub else ("Sam Home", "+447700900456")
    details = CustomerDetails(
        name=name, phone=phone, preferred_channel="sms", sms_consent=True, locale=locale
    )
    with time_machine.travel(NOW, tick=False):
        appointment = book_first_slot(world, details, place=world.hub_place() if at_hub else None)
    db.session.commit()
    return appointment


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@time_machine.travel(NOW, tick=False)
def test_cancelling_a_hub_booking_says_the_appointment_at_the_hub_will_not_take_place(client, world):
    appointment = _booked(world)
    _open(client, appointment)
    said = f"Your appointment at {HUB} will not take place, and we will not send you any more reminders"
    done = _text(_cancel(client))
    assert said in done and "Nobody will visit" not in done
    again = _text(client.get("/manage/booking").get_data(as_text=True))  # the booking's page after
    assert "Your appointment has been cancelled" in again and said in again and "visit" not in again


@time_machine.travel(NOW, tick=False)
def test_a_cancelled_hub_booking_is_worded_for_the_hub_in_polish_and_nepali(client, world):
    appointment = _booked(world, locale="pl")
    client.get("/language/pl")
    _open(client, appointment)
    done = _text(_cancel(client))
    assert f"Twoja wizyta w punkcie {HUB} się nie odbędzie" in done and "Nikt nie przyjdzie" not in done
    client.get("/language/ne")
    page = _text(client.get("/manage/booking").get_data(as_text=True))
    assert f"{HUB} मा तपाईंको भेट हुने छैन" in page and "कोही पनि भेट्न आउने छैन" not in page


@time_machine.travel(NOW, tick=False)
def test_a_home_visit_still_says_nobody_will_visit(client, world):
    appointment = _booked(world, at_hub=False)
    _open(client, appointment)
    assert "Nobody will visit, and we will not send you any more reminders about it." in _text(
        _cancel(client)
    )


@time_machine.travel(NOW, tick=False)
def test_what_the_officer_should_know_names_who_sees_the_resident_at_the_hub(client, world):
    hub_visit = _booked(world)
    _open(client, hub_visit)
    page = _text(client.get("/manage/booking/needs").get_data(as_text=True))
    assert f"The officer who sees you at {HUB} reads this before your appointment." in page
    assert "visits you" not in page
    home_visit = _booked(world, at_hub=False)
    _open(client, home_visit)
    page = _text(client.get("/manage/booking/needs").get_data(as_text=True))
    assert "The officer who visits you reads this before your appointment." in page


def test_after_a_hub_appointment_the_page_says_the_appointment_took_place_not_the_visit(
    client, world, configure
):
    configure(contact_centre_phone="01225 713000")
    appointment = _booked(world)
    user, officer = officer_user(world)
    assert appointment.officer_id == officer.id
    with time_machine.travel(appointment.window_start - timedelta(minutes=5), tick=False):
        safety.arrive(appointment, officer, user)
    with time_machine.travel(appointment.window_start + timedelta(minutes=40), tick=False):
        safety.finish(appointment, officer, user, "completed")
        db.session.commit()
    with time_machine.travel(appointment.window_start + timedelta(hours=3), tick=False):
        html = _open(client, appointment)
    block = re.search(r'<div id="visit-outcome">.*?</div>', html, re.S).group(0)
    outcome = _text(block)
    assert f"Your appointment at {HUB} has taken place." in outcome
    assert f"If you have a question about your appointment at {HUB}, phone 01225 713000" in outcome
    assert '<a class="govuk-link" href="tel:+441225713000">01225 713000</a>.' in block  # still dialled
    assert "visit" not in outcome


def test_the_calendar_entry_says_where_the_resident_goes_or_who_comes(app, world):
    hub_visit, home_visit = _booked(world), _booked(world, at_hub=False)
    hub_entry = calendar_event(hub_visit, "Wiltshire Council").description
    assert f"Your appointment at {HUB}." in hub_entry and "visit" not in hub_entry
    assert (
        "An officer will visit you at this address."
        in calendar_event(home_visit, "Wiltshire Council").description
    )
    polish = calendar_event(hub_visit, "Wiltshire Council", "pl").description
    assert f"Twoja wizyta w punkcie {HUB}." in polish
    home_visit.status = "cancelled"  # the entry that takes it out of their calendar promises nobody
    assert "visit you" not in calendar_event(home_visit, "Wiltshire Council").description


def test_the_satisfaction_text_and_email_after_a_hub_appointment_do_not_call_it_a_visit(app, world):
    appointment = _booked(world)
    appointment.status = "completed"
    told = facts(appointment)
    text = " ".join(resident_texts("satisfaction", told, gettext_for("en")))
    assert f"how was your {world.service.name} appointment today?" in text and "visit" not in text
    email = email_for("satisfaction", told)
    assert email.subject.startswith("How was your appointment?")
    assert email.body.startswith(f"How was your appointment at {HUB}?")
    home = facts(_booked(world, at_hub=False))
    assert "visit today?" in " ".join(resident_texts("satisfaction", home, gettext_for("en")))
    assert email_for("satisfaction", home).subject.startswith("How was your visit?")


def test_a_hub_appointment_under_way_says_the_appointment_has_started_not_the_visit(client, world):
    user, officer = officer_user(world)
    appointment = _booked(world)
    with time_machine.travel(appointment.window_start - timedelta(minutes=5), tick=False):
        html = _open(client, appointment)  # the cancel page's form, opened before the officer arrived
        safety.arrive(appointment, officer, user)
        db.session.commit()
        page = _text(client.get("/manage/booking").get_data(as_text=True))
        assert (
            f"Your appointment at {HUB} has started, so you cannot change these details online now." in page
        )
        refused = client.post("/manage/booking/cancel", data={"csrf_token": csrf_token(html), "reason": ""})
        told = f"This appointment at {HUB} has started: the officer is with you now"
        assert told in _text(refused.get_data(as_text=True))
        needs = client.post(
            "/manage/booking/needs", data={"csrf_token": csrf_token(html), "access_needs": "A"}
        )
        said = _text(needs.get_data(as_text=True))
        assert f"Your appointment at {HUB} has started" in said and "visit" not in said
    with pytest.raises(
        BookingRuleError, match=f"This appointment at {HUB} has started: the officer is with you"
    ):
        cancel(appointment, "", channel="phone")


@time_machine.travel(NOW, tick=False)
def test_the_change_page_says_how_to_change_the_place_not_only_the_time(client, world):
    """A hub booking could only change its time online, and nothing said how to go to another hub or
    have a visit at home instead (found by the evening walk)."""
    _open(client, _booked(world))
    page = client.get("/manage/booking/change").get_data(as_text=True)
    assert "This page changes the time only. To change the place (another hub, or a visit at home" in _text(
        page
    )
    assert 'href="tel:' in page  # the number to ring, a link on a phone
