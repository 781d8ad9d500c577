"""Residents change their contact details and what the officer should know from their booking's signed
link, without phoning: the journey's questions and rules, a confirmation page, an audit entry, a message
to the new contact and a notice to the old one, the officer's day, and no change once the visit began."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.appointments.links import manage_url, revoke_links
from app.booking.booking_request import CustomerDetails
from app.booking.changes import cancel, record_outcome
from app.booking.errors import BookingRuleError
from app.extensions import db
from app.messaging.consent import stop_from
from app.messaging.dispatch import dispatch_due
from app.messaging.reminders import queue_due_reminders
from app.models import Appointment, AuditEvent, CallListEntry, Message
from app.safety.safety import arrive
from tests.booking.test_manage_walk_b import _open
from tests.booking_helpers import NOW, World, book_first_slot
from tests.pages import csrf_token
from tests.safety_helpers import officer_user, sign_in_as

OLD, NEW = "+447700900123", "+447700900456"
DAY_BEFORE = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)  # a Sunday, 10am: the day-before reminder is due


@pytest.fixture
def world():
    return World()


def _booked(world, **details) -> Appointment:
    with time_machine.travel(NOW, tick=False):
        appointment = book_first_slot(
            world,
            CustomerDetails(
                **{"name": "Jo Bloggs", "phone": OLD, "preferred_channel": "sms", "sms_consent": True}
                | details
            ),
        )
    db.session.commit()
    return appointment


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _post(client, path: str, **data):
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf_token(page), **data})


def _contact(client, phone="", email="", channel="sms"):
    return _post(client, "/manage/booking/contact", phone=phone, email=email, preferred_channel=channel)


def _needs(client, access_needs="", interpreter=""):
    return _post(client, "/manage/booking/needs", access_needs=access_needs, interpreter_language=interpreter)


def _messages(kind: str) -> list[Message]:
    return db.session.query(Message).filter_by(kind=kind).order_by(Message.id).all()


@time_machine.travel(NOW, tick=False)
def test_a_new_mobile_gets_the_confirmation_and_the_old_one_a_short_notice(client, world):
    appointment = _booked(world)
    page = _text(_open(client, appointment))
    assert "How we contact you" in page and "07700 900123" in page and "What the officer should know" in page

    done = _contact(client, phone="07700 900456")

    assert done.status_code == 200
    page = _text(done.get_data(as_text=True))
    assert "Your contact details have been changed" in page
    assert "We have sent a text message to 07700 900456 to confirm the change." in page
    assert "We have also told 07700 900123 that it will not hear from us about this booking any more." in page
    db.session.refresh(appointment.customer)
    assert appointment.customer.phone == NEW
    [confirmation] = _messages("contact_changed")
    assert (confirmation.channel, confirmation.recipient) == ("sms", NEW)
    assert manage_url(appointment) in confirmation.body
    [notice] = _messages("contact_notice")
    reference = f"{appointment.reference[:4]}-{appointment.reference[4:]}"
    assert (notice.channel, notice.recipient) == ("sms", OLD)
    assert reference in notice.body and "0300 456 0100" in notice.body
    assert "http" not in notice.body and "Dec" not in notice.body  # no link, no time: maybe a stranger's now
    [entry] = db.session.query(AuditEvent).filter_by(action="resident_contact_changed").all()
    assert entry.object_id == appointment.reference and entry.detail["changed"] == ["phone"]
    assert NEW not in str(entry.detail) and OLD not in str(entry.detail)

    with time_machine.travel(DAY_BEFORE, tick=False):  # later reminders go to the new number only
        assert queue_due_reminders() == 1
        db.session.commit()
    assert [m.recipient for m in _messages("reminder_day_before")] == [NEW]


@time_machine.travel(NOW, tick=False)
def test_the_same_answers_again_change_nothing_and_send_nothing(client, world):
    appointment = _booked(world)
    _open(client, appointment)
    again = _contact(client, phone="07700 900123")
    assert again.headers["Location"] == "/manage/booking"
    assert not _messages("contact_changed") and not _messages("contact_notice")
    assert not db.session.query(AuditEvent).filter_by(action="resident_contact_changed").count()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"phone": "12345"}, "Enter a UK phone number, like 01380 722000 or 07700 900 982"),
        ({"phone": ""}, "Enter a mobile number so we can text you reminders"),
        (
            {"phone": "01380 722000"},
            "Enter a mobile number for text reminders, or choose another way to be reminded",
        ),
        ({"phone": "+48 601 234 567"}, "We can only text UK mobile numbers."),
        (
            {"phone": OLD, "email": "jo@", "channel": "email"},
            "Enter an email address in the correct format, like name@example.com",
        ),
        ({"phone": OLD, "channel": "email"}, "Enter an email address so we can email you reminders"),
        ({"phone": "", "channel": "none"}, "Enter a phone number so we can contact you about your"),
        ({"phone": OLD, "channel": "pigeon"}, "Not a valid choice"),
    ],
)
def test_bad_contact_details_are_refused_by_the_journeys_rules(client, world, answers, error):
    appointment = _booked(world)
    _open(client, appointment)
    refused = _contact(client, **answers)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "govuk-error-summary" in html and "There is a problem" in html and error in html
    db.session.refresh(appointment.customer)
    assert (appointment.customer.phone, appointment.customer.email) == (OLD, "")
    assert not _messages("contact_changed") and not _messages("contact_notice")


@time_machine.travel(NOW, tick=False)
def test_changes_need_the_forms_csrf_token(client, world):
    appointment = _booked(world)
    _open(client, appointment)
    answers = {"phone": "07700 900456", "preferred_channel": "sms"}
    no_token = client.post("/manage/booking/contact", data=answers)
    assert no_token.status_code == 400
    no_token = client.post("/manage/booking/needs", data={"access_needs": "Ramp"})
    assert no_token.status_code == 400
    db.session.refresh(appointment)
    assert appointment.customer.phone == OLD and appointment.access_needs == ""


@time_machine.travel(NOW, tick=False)
def test_a_number_that_replied_stop_is_taken_as_when_booking_but_not_texted(client, world):
    appointment = _booked(world)
    stop_from(NEW)
    db.session.commit()
    _open(client, appointment)
    page = _text(_contact(client, phone="07700 900456").get_data(as_text=True))
    assert "We will not text 07700 900456: that number replied STOP to one of our texts" in page
    assert "We will not send you a message about this change, so keep a note of your reference" in page
    assert not _messages("contact_changed")
    assert [m.recipient for m in _messages("contact_notice")] == [OLD]


@time_machine.travel(NOW, tick=False)
def test_texts_stopped_on_the_page_start_again_when_the_resident_chooses_texts(client, world):
    appointment = _booked(world)
    page = _open(client, appointment)
    client.post("/manage/booking/stop-texts", data={"csrf_token": csrf_token(page)})
    db.session.refresh(appointment.customer)
    assert (appointment.customer.sms_consent, appointment.customer.preferred_channel) == (False, "none")
    page = _text(_contact(client, phone="07700 900123", channel="sms").get_data(as_text=True))
    assert "We have sent a text message to 07700 900123 to confirm the change." in page
    db.session.refresh(appointment.customer)
    assert (appointment.customer.sms_consent, appointment.customer.preferred_channel) == (True, "sms")


@time_machine.travel(NOW, tick=False)
def test_choosing_email_confirms_by_email_and_tells_no_one_when_no_number_or_address_was_replaced(
    client, world
):
    appointment = _booked(world)
    _open(client, appointment)
    done = _contact(client, phone="07700 900123", email="jo@example.com", channel="email")
    page = _text(done.get_data(as_text=True))
    assert "We have sent an email to jo@example.com to confirm the change." in page
    assert "We have also told" not in page  # the number is theirs still: only reminders moved to email
    [confirmation] = _messages("contact_changed")
    assert (confirmation.channel, confirmation.recipient) == ("email", "jo@example.com")
    assert not _messages("contact_notice")


@time_machine.travel(NOW, tick=False)
def test_an_email_address_replaced_is_told_without_the_bookings_details(client, world, smtp):
    appointment = _booked(world, preferred_channel="email", email="old@example.com")
    _open(client, appointment)
    done = _contact(client, phone="07700 900123", email="new@example.com", channel="email")
    page = _text(done.get_data(as_text=True))
    assert "We have also told old@example.com" in page
    [notice] = _messages("contact_notice")
    assert (notice.channel, notice.recipient) == ("email", "old@example.com")
    assert "http" not in notice.body and world.service.name not in notice.body
    assert [m.recipient for m in _messages("contact_changed")] == ["new@example.com"]

    dispatch_due()  # the booking's confirmation had not gone yet: it goes to the new address instead
    sent = {(email["To"], email["Subject"].split(" (")[0]): email for email in smtp.messages}
    assert set(sent) == {
        ("new@example.com", f"Appointment booked: {world.service.name}"),
        ("new@example.com", "Your contact details have changed"),
        ("old@example.com", "Your contact details were changed"),
    }
    old = sent["old@example.com", "Your contact details were changed"]
    assert not list(old.iter_attachments())  # no calendar file: it would say when and where
    assert list(sent["new@example.com", "Your contact details have changed"].iter_attachments())


def test_a_text_still_waiting_for_the_old_number_goes_to_the_new_one_once(client, world):
    appointment = _booked(world)
    with time_machine.travel(DAY_BEFORE, tick=False):
        assert queue_due_reminders() == 1  # queued for the old number, not yet sent
        db.session.commit()
        _open(client, appointment)
        assert _contact(client, phone="07700 900456").status_code == 200
        reminders = _messages("reminder_day_before")
        assert [(m.recipient, m.status) for m in reminders] == [(OLD, "cancelled"), (NEW, "created")]
        assert queue_due_reminders() == 0  # the reminders job sees it written: no third one
        db.session.commit()
    assert len(_messages("reminder_day_before")) == 2


def test_choosing_no_reminders_drops_a_waiting_reminder_and_tells_no_one(client, world):
    appointment = _booked(world)
    with time_machine.travel(DAY_BEFORE, tick=False):
        assert queue_due_reminders() == 1
        db.session.commit()
        _open(client, appointment)
        page = _text(_contact(client, phone="07700 900123", channel="none").get_data(as_text=True))
        assert "We will not send you a message about this change" in page and "We have also told" not in page
        assert [m.status for m in _messages("reminder_day_before")] == ["cancelled"]
        assert queue_due_reminders() == 0
    assert not _messages("contact_changed") and not _messages("contact_notice")


@time_machine.travel(NOW, tick=False)
def test_the_officer_is_told_what_the_resident_needs_and_sees_the_change_on_their_day(client, app, world):
    user, officer = officer_user(world)
    appointment = _booked(world)
    assert appointment.officer_id == officer.id
    page = _open(client, appointment)
    assert "Not needed" in _text(page)

    done = _needs(client, access_needs="Wheelchair user: please use the side door", interpreter="Polish")

    assert done.status_code == 200
    page = _text(done.get_data(as_text=True))
    assert "We have told the officer" in page and "Wheelchair user: please use the side door" in page
    assert "We have sent a text message to 07700 900123 to confirm the change." in page
    db.session.refresh(appointment)
    assert appointment.access_needs == "Wheelchair user: please use the side door"
    assert appointment.interpreter_language == "Polish"
    assert appointment.customer.access_needs == appointment.access_needs  # told once, for next time
    [text] = _messages("needs_changed")
    assert text.recipient == OLD and "side door" not in text.body  # not what they said: it may be private
    [entry] = db.session.query(AuditEvent).filter_by(action="resident_needs_changed").all()
    assert entry.detail["changed"] == ["access_needs", "interpreter_language"]
    [call] = db.session.query(CallListEntry).filter_by(appointment_id=appointment.id).all()
    assert call.source == "interpreter" and "Polish interpreter" in call.reason  # no officer speaks it

    officer_client = app.test_client()
    sign_in_as(officer_client, user)
    day = _text(officer_client.get("/officer/day/2026-12-07").get_data(as_text=True))
    assert "Wheelchair user: please use the side door" in day and "Interpreter Polish" in day
    assert "Changed by the resident Updated Access needs, interpreter, Tuesday 1 December" in day

    # No interpreter needed after all: the supervisors' call to book one is closed, and no other opened.
    _needs(client, access_needs="Wheelchair user: please use the side door", interpreter="")
    db.session.refresh(call)
    assert call.open_for is None and call.outcome == "The resident changed the interpreter they need"
    assert db.session.query(CallListEntry).filter(CallListEntry.open_for.is_not(None)).count() == 0


@time_machine.travel(NOW, tick=False)
def test_bad_needs_are_refused_with_the_journeys_messages(client, world):
    appointment = _booked(world)
    _open(client, appointment)
    too_long = _needs(client, access_needs="x" * 1001)
    assert too_long.status_code == 400
    assert "Access needs must be 1000 characters or less" in too_long.get_data(as_text=True)
    hidden = _needs(client, interpreter="Pol\u200bish")
    assert hidden.status_code == 400
    told = "Your answer must not include tabs, line breaks or hidden characters"
    assert told in hidden.get_data(as_text=True)
    db.session.refresh(appointment)
    assert appointment.access_needs == "" and appointment.interpreter_language == ""
    assert not _messages("needs_changed")


@pytest.mark.parametrize("what", ["started", "completed", "cancelled", "past"])
def test_nothing_can_be_changed_once_the_visit_has_started_happened_or_been_cancelled(client, world, what):
    user, officer = officer_user(world)
    appointment = _booked(world)
    moment = NOW
    if what in ("started", "completed"):
        moment = appointment.window_start + timedelta(minutes=5)
        with time_machine.travel(moment, tick=False):
            arrive(appointment, officer, user)
            if what == "completed":
                record_outcome(appointment, "completed", actor=user)
            db.session.commit()
    elif what == "cancelled":
        with time_machine.travel(NOW, tick=False):
            cancel(appointment, "", channel="phone")
            db.session.commit()
    else:
        moment = appointment.window_end + timedelta(hours=2)
    told = {
        "started": "Your visit has started, so you cannot change these details online now.",
        "completed": "The time of this appointment has passed, so you cannot change it online.",
        "cancelled": "This appointment has been cancelled, so there is nothing to change.",
        "past": "The time of this appointment has passed, so you cannot change it online.",
    }[what]
    with time_machine.travel(moment, tick=False):
        html = _open(client, appointment)
        booking = _text(html)
        assert "How we contact you" not in booking and "/manage/booking/needs" not in booking
        opened = client.get("/manage/booking/contact")
        assert opened.status_code == 200 and told in _text(opened.get_data(as_text=True))
        # A form opened before, sent after: refused, said plainly, nothing changed or sent.
        late = client.post(
            "/manage/booking/contact",
            data={"csrf_token": csrf_token(html), "phone": "07700 900456", "preferred_channel": "sms"},
        )
        assert late.status_code == 409
        page = _text(late.get_data(as_text=True))
        assert "You cannot change this booking now" in page and told in page
        assert "Nothing has been changed." in page
        late = client.post(
            "/manage/booking/needs", data={"csrf_token": csrf_token(html), "access_needs": "Ramp"}
        )
        assert late.status_code == 409 and told in _text(late.get_data(as_text=True))
    db.session.refresh(appointment)
    assert appointment.customer.phone == OLD and appointment.access_needs == ""
    assert not _messages("contact_changed") and not _messages("needs_changed")


@time_machine.travel(NOW, tick=False)
def test_a_revoked_link_or_ended_session_changes_nothing(client, world):
    appointment = _booked(world)
    _open(client, appointment)
    page = client.get("/manage/booking/contact").get_data(as_text=True)
    revoke_links(appointment)  # staff sent a new link: this session ends
    db.session.commit()
    sent = client.post(
        "/manage/booking/contact",
        data={"csrf_token": csrf_token(page), "phone": "07700 900456", "preferred_channel": "sms"},
    )
    assert sent.headers["Location"] == "/manage/find"
    assert client.get("/manage/booking/needs").headers["Location"] == "/manage/find"
    db.session.refresh(appointment.customer)
    assert appointment.customer.phone == OLD


@time_machine.travel(NOW, tick=False)
def test_a_booking_takes_a_few_changes_a_day_not_endless_texts(client, world):
    appointment = _booked(world)
    _open(client, appointment)
    numbers = ["07700 900456", "07700 900457", "07700 900458", "07700 900459", "07700 900460"]
    for number in numbers:
        assert _contact(client, phone=number).status_code == 200
    refused = _contact(client, phone="07700 900461")
    assert refused.status_code == 400
    told = "You have changed this booking&#39;s details several times today."
    assert told in refused.get_data(as_text=True)
    db.session.refresh(appointment.customer)
    assert appointment.customer.phone == "+447700900460"


@time_machine.travel(NOW, tick=False)
def test_the_pages_and_messages_are_in_the_residents_language(client, world):
    appointment = _booked(world, locale="pl")
    client.get("/language/pl")
    _open(client, appointment)
    page = _text(_contact(client, phone="07700 900456").get_data(as_text=True))
    assert "Your contact details have been changed" not in page
    [notice] = _messages("contact_notice")
    [confirmation] = _messages("contact_changed")
    assert "were changed" not in notice.body and "changed your contact" not in confirmation.body


def test_a_visit_under_way_cannot_be_moved_or_cancelled_from_anywhere(client, world):
    """Found by the details helper: the booking page still offered "Change the time" and "Cancel" while
    the officer was at the door, and both went through. A checked-in visit ends as completed or no-show:
    moving or cancelling it would also pull the visit from under the officer's safety session."""
    user, officer = officer_user(world)
    appointment = _booked(world)
    moment = appointment.window_start + timedelta(minutes=5)
    with time_machine.travel(moment, tick=False):
        arrive(appointment, officer, user)
        db.session.commit()
        html = _open(client, appointment)
        page = _text(html)
        assert "Change the time" not in page and "Cancel appointment" not in page
        assert "Your visit has started" in page
        assert client.get("/manage/booking/change").headers["Location"] == "/manage/booking"
        assert client.get("/manage/booking/cancel").headers["Location"] == "/manage/booking"
        # The cancel page opened before the officer arrived, and sent now:
        refused = client.post("/manage/booking/cancel", data={"csrf_token": csrf_token(html), "reason": ""})
        assert "This visit has started: the officer is there now" in _text(refused.get_data(as_text=True))
        with pytest.raises(BookingRuleError):  # nor by phone or the API: one rule in the engine
            cancel(appointment, "", channel="phone")
    db.session.rollback()
    db.session.refresh(appointment)
    assert appointment.status == "checked_in"


