"""The staff menu: a few sections in the header and the current section's pages beneath it; each role
sees only what it may open."""

from __future__ import annotations

import re
from html import unescape

import pytest

from app.web.navigation import STAFF_SECTIONS


def _header(html: str) -> str:
    return html.split("<main", 1)[0]


def _menu_links(html: str) -> dict[str, str]:
    """Every link in the header's menus: text -> address."""
    found = re.findall(
        r'<a class="govuk[^"]*link[^"]*" href="([^"]+)"[^>]*>\s*([^<]+?)\s*</a>', _header(html)
    )
    return {text: href for href, text in found}


SECTION = (
    r'<li class="govuk-service-navigation__item[^"]*">\s*'
    r'<a class="govuk-service-navigation__link" href="([^"]+)"'
)


def _sections(html: str) -> list[str]:
    """The sections' names, in order (the current one is wrapped in <strong>)."""
    found = re.findall(SECTION + r"[^>]*>\s*(?:<strong[^>]*>)?([^<]+?)\s*<", html)
    return [unescape(name) for _, name in found]


SUPERVISOR_PAGES = {
    label for _, links in STAFF_SECTIONS for label, _, roles in links if "agent" not in roles
} - {"My day"}


def test_an_officers_menu_shows_no_agent_or_supervisor_links(client, sign_in):
    sign_in("officer")
    html = client.get("/staff/").get_data(as_text=True)
    assert _sections(html) == ["Today"]
    links = _menu_links(html)
    assert {"My day", "Staff home"} <= set(links)
    assert not set(links) & (SUPERVISOR_PAGES | {"Find a caller", "Capacity", "Letters", "Kiosk calls"})
    page = html.split("<main", 1)[1]
    assert "Dashboard" not in page and "Risk register" not in page and "Find a caller" not in page


def test_an_agents_menu_has_today_and_bookings_only(client, sign_in):
    sign_in("agent")
    html = client.get("/agent/capacity").get_data(as_text=True)
    assert _sections(html) == ["Today", "Bookings"]
    assert not set(_menu_links(html)) & SUPERVISOR_PAGES


def test_a_supervisor_finds_every_page_in_five_sections_and_sees_where_they_are(client, sign_in):
    sign_in("supervisor")
    html = client.get("/agent/capacity").get_data(as_text=True)
    assert _sections(html) == ["Today", "Bookings", "Officers & safety", "Reports", "Settings"]
    header = _header(html)
    # The section and the page are marked: Capacity, not Find a caller whose address (/agent/) starts it.
    assert '<strong class="govuk-service-navigation__active-fallback">Bookings</strong>' in header
    assert re.search(r'href="/agent/capacity" aria-current="page">Capacity<', header)
    assert 'aria-current="page">Find a caller' not in header
    assert '<nav class="app-sub-navigation" aria-label="Bookings">' in header
    home = client.get("/staff/").get_data(as_text=True).split("<main", 1)[1]
    expected = {label for _, links in STAFF_SECTIONS for label, _, roles in links if "supervisor" in roles}
    assert expected - {"Staff home"} <= set(re.findall(r'class="govuk-link" href="[^"]+">([^<]+)</a>', home))
    assert "API tokens" not in home  # admins only


@pytest.mark.parametrize("role", ["agent", "officer", "supervisor", "admin"])
def test_every_menu_link_opens_for_the_role_that_sees_it(client, sign_in, role):
    sign_in(role)
    html = client.get("/staff/").get_data(as_text=True)
    sections = re.findall(SECTION, html)
    pages = re.findall(r'class="govuk-link" href="(/[^"]+)"', html.split("<main", 1)[1])
    for href in set(sections + pages):
        assert client.get(href).status_code == 200, href
