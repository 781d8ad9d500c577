"""What a fresh-eyes walk of the booking forms found (phone agent and resident): each test failed
before its fix."""

from __future__ import annotations

import re

import pytest
import time_machine

from app.extensions import db
from app.i18n import gettext_for
from app.models import Address
from tests.booking_helpers import NOW, world_with_a_street
from tests.factories import CustomerFactory
from tests.pages import csrf_token, submit_form


def _slots(html: str) -> list[str]:
    return re.findall(r'name="slot" type="radio" value="([^"]+)"', html)


@pytest.mark.parametrize(
    ("locale", "expected"), [("en", "By letter"), ("pl", "Listownie"), ("ne", "चिठीद्वारा")]
)
@time_machine.travel(NOW, tick=False)
def test_the_check_page_says_reminders_come_by_letter(client, locale, expected):
    """Finding 2: choosing "By letter to this address" left the Reminders row blank."""
    world = world_with_a_street()
    assert gettext_for(locale)("By letter") == expected  # the catalogue has it, compiled
    client.get(f"/language/{locale}")
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    address = db.session.query(Address).filter_by(uprn="100123").one()
    submit_form(client, "/book/address", {"address": str(address.id)})
    time_page = client.get("/book/time").get_data(as_text=True)
    client.post("/book/time", data={"slot": _slots(time_page)[0], "csrf_token": csrf_token(time_page)})
    details = {"name": "Jo Bloggs", "phone": "01380 722000", "preferred_channel": "post"}
    assert submit_form(client, "/book/details", details).headers["Location"] == "/book/check"
    html = client.get("/book/check").get_data(as_text=True)
    row = r'<dt class="govuk-summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value">(.*?)</dd>'
    rows = {
        re.sub(r"\s+", " ", k).strip(): re.sub(r"\s+", " ", v).strip() for k, v in re.findall(row, html, re.S)
    }
    assert rows[gettext_for(locale)("Reminders")] == expected


def test_find_a_caller_heads_the_number_column_phone(client, sign_in):
    """Finding 5: the column headed "Mobile" showed landlines."""
    sign_in("agent")
    CustomerFactory(name="Lan Dline", phone="+441380722000")
    db.session.commit()
    html = client.get("/agent/", query_string={"q": "Lan Dline"}).get_data(as_text=True)
    headers = re.findall(r'<th scope="col" class="govuk-table__header">(.*?)</th>', html)
    assert headers == ["Name", "Phone", "Address"]
    assert "01380 722000" in html
