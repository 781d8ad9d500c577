"""What a walk through the app as each persona found (a resident, a phone agent): each test failed before
its fix."""

from __future__ import annotations

import re

import time_machine

from app.extensions import db
from app.models import Appointment
from tests.booking_helpers import NOW, World
from tests.factories import CustomerFactory
from tests.pages import csrf_token


def _slots(html):
    return re.findall(r'name="slot" type="radio" value="([^"]+)"', html)


@time_machine.travel(NOW, tick=False)
def test_an_agent_books_onto_the_record_on_screen_even_when_another_has_the_same_name_and_phone(
    client, sign_in
):
    """Two records with one name and landline (a caller entered again as new): the booking belongs to
    the record the agent is looking at, which then lists it, not to the older one."""
    sign_in("agent")
    world = World()
    same = {
        "name": "Zofia Nowak",
        "phone": "+441225700100",
        "address_line1": "12 High Street",
        "postcode": "SN10 1AB",
        "lat": 51.355,
        "lng": -1.99,
    }
    older = CustomerFactory(**same)
    on_screen = CustomerFactory(**same)
    db.session.commit()
    url = f"/agent/customers/{on_screen.id}/book?service={world.service.code}&place=home"
    page = client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data={"csrf_token": csrf_token(page), "slot": _slots(page)[0], "preferred_channel": "post"},
    )
    assert response.status_code == 302
    appointment = db.session.query(Appointment).one()
    assert appointment.customer_id == on_screen.id != older.id
    record = client.get(f"/agent/customers/{on_screen.id}").get_data(as_text=True)
    assert appointment.reference[:4] in record and "None yet." not in record
