"""Two-officer visits in the absence re-plan, through the real flow on a controlled clock: the nightly
plan job plans Monday on Sunday evening; then a supervisor records one officer of a pair off sick
(the absences page), previews the re-plan and publishes it (the re-plan page). The partner who is not
away stays on the visit and only the absent officer is replaced; the resident is told that one officer
changes and the other still comes; when nobody can join the partner, the visit goes on Residents to
call saying so."""

from __future__ import annotations

import re
from html import unescape

import pytest
import time_machine
from sqlalchemy import select

from app.extensions import db
from app.models import Absence, Appointment, AppointmentEvent, CallListEntry, Message, RoutePlan
from app.planning.planning import stops_still_planned
from app.timeutil import format_time
from tests.booking_helpers import MONDAY, SUNDAY_EVENING, World, at, run_the_nightly_plan
from tests.factories import AppointmentFactory, AreaFactory, CustomerFactory
from tests.pages import csrf_token

LATER = SUNDAY_EVENING.replace(minute=30)  # the supervisor hears of the sickness after the plan ran
AGREED = at(10, 30)  # when both officers of the pair are to arrive, as booked (the plan may re-time it)


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _pair_world(colleagues: int) -> tuple[World, list]:
    """Alex Brown and Sam Jones share a two-officer Housing visit on Monday, 10am to 12pm, agreed for
    10:30; Sam is based about 15 km off, the colleagues (Priya Shah first) beside the visit, so a
    re-plan free to send any two would send two colleagues (less travel)."""
    world = World(officers=2 + colleagues, two_officers=True)
    world.skill.name = "Housing"
    alex, sam, *others = world.officers
    names = [("Alex", "Brown"), ("Sam", "Jones"), ("Priya", "Shah"), ("Kim", "Lee")]
    for officer, (first, last) in zip(world.officers, names, strict=False):
        officer.first_name, officer.last_name = first, last
    sam.base_lat, sam.base_lng = 51.45, -2.15
    for n, officer in enumerate(others):
        officer.base_lat, officer.base_lng = 51.356 + 0.002 * n, -1.99
    visit = AppointmentFactory(
        service=world.service,
        officer=alex,
        second_officer=sam,
        window_start=at(10),
        window_end=at(12),
        planned_arrival=AGREED,
        lat=51.355,
        lng=-1.99,
        customer=CustomerFactory(sms_consent=True),
    )
    db.session.commit()
    return world, [visit, *world.officers]


def _record_sick_and_publish(client, sign_in, officer_id: int) -> tuple[str, str]:
    """As the supervisor does it: record the officer off sick on Monday (the absences page sends them to
    the re-plan), preview, read the preview, publish. The preview's text and Residents to call after."""
    with time_machine.travel(LATER, tick=False):
        sign_in("supervisor")
        url = f"/admin/officers/{officer_id}/absences"
        page = client.get(url).get_data(as_text=True)
        day = ["7", "12", "2026"]
        recorded = client.post(
            url, data={"kind": "sickness", "starts_on": day, "ends_on": day, "csrf_token": csrf_token(page)}
        )
        assert recorded.status_code == 302 and "/supervisor/replan" in recorded.headers["Location"]
        replan = client.get(recorded.headers["Location"]).get_data(as_text=True)
        asked = client.post(
            "/supervisor/replan",
            data={
                "officer": officer_id,
                "day": MONDAY.isoformat(),
                "action": "preview",
                "csrf_token": csrf_token(replan),
            },
        )
        assert asked.status_code == 302
        preview = client.get(asked.headers["Location"]).get_data(as_text=True)
        proposal = re.search(r'name="proposal" value="(\d+)"', preview).group(1)
        published = client.post(
            "/supervisor/replan",
            data={
                "officer": officer_id,
                "day": MONDAY.isoformat(),
                "proposal": proposal,
                "action": "publish",
                "csrf_token": csrf_token(preview),
            },
        )
        assert published.status_code == 302
        calls = _text(client.get("/supervisor/calls").get_data(as_text=True))
    return _text(preview), calls.partition("Done in the last 7 days")[0]


def _texts_about(visit) -> list[Message]:
    return list(db.session.scalars(select(Message).where(Message.appointment_id == visit.id)))


def _stops_of(visit) -> dict[int, object]:
    """Officer id -> planned arrival, over the stored routes holding the visit as they still stand (what
    the route map and the officers' days show)."""
    return {
        p.officer_id: s.planned_arrival
        for p in db.session.scalars(select(RoutePlan).where(RoutePlan.day == MONDAY))
        for s in stops_still_planned(p)
        if s.appointment_id == visit.id
    }


