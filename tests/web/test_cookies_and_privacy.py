"""The cookies page names every cookie the service really sets, and the privacy notice says who to
contact and how long details are kept, from the settings the service runs with, in the page's language."""

from __future__ import annotations

import re

from app.config import settings_changed
from app.routes.officer_phone import COOKIE
from tests.booking_helpers import World
from tests.pages import csrf_token, submit_form
from tests.safety_helpers import officer_user, sign_in_as


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _cookie_names(client) -> set[str]:
    return {cookie.key for cookie in client._cookies.values()}


def test_every_cookie_set_by_booking_choosing_a_language_or_an_officers_phone_is_listed(client):
    world = World()
    client.get("/language/pl")
    submit_form(client, "/book/service", {"service": world.service.code})
    user, _officer = officer_user(world)
    sign_in_as(client, user)
    page = client.get("/officer/phone").get_data(as_text=True)
    client.post("/officer/phone", data={"csrf_token": csrf_token(page), "name": "Work phone"})
    names = _cookie_names(client)
    assert {"session", COOKIE} <= names  # both kinds were really set
    listed = client.get("/cookies").get_data(as_text=True)
    for name in names:
        assert f'<td class="govuk-table__cell">{name}</td>' in listed, f"cookie {name} is not on /cookies"


def test_the_footer_links_to_cookies_and_privacy_on_residents_pages(client):
    footer = client.get("/book/service").get_data(as_text=True)
    assert 'href="/cookies"' in footer and 'href="/privacy"' in footer


def test_the_privacy_notice_says_who_to_contact_and_how_long_from_the_settings(client, app):
    with settings_changed(app, data_protection_email="dpo@borsetshire.example", retention_days=365 * 6):
        page = _text(client.get("/privacy").get_data(as_text=True))
        assert "Contact our data protection officer at dpo@borsetshire.example" in page
        assert "notes 6 years after your last appointment" in page
        client.get("/language/pl")
        polish = _text(client.get("/privacy").get_data(as_text=True))
    assert "notatki 6 lat po Twojej ostatniej wizycie" in polish
    assert "inspektorem ochrony danych: dpo@borsetshire.example" in polish
    client.get("/language/en")
    with settings_changed(app, retention_days=90):
        assert "notes 90 days after" in _text(client.get("/privacy").get_data(as_text=True))


def test_the_cookies_tables_name_column_is_the_cookies_name_in_polish_not_a_persons(client):
    """'Name' heads the cookies' names; in Polish that is 'Nazwa', not 'Imię i nazwisko' (a person's full
    name, which the booking form's field needs): found by the walk."""
    client.get("/language/pl")
    headers = re.findall(
        r'<th scope="col" class="govuk-table__header">([^<]+)</th>',
        client.get("/cookies").get_data(as_text=True),
    )
    assert headers[0] == "Nazwa"
    assert "Imię i nazwisko" not in headers
    client.get("/language/ne")
    assert "नाम" in client.get("/cookies").get_data(as_text=True)
