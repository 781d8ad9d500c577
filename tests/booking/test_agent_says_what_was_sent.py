"""A fresh-eyes walk of the phone agent's screens: moving a booking said "The caller will be told the new
time" when nothing was sent (reminders by email, no email address), the agent could not change how a
caller is reminded, "Send a letter" queued one the banner had just said would arrive too late, and the
Move page gave no way to see one officer's times. Each test failed before its fix."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import time_machine

from app.booking.booking_request import CustomerDetails
from app.extensions import db
from app.messaging.reminders import queue_due_reminders
from app.models import Address, Appointment, AuditEvent, CallListEntry, Message, SmsOptOut
from tests.booking_helpers import MONDAY, NOW, World, book_first_slot
from tests.factories import AppointmentFactory, CustomerFactory
from tests.pages import csrf_token
from tests.safety_helpers import officer_user, sign_in_as

LATER = (MONDAY + timedelta(days=7)).isoformat()  # far enough ahead for a letter to arrive


def _slots(html: str) -> list[str]:
    return re.findall(r'name="slot" type="radio" value="([^"]+)"', html)


def _banner(html: str) -> str:
    """The notification banner's title and text, as the agent reads them."""
    found = re.search(r'<div class="govuk-notification-banner.*?</div>\s*</div>', html, flags=re.S)
    assert found, "no banner"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split())


def _booked(world: World, **details) -> Appointment:
    """A booking made by the real engine for Monday (a week ahead), onto a caller with these details."""
    details = {"name": "Kate Nowak", "phone": "+447700900042", **details}
    appointment = book_first_slot(world, CustomerDetails(**details), channel="web")
    db.session.commit()
    return appointment


def _move(client, appointment: Appointment, first_day: str = LATER, **query) -> str:
    """The agent moves it to the first time offered from `first_day`; the caller's page they land on."""
    url = f"/agent/appointments/{appointment.id}/move?from={first_day}"
    url += "".join(f"&{name}={value}" for name, value in query.items())
    page = client.get(url).get_data(as_text=True)
    done = client.post(url, data={"csrf_token": csrf_token(page), "slot": _slots(page)[0]})
    assert done.status_code == 302, done.get_data(as_text=True)
    return client.get(done.headers["Location"]).get_data(as_text=True)


def _cancel(client, appointment: Appointment) -> str:
    url = f"/agent/appointments/{appointment.id}/cancel"
    done = client.post(url, data={"csrf_token": csrf_token(client.get(url).get_data(as_text=True))})
    assert done.status_code == 302
    return client.get(done.headers["Location"]).get_data(as_text=True)


def _messages(kind: str) -> list[Message]:
    return db.session.query(Message).filter_by(kind=kind).order_by(Message.id).all()


# 1. The agent is told what was sent, and how; when nothing was, why and what to do -------------------


@time_machine.travel(NOW, tick=False)
def test_moving_a_booking_whose_reminders_cannot_reach_the_caller_says_nothing_was_sent(client, sign_in):
    """H9R6-YK83: reminders by email, no email address, a mobile but not for texts."""
    world = World()
    appointment = _booked(world, preferred_channel="email", sms_consent=True)
    sign_in("agent")
    page = _move(client, appointment)
    assert _messages("reschedule") == []
    banner = _banner(page)
    assert banner.startswith("Important")  # not a green "Success": nothing is on its way
    assert "The caller will be told" not in banner
    assert "Appointment moved to Monday 14 December 2026" in banner
    assert (
        "Nothing was sent to the caller (their reminders are by email, but we have no email address" in banner
    )
    assert "tell them the new time now" in banner and "Change details" in banner


@time_machine.travel(NOW, tick=False)
def test_moving_says_how_the_new_time_was_sent_for_this_move_only(client, sign_in):
    """By text; then, after the caller stops texts, a second move says nothing went (the first move's
    text is about another time)."""
    world = World()
    appointment = _booked(world, preferred_channel="sms", sms_consent=True)
    agent = sign_in("agent")
    page = _move(client, appointment)
    assert [m.channel for m in _messages("reschedule")] == ["sms"]
    assert "The caller will get the new time by text." in _banner(page)
    assert _banner(page).startswith("Success")
    stop = client.post(
        f"/agent/customers/{appointment.customer_id}/stop-texts", data={"csrf_token": csrf_token(page)}
    )
    assert stop.status_code == 302 and agent
    again = _move(client, appointment, (MONDAY + timedelta(days=8)).isoformat())
    assert "Nothing was sent to the caller (they asked for no messages)" in _banner(again)
    assert "Change details" not in _banner(again)  # their own choice: nothing to mend


