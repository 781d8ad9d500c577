"""The nightly plan, with catch-up: from PLAN_AT the next working day is planned once; a scheduler that
was down then (or starts late) plans it as soon as it runs, and before the day begins it still plans a
today that nobody planned."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, select

from app.booking import call_list
from app.extensions import db
from app.models import RoutePlan, ScheduledRun
from app.planning.planning import plan_day
from app.timeutil import is_working_day, local_now, next_working_day
from app.unit_of_work import unit_of_work

PLAN_AT = time(19, 0)
DAY_BEGINS = time(7, 0)  # after this, a day that nobody planned is left to its booked order


def days_due(now: datetime) -> list[date]:
    today, clock = now.date(), now.time()
    days = []
    if clock < DAY_BEGINS and is_working_day(today):
        days.append(today)
    if clock >= PLAN_AT:
        days.append(next_working_day(today))
    return days


def is_planned(day: date) -> bool:
    """Planned by this job, or by `flask plan` (a re-plan for one absence does not count)."""
    ran = exists().where(ScheduledRun.job == "plan", ScheduledRun.key == day.isoformat())
    stored = exists().where(RoutePlan.day == day, RoutePlan.source == "nightly")
    return bool(db.session.scalar(select(ran | stored)))


def next_due(now: datetime) -> datetime:
    """When `plan_when_due` could next plan (now, if a due day is unplanned): else the next PLAN_AT or
    midnight, when the days due change. `now` is local time, as for days_due."""
    if any(not is_planned(day) for day in days_due(now)):
        return now
    if now.time() < PLAN_AT:
        return now.replace(hour=PLAN_AT.hour, minute=PLAN_AT.minute, second=0, microsecond=0)
    return now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)


def plan_when_due(now: datetime | None = None) -> list[date]:
    """Plan each day due. A job with a unit of work per day: a day planned stays planned (and is not
    planned again) if the next one fails."""
    planned = []
    for day in days_due(now or local_now()):
        with unit_of_work():
            if is_planned(day):
                continue
            summary = plan_day(day)
            # Supervisors phone whoever the plan could not place.
            call_list.add_unplaced(summary.unassigned, why=summary.why)
            db.session.add(ScheduledRun(job="plan", key=day.isoformat()))
        planned.append(day)
    return planned
