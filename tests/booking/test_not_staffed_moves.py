"""Moving a booking where the roster can no longer staff its service at its place (coverage.staffed_at,
the rule every channel asks before offering dates for a new booking): the resident's change page and
the agent's move page say so plainly, never an empty calendar. The resident is given the contact
centre's number from settings; the agent the coverage reason and the hubs that can."""

from __future__ import annotations

import re

import time_machine

from app.booking.booking_request import CustomerDetails
from app.extensions import db
from app.i18n import gettext_for
from app.models import Appointment
from tests.booking.test_manage_details import _open
from tests.booking_helpers import NOW, World, book_first_slot
from tests.factories import AreaFactory, HubFactory, OfficerFactory
from tests.pages import csrf_token

SLOT_RADIO = r'name="slot" type="radio"'
JO = CustomerDetails(name="Jo Bloggs", phone="+447700900123", preferred_channel="sms", sms_consent=True)


def _booked(world: World, at_hub: bool = False) -> Appointment:
    place = world.hub_place() if at_hub else None
    appointment = book_first_slot(world, JO, place, days=5)
    db.session.commit()
    return appointment


def _nobody_can_any_more(world: World) -> None:
    """The area's one officer with the skill no longer has it: nobody there could ever do the service."""
    world.officers[0].skills = []
    db.session.commit()


def _main(html: str) -> str:
    return html[html.index("<main") :]


@time_machine.travel(NOW, tick=False)
def test_the_resident_is_told_plainly_with_the_contact_centre_s_number(client, configure):
    configure(contact_centre_phone="01225 713000")
    world = World()
    appointment = _booked(world)
    _open(client, appointment)
    staffed = client.get("/manage/booking/change").get_data(as_text=True)
    assert re.search(SLOT_RADIO, staffed)  # while someone could do it: times to choose from
    offered = re.search(r'name="slot" type="radio" value="([^"]+)"', staffed).group(1)

    _nobody_can_any_more(world)
    page = client.get("/manage/booking/change")
    main = _main(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "We cannot visit this address for this service at the moment" in main
    assert "None of our officers who work in your area can do this visit at the moment" in main
    assert "Your appointment has not changed: it is still Monday 7 December 2026" in main
    assert (
        'Phone <a class="govuk-link" href="tel:+441225713000">01225 713000</a>, '
        "Monday to Friday, 8:30am to 5:30pm, and we will help." in main
    )
    assert not re.search(SLOT_RADIO, main) and "Show later dates" not in main
    assert "There are no other times free" not in main

    # A time offered before the change, sent now, moves nothing.
    before = (appointment.window_start, appointment.officer_id)
    sent = client.post("/manage/booking/change", data={"csrf_token": csrf_token(staffed), "slot": offered})
    assert "We cannot visit this address" in sent.get_data(as_text=True)
    db.session.refresh(appointment)
    assert (appointment.window_start, appointment.officer_id) == before and appointment.status == "booked"


@time_machine.travel(NOW, tick=False)
def test_a_hub_appointment_names_the_hub_in_the_resident_s_language(client):
    world = World()
    appointment = _booked(world, at_hub=True)
    _nobody_can_any_more(world)
    client.get("/language/pl")
    _open(client, appointment)
    main = _main(client.get("/manage/booking/change").get_data(as_text=True))
    polish = gettext_for("pl")
    assert polish("%(hub)s cannot offer this appointment at the moment") % {"hub": world.hub.name} in main
    assert "0300 456 0100" in main  # the default number, when the council has set none
    assert "cannot offer this appointment" not in main and not re.search(SLOT_RADIO, main)


@time_machine.travel(NOW, tick=False)
def test_the_agent_gets_the_coverage_reason_and_the_hubs_that_can(client, sign_in):
    world = World()
    appointment = _booked(world)
    area = AreaFactory(name="Melksham", lat=51.373, lng=-2.138)
    OfficerFactory(skills=[world.skill], areas=[area], base_lat=51.373, base_lng=-2.138)
    HubFactory(area=area, name="Melksham hub", lat=51.373, lng=-2.138)
    _nobody_can_any_more(world)
    sign_in("agent")
    page = client.get(f"/agent/appointments/{appointment.id}/move")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    warning = re.search(r'(?s)id="not-staffed".*?</div>', html).group(0)
    assert f"{world.service.name}: no officer with the skill works in {world.area.name}" in warning
    assert "so no other time will come free here" in warning
    assert re.search(
        r"book the caller at a hub that can \(Melksham hub \(\d+ miles\)\), then cancel", warning
    )
    assert not re.search(SLOT_RADIO, html) and "No other free times" not in html
    assert f'href="/agent/customers/{appointment.customer_id}/book"' in html


@time_machine.travel(NOW, tick=False)
def test_the_agent_with_no_hub_that_can_is_told_to_tell_a_supervisor(client, sign_in):
    world = World()
    appointment = _booked(world)
    _nobody_can_any_more(world)
    sign_in("agent")
    html = client.get(f"/agent/appointments/{appointment.id}/move").get_data(as_text=True)
    warning = re.search(r'(?s)id="not-staffed".*?</div>', html).group(0)
    assert "The appointment stays as it is: tell a supervisor" in warning
    assert not re.search(SLOT_RADIO, html)
