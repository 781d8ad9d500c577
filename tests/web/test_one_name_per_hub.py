"""A hub has one name on every page: a hub visit's first address line is its building's ("Devizes
Library, Sheep Street"), which pages used to show where the day view shows the hub's name."""

from __future__ import annotations

import time_machine

from app.booking.booking_request import CustomerDetails
from app.extensions import db
from tests.booking_helpers import NOW, World, book_first_slot
from tests.safety_helpers import officer_user, sign_in_as


@time_machine.travel(NOW, tick=False)
def test_a_hub_visit_is_called_by_the_hubs_name_on_the_officers_pages(client):
    world = World()
    world.hub.name, world.hub.address_line1 = "Devizes community hub", "Devizes Library, Sheep Street"
    visit = book_first_slot(
        world, CustomerDetails(name="Jo Bloggs", phone="+447700900123"), world.hub_place()
    )
    user, _officer = officer_user(world)
    db.session.commit()
    day = visit.window_start.date().isoformat()
    sign_in_as(client, user)
    pages = {
        "the officer's day": client.get(f"/officer/day/{day}").get_data(as_text=True),
        "the visit": client.get(f"/officer/visits/{visit.id}").get_data(as_text=True),
    }
    for page, html in pages.items():
        assert "Devizes community hub" in html, page
        assert "Devizes Library, Sheep Street</" not in html and "Sheep Street, SN10" not in html, page
