"""Satisfaction at the point of delivery on every channel, and equality monitoring kept apart from the
booking and reported only in aggregate."""

from __future__ import annotations

import re
from datetime import date, timedelta

import time_machine
from sqlalchemy import inspect

from app.appointments.references import format_reference
from app.booking.booking_request import CustomerDetails
from app.booking.changes import record_outcome
from app.customers import equality, satisfaction
from app.extensions import db
from app.inbound.inbound import handle
from app.kiosk.kiosk import register
from app.models import Appointment, EqualityResponse, Message
from app.reporting.reports import dashboard
from tests.booking_helpers import MONDAY, NOW, World, book_first_slot
from tests.factories import AppointmentFactory, UserFactory
from tests.pages import csrf_token, set_up_kiosk

AFTER = NOW + timedelta(days=6, hours=8)  # Monday 7 December, afternoon


def _book(world, channel="sms", email="", place=None, phone="+447700900123"):
    place = place or world.home()
    with time_machine.travel(NOW, tick=False):
        appointment = book_first_slot(
            world,
            CustomerDetails(
                name="Jo Bloggs", phone=phone, email=email, preferred_channel=channel, sms_consent=True
            ),
            place,
        )
        db.session.commit()
    return appointment


def _asked(appointment) -> list[Message]:
    return db.session.query(Message).filter_by(appointment_id=appointment.id, kind="satisfaction").all()


@time_machine.travel(AFTER, tick=False)
def test_a_text_reply_with_a_comment_is_kept_with_its_channel():
    world = World()
    appointment = _book(world)
    record_outcome(appointment, "completed")
    db.session.flush()
    handle("SM-rate-1", "+447700900123", "4 very helpful officer")
    assert appointment.satisfaction_score == 4
    assert (appointment.satisfaction_channel, appointment.satisfaction_comment) == (
        "sms",
        "very helpful officer",
    )
    thanks = db.session.query(Message).filter_by(appointment_id=appointment.id, kind="reply").one()
    # Not "your visit": at a community hub the resident came to us (walk finding).
    assert (
        thanks.body
        == f"Thank you for rating your appointment 4 out of 5. Ref {format_reference(appointment.reference)}."
    )


@time_machine.travel(AFTER, tick=False)
def test_the_email_carries_a_link_to_rate_with_a_comment(client):
    world = World()
    appointment = _book(world, channel="email", email="jo@example.com", phone="")  # no mobile: asked by email
    record_outcome(appointment, "completed")
    db.session.commit()
    (asked,) = _asked(appointment)
    assert asked.channel == "email"
    link = re.search(r"https?://\S+/rate/\S+", asked.body).group(0)
    path = link[link.index("/rate/") :]
    page = client.get(path)
    token = csrf_token(page.get_data(as_text=True))
    missing = client.post(path, data={"csrf_token": token})
    assert "Select how the visit was" in missing.get_data(as_text=True)
    client.post(path, data={"csrf_token": token, "score": "2", "comment": "Late by an hour"})
    db.session.refresh(appointment)
    assert (appointment.satisfaction_score, appointment.satisfaction_channel) == (2, "email")
    assert appointment.satisfaction_comment == "Late by an hour"
    assert "already have your answer" in client.get(path).get_data(as_text=True)
    assert client.get("/rate/forged-token").status_code == 404


