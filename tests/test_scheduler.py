"""Every periodic duty is a job in one list, and the real scheduler process runs them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from datetime import time as time_of_day
from pathlib import Path

import time_machine
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, RoutePlan, SafetyCheck, SafetySession, ScheduledRun, WaitlistOffer
from app.planning.nightly import plan_when_due
from app.scheduler import JOBS, due_between, run_job
from tests.booking_helpers import World, at
from tests.factories import AppointmentFactory, CustomerFactory
from tests.safety_helpers import OFFICER_PHONE

ROOT = Path(__file__).resolve().parents[1]
TUESDAY = date(2026, 12, 8)


def _job(job_id: str):
    return next(job for job in JOBS if job.id == job_id)


def test_the_job_list_holds_every_periodic_duty():
    assert [job.id for job in JOBS] == [
        "dispatch",
        "replay",
        "reminders",
        "safety",
        "waitlist_expiry",
        "kiosk_calls",
        "kiosk_help",
        "plan",
        "risk_reviews",
        "letters",
        "retention",
    ]
    safety = _job("safety").trigger
    assert isinstance(safety, IntervalTrigger) and safety.interval == timedelta(minutes=1)
    assert isinstance(_job("retention").trigger, CronTrigger)
    assert _job("plan").run_at_start and _job("safety").run_at_start  # a restart catches up at once


def test_scheduler_jobs_prints_each_job_and_its_trigger(app):
    result = app.test_cli_runner().invoke(args=["scheduler", "jobs"])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()}
    assert set(lines) == {job.id for job in JOBS}
    assert "interval[0:01:00]" in lines["safety"]
    assert "cron[hour='2', minute='30']" in lines["retention"]


def test_walking_the_list_on_a_virtual_clock():
    minute = [job.id for job in due_between(at(10), at(10, 1))]
    assert "dispatch" in minute and "safety" in minute and "retention" not in minute
    night = [job.id for job in due_between(at(2, 29), at(2, 31))]
    assert "retention" in night


def test_the_nightly_plan_runs_from_seven_and_catches_up_once(app):
    world = World()
    AppointmentFactory(service=world.service, officer=world.officers[0], window_start=at(10, day=TUESDAY))
    db.session.commit()
    officer_id = world.officers[0].id
    with time_machine.travel(at(15), tick=False):
        assert plan_when_due() == []  # Monday afternoon: too early
    with time_machine.travel(at(21, 40), tick=False):  # the scheduler was down at 7pm
        run_job(app, _job("plan"))
    assert db.session.scalar(select(ScheduledRun.key).where(ScheduledRun.job == "plan")) == "2026-12-08"
    assert db.session.scalar(select(RoutePlan.day).where(RoutePlan.officer_id == officer_id)) == TUESDAY
    with time_machine.travel(at(21, 45), tick=False):
        assert plan_when_due() == []  # once


def test_a_scheduler_starting_early_in_the_morning_plans_an_unplanned_today():
    World()
    db.session.commit()
    with time_machine.travel(at(6, 10, day=TUESDAY), tick=False):
        assert plan_when_due() == [TUESDAY]


def test_waitlist_offers_expire_through_their_job(app):
    from app.models import WaitlistEntry

    world = World()
    entry = WaitlistEntry(
        customer=CustomerFactory(),
        service=world.service,
        area_id=world.area.id,
        earliest=TUESDAY,
        latest=TUESDAY,
    )
    offer = WaitlistOffer(entry=entry, slot_token="x", batch="b1", created_at=at(9))
    db.session.add_all([entry, offer])
    db.session.commit()
    offer_id = offer.id
    with time_machine.travel(at(9) + timedelta(days=2, minutes=1), tick=False):
        run_job(app, _job("waitlist_expiry"))
    assert db.session.get(WaitlistOffer, offer_id).status == "expired"


def test_retention_runs_as_a_job(app):
    run_job(app, _job("retention"))
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retention_run")) is not None


def _wait_for(condition, deadline_seconds: float):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.5)
    return None


def test_the_real_scheduler_process_runs_the_safety_check(app, database, committed):
    """`flask scheduler run` as `make run` starts it: an officer past their expected finish is texted."""
    world = World()
    officer = world.officers[0]
    officer.phone = OFFICER_PHONE
    appointment = AppointmentFactory(
        service=world.service, officer=officer, window_start=at(9), status="checked_in"
    )
    started = at(9).replace(year=2020)  # long ago, whatever today's real date is
    db.session.add(
        SafetySession(
            appointment=appointment,
            officer=officer,
            started_at=started,
            started_received_at=started,
            expected_end_at=started + timedelta(hours=1),
        )
    )
    db.session.commit()
    session_id, officer_id = db.session.scalar(select(SafetySession.id)), officer.id
    env = {
        **os.environ,
        "DATABASE_URL": database["url"],
        "SMS_PROVIDER": "log",
        "ENVIRONMENT": "development",
        "FLASK_APP": "wsgi",
    }
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:

        def checked():
            db.session.remove()
            return db.session.scalar(select(SafetyCheck).where(SafetyCheck.session_id == session_id))

        check = _wait_for(checked, 120)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=60)[0].decode(errors="replace")
    assert check is not None, output[-3000:]
    assert check.reason == "overrun" and check.officer_id == officer_id


FRIDAY, SATURDAY, MONDAY_AFTER = date(2026, 12, 11), date(2026, 12, 12), date(2026, 12, 14)


def _book_saturday_at_the_hub() -> int:
    """A resident books the Saturday morning hub session with the officer who works Saturdays only."""
    from app.booking.availability import search
    from app.booking.booking import book
    from app.booking.booking_request import BookingRequest, CustomerDetails
    from app.models import HubOpening
    from tests.booking_helpers import NOW
    from tests.factories import OfficerFactory

    world = World()
    world.hub.opening_hours.append(HubOpening(weekday=5, opens=time_of_day(9), closes=time_of_day(12, 30)))
    saturday_officer = OfficerFactory(skills=[world.skill], areas=[world.area], weekdays=[5])
    db.session.flush()
    with time_machine.travel(NOW, tick=False):
        slot = search(world.service, world.hub_place(), SATURDAY, 1, now=NOW).slots[0]
        book(
            BookingRequest(
                slot_token=slot.token,
                service=world.service,
                place=world.hub_place(),
                channel="web",
                customer=CustomerDetails(name="Sam Rai", phone="+447700900222", preferred_channel="sms"),
            )
        )
    db.session.commit()
    return saturday_officer.id


def test_a_saturday_with_hub_hours_is_planned_on_friday_night_and_monday_on_saturday_night(app):
    saturday_officer = _book_saturday_at_the_hub()
    with time_machine.travel(at(19, 5, day=FRIDAY), tick=False):
        run_job(app, _job("plan"))
    plans = db.session.execute(select(RoutePlan.day, RoutePlan.officer_id)).all()
    assert plans == [(SATURDAY, saturday_officer)]  # the booked Saturday visit has its route
    with time_machine.travel(at(19, 5, day=SATURDAY), tick=False):
        assert plan_when_due() == [MONDAY_AFTER]  # Sunday has no hours: the next day that does
    with time_machine.travel(at(19, 5, day=SATURDAY + timedelta(days=1)), tick=False):
        assert plan_when_due() == []  # Monday is planned already


def test_without_saturday_hours_friday_night_plans_monday():
    World()
    db.session.commit()
    with time_machine.travel(at(19, 5, day=FRIDAY), tick=False):
        assert plan_when_due() == [MONDAY_AFTER]
