"""Time rules: store UTC, show Europe/London (BST/GMT), and England's bank holidays.

This is the one clock: services, scheduler jobs and dispatch read the time through `utcnow`, so the
simulator (`flask simulate`) can run them on a virtual clock with `use_clock`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from babel import dates as babel_dates
from flask_babel import lazy_gettext as _l

LONDON = ZoneInfo("Europe/London")


_clock: Callable[[], datetime] | None = None  # a virtual clock while one is in use


def utcnow() -> datetime:
    return _clock() if _clock is not None else datetime.now(UTC)


class VirtualClock:
    """Time that moves only when told to (the simulator's clock)."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("a virtual clock starts at an aware datetime")
        self.now = start.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance_to(self, moment: datetime) -> None:
        if moment < self.now:
            raise ValueError("a virtual clock never goes back")
        self.now = moment.astimezone(UTC)


@contextmanager
def use_clock(clock: Callable[[], datetime]) -> Iterator[Callable[[], datetime]]:
    """Read the time from `clock` inside the block (this process only), then from the system again."""
    global _clock
    previous, _clock = _clock, clock
    try:
        yield clock
    finally:
        _clock = previous


def local_now() -> datetime:
    return utcnow().astimezone(LONDON)


def example_day(days_ahead: int = 3) -> str:
    """A date a few days from today as a GOV.UK date input's hint gives it ('4 12 2026'): never one
    already past, which reads as if the past were wanted."""
    day = local_now().date() + timedelta(days=days_ahead)
    return f"{day.day} {day.month} {day.year}"


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LONDON)


