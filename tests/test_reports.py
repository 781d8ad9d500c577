"""The dashboard's figures come from the data, and the CSV says exactly what the screen says."""

from __future__ import annotations

import csv
import io
from datetime import date, time

import time_machine

from app.extensions import db
from app.models import Appointment, RoutePlan, RouteStop
from app.services import reports
from app.timeutil import local_to_utc
from tests.booking_helpers import MONDAY, World, at
from tests.factories import AppointmentFactory

DECEMBER = date(2026, 12, 1)


def _fixture():
    world = World()
    officer = world.officers[0]
    done = AppointmentFactory(
        service=world.service,
        officer=officer,
        window_start=at(9),
        channel="web",
        status="completed",
        satisfaction_score=4,
        lat=51.45,
        lng=-1.99,
    )
    AppointmentFactory(
        service=world.service, officer=officer, window_start=at(11), channel="phone", status="cancelled"
    )
    AppointmentFactory(
        service=world.service,
        officer=officer,
        window_start=at(14),
        channel="web",
        status="no_show",
        location_type="hub",
        hub=world.hub,
    )
    plan = RoutePlan(
        officer=officer,
        day=MONDAY,
        leave_base_at=at(8, 30),
        return_base_at=at(16),
        travel_seconds=5400,
        distance_m=42_000,
    )
    plan.stops.append(
        RouteStop(position=0, appointment=done, planned_arrival=at(9), travel_seconds=600, distance_m=10_000)
    )
    db.session.add(plan)
    db.session.commit()
    return world, done


def test_dashboard_figures_match_the_fixture():
    world, done = _fixture()
    tables = reports.dashboard(DECEMBER)
    assert dict(tables["by_channel"].rows) == {"web": 2, "phone": 1}
    assert dict((r[0], r[1]) for r in tables["outcomes"].rows) == {
        "cancelled": 1,
        "completed": 1,
        "no show": 1,
    }
    assert dict(tables["by_hub"].rows) == {world.hub.name: 1}
    travel = dict(tables["travel"].rows)
    assert travel["Officer kilometres (planned routes)"] == 42.0
    assert travel["Officer CO2e (kg)"] == round(42 * reports.KG_CO2E_PER_KM, 1)
    assert (
        travel["Residents' kilometres saved (visits at home or business)"] > 20
    )  # ~11 km each way to Devizes
    assert dict(tables["satisfaction"].rows)["4"] == 1
    summary = dict(tables["satisfaction_summary"].rows)
    assert summary["Average score (1 to 5)"] == "4.00" and summary["Reply rate"] == "100%"
    officer_row = next(r for r in tables["officer_time"].rows if r[0] == world.officers[0].name)
    assert officer_row[2] == 1.5  # 5400 s of planned travel


def test_csv_export_matches_the_screen(client, sign_in):
    _fixture()
    sign_in("supervisor")
    page = client.get("/supervisor/dashboard?month=2026-12").get_data(as_text=True)
    assert "December 2026 at a glance" in page
    exported = client.get("/supervisor/reports/by_channel.csv?month=2026-12")
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0] == ["Channel", "Appointments"]
    screen = reports.dashboard(DECEMBER)["by_channel"].rows
    assert rows[1:] == [[str(c) for c in r] for r in screen]
    for name, _count in screen:
        assert f'<th scope="row" class="govuk-table__header">{name}</th>' in page


def test_route_map_page_works_without_tiles(client, sign_in):
    world, _done = _fixture()
    sign_in("supervisor")
    html = client.get(f"/supervisor/routes?officer={world.officers[0].id}&day=2026-12-07").get_data(
        as_text=True
    )
    assert 'id="route-map"' in html and 'data-tiles=""' in html
    assert "42.0 km" in html and "leaflet.js" in html


def test_replan_preview_changes_nothing_until_published(client, sign_in):
    world = World(officers=2)
    sick, colleague = world.officers
    visit = AppointmentFactory(service=world.service, officer=sick, window_start=at(10))
    db.session.commit()
    sign_in("supervisor")
    preview = client.get(f"/supervisor/replan?officer={sick.id}&day=2026-12-07").get_data(as_text=True)
    assert "Visits moved" in preview
    db.session.expire_all()
    assert db.session.get(Appointment, visit.id).officer_id == sick.id
    from tests.pages import csrf_token

    client.post(
        "/supervisor/replan",
        data={"csrf_token": csrf_token(preview), "officer": sick.id, "day": "2026-12-07", "confirm": "1"},
    )
    db.session.expire_all()
    assert db.session.get(Appointment, visit.id).officer_id == colleague.id


def test_waits_per_area(client, sign_in):
    world = World()
    with time_machine.travel(local_to_utc(date(2026, 12, 3), time(9)), tick=False):
        sign_in("supervisor")
        html = client.get(f"/supervisor/waits?service={world.service.code}").get_data(as_text=True)
    assert world.area.name in html and "2026-12-04" in html  # the next working day after a day's notice
