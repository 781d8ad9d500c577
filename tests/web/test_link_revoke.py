"""Resident links and sessions that can be ended (the attacker's report): staff send a new link and
every older link and session stops working; "I have finished" ends every copy of the session cookie,
while the resident's own link keeps working. Through the real pages."""

from __future__ import annotations

import re

import pytest
import time_machine
from itsdangerous import URLSafeTimedSerializer

from app.appointments.links import CALENDAR, MANAGE, ics_url, manage_url, signed_version, token_for
from app.booking.booking_request import CustomerDetails
from app.config import settings
from app.extensions import db
from app.models import Appointment, AuditEvent, Message
from tests.booking_helpers import NOW, book_first_slot, world_with_a_street
from tests.pages import PageCheckingClient, csrf_token, submit_form


@pytest.fixture
def world():
    return world_with_a_street("SN10 1AA")


@pytest.fixture
def appointment(world) -> Appointment:
    with time_machine.travel(NOW, tick=False):
        booked = book_first_slot(
            world,
            CustomerDetails(
                name="Jo Bloggs",
                phone="+447700900123",
                preferred_channel="sms",
                sms_consent=True,
                locale="pl",
            ),
        )
    db.session.commit()
    return booked


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _opens(client, link: str) -> bool:
    """The link opens the booking's page in this browser."""
    response = client.get(_path(link))
    return (
        response.headers.get("Location") == "/manage/booking"
        and client.get("/manage/booking").status_code == 200
    )


def _signed_in(client) -> bool:
    return client.get("/manage/booking").status_code == 200


def _copy_of(app, client) -> PageCheckingClient:
    """Another browser holding a copy of this browser's session cookie."""
    name = app.config["SESSION_COOKIE_NAME"]
    thief = app.test_client()
    thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def _send_new_link(client, appointment):
    """An agent (or supervisor) presses "Send a new link" on the booking's card of the caller's page."""
    page = client.get(f"/agent/customers/{appointment.customer_id}").get_data(as_text=True)
    assert "Send a new link" in page
    return client.post(
        f"/agent/appointments/{appointment.id}/new-link", data={"csrf_token": csrf_token(page)}
    )


@time_machine.travel(NOW, tick=False)
def test_a_new_link_ends_every_older_link_and_session_and_reaches_the_resident(
    app, client, sign_in, appointment
):
    old_link, old_calendar = manage_url(appointment), ics_url(appointment, external=False)
    resident = app.test_client()
    assert _opens(resident, old_link)
    assert resident.get(old_calendar).status_code == 200

    sign_in("agent")
    done = _send_new_link(client, appointment)
    assert done.status_code == 302
    assert "Older links for" in client.get(done.headers["Location"]).get_data(as_text=True)

    db.session.refresh(appointment)
    assert appointment.link_version == 1
    refused = resident.get(_path(old_link))
    assert refused.status_code == 410
    page = refused.get_data(as_text=True)
    assert "Ten link już nie działa" in page and "Wysłaliśmy nowy link" in page  # they read Polish
    assert "0300 456 0100" in page and "/manage/find" in page
    assert not _signed_in(resident)  # the session it opened ended too
    assert resident.get(old_calendar).status_code == 404

    texts = db.session.query(Message).filter_by(kind="new_link", channel="sms").all()
    new_link = manage_url(appointment)
    assert texts and any(new_link in t.body for t in texts)
    assert all(t.recipient == "+447700900123" for t in texts)
    assert texts[0].body.startswith("Wiltshire Council: nowy link do wizyty")  # they read Polish
    assert new_link != old_link and _opens(app.test_client(), new_link)
    assert app.test_client().get(ics_url(appointment, external=False)).status_code == 200
    event = db.session.query(AuditEvent).filter_by(action="manage_link_replaced").one()
    assert event.object_id == appointment.reference and event.detail["sent_by"] == ["sms"]


@time_machine.travel(NOW, tick=False)
def test_a_link_issued_before_versions_works_until_the_first_new_link(app, client, sign_in, appointment):
    """Links texted before this release signed the bare reference: kept, as version 0, until revoked."""
    secret = app.config["SECRET_KEY"]
    before = "/manage/" + URLSafeTimedSerializer(secret, salt=MANAGE).dumps(appointment.reference)
    assert before == _path(manage_url(appointment))  # version 0 signs exactly as before
    assert _opens(app.test_client(), before)
    sign_in("supervisor")
    assert _send_new_link(client, appointment).status_code == 302
    assert app.test_client().get(before).status_code == 410


@time_machine.travel(NOW, tick=False)
def test_a_broken_link_gets_the_page_that_says_what_to_do_not_an_error(client, appointment):
    link = _path(manage_url(appointment))
    for broken in (link[:-3], "/manage/not-a-token", link + "x"):
        response = client.get(broken)
        assert response.status_code == 404
        page = response.get_data(as_text=True)
        assert "This link does not work" in page and "0300 456 0100" in page


