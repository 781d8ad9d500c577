"""What the agent met walking the journey in a browser (3 December)."""

from __future__ import annotations

import re
from html import unescape

import time_machine

from app.extensions import db
from tests.booking_helpers import NOW, World
from tests.factories import CustomerFactory


def _home_option(html: str) -> str:
    found = re.search(r'<option value="home"[^>]*>(.*?)</option>', html, re.S)
    assert found, "no home option"
    return unescape(found.group(1).strip())


@time_machine.travel(NOW, tick=False)
def test_the_home_choice_names_only_the_address_we_hold(client, sign_in):
    """A caller who booked at a hub gave a postcode alone: "Home: SN10 1DL", not "Home: , SN10 1DL"."""
    sign_in("agent")
    world = World()
    postcode_only = CustomerFactory(address_line1="", postcode="SN10 1DL")
    nothing = CustomerFactory(address_line1="", postcode="")
    full = CustomerFactory(address_line1="12 High Street", postcode="SN10 1AA")
    db.session.commit()

    def home(customer) -> str:
        page = client.get(f"/agent/customers/{customer.id}/book?service={world.service.code}")
        return _home_option(page.get_data(as_text=True))

    assert home(postcode_only) == "Home: SN10 1DL"
    assert home(nothing) == "Home (no address recorded)"
    assert home(full) == "Home: 12 High Street, SN10 1AA"
