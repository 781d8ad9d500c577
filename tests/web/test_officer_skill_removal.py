"""Taking a skill away from an officer who holds booked visits needing it, or a community area they hold
booked visits in (walk finding: the visits stayed with an officer who could no longer do them, and
nobody was told). The officer's form says which visits first, and whether anyone else could do them;
once confirmed they go on Residents to call."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import time_machine
from werkzeug.datastructures import MultiDict

from app.appointments.references import format_reference
from app.extensions import db
from app.models import CallListEntry, Officer
from tests.booking_helpers import MONDAY, NOW, World, at
from tests.factories import AppointmentFactory, AreaFactory, OfficerFactory, SkillFactory
from tests.pages import csrf_token


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _officer_data(world: World, skills: list[int], areas: list[int] | None = None) -> dict:
    data = {
        "first_name": "Priya",
        "last_name": "Shah",
        "phone": "",
        "base_label": "Devizes hub",
        "base_hub": "",
        "base_postcode": "",
        "areas": [str(a) for a in (areas if areas is not None else [world.area.id])],
        "skills": [str(s) for s in skills],
        "active": "y",
    }
    for day in range(7):
        working = day < 5
        data |= {
            f"days-{day}-starts": "08:30" if working else "",
            f"days-{day}-ends": "17:00" if working else "",
            f"days-{day}-break_starts": "12:30" if working else "",
            f"days-{day}-break_minutes": "30" if working else "",
        }
    return data


def _save(client, officer: Officer, data: dict):
    url = f"/admin/officers/{officer.id}"
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": csrf_token(page)})


def _confirm_form(html: str, officer: Officer) -> list[tuple[str, str]]:
    """The confirm page's form as a browser sends it: every hidden field, lists included."""
    form = re.search(rf'<form method="post" action="/admin/officers/{officer.id}".*?</form>', html, re.S)
    assert form, "no confirm form"
    return [
        (k, unescape(v))
        for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form[0])
    ]


def _visits(world: World, officer: Officer, count: int):
    return [
        AppointmentFactory(
            service=world.service, officer=officer, window_start=at(10, day=MONDAY + timedelta(days=n))
        )
        for n in range(count)
    ]


@time_machine.travel(NOW, tick=False)
def test_removing_a_skill_says_which_visits_it_strands_and_puts_them_on_the_call_list(client, sign_in):
    sign_in("supervisor")
    world = World(officers=2)
    priya, _colleague = world.officers
    priya.first_name, priya.last_name = "Priya", "Shah"
    other = SkillFactory(name="Pest control")
    priya.skills.append(other)
    world.skill.name = "Housing"
    visits = _visits(world, priya, 7)  # Monday 7 December to Sunday 13th, each at 10am
    db.session.commit()

    asked = _save(client, priya, _officer_data(world, [other.id]))  # Housing unticked
    html = asked.get_data(as_text=True)
    page = _text(html)
    assert asked.status_code == 200
    assert "Remove Housing from Priya Shah?" in page
    assert "Priya Shah holds 7 booked visits needing Housing." in page
    assert "Another officer with the skill could do each of them." in page
    assert "The first 5 of 7 visits" in page and "And 2 more." in page
    for visit in visits[:5]:
        assert format_reference(visit.reference) in page
    assert format_reference(visits[5].reference) not in page
    # the visit's time as the resident was told it and Residents to call shows it: the window, not its start
    # alone ('Monday 7 December 2026, 10am' read as an exact time; found by the walk)
    assert "Monday 7 December 2026, arriving between 10am and 11am" in page
    assert "Monday 7 December 2026, 10am" not in page
    assert page.count("Yes: another officer with Housing covers it") == 5
    assert f'href="/admin/officers/{priya.id}">Cancel: change nothing' in html
    db.session.expire_all()
    assert world.skill in priya.skills  # nothing saved yet
    assert db.session.query(CallListEntry).count() == 0

    sent = _confirm_form(html, priya)
    assert ("confirmed", "yes") in sent and ("skills", str(other.id)) in sent
    done = client.post(f"/admin/officers/{priya.id}", data=MultiDict(sent))
    assert done.status_code == 302 and done.headers["Location"].endswith("/supervisor/calls")
    db.session.expire_all()
    assert world.skill not in priya.skills and other in priya.skills
    calls = _text(client.get("/supervisor/calls").get_data(as_text=True))
    assert "7 booked visits needing Housing are on Residents to call" in calls
    assert calls.count("Priya Shah no longer has the Housing skill this visit needs") == 7
    assert "another officer with the skill covers it: move it to them, or call the resident" in calls
    assert "Skill removed from the officer" in calls
    assert "Monday 7 December 2026, arriving between 10am and 11am" in calls  # the same words as the warning
    assert {e.appointment_id for e in db.session.query(CallListEntry)} == {v.id for v in visits}


