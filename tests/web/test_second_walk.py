"""The second walk through the resident, agent, kiosk and supervisor journeys (issue 18 follow-up): each
test is what a person on that journey would notice, and failed before its fix."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import time_machine

from app.appointments.links import manage_url
from app.appointments.presenters import added_travel
from app.booking import call_list
from app.booking.availability import decode_slot, search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.booking.changes import cancel, record_outcome
from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.models import (
    Absence,
    Address,
    Appointment,
    CallListEntry,
    Customer,
    KioskDevice,
    Message,
    WaitlistEntry,
    WaitlistOffer,
)
from app.timeutil import day_seconds, to_local
from tests.booking_helpers import MONDAY, NOW, World, at, book_at_a_kiosk
from tests.factories import AppointmentFactory, CustomerFactory
from tests.pages import csrf_token, set_up_kiosk, submit_form


def _slots(html: str) -> list[str]:
    return re.findall(r'name="slot" type="radio" value="([^"]+)"', html)


def _book(world, name="Jo Bloggs", phone="+447700900123", slot=0, day=MONDAY) -> Appointment:
    found = search(world.service, world.home(), day, 1, now=NOW).slots
    appointment = book(
        BookingRequest(
            slot_token=found[slot].token,
            service=world.service,
            place=world.home(),
            customer=CustomerDetails(name=name, phone=phone, sms_consent=True),
        )
    )
    db.session.commit()
    return appointment


def _caller(**values) -> Customer:
    return CustomerFactory(
        **{"lat": 51.355, "lng": -1.99, "postcode": "SN10 1AA", "address_line1": "12 High Street"} | values
    )


# 1. Nothing free in the next 14 days: a way to look further ahead, without JavaScript --------------


@time_machine.travel(NOW, tick=False)
def test_a_resident_moving_a_visit_with_nothing_free_for_two_weeks_can_look_further_ahead(client):
    world = World()
    appointment = _book(world)
    db.session.add(
        Absence(officer=world.officers[0], kind="leave", starts_on=NOW.date(), ends_on=date(2026, 12, 18))
    )
    db.session.commit()
    client.get(manage_url(appointment, external=False))
    page = client.get("/manage/booking/change").get_data(as_text=True)
    assert not _slots(page) and "There are no other times free between" in page
    later = re.search(r'href="(/manage/booking/change\?from=[^"]+)">Show later dates', page).group(1)
    following = client.get(later.replace("&amp;", "&")).get_data(as_text=True)
    assert _slots(following) and all(decode_slot(t).day > date(2026, 12, 18) for t in _slots(following))


@time_machine.travel(NOW, tick=False)
def test_an_agent_with_nothing_free_for_two_weeks_can_look_further_ahead(client, sign_in):
    sign_in("agent")
    world = World()
    customer = _caller()
    db.session.add(
        Absence(officer=world.officers[0], kind="leave", starts_on=NOW.date(), ends_on=date(2026, 12, 18))
    )
    db.session.commit()
    page = client.get(f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home")
    html = page.get_data(as_text=True)
    assert not _slots(html) and "No free times from" in html
    later = re.search(r'href="([^"]+)">Show later dates', html).group(1).replace("&amp;", "&")
    assert _slots(client.get(later).get_data(as_text=True))


# 2. The waiting list offers what the resident's contact allows ----------------------------------


def _home_journey(client, world):
    db.session.add(
        Address(
            uprn="100123", line1="12 High Street", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99
        )
    )
    db.session.commit()
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    address = db.session.query(Address).filter_by(uprn="100123").one()
    submit_form(client, "/book/address", {"address": str(address.id)})


@time_machine.travel(NOW, tick=False)
def test_a_resident_with_only_a_landline_is_phoned_about_a_freed_time_not_promised_a_text(client, configure):
    configure(contact_centre_emails="contact-centre@council.example")
    world = World(officers=1)
    _home_journey(client, world)
    page = client.get("/book/waitlist").get_data(as_text=True)
    assert "Phone me" in page and "We cannot offer free times by letter" in page
    refused = submit_form(
        client,
        "/book/waitlist",
        {"name": "Edith Pike", "contact": "text", "phone": "01380 722000", "times": "any"},
    )
    assert "Enter a UK mobile number" in refused.get_data(as_text=True)
    joined = submit_form(
        client,
        "/book/waitlist",
        {"name": "Edith Pike", "contact": "phone", "phone": "01380 722000", "times": "any"},
    ).get_data(as_text=True)
    assert "We will phone you on 01380 722000" in joined and "We will text you" not in joined
    edith = db.session.query(Customer).filter_by(name="Edith Pike").one()
    assert edith.sms_consent is False and edith.phone == "+441380722000"  # stored in E.164

    # A visit on a day in her four weeks is cancelled: the contact centre is asked to phone her.
    taken = _book(world, name="Someone Else", phone="+447700900999")
    cancel(taken, "No longer needed")
    db.session.commit()
    offer = db.session.query(WaitlistOffer).one()
    assert offer.entry.customer == edith
    (email,) = db.session.query(Message).filter_by(kind="waitlist_phone_offer").all()
    assert email.recipient == "contact-centre@council.example"
    assert "01380 722000" in email.body and "/waitlist/" in email.body
    assert not db.session.query(Message).filter_by(kind="waitlist_offer").count()  # no text to a landline


@time_machine.travel(NOW, tick=False)
def test_an_agent_is_told_the_truth_about_offers_for_a_caller_who_can_only_get_letters(client, sign_in):
    sign_in("agent")
    world = World()
    letters_only = _caller(phone="", email="", preferred_channel="post", sms_consent=False)
    db.session.commit()
    url = f"/agent/customers/{letters_only.id}/waitlist"
    page = client.get(url).get_data(as_text=True)
    assert "We cannot offer them freed times" in page and "text them" not in page
    refused = submit_form(
        client,
        url,
        {
            "service": world.service.code,
            "earliest": ["7", "12", "2026"],
            "latest": ["18", "12", "2026"],
            "times": "any",
        },  # fmt: skip
    ).get_data(as_text=True)
    assert "add a phone number" in refused, re.findall(r'govuk-error-summary__list">(.*?)</ul', refused, re.S)
    assert db.session.query(WaitlistEntry).count() == 0


# 3. "New caller" offers the record the caller already has -----------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_new_caller_who_already_has_a_record_is_offered_it_instead_of_a_duplicate(client, sign_in):
    sign_in("agent")
    World()
    existing = _caller(name="Priya Shah", phone="+447700900555", email="priya@example.com")
    db.session.add(
        Address(
            uprn="100124", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99
        )
    )
    db.session.commit()
    details = {
        "name": "Priya Shah",
        "phone": "07700 900555",
        "line1": "12 High Street",
        "postcode": "SN10 1AA",
    }
    page = submit_form(client, "/agent/callers/new", details)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "This caller may already have a record" in html
    assert f'href="/agent/customers/{existing.id}"' in html and "same phone number" in html
    assert db.session.query(Customer).count() == 1
    # Same name and postcode, another number: offered too.
    other = submit_form(client, "/agent/callers/new", details | {"phone": "01380 722000"}).get_data(
        as_text=True
    )
    assert "same name and postcode" in other
    # Someone else after all: the agent says so and a record is made.
    made = client.post(
        "/agent/callers/new", data=details | {"csrf_token": csrf_token(html), "new_record": "yes"}
    )
    assert made.status_code == 302, re.findall(
        r'govuk-error-summary__list">(.*?)</ul', made.get_data(as_text=True), re.S
    )
    assert db.session.query(Customer).count() == 2
    assert "Caller&#39;s record made." in client.get(made.headers["Location"]).get_data(as_text=True)


# 4. The same customer twice at an overlapping time: warned, booked only when confirmed -------------


@time_machine.travel(NOW, tick=False)
def test_an_agent_booking_a_caller_twice_at_an_overlapping_time_is_warned_first(client, sign_in):
    sign_in("agent")
    world = World(officers=2)
    customer = _caller()
    db.session.commit()
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home&from=2026-12-07"
    page = client.get(url).get_data(as_text=True)
    slot = _slots(page)[0]
    form = {"csrf_token": csrf_token(page), "slot": slot, "preferred_channel": "post"}
    assert client.post(url, data=form | {"submission": "first"}).status_code == 302
    first = db.session.query(Appointment).one()
    page = client.get(url).get_data(as_text=True)
    same_window = next(t for t in _slots(page) if decode_slot(t).window == decode_slot(slot).window)
    warned = client.post(url, data=form | {"slot": same_window, "submission": "second"})
    html = warned.get_data(as_text=True)
    assert warned.status_code == 200 and "already has an appointment at an overlapping time" in html
    assert f"{first.reference[:4]}-{first.reference[4:]}" in html and 'name="confirm_overlap"' in html
    assert db.session.query(Appointment).count() == 1
    confirmed = client.post(
        url, data=form | {"slot": same_window, "submission": "second", "confirm_overlap": "yes"}
    )
    assert confirmed.status_code == 302 and db.session.query(Appointment).count() == 2


@time_machine.travel(NOW, tick=False)
def test_the_api_refuses_an_overlapping_booking_until_it_is_confirmed(client, make_user):
    from app.staff.tokens import create_token
    from tests.booking_helpers import api_booking

    world = World(officers=2)
    user = make_user(role="agent")
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    db.session.commit()
    token = create_token(user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    slots = search(world.service, world.home(), MONDAY, 1, now=NOW).slots
    first = client.post("/api/v1/appointments", json=api_booking(world, slots[0].token), headers=headers)
    assert first.status_code == 201, first.json
    twin = next(
        s
        for s in search(world.service, world.home(), MONDAY, 1, now=NOW).slots
        if s.window == slots[0].window
    )
    refused = client.post("/api/v1/appointments", json=api_booking(world, twin.token), headers=headers)
    assert refused.status_code == 409 and refused.json["error"] == "possible_duplicate", refused.json
    assert "confirm_overlap" in refused.json["errors"]
    booked = client.post(
        "/api/v1/appointments", json=api_booking(world, twin.token, confirm_overlap=True), headers=headers
    )
    assert booked.status_code == 201, booked.json


# 5. "Change the time" never offers the time it has now -------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_change_the_time_leaves_out_the_appointments_own_time(client):
    world = World(officers=2)
    appointment = _book(world)
    client.get(manage_url(appointment, external=False))
    page = client.get("/manage/booking/change?from=2026-12-07").get_data(as_text=True)
    offered = {(decode_slot(t).day, decode_slot(t).window) for t in _slots(page)}
    own = (
        to_local(appointment.window_start).date(),
        (day_seconds(appointment.window_start), day_seconds(appointment.window_end)),
    )
    assert offered and own not in offered


# 6. Re-plan a day: a GOV.UK date input with an error summary -------------------------------------


@time_machine.travel(NOW, tick=False)
def test_replan_takes_the_day_as_a_govuk_date_and_says_what_is_wrong(client, sign_in):
    sign_in("supervisor")
    world = World()
    officer = world.officers[0]
    db.session.add(Absence(officer=officer, kind="sickness", starts_on=MONDAY, ends_on=MONDAY))
    AppointmentFactory(service=world.service, officer=officer, window_start=at(9), window_end=at(11))
    db.session.commit()
    chooser = client.get(f"/supervisor/replan?officer={officer.id}").get_data(as_text=True)
    assert 'name="day-day"' in chooser and "YYYY-MM-DD" not in chooser
    assert "7 December 2026 (1 visit)" in chooser  # the days to re-plan, to choose from
    wrong = client.get(f"/supervisor/replan?officer={officer.id}&day-day=31&day-month=2&day-year=2026")
    html = wrong.get_data(as_text=True)
    assert "govuk-error-summary" in html and "must be a real date" in html and 'href="#day-day"' in html
    missing = client.get(f"/supervisor/replan?officer={officer.id}&day-day=7&day-month=&day-year=2026")
    assert "must include a month" in missing.get_data(as_text=True)
    right = client.get(f"/supervisor/replan?officer={officer.id}&day-day=7&day-month=12&day-year=2026")
    assert f"{officer.name}, Monday 7 December 2026" in right.get_data(as_text=True)


# 7. A cancelled booking's page says so, and what to do next -----------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_cancelled_bookings_page_shows_it_cancelled_and_offers_to_book_again(client):
    world = World()
    appointment = _book(world)
    officer = world.officers[0]
    client.get(manage_url(appointment, external=False))
    submit_form(client, "/manage/booking/cancel", {"reason": "Sorted it out"})
    page = client.get("/manage/booking").get_data(as_text=True)
    assert "Your appointment has been cancelled" in page
    assert officer.first_name not in page and "We text you reminders" not in page
    assert "Change the time" not in page
    again = client.post("/book/service", data={"csrf_token": csrf_token(page), "service": world.service.code})
    assert again.status_code == 302 and again.headers["Location"] == "/book/where"


# 8. Phone numbers in UK national format, stored in E.164 ---------------------------------------


@time_machine.travel(NOW, tick=False)
def test_phone_numbers_are_shown_as_people_write_them(client, sign_in):
    world = World()
    appointment = _book(world, phone="+447700900123")
    assert appointment.customer.phone == "+447700900123"
    client.get(manage_url(appointment, external=False))
    resident = client.get("/manage/booking").get_data(as_text=True)
    assert "07700 900123" in resident and "+447700900123" not in resident
    sign_in("agent")
    record = client.get(f"/agent/customers/{appointment.customer_id}").get_data(as_text=True)
    assert "07700 900123" in record and "+447700900123" not in record
    found = client.get("/agent/?q=Jo+Bloggs").get_data(as_text=True)
    assert "07700 900123" in found and "+447700900123" not in found


# 9. The travel hint never says "adds about 0 minutes" -------------------------------------------


def test_the_travel_hint_says_no_extra_travel_or_rounds_sensibly():
    assert added_travel(0) == added_travel(25) == "no extra travel"
    assert added_travel(60) == "adds about 1 minute of travel"
    assert added_travel(7 * 60 + 10) == "adds about 7 minutes of travel"
    assert added_travel(23 * 60) == "adds about 25 minutes of travel"


@time_machine.travel(NOW, tick=False)
def test_the_agents_slots_never_say_adds_about_0_minutes(client, sign_in):
    sign_in("agent")
    world = World()
    customer = _caller()
    AppointmentFactory(  # a visit next door: a time beside it adds no travel
        service=world.service, officer=world.officers[0], window_start=at(9), window_end=at(11), lat=51.355
    )
    db.session.commit()
    page = client.get(
        f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home&from=2026-12-07"
    ).get_data(as_text=True)
    assert _slots(page) and "adds about 0 minutes" not in page and "of travel" in page


# 10 and 11. Kiosks: set up or not, and nothing personal left on a shared screen -------------------


def test_a_kiosk_nobody_has_set_up_says_so_and_what_staff_must_do(client, sign_in):
    world = World()
    sign_in("supervisor")
    device, token = kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    listed = client.get("/admin/kiosks").get_data(as_text=True)
    assert "Not set up" in listed and "In use" not in listed
    screen = client.application.test_client()
    page = screen.get("/kiosk/")
    html = page.get_data(as_text=True)
    assert page.status_code == 403 and "This kiosk is not set up" in html
    assert "New activation link" in html and "/admin/kiosks" in html
    assert set_up_kiosk(screen, token).headers["Location"] == "/kiosk/"
    db.session.expire_all()
    assert "In use since" in client.get("/admin/kiosks").get_data(as_text=True)
    assert db.session.get(KioskDevice, device.id).set_up


def test_a_kiosk_confirmation_never_shows_the_residents_manage_link(client):
    book_at_a_kiosk(client)
    confirmation = client.get("/book/confirmation").get_data(as_text=True)
    assert "/manage/" not in confirmation and "Manage your appointment" not in confirmation
    assert "Print a ticket" in confirmation and "by text message" in confirmation
    # Another number (a relative's): the booking and its link are texted, never shown on the screen,
    # and the screen says who texts and that STOP ends the texts.
    assert "You can reply STOP to any of our texts" in client.get("/kiosk/text-booking").get_data(
        as_text=True
    )
    sent = submit_form(client, "/kiosk/text-booking", {"phone": "07700 900654"}).get_data(as_text=True)
    assert "ending 654" in sent and "/manage/" not in sent
    (text,) = db.session.query(Message).filter_by(kind="kiosk_confirmation").all()
    assert text.recipient == "+447700900654" and "/manage/" in text.body


# 12. The dashboard opens on a month with something in it ----------------------------------------


@time_machine.travel(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), tick=False)
def test_the_dashboard_opens_on_next_month_when_this_one_is_empty(client, sign_in):
    sign_in("supervisor")
    world = World()
    AppointmentFactory(
        service=world.service, officer=world.officers[0], window_start=at(9), window_end=at(11)
    )
    db.session.commit()
    page = client.get("/supervisor/dashboard").get_data(as_text=True)
    assert "December 2026 at a glance" in page and "Nothing is booked this month yet" in page
    asked = client.get("/supervisor/dashboard?month=2026-11").get_data(as_text=True)
    assert (
        "November 2026 at a glance" in asked
        and 'href="/supervisor/dashboard?month=2026-12">Next month' in asked
    )


# 13. The call list closes itself when the visit happens (or nobody was in) -------------------------


@time_machine.travel(NOW, tick=False)
def test_the_call_list_entry_closes_when_the_visit_is_completed_or_a_no_show(client, sign_in):
    world = World(officers=2)
    done = _book(world)
    missed = _book(world, name="Ann Other", phone="+447700900124", day=MONDAY + timedelta(days=1))
    for appointment in (done, missed):
        call_list.add(appointment, "The nightly plan could not fit it", "nightly")
    db.session.commit()
    with time_machine.travel(at(12), tick=False):
        record_outcome(done, "completed")
        db.session.commit()
    with time_machine.travel(missed.window_start + timedelta(minutes=20), tick=False):  # its time started
        record_outcome(missed, "no_show")
        db.session.commit()
    entries = {e.appointment_id: e for e in db.session.query(CallListEntry)}
    assert entries[done.id].open_for is None and entries[done.id].outcome == "Visit completed"
    nobody_in = "Nobody in when the officer called"
    assert entries[missed.id].open_for is None and entries[missed.id].outcome == nobody_in
    sign_in("supervisor")
    page = client.get("/supervisor/calls").get_data(as_text=True)
    assert "Nobody to call." in page and "Visit completed" in page and nobody_in in page