def test_the_partner_who_is_not_away_stays_and_only_the_absent_officer_is_replaced(app, client, sign_in):
    _world, rows = _pair_world(colleagues=2)
    visit, alex, sam, priya, kim = run_the_nightly_plan(app, *rows)
    assert set(_stops_of(visit)) == {alex.id, sam.id}  # Monday planned with the pair together
    agreed = visit.planned_arrival  # the time the plan gave them both
    ids = {"alex": alex.id, "sam": sam.id, "priya": priya.id, "kim": kim.id}

    preview, calls = _record_sick_and_publish(client, sign_in, ids["alex"])

    visit = db.session.get(Appointment, visit.id)
    assert visit.second_officer_id == ids["sam"]  # Sam stays on it...
    assert visit.officer_id in (ids["priya"], ids["kim"])  # ...and one colleague joins in Alex's place
    joiner = visit.officer
    assert f"Sam Jones stays on it; {joiner.name} replaces Alex Brown" in preview
    assert (visit.window_start, visit.window_end, visit.planned_arrival) == (at(10), at(12), agreed)
    # Both stored routes hold it at the time agreed; Alex's day is no longer planned.
    assert _stops_of(visit) == {ids["sam"]: agreed, joiner.id: agreed}
    assert db.session.scalar(select(RoutePlan).where(RoutePlan.officer_id == ids["alex"])) is None
    (text,) = _texts_about(visit)
    assert text.kind == "officer_change" and "has not moved" in text.body
    assert f"Sam will still visit you, with {joiner.first_name} instead of the other officer" in text.body
    (event,) = db.session.scalars(select(AppointmentEvent).where(AppointmentEvent.appointment_id == visit.id))
    assert event.note.startswith(f"Officer changed from Alex to {joiner.first_name} because of absence")
    assert "Nobody to call." in calls


def test_when_nobody_can_join_the_partner_the_visit_goes_on_residents_to_call_saying_so(app, client, sign_in):
    """The only colleague working that day does not cover the visit's area (coverage.may_do, the booking
    rule), so nobody may join Sam: nothing changes for the resident, and the reason says who could stay
    and why the visit still cannot go ahead."""
    world, rows = _pair_world(colleagues=1)
    priya = rows[3]
    priya.areas = [AreaFactory(lat=51.6, lng=-1.8)]
    db.session.commit()
    visit, alex, sam = run_the_nightly_plan(app, *rows[:3])
    visit_id, ids = visit.id, (alex.id, sam.id)
    agreed = format_time(visit.planned_arrival)  # the time the plan gave them both

    preview, calls = _record_sick_and_publish(client, sign_in, alex.id)

    visit = db.session.get(Appointment, visit_id)
    assert (visit.officer_id, visit.second_officer_id) == ids  # unchanged until staff act
    said = (
        f"Sam Jones can stay on it, but no colleague with Housing can join them at {agreed}, when both "
        "officers are due (Monday 7 December 2026, arriving between 10am and midday)"
    )
    assert said in preview and said in calls
    assert f"{said}: nobody working that day has the skill and covers its area" in preview
    (entry,) = db.session.scalars(select(CallListEntry))
    assert entry.source == "absence" and entry.open_for == visit.id and entry.reason.startswith(said)
    assert _texts_about(visit) == []


def _on_leave_too(_world: World, sam) -> None:
    db.session.add(Absence(officer=sam, kind="leave", starts_on=MONDAY, ends_on=MONDAY))


def _skill_taken_away(_world: World, sam) -> None:
    sam.skills = [s for s in sam.skills if s.code != "housing"]


@pytest.mark.parametrize("away", [_on_leave_too, _skill_taken_away])
def test_a_partner_who_may_not_stay_is_replaced_too(app, client, sign_in, away):
    """Sam on leave that day too, or no longer with the skill (since the plan ran): both places go to
    colleagues, together, and the resident hears of the change as for any visit (nobody 'still' comes)."""
    world, rows = _pair_world(colleagues=2)
    visit, alex, sam, priya, kim = run_the_nightly_plan(app, *rows)
    away(world, sam)
    db.session.commit()
    visit_id, pair = visit.id, {priya.id, kim.id}

    preview, calls = _record_sick_and_publish(client, sign_in, alex.id)

    visit = db.session.get(Appointment, visit_id)
    assert {visit.officer_id, visit.second_officer_id} == pair
    assert "replaces Alex Brown" not in preview
    assert set(_stops_of(visit)) == pair and len(set(_stops_of(visit).values())) == 1  # together
    (text,) = _texts_about(visit)
    assert "will now visit you" in text.body and "still" not in text.body
    assert "Nobody to call." in calls


def test_a_pair_without_a_stored_arrival_keeps_its_partner_at_a_time_their_day_allows():
    """A visit booked before arrivals were stored has none: the partner's day as booked gives the time
    both are to arrive, inside the promised window, and the joining colleague arrives with them."""
    from app.planning.planning import replan_for_absence

    world, rows = _pair_world(colleagues=1)
    visit, alex, sam, priya = rows
    visit.planned_arrival = None
    db.session.add(Absence(officer=alex, kind="sickness", starts_on=MONDAY, ends_on=MONDAY))
    db.session.commit()

    summary = replan_for_absence(alex, MONDAY, time_limit=0.5)

    assert [a.id for a, _o in summary.moved] == [visit.id] and summary.unassigned == []
    assert (visit.officer_id, visit.second_officer_id) == (priya.id, sam.id)
    assert at(10) <= visit.planned_arrival <= at(12)
    assert _stops_of(visit) == {sam.id: visit.planned_arrival, priya.id: visit.planned_arrival}
