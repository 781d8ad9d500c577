"""Phone agents: find the caller, book on their behalf with consent, move, cancel, waitlist, capacity."""

from __future__ import annotations

import re

import pytest
import time_machine

from app.booking import waitlist
from app.booking.changes import cancel
from app.booking.errors import SlotUnavailable
from app.extensions import db
from app.models import Appointment, AuditEvent, Message, WaitlistEntry, WaitlistOffer
from app.risk import risk
from tests.booking_helpers import MONDAY, NOW, World, at_once
from tests.factories import AppointmentFactory, CustomerFactory, UserFactory
from tests.pages import csrf_token


def _slots(html):
    return re.findall(r'name="slot" type="radio" value="([^"]+)"', html)


@time_machine.travel(NOW, tick=False)
def test_agent_finds_a_caller_by_name_phone_postcode_or_reference(client, sign_in):
    sign_in("agent")
    world = World()
    customer = CustomerFactory(name="Priya Shah", phone="+447700900555", postcode="SN10 2AB")
    AppointmentFactory(service=world.service, customer=customer, reference="ABCD3467", window_start=NOW)
    db.session.commit()
    for query in ("priya", "07700 900555", "sn10 2ab", "abcd-3467"):
        assert "Priya Shah" in client.get("/agent/", query_string={"q": query}).get_data(as_text=True), query


@time_machine.travel(NOW, tick=False)
def test_agent_books_for_a_caller_with_a_chosen_officer_and_consent(client, sign_in):
    agent = sign_in("agent")
    world = World(officers=2)
    customer = CustomerFactory(
        lat=51.355, lng=-1.99, postcode="SN10 1AA", address_line1="12 High Street", sms_consent=False
    )
    db.session.commit()
    chosen = world.officers[1]
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home&officer={chosen.id}"
    page = client.get(url).get_data(as_text=True)
    assert chosen.name in page and world.officers[0].name not in page.split('name="slot"', 1)[1]
    slot = _slots(page)[0]
    refused = client.post(
        url, data={"csrf_token": csrf_token(page), "slot": slot, "preferred_channel": "sms"}
    )
    assert "Ask the caller if they agree to texts" in refused.get_data(as_text=True)
    done = client.post(
        url,
        data={"csrf_token": csrf_token(page), "slot": slot, "preferred_channel": "sms", "sms_consent": "y"},
    )
    assert done.status_code == 302
    appointment = db.session.query(Appointment).one()
    assert appointment.channel == "phone" and appointment.booked_by == agent and appointment.officer == chosen
    assert appointment.customer.sms_consent is True
    assert [e.channel for e in appointment.events] == ["phone"]
    actions = {e.action for e in db.session.query(AuditEvent).filter_by(user_id=agent.id)}
    assert {"appointment_booked", "sms_consent_recorded"} <= actions
    assert db.session.query(Message).filter_by(kind="confirmation", channel="sms").count() == 1
    view = client.get(f"/agent/customers/{customer.id}").get_data(as_text=True)
    assert appointment.reference[:4] in view and "confirmation by text (waiting to send)" in view


def _submission(html):
    found = re.search(r'name="submission" type="hidden" value="([^"]+)"', html)
    return found.group(1) if found else ""


@time_machine.travel(NOW, tick=False)
def test_a_double_clicked_book_button_books_once_and_shows_the_booking(client, sign_in):
    sign_in("agent")
    world = World()
    customer = CustomerFactory(lat=51.355, lng=-1.99, postcode="SN10 1AA", address_line1="12 High Street")
    db.session.commit()
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home"
    page = client.get(url).get_data(as_text=True)
    form = {
        "csrf_token": csrf_token(page),
        "submission": _submission(page),
        "slot": _slots(page)[0],
        "preferred_channel": "email",
    }
    first, second = client.post(url, data=form), client.post(url, data=form)
    (appointment,) = db.session.query(Appointment).all()
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == f"/agent/customers/{customer.id}"
    shown = client.get(second.headers["Location"]).get_data(as_text=True)
    assert f"Booked: reference {appointment.reference[:4]}-{appointment.reference[4:]}" in shown


