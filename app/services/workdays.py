"""When an officer works on a given day: pattern, leave, sickness and bank holidays. Weekends only for
an officer whose pattern includes them (Saturday hub openings); availability offers home and business
visits on working days only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.data.catalogue import all_hubs
from app.data.officers import all_officers
from app.models import Officer
from app.services.hubs import hours_on_day
from app.services.roster import RosterOfficer
from app.timeutil import clock_seconds, is_bank_holiday
from routing.types import Break

# A lunch break may start up to an hour after the time in the officer's pattern.
BREAK_FLEX_SECONDS = 3600


@dataclass(frozen=True)
class WorkingDay:
    officer: Officer | RosterOfficer
    starts: int  # seconds from local midnight
    ends: int
    breaks: tuple[Break, ...]


def working_day(officer: Officer | RosterOfficer, day: date) -> WorkingDay | None:
    """The officer's shift that day, or None: not a working day, absent, inactive or not their day."""
    if not officer.active or is_bank_holiday(day) or officer.absent_on(day):
        return None
    pattern = officer.pattern_on(day.weekday())
    if pattern is None:
        return None
    breaks: tuple[Break, ...] = ()
    if pattern.break_minutes and pattern.break_starts:
        start = clock_seconds(pattern.break_starts)
        breaks = (Break(start, start + BREAK_FLEX_SECONDS, pattern.break_minutes * 60),)
    return WorkingDay(officer, clock_seconds(pattern.starts), clock_seconds(pattern.ends), breaks)


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
