"""What a fresh-eyes walk found in Polish and Nepali, and two small page bugs: each test failed before
its fix. (The kiosk's "Talk to someone from ..." button is tested with the kiosk's calls.)"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from pathlib import Path

import govuk_frontend_jinja
import pytest
import time_machine

from app.appointments.links import manage_url
from app.booking.booking_request import CustomerDetails
from app.extensions import db
from app.i18n import gettext_for
from app.models import HubOpening
from app.timeutil import format_date
from tests.booking_helpers import NOW, World, book_first_slot, world_with_a_street
from tests.pages import submit_form

TEMPLATES = Path(__file__).resolve().parents[2] / "app" / "templates"
LANGUAGES = ("pl", "ne")
FAR_AHEAD = "2099-01-01"


def _error_summary_title(html: str) -> str:
    found = re.search(r'<h2 class="govuk-error-summary__title">\s*(.*?)\s*</h2>', html, re.S)
    assert found, "no error summary"
    return found.group(1)


def _hidden_error_prefixes(html: str) -> list[str]:
    """What a screen reader hears before each inline error ("Error:"), as GOV.UK draws it."""
    return re.findall(
        r'<p id="[^"]*" class="govuk-error-message">\s*<span class="govuk-visually-hidden">([^<]*)</span>',
        html,
    )


def _to_time_page(client, world, location_type="home") -> None:
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": location_type})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    if location_type == "hub":
        submit_form(client, "/book/hub", {"hub": world.hub.code})
    else:
        address = re.search(r'name="address" type="radio" value="(\d+)"', client.get("/book/address").text)
        submit_form(client, "/book/address", {"address": address.group(1)})


# 1. "There is a problem" in the page's language ---------------------------------------------------


@pytest.mark.parametrize("locale", LANGUAGES)
@time_machine.travel(NOW, tick=False)
def test_a_refused_booking_says_there_is_a_problem_in_the_residents_language(client, configure, locale):
    """A flashed error (here: the day's online bookings for one phone number are used up) is drawn by
    base.html's own error summary, whose title was English on a Polish or Nepali page."""
    configure(public_bookings_per_contact_per_day=0)
    world = world_with_a_street()
    client.get(f"/language/{locale}")
    _to_time_page(client, world)
    page = client.get("/book/time").text
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', page).group(1)
    submit_form(client, "/book/time", {"slot": slot})
    submit_form(
        client, "/book/details", {"name": "Jo Bloggs", "phone": "07700 900123", "preferred_channel": "sms"}
    )
    refused = submit_form(client, "/book/check", {}).text
    words = gettext_for(locale)
    assert _error_summary_title(refused) == words("There is a problem") != "There is a problem"


def test_no_template_writes_there_is_a_problem_in_english_only():
    """Every error summary's title goes through the catalogue, so a page in another language shows it
    in that language (staff pages stay English: gettext gives them the English)."""
    untranslated = [
        path.relative_to(TEMPLATES)
        for path in TEMPLATES.rglob("*.html")
        if re.search(r"(?<!_\()['\">]There is a problem", path.read_text())
    ]
    assert untranslated == []


# 2. The hidden "Error:" before each field's error ---------------------------------------------------


@pytest.mark.parametrize("locale", LANGUAGES)
def test_a_fields_error_is_announced_with_error_in_the_residents_language(client, locale):
    """GOV.UK puts a visually hidden "Error:" before each field's message, for screen readers; the
    form widgets drew it in English on a Polish or Nepali page."""
    world = World()
    client.get(f"/language/{locale}")
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    html = submit_form(client, "/book/postcode", {"postcode": ""}).text
    assert _hidden_error_prefixes(html) == [gettext_for(locale)("Error") + ":"]
    assert "Error:" not in html


def test_the_error_message_macro_is_govuk_frontend_jinjas_with_only_the_prefix_translated():
    """Our copy (found before the package's) must follow the package: an upgrade that changes the
    macro fails here, to be copied again with the one change."""
    package = Path(govuk_frontend_jinja.__file__).parent / "templates" / "components" / "error-message"
    theirs = (package / "macro.html").read_text()
    ours = (TEMPLATES / "govuk_frontend_jinja" / "components" / "error-message" / "macro.html").read_text()
    ours_without_note = ours[ours.index("-#}\n") + len("-#}\n") :]
    assert ours_without_note == theirs.replace('default("Error")', 'default(_("Error"))')


# 4. A "from" beyond the booking horizon -----------------------------------------------------------


@pytest.mark.parametrize("locale", ("en", *LANGUAGES))
@time_machine.travel(NOW, tick=False)
def test_times_asked_for_past_the_horizon_say_how_far_ahead_one_can_book(client, locale):
    """/book/time?from=2099-01-01 said "no appointments free between Thursday 1 January 2099 and
    Wednesday 13 January 2027": an end before the start."""
    world = world_with_a_street()
    client.get(f"/language/{locale}")
    _to_time_page(client, world)
    page = client.get("/book/time", query_string={"from": FAR_AHEAD})
    html = page.text
    last = NOW.date() + timedelta(days=world.service.horizon_days)
    words = gettext_for(locale)
    assert page.status_code == 200
    assert words("You can book up to %(day)s.") % {"day": format_date(last, locale)} in html
    assert format_date(date(2099, 1, 1), locale) not in html
    assert 'href="/book/time">' + words("Show the earliest dates") in html


@time_machine.travel(NOW, tick=False)
def test_moving_a_visit_past_the_horizon_says_how_far_ahead_one_can_book(client, sign_in):
    world = World()
    appointment = book_first_slot(world, CustomerDetails(name="Jo Bloggs", phone="+447700900123"))
    db.session.commit()
    last = format_date(NOW.date() + timedelta(days=world.service.horizon_days))
    client.get(manage_url(appointment, external=False))
    resident = client.get("/manage/booking/change", query_string={"from": FAR_AHEAD}).text
    assert f"You can book up to {last}." in resident and "January 2099" not in resident
    sign_in("agent")
    agent = client.get(f"/agent/appointments/{appointment.id}/move", query_string={"from": FAR_AHEAD}).text
    assert f"This service can be booked up to {last}." in agent and "January 2099" not in agent
    api = client.get(
        "/api/v1/availability",
        query_string={
            "service": world.service.code,
            "location_type": "hub",
            "hub": world.hub.code,
            "from": FAR_AHEAD,
        },
    ).get_json()
    assert api["slots"] == [] and api["last_day"] is None


# 5. The hub's time page says "opening hours and closures" once ---------------------------------------


@pytest.mark.parametrize("locale", ("en", *LANGUAGES))
@time_machine.travel(NOW, tick=False)
def test_the_hub_time_page_links_its_opening_hours_once(client, locale):
    world = world_with_a_street()
    client.get(f"/language/{locale}")
    _to_time_page(client, world, "hub")
    html = client.get("/book/time").text
    words = gettext_for(locale)
    hub_link = f'href="/hubs/{world.hub.code}"'
    paragraph = next(p for p in re.findall(r'<p class="govuk-body">.*?</p>', html, re.S) if hub_link in p)
    link_text = words("opening hours and closures")
    assert paragraph.lower().count(link_text.lower()) == 1 and f"{hub_link}>{link_text}</a>" in paragraph


@time_machine.travel(NOW, tick=False)
def test_the_nepali_hub_list_ends_its_sentences_with_the_nepali_full_stop(client):
    """A hub open on Saturday mornings said "0.2 माइल टाढा. शनिबार…" (the English full stop between)."""
    world = World()
    db.session.add(HubOpening(hub=world.hub, weekday=5, opens=time(9), closes=time(12)))
    db.session.commit()
    client.get("/language/ne")
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "hub"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    page = " ".join(client.get("/book/hub").get_data(as_text=True).split())
    assert "। शनिबार बिहान पनि खुला।" in page and ". शनिबार" not in page
