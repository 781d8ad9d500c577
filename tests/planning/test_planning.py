"""Route planning keeps every promise and stores routes; re-planning moves a sick officer's visits."""

from __future__ import annotations

from datetime import date, time

import pytest
import time_machine

from app.booking import call_list
from app.booking.availability import search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.booking.changes import cancel
from app.extensions import db
from app.models import Absence, AppointmentEvent, Message, ReplanProposal, RoutePlan
from app.planning.planning import (
    AlreadyPublished,
    NotAbsent,
    PlanChanged,
    plan_day,
    preview_absence,
    publish_replan,
    replan_for_absence,
)
from app.timeutil import day_seconds, local_to_utc, to_local
from tests.factories import (
    AppointmentFactory,
    AreaFactory,
    CustomerFactory,
    OfficerFactory,
    ServiceFactory,
    SkillFactory,
)

MONDAY = date(2026, 12, 7)


def _at(hour: int, minute: int = 0, day: date = MONDAY):
    return local_to_utc(day, time(hour, minute))


def _setup():
    skill = SkillFactory(code="housing")
    area = AreaFactory()
    service = ServiceFactory(skill=skill, duration_minutes=45)
    return skill, area, service


def test_plan_orders_each_officers_visits_inside_their_windows():
    skill, area, service = _setup()
    officer = OfficerFactory(skills=[skill], areas=[area])
    # Three visits on a line north of the base, booked zig-zag (far, near, middle) with wide windows:
    # the plan drives out and back along the line instead.
    far, near, middle = (
        AppointmentFactory(
            service=service, officer=officer, window_start=_at(9), window_end=_at(13), lat=lat, lng=-1.99
        )
        for lat in (51.45, 51.36, 51.40)
    )
    db.session.flush()
    summary = plan_day(MONDAY, time_limit=0.3)
    route = db.session.query(RoutePlan).filter_by(officer_id=officer.id, day=MONDAY).one()
    assert [s.appointment for s in route.stops] in ([near, middle, far], [far, middle, near])
    for stop in route.stops:
        assert stop.appointment.window_start <= stop.planned_arrival <= stop.appointment.window_end
        assert stop.appointment.planned_arrival == stop.planned_arrival
    assert route.distance_m > 0 and route.travel_seconds > 0
    assert summary.visits == 3 and summary.unassigned == []
    assert to_local(route.leave_base_at).hour >= 8


def test_visits_of_an_absent_officer_are_reported_by_the_nightly_plan():
    skill, area, service = _setup()
    officer = OfficerFactory(skills=[skill], areas=[area])
    db.session.add(Absence(officer=officer, kind="sickness", starts_on=MONDAY, ends_on=MONDAY))
    appointment = AppointmentFactory(service=service, officer=officer, window_start=_at(10))
    db.session.flush()
    summary = plan_day(MONDAY, time_limit=0.2)
    assert summary.unassigned == [appointment]


def _off_sick(officer, day=MONDAY):
    db.session.add(Absence(officer=officer, kind="sickness", starts_on=day, ends_on=day))
    db.session.flush()


def _channels(appointment) -> list[str]:
    return [m.channel for m in db.session.query(Message).filter_by(appointment_id=appointment.id)]


def _texted(appointment) -> list[str]:
    return [m.kind for m in db.session.query(Message).filter_by(appointment_id=appointment.id)]


def test_replan_moves_visits_to_a_colleague_keeping_the_window_and_tells_each_resident_once():
    skill, area, service = _setup()
    sick = OfficerFactory(skills=[skill], areas=[area])
    colleague = OfficerFactory(skills=[skill], areas=[area])
    untrained = OfficerFactory(skills=[], areas=[area])
    visits = [
        AppointmentFactory(
            service=service, officer=sick, window_start=_at(h), customer=CustomerFactory(sms_consent=True)
        )
        for h in (9, 11, 14)
    ]
    promised = [(v.window_start, v.window_end) for v in visits]
    mine = AppointmentFactory(service=service, officer=colleague, window_start=_at(10))
    _off_sick(sick)
    summary = replan_for_absence(sick, MONDAY, time_limit=1.0)
    assert {a.id for a, _o in summary.moved} == {v.id for v in visits}
    assert all(v.officer == colleague for v in visits)
    assert [(v.window_start, v.window_end) for v in visits] == promised  # a re-plan never moves a window
    assert mine.officer == colleague
    assert untrained not in {o for _a, o in summary.moved}
    route = db.session.query(RoutePlan).filter_by(officer_id=colleague.id, day=MONDAY).one()
    assert len(route.stops) == 4
    for stop in route.stops:
        assert stop.appointment.window_start <= stop.planned_arrival <= stop.appointment.window_end
    notes = [e.note for e in db.session.query(AppointmentEvent).all()]
    assert len(notes) == 3 and all("promised time is unchanged" in n for n in notes)
    for visit in visits:
        assert _texted(visit) == ["officer_change"] and visit.sequence == 1
        (text,) = db.session.query(Message).filter_by(appointment_id=visit.id).all()
        assert colleague.first_name in text.body and "has not moved" in text.body
    assert _texted(mine) == []