def local_to_utc(day: date, at: time) -> datetime:
    """A wall-clock time on a UK day, as a UTC instant (handles the BST/GMT change)."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


@lru_cache(maxsize=32)
def _england_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def load_bank_holidays() -> None:
    """Load this year's and next year's bank holidays now. The `holidays` package imports its tables
    for every country on first use (about a quarter of a second of CPU, under Python's import lock):
    a server process does it when it starts, not in the first booking it serves."""
    year = utcnow().year
    _england_holidays(year)
    _england_holidays(year + 1)


def is_bank_holiday(day: date) -> bool:
    return day in _england_holidays(day.year)


def bank_holiday_name(day: date) -> str | None:
    """The holiday's name in English, as the rules and staff read it (the `holidays` package's)."""
    return _england_holidays(day.year).get(day)


# The one place that names England's bank holidays for residents, in their language (the `holidays`
# package names them in English only). GOV.UK's names; one not listed here is shown as the package has it.
BANK_HOLIDAY_NAMES = {
    "New Year's Day": _l("New Year's Day"),
    "Good Friday": _l("Good Friday"),
    "Easter Monday": _l("Easter Monday"),
    "May Day": _l("Early May bank holiday"),
    "Spring Bank Holiday": _l("Spring bank holiday"),
    "Late Summer Bank Holiday": _l("Summer bank holiday"),
    "Christmas Day": _l("Christmas Day"),
    "Boxing Day": _l("Boxing Day"),
}
_OBSERVED = " (observed)"  # a holiday on a weekend moves to a weekday: a "substitute day"


def bank_holiday_title(day: date):
    """The bank holiday on this day named in the page's (or message's) language, or None: a lazy
    string, worded when it is shown."""
    name = bank_holiday_name(day)
    if name is None:
        return None
    base = name.removesuffix(_OBSERVED)
    title = BANK_HOLIDAY_NAMES.get(base, base)
    if name.endswith(_OBSERVED):
        return _l("%(holiday)s (substitute day)", holiday=title)
    return title


def is_working_day(day: date) -> bool:
    """Monday to Friday, not a bank holiday in England."""
    return day.weekday() < 5 and not is_bank_holiday(day)


def next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def format_time(moment: datetime, locale: str = "en") -> str:
    """GOV.UK style: 9am, 2:30pm, midday. Other languages: the 24-hour clock, 9:00, 14:30."""
    return format_clock(to_local(moment).time(), locale)


def format_clock(at: time, locale: str = "en") -> str:
    """A wall-clock time, GOV.UK style: 9am, 2:30pm, midday; other languages 9:00, 14:30."""
    if locale != "en":
        return f"{at.hour}:{at.minute:02d}"
    if at.hour == 12 and at.minute == 0:
        return "midday"
    hour = at.hour % 12 or 12
    suffix = "am" if at.hour < 12 else "pm"
    return f"{hour}{suffix}" if at.minute == 0 else f"{hour}:{at.minute:02d}{suffix}"


# Polish declines the day's name after a preposition, and CLDR gives only the nominative (środa): "od
# środy" (from), "do środy" (until), "przed środą" (before). The month is already in the genitive ("9
# grudnia"), as a date needs in every case. English and Nepali do not decline it (Nepali puts देखि,
# सम्म, अघि after the date), so only Polish is listed.
DECLINED_WEEKDAYS = {
    "pl": {
        "genitive": ("poniedziałku", "wtorku", "środy", "czwartku", "piątku", "soboty", "niedzieli"),
        "instrumental": (
            "poniedziałkiem",
            "wtorkiem",
            "środą",
            "czwartkiem",
            "piątkiem",
            "sobotą",
            "niedzielą",
        ),
    }
}
CASES = ("nominative", "genitive", "instrumental")


def format_date(moment: datetime | date, locale: str = "en", case: str = "nominative") -> str:
    """GOV.UK style: Monday 7 December 2026. Other languages in their own words (CLDR, through Babel):
    poniedziałek, 7 grudnia 2026; सोमबार, 7 डिसेम्बर 2026 (the digits stay 0-9).

    `case`: the grammatical case the sentence around it needs, where the language declines the day's
    name: a Polish sentence that puts the date after "od" or "do" needs the genitive ("od środy, 9
    grudnia 2026"), after "przed" or "między" the instrumental. Languages that do not decline it ignore it."""
    if case not in CASES:
        raise ValueError(f"case must be one of {', '.join(CASES)}, not {case!r}")
    if isinstance(moment, datetime):
        moment = to_local(moment).date()
    declined = DECLINED_WEEKDAYS.get(locale, {}).get(case)
    if declined:
        return f"{declined[moment.weekday()]}, {babel_dates.format_date(moment, 'd MMMM y', locale=locale)}"
    if locale != "en":
        return babel_dates.format_date(moment, "EEEE, d MMMM y", locale=locale)
    return f"{moment:%A} {moment.day} {moment:%B %Y}"


def weekday_name(number: int, locale: str = "en") -> str:
    """Monday = 0, as a heading: Monday; Poniedziałek; सोमबार (CLDR, through Babel)."""
    name = babel_dates.get_day_names("wide", locale=locale)[number]
    return name[:1].upper() + name[1:]


def format_short_date(moment: datetime | date, locale: str = "en") -> str:
    """For texts in UCS-2 languages, where every character counts (67 a segment): pon. 7.12; सोम 7/12.
    No year: nothing can be booked more than a few weeks ahead. English texts use format_date."""
    if isinstance(moment, datetime):
        moment = to_local(moment).date()
    if locale == "en":
        return format_date(moment)
    weekday = babel_dates.format_date(moment, "EEE", locale=locale)
    if locale == "pl":
        return f"{weekday} {moment.day}.{moment.month:02d}"
    return f"{weekday} {moment.day}/{moment.month}"


def day_seconds(moment: datetime) -> int:
    """Seconds since local midnight of the moment's UK day (the unit routing/ works in)."""
    local = to_local(moment)
    return local.hour * 3600 + local.minute * 60 + local.second


def clock_seconds(at: time) -> int:
    return at.hour * 3600 + at.minute * 60 + at.second


def at_day_seconds(day: date, seconds: int) -> datetime:
    """The UTC instant for `seconds` after local midnight on a UK day."""
    hours, rest = divmod(int(seconds), 3600)
    return local_to_utc(day, time(min(hours, 23), rest // 60, rest % 60))


def local_day_bounds(day: date) -> tuple[datetime, datetime]:
    """UTC instants of the start of this UK day and the next."""
    return local_to_utc(day, time(0)), local_to_utc(day + timedelta(days=1), time(0))


_TIME = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?\s*$", re.IGNORECASE)


def parse_clock(text: str | None) -> time | None:
    """'9:30', '09:30', '17.30', '17', '9am', '5.30pm' -> time; blank -> None; anything else raises
    ValueError (people write times both ways; '12pm' is noon, '12am' midnight)."""
    if not text or not text.strip():
        return None
    match = _TIME.match(text)
    if not match:
        raise ValueError(text)
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    half = (match.group(3) or "").replace(".", "").lower()
    if half:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise ValueError(text)
    return time(hour, minute)