@time_machine.travel(AFTER, tick=False)
def test_the_officer_asks_at_the_door_and_the_text_is_then_withdrawn(client):
    world = World()
    appointment = _book(world)
    officer = appointment.officer
    officer.user = UserFactory(role="officer")
    record_outcome(appointment, "completed")
    db.session.commit()
    (asked,) = _asked(appointment)
    assert asked.status == "created"  # waiting for 9am or the next dispatch
    from tests.factories import PASSWORD

    page = client.get("/sign-in")
    client.post(
        "/sign-in",
        data={
            "email": officer.user.email,
            "password": PASSWORD,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    day = client.get(f"/officer/day/{MONDAY.isoformat()}").get_data(as_text=True)
    assert "Ask the resident how it went" in day
    form = client.get(f"/officer/visits/{appointment.id}/rating")
    response = client.post(
        f"/officer/visits/{appointment.id}/rating",
        data={"csrf_token": csrf_token(form.get_data(as_text=True)), "score": "5"},
    )
    assert response.status_code == 302
    db.session.refresh(appointment)
    assert (appointment.satisfaction_score, appointment.satisfaction_channel) == (5, "officer")
    assert _asked(appointment)[0].status == "cancelled"  # nobody is asked twice


@time_machine.travel(AFTER, tick=False)
def test_a_resident_rates_a_hub_visit_at_the_kiosk(client):
    world = World()
    appointment = _book(world, place=world.hub_place())
    appointment.status = "completed"
    _device, token = register(world.hub, "Kiosk")
    db.session.commit()
    set_up_kiosk(client, token)
    start = client.get("/kiosk/").get_data(as_text=True)
    assert "Tell us how your visit went" in start
    page = client.get("/kiosk/rate")
    csrf = csrf_token(page.get_data(as_text=True))
    wrong = client.post("/kiosk/rate", data={"csrf_token": csrf, "reference": "ABCD-EFGH", "score": "4"})
    assert "We cannot find a visit at this hub today" in wrong.get_data(as_text=True)
    client.post("/kiosk/rate", data={"csrf_token": csrf, "reference": appointment.reference, "score": "4"})
    db.session.refresh(appointment)
    assert (appointment.satisfaction_score, appointment.satisfaction_channel) == (4, "kiosk")


@time_machine.travel(AFTER, tick=False)
def test_nobody_is_asked_after_saying_no_to_messages_or_twice_in_90_days():
    world = World()
    quiet = _book(world, channel="none", phone="+447700900555")
    record_outcome(quiet, "completed")
    assert _asked(quiet) == []
    first = _book(world)
    record_outcome(first, "completed")
    assert len(_asked(first)) == 1
    second = AppointmentFactory(customer=first.customer, service=world.service, window_start=NOW)
    record_outcome(second, "completed")
    assert _asked(second) == []  # asked about the first visit a moment ago


@time_machine.travel(AFTER, tick=False)
def test_dashboard_reports_satisfaction_by_service_officer_hub_and_channel():
    world = World()
    appointment = _book(world)
    record_outcome(appointment, "completed")
    satisfaction.record(appointment, 3, "officer")
    tables = dashboard(date(2026, 12, 1))
    MIDDLING = "Neither good nor poor (3 out of 5)"  # a rating in words (presenters.rating_words)
    assert tables["satisfaction_by_service"].rows == [[world.service.name, 1, MIDDLING]]
    assert tables["satisfaction_by_officer"].rows == [[appointment.officer.name, 1, MIDDLING]]
    assert tables["satisfaction_by_hub"].rows == [["At home or a business", 1, MIDDLING]]
    assert tables["satisfaction_by_channel"].rows == [["Online", 1, MIDDLING]]
    assert tables["satisfaction_by_answer_channel"].rows == [["Asked by the officer", 1, MIDDLING]]


def test_equality_answers_have_no_key_to_the_booking_or_the_customer():
    foreign = {fk["referred_table"] for fk in inspect(db.engine).get_foreign_keys("equality_response")}
    assert foreign == set()
    columns = {c["name"] for c in inspect(db.engine).get_columns("equality_response")}
    assert not columns & {"appointment_id", "customer_id", "reference", "name", "phone", "email"}


@time_machine.travel(AFTER, tick=False)
def test_a_resident_answers_after_booking_and_their_score_joins_the_group_not_the_booking(client):
    world = World()
    appointment = _book(world)
    with client.session_transaction() as session:
        session["booked_reference"] = appointment.reference
    page = client.get("/book/equality")
    assert "Prefer not to say" in page.get_data(as_text=True)
    client.post(
        "/book/equality",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "age_band": "75_plus", "sex": "female"},
    )
    (response,) = db.session.query(EqualityResponse).all()
    assert (response.age_band, response.sex, response.ethnic_group) == ("75_plus", "female", "")
    assert response.service_code == world.service.code and response.channel == "web"
    assert equality.save(appointment, {"age_band": "16_24"}) is None  # one set of answers per booking
    record_outcome(appointment, "completed")
    satisfaction.record(appointment, 5, "sms")
    assert response.satisfaction_score == 5


@time_machine.travel(AFTER, tick=False)
def test_the_report_hides_groups_smaller_than_five(client, sign_in):
    world = World()
    for n in range(6):
        appointment = AppointmentFactory(service=world.service, window_start=NOW)
        equality.save(appointment, {"age_band": "75_plus" if n < 5 else "16_24"})
        appointment.status = "completed"
        satisfaction.record(appointment, 4, "sms")
    rows = {
        row.label: row
        for question, rows in equality.report(date(2026, 1, 1), date(2026, 12, 1))
        if question.field == "age_band"
        for row in rows
    }
    assert rows["75 or over"].bookings == 5 and rows["75 or over"].average == "Good (4 out of 5)"
    assert rows["16 to 24"].bookings is None and rows["16 to 24"].average == ""
    sign_in("supervisor")
    page = client.get("/supervisor/equality?month=2026-12").get_data(as_text=True)
    assert "fewer than 5" in page and "75 or over" in page


@time_machine.travel(AFTER, tick=False)
def test_the_agent_asks_the_questions_by_phone(client, sign_in):
    world = World()
    appointment = _book(world)
    sign_in("agent")
    page = client.get(f"/agent/appointments/{appointment.id}/equality")
    assert "Read this to the caller" in page.get_data(as_text=True)
    client.post(
        f"/agent/appointments/{appointment.id}/equality",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "disability": "yes"},
    )
    assert db.session.query(EqualityResponse).one().disability == "yes"
    assert db.session.query(Appointment).count() == 1
