"""The absence re-plan never drops a colleague's own promised visit to fit the absent officer's, and
places as many of the absent officer's visits as fit, listing only the rest on Residents to call.

Through the real flow on a controlled clock: the nightly plan job plans Monday on Sunday evening; then
a supervisor records Alex off sick (the absences page), previews the re-plan and publishes it."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Appointment, CallListEntry, Message, RoutePlan
from app.planning.planning import stops_still_planned
from routing.plans import REASONS
from tests.booking_helpers import MONDAY, World, at, run_the_nightly_plan
from tests.factories import AppointmentFactory, CustomerFactory
from tests.planning.test_replan_pairs import _record_sick_and_publish


def _visit(world: World, officer, hour: int, minute: int = 0, until: tuple[int, int] | None = None, **kw):
    start = at(hour, minute)
    return AppointmentFactory(
        service=world.service,
        officer=officer,
        window_start=start,
        window_end=at(*until) if until else start,  # a fixed time unless a window is given
        customer=CustomerFactory(sms_consent=True),
        **kw,
    )


def _planned_for(officer_id: int) -> list[int]:
    """The visits in the officer's stored route for Monday as it still stands (their day as shown)."""
    route = db.session.scalar(
        select(RoutePlan).where(RoutePlan.officer_id == officer_id, RoutePlan.day == MONDAY)
    )
    return [] if route is None else [s.appointment_id for s in stops_still_planned(route)]


def test_a_colleagues_own_visit_is_kept_and_only_what_cannot_fit_goes_on_residents_to_call(
    app, client, sign_in
):
    """Priya's own visit is at 9:45 sharp (45 minutes). Alex, off sick, had two at 9:15 and 10:15 sharp
    that each overlap it, and one between 11am and midday that fits after it. Dropping Priya's visit
    would let her take all three of Alex's (three served, not two), which a planner weighing every visit
    alike would do; Priya's promise is kept instead, she takes the 11am visit, and only the two
    overlapping ones are left for staff to call."""
    world = World(officers=2)
    world.skill.name = "Housing"
    alex, priya = world.officers
    alex.first_name, alex.last_name = "Alex", "Brown"
    priya.first_name, priya.last_name = "Priya", "Shah"
    own = _visit(world, priya, 9, 45, lat=51.352, lng=-1.985)
    early = _visit(world, alex, 9, 15, lat=51.356, lng=-1.99)
    late = _visit(world, alex, 10, 15, lat=51.357, lng=-1.99)
    fits = _visit(world, alex, 11, until=(12, 0), lat=51.354, lng=-1.992)
    db.session.commit()
    own, early, late, fits, alex, priya = run_the_nightly_plan(app, own, early, late, fits, alex, priya)
    ids = {"own": own.id, "early": early.id, "late": late.id, "fits": fits.id, "priya": priya.id}
    refs = {name: v.reference for name, v in zip(ids, (own, early, late, fits), strict=False)}
    assert _planned_for(priya.id) == [own.id]

    preview, calls = _record_sick_and_publish(client, sign_in, alex.id)

    # The preview moves what fits and lists only the two that cannot; nothing is thrown away.
    moving, _, cannot = preview.partition("Visits that cannot be kept")
    assert "Visits that move (1)" in moving and "11am to midday From Alex Brown To Priya Shah" in moving
    assert "9:15am" not in moving and "10:15am" not in moving and "9:45am" not in moving
    assert refs["early"] in cannot and refs["late"] in cannot and refs["fits"] not in cannot
    assert f"9:15am: {REASONS['no_room']}" in cannot and f"10:15am: {REASONS['no_room']}" in cannot
    assert "Moving it would break a promise" not in preview
    # Priya keeps her own visit, at its promised time, and takes the 11am one.
    own, fits = db.session.get(Appointment, ids["own"]), db.session.get(Appointment, ids["fits"])
    assert own.officer_id == ids["priya"] and fits.officer_id == ids["priya"]
    assert _planned_for(ids["priya"]) == [ids["own"], ids["fits"]]
    assert [
        m.kind for m in db.session.scalars(select(Message).where(Message.appointment_id == ids["fits"]))
    ] == ["officer_change"]
    assert list(db.session.scalars(select(Message).where(Message.appointment_id == ids["own"]))) == []
    # Residents to call: the two overlapping visits, and only those.
    entries = list(db.session.scalars(select(CallListEntry)))
    assert {e.open_for for e in entries} == {ids["early"], ids["late"]}
    assert all(e.source == "absence" and "No colleague with Housing" in e.reason for e in entries)
    assert refs["early"] in calls and refs["late"] in calls
    assert refs["fits"] not in calls and refs["own"] not in calls


def test_a_colleague_whose_own_day_no_longer_holds_takes_nothing_and_the_rest_still_moves(
    app, client, sign_in
):
    """Kim's day as booked already fails the check booking uses (two visits at 10am sharp, miles apart,
    as if booked before a change to travel times): planned with everyone else, one of Kim's own visits
    would have to go, and the whole re-plan would be refused. Kim takes nothing and Kim's day is left as
    it is; Alex's visit goes to Priya."""
    world = World(officers=3)
    alex, priya, kim = world.officers
    names = [("Alex", "Brown"), ("Priya", "Shah"), ("Kim", "Lee")]
    for officer, (first, last) in zip(world.officers, names, strict=True):
        officer.first_name, officer.last_name = first, last
    kims = [_visit(world, kim, 10, lat=51.40, lng=-1.99), _visit(world, kim, 10, lat=51.30, lng=-1.99)]
    theirs = _visit(world, alex, 11, until=(12, 0), lat=51.354, lng=-1.992)
    db.session.commit()
    ids = {"alex": alex.id, "priya": priya.id, "kim": kim.id, "theirs": theirs.id}
    kim_ids = [v.id for v in kims]

    preview, calls = _record_sick_and_publish(client, sign_in, ids["alex"])

    assert "Moving it would break a promise" not in preview
    assert "11am to midday From Alex Brown To Priya Shah" in preview
    assert db.session.get(Appointment, ids["theirs"]).officer_id == ids["priya"]
    assert [db.session.get(Appointment, i).officer_id for i in kim_ids] == [ids["kim"]] * 2
    assert _planned_for(ids["kim"]) == []  # the re-plan stored no route for Kim: the day is as it was
    assert _planned_for(ids["priya"]) == [ids["theirs"]]
    assert "Nobody to call." in calls