@time_machine.travel(NOW, tick=False)
def test_a_page_that_booked_once_does_not_book_another_time_unnoticed(client, sign_in):
    """Back to the booking page (the browser's copy), another time, Book: the agent is told it booked."""
    sign_in("agent")
    world = World()
    customer = CustomerFactory(lat=51.355, lng=-1.99, postcode="SN10 1AA", address_line1="12 High Street")
    db.session.commit()
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home"
    page = client.get(url).get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "submission": _submission(page), "preferred_channel": "email"}
    slots = _slots(page)
    assert client.post(url, data=form | {"slot": slots[0]}).status_code == 302
    again = client.post(url, data=form | {"slot": slots[1]})
    assert again.status_code == 200
    assert "This page has booked already" in again.get_data(as_text=True)
    assert db.session.query(Appointment).count() == 1


@time_machine.travel(NOW, tick=False)
def test_agents_see_that_a_precaution_applies_never_the_detail(client, sign_in):
    sign_in("agent")
    customer = CustomerFactory(postcode="SN10 1AA", address_line1="12 High Street")
    risk.add_marker(
        user=UserFactory(role="supervisor"),
        category="animals",
        precaution="information",
        reason="Two dangerous dogs loose in the garden",
        review_on=MONDAY,
        postcode="SN10 1AA",
        line1="12 High Street",
    )
    db.session.commit()
    html = client.get(f"/agent/customers/{customer.id}").get_data(as_text=True)
    assert "A precaution applies" in html
    assert "dogs" not in html and "Animals" not in html


@time_machine.travel(NOW, tick=False)
def test_agent_moves_and_cancels_for_the_caller(client, sign_in):
    sign_in("agent")
    world = World()
    customer = CustomerFactory(lat=51.355, lng=-1.99, sms_consent=True)
    db.session.commit()
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home"
    page = client.get(url).get_data(as_text=True)
    client.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "slot": _slots(page)[0],
            "preferred_channel": "sms",
            "sms_consent": "y",
        },
    )
    appointment = db.session.query(Appointment).one()
    move = client.get(f"/agent/appointments/{appointment.id}/move").get_data(as_text=True)
    client.post(
        f"/agent/appointments/{appointment.id}/move",
        data={"csrf_token": csrf_token(move), "slot": _slots(move)[-1]},
    )
    db.session.refresh(appointment)
    assert appointment.sequence == 1 and appointment.events[-1].status == "rescheduled"
    page = client.get(f"/agent/appointments/{appointment.id}/cancel").get_data(as_text=True)
    client.post(
        f"/agent/appointments/{appointment.id}/cancel",
        data={"csrf_token": csrf_token(page), "reason": "Caller in hospital"},
    )
    db.session.refresh(appointment)
    assert appointment.status == "cancelled" and appointment.cancel_reason == "Caller in hospital"
    view = client.get(f"/agent/customers/{customer.id}").get_data(as_text=True)
    client.post(
        f"/agent/customers/{customer.id}",
        data={"csrf_token": csrf_token(view), "text": "Prefers calls after 2pm"},
    )
    assert "Prefers calls after 2pm" in client.get(f"/agent/customers/{customer.id}").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_capacity_board_shows_booked_and_free_time_by_area(client, sign_in):
    sign_in("agent")
    world = World()
    AppointmentFactory(
        service=world.service,
        officer=world.officers[0],
        window_start=NOW.replace(day=7, hour=10),
        duration_minutes=60,
    )
    db.session.commit()
    html = client.get("/agent/capacity", query_string={"day": "2026-12-07"}).get_data(as_text=True)
    assert world.officers[0].name in html and world.area.name in html
    assert "1.0" in html  # one hour booked
    assert "7.0" in html  # 8:30-17:00 less lunch less the visit


