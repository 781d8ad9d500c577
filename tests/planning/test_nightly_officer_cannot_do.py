"""The nightly plan notices a booked visit whose officer may no longer do it (switched off, the skill
taken away, the community area no longer theirs): through the scheduler's plan job on a controlled
clock, the visit goes to a qualified colleague inside its promised window and the resident is told,
or, when nobody has room, it goes on the supervisors' call list with the reason."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Appointment, AppointmentEvent, CallListEntry, Message, RoutePlan
from tests.booking_helpers import MONDAY, World, at, run_the_nightly_plan
from tests.factories import AppointmentFactory, AreaFactory, CustomerFactory, OfficerFactory


def _visit(world: World, officer, hour: int = 10, hours: int = 2) -> Appointment:
    return AppointmentFactory(
        service=world.service,
        officer=officer,
        window_start=at(hour),
        window_end=at(hour + hours),
        lat=51.355,
        lng=-1.99,
        customer=CustomerFactory(sms_consent=True),
    )


def _messages(visit: Appointment) -> list[Message]:
    return list(
        db.session.scalars(select(Message).where(Message.appointment_id == visit.id).order_by(Message.id))
    )


def _texts(visit: Appointment) -> list[str]:
    """What the resident was sent, one kind per notice: a long text goes in parts, each a message of its
    own whose key ends with its number (outbox.queue_for_resident), as names and services grow longer."""
    return [m.kind for m in _messages(visit) if not re.search(r":\d+$", m.dedupe_key)]


def _call_list() -> dict[int, CallListEntry]:
    return {e.appointment_id: e for e in db.session.scalars(select(CallListEntry))}


def _take_skill(world: World, officer) -> None:
    officer.skills.remove(world.skill)


def _take_area(world: World, officer) -> None:
    officer.areas.remove(world.area)


def _switch_off(_world: World, officer) -> None:
    officer.active = False


@pytest.mark.parametrize("change", [_take_skill, _take_area, _switch_off])
def test_a_visit_its_officer_can_no_longer_do_goes_to_a_qualified_colleague_and_the_resident_is_told(
    app, change
):
    world = World(officers=2)
    was, colleague = world.officers
    untrained = OfficerFactory(skills=[], areas=[world.area])  # working, but may not do it
    elsewhere = OfficerFactory(skills=[world.skill], areas=[AreaFactory(lat=51.6, lng=-1.8)])
    visit = _visit(world, was)
    db.session.flush()
    not_them = (untrained.id, elsewhere.id)
    promised = (visit.window_start, visit.window_end)
    change(world, was)
    db.session.commit()

    visit, was, colleague = run_the_nightly_plan(app, visit, was, colleague)

    assert visit.officer_id == colleague.id not in not_them
    assert (visit.window_start, visit.window_end) == promised  # the promise is kept
    assert visit.window_start <= visit.planned_arrival <= visit.window_end
    route = db.session.scalar(select(RoutePlan).where(RoutePlan.officer_id == colleague.id))
    assert route is not None and [s.appointment_id for s in route.stops] == [visit.id]
    assert _texts(visit) == ["officer_change"]  # told once, as after an absence re-plan
    (text,) = db.session.scalars(select(Message).where(Message.appointment_id == visit.id))
    assert colleague.first_name in text.body
    (event,) = db.session.scalars(select(AppointmentEvent).where(AppointmentEvent.appointment_id == visit.id))
    assert "can no longer do this visit" in event.note and "promised time is unchanged" in event.note
    assert _call_list() == {}


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (_take_skill, "no longer has the Housing skill it needs"),
        (_take_area, "no longer covers"),
        (_switch_off, "is switched off"),
    ],
)
def test_with_nobody_qualified_to_take_it_the_visit_goes_on_the_call_list_with_the_reason(app, change, says):
    world = World(officers=1)
    (was,) = world.officers
    world.skill.name = "Housing"
    visit = _visit(world, was)
    change(world, was)
    db.session.commit()

    visit, was = run_the_nightly_plan(app, visit, was)

    assert visit.officer_id == was.id and _texts(visit) == []  # nothing changed for the resident yet
    entry = _call_list()[visit.id]
    assert entry.source == "cannot_do" and entry.open_for == visit.id
    assert f"{was.name} {says}" in entry.reason
    assert "and nobody else with the skill covers it there: move it, or call the resident" in entry.reason
    # The officer's route does not hold a visit they may not do.
    stops = [s.appointment_id for p in db.session.scalars(select(RoutePlan)) for s in p.stops]
    assert visit.id not in stops


def test_a_colleague_whose_day_is_full_keeps_their_own_promises_and_the_visit_goes_on_the_call_list(app):
    world = World(officers=2)
    was, colleague = world.officers
    # 45-minute visits: the colleague's two, arriving 9:45-10:00 and 10:30-10:45, leave no room for
    # one arriving 10:00-11:00.
    theirs = [_visit(world, colleague, hour=10) for _ in range(2)]
    for v, (starts, ends) in zip(theirs, [(at(9, 45), at(10)), (at(10, 30), at(10, 45))], strict=True):
        v.window_start, v.window_end = starts, ends
    visit = _visit(world, was, hour=10, hours=1)
    db.session.flush()
    kept = {v.id: (v.window_start, v.window_end) for v in theirs}
    _take_skill(world, was)
    db.session.commit()

    visit, was, colleague, *theirs = run_the_nightly_plan(app, visit, was, colleague, *theirs)

    assert visit.officer_id == was.id
    reason = _call_list()[visit.id].reason
    assert "no qualified officer working that day has room inside the promised window" in reason
    assert all(v.officer_id == colleague.id and _texts(v) == [] for v in theirs)
    assert {v.id: (v.window_start, v.window_end) for v in theirs} == kept
    for v in theirs:
        assert v.window_start <= v.planned_arrival <= v.window_end


def test_a_two_officer_visit_one_of_whose_officers_lost_the_skill_goes_to_two_who_have_it_together(app):
    world = World(officers=3)
    world.service.two_officers = True
    was, partner, third = world.officers
    visit = _visit(world, was)
    visit.second_officer = partner
    _take_skill(world, was)
    db.session.commit()

    visit, was, partner, third = run_the_nightly_plan(app, visit, was, partner, third)

    assert {visit.officer_id, visit.second_officer_id} == {partner.id, third.id}
    assert visit.window_start <= visit.planned_arrival <= visit.window_end
    stops = [
        s for p in db.session.scalars(select(RoutePlan)) for s in p.stops if s.appointment_id == visit.id
    ]
    assert {s.plan.officer_id for s in stops} == {partner.id, third.id}
    assert {s.planned_arrival for s in stops} == {visit.planned_arrival}  # they arrive together
    assert _texts(visit) == ["officer_change"] and _call_list() == {}


def test_when_the_only_colleague_who_could_take_it_is_on_leave_the_call_list_says_so(app):
    from app.models import Absence

    world = World(officers=2)
    was, away = world.officers
    db.session.add(Absence(officer=away, kind="leave", starts_on=MONDAY, ends_on=MONDAY))
    visit = _visit(world, was)
    _switch_off(world, was)
    db.session.commit()

    visit, was, away = run_the_nightly_plan(app, visit, was, away)

    assert visit.officer_id == was.id and _texts(visit) == []
    reason = _call_list()[visit.id].reason
    assert (
        f"{was.name} is switched off" in reason and "no other qualified officer is working that day" in reason
    )


def test_a_two_officer_visit_keeps_the_officer_who_still_may_do_it_and_replaces_only_the_other(app):
    """Both colleagues are based beside the visit and the partner far off, so a plan free to choose any
    two would send the colleagues (less travel); the partner still may do it, so they stay."""
    world = World(officers=4)
    world.service.two_officers = True
    was, partner, near, nearer = world.officers
    partner.base_lat, partner.base_lng = 51.45, -2.15  # about 15 km away, in the same area
    near.base_lat, near.base_lng = 51.36, -1.99
    nearer.base_lat, nearer.base_lng = 51.356, -1.99
    visit = _visit(world, was)
    visit.second_officer = partner
    _take_skill(world, was)
    db.session.commit()

    visit, was, partner, nearer = run_the_nightly_plan(app, visit, was, partner, nearer)

    assert {visit.officer_id, visit.second_officer_id} == {partner.id, nearer.id}
    assert visit.officer_id == nearer.id  # the new officer first: the resident's text names them
    stops = [
        s for p in db.session.scalars(select(RoutePlan)) for s in p.stops if s.appointment_id == visit.id
    ]
    assert {s.plan.officer_id for s in stops} == {partner.id, nearer.id}
    assert {s.planned_arrival for s in stops} == {visit.planned_arrival}  # they arrive together
    assert _texts(visit) == ["officer_change"]
    assert nearer.first_name in " ".join(m.body for m in _messages(visit))
    (event,) = db.session.scalars(select(AppointmentEvent).where(AppointmentEvent.appointment_id == visit.id))
    assert event.note.startswith(f"Officer changed from {was.first_name} to {nearer.first_name} because")
    assert _call_list() == {}


WEDNESDAY = MONDAY + timedelta(days=2)


def _later_visit(world: World, officer, hour: int = 10) -> Appointment:
    visit = _visit(world, officer, hour=hour)
    visit.window_start, visit.window_end = at(hour, day=WEDNESDAY), at(hour + 2, day=WEDNESDAY)
    return visit


def test_the_nightly_plan_hands_later_days_visits_to_a_qualified_colleague_at_once(app):
    """Planning Monday on Sunday evening, it also hands over Wednesday's visit of an officer who was
    switched off: the colleague's Wednesday has room now, and the resident hears days ahead."""
    world = World(officers=2)
    was, colleague = world.officers
    visit = _later_visit(world, was)
    theirs = _later_visit(world, colleague, hour=13)
    db.session.flush()
    promised = (visit.window_start, visit.window_end)
    _switch_off(world, was)
    db.session.commit()

    visit, colleague, theirs = run_the_nightly_plan(app, visit, colleague, theirs)

    assert visit.officer_id == colleague.id and (visit.window_start, visit.window_end) == promised
    assert visit.window_start <= visit.planned_arrival <= visit.window_end
    assert (
        theirs.officer_id == colleague.id
        and theirs.window_start <= theirs.planned_arrival <= theirs.window_end
    )
    assert _texts(visit) == ["officer_change"] and _texts(theirs) == []
    assert _call_list() == {}
    # Wednesday is not planned yet (its route comes the evening before): only Monday's job ran.
    assert all(p.day == MONDAY for p in db.session.scalars(select(RoutePlan)))


def test_a_later_visit_nobody_can_take_goes_on_the_call_list_with_the_reason(app):
    world = World(officers=1)
    (was,) = world.officers
    world.skill.name = "Housing"
    visit = _later_visit(world, was)
    _switch_off(world, was)
    db.session.commit()

    visit, was = run_the_nightly_plan(app, visit, was)

    assert visit.officer_id == was.id and _texts(visit) == []
    entry = _call_list()[visit.id]
    assert entry.source == "cannot_do" and entry.open_for == visit.id
    assert f"{was.name} is switched off" in entry.reason and "Wednesday 9 December 2026" in entry.reason