def test_replan_puts_the_visits_that_cannot_be_kept_on_the_call_list():
    skill, area, service = _setup()
    sick = OfficerFactory(skills=[skill], areas=[area])
    colleague = OfficerFactory(skills=[skill], areas=[area])
    # Both at 10:00 sharp, 45 minutes, far apart: the colleague can keep only one of them.
    theirs = AppointmentFactory(
        service=service, officer=sick, window_start=_at(10), window_end=_at(10), lat=51.60, lng=-1.99
    )
    kept = AppointmentFactory(service=service, officer=colleague, window_start=_at(10), window_end=_at(10))
    _off_sick(sick)
    summary = replan_for_absence(sick, MONDAY, time_limit=0.5)
    assert summary.unassigned == [theirs]
    assert theirs.officer == sick  # unchanged until staff act
    assert kept.officer == colleague
    (entry,) = call_list.open_entries()
    assert entry.appointment == theirs and entry.source == "absence"
    assert "10am" in entry.reason and "No colleague" in entry.reason
    assert _texted(theirs) == [] and _texted(kept) == []


def test_replan_needs_a_recorded_absence():
    """Availability reads the absence record: a re-plan without one would leave the officer's day open."""
    skill, area, service = _setup()
    sick = OfficerFactory(skills=[skill], areas=[area])
    OfficerFactory(skills=[skill], areas=[area])
    AppointmentFactory(service=service, officer=sick, window_start=_at(10))
    db.session.flush()
    with pytest.raises(NotAbsent):
        preview_absence(sick, MONDAY, time_limit=0.2)


def _preview_world():
    skill, area, service = _setup()
    sick = OfficerFactory(skills=[skill], areas=[area])
    colleagues = [OfficerFactory(skills=[skill], areas=[area]) for _ in range(2)]
    theirs = [
        AppointmentFactory(
            service=service,
            officer=sick,
            window_start=_at(h),
            lat=51.30 + 0.03 * h % 0.2,
            lng=-2.05 + 0.01 * h,
            customer=CustomerFactory(sms_consent=True),
        )
        for h in (9, 10, 11, 13, 14, 15)
    ]
    others = [AppointmentFactory(service=service, officer=c, window_start=_at(12)) for c in colleagues]
    _off_sick(sick)
    return sick, colleagues, theirs, others


def test_what_is_published_is_exactly_what_was_previewed():
    sick, colleagues, theirs, _others = _preview_world()
    proposal = preview_absence(sick, MONDAY, time_limit=1.0)
    db.session.commit()
    assert all(v.officer == sick for v in theirs)  # a preview changes nothing
    assert db.session.query(Message).count() == 0
    previewed = {
        (int(r["officer_id"]), s["visit_id"], s["start"])
        for r in proposal.plan["plan"]["routes"]
        for s in r["stops"]
    }
    moves = {m["appointment_id"]: m["to"] for m in proposal.plan["moves"]}
    assert set(moves) == {v.id for v in theirs}
    for move in proposal.plan["moves"]:
        assert move["before"][0] > 0 and move["after"][0] >= 0  # travel to reach it, before and after
    publish_replan(proposal)
    db.session.commit()
    stored = {
        (p.officer_id, str(s.appointment_id), day_seconds(s.planned_arrival))
        for p in db.session.query(RoutePlan).filter_by(day=MONDAY)
        for s in p.stops
    }
    assert stored == previewed
    for visit in theirs:
        assert [o for o in (visit.officer_id, visit.second_officer_id) if o] == moves[visit.id]


def test_a_booking_change_after_the_preview_stops_the_publish():
    sick, colleagues, theirs, others = _preview_world()
    proposal = preview_absence(sick, MONDAY, time_limit=0.5)
    db.session.commit()
    with time_machine.travel(_at(8, day=date(2026, 12, 1)), tick=False):
        cancel(others[0], "Resident cancelled")  # one colleague's day changes
    db.session.commit()
    with pytest.raises(PlanChanged):
        publish_replan(proposal)
    db.session.rollback()
    assert all(v.officer == sick for v in theirs)
    assert db.session.get(ReplanProposal, proposal.id).status == "previewed"
    assert not [m for m in db.session.query(Message).all() if m.kind == "officer_change"]


def test_a_preview_is_published_once():
    sick, _colleagues, theirs, _others = _preview_world()
    proposal = preview_absence(sick, MONDAY, time_limit=0.5)
    db.session.commit()
    publish_replan(proposal)
    db.session.commit()
    with pytest.raises(AlreadyPublished):
        publish_replan(proposal)
    db.session.rollback()
    assert all(_texted(v) == ["officer_change"] for v in theirs if v.officer != sick)


