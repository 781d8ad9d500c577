"""Wording residents, agents and supervisors tripped on in a fresh-eyes walk: each test failed before
its fix."""

from __future__ import annotations

import re

import time_machine

from app.extensions import db
from app.models import Message
from tests.booking_helpers import MONDAY, NOW, World
from tests.factories import CustomerFactory
from tests.pages import csrf_token, submit_form


def _slots(html):
    return re.findall(r'name="slot" type="radio" value="([^"]+)"', html)


def _agent_books(client, customer, world, channel: str, first_day: str = "", **said) -> str:
    """The agent books the caller's first free home visit (from `first_day`), and sees their banner."""
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=home"
    url += f"&from={first_day}" if first_day else ""
    page = client.get(url).get_data(as_text=True)
    form = {"csrf_token": csrf_token(page), "slot": _slots(page)[0], "preferred_channel": channel}
    done = client.post(url, data=form | said)
    assert done.status_code == 302
    return client.get(done.headers["Location"]).get_data(as_text=True)


def _caller(phone: str = "+441380722000", **details):
    """A caller at home in Devizes (a landline unless `phone` is a mobile), no email."""
    customer = CustomerFactory(phone=phone, email="", postcode="SN10 1HJ", lat=51.355, lng=-1.99, **details)
    db.session.commit()
    return customer


@time_machine.travel(NOW, tick=False)
def test_an_agent_booking_too_soon_for_a_letter_is_told_to_read_the_reference_out(client, sign_in):
    """A landline-only caller who reads post, booked for this week: no letter is written, and the banner
    says so (it said only "Booked: reference ...")."""
    sign_in("agent")
    shown = _agent_books(client, _caller(), World(), "post")
    assert db.session.query(Message).filter_by(kind="confirmation").count() == 0
    assert "too soon for a letter to reach the caller" in shown
    assert "read the reference out" in shown


@time_machine.travel(NOW, tick=False)
def test_an_agent_booking_far_enough_ahead_is_told_a_letter_will_go(client, sign_in):
    sign_in("agent")
    shown = _agent_books(client, _caller(), World(), "post", MONDAY.isoformat())
    assert db.session.query(Message).filter_by(kind="confirmation", channel="letter").count() == 1
    assert "A confirmation letter will go in the next print batch" in shown
    assert "read the reference out" not in shown


@time_machine.travel(NOW, tick=False)
def test_an_agent_booking_by_text_is_told_the_caller_gets_a_text(client, sign_in):
    sign_in("agent")
    shown = _agent_books(client, _caller("+447700900123"), World(), "sms", sms_consent="y")
    assert "The caller will get a confirmation by text." in shown


def test_an_officer_change_at_a_hub_says_where_the_resident_sees_them_not_that_anyone_visits():
    from notifications import templates
    from notifications.templates import AppointmentFacts

    at_hub = AppointmentFacts(
        reference="7K4M-P3QX",
        service="Blue Badge",
        when="Thursday 3 December 2026 at 11am",
        where="Westbury community hub, Westbury Library, Edward Street, Westbury BA13 3BD",
        officer_first_name="Kieran",
        venue="Westbury community hub, Westbury Library, Edward Street, Westbury BA13 3BD",
        hub="Westbury community hub",
    )
    text = " ".join(templates.officer_change_sms(at_hub))
    assert "Kieran will now see you." in text and "At Westbury community hub" in text
    assert "visit you" not in text
    email = templates.email_for("officer_change", at_hub).body
    assert "a different officer will now see you at Westbury community hub" in email
    assert "visit you" not in email
    at_home = AppointmentFacts(**{**at_hub.__dict__, "venue": "", "hub": ""})
    assert "Kieran will now visit you" in " ".join(templates.officer_change_sms(at_home))


@time_machine.travel(NOW, tick=False)
def test_the_call_list_shows_an_exact_hub_time_once_and_the_language_by_its_name(client, sign_in):
    """It showed "11am to 11am", and "Book a polski interpreter ... speaks polski" as typed."""
    from app.booking import interpreters
    from tests.booking_helpers import at
    from tests.factories import AppointmentFactory

    world = World()
    appointment = AppointmentFactory(
        service=world.service,
        officer=world.officers[0],
        location_type="hub",
        hub=world.hub,
        window_start=at(11),
        window_end=at(11),
        interpreter_language="polski",
    )
    interpreters.flag_if_needed(appointment)
    db.session.commit()
    sign_in("supervisor")
    page = client.get("/supervisor/calls").get_data(as_text=True)
    assert "Monday 7 December 2026 at 11am" in page and "11am to 11am" not in page
    assert "Book a Polish interpreter for this visit: no officer on it speaks Polish" in page
    assert "interpreter: Polish" in page and "polski" not in page


