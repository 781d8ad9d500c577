"""The dashboard's figures come from the data, and the CSV says exactly what the screen says."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, time, timedelta

import time_machine
from sqlalchemy import select

from app.appointments.references import format_reference
from app.extensions import db
from app.messaging.contact import display_phone
from app.models import Appointment, CallListEntry, Message, ReplanProposal, RoutePlan, RouteStop
from app.reporting import reports
from app.timeutil import format_time, local_to_utc
from tests.booking_helpers import MONDAY, NOW, World, at, book_first_slot
from tests.factories import AppointmentFactory, CustomerFactory
from tests.pages import csrf_token

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
    assert dict(tables["by_channel"].rows) == {"Online": 2, "Phone": 1}  # as staff say them
    assert dict((r[0], r[1]) for r in tables["outcomes"].rows) == {
        "Cancelled": 1,
        "Completed": 1,
        "Nobody in": 1,  # the one word for it everywhere (presenters.STATUS_LABELS)
    }
    assert dict(tables["by_hub"].rows) == {world.hub.name: 1}
    travel = dict(tables["travel"].rows)
    assert travel["Officer kilometres (planned routes)"] == 42.0
    assert travel["Officer CO2e (kg)"] == round(42 * reports.KG_CO2E_PER_KM, 1)
    assert (
        travel["Residents' kilometres saved (visits at home or business)"] > 20
    )  # ~11 km each way to Devizes
    assert dict(tables["satisfaction"].rows)["4: good"] == 1
    summary = dict(tables["satisfaction_summary"].rows)
    assert summary["Average rating"] == "Good (4 out of 5)" and summary["Reply rate"] == "100%"
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
    # Counts read as counts on the chart ("2", not "2.0"); measured values keep their decimal.
    assert '<span class="app-chart__value">2</span>' in page
    assert '<span class="app-chart__value">2.0</span>' not in page


def test_route_map_page_works_without_tiles(client, sign_in):
    world, _done = _fixture()
    sign_in("supervisor")
    html = client.get(f"/supervisor/routes?officer={world.officers[0].id}&day=2026-12-07").get_data(
        as_text=True
    )
    assert "42.0 km" in html
    # No tile server: the route is drawn server-side from the app's own data, no Leaflet at all.
    assert 'id="route-map"' not in html and "leaflet.js" not in html
    start = html.index('<svg viewBox="0 0 640')
    svg = html[start : html.index("</svg>", start)]
    assert 'role="img"' in svg and "<title" in svg and "<polyline" in svg
    assert world.area.name in svg and "<button" not in svg and "<a " not in svg  # nothing interactive inside


def test_route_map_leaves_out_visits_moved_or_cancelled_since_the_plan(client, sign_in):
    world, done = _fixture()
    plan = db.session.scalar(select(RoutePlan))
    moved, cancelled = (
        AppointmentFactory(service=world.service, officer=world.officers[0], window_start=at(hour), lat=51.4)
        for hour in (11, 13)
    )
    for position, appointment in ((1, moved), (2, cancelled)):
        plan.stops.append(
            RouteStop(
                position=position,
                appointment=appointment,
                planned_arrival=at(11 + position),
                travel_seconds=600,
                distance_m=5_000,
            )
        )
    db.session.commit()
    sign_in("supervisor")
    url = f"/supervisor/routes?officer={world.officers[0].id}&day=2026-12-07"
    before = client.get(url).get_data(as_text=True)
    assert '<td class="govuk-table__cell">3</td>' in before[before.index("<tbody") :]  # three stops planned
    moved.window_start += timedelta(days=1)  # moved to Tuesday after Monday's plan was stored
    moved.window_end += timedelta(days=1)
    cancelled.status = "cancelled"
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    table = html[html.index("<tbody") : html.index("</tbody>")]
    assert table.count('<td class="govuk-table__cell">1</td>') == 1
    assert (
        '<td class="govuk-table__cell">2</td>' not in table
        and '<td class="govuk-table__cell">3</td>' not in table
    )


def test_route_map_with_tiles_is_a_region_not_an_image(client, sign_in, configure):
    configure(map_tile_url="https://tiles.council.example/{z}/{x}/{y}.png")
    world, _done = _fixture()
    sign_in("supervisor")
    html = client.get(f"/supervisor/routes?officer={world.officers[0].id}&day=2026-12-07").get_data(
        as_text=True
    )
    tag = html[html.index('<div id="route-map"') :].split(">", 1)[0]
    assert 'role="region"' in tag and 'role="img"' not in tag and "leaflet.js" in html


@time_machine.travel(NOW, tick=False)
def test_recording_sickness_offers_the_replan_and_publishes_exactly_the_preview(client, sign_in, configure):
    configure(replan_seconds=0.5)
    world = World(officers=2)
    sick, colleague = world.officers
    visit = AppointmentFactory(
        service=world.service, officer=sick, window_start=at(10), customer=CustomerFactory(sms_consent=True)
    )
    far = AppointmentFactory(  # 10:00 sharp at the same moment as the colleague's own, far away
        service=world.service, officer=sick, window_start=at(14), window_end=at(14), lat=51.62, lng=-1.99
    )
    AppointmentFactory(service=world.service, officer=colleague, window_start=at(14), window_end=at(14))
    db.session.commit()
    sign_in("supervisor")

    url = f"/admin/officers/{sick.id}/absences"
    page = client.get(url)
    recorded = client.post(
        url,
        data={
            "kind": "sickness",
            "starts_on": ["7", "12", "2026"],
            "ends_on": ["7", "12", "2026"],
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    replan_url = f"/supervisor/replan?officer={sick.id}&day=2026-12-07"
    assert recorded.headers["Location"] == replan_url  # the re-plan is offered at once
    html = client.get(replan_url).get_data(as_text=True)
    assert "2 booked visits fall in it" in html and "Preview the re-plan" in html

    previewed = client.post(
        "/supervisor/replan",
        data={"csrf_token": csrf_token(html), "officer": sick.id, "day": "2026-12-07", "action": "preview"},
    )
    (proposal,) = db.session.query(ReplanProposal).all()
    assert previewed.headers["Location"] == f"{replan_url}&proposal={proposal.id}"
    html = client.get(previewed.headers["Location"]).get_data(as_text=True)
    assert format_reference(visit.reference) in html and colleague.name in html
    assert "Travel to it before" in html and " km" in html
    assert far.customer.name in html and display_phone(far.customer.phone) in html  # who to call
    # ...a number the supervisor can tap to call, as on the field board (it was plain text)
    tap_to_call = f'href="tel:{far.customer.phone}">{display_phone(far.customer.phone)}</a>'
    assert f'<a class="govuk-link app-nowrap" {tap_to_call}' in html
    db.session.expire_all()
    assert db.session.get(Appointment, visit.id).officer_id == sick.id  # nothing changed yet

    publish = {
        "csrf_token": csrf_token(html),
        "officer": sick.id,
        "day": "2026-12-07",
        "proposal": proposal.id,
        "action": "publish",
    }
    first = client.post("/supervisor/replan", data=publish)
    assert first.status_code == 302
    told = client.get(first.headers["Location"]).get_data(as_text=True)
    # One success banner says it all (the flash and the page's "published" notice were two, saying the
    # same): who published, when, and what it did ("its resident", not "their").
    assert told.count("govuk-notification-banner--success") == 1
    assert "This re-plan was published by " in told
    assert ": 1 visit moved and its resident told; 1 on the call list. " in told
    again = client.post("/supervisor/replan", data=publish)  # a second click publishes nothing more
    published = client.get(again.headers["Location"]).get_data(as_text=True)
    assert published.count("govuk-notification-banner--success") == 1
    assert ": 1 visit moved and its resident told; 1 on the call list. " in published
    # What is left is the visit it could not keep (still theirs, residents to call): no "preview again".
    assert "Re-plan the visits still assigned" in published and "Preview the re-plan again" not in published
    db.session.expire_all()
    assert db.session.get(Appointment, visit.id).officer_id == colleague.id
    assert [m.kind for m in db.session.query(Message).filter_by(appointment_id=visit.id)] == [
        "officer_change"
    ]

    calls = client.get("/supervisor/calls").get_data(as_text=True)
    assert (
        far.customer.name in calls and display_phone(far.customer.phone) in calls and "No colleague" in calls
    )
    assert f'<a class="govuk-link app-nowrap" {tap_to_call}' in calls
    (entry,) = db.session.query(CallListEntry).all()
    done = client.post(
        f"/supervisor/calls/{entry.id}/done",
        data={"csrf_token": csrf_token(calls), "outcome": "Moved to Tuesday with the resident"},
    )
    assert done.status_code == 302
    assert "Nobody to call" in client.get("/supervisor/calls").get_data(as_text=True)

    # Second attack (December 2026): the publisher's name went into the banner's html unescaped.
    db.session.get(ReplanProposal, proposal.id).published_by.full_name = "<i>Eve</i>"
    db.session.commit()
    banner = client.get(f"{replan_url}&proposal={proposal.id}").get_data(as_text=True)
    assert "published by &lt;i&gt;Eve&lt;/i&gt; at" in banner and "<i>Eve</i>" not in banner


@time_machine.travel(NOW, tick=False)
def test_replan_for_an_officer_not_recorded_absent_is_not_offered(client, sign_in):
    world = World(officers=2)
    AppointmentFactory(service=world.service, officer=world.officers[0], window_start=at(10))
    db.session.commit()
    sign_in("supervisor")
    html = client.get(f"/supervisor/replan?officer={world.officers[0].id}&day=2026-12-07").get_data(
        as_text=True
    )
    assert "is not recorded as off" in html and "Preview the re-plan" not in html
    record = f"/admin/officers/{world.officers[0].id}/absences?day=2026-12-07"
    assert f'href="{record}"' in html.replace("&amp;", "&")  # the link to record it carries the day
    form = client.get(record).get_data(as_text=True)
    for field in ("starts_on", "ends_on"):  # that day filled in as first and last day
        pattern = rf'id="{field}-(?:day|month|year)" name="{field}" type="text" value="(\d+)"'
        filled = re.findall(pattern, form)
        assert filled == ["07", "12", "2026"], field
    token = csrf_token(client.get(f"/admin/officers/{world.officers[0].id}/absences").get_data(as_text=True))
    response = client.post(  # a hand-made request is refused too
        "/supervisor/replan",
        data={
            "csrf_token": token,
            "officer": world.officers[0].id,
            "day": "2026-12-07",
            "action": "preview",
        },
    )
    assert "is not recorded as absent" in response.get_data(as_text=True)
    assert db.session.query(ReplanProposal).count() == 0


def test_waits_per_area(client, sign_in):
    world = World()
    with time_machine.travel(local_to_utc(date(2026, 12, 3), time(9)), tick=False):
        sign_in("supervisor")
        html = client.get(f"/supervisor/waits?service={world.service.code}").get_data(as_text=True)
    assert world.area.name in html and "2026-12-04" in html  # the next working day after a day's notice


def _booked(world, customer_name: str = "Ann Example") -> Appointment:
    from app.booking.booking_request import CustomerDetails

    appointment = book_first_slot(world, CustomerDetails(name=customer_name, phone="+447700900123"))
    db.session.commit()
    return appointment


def _slots(html):
    import re

    return re.findall(r'name="slot" type="radio" value="([^"]+)"', html)


@time_machine.travel(NOW, tick=False)
def test_a_call_list_entry_closes_when_the_visit_is_moved_and_says_who_moved_it(client, sign_in):
    from app.booking import call_list

    supervisor = sign_in("supervisor")
    world = World()
    appointment = _booked(world)
    call_list.add(appointment, "The nightly plan could not fit it", "nightly")
    db.session.commit()
    move = client.get(f"/agent/appointments/{appointment.id}/move").get_data(as_text=True)
    response = client.post(
        f"/agent/appointments/{appointment.id}/move",
        data={"csrf_token": csrf_token(move), "slot": _slots(move)[-1]},
    )
    assert response.status_code == 302
    entry = db.session.query(CallListEntry).one()
    assert entry.open_for is None and entry.done_by == supervisor and entry.done_at == NOW
    assert entry.outcome.startswith("Moved to ") and entry.outcome.endswith(" by phone")
    # The new arrival window as the resident was promised it, not only its first minute
    assert (
        f"arriving between {format_time(appointment.window_start)} and {format_time(appointment.window_end)}"
        in entry.outcome
    )
    page = client.get("/supervisor/calls").get_data(as_text=True)
    still_to_call, done = page.split("Done in the last 7 days")
    assert "Ann Example" not in still_to_call and "Nobody to call" in still_to_call
    assert "Ann Example" in done and supervisor.full_name in done and entry.outcome in done


@time_machine.travel(NOW, tick=False)
def test_a_call_list_entry_closes_when_the_resident_cancels(client, sign_in):
    from app.booking import call_list
    from app.booking.changes import cancel

    world = World()
    appointment = _booked(world)
    call_list.add(appointment, "Could not send the change", "officer_change")
    db.session.commit()
    cancel(appointment, "Not needed now", channel="web")  # the resident, from their link
    db.session.commit()
    entry = db.session.query(CallListEntry).one()
    assert entry.open_for is None and entry.done_by is None and entry.outcome == "Cancelled online"
    assert call_list.open_entries() == []
    sign_in("supervisor")
    done = client.get("/supervisor/calls").get_data(as_text=True).split("Done in the last 7 days")[1]
    assert "Cancelled online" in done and "The resident" in done


@time_machine.travel(NOW, tick=False)
def test_a_supervisor_marks_a_call_done_with_what_was_agreed(client, sign_in):
    from app.booking import call_list

    supervisor = sign_in("supervisor")
    world = World()
    appointment = _booked(world)
    entry = call_list.add(appointment, "The nightly plan could not fit it", "nightly")
    db.session.commit()
    page = client.get("/supervisor/calls").get_data(as_text=True)
    response = client.post(
        f"/supervisor/calls/{entry.id}/done",
        data={"csrf_token": csrf_token(page), "outcome": "Happy to wait for a call back"},
    )
    assert response.status_code == 302
    assert entry.open_for is None and entry.done_by == supervisor and entry.done_at == NOW
    done = client.get("/supervisor/calls").get_data(as_text=True).split("Done in the last 7 days")[1]
    assert "Happy to wait for a call back" in done and supervisor.full_name in done


@time_machine.travel(NOW, tick=False)
def test_the_dashboard_month_is_chosen_from_a_list_and_nonsense_gets_an_error_summary(client, sign_in):
    _fixture()
    db.session.commit()
    sign_in("supervisor")
    html = client.get("/supervisor/dashboard?month=2026-12").get_data(as_text=True)
    assert '<select class="govuk-select" id="month" name="month">' in html
    assert '<option value="2026-12" selected>December 2026</option>' in html
    assert '<option value="2025-12">December 2025</option>' in html  # a year either side
    assert '<option value="2027-12">December 2027</option>' in html
    for typed in ("december", "2026-13", "9999-12"):
        page = client.get(f"/supervisor/dashboard?month={typed}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "There is a problem" in html, typed
        assert '<a href="#month">Select a month from the list</a>' in html
        assert "<title>Error: December 2026 at a glance" in html  # the month it opens on, said plainly


@time_machine.travel(NOW, tick=False)
def test_the_route_map_day_is_a_govuk_date_input_with_an_error_summary(client, sign_in):
    world, _done = _fixture()
    sign_in("supervisor")
    officer = world.officers[0].id
    chosen = client.get(f"/supervisor/routes?officer={officer}&day-day=7&day-month=12&day-year=2026")
    html = chosen.get_data(as_text=True)
    assert 'name="day-day"' in html and 'name="day-month"' in html and 'name="day-year"' in html
    assert "42.0 km" in html  # the route of Monday 7 December
    for query, problem in (
        ("day-day=31&day-month=2&day-year=2026", "The day must be a real date"),
        ("day-day=7&day-month=&day-year=2026", "The day must include a month"),
        ("day-day=&day-month=&day-year=", "Enter the day"),
        ("day=next-monday", "The day must be a real date"),
    ):
        page = client.get(f"/supervisor/routes?officer={officer}&{query}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "There is a problem" in html and problem in html, query
        assert 'href="#day-day"' in html and "42.0 km" not in html, query


@time_machine.travel(NOW, tick=False)
def test_the_capacity_board_day_is_a_govuk_date_input_with_an_error_summary(client, sign_in):
    World()
    db.session.commit()
    sign_in("agent")
    html = client.get("/agent/capacity?day-day=7&day-month=12&day-year=2026").get_data(as_text=True)
    assert "Capacity on Monday 7 December 2026" in html and 'name="day-year"' in html
    page = client.get("/agent/capacity?day-day=7&day-month=&day-year=2026")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "There is a problem" in html
    assert '<a href="#day-day">The day must include a month</a>' in html


@time_machine.travel(NOW, tick=False)
def test_the_replan_of_a_day_with_no_absence_links_to_recording_one_for_that_day(client, sign_in):
    """Evening walk: "Record leave or sickness" from the re-plan of Monday 7 December opened an empty
    form, and the supervisor typed the day again."""
    world = World(officers=2)
    sick = world.officers[0]
    AppointmentFactory(service=world.service, officer=sick, window_start=at(10))
    db.session.commit()
    sign_in("supervisor")
    html = client.get(f"/supervisor/replan?officer={sick.id}&day=2026-12-07").get_data(as_text=True)
    link = f"/admin/officers/{sick.id}/absences?day=2026-12-07"
    assert f'href="{link}"' in html
    form = client.get(link).get_data(as_text=True)
    for field in ("starts_on", "ends_on"):
        filled = {
            part: int(re.search(rf'id="{field}-{part}"[^>]*value="([^"]*)"', form).group(1))
            for part in ("day", "month", "year")
        }
        assert filled == {"day": 7, "month": 12, "year": 2026}
