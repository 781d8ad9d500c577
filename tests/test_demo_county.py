import re
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from app.demo.bookings import book_demo_visits, visits_today
from app.demo.load import load_demo
from app.extensions import db
from app.models import (
    Appointment,
    Customer,
    Hub,
    HubClosure,
    HubOpening,
    KioskDevice,
    Officer,
    Service,
    User,
    WorkingPattern,
)
from tests.booking_helpers import NOW
from tests.pages import csrf_token, set_up_kiosk


def _counts():
    return {
        m.__name__: db.session.scalar(select(func.count(m.id)))
        for m in (Hub, Service, Officer, Customer, User)
    }


def test_demo_load_is_idempotent_and_complete(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    first = load_demo()
    after_first = _counts()
    second = load_demo()
    assert _counts() == after_first
    assert first["users_created"] and not second["users_created"]
    assert after_first["Hub"] == 20
    assert after_first["Service"] == 21  # the top 20 and Registration, signposted
    assert after_first["Officer"] == 40
    assert after_first["Customer"] == 300
    # Issue 19 on the demo county: residents who get letters, a hub closure, Saturday hub openings
    # and officers who work them.
    assert (
        db.session.scalar(select(func.count(Customer.id)).where(Customer.preferred_channel == "post")) >= 10
    )
    assert db.session.scalar(select(func.count(HubClosure.id))) == 1
    assert db.session.scalar(select(func.count(HubOpening.id)).where(HubOpening.weekday == 5)) >= 3
    assert db.session.scalar(select(func.count(WorkingPattern.id)).where(WorkingPattern.weekday == 5)) >= 3
    roles = {role for _email, role in first["users_created"]}
    assert roles == {"admin", "supervisor", "agent", "officer"}
    # Every service can be booked in every area it is offered in: some officer with its skill covers
    # each area (council tax at home in Trowbridge once had nobody, so no times for weeks).
    officers = db.session.scalars(select(Officer)).all()
    for service in db.session.scalars(select(Service).where(Service.skill_id.is_not(None))):
        for hub in db.session.scalars(select(Hub)):
            assert any(service.skill in o.skills and hub.area in o.areas for o in officers), (
                service.code,
                hub.code,
            )
    assert max(len(o.skills) for o in officers) <= 5  # specialists still, not everyone doing everything


def test_demo_services_are_realistic(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    load_demo()
    registration = db.session.scalar(select(Service).where(Service.code == "registration"))
    assert (
        registration.premises_only
        and registration.places == []
        and "register office" in registration.signpost
    )
    services = db.session.scalars(select(Service).where(Service.premises_only.is_(False))).all()
    assert len(services) == 20
    assert all(s.skill is not None and s.places for s in services)
    assert any(s.two_officers for s in services)
    # every service's skill is held by at least three officers
    officers = db.session.scalars(select(Officer)).all()
    for service in services:
        holders = [o for o in officers if service.skill in o.skills]
        assert len(holders) >= 3, service.name
    # part-time patterns exist, and shifts look like 08:30-17:30 office days
    assert any(len(o.patterns) < 5 or o.patterns[0].ends.hour < 14 for o in officers)
    assert all(p.starts.hour >= 8 and p.ends.hour <= 17 for o in officers for p in o.patterns)


def test_the_postcode_every_hint_gives_as_an_example_finds_addresses_in_the_demo_county(client, monkeypatch):
    """A resident trying the example from the hint (or from the error message) gets addresses, not
    "We do not recognise that postcode"."""
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    load_demo()
    db.session.commit()
    home_service = db.session.scalar(select(Service).where(Service.at_home.is_(True)).order_by(Service.id))

    def post(url, data):
        page = client.get(url).get_data(as_text=True)
        return client.post(url, data={**data, "csrf_token": csrf_token(page)})

    post("/book/service", {"service": home_service.code})
    assert post("/book/where", {"location_type": "home"}).headers["Location"] == "/book/postcode"
    hint = re.search(
        r"For example, ([A-Z0-9]+ [A-Z0-9]+)", client.get("/book/postcode").get_data(as_text=True)
    )
    error = re.search(
        r"like ([A-Z0-9]+ [A-Z0-9]+)", post("/book/postcode", {"postcode": "nonsense"}).get_data(as_text=True)
    )
    assert hint.group(1) == error.group(1)  # one example everywhere
    assert post("/book/postcode", {"postcode": hint.group(1)}).headers["Location"] == "/book/address"
    addresses = client.get("/book/address").get_data(as_text=True)
    found = re.search(rf"(\d+) addresses found for {hint.group(1)}", addresses)
    assert found and int(found.group(1)) >= 5, "the example is not a street in the demo gazetteer"


@time_machine.travel(NOW, tick=False)  # a Tuesday, 9am
def test_the_demo_county_has_a_kiosk_to_set_up_and_visits_later_today(client, monkeypatch):
    """After `make run` a supervisor or officer sees a real day, and there is a kiosk to try."""
    monkeypatch.setenv("DEMO_PASSWORD", "demo-password-for-tests")
    first, second = load_demo(), load_demo()
    hub_name, token = first["kiosk"]
    assert second["kiosk"] is None  # registered once; its link is shown once
    device = db.session.scalar(select(KioskDevice))
    assert device.hub.has_kiosk and device.hub.name == hub_name and not device.set_up
    db.session.commit()
    assert set_up_kiosk(client, token).headers["Location"] == "/kiosk/"
    assert hub_name in client.get("/kiosk/").get_data(as_text=True)

    added = book_demo_visits(40, today=12)
    assert added == 40 and visits_today() == 12
    assert book_demo_visits(40, today=12) == 0  # idempotent
    today = db.session.scalars(
        select(Appointment).where(Appointment.window_start < NOW + timedelta(days=1))
    ).all()
    assert len(today) == 12
    assert all(a.window_start >= NOW + timedelta(minutes=30) and a.officer_id for a in today)
    assert all(a.status == "booked" and a.planned_arrival >= a.window_start for a in today)
