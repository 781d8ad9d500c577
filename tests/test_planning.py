"""Route planning keeps every promise and stores routes; re-planning moves a sick officer's visits."""

from __future__ import annotations

from datetime import date, time

from app.extensions import db
from app.models import AppointmentEvent, RoutePlan
from app.services.planning import plan_day, replan_for_absence
from app.timeutil import local_to_utc, to_local
from tests.factories import AppointmentFactory, AreaFactory, OfficerFactory, ServiceFactory, SkillFactory

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
    from app.models import Absence

    db.session.add(Absence(officer=officer, kind="sickness", starts_on=MONDAY, ends_on=MONDAY))
    appointment = AppointmentFactory(service=service, officer=officer, window_start=_at(10))
    db.session.flush()
    summary = plan_day(MONDAY, time_limit=0.2)
    assert summary.unassigned == [appointment]


def test_replan_moves_visits_to_a_colleague_keeping_the_window():
    skill, area, service = _setup()
    sick = OfficerFactory(skills=[skill], areas=[area])
    colleague = OfficerFactory(skills=[skill], areas=[area])
    untrained = OfficerFactory(skills=[], areas=[area])
    visits = [AppointmentFactory(service=service, officer=sick, window_start=_at(h)) for h in (9, 11, 14)]
    mine = AppointmentFactory(service=service, officer=colleague, window_start=_at(10))
    db.session.flush()
    summary = replan_for_absence(sick, MONDAY, time_limit=1.0)
    assert {a.id for a, _o in summary.moved} == {v.id for v in visits}
    assert all(v.officer == colleague for v in visits)
    assert mine.officer == colleague
    assert untrained not in {o for _a, o in summary.moved}
    route = db.session.query(RoutePlan).filter_by(officer_id=colleague.id, day=MONDAY).one()
    assert len(route.stops) == 4
    for stop in route.stops:
        assert stop.appointment.window_start <= stop.planned_arrival <= stop.appointment.window_end
    notes = [e.note for e in db.session.query(AppointmentEvent).all()]
    assert len(notes) == 3 and all("promised time is unchanged" in n for n in notes)


def test_replan_lists_the_visits_that_cannot_be_kept():
    skill, area, service = _setup()
    sick = OfficerFactory(skills=[skill], areas=[area])
    colleague = OfficerFactory(skills=[skill], areas=[area])
    # Both at 10:00 sharp, 45 minutes, far apart: the colleague can keep only one of them.
    theirs = AppointmentFactory(
        service=service, officer=sick, window_start=_at(10), window_end=_at(10), lat=51.60, lng=-1.99
    )
    kept = AppointmentFactory(service=service, officer=colleague, window_start=_at(10), window_end=_at(10))
    db.session.flush()
    summary = replan_for_absence(sick, MONDAY, time_limit=0.5)
    assert summary.unassigned == [theirs]
    assert theirs.officer == sick  # unchanged until staff act
    assert kept.officer == colleague


def test_plan_command_prints_a_summary(app):
    skill, area, service = _setup()
    officer = OfficerFactory(skills=[skill], areas=[area])
    AppointmentFactory(service=service, officer=officer, window_start=_at(9))
    db.session.flush()
    result = app.test_cli_runner().invoke(args=["plan", "--date", "2026-12-07", "--time-limit", "0.2"])
    assert result.exit_code == 0, result.output
    assert "1 visits planned" in result.output and "0 unassigned" in result.output
