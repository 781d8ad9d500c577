"""Found by a fresh-eyes walk through each persona: the phone agent, the kiosk."""

from __future__ import annotations

import re
from html import unescape

import pytest

from app.extensions import db
from tests.booking_helpers import World, at
from tests.factories import AppointmentFactory, CustomerFactory


def _banner(html: str) -> str | None:
    """The words of the page's "Interpreter needed" banner, or None when it has none."""
    found = re.search(
        r'<div class="govuk-notification-banner"[^>]*id="interpreter-needed".*?</div>\s*</div>', html, re.S
    )
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(0))).split()) if found else None


def _agent_pages(customer_id: int, appointment_id: int) -> list[str]:
    return [
        f"/agent/customers/{customer_id}",
        f"/agent/customers/{customer_id}/book",
        f"/agent/customers/{customer_id}/waitlist",
        f"/agent/appointments/{appointment_id}/move",
        f"/agent/appointments/{appointment_id}/cancel",
    ]


def test_an_agent_booking_or_changing_for_a_caller_who_needs_an_interpreter_is_told_so_first(client, sign_in):
    world = World()
    caller = CustomerFactory(name="Agnieszka Nowak", interpreter_language="polski")
    visit = AppointmentFactory(
        service=world.service, officer=world.officers[0], customer=caller, window_start=at(10)
    )
    db.session.commit()
    sign_in("agent")
    for url in _agent_pages(caller.id, visit.id):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        said = "Agnieszka Nowak needs an interpreter: Polish. Talk to them through an interpreter."
        assert _banner(html) == f"Interpreter needed {said}", url
        assert html.index('id="interpreter-needed"') < html.index("<h1"), url  # read before anything else


def test_a_caller_who_needs_no_interpreter_gets_no_banner(client, sign_in):
    world = World()
    caller = CustomerFactory()
    visit = AppointmentFactory(
        service=world.service, officer=world.officers[0], customer=caller, window_start=at(10)
    )
    db.session.commit()
    sign_in("agent")
    for url in _agent_pages(caller.id, visit.id):
        assert _banner(client.get(url).get_data(as_text=True)) is None, url


@pytest.mark.parametrize("page", ["move", "cancel"])
def test_a_visit_booked_with_an_interpreter_says_so_when_it_is_changed(client, sign_in, page):
    """The visit's own language counts, though the caller's record has none (asked for at booking)."""
    world = World()
    caller = CustomerFactory(name="Bishnu Gurung")
    visit = AppointmentFactory(
        service=world.service,
        officer=world.officers[0],
        customer=caller,
        window_start=at(10),
        interpreter_language="nepali",
    )
    db.session.commit()
    sign_in("agent")
    html = client.get(f"/agent/appointments/{visit.id}/{page}").get_data(as_text=True)
    assert "Bishnu Gurung needs an interpreter: Nepali." in (_banner(html) or "")
