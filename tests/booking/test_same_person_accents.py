"""The booking's same-person check compares names folded (customer.name_folded, app.folding), as the
agent's caller search, "same name and postcode" and duplicates do: "Zofia Wisniewska" typed without
accents is the same person as "Zofia Wiśniewska" when the phone (or, with no phone, the email) matches
too. A different name with the same phone is still someone else."""

from __future__ import annotations

import re

import time_machine

from app.extensions import db
from app.models import Appointment, Customer
from app.staff.tokens import create_token
from tests.booking_helpers import NOW, World, api_booking, api_home_slot
from tests.factories import CustomerFactory, UserFactory
from tests.web.test_attack import _book_home_visit, _world_and_street

WARNING = "You may already have a booking around this time"


def _warning(html: str) -> str:
    found = re.search(r'(?s)id="already-booked".*?</div>', html)
    return found.group(0) if found else ""


@time_machine.travel(NOW, tick=False)
def test_an_online_booking_typed_without_accents_is_warned_of_the_same_person_s_booking(app, client):
    world, address = _world_and_street()
    booked, window = _book_home_visit(client, world, address, name="Zofia Wiśniewska")
    assert booked.headers["Location"] == "/book/confirmation"

    again = app.test_client()  # another browser, the name typed on a keyboard without Polish letters
    response, _ = _book_home_visit(again, world, address, window=window, name="zofia  WISNIEWSKA")
    assert response.status_code == 200 and WARNING in _warning(response.get_data(as_text=True))
    assert db.session.query(Appointment).count() == 1

    # The same phone with another name is another person: booked, no warning.
    other = app.test_client()
    response, _ = _book_home_visit(other, world, address, window=window, name="Zofia Wisz")
    assert response.headers["Location"] == "/book/confirmation"
    assert db.session.query(Appointment).count() == 2


@time_machine.travel(NOW, tick=False)
def test_an_online_booking_with_only_an_email_matches_the_folded_name_too(app, client):
    world, address = _world_and_street()
    said = {"phone": "", "email": "zofia@example.com", "preferred_channel": "email"}
    booked, window = _book_home_visit(client, world, address, name="Zofia Wiśniewska", **said)
    assert booked.headers["Location"] == "/book/confirmation"
    said["email"] = "Zofia@Example.com"
    response, _ = _book_home_visit(
        app.test_client(), world, address, window=window, name="Zofia Wisniewska", **said
    )
    assert WARNING in _warning(response.get_data(as_text=True))


@time_machine.travel(NOW, tick=False)
def test_a_verified_channel_books_onto_the_record_with_the_accents(client):
    """An API client (verified: it books onto the same person's record, with the risk register read in
    the same statement) sending the name without accents."""
    world = World()
    slot = api_home_slot(client, world)
    zofia = CustomerFactory(name="Zofia Wiśniewska", phone="+447700900123")
    user = UserFactory(role="admin")
    secret = create_token(user, "same person")
    db.session.commit()
    body = api_booking(world, slot, customer={"name": "Zofia Wisniewska", "phone": "07700 900123"})
    response = client.post("/api/v1/appointments", json=body, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201, response.get_json()
    appointment = db.session.query(Appointment).one()
    assert appointment.customer_id == zofia.id
    assert db.session.query(Customer).count() == 1
    assert appointment.customer.name == "Zofia Wiśniewska"  # the record keeps the name as it was written