def test_an_interpreter_entry_is_a_booking_to_make_and_is_marked_done_not_called(client, sign_in):
    """The page asked to 'call each one' and 'Mark as called' for an interpreter the supervisor books."""
    from app.booking import interpreters
    from app.models import CallListEntry
    from tests.booking_helpers import at
    from tests.factories import AppointmentFactory

    world = World()
    appointment = AppointmentFactory(
        service=world.service, officer=world.officers[0], window_start=at(11), interpreter_language="Polish"
    )
    interpreters.flag_if_needed(appointment)
    db.session.commit()
    sign_in("supervisor")
    page = client.get("/supervisor/calls").get_data(as_text=True)
    assert "or book the interpreter; then mark it as done" in page
    assert "What was arranged" in page and "Mark as done" in page
    assert "Mark as called" not in page and "What was agreed" not in page
    entry = db.session.query(CallListEntry).one()
    path = f"/supervisor/calls/{entry.id}/done"
    tabbed = client.post(path, data={"csrf_token": csrf_token(page), "outcome": "Booked\tLanguageLine"})
    assert tabbed.status_code == 400
    assert "What was arranged must not include tabs" in tabbed.get_data(as_text=True)
    done = client.post(path, data={"csrf_token": csrf_token(page), "outcome": "Booked LanguageLine"})
    assert "Marked as done" in client.get(done.headers["Location"]).get_data(as_text=True)
    db.session.refresh(entry)
    assert (entry.open_for, entry.outcome) == (None, "Booked LanguageLine")


def _hub_times(client, world) -> str:
    """A resident's journey to a hub appointment: the times from MONDAY."""
    db.session.commit()
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "hub"})
    submit_form(client, "/book/hub", {"hub": world.hub.code})
    return client.get(f"/book/time?from={MONDAY.isoformat()}").get_data(as_text=True)


def _to_hub_details(client, world) -> None:
    """The first hub time chosen: on to Your details."""
    html = _hub_times(client, world)
    submit_form(client, f"/book/time?from={MONDAY.isoformat()}", {"slot": _slots(html)[0]})


def _postcode_answer(client, world, location_type: str, postcode: str) -> str:
    db.session.commit()
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": location_type})
    return submit_form(client, "/book/postcode", {"postcode": postcode}).get_data(as_text=True)


def test_a_real_postcode_outside_the_area_is_said_to_be_outside_it_where_a_hub_is_offered_too(client):
    """Swindon, Bath and Westminster postcodes got "We do not recognise that postcode" for services also
    offered at a hub; a postcode in no UK postcode area still gets it."""
    world = World()
    for postcode in ("SN1 1AA", "BA1 1AA", "SW1A 1AA"):
        page = _postcode_answer(client, world, "home", postcode)
        assert "We cannot find that postcode in the Wiltshire Council area" in page, postcode
        assert "book at a community hub, or contact the council where you live" in page
        assert "Book at a community hub instead" in page and "do not recognise" not in page
    hub = _postcode_answer(client, world, "hub", "SN1 1AA")
    assert "We cannot find that postcode in the Wiltshire Council area. Check it, or choose a hub" in hub
    assert "do not recognise" not in hub
    assert "We do not recognise that postcode" in _postcode_answer(client, world, "home", "ZZ1 1ZZ")


def test_an_agent_is_told_a_real_postcode_is_outside_the_area():
    import pytest

    from app.places.places import UnknownPostcode, address_place

    with pytest.raises(UnknownPostcode, match="We cannot find that postcode in the council's area"):
        address_place("home", "BA1 1AA", line1="1 Royal Crescent")
    with pytest.raises(UnknownPostcode, match="We do not recognise that postcode"):
        address_place("home", "ZZ1 1ZZ", line1="1 Nowhere Street")


def test_a_business_visit_asks_for_the_postcode_of_the_premises(client):
    world = World()
    world.service.at_business = True
    page = _postcode_answer(client, world, "business", "")
    assert "What is the postcode of the premises?" in page and "postcode of the address" not in page


@time_machine.travel(NOW, tick=False)
def test_find_your_booking_needs_no_polish_letters(client):
    """ "Zolc-Wisniewska" finds Łucja Żółć-Wiśniewska: ł is folded too (NFKD leaves it whole)."""
    from app.booking.booking_request import CustomerDetails
    from tests.booking_helpers import book_first_slot

    appointment = book_first_slot(
        World(), CustomerDetails(name="Łucja Żółć-Wiśniewska", phone="07700900123", preferred_channel="none")
    )
    db.session.commit()
    for typed in ("Zolc-Wisniewska", "zolc wisniewska", "ŻÓŁĆ-WIŚNIEWSKA"):
        found = submit_form(
            client,
            "/manage/find",
            {"reference": appointment.reference, "surname": typed, "postcode": "SN10 1AA"},
        )
        assert found.headers.get("Location") == "/manage/booking", typed
    from app.customers.names import fold

    assert fold("Łukasz Małecki") == "lukasz malecki"


