"""Printed letters: who gets one, the daily print batch, the PDF staff print, and who may see it."""

from __future__ import annotations

from datetime import timedelta

import time_machine

from app.booking.availability import search
from app.booking.booking import CustomerDetails, cancel
from app.extensions import db
from app.messaging import letters
from app.messaging.dispatch import dispatch_due
from app.models import AuditEvent, Message
from app.scheduler import JOBS
from notifications.letter import Letter, build_pdf
from tests.booking_helpers import MONDAY, NOW, World, book_first_slot
from tests.pages import csrf_token


def _book(world, phone="", email="", channel="sms", consent=False):
    appointment = book_first_slot(
        world,
        CustomerDetails(
            name="Ala Nowak", phone=phone, email=email, preferred_channel=channel, sms_consent=consent
        ),
        channel="phone",
    )
    db.session.commit()
    return appointment


def _letters():
    return db.session.query(Message).filter_by(channel="letter").order_by(Message.id).all()


@time_machine.travel(NOW, tick=False)
def test_a_resident_with_no_mobile_or_email_gets_a_letter_not_a_text():
    world = World()
    appointment = _book(world)
    (letter,) = _letters()
    assert letter.kind == "confirmation" and letter.status == "created"
    assert letter.recipient.split("\n") == ["Ala Nowak", "12 High Street", "Devizes", "SN10 1AA"]
    assert "Dear Ala Nowak" in letter.body and "Monday 7 December 2026" in letter.body
    assert "Proof of identity" in letter.body  # what to have ready
    assert appointment.reference[:4] in letter.body
    assert dispatch_due().sent == 0  # the dispatcher never "sends" a letter
    assert _letters()[0].status == "created"


@time_machine.travel(NOW, tick=False)
def test_asking_for_post_gets_letters_for_every_change_but_no_reminders():
    world = World()
    appointment = _book(world, phone="+447700900111", channel="post", consent=True)
    cancel(appointment, "Not needed")
    db.session.commit()
    assert [m.kind for m in _letters()] == ["confirmation", "cancellation"]
    assert db.session.query(Message).filter_by(channel="sms").count() == 0
    assert "has been cancelled" in _letters()[1].body


@time_machine.travel(NOW, tick=False)
def test_a_resident_who_reads_texts_gets_no_letter():
    _book(World(), phone="+447700900111", consent=True)
    assert _letters() == []


@time_machine.travel(NOW, tick=False)
def test_the_daily_batch_gathers_waiting_letters_once_and_prints_them_as_one_pdf(app):
    world = World()
    _book(world)
    assert "letters" in [job.id for job in JOBS]  # the one job list
    assert letters.waiting() == 1
    assert letters.gather_batch(MONDAY) == 1
    assert letters.gather_batch(MONDAY) == 0  # a second run adds nothing
    (summary,) = letters.batches()
    assert (summary.day, summary.letters, summary.printed) == (MONDAY, 1, 0)


def test_the_pdf_has_a_page_per_letter_and_prints_polish_names():
    letter = Letter(
        ("Zofia Wąsowska", "1 Łąkowa Street", "Devizes", "SN10 1AA"),
        "7 December 2026",
        "Booked",
        "Dear Zofia Wąsowska,\n\nYour appointment is booked.",
        "Wiltshire Council",
    )
    pdf = build_pdf([letter, letter])
    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 2


@time_machine.travel(NOW, tick=False)
def test_staff_download_the_batch_and_mark_it_printed_and_it_is_audited(client, sign_in):
    world = World()
    _book(world)
    letters.gather_batch(MONDAY)
    db.session.commit()
    sign_in("agent")
    page = client.get("/staff/letters/")
    assert page.status_code == 200 and "7 December 2026" in page.get_data(as_text=True)
    batch = client.get(f"/staff/letters/{MONDAY.isoformat()}")
    assert "Ala Nowak" in batch.get_data(as_text=True)
    pdf = client.get(f"/staff/letters/{MONDAY.isoformat()}/letters.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    token = csrf_token(batch.get_data(as_text=True))
    done = client.post(f"/staff/letters/{MONDAY.isoformat()}/printed", data={"csrf_token": token})
    assert done.status_code == 302
    assert _letters()[0].status == "sent"
    actions = {e.action for e in db.session.query(AuditEvent)}
    assert {"letters_downloaded", "letters_printed", "letter_batch_viewed"} <= actions
    assert client.get("/staff/letters/not-a-day").status_code == 404


def test_officers_may_not_see_the_letters(client, sign_in):
    sign_in("officer")
    assert client.get("/staff/letters/").status_code == 403


@time_machine.travel(NOW, tick=False)
def test_the_agent_sends_a_letter_from_the_caller_page(client, sign_in):
    world = World()
    appointment = _book(world, phone="+447700900111", consent=True)
    sign_in("agent")
    page = client.get(f"/agent/customers/{appointment.customer_id}")
    assert "Send a letter" in page.get_data(as_text=True)
    response = client.post(
        f"/agent/appointments/{appointment.id}/letter",
        data={"csrf_token": csrf_token(page.get_data(as_text=True))},
    )
    assert response.status_code == 302
    (letter,) = _letters()
    assert letter.kind == "confirmation" and letter.appointment_id == appointment.id


@time_machine.travel(NOW, tick=False)
def test_the_api_books_with_post_and_refuses_post_to_a_hub(client):
    from app.models import Address
    from app.staff.tokens import create_token
    from tests.booking_helpers import api_booking
    from tests.factories import UserFactory

    world = World()
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    secret = create_token(UserFactory(role="admin"), "tests")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    slot = search(world.service, world.home(), MONDAY, 1, now=NOW).slots[0]
    customer = {"name": "Ala Nowak", "phone": "", "email": "", "preferred_channel": "post"}
    hub = client.post(
        "/api/v1/appointments",
        json=api_booking(world, slot.token, customer=customer, location_type="hub", hub=world.hub.code),
        headers=headers,
    )
    assert hub.status_code == 422 and "customer.preferred_channel" in hub.get_json()["errors"]
    booked = client.post(
        "/api/v1/appointments", json=api_booking(world, slot.token, customer=customer), headers=headers
    )
    assert booked.status_code == 201, booked.get_json()
    assert [m.kind for m in _letters()] == ["confirmation"]
    listed = client.get(f"/api/v1/appointments/{booked.get_json()['reference']}/messages", headers=headers)
    assert listed.status_code == 200
    assert [m["channel"] for m in listed.get_json()["messages"]] == ["letter"]


def test_the_journey_offers_a_letter_only_for_a_visit_at_an_address(client):
    with client.session_transaction() as session:
        session["booking"] = {"service": "x", "location_type": "home", "place_done": True, "slot": "t"}
    assert "By letter to this address" in client.get("/book/details").get_data(as_text=True)
    with client.session_transaction() as session:
        session["booking"] = {"service": "x", "location_type": "hub", "place_done": True, "slot": "t"}
    assert "By letter to this address" not in client.get("/book/details").get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_no_letter_when_it_would_arrive_after_the_visit():
    world = World()
    appointment = _book(world)
    assert len(_letters()) == 1
    with time_machine.travel(MONDAY - timedelta(days=1), tick=False):  # the day before the visit
        cancel(appointment, "Not needed")
    assert [m.kind for m in _letters()] == ["confirmation"]  # too late to post: nothing written
