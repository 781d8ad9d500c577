"""A small world for booking tests: one area, a housing service and officers who can do it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import time_machine

from app.booking.availability import search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.booking.errors import SlotUnavailable
from app.extensions import db
from app.models import Address, Appointment
from app.places.places import Place, hub_place
from app.timeutil import local_to_utc
from tests.factories import AreaFactory, HubFactory, OfficerFactory, ServiceFactory, SkillFactory

MONDAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday, well before MONDAY
HOME = (51.355, -1.99)  # in Devizes, near the officers' base


class World:
    def __init__(self, officers: int = 1, two_officers: bool = False, notice_hours: int = 24):
        self.skill = SkillFactory(code="housing")
        self.area = AreaFactory(lat=51.35, lng=-1.995)
        self.service = ServiceFactory(
            skill=self.skill,
            duration_minutes=45,
            two_officers=two_officers,
            notice_hours=notice_hours,
            horizon_days=60,
            at_hub=True,
            at_home=True,
        )
        self.officers = [OfficerFactory(skills=[self.skill], areas=[self.area]) for _ in range(officers)]
        self.hub = HubFactory(area=self.area)
        db.session.flush()

    def home(self, lat: float = HOME[0], lng: float = HOME[1]) -> Place:
        return Place(
            "home", lat, lng, self.area.id, line1="12 High Street", town="Devizes", postcode="SN10 1AA"
        )

    def hub_place(self) -> Place:
        return hub_place(self.hub)


def off_sick_for_months(world: World) -> None:
    """The world's area gets an officer with the skill who is off sick past the service's horizon: no
    free times there now, but somebody who will be back (not an area nobody can ever staff)."""
    from app.models import Absence

    officer = OfficerFactory(skills=[world.skill], areas=[world.area])
    db.session.add(Absence(officer=officer, kind="sickness", starts_on=NOW.date(), ends_on=date(2027, 6, 30)))
    db.session.flush()


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return local_to_utc(day, time(hour, minute))


SUNDAY_EVENING = at(19, 5, day=MONDAY - timedelta(days=1))  # the nightly plan for MONDAY is due


def run_the_nightly_plan(app, *rows):
    """The scheduler's plan job as it runs at 19:05 on the Sunday before MONDAY (its own session, the
    clock held there), then these rows (models with ids) as it left them: one, or a list."""
    from app.scheduler import JOBS, run_job

    keys = [(type(row), row.id) for row in rows]
    db.session.remove()
    with time_machine.travel(SUNDAY_EVENING, tick=False):
        run_job(app, next(job for job in JOBS if job.id == "plan"))
    found = [db.session.get(model, key) for model, key in keys]
    return found[0] if len(found) == 1 else found


def book_first_slot(
    world: World, customer: CustomerDetails, place: Place | None = None, days: int = 1, **request
) -> Appointment:
    """The first free time from MONDAY (searching `days` days) at `place` (the world's home address
    unless given), booked through the real booking service as of NOW; `request` adds BookingRequest
    fields (channel, notes...). Not committed."""
    place = place or world.home()
    slot = search(world.service, place, MONDAY, days, now=NOW).slots[0]
    return book(
        BookingRequest(
            slot_token=slot.token, service=world.service, place=place, customer=customer, **request
        )
    )


def at_once(
    app, jobs: list[Callable[[], object]], refusals: dict[type[Exception], str] | None = None
) -> list[str]:
    """Each job run by a thread of its own (its own connection, committed), all released together: what
    each got, "booked" or the name `refusals` gives its error (by default SlotUnavailable: "gone")."""
    refusals = refusals or {SlotUnavailable: "gone"}
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(jobs))

    def attempt(job):
        with app.app_context():
            barrier.wait()
            try:
                job()
                db.session.commit()
                result = "booked"
            except tuple(refusals) as error:
                db.session.rollback()
                result = refusals[type(error)]
            finally:
                db.session.remove()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes


def book_at_once(
    app, requests_for: list[Callable[[], BookingRequest]], refusals: dict[type[Exception], str] | None = None
) -> list[str]:
    """Each request (made in its thread) booked at the same moment as the others (at_once)."""
    return at_once(app, [lambda make=make: book(make()) for make in requests_for], refusals)


def api_home_slot(client, world: World) -> str:
    """A free home-visit slot id on MONDAY at 12 High Street, Devizes (added to the gazetteer, and
    committed), found through the public availability API by postcode."""
    db.session.add(
        Address(
            uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=HOME[0], lng=HOME[1]
        )
    )
    db.session.commit()
    query = {"service": world.service.code, "location_type": "home", "postcode": "SN10 1AA"}
    query |= {"from": MONDAY.isoformat(), "days": "1"}
    slots = client.get("/api/v1/availability", query_string=query).get_json()["slots"]
    return slots[0]["slot_id"]


def api_booking(world: World, slot_id: str, **overrides) -> dict:
    """A body for POST /api/v1/appointments: a home visit for Jo Bloggs at 12 High Street."""
    return {
        "slot_id": slot_id,
        "service": world.service.code,
        "location_type": "home",
        "address": {"line1": "12 High Street", "town": "Devizes", "postcode": "SN10 1AA"},
        "customer": {
            "name": "Jo Bloggs",
            "phone": "07700 900123",
            "email": "jo@example.com",
            "preferred_channel": "sms",
        },
    } | overrides


def world_with_a_street(postcode: str = "SN10 1AB", officers: int = 1) -> World:
    """A World whose gazetteer holds 12 High Street, Devizes: the address the resident journeys pick."""
    world = World(officers=officers)
    db.session.add(
        Address(
            uprn="100123", line1="12 High Street", town="Devizes", postcode=postcode, lat=51.355, lng=-1.99
        )
    )
    db.session.commit()
    return world


def book_at_a_kiosk(client) -> World:
    """A kiosk set up at the world's hub on `client`, and a hub visit booked on it by Kim Kiosk
    (07700 900321, texts) through the resident journey; the browser is on the confirmation."""
    import re

    from app.kiosk import kiosk as kiosks
    from tests.pages import csrf_token, set_up_kiosk, submit_form

    world = World()
    db.session.add(
        Address(uprn="9", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    _device, token = kiosks.register(world.hub, "Reception kiosk")
    db.session.commit()
    set_up_kiosk(client, token)
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "hub"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AA"})
    submit_form(client, "/book/hub", {"hub": world.hub.code})
    page = client.get("/book/time").get_data(as_text=True)
    slot = re.findall(r'name="slot" type="radio" value="([^"]+)"', page)[0]
    client.post("/book/time", data={"slot": slot, "csrf_token": csrf_token(page)})
    submit_form(
        client, "/book/details", {"name": "Kim Kiosk", "phone": "07700 900321", "preferred_channel": "sms"}
    )
    check = client.get("/book/check").get_data(as_text=True)
    assert client.post("/book/check", data={"csrf_token": csrf_token(check)}).status_code == 302
    return world