@time_machine.travel(NOW, tick=False)
def test_moving_a_letter_readers_booking_says_a_letter_goes_or_is_too_late(client, sign_in):
    world = World()
    appointment = _booked(world, phone="", preferred_channel="post")
    sign_in("agent")
    far = _move(client, appointment)
    assert "A letter with the new time will go in the next print batch." in _banner(far)
    soon = _move(client, appointment, NOW.date().isoformat())  # this week: a letter would be too late
    assert [m.channel for m in _messages("reschedule")] == ["letter"]  # the first move's only
    assert "It is too soon for a letter to reach the caller, so none is sent: tell them the new time now" in (
        _banner(soon)
    )


@time_machine.travel(NOW, tick=False)
def test_cancelling_says_what_the_caller_is_sent(client, sign_in):
    world = World()
    by_email = _booked(world, name="Em Ail", phone="", email="em@example.com", preferred_channel="email")
    unreachable = _booked(world, name="No Body", preferred_channel="sms", sms_consent=False)
    sign_in("agent")
    assert "The caller will get a confirmation that it is cancelled by email." in _banner(
        _cancel(client, by_email)
    )
    banner = _banner(_cancel(client, unreachable))
    assert banner.startswith("Important")
    assert "Nothing was sent to the caller (their reminders are by text, but they have not agreed" in banner
    assert "tell them now that it is cancelled" in banner


@time_machine.travel(NOW, tick=False)
def test_booking_with_no_messages_says_why_nothing_was_sent(client, sign_in):
    world = World()
    customer = CustomerFactory(email="", lat=51.355, lng=-1.99)
    db.session.commit()
    sign_in("agent")
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home"
    page = client.get(url).get_data(as_text=True)
    done = client.post(
        url, data={"csrf_token": csrf_token(page), "slot": _slots(page)[0], "preferred_channel": "none"}
    )
    banner = _banner(client.get(done.headers["Location"]).get_data(as_text=True))
    assert "Booked: reference" in banner
    assert "Nothing was sent to the caller (they asked for no messages): read the reference out" in banner


@time_machine.travel(NOW, tick=False)
def test_resending_a_confirmation_says_how_it_went(client, sign_in):
    world = World()
    by_post = _booked(world, name="Ala Post", phone="", preferred_channel="post")
    sign_in("agent")
    url = f"/agent/customers/{by_post.customer_id}"
    done = client.post(
        f"/agent/appointments/{by_post.id}/resend", data={"csrf_token": csrf_token(client.get(url).text)}
    )
    assert "A confirmation letter will go in the next print batch." in _banner(
        client.get(done.headers["Location"]).get_data(as_text=True)
    )  # it said "Confirmation sent again."
    assert [m.channel for m in _messages("confirmation")] == ["letter", "letter"]


# 2. "Change details" sets how the caller is reminded, by the one contact rule ---------------------


def _details(customer, **changes) -> dict:
    """The caller's form as the agent sends it, with `changes`; their address is in the gazetteer."""
    if not db.session.query(Address).filter_by(uprn="1").count():
        db.session.add(
            Address(
                uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99
            )
        )
        db.session.commit()
    return {
        "name": customer.name,
        "phone": customer.phone,
        "email": customer.email,
        "line1": customer.address_line1,
        "postcode": customer.postcode,
        **changes,
    }


