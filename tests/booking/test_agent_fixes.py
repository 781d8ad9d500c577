"""What phone agents hit (#18): partial postcodes, editing a caller, a business's own premises, what to
have ready, the window on move and cancel pages, notes reaching the officer, emails with no server."""

from __future__ import annotations

import re
from datetime import time, timedelta

import time_machine

from app.booking.availability import search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.extensions import db
from app.models import Address, Appointment, Customer
from app.timeutil import local_to_utc
from tests.booking_helpers import MONDAY, NOW, World, book_first_slot
from tests.factories import PASSWORD, AppointmentFactory, CustomerFactory, UserFactory
from tests.pages import csrf_token


def _gazetteer():
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99)
    )
    db.session.add(
        Address(uprn="2", line1="3 Market Place", town="Devizes", postcode="SN10 1HS", lat=51.352, lng=-1.994)
    )


def _slots(html):
    return re.findall(r'name="slot" type="radio" value="([^"]+)"', html)


@time_machine.travel(NOW, tick=False)
def test_a_partial_postcode_finds_callers_in_that_district(client, sign_in):
    sign_in("agent")
    CustomerFactory(name="Sam Salisbury", postcode="SP1 3UZ")
    CustomerFactory(name="Dee Devizes", postcode="SN10 1AB")
    db.session.commit()
    found = client.get("/agent/", query_string={"q": "sp1"}).get_data(as_text=True)
    assert "Sam Salisbury" in found and "Dee Devizes" not in found
    assert "Sam Salisbury" in client.get("/agent/", query_string={"q": "SP1 3"}).get_data(as_text=True)


@time_machine.travel(NOW, tick=False)
def test_a_caller_with_no_street_address_is_listed_by_postcode_alone(client, sign_in):
    sign_in("agent")
    CustomerFactory(name="Hana Hub", address_line1="", postcode="SN10 1HJ")
    db.session.commit()
    found = " ".join(client.get("/agent/", query_string={"q": "hana"}).get_data(as_text=True).split())
    assert '<td class="govuk-table__cell">SN10 1HJ</td>' in found and ", SN10 1HJ" not in found


@time_machine.travel(NOW, tick=False)
def test_the_callers_page_says_how_each_visit_was_booked_in_words(client, sign_in):
    sign_in("agent")
    appointment = book_first_slot(
        World(), CustomerDetails(name="Kim Kiosk", phone="07700 900777"), channel="kiosk"
    )
    db.session.commit()
    page = client.get(f"/agent/customers/{appointment.customer_id}").get_data(as_text=True)
    assert "booked at a hub kiosk" in page and "booked by kiosk" not in page


@time_machine.travel(NOW, tick=False)
def test_an_agent_changes_a_callers_details_and_records_business_premises(client, sign_in):
    sign_in("agent")
    world = World()
    world.service.at_business = True
    _gazetteer()
    customer = CustomerFactory(
        name="Ann Baker",
        phone="+447700900555",
        address_line1="12 High Street",
        postcode="SN10 1AB",
        lat=51.355,
        lng=-1.99,
    )
    db.session.commit()
    url = f"/agent/customers/{customer.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Ann Baker"' in page
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "name": "Ann Baker",
            "phone": "01380 722000",
            "line1": "12 High Street",
            "postcode": "SN10 1AB",
            "business_name": "Baker's Bakes",
            "business_type": "Bakery",
            "premises_line1": "3 Market Place",
            "premises_postcode": "sn10 1hs",
        },
    )
    assert response.status_code == 302
    db.session.refresh(customer)
    assert customer.phone == "+441380722000" and customer.kind == "business"
    assert (
        customer.premises_label == "3 Market Place, Devizes, SN10 1HS"
        and customer.address_line1 == "12 High Street"
    )
    book_page = client.get(f"/agent/customers/{customer.id}/book?service={world.service.code}").get_data(
        as_text=True
    )
    assert "Business premises: Baker&#39;s Bakes, 3 Market Place, Devizes, SN10 1HS" in book_page


@time_machine.travel(NOW, tick=False)
def test_a_business_visit_goes_to_the_premises_and_keeps_the_business(client, sign_in):
    sign_in("agent")
    world = World()
    world.service.at_business = True
    customer = CustomerFactory(
        name="Ann Baker",
        phone="+447700900555",
        address_line1="12 High Street",
        postcode="SN10 1AB",
        lat=51.355,
        lng=-1.99,
        kind="business",
        business_name="Baker's Bakes",
        premises_line1="3 Market Place",
        premises_postcode="SN10 1HS",
        premises_town="Devizes",
        premises_lat=51.352,
        premises_lng=-1.994,
    )
    db.session.commit()
    url = f"/agent/customers/{customer.id}/book?service={world.service.code}&place=business"
    page = client.get(url).get_data(as_text=True)
    assert "Read out what to have ready" in page and "Proof of identity" in page
    client.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "slot": _slots(page)[0],
            "preferred_channel": "sms",
            "sms_consent": "y",
            "notes": "Side door, ring twice",
        },
    )
    appointment = db.session.query(Appointment).one()
    assert appointment.address_line1 == "3 Market Place" and appointment.notes == "Side door, ring twice"
    db.session.refresh(customer)
    assert customer.kind == "business" and customer.business_name == "Baker's Bakes"
    assert customer.address_line1 == "12 High Street"  # home not overwritten by the premises