@time_machine.travel(NOW, tick=False)
def test_hub_times_are_not_suggested_for_an_officer_being_nearby(client):
    page = _hub_times(client, World())
    assert _slots(page) and "an officer is nearby" not in page


@time_machine.travel(NOW, tick=False)
def test_re_plan_starts_with_choose_an_officer_and_date_hints_are_days_ahead(client, sign_in):
    """The first officer was chosen for the supervisor, and hints gave past dates ("27 3 2026")."""
    world = World()
    officer = world.officers[0]
    db.session.commit()
    sign_in("admin")  # admin: re-plans, and records leave and sickness
    page = client.get("/supervisor/replan").get_data(as_text=True)
    assert re.search(r'<option value="" selected>Choose an officer</option>', page)
    assert "For example, 4 12 2026" in page  # today is 1 December 2026
    unchosen = client.get("/supervisor/replan?officer=&day-day=7&day-month=12&day-year=2026")
    assert "Select the officer who is off" in unchosen.get_data(as_text=True)
    absences = client.get(f"/admin/officers/{officer.id}/absences").get_data(as_text=True)
    assert "For example, 4 12 2026" in absences and "For example, 8 12 2026" in absences
    assert "27 3 2026" not in absences and "31 3 2026" not in absences


@time_machine.travel(NOW, tick=False)
def test_a_cancellation_says_where_to_book_again_online_as_well_as_by_phone():
    """The text, email and letter gave only a phone number to book again."""
    from app.booking.booking_request import CustomerDetails
    from app.booking.changes import cancel
    from app.messaging.outbox import facts
    from notifications import templates
    from tests.booking_helpers import book_first_slot

    appointment = book_first_slot(
        World(),
        CustomerDetails(
            name="Jo Bloggs",
            phone="07700900123",
            email="jo@example.com",
            preferred_channel="sms",
            sms_consent=True,
        ),
    )
    db.session.commit()
    cancel(appointment, "resident asked")
    db.session.commit()
    text = " ".join(m.body for m in db.session.query(Message).filter_by(kind="cancellation", channel="sms"))
    assert "To book again, go to http://127.0.0.1:5000/book/ or call 0300 456 0100." in text
    f = facts(appointment)
    assert (
        "go to http://127.0.0.1:5000/book/ or phone us on 0300 456 0100"
        in templates.email_for("cancellation", f).body
    )
    letter = templates.letter_for("cancellation", f, "Jo Bloggs").body
    assert "go to http://127.0.0.1:5000/book/ or phone us on 0300 456 0100" in letter


@time_machine.travel(NOW, tick=False)
def test_a_foreign_mobile_is_told_we_text_only_uk_mobiles_and_offered_email(client):
    """'Enter a UK phone number' told a Polish mobile's owner nothing they could do."""
    _to_hub_details(client, World())
    details = {"name": "Anna Nowak", "phone": "+48 601 234 567", "preferred_channel": "sms"}
    page = submit_form(client, "/book/details", details).get_data(as_text=True)
    assert "We can only text UK mobile numbers. Leave this empty and choose to be reminded by email" in page
    by_email = {"name": "Anna Nowak", "phone": "", "email": "anna@example.com", "preferred_channel": "email"}
    assert submit_form(client, "/book/details", by_email).headers["Location"] == "/book/check"


@time_machine.travel(NOW, tick=False)
def test_the_language_on_check_your_answers_can_be_changed_like_the_other_answers(client):
    _to_hub_details(client, World())
    submit_form(
        client, "/book/details", {"name": "Anna Nowak", "phone": "07700900123", "preferred_channel": "sms"}
    )
    check = client.get("/book/check").get_data(as_text=True)
    assert 'href="/book/language"' in check
    question = client.get("/book/language").get_data(as_text=True)
    assert "Which language should we write to you in?" in question
    assert re.search(r'value="en"[^>]*checked', question)
    empty = client.post("/book/language", data={"csrf_token": csrf_token(question)})
    assert "Select the language we should write to you in" in empty.get_data(as_text=True)
    chosen = submit_form(client, "/book/language", {"locale": "pl"})
    assert chosen.headers["Location"] == "/book/check"
    assert "Sprawdź" in client.get("/book/check").get_data(as_text=True)  # the page is in Polish now
