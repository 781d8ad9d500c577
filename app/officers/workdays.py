"""When an officer works on a given day: pattern, leave, sickness and bank holidays. Weekends only for
an officer whose pattern includes them (Saturday hub openings); availability offers home and business
visits on working days only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.models import Officer
from app.officers.roster import RosterOfficer
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


def can_staff(officers: list, needed: int, hours: dict[int, tuple[int, int]], duration: int) -> bool:
    """Whether `needed` of these officers (models or roster entries) are on shift together, by their
    weekly patterns, long enough for a visit of `duration` seconds starting and ending inside `hours`
    (weekday -> seconds from midnight) on some weekday: a two-officer visit needs two officers whose
    working days and hours overlap. The weekly rule behind the coverage warnings (app.booking.coverage)
    and the demo county's roster; leave and sickness are for availability to answer day by day."""
    for weekday, (opens, closes) in sorted(hours.items()):
        shifts = sorted(
            (clock_seconds(p.starts), clock_seconds(p.ends))
            for o in officers
            if (p := o.pattern_on(weekday)) is not None
        )
        # `needed` shifts overlap for `duration` when, for the latest start among them, enough of the
        # shifts that began by then are still on: try each start in turn.
        for start, _end in shifts:
            begins = max(start, opens)
            on = [end for s, end in shifts if s <= start and min(end, closes) - begins >= duration]
            if len(on) >= needed:
                return True
    return False
