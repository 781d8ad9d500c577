"""Ratings read in words, the number after them ("Very good (4.5 out of 5)"), wherever the dashboard
shows one: by hub above all, and by service, officer and channel, the month's summary and the answers
themselves ("4: good"). One presenter: presenters.rating_words."""

from __future__ import annotations

import re
from html import unescape

from app.appointments.presenters import rating_words
from app.extensions import db
from tests.booking_helpers import World, at
from tests.factories import AppointmentFactory


def test_a_rating_is_the_nearest_answer_s_words_then_the_number():
    assert rating_words(4.5) == "Very good (4.5 out of 5)"
    assert rating_words(4.26) == "Good (4.3 out of 5)"
    assert rating_words(3) == "Neither good nor poor (3 out of 5)"
    assert rating_words(1.2) == "Very poor (1.2 out of 5)"
    assert rating_words(None) == "No ratings yet"


def _rows(html: str, table: str) -> dict[str, list[str]]:
    section = re.search(rf'id="table-{table}".*?</table>', html, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", section, re.S):
        cells = [unescape(" ".join(c.split())) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_dashboard_gives_each_hub_s_rating_in_words(client, sign_in):
    world = World()
    for hour, score in ((9, 4), (11, 5)):
        AppointmentFactory(
            service=world.service,
            officer=world.officers[0],
            window_start=at(hour),
            status="completed",
            satisfaction_score=score,
            location_type="hub",
            hub=world.hub,
        )
    db.session.commit()
    sign_in("supervisor")
    page = client.get("/supervisor/dashboard?month=2026-12").get_data(as_text=True)
    assert _rows(page, "satisfaction_by_hub")[world.hub.name] == ["2", "Very good (4.5 out of 5)"]
    assert _rows(page, "satisfaction_by_service")[world.service.name] == ["2", "Very good (4.5 out of 5)"]
    assert _rows(page, "satisfaction_summary")["Average rating"] == ["Very good (4.5 out of 5)"]
    answers = _rows(page, "satisfaction")
    assert (
        answers["5: very good"] == ["1"] and answers["4: good"] == ["1"] and answers["1: very poor"] == ["0"]
    )
