from datetime import UTC, datetime

import ics
from icalendar import Calendar

from notifications.calendar import CalendarEvent, build_calendar

SUMMER = CalendarEvent(
    uid="ABCD2345@doorstep.example",
    sequence=2,
    start=datetime(2026, 7, 6, 8, 0, tzinfo=UTC),
    end=datetime(2026, 7, 6, 10, 45, tzinfo=UTC),
    summary="Council visit: Blue Badge",
    location="12 High Street, Devizes SN10 1AA",
    description="Reference ABCD-2345. The officer will arrive between 9am and 11am.",
    stamp=datetime(2026, 6, 1, tzinfo=UTC),
)


def test_event_parses_with_icalendar_in_london_time():
    calendar = Calendar.from_ical(build_calendar([SUMMER]))
    event = calendar.walk("VEVENT")[0]
    assert str(event["uid"]) == SUMMER.uid and int(event["sequence"]) == 2
    start = event.decoded("dtstart")
    assert str(start.tzinfo) == "Europe/London" and start.hour == 9  # BST: 08:00 UTC is 9am
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Europe/London"
    assert str(event["status"]) == "CONFIRMED"


def test_event_parses_with_an_independent_parser():
    parsed = ics.Calendar(build_calendar([SUMMER]).decode())
    (event,) = parsed.events
    assert event.uid == SUMMER.uid
    assert event.begin.datetime.astimezone(UTC) == SUMMER.start
    assert event.location == SUMMER.location


def test_cancelled_event_keeps_its_uid():
    cancelled = CalendarEvent(**{**SUMMER.__dict__, "cancelled": True, "sequence": 3})
    event = Calendar.from_ical(build_calendar([cancelled])).walk("VEVENT")[0]
    assert str(event["status"]) == "CANCELLED" and str(event["uid"]) == SUMMER.uid
    assert int(event["sequence"]) == 3
