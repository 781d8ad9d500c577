"""Printed letters: who gets one, the daily print batch, the PDF staff print, and who may see it."""

from __future__ import annotations

import io
import logging
import re
import zlib
from datetime import timedelta

import pytest
import time_machine
from pdfminer.high_level import extract_text

from app.booking.availability import search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.booking.changes import cancel, reschedule
from app.extensions import db
from app.messaging import letters
from app.messaging.dispatch import dispatch_due
from app.models import AuditEvent, Message
from app.places.places import Place
from app.scheduler import JOBS
from notifications.letter import Letter, build_pdf, unprintable
from tests.booking_helpers import MONDAY, NOW, World, book_first_slot
from tests.factories import CustomerFactory, UserFactory
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
def test_a_visit_at_business_premises_is_written_to_the_business_there_not_the_home():
    world = World()
    world.service.at_business = True
    customer = CustomerFactory(
        name="Ann Baker",
        phone="",
        email="",
        preferred_channel="post",
        address_line1="12 High Street",
        town="Devizes",
        postcode="SN10 1AB",
        kind="business",
        business_name="Baker's Bakes",
    )
    db.session.flush()
    premises = Place(
        "business", 51.352, -1.994, world.area.id, line1="3 Market Place", town="Devizes", postcode="SN10 1HS"
    )
    for day, place in ((MONDAY, premises), (MONDAY + timedelta(days=1), world.home())):  # not overlapping
        slot = search(world.service, place, day, 1, now=NOW).slots[0]
        book(
            BookingRequest(
                slot_token=slot.token,
                service=world.service,
                place=place,
                channel="phone",
                customer_id=customer.id,
                customer=CustomerDetails(name="Ann Baker", preferred_channel="post"),
            )
        )
        db.session.commit()
    at_work, at_home = (m.recipient.split("\n") for m in _letters())
    assert at_work == ["Ann Baker", "Baker's Bakes", "3 Market Place", "Devizes", "SN10 1HS"]
    assert at_home == ["Ann Baker", "12 High Street", "Devizes", "SN10 1AA"]  # the home visit's address


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


def _printed_text(pdf: bytes) -> str:
    """What the printed pages say, as a PDF reader extracts it. Spacing is ignored (long lines wrap,
    and shaped Devanagari comes back with a space inside some conjuncts), and so are glyphs that carry
    no text of their own: a vowel sign drawn in a shaped cluster, whose text the cluster's first glyph
    carries (pdfminer shows them as "(cid:N)"). A glyph drawn from the wrong font would still show."""
    text = re.sub(r"\(cid:\d+\)", "", extract_text(io.BytesIO(pdf)))
    return "".join(text.split())


@pytest.mark.parametrize(
    ("locale", "name", "says"),
    [
        ("pl", "Zofia Wąsowska", "Dziękujemy za rezerwację"),
        ("ne", "सीता श्रेष्ठ", "हामीसँग बुक गर्नुभएकोमा धन्यवाद"),
    ],
)
@time_machine.travel(NOW, tick=False)
def test_polish_and_nepali_letters_print_every_line_in_their_own_script(locale, name, says):
    world = World()
    world.service.name = "Blue Badge"  # in the catalogue: the letter names it in the resident's language
    slot = search(world.service, world.home(), MONDAY, 1, now=NOW).slots[0]
    book(
        BookingRequest(
            slot_token=slot.token,
            service=world.service,
            place=world.home(),
            channel="phone",
            customer=CustomerDetails(name=name, preferred_channel="post", locale=locale),
        )
    )
    letters.gather_batch(MONDAY)
    db.session.commit()
    (message,) = _letters()
    assert says in message.body
    pdf = letters.batch_pdf(MONDAY, UserFactory(role="agent"))
    printed = _printed_text(pdf)
    written = [
        "Wiltshire Council",
        *message.recipient.split("\n"),
        "1 December 2026",
        message.subject,
        *message.body.split("\n"),
    ]
    lines = ["".join(line.split()) for line in written if line.strip()]
    for line in lines:  # as often as it is written: an address line is also in the body's "Where"
        assert printed.count(line) >= "|".join(lines).count(line), line
    assert unprintable(f"{message.subject}{message.recipient}{message.body}") == ""  # no empty boxes