@time_machine.travel(NOW, tick=False)
def test_no_phone_with_email_reminders_is_taken_here_as_when_booking(client, world):
    """A walk of main read "UK phone number: None" after this change as a gap in the rules; it is the
    journey's own rule (DetailsForm.validate_phone): email or post reaches them, so a phone is not needed
    (booking: tests/web/test_wording.py, the foreign mobile's owner who chooses email)."""
    appointment = _booked(world)
    _open(client, appointment)
    saved = _contact(client, phone="", email="jo@example.com", channel="email")
    assert saved.status_code == 200
    db.session.refresh(appointment.customer)
    assert (appointment.customer.phone, appointment.customer.email) == ("", "jo@example.com")
    refused = _contact(client, phone="", email="jo@example.com", channel="none")  # nothing would reach them
    assert refused.status_code == 400
    assert "Enter a phone number so we can contact you about your appointment" in refused.get_data(
        as_text=True
    )


@time_machine.travel(NOW, tick=False)
def test_the_changed_page_says_an_email_is_not_given_as_the_booking_page_does(client, world):
    """After a change, a missing email reads 'Not given', as on the booking page and check-your-answers,
    not 'None' (found by the walk); in Polish 'Nie podano'."""
    appointment = _booked(world)
    _open(client, appointment)
    page = _text(_contact(client, phone="07700 900456").get_data(as_text=True))
    assert "Email address Not given" in page
    assert "None" not in page
    client.get("/language/pl")
    polish = _text(_contact(client, phone="07700 900789").get_data(as_text=True))
    assert "Nie podano" in polish