@time_machine.travel(NOW, tick=False)
def test_the_agent_changes_how_a_caller_is_reminded_by_the_contact_rule(client, sign_in):
    world = World()
    appointment = _booked(world, preferred_channel="email", sms_consent=False)
    customer = appointment.customer
    sign_in("agent")
    new_caller = client.get("/agent/callers/new").text
    assert 'name="preferred_channel"' not in new_caller  # asked when the agent books, as before
    url = f"/agent/customers/{customer.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'name="preferred_channel" type="radio" value="email" checked' in page
    token = csrf_token(page)

    refused = client.post(url, data={"csrf_token": token, **_details(customer, preferred_channel="email")})
    assert refused.status_code == 200
    assert "Emails need an email address: enter one, or choose another way" in refused.text
    no_consent = client.post(url, data={"csrf_token": token, **_details(customer, preferred_channel="sms")})
    assert "Ask the caller if they agree to texts" in no_consent.text
    landline = _details(customer, phone="01380 722000", preferred_channel="sms", sms_consent="y")
    assert "Texts need a UK mobile number" in client.post(url, data={"csrf_token": token, **landline}).text
    db.session.refresh(customer)
    assert (customer.preferred_channel, customer.sms_consent) == ("email", False)  # nothing saved

    saved = client.post(
        url, data={"csrf_token": token, **_details(customer, preferred_channel="sms", sms_consent="y")}
    )
    assert saved.status_code == 302, re.findall(r'govuk-error-message">(.*?)</p', saved.text, flags=re.S)
    db.session.refresh(customer)
    assert (customer.preferred_channel, customer.sms_consent) == ("sms", True)
    assert db.session.query(AuditEvent).filter_by(action="sms_consent_recorded").count() == 1
    assert "The caller has agreed to texts" in client.get(url).text  # no box to untick: "Stop texts"
    assert "The caller will get the new time by text." in _banner(_move(client, appointment))

    emailed = client.post(
        url,
        data={"csrf_token": token, **_details(customer, email="kate@example.com", preferred_channel="email")},
    )
    assert emailed.status_code == 302
    db.session.refresh(customer)
    assert (customer.email, customer.preferred_channel) == ("kate@example.com", "email")


@time_machine.travel(NOW, tick=False)
def test_texts_to_a_number_that_replied_stop_are_refused_on_change_details(client, sign_in):
    world = World()
    appointment = _booked(world, phone="+447700900077", preferred_channel="post")
    db.session.add(SmsOptOut(phone="+447700900077", at=NOW))
    db.session.commit()
    sign_in("agent")
    url = f"/agent/customers/{appointment.customer_id}/edit"
    token = csrf_token(client.get(url).text)
    details = _details(appointment.customer, preferred_channel="sms", sms_consent="y")
    refused = client.post(url, data={"csrf_token": token, **details})
    assert refused.status_code == 200 and "This number replied STOP" in refused.text
    db.session.refresh(appointment.customer)
    assert appointment.customer.preferred_channel == "post"


# 4. "Send a letter" agrees with the banner that said it is too soon for one ------------------------


@time_machine.travel(NOW, tick=False)
def test_send_a_letter_is_not_offered_when_it_would_arrive_after_the_visit(client, sign_in):
    world = World()
    customer = CustomerFactory(phone="+441380722000", email="", lat=51.355, lng=-1.99)
    db.session.commit()
    sign_in("agent")
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home"
    page = client.get(url).get_data(as_text=True)
    done = client.post(
        url, data={"csrf_token": csrf_token(page), "slot": _slots(page)[0], "preferred_channel": "post"}
    )
    shown = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "It is too soon for a letter to reach the caller" in _banner(shown)
    assert "Send a letter" not in shown
    assert "No letter can be sent: it would not arrive before the visit." in shown
    appointment = db.session.query(Appointment).one()
    stale = client.post(
        f"/agent/appointments/{appointment.id}/letter", data={"csrf_token": csrf_token(shown)}
    )
    assert "It is too soon for a letter to reach the caller" in _banner(
        client.get(stale.headers["Location"]).text
    )
    assert db.session.query(Message).filter_by(channel="letter").count() == 0


# 5. The Move page offers every officer's times, and one officer's on request ------------------------


@time_machine.travel(NOW, tick=False)
def test_the_move_page_offers_any_officer_or_the_one_chosen(client, sign_in):
    world = World(officers=2)
    appointment = _booked(world, preferred_channel="sms", sms_consent=True)
    current = appointment.officer
    other = next(o for o in world.officers if o is not current)
    sign_in("agent")
    url = f"/agent/appointments/{appointment.id}/move?from={LATER}"
    page = client.get(url).get_data(as_text=True)
    assert f"with {current.name}" in page
    assert f'<option value="{other.id}">{other.name}</option>' in page
    assert "Any officer who can (2)" in page
    theirs = client.get(f"{url}&officer={other.id}").get_data(as_text=True)
    times = theirs.split('name="slot"', 1)[1]
    assert other.name in times and current.name not in times
    assert f"officer={other.id}" in theirs.split("Show later dates")[0].rsplit("href=", 1)[1]
    _move(client, appointment, officer=other.id)
    db.session.refresh(appointment)
    assert appointment.officer == other


@time_machine.travel(NOW, tick=False)
def test_the_move_page_says_when_only_one_officer_can_do_the_visit(client, sign_in):
    world = World()
    appointment = _booked(world)
    sign_in("agent")
    page = client.get(f"/agent/appointments/{appointment.id}/move").get_data(as_text=True)
    assert f"{world.officers[0].name} is the only officer who can do this visit here" in page
    assert 'name="officer"' not in page


