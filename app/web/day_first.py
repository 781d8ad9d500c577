"""Times listed day first: every page that offers times (the resident's, the kiosk's, the manage page's
and the agent's) groups them under a heading for each day, so a person finds the day, then the time.

`days_of_times(result)` gives the days in order, each with its heading ("Tuesday 8 December", in the
page's language; the year only when it is not this year's) and its times, earliest first. The one
macro that shows them is `times_by_day` in templates/booking/_times.html: a fieldset whose legend is
the day for each day, all radios of one name, so it works without JavaScript and a screen reader
hears the day with each time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from babel import dates as babel_dates

from app.booking.availability import Availability, Slot
from app.i18n import current_locale
from app.timeutil import local_now


@dataclass(frozen=True)
class DayOfTimes:
    day: date
    heading: str  # "Tuesday 8 December"
    times: list[Slot]


def day_heading(day: date, locale: str = "en", this_year: int | None = None) -> str:
    """'Tuesday 8 December' ('Tuesday 5 January 2027' when not this year); 'Wtorek, 8 grudnia' in Polish."""
    this_year = this_year if this_year is not None else local_now().year
    if locale == "en":
        heading = f"{day:%A} {day.day} {day:%B}"
        return heading if day.year == this_year else f"{heading} {day.year}"
    pattern = "EEEE, d MMMM" if day.year == this_year else "EEEE, d MMMM y"
    heading = babel_dates.format_date(day, pattern, locale=locale)
    return heading[:1].upper() + heading[1:]


def days_of_times(result: Availability) -> list[DayOfTimes]:
    locale = current_locale()
    this_year = local_now().year
    return [DayOfTimes(day, day_heading(day, locale, this_year), times) for day, times in result.by_day()]