def _glyph_texts(pdf: bytes) -> list[str]:
    """The text each embedded glyph stands for, from the fonts' ToUnicode maps."""
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
    maps = [(zlib.decompress(data) if data[:1] == b"x" else data).decode("latin-1") for data in streams]
    targets = re.findall(r"<[0-9A-F]{4}> <([0-9A-F]+)>", "".join(m for m in maps if "beginbfchar" in m))
    return [bytes.fromhex(target).decode("utf-16-be") for target in targets]


def test_nepali_is_shaped_so_conjuncts_print_as_one_glyph():
    """HarfBuzz joins श + ् + र into one conjunct glyph; unshaped, the virama would print on its own."""
    letter = Letter(("सीता श्रेष्ठ",), "1 December 2026", "भेट", "कृपया", "Wiltshire Council")
    conjuncts = [text for text in _glyph_texts(build_pdf([letter])) if "\u094d" in text and len(text) > 1]
    assert "श्र" in conjuncts and "ष्ठ" in conjuncts


def test_a_long_nepali_letter_prints_every_line_on_every_page():
    body = "\n\n".join(["कृपया तयार राख्नुहोस्:\nProof of identity", "सीता श्रेष्ठ"] * 40)
    letter = Letter(("सीता श्रेष्ठ", "12 High Street"), "1 December 2026", "भेट", body, "Wiltshire Council")
    pdf = build_pdf([letter])
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") > 2  # page breaks mid-letter
    printed = _printed_text(pdf)
    assert printed.count("Proofofidentity") == 40 and printed.count("12HighStreet") == 1


def test_a_character_no_letter_font_has_is_caught(caplog):
    assert unprintable("Łódź नेपाल £5 – “quoted”") == ""
    assert unprintable("東京 and 東") == "東京"
    with caplog.at_level(logging.WARNING, logger="notifications.letter"):
        build_pdf([Letter(("Ana 東京",), "1 December 2026", "Booked", "Dear Ana,", "Wiltshire Council")])
    assert "Letter 1 of the batch has characters no letter font has: 東京" in caplog.text
    assert "Ana" not in caplog.text  # no names in the logs


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


def _another_time(world, appointment):
    """A free time other than the booking's own, as a move offers."""
    slots = search(world.service, world.home(), MONDAY, 3, now=NOW).slots
    return next(s.token for s in slots if s.start != appointment.window_start)


@time_machine.travel(NOW, tick=False)
def test_a_move_then_a_cancellation_before_the_batch_posts_only_the_cancellation():
    """Evening walk: booked by phone for a resident who reads post, moved, then cancelled, all before
    the afternoon batch: the batch printed 'Thank you for booking' at the first time, 'has moved' at
    the second, and the cancellation, for a visit nobody will make."""
    world = World()
    appointment = _book(world)
    reschedule(appointment, _another_time(world, appointment), channel="phone")
    db.session.commit()
    cancel(appointment, "Not needed", channel="phone")
    db.session.commit()
    assert letters.gather_batch(MONDAY) == 1
    (posted,) = letters.in_batch(MONDAY)
    assert posted.kind == "cancellation" and "has been cancelled" in posted.body
    withdrawn = [m for m in _letters() if m.status == "cancelled"]
    assert [m.kind for m in withdrawn] == ["confirmation", "reschedule"]
    assert letters.waiting() == 0


@time_machine.travel(NOW, tick=False)
def test_a_move_before_the_batch_posts_the_new_time_only_and_a_gathered_batch_is_left_alone():
    world = World()
    appointment = _book(world)
    reschedule(appointment, _another_time(world, appointment), channel="phone")
    db.session.commit()
    assert letters.gather_batch(MONDAY) == 1
    (posted,) = letters.in_batch(MONDAY)
    assert posted.kind == "reschedule" and "has moved" in posted.body
    # Once gathered (staff may be printing it), a later change leaves the batch as it is.
    cancel(appointment, "Not needed", channel="phone")
    db.session.commit()
    assert [m.kind for m in letters.in_batch(MONDAY) if m.status == "created"] == ["reschedule"]
    assert [m.kind for m in _letters() if m.status == "created" and m.batch_day is None] == ["cancellation"]
