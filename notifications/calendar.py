"""Calendar files (RFC 5545) built with icalendar: one event per appointment, in UK time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

LONDON = ZoneInfo("Europe/London")
PRODID = "-//Doorstep//Council appointments//EN"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable for the life of the booking
    sequence: int  # raised on every change
    start: datetime  # aware
    end: datetime
    summary: str
    location: str = ""
    description: str = ""
    cancelled: bool = False
    stamp: datetime | None = None


def _event(item: CalendarEvent) -> Event:
    event = Event()
    event.add("uid", item.uid)
    event.add("sequence", item.sequence)
    event.add("dtstamp", (item.stamp or datetime.now(UTC)).astimezone(UTC))
    event.add("dtstart", item.start.astimezone(LONDON))
    event.add("dtend", item.end.astimezone(LONDON))
    event.add("summary", item.summary)
    if item.location:
        event.add("location", item.location)
    if item.description:
        event.add("description", item.description)
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def build_calendar(events: list[CalendarEvent], name: str = "", cancelled_method: bool = False) -> bytes:
    """A VCALENDAR with a VTIMEZONE for Europe/London and one VEVENT per item."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled_method else "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    for item in events:
        calendar.add_component(_event(item))
    calendar.add_missing_timezones()
    return calendar.to_ical()
