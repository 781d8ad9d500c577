"""Supervisors are told where an offered service cannot be booked: the roster cannot staff it there,
so every caller in that area is told it cannot be offered there (no times, no waiting list)."""

from __future__ import annotations

import re
from datetime import time, timedelta

import time_machine

from app.booking.availability import search
from app.extensions import db
from app.models import WorkingPattern
from app.places.places import Place
from tests.booking_helpers import NOW
from tests.factories import AreaFactory, OfficerFactory, ServiceFactory, SkillFactory

WARNING = "Disabled facilities grant survey: no two officers with the skill work the same days in Devizes"


def _survey_in_devizes():
    devizes = AreaFactory(name="Devizes", lat=51.35, lng=-1.995)
    skill = SkillFactory()
    survey = ServiceFactory(
        name="Disabled facilities grant survey",
        skill=skill,
        two_officers=True,
        at_hub=False,
        duration_minutes=75,
        notice_hours=72,
        horizon_days=56,
    )
    home = Place("home", 51.355, -1.99, 0, line1="7 Springfield", town="Devizes", postcode="SN10 1HJ")
    return devizes, skill, survey, home


def _pages(client) -> list[str]:
    return [client.get(url).get_data(as_text=True) for url in ("/admin/services", "/supervisor/dashboard")]


@time_machine.travel(NOW, tick=False)
def test_two_officers_who_never_work_the_same_days_are_named_and_residents_get_no_times(client, sign_in):
    devizes, skill, survey, home = _survey_in_devizes()
    OfficerFactory(skills=[skill], areas=[devizes], weekdays=[0, 1])  # Monday and Tuesday
    later = OfficerFactory(skills=[skill], areas=[devizes], weekdays=[2, 3, 4])  # the rest of the week
    db.session.flush()
    home = Place(**{**home.__dict__, "area_id": devizes.id})
    assert search(survey, home, NOW.date(), survey.horizon_days).slots == []  # what the caller sees
    sign_in("supervisor")
    services, dashboard = _pages(client)
    assert WARNING in services and WARNING in dashboard
    assert "No times in 1 area" in services  # on the service's row, beside "Offered"
    # What residents and agents there now meet: a "cannot offer" page, not an empty list of times.
    said = " ".join(re.sub(r"<[^>]+>", " ", services).split())
    assert "Nobody can book it there: residents are told we cannot offer it at the moment" in said
    assert "see no free times" not in said

    # The second officer also works Tuesday mornings: the pair can go together, and the warning goes.
    later.patterns.append(WorkingPattern(weekday=1, starts=time(9), ends=time(13, 30), break_minutes=0))
    db.session.commit()
    assert search(survey, home, NOW.date(), survey.horizon_days).slots
    assert all(WARNING not in page and 'id="coverage"' not in page for page in _pages(client))


@time_machine.travel(NOW, tick=False)
def test_a_part_time_morning_officer_and_a_full_time_one_can_do_a_two_officer_survey(client, sign_in):
    """As in Warminster: one works 9 to 1:30 every weekday, the other full days; no warning, times."""
    devizes, skill, survey, home = _survey_in_devizes()
    OfficerFactory(skills=[skill], areas=[devizes])
    mornings = OfficerFactory(skills=[skill], areas=[devizes], weekdays=[])
    for weekday in range(5):
        mornings.patterns.append(
            WorkingPattern(weekday=weekday, starts=time(9), ends=time(13, 30), break_minutes=0)
        )
    db.session.flush()
    home = Place(**{**home.__dict__, "area_id": devizes.id})
    assert search(survey, home, NOW.date() + timedelta(days=3), 7).slots
    sign_in("supervisor")
    assert all(WARNING not in page for page in _pages(client))


def test_an_area_with_nobody_for_a_skill_is_named_for_a_one_officer_service(client, sign_in):
    devizes, skill, _survey, _home = _survey_in_devizes()
    AreaFactory(name="Mere", lat=51.089, lng=-2.267)
    tax = ServiceFactory(name="Council tax account and discounts", skill=SkillFactory())
    OfficerFactory(skills=[tax.skill], areas=[devizes])
    db.session.flush()
    sign_in("supervisor")
    services, dashboard = _pages(client)
    assert "Council tax account and discounts: no officer with the skill works in Mere" in services
    assert "works in Devizes, Mere" not in services
    assert "Council tax account and discounts: no officer" in dashboard
