"""What residents met after booking (fresh-eyes walk B): the page after cancelling, the language their
messages come in, and booking again from a clean start."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine

from app.appointments.links import manage_url
from app.booking.booking_request import CustomerDetails
from app.extensions import db
from app.i18n import gettext_for
from app.messaging.outbox import facts, resident_texts
from app.messaging.reminders import queue_due_reminders
from app.models import Address, Appointment, Message
from tests.booking_helpers import NOW, book_first_slot, world_with_a_street
from tests.pages import csrf_token


@pytest.fixture
def world():
    return world_with_a_street("SN10 1AA")


def _booked(world, **details) -> Appointment:
    with time_machine.travel(NOW, tick=False):
        appointment = book_first_slot(
            world,
            CustomerDetails(
                **{"name": "Jo Bloggs", "phone": "+447700900123", "preferred_channel": "sms"}
                | {"sms_consent": True}
                | details
            ),
        )
    db.session.commit()
    return appointment


def _open(client, appointment: Appointment) -> str:
    path = re.sub(r"^https?://[^/]+", "", manage_url(appointment))
    assert client.get(path).headers["Location"] == "/manage/booking"
    return client.get("/manage/booking").get_data(as_text=True)


def _cancel(client) -> str:
    page = client.get("/manage/booking/cancel").get_data(as_text=True)
    return client.post("/manage/booking/cancel", data={"csrf_token": csrf_token(page)}).get_data(as_text=True)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _to_details(client, world, times_from: str = "") -> None:
    """The journey for a home visit at 12 High Street, up to the details page (the first time offered,
    from the day given)."""
    service = client.get("/book/service").get_data(as_text=True)
    client.post("/book/service", data={"csrf_token": csrf_token(service), "service": world.service.code})
    where = client.get("/book/where").get_data(as_text=True)
    client.post("/book/where", data={"csrf_token": csrf_token(where), "location_type": "home"})
    postcode = client.get("/book/postcode").get_data(as_text=True)
    client.post("/book/postcode", data={"csrf_token": csrf_token(postcode), "postcode": "SN10 1AA"})
    address = client.get("/book/address").get_data(as_text=True)
    chosen = db.session.query(Address).one()
    client.post("/book/address", data={"csrf_token": csrf_token(address), "address": str(chosen.id)})
    at = f"/book/time?from={times_from}" if times_from else "/book/time"
    times = client.get(at).get_data(as_text=True)
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', times).group(1)
    client.post(at, data={"csrf_token": csrf_token(times), "slot": slot})


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("details", "told"),
    [
        ({}, "We have sent you a text message to confirm that it is cancelled."),
        (
            {"preferred_channel": "email", "email": "jo@example.com"},
            "We have sent you an email to confirm that it is cancelled.",
        ),
        ({"preferred_channel": "none"}, "We will not send you a message about it, so keep a note of your"),
    ],
)
def test_the_page_after_cancelling_says_what_was_cancelled_how_we_confirm_it_and_what_next(
    client, world, details, told
):
    appointment = _booked(world, **details)
    _open(client, appointment)
    page = _text(_cancel(client))
    reference = f"{appointment.reference[:4]}-{appointment.reference[4:]}"
    assert "Appointment cancelled" in page and f"Your reference {reference}" in page
    assert world.service.name in page and "Was booked for Monday 7 December 2026" in page
    assert "What happens next" in page and "Nobody will visit" in page and told in page
    assert f"Book {world.service.name} again" in page and "Book a different service" in page
    assert "Phone 0300 456 0100" in page and "Tell us if something went wrong" in page
    channels = {m.channel for m in db.session.query(Message).filter_by(kind="cancellation")}
    assert channels == ({"sms"} if not details else {"email"} if "email" in details else set())


@time_machine.travel(NOW, tick=False)
def test_the_page_after_cancelling_is_in_the_residents_language(client, world):
    appointment = _booked(world, locale="pl")
    client.get("/language/pl")
    _open(client, appointment)
    page = _text(_cancel(client))
    assert "Wizyta odwołana" in page and "Co będzie dalej" in page
    assert "Wysłaliśmy Ci SMS-a z potwierdzeniem, że wizyta jest odwołana." in page
    assert "Powiedz nam, jeśli coś poszło nie tak" in page


def test_the_resident_sees_and_changes_the_language_of_their_messages_and_later_ones_use_it(client, world):
    appointment = _booked(world)
    with time_machine.travel(NOW, tick=False):
        page = _open(client, appointment)
        assert "We send your texts, emails and letters in English." in page
        token = csrf_token(page)
        assert client.post("/manage/booking/language", data={"locale": "pl"}).status_code == 400  # no CSRF
        refused = client.post("/manage/booking/language", data={"csrf_token": token, "locale": "xx"})
        assert refused.status_code == 400
        html = refused.get_data(as_text=True)
        assert "govuk-error-summary" in html and "Select the language we should write to you in" in html
        db.session.refresh(appointment.customer)
        assert appointment.customer.locale == "en"
        done = client.post("/manage/booking/language", data={"csrf_token": token, "locale": "pl"})
        assert done.headers["Location"] == "/manage/booking?language=changed"
        page = client.get(done.headers["Location"]).get_data(as_text=True)
        assert "We will write to you in Polish from now on." in page  # named in the page's language
        assert 'value="pl" checked' in page
        again = client.post("/manage/booking/language", data={"csrf_token": token, "locale": "pl"})
        assert again.headers["Location"] == "/manage/booking"  # nothing changed, nothing to announce
        assert "Your appointment" in page  # the page itself stays in the language the resident reads
    db.session.refresh(appointment.customer)
    assert appointment.customer.locale == "pl"
    with time_machine.travel(datetime(2026, 12, 6, 10, 0, tzinfo=UTC), tick=False):  # the day before
        assert queue_due_reminders() == 1
        db.session.commit()
        reminder = db.session.query(Message).filter_by(kind="reminder_day_before").one()
        polish = resident_texts("reminder_day_before", facts(appointment), gettext_for("pl"))
    assert (
        reminder.body == polish[0]
        and reminder.body != resident_texts("reminder_day_before", facts(appointment), gettext_for("en"))[0]
    )


@time_machine.travel(NOW, tick=False)
def test_booking_again_starts_a_clean_journey_keeping_only_the_language(client, world):
    earlier = _booked(world)
    client.get("/language/pl")
    _to_details(client, world)
    details = client.get("/book/details").get_data(as_text=True)
    client.post(
        "/book/details",
        data={"csrf_token": csrf_token(details), "name": "Sam Earlier", "phone": "07700 900999"}
        | {"preferred_channel": "sms", "access_needs": "Wheelchair user"},
    )
    with client.session_transaction() as session:
        assert session["booking"]["slot"] and session["booking"]["details"]["name"] == "Sam Earlier"

    _open(client, earlier)
    page = _cancel(client)
    again = client.post(
        "/book/service",
        data={"csrf_token": csrf_token(page), "service": world.service.code, "start_again": "1"},
    )
    assert again.headers["Location"] == "/book/where"
    with client.session_transaction() as session:
        assert session["booking"] == {"service": world.service.code}
        assert session["locale"] == "pl"
    assert client.get("/book/details").headers["Location"] == "/book/where"
    assert client.get("/book/check").headers["Location"] == "/book/where"
    where = client.get("/book/where").get_data(as_text=True)
    assert "checked" not in where  # no place chosen yet


@time_machine.travel(NOW, tick=False)
def test_a_resident_who_asked_for_post_is_told_of_a_letter_not_an_email(client, world):
    _to_details(client, world, times_from="2026-12-07")  # far enough off for the post
    details = client.get("/book/details").get_data(as_text=True)
    client.post(
        "/book/details",
        data={"csrf_token": csrf_token(details), "name": "Jo Bloggs", "preferred_channel": "post"},
    )
    check = client.get("/book/check").get_data(as_text=True)
    client.post("/book/check", data={"csrf_token": csrf_token(check)})
    confirmation = client.get("/book/confirmation").get_data(as_text=True)
    assert "We will post you a letter confirming your appointment." in confirmation
    assert "We have also sent it to you" not in confirmation  # it was said to go "by email"
    assert {m.channel for m in db.session.query(Message).filter_by(kind="confirmation")} == {"letter"}
