"""A resident is told who texts them and that STOP ends the texts where they give a mobile number (the
phone field's hint, read with the field), not only after booking: the resident journey's details, the
waiting list, and the kiosk (its details page is the journey's; it also texts a booking)."""

from __future__ import annotations

import re
from html import unescape

import time_machine

from app.extensions import db
from app.i18n import gettext_for
from app.models import Address
from tests.booking_helpers import NOW, world_with_a_street
from tests.pages import csrf_token, home_visit_times

NOTICE = "Our texts come from Wiltshire Council. You can reply STOP to any of our texts to stop them."


def _hint(html: str, field: str = "phone") -> str:
    found = re.search(rf'<div id="{field}-hint" class="govuk-hint">(.*?)</div>', html, re.S)
    assert found, f"no hint on {field}"
    assert re.search(rf'aria-describedby="{field}-hint', html), "the hint is not read with the field"
    return unescape(" ".join(re.sub(r"<br>", " ", found.group(1)).split()))


def _to_times(client) -> str:
    world = world_with_a_street()
    address = db.session.query(Address).one()
    return home_visit_times(client, world.service.code, "SN10 1AB", address.id)


@time_machine.travel(NOW, tick=False)
def test_the_details_page_says_who_texts_and_how_to_stop_where_the_mobile_is_given(client):
    times = _to_times(client)
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', times).group(1)
    client.post("/book/time", data={"slot": slot, "csrf_token": csrf_token(times)})
    assert _hint(client.get("/book/details").get_data(as_text=True)).endswith(NOTICE)
    client.get("/language/pl")
    polish = gettext_for("pl")
    expected = polish("Our texts come from %(council)s.") % {"council": "Wiltshire Council"}
    expected += " " + polish("You can reply STOP to any of our texts to stop them.")
    assert _hint(client.get("/book/details").get_data(as_text=True)).endswith(expected)
    assert "STOP" in expected and expected != NOTICE


@time_machine.travel(NOW, tick=False)
def test_the_waiting_list_says_it_where_the_mobile_is_given(client):
    _to_times(client)
    assert _hint(client.get("/book/waitlist").get_data(as_text=True)).endswith(NOTICE)