@time_machine.travel(NOW, tick=False)
def test_i_have_finished_ends_every_copy_of_the_session_but_not_the_residents_link(app, client, appointment):
    link = manage_url(appointment)
    assert _opens(client, link)
    copy = _copy_of(app, client)
    assert _signed_in(copy)  # a copied cookie works until the resident finishes

    page = client.get("/manage/booking").get_data(as_text=True)
    assert client.post("/manage/signed-out", data={}).status_code == 400  # CSRF: nobody else can end it
    assert _signed_in(copy)
    finished = client.post("/manage/signed-out", data={"csrf_token": csrf_token(page)})
    assert finished.status_code == 302
    said = client.get(finished.headers["Location"]).get_data(as_text=True)
    assert "Zakończono. Aby znowu zobaczyć swoją rezerwację" in said  # in their language, not a bare page

    assert not _signed_in(client)
    assert not _signed_in(copy)  # the copy ended on the server, not just in this browser
    assert _opens(client, link)  # the texted link is theirs: it still opens the booking
    db.session.refresh(appointment)
    assert appointment.link_version == 0 and appointment.session_version == 1


@time_machine.travel(NOW, tick=False)
def test_i_have_finished_does_not_say_the_booking_is_unchanged_after_a_change(client, appointment):
    """Found by a walk of main: just after saving access needs, "I have finished" said "Your booking has
    not changed" (in Polish too)."""
    assert _opens(client, manage_url(appointment))
    saved = submit_form(
        client, "/manage/booking/needs", {"access_needs": "Wheelchair user", "interpreter_language": ""}
    )
    assert saved.status_code == 200
    db.session.refresh(appointment)
    assert appointment.access_needs == "Wheelchair user"
    page = client.get("/manage/booking").get_data(as_text=True)
    finished = client.post("/manage/signed-out", data={"csrf_token": csrf_token(page)})
    said = client.get(finished.headers["Location"]).get_data(as_text=True)
    assert "Zakończono. Aby znowu zobaczyć swoją rezerwację" in said
    assert "nie zmieniła" not in said


@time_machine.travel(NOW, tick=False)
def test_finding_the_booking_by_reference_still_works_after_a_new_link(app, client, sign_in, appointment):
    sign_in("agent")
    assert _send_new_link(client, appointment).status_code == 302
    resident = app.test_client()
    found = submit_form(
        resident,
        "/manage/find",
        {"reference": appointment.reference, "surname": "Bloggs", "postcode": "SN10 1AA"},
    )
    assert found.headers.get("Location") == "/manage/booking" and _signed_in(resident)


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("role", ["officer", None])
def test_only_staff_who_change_bookings_may_send_a_new_link(app, client, sign_in, appointment, role):
    link = manage_url(appointment)
    if role:
        sign_in(role)
        token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    else:  # a resident, signed in to their own booking
        assert _opens(client, link)
        token = csrf_token(client.get("/manage/booking").get_data(as_text=True))
    response = client.post(f"/agent/appointments/{appointment.id}/new-link", data={"csrf_token": token})
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/sign-in" in response.headers["Location"]
    db.session.refresh(appointment)
    assert appointment.link_version == 0 and _opens(app.test_client(), link)
    assert not db.session.query(Message).filter_by(kind="new_link").count()


@time_machine.travel(NOW, tick=False)
def test_sending_a_new_link_needs_the_forms_csrf_token(client, sign_in, appointment):
    sign_in("agent")
    response = client.post(f"/agent/appointments/{appointment.id}/new-link", data={})
    assert response.status_code == 400
    db.session.refresh(appointment)
    assert appointment.link_version == 0


@time_machine.travel(NOW, tick=False)
def test_a_revoked_session_cannot_show_the_confirmation_page_with_a_fresh_link(
    app, client, sign_in, appointment
):
    """The browser that booked holds the booking too (its confirmation shows a manage link): a copy of
    that cookie must not hand out the new link after staff revoke the old ones."""
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["booked_reference"] = appointment.reference  # as a session from before this release
    assert browser.get("/book/confirmation").status_code == 200
    sign_in("agent")
    _send_new_link(client, appointment)
    assert browser.get("/book/confirmation").status_code == 302  # back to the start: nothing shown


@time_machine.travel(NOW, tick=False)
def test_a_new_link_that_reaches_nobody_is_not_announced_as_a_success(client, sign_in, world):
    """A caller with no text or email: the agent sees an "Important" banner that says nothing was
    sent, not a green "Success" they might read out as "it is on its way"."""
    with time_machine.travel(NOW, tick=False):
        booked = book_first_slot(world, CustomerDetails(name="Pat Post", phone="", preferred_channel="none"))
    db.session.commit()
    sign_in("agent")
    page = _send_new_link(client, booked)
    html = client.get(page.headers["Location"]).get_data(as_text=True)
    assert "No link was sent" in html and "Give them the reference" in html
    assert "govuk-notification-banner--success" not in html


@time_machine.travel(NOW, tick=False)
def test_the_links_are_signed_as_before_and_with_the_secret_key_in_use(configure, appointment):
    """Signing keeps one serializer per key and salt (made once): the tokens are the ones a serializer
    made for the call signs, for each version, and a new SECRET_KEY signs with the new key at once."""
    appointment.link_version = 2

    def signed(secret: str, salt: str) -> str:
        return URLSafeTimedSerializer(secret, salt=salt).dumps(appointment.reference)

    for _ in range(2):  # made, then reused
        assert token_for(appointment) == signed(settings().secret_key, f"{MANAGE}:v2")
        assert token_for(appointment, CALENDAR) == signed(settings().secret_key, f"{CALENDAR}:v2")
    assert manage_url(appointment).endswith("/manage/" + token_for(appointment))
    configure(secret_key="another secret key, long enough to be accepted as one")
    assert token_for(appointment) == signed(
        "another secret key, long enough to be accepted as one", f"{MANAGE}:v2"
    )
    assert signed_version(token_for(appointment), appointment) == 2
