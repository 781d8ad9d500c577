"""The nightly plan, with catch-up: from PLAN_AT the next day the service runs is planned once (a
Saturday too, when an officer's pattern or a hub has Saturday hours); a scheduler that was down then
(or starts late) plans it as soon as it runs, and before the day begins it still plans a today that
nobody planned."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import exists, select

from app.catalogue.hubs import hours_on_day
from app.catalogue.queries import all_hubs
from app.extensions import db
from app.models import RoutePlan, ScheduledRun
from app.officers.queries import all_officers
from app.planning.planning import (
    days_with_stranded_visits,
    hand_over_stranded,
    hand_unplaced_to_supervisors,
    plan_day,
)
from app.timeutil import is_bank_holiday, local_now
from app.unit_of_work import unit_of_work

PLAN_AT = time(19, 0)
DAY_BEGINS = time(7, 0)  # after this, a day that nobody planned is left to its booked order

# Far enough to pass a long weekend and Christmas; a county with no hours for a fortnight plans nothing.
LOOK_AHEAD_DAYS = 14


def has_hours(day: date) -> bool:
    """A day the service runs: some active officer's pattern or some open hub has hours then (Saturday
    hub openings included; never a bank holiday). The nightly plan plans exactly these days."""
    if is_bank_holiday(day):
        return False
    if any(officer.pattern_on(day.weekday()) for officer in all_officers(active_only=True)):
        return True
    return any(hours_on_day(hub, day) for hub in all_hubs(active_only=True))


def next_day_with_hours(day: date) -> date | None:
    """The first day after `day` that the service runs, or None when none does for a fortnight."""
    for offset in range(1, LOOK_AHEAD_DAYS + 1):
        if has_hours(day + timedelta(days=offset)):
            return day + timedelta(days=offset)
    return None


def days_due(now: datetime) -> list[date]:
    today, clock = now.date(), now.time()
    days = []
    if clock < DAY_BEGINS and has_hours(today):
        days.append(today)
    if clock >= PLAN_AT and (following := next_day_with_hours(today)) is not None:
        days.append(following)
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
            hand_unplaced_to_supervisors(summary)
            db.session.add(ScheduledRun(job="plan", key=day.isoformat()))
        planned.append(day)
    if planned:
        hand_over_later(planned[-1])
    return planned


def hand_over_later(planned: date) -> None:
    """After planning a day: every later visit whose officer may no longer do it (switched off, a skill
    or area taken away) goes now to a qualified colleague with room on its day, keeping its promised
    time, not the evening before, when that colleague's day may have filled up with newer bookings and
    the resident would hear of the change a day ahead. What cannot be handed over stays on (or goes on)
    the call list with the reason. A unit of work per day."""
    for day in days_with_stranded_visits(planned):
        with unit_of_work():
            hand_unplaced_to_supervisors(hand_over_stranded(day))