def test_after_publishing_availability_follows_the_plan():
    """The absent officer offers nothing that day; a colleague's offers respect the visits they took."""
    from tests.booking_helpers import NOW, World

    world = World(officers=2)
    sick, colleague = world.officers
    visits = [
        AppointmentFactory(service=world.service, officer=sick, window_start=_at(h)) for h in (9, 11, 14)
    ]
    _off_sick(sick)
    replan_for_absence(sick, MONDAY, time_limit=0.5)
    db.session.commit()
    assert all(v.officer == colleague for v in visits)
    offered = search(world.service, world.home(), MONDAY, 1, now=NOW).slots
    assert offered and all(s.officer_ids == (colleague.id,) for s in offered)
    booked = book(  # and what is offered can really be booked around the visits that moved
        BookingRequest(
            slot_token=offered[0].token,
            service=world.service,
            place=world.home(),
            customer=CustomerDetails(name="Sam Jones", phone="+447700900555"),
        )
    )
    assert booked.officer == colleague


def test_a_resident_no_message_can_reach_goes_on_the_call_list_when_their_officer_changes():
    skill, area, service = _setup()
    sick = OfficerFactory(skills=[skill], areas=[area])
    colleague = OfficerFactory(skills=[skill], areas=[area])
    visit = AppointmentFactory(
        service=service, officer=sick, window_start=_at(10), customer=CustomerFactory(phone="", email="")
    )
    _off_sick(sick)
    replan_for_absence(sick, MONDAY, time_limit=0.5)
    assert visit.officer == colleague and "sms" not in _channels(visit) and "email" not in _channels(visit)
    (entry,) = call_list.open_entries()  # a letter (if any) comes with the next print batch: too late
    assert entry.appointment == visit and entry.source == "officer_change" and colleague.name in entry.reason


def test_the_nightly_plan_puts_what_it_could_not_place_on_the_call_list(app):
    skill, area, service = _setup()
    officer = OfficerFactory(skills=[skill], areas=[area])
    visit = AppointmentFactory(service=service, officer=officer, window_start=_at(10))
    _off_sick(officer)
    result = app.test_cli_runner().invoke(args=["plan", "--date", "2026-12-07", "--time-limit", "0.2"])
    assert result.exit_code == 0, result.output
    (entry,) = call_list.open_entries()
    assert entry.appointment == visit and entry.source == "not_working"
    assert entry.reason.startswith(f"{officer.name} is off sick")
    app.test_cli_runner().invoke(args=["plan", "--date", "2026-12-07", "--time-limit", "0.2"])
    assert len(call_list.open_entries()) == 1  # planned again: still one entry for the visit


def test_plan_command_prints_a_summary(app):
    skill, area, service = _setup()
    officer = OfficerFactory(skills=[skill], areas=[area])
    AppointmentFactory(service=service, officer=officer, window_start=_at(9))
    db.session.flush()
    result = app.test_cli_runner().invoke(args=["plan", "--date", "2026-12-07", "--time-limit", "0.2"])
    assert result.exit_code == 0, result.output
    assert "1 visits planned" in result.output and "0 unassigned" in result.output


def test_replan_gives_a_visit_only_to_a_colleague_who_covers_its_area():
    """The optimiser asks the rule availability books by (coverage.may_do): a colleague who shares
    another community area with the absent officer, with the skill, may not take a visit in an area
    they do not cover (the solver alone knows skills, not areas)."""
    skill, area, service = _setup()
    elsewhere = AreaFactory(lat=51.6, lng=-1.8)
    sick = OfficerFactory(skills=[skill], areas=[area, elsewhere])
    OfficerFactory(skills=[skill], areas=[area])  # shares `area` with them, not `elsewhere`
    visit = AppointmentFactory(
        service=service, officer=sick, window_start=_at(9), window_end=_at(16), lat=51.6, lng=-1.8
    )
    _off_sick(sick)
    summary = replan_for_absence(sick, MONDAY, time_limit=0.5)
    assert visit.officer == sick and summary.moved == []
    (entry,) = call_list.open_entries()
    assert entry.appointment == visit and entry.source == "absence"


def test_an_interpreter_entry_closes_when_a_re_plan_gives_the_visit_to_an_officer_who_speaks_it():
    from app.booking import interpreters

    skill, area, service = _setup()
    sick = OfficerFactory(skills=[skill], areas=[area])
    speaker = OfficerFactory(skills=[skill], areas=[area], languages="Polish")
    visit = AppointmentFactory(
        service=service,
        officer=sick,
        window_start=_at(10),
        interpreter_language="polski",
        customer=CustomerFactory(sms_consent=True),  # told of the new officer by text
    )
    interpreters.flag_if_needed(visit)
    (entry,) = call_list.open_entries()
    assert entry.source == "interpreter"
    _off_sick(sick)
    replan_for_absence(sick, MONDAY, time_limit=0.5)
    assert visit.officer == speaker
    assert call_list.open_entries() == []
    assert (
        entry.closed_automatically
        and entry.outcome == f"{speaker.name}, who speaks Polish, now has the visit"
    )