# 5. A new number from Change details gets what was still waiting for the old one -----------------------


def test_a_reminder_waiting_for_the_old_number_goes_to_the_callers_new_one_once(client, sign_in):
    world = World()
    with time_machine.travel(NOW, tick=False):
        appointment = _booked(world, preferred_channel="sms", sms_consent=True)
        db.session.query(Message).update({"status": "sent"})  # its confirmation went days ago
        db.session.commit()
    customer = appointment.customer
    day_before = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)  # Sunday 10am: Monday's reminder is due
    with time_machine.travel(day_before, tick=False):
        assert queue_due_reminders() == 1  # to +447700900042, not sent yet
        db.session.commit()
        sign_in("agent")
        url = f"/agent/customers/{customer.id}/edit"
        token = csrf_token(client.get(url).text)
        details = _details(customer, phone="07700 900456", preferred_channel="sms")
        saved = client.post(url, data={"csrf_token": token, **details})
        assert saved.status_code == 302
        assert "1 text or email that was waiting to go will now go to the new details" in _banner(
            client.get(saved.headers["Location"]).text
        )
        reminders = db.session.query(Message).filter_by(kind="reminder_day_before").order_by(Message.id)
        assert [(m.recipient, m.status) for m in reminders] == [
            ("+447700900042", "cancelled"),
            ("+447700900456", "created"),
        ]
        assert queue_due_reminders() == 0  # the reminders job sees it written: no third one
        # Saved again unchanged: nothing more is redirected or said.
        again = client.post(url, data={"csrf_token": token, **_details(customer, preferred_channel="sms")})
        assert "waiting to go" not in _banner(client.get(again.headers["Location"]).text)
    assert db.session.query(Message).filter_by(kind="reminder_day_before").count() == 2


# 6. A caller rings to add what the officer should know -----------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_access_needs_given_by_phone_reach_the_officers_day_for_every_visit_to_come(client, sign_in, app):
    world = World()
    user, officer = officer_user(world)
    appointment = _booked(world)
    assert appointment.officer_id == officer.id and appointment.access_needs == ""
    customer = appointment.customer
    sign_in("agent")
    url = f"/agent/customers/{customer.id}/edit"
    token = csrf_token(client.get(url).text)
    needs = _details(customer, access_needs="Uses a wheelchair: side door", interpreter_language="Polish")
    saved = client.post(url, data={"csrf_token": token, **needs})
    assert saved.status_code == 302
    assert "Their booked visit still to come now shows the officer what they need." in _banner(
        client.get(saved.headers["Location"]).text
    )
    db.session.refresh(appointment)
    assert (appointment.access_needs, appointment.interpreter_language) == (
        "Uses a wheelchair: side door",
        "Polish",
    )
    assert customer.access_needs == "Uses a wheelchair: side door"  # and for their next booking
    assert 'value="Polish"' in client.get(url).text  # the form shows what is recorded
    assert db.session.query(CallListEntry).filter_by(appointment_id=appointment.id).one().source == (
        "interpreter"  # no officer on it speaks Polish: the supervisors book one
    )
    assert db.session.query(Message).filter_by(kind="needs_changed").count() == 0  # on the phone already
    officer_client = app.test_client()
    sign_in_as(officer_client, user)
    day = " ".join(re.sub(r"<[^>]+>", " ", officer_client.get("/officer/day/2026-12-07").text).split())
    assert "Uses a wheelchair: side door" in day and "Changed by the resident Updated Access needs" in day


@time_machine.travel(NOW, tick=False)
def test_needs_given_by_phone_for_a_caller_with_two_visits_say_the_officers(client, sign_in):
    """Each visit may be another officer's: 'their officers', not 'The officer of' (found by the walk)."""
    world = World(officers=2)
    first = _booked(world)
    second = AppointmentFactory(
        service=world.service,
        customer=first.customer,
        officer=world.officers[1],
        window_start=first.window_start + timedelta(days=1),
    )
    db.session.commit()
    customer = first.customer
    sign_in("agent")
    url = f"/agent/customers/{customer.id}/edit"
    token = csrf_token(client.get(url).text)
    saved = client.post(
        url, data={"csrf_token": token, **_details(customer, access_needs="Deaf: knock hard")}
    )
    banner = _banner(client.get(saved.headers["Location"]).text)
    assert "Their 2 booked visits still to come now show their officers what they need." in banner
    db.session.refresh(second)
    assert second.access_needs == "Deaf: knock hard"