@time_machine.travel(NOW, tick=False)
def test_move_and_cancel_pages_show_the_whole_window(client, sign_in):
    sign_in("agent")
    world = World()
    customer = CustomerFactory()
    appointment = AppointmentFactory(
        service=world.service,
        customer=customer,
        officer=world.officers[0],
        window_start=local_to_utc(MONDAY, time(11)),
        window_end=local_to_utc(MONDAY, time(13)),
    )
    db.session.commit()
    for page in ("move", "cancel"):
        html = client.get(f"/agent/appointments/{appointment.id}/{page}").get_data(as_text=True)
        assert "arriving between 11am and 1pm" in html, page


@time_machine.travel(NOW, tick=False)
def test_emails_with_no_mail_server_are_flagged_to_agents_and_supervisors(client, sign_in, app):
    world = World()
    appointment = book_first_slot(
        world, CustomerDetails(name="Em Ail", email="em@example.com", preferred_channel="email")
    )
    db.session.commit()
    assert app.extensions["settings"].smtp_host == ""
    sign_in("supervisor")
    customer_page = client.get(f"/agent/customers/{appointment.customer_id}").get_data(as_text=True)
    assert "confirmation by email (not sent: no mail server is set up)" in customer_page
    dashboard = client.get("/supervisor/dashboard").get_data(as_text=True)
    assert "Emails are not being sent" in dashboard and "1 email is waiting" in dashboard
    from app.config import Settings

    assert "Email: NOT sent" in Settings(smtp_host="").delivery_banner()
    assert "sent through mail.council.example" in Settings(smtp_host="mail.council.example").delivery_banner()


def test_notes_for_the_officer_reach_the_officers_day(client, sign_in):
    with time_machine.travel(NOW, tick=False):
        world = World()
        officer = world.officers[0]
        user = UserFactory(role="officer", email="officer@council.example")
        officer.user = user
        AppointmentFactory(
            service=world.service,
            customer=CustomerFactory(),
            officer=officer,
            notes="Dog in the garden",
            window_start=local_to_utc(MONDAY, time(9)),
            window_end=local_to_utc(MONDAY, time(11)),
        )
        db.session.commit()
    with time_machine.travel(local_to_utc(MONDAY, time(8)), tick=False):
        page = client.get("/sign-in").get_data(as_text=True)
        client.post(
            "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page)}
        )
        day = client.get("/officer/").get_data(as_text=True)
        assert "Dog in the garden" in day


@time_machine.travel(NOW, tick=False)
def test_email_only_residents_keep_one_record_and_nothing_is_blanked():
    world = World()

    def _book(day=MONDAY, **details):
        slot = search(world.service, world.home(), day, 1, now=NOW).slots[0]
        appointment = book(
            BookingRequest(
                slot_token=slot.token,
                service=world.service,
                place=world.home(),
                customer=CustomerDetails(
                    name="Em Ail", email="em@example.com", preferred_channel="email", **details
                ),
            )
        )
        db.session.commit()
        return appointment

    first = _book(access_needs="Wheelchair user: ground floor only", interpreter_language="Welsh")
    second = _book(MONDAY + timedelta(days=1))  # a later booking that says nothing about access needs
    assert first.customer_id == second.customer_id
    customer = db.session.get(Customer, first.customer_id)
    assert customer.access_needs == "Wheelchair user: ground floor only"
    assert customer.interpreter_language == "Welsh"


@time_machine.travel(NOW, tick=False)
def test_an_agent_finds_and_merges_a_callers_duplicate_record(client, sign_in):
    from app.models import CustomerNote

    sign_in("agent")
    world = World()
    keep = CustomerFactory(name="Priya Shah", phone="+447700900555", email="", access_needs="")
    duplicate = CustomerFactory(
        name="Priya Shah", phone="", email="priya@example.com", access_needs="Hearing loop"
    )
    AppointmentFactory(service=world.service, customer=duplicate, reference="ABCD3467", window_start=NOW)
    db.session.add(CustomerNote(customer_id=duplicate.id, text="Prefers mornings"))
    db.session.commit()
    page = client.get(f"/agent/customers/{keep.id}/merge").get_data(as_text=True)
    assert "priya@example.com" in page  # found by the same name
    by_email = client.get(f"/agent/customers/{keep.id}/merge?q=priya@example.com").get_data(as_text=True)
    assert "priya@example.com" in by_email
    client.post(
        f"/agent/customers/{keep.id}/merge", data={"other": duplicate.id, "csrf_token": csrf_token(page)}
    )
    db.session.expire_all()
    assert db.session.get(Customer, duplicate.id) is None
    kept = db.session.get(Customer, keep.id)
    assert (
        kept.phone == "+447700900555"
        and kept.email == "priya@example.com"
        and kept.access_needs == "Hearing loop"
    )
    view = client.get(f"/agent/customers/{keep.id}").get_data(as_text=True)
    assert "ABCD-3467" in view and "Prefers mornings" in view
