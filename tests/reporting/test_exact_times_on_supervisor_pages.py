"""An exact-time visit reads as one time on the supervisor's pages, as on the call list: the re-plan's
cards and table for visits that cannot be kept said "2pm to 2pm" (found by a user walk)."""

from __future__ import annotations

import time_machine
from sqlalchemy import select

from app.appointments.references import format_reference
from app.extensions import db
from app.models import RoutePlan, RouteStop
from tests.booking_helpers import NOW, World, at
from tests.factories import AppointmentFactory
from tests.pages import csrf_token
from tests.reporting.test_reports import _fixture


@time_machine.travel(NOW, tick=False)
def test_the_replan_shows_an_exact_time_visit_that_cannot_be_kept_at_its_one_time(client, sign_in, configure):
    configure(replan_seconds=0.5)
    world = World(officers=2)
    sick, colleague = world.officers
    # 2pm sharp, far away, when the only colleague has their own 2pm visit: it cannot be kept.
    far = AppointmentFactory(
        service=world.service, officer=sick, window_start=at(14), window_end=at(14), lat=51.62, lng=-1.99
    )
    AppointmentFactory(service=world.service, officer=colleague, window_start=at(14), window_end=at(14))
    db.session.commit()
    sign_in("supervisor")
    absences = f"/admin/officers/{sick.id}/absences"
    recorded = client.post(
        absences,
        data={
            "kind": "sickness",
            "starts_on": ["7", "12", "2026"],
            "ends_on": ["7", "12", "2026"],
            "csrf_token": csrf_token(client.get(absences).get_data(as_text=True)),
        },
    )
    html = client.get(recorded.headers["Location"]).get_data(as_text=True)
    previewed = client.post(
        "/supervisor/replan",
        data={"csrf_token": csrf_token(html), "officer": sick.id, "day": "2026-12-07", "action": "preview"},
    )
    page = client.get(previewed.headers["Location"]).get_data(as_text=True)
    kept_out = page[page.index("Visits that cannot be kept") :]
    # Twice: the phone's summary card and the wide table, as the call list words it.
    reference = format_reference(far.reference)
    assert kept_out.count(f"{reference}, Monday 7 December 2026 at 2pm") == 2
    assert "2pm to 2pm" not in page


def test_the_route_map_shows_an_exact_time_stop_at_its_one_time(client, sign_in):
    world, _done = _fixture()
    plan = db.session.scalar(select(RoutePlan))
    exact = AppointmentFactory(
        service=world.service, officer=world.officers[0], window_start=at(15), window_end=at(15), lat=51.4
    )
    plan.stops.append(
        RouteStop(position=1, appointment=exact, planned_arrival=at(15), travel_seconds=600, distance_m=5_000)
    )
    db.session.commit()
    sign_in("supervisor")
    html = client.get(f"/supervisor/routes?officer={world.officers[0].id}&day=2026-12-07").get_data(
        as_text=True
    )
    table = html[html.index("<tbody") : html.index("</tbody>")]
    assert '<td class="govuk-table__cell">3pm</td>' in table and "3pm–3pm" not in table
