"""When a hub is open: its weekly hours (Saturdays included), less bank holidays in England and its own
closures. The one rule availability (hub appointment times) and the hub pages both read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from app.models import Hub, HubClosure, HubOpening
from app.timeutil import bank_holiday_name, bank_holiday_title

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def closure_on(hub: Hub, day: date) -> HubClosure | None:
    return next((c for c in hub.closures if c.first_day <= day <= c.last_day), None)


def hours_on_day(hub: Hub, day: date) -> HubOpening | None:
    """The hub's hours on this date, or None when it is shut (no hours that weekday, a bank holiday,
    or one of its closures)."""
    if not hub.active or bank_holiday_name(day) or closure_on(hub, day) is not None:
        return None
    return hub.hours_on(day.weekday())


@dataclass(frozen=True)
class WeeklyHours:
    weekday: str
    number: int  # Monday = 0: the page names it in the resident's language
    opens: time | None
    closes: time | None


def weekly_hours(hub: Hub) -> list[WeeklyHours]:
    """Monday to Sunday, with None for the days it does not open."""
    rows = []
    for number, name in enumerate(WEEKDAY_NAMES):
        hours = hub.hours_on(number)
        rows.append(
            WeeklyHours(name, number, hours.opens if hours else None, hours.closes if hours else None)
        )
    return rows


@dataclass(frozen=True)
class ShutDay:
    day: date
    why: str  # a bank holiday's name is a lazy string, worded in the page's language


def shut_days(hub: Hub, first: date, days: int = 60) -> list[ShutDay]:
    """Days it would normally open but will not, from `first`: bank holidays and closures."""
    shut = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        if hub.hours_on(day.weekday()) is None:
            continue
        holiday = bank_holiday_title(day)
        closure = closure_on(hub, day)
        if holiday:
            shut.append(ShutDay(day, holiday))
        elif closure is not None:
            shut.append(ShutDay(day, closure.reason))
    return shut


def opens_on_saturday(hub: Hub) -> bool:
    return hub.hours_on(5) is not None
