"""Every page a member of staff can reach by following links works: signed in as each role, follow every
link from the staff home page (and from each page found) and GET it. None may fail (5xx), and none may be
a broken link for that person (404, or 403 for a page their own screens link to), and every one tells
the browser not to keep it (Cache-Control: no-store): they show residents' and colleagues' details."""

from __future__ import annotations

import html
import re
from collections import Counter, deque
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import time_machine

from app.booking import call_list
from app.booking.availability import search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.extensions import db
from app.kiosk import kiosk
from app.models import Absence, Appointment
from app.risk import risk
from app.safety import safety
from app.staff.tokens import create_token
from tests.booking_helpers import MONDAY, NOW, World, at
from tests.factories import AppointmentFactory, UserFactory
from tests.safety_helpers import on_duty, sign_in_as

PER_KIND = 3  # pages of one kind (the same path but for its numbers) worth visiting per role
MOST = 400  # pages per role
SKIP = ("/static/", "/sign-out")


@pytest.fixture
def county():
    """A little of everything staff pages show: visits booked through the engine (one under way, with a
    help alert), finished and cancelled ones, a call list entry, a warning marker, an absence with visits
    to re-plan, a kiosk, an API token and a supervisor on duty."""
    world = World(officers=2)
    officer_user = UserFactory(role="officer")
    world.officers[0].user = officer_user
    supervisor = on_duty(UserFactory(role="supervisor", phone="+447700900990"))
    users = {"officer": officer_user, "supervisor": supervisor}
    users["agent"], users["admin"] = UserFactory(role="agent"), UserFactory(role="admin")
    db.session.flush()
    with time_machine.travel(NOW, tick=False):
        for i, slot in enumerate(search(world.service, world.home(), MONDAY, 1, now=NOW).slots[:3]):
            book(
                BookingRequest(
                    slot_token=slot.token,
                    service=world.service,
                    place=world.home(),
                    customer=CustomerDetails(
                        name=f"Resident {i}", phone=f"+44770090012{i}", sms_consent=True
                    ),
                )
            )
            db.session.commit()
    visits = db.session.query(Appointment).order_by(Appointment.window_start).all()
    for status in ("completed", "cancelled", "no_show"):
        AppointmentFactory(
            service=world.service, officer=world.officers[0], window_start=at(8), status=status
        )
    call_list.add(visits[-1], "The nightly plan could not fit it", "nightly")
    with time_machine.travel(NOW, tick=False):  # one done this week: the call list's second table
        call_list.close(call_list.add(visits[1], "Officer off sick", "replan"), users["agent"], "Rebooked")
    risk.add_marker(
        user=supervisor,
        category="animals",
        precaution="information",
        reason="Large dog",
        review_on=MONDAY,
        postcode="SN10 1AA",
        line1="12 High Street",
    )
    db.session.add(Absence(officer=world.officers[1], kind="sickness", starts_on=MONDAY, ends_on=MONDAY))
    kiosk.register(world.hub, "Front desk")
    create_token(users["admin"], "crawler")
    db.session.commit()
    first = visits[0]
    with time_machine.travel(first.window_start, tick=False):
        safety.arrive(first, world.officers[0], officer_user)
        safety.help_now(first, world.officers[0], officer_user, via="test")
        db.session.commit()
    return users, first.window_start


def _links(page: str) -> list[str]:
    found = []
    for href in re.findall(r'href="([^"]*)"', page):
        href = html.unescape(href).split("#", 1)[0]
        parts = urlsplit(href)
        if href and not parts.scheme and not parts.netloc and href.startswith("/"):
            found.append(href)
    return found


def _kind(url: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(url).path)


def crawl(client, starts: list[str], each_page=None) -> tuple[list[str], list[tuple[str, int | str, str]]]:
    """Breadth first from `starts`: the pages visited, and (url, status or what is wrong, linked from) for
    each problem: a failure, a broken link, or a page the browser may keep in its cache (not no-store).
    each_page(url, html), if given, is called with every HTML page found."""
    queue, seen, kinds = deque((start, "") for start in starts), set(starts), Counter()
    visited, problems = [], []
    while queue and len(visited) < MOST:
        url, source = queue.popleft()
        response = client.get(url)
        visited.append(url)
        if response.status_code >= 500 or response.status_code in (403, 404):
            problems.append((url, response.status_code, source))
        if response.mimetype != "text/html" or response.status_code != 200:
            continue
        if "no-store" not in response.headers.get("Cache-Control", ""):  # residents' details stay off disk
            problems.append((url, "kept in the browser's cache", source))
        if each_page is not None:
            each_page(url, response.get_data(as_text=True))
        for link in _links(response.get_data(as_text=True)):
            kind = _kind(link)
            if link in seen or link.startswith(SKIP) or kinds[kind] >= PER_KIND:
                continue
            seen.add(link)
            kinds[kind] += 1
            queue.append((link, url))
    return visited, problems


@pytest.mark.parametrize("role", ["admin", "supervisor", "agent", "officer"])
def test_every_page_staff_can_reach_works(app, county, role):
    users, visit_time = county
    client = app.test_client()
    with time_machine.travel(visit_time + timedelta(minutes=5), tick=False):
        sign_in_as(client, users[role])
        # Where each starts: the staff home page; an agent also looks a caller up.
        starts = ["/staff/"] + (["/agent/?q=Resident"] if role != "officer" else [])
        visited, problems = crawl(client, starts)
    assert problems == []
    assert len(visited) > 5


class _Tables(HTMLParser):
    """Each table on a page, with the element it sits in (tag and attributes)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, dict]] = []
        self.tables: list[tuple[str, dict]] = []  # the parent of each table

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(self.open[-1] if self.open else ("", {}))
        if tag not in self.VOID:
            self.open.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        while self.open and self.open.pop()[0] != tag:
            pass


def _unscrollable_tables(url: str, page: str) -> list[str]:
    if not url.startswith(("/admin/", "/agent/", "/supervisor/", "/staff/", "/officer/")):
        return []  # a resident's page (a hub's opening hours) has no wide table
    parser = _Tables()
    parser.feed(page)
    return [
        f"{url}: a table in <{tag} {attrs}>"
        for tag, attrs in parser.tables
        if not (
            "app-table-scroll" in attrs.get("class", "").split()
            and attrs.get("role") == "region"
            and attrs.get("aria-label")
            and attrs.get("tabindex") == "0"
        )
    ]


@pytest.mark.parametrize("role", ["admin", "supervisor", "agent"])
def test_every_staff_table_scrolls_in_its_own_labelled_region(app, county, role):
    """On a phone a wide table scrolls inside a region keyboard users can focus and screen readers can
    name, so the page itself never scrolls sideways (WCAG 1.4.10): every table every staff page shows."""
    users, visit_time = county
    client = app.test_client()
    problems: list[str] = []
    with time_machine.travel(visit_time + timedelta(minutes=5), tick=False):
        sign_in_as(client, users[role])
        starts = ["/staff/", "/agent/?q=Resident", "/supervisor/calls"]
        crawl(client, starts, lambda url, page: problems.extend(_unscrollable_tables(url, page)))
    assert problems == []