@time_machine.travel(NOW, tick=False)
def test_the_warning_says_when_nobody_else_can_do_the_visits(client, sign_in):
    sign_in("supervisor")
    world = World(officers=1)
    (priya,) = world.officers
    priya.first_name, priya.last_name = "Priya", "Shah"
    world.skill.name = "Housing"
    (visit,) = _visits(world, priya, 1)
    db.session.commit()

    html = _save(client, priya, _officer_data(world, [])).get_data(as_text=True)
    page = _text(html)
    assert "Priya Shah holds 1 booked visit needing Housing." in page
    assert "Nobody else with the skill can do it there." in page
    assert "No : nobody else with Housing covers it there" in page
    assert format_reference(visit.reference) in page
    client.post(f"/admin/officers/{priya.id}", data=MultiDict(_confirm_form(html, priya)))
    calls = _text(client.get("/supervisor/calls").get_data(as_text=True))
    assert "no other officer with the skill can do it there: call the resident" in calls


@time_machine.travel(NOW, tick=False)
def test_a_skill_no_booked_visit_needs_is_removed_without_asking(client, sign_in):
    sign_in("supervisor")
    world = World(officers=1)
    (priya,) = world.officers
    spare = SkillFactory(name="Pest control")
    priya.skills.append(spare)
    _visits(world, priya, 1)  # needs the world's skill, which stays
    cancelled = AppointmentFactory(
        service=world.service, officer=priya, window_start=at(10), status="cancelled"
    )
    db.session.commit()

    saved = _save(client, priya, _officer_data(world, [world.skill.id]))
    assert saved.status_code == 302 and f"/admin/officers/{priya.id}/absences" in saved.headers["Location"]
    db.session.expire_all()
    assert spare not in priya.skills
    # A cancelled visit, or one already past, strands nobody.
    assert _save(client, priya, _officer_data(world, [])).status_code == 200
    assert cancelled.status == "cancelled" and db.session.query(CallListEntry).count() == 0


@time_machine.travel(NOW, tick=False)
def test_removing_an_area_says_which_visits_in_it_it_strands_and_puts_them_on_the_call_list(client, sign_in):
    sign_in("supervisor")
    world = World(officers=1)
    (priya,) = world.officers
    priya.first_name, priya.last_name = "Priya", "Shah"
    world.area.name = "Devizes"
    marlborough = AreaFactory(name="Marlborough", lat=51.42, lng=-1.73)
    priya.areas.append(marlborough)
    OfficerFactory(skills=[], areas=[world.area])  # covers Devizes, without the skill: not "someone else"
    visits = _visits(world, priya, 2)  # in Devizes
    db.session.commit()

    asked = _save(client, priya, _officer_data(world, [world.skill.id], [marlborough.id]))
    html = asked.get_data(as_text=True)
    page = _text(html)
    assert asked.status_code == 200
    assert "Remove Devizes from Priya Shah?" in page
    assert "Priya Shah holds 2 booked visits in Devizes." in page
    assert "Nobody else with the skill can do any of them there." in page
    for visit in visits:
        assert format_reference(visit.reference) in page
    db.session.expire_all()
    assert world.area in priya.areas  # nothing saved yet
    assert db.session.query(CallListEntry).count() == 0

    done = client.post(f"/admin/officers/{priya.id}", data=MultiDict(_confirm_form(html, priya)))
    assert done.status_code == 302 and done.headers["Location"].endswith("/supervisor/calls")
    db.session.expire_all()
    assert priya.areas == [marlborough]
    calls = _text(client.get("/supervisor/calls").get_data(as_text=True))
    assert "2 booked visits in Devizes are on Residents to call" in calls
    assert calls.count("Priya Shah no longer covers Devizes, where this visit is") == 2
    assert "no other officer with the skill can do it there: call the resident" in calls
    assert "Community area removed from the officer" in calls
    assert {e.appointment_id for e in db.session.query(CallListEntry)} == {v.id for v in visits}


@time_machine.travel(NOW, tick=False)
def test_an_area_none_of_their_booked_visits_is_in_is_removed_without_asking(client, sign_in):
    sign_in("supervisor")
    world = World(officers=1)
    (priya,) = world.officers
    marlborough = AreaFactory(name="Marlborough", lat=51.42, lng=-1.73)
    priya.areas.append(marlborough)
    _visits(world, priya, 1)  # in the world's area, which stays
    db.session.commit()

    saved = _save(client, priya, _officer_data(world, [world.skill.id], [world.area.id]))
    assert saved.status_code == 302 and f"/admin/officers/{priya.id}/absences" in saved.headers["Location"]
    db.session.expire_all()
    assert priya.areas == [world.area] and db.session.query(CallListEntry).count() == 0