@time_machine.travel(NOW, tick=False)
def test_capacity_board_shows_the_visits_still_with_an_officer_recorded_sick(client, sign_in):
    """It showed 0 visits for them: the visits a re-plan has still to move were hidden."""
    from app.models import Absence

    sign_in("agent")
    world = World()
    sick = world.officers[0]
    for hour in (10, 14):
        AppointmentFactory(service=world.service, officer=sick, window_start=NOW.replace(day=7, hour=hour))
    db.session.add(Absence(officer=sick, kind="sickness", starts_on=MONDAY, ends_on=MONDAY))
    db.session.commit()
    html = client.get("/agent/capacity", query_string={"day": "2026-12-07"}).get_data(as_text=True)
    row = next(r for r in html.split("<tr") if sick.name in r)
    assert "(not working: 2 visits still with them to move)" in row
    cells = re.findall(r'govuk-table__cell--numeric">([^<]*)<', row)
    assert cells == ["2", "1.5", "0.0"]  # visits, hours booked, no free time


def _waitlisted(world, n):
    people = []
    for i in range(n):
        customer = CustomerFactory(
            lat=51.355 + i * 0.001, lng=-1.99, phone=f"+4477009003{i:02d}", sms_consent=True
        )
        people.append(waitlist.join(customer, world.service, world.area.id, MONDAY, MONDAY))
    return people


@time_machine.travel(NOW, tick=False)
def test_a_freed_slot_is_offered_to_the_waitlist_and_the_first_to_accept_gets_it():
    world = World()
    # Fill the day, then cancel one visit: its window is offered to the first three in the queue.
    booked = [
        AppointmentFactory(
            service=world.service,
            officer=world.officers[0],
            window_start=NOW.replace(day=7, hour=h),
            window_end=NOW.replace(day=7, hour=h + 2),
            duration_minutes=100,
        )
        for h in (9, 11, 13, 15)
    ]
    entries = _waitlisted(world, 4)
    db.session.commit()
    cancel(booked[1], "Cancelled by caller")
    db.session.commit()
    offers = db.session.query(WaitlistOffer).order_by(WaitlistOffer.id).all()
    assert [o.entry for o in offers] == entries[:3]
    texts = db.session.query(Message).filter_by(kind="waitlist_offer").all()
    assert len(texts) == 3 and all("/waitlist/" in t.body for t in texts)
    appointment = waitlist.accept(offers[1])
    db.session.commit()
    assert appointment.customer == entries[1].customer
    assert [o.status for o in offers] == ["gone", "accepted", "gone"]
    assert db.session.query(Message).filter_by(kind="waitlist_gone").count() == 2
    with pytest.raises(SlotUnavailable):
        waitlist.accept(offers[0])


@pytest.mark.postgres
def test_waitlist_offers_accepted_at_once_book_exactly_one(app, postgres, committed):
    world = World()
    day = NOW.replace(day=7)
    booked = [
        AppointmentFactory(
            service=world.service,
            officer=world.officers[0],
            window_start=day.replace(hour=h),
            window_end=day.replace(hour=h + 2),
            duration_minutes=100,
        )
        for h in (9, 11, 13, 15)
    ]
    _waitlisted(world, 3)
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        cancel(booked[2], "Cancelled")
        db.session.commit()
    offer_ids = [o.id for o in db.session.query(WaitlistOffer).all()]
    assert len(offer_ids) == 3

    def accept(offer_id):
        with time_machine.travel(NOW, tick=False):
            waitlist.accept(db.session.get(WaitlistOffer, offer_id))

    outcomes = at_once(app, [lambda i=i: accept(i) for i in offer_ids])
    assert sorted(outcomes) == ["booked", "gone", "gone"]
    assert db.session.query(WaitlistEntry).filter_by(status="booked").count() == 1
