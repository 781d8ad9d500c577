"""Polish declines the day's name after a preposition: "od środy" (from), "do środy" (until), "przed
środą" (before). The pages said "od środa" (found by a user walk): the date now comes in the case the
Polish sentence needs, every weekday, while English and Nepali read as before."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine

from app.extensions import db
from app.models import Address, WaitlistEntry
from app.timeutil import format_date
from tests.booking.test_resident_fixes import _hub_journey, far_world  # noqa: F401 (a fixture)
from tests.booking_helpers import NOW
from tests.pages import submit_form

WEEK = [date(2026, 12, 7) + timedelta(days=n) for n in range(7)]  # Monday to Sunday


@pytest.mark.parametrize(
    ("day", "genitive", "instrumental"),
    [
        (WEEK[0], "poniedziałku", "poniedziałkiem"),
        (WEEK[1], "wtorku", "wtorkiem"),
        (WEEK[2], "środy", "środą"),
        (WEEK[3], "czwartku", "czwartkiem"),
        (WEEK[4], "piątku", "piątkiem"),
        (WEEK[5], "soboty", "sobotą"),
        (WEEK[6], "niedzieli", "niedzielą"),
    ],
)
def test_every_polish_weekday_is_declined_and_the_rest_of_the_date_kept(day, genitive, instrumental):
    rest = f"{day.day} grudnia 2026"
    assert format_date(day, "pl", "genitive") == f"{genitive}, {rest}"
    assert format_date(day, "pl", "instrumental") == f"{instrumental}, {rest}"
    assert format_date(day, "pl").endswith(f", {rest}")  # a heading: the nominative, as before
    for case in ("genitive", "instrumental"):  # languages that do not decline the day's name
        assert format_date(day, "en", case) == format_date(day, "en")
        assert format_date(day, "ne", case) == format_date(day, "ne")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@time_machine.travel(NOW, tick=False)
def test_no_times_at_a_hub_says_od_and_do_with_the_days_declined(client, far_world):  # noqa: F811
    client.get("/language/pl")
    _hub_journey(client, far_world, far_world.hub.code)
    page = _text(client.get("/book/time").get_data(as_text=True))
    said = re.search(r"Brak wolnych terminów w .*? od (\w+), .*? do (\w+), ", page)
    assert said, page
    assert said.groups() == ("wtorku", "poniedziałku")  # Tuesday 1 December to Monday 14 December
    offered = re.search(r"ma wolne terminy od (\w+),", page)
    assert offered and offered.group(1) == "środy"  # Melksham hub: from Wednesday 2 December
    nominative = ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela")
    assert not re.search(r"\b(od|do|przed) (" + "|".join(nominative) + r")\b", page)


@time_machine.travel(NOW, tick=False)
def test_the_same_page_in_english_and_nepali_is_unchanged(client, far_world):  # noqa: F811
    _hub_journey(client, far_world, far_world.hub.code)
    english = _text(client.get("/book/time").get_data(as_text=True))
    assert re.search(r"between Tuesday 1 December 2026 and \w+day \d+ December 2026", english)
    client.get("/language/ne")
    nepali = _text(client.get("/book/time").get_data(as_text=True))
    assert f"{format_date(NOW, 'ne')} देखि {format_date(date(2026, 12, 14), 'ne')} सम्म" in nepali


@time_machine.travel(NOW, tick=False)
def test_the_waiting_list_says_przed_with_the_day_in_the_instrumental(client, far_world):  # noqa: F811
    client.get("/language/pl")
    submit_form(client, "/book/service", {"service": far_world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": "SN10 1AB"})
    address = db.session.query(Address).filter_by(uprn="100123").one()
    submit_form(client, "/book/address", {"address": str(address.id)})
    joined = submit_form(
        client, "/book/waitlist", {"name": "Jo Wait", "phone": "07700 900123", "times": "morning"}
    )
    latest = db.session.query(WaitlistEntry).one().latest
    said = f"przed {format_date(latest, 'pl', 'instrumental')} zwolni się"
    assert said in _text(joined.get_data(as_text=True)), said
