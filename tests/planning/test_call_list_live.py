"""Residents to call shows only live work: an entry whose cause has gone (the visit re-assigned to an
officer who may do it, the officer able to do it again, the officer working that day after all) closes
by itself, saying why, and stays in the week's history as closed automatically. Through the real pages,
and the scheduler's plan job on a controlled clock."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import time_machine
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import Absence, Appointment, CallListEntry
from tests.booking_helpers import MONDAY, NOW, SUNDAY_EVENING, World, at, run_the_nightly_plan
from tests.factories import AppointmentFactory, CustomerFactory
from tests.pages import csrf_token
from tests.planning.test_nightly_officer_cannot_do import _visit
from tests.web.test_officer_skill_removal import _confirm_form, _officer_data, _save

LATER = SUNDAY_EVENING.replace(minute=30)  # the supervisor looks after the plan ran


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _calls(client) -> tuple[str, str]:
    """Residents to call as a supervisor reads it: the open list, and the week's history."""
    page = _text(client.get("/supervisor/calls").get_data(as_text=True))
    still, _, done = page.partition("Done in the last 7 days")
    return still, done


def _remove_skill_through_the_form(client, world: World, officer) -> None:
    asked = _save(client, officer, _officer_data(world, []))
    assert "Remove Housing from Priya Shah?" in asked.get_data(as_text=True)
    done = client.post(
        f"/admin/officers/{officer.id}", data=MultiDict(_confirm_form(asked.get_data(as_text=True), officer))
    )
    assert done.status_code == 302


def _housing_world(officers: int) -> World:
    world = World(officers=officers)
    world.skill.name = "Housing"
    priya = world.officers[0]
    priya.first_name, priya.last_name = "Priya", "Shah"
    return world


def _off_sick_and_planned(app) -> tuple[World, Appointment, Absence]:
    """Priya, the one Housing officer, off sick on MONDAY with a visit then; the nightly plan has run
    (so the visit is on Residents to call as she is not working)."""
    world = _housing_world(officers=1)
    (priya,) = world.officers
    absence = Absence(officer=priya, kind="sickness", starts_on=MONDAY, ends_on=MONDAY)
    db.session.add(absence)
    visit = _visit(world, priya)
    db.session.commit()
    visit, absence = run_the_nightly_plan(app, visit, absence)
    return world, visit, absence


def _remove_absence_through_the_page(client, officer_id: int, absence_id: int) -> None:
    page = client.get(f"/admin/officers/{officer_id}/absences").get_data(as_text=True)
    removed = client.post(
        f"/admin/officers/{officer_id}/absences/{absence_id}/remove", data={"csrf_token": csrf_token(page)}
    )
    assert removed.status_code == 302


def test_giving_the_skill_back_closes_the_entries_it_made(client, sign_in):
    with time_machine.travel(NOW, tick=False):
        supervisor = sign_in("supervisor")
        world = _housing_world(officers=1)
        (priya,) = world.officers
        visit = _visit(world, priya)
        db.session.commit()
        _remove_skill_through_the_form(client, world, priya)
        still, _ = _calls(client)
        assert "Priya Shah no longer has the Housing skill this visit needs" in still

        given_back = _save(client, priya, _officer_data(world, [world.skill.id]))  # Housing ticked again
        assert given_back.status_code == 302

        still, done = _calls(client)
        assert "Nobody to call." in still and "no longer has the Housing skill" not in still
        assert "Priya Shah may do this visit again" in done
        assert f"Closed automatically after a change by {supervisor.full_name}" in done
        entry = db.session.query(CallListEntry).one()
        assert entry.open_for is None and entry.closed_automatically and entry.appointment_id == visit.id


def test_a_visit_the_nightly_plan_re_assigns_leaves_the_list_it_was_put_on(app, client, sign_in):
    with time_machine.travel(NOW, tick=False):
        sign_in("supervisor")
        world = _housing_world(officers=2)
        priya, colleague = world.officers
        visit = _visit(world, priya)  # Monday 10am to 12pm
        db.session.commit()
        _remove_skill_through_the_form(client, world, priya)
        assert db.session.query(CallListEntry).one().source == "skill_removed"
        colleague_name = colleague.name

    visit = run_the_nightly_plan(app, visit)

    assert visit.officer.name == colleague_name  # the plan handed it over, the time kept
    with time_machine.travel(LATER, tick=False):
        sign_in("supervisor")
        still, done = _calls(client)
    assert "Nobody to call." in still
    assert f"Re-assigned to {colleague_name}, who may do it: the promised time is unchanged" in done
    assert "Closed automatically" in done


def test_removing_the_absence_that_kept_a_visit_out_of_the_plan_closes_its_entry(app, client, sign_in):
    _, visit, absence = _off_sick_and_planned(app)
    priya_id = visit.officer_id

    (entry,) = db.session.query(CallListEntry).all()
    assert entry.source == "not_working" and entry.open_for == visit.id
    with time_machine.travel(LATER, tick=False):
        sign_in("supervisor")
        _remove_absence_through_the_page(client, priya_id, absence.id)
        still, done = _calls(client)
    assert "Nobody to call." in still
    assert "Priya Shah is working that day again" in done


def test_an_entry_whose_cause_holds_stays_open(app, client, sign_in):
    """The sweep closes nothing still true: a skill still missing keeps its entry after the plan runs."""
    with time_machine.travel(NOW, tick=False):
        sign_in("supervisor")
        world = _housing_world(officers=1)
        (priya,) = world.officers
        visit = _visit(world, priya)
        db.session.commit()
        _remove_skill_through_the_form(client, world, priya)

    visit = run_the_nightly_plan(app, visit)

    with time_machine.travel(LATER, tick=False):
        sign_in("supervisor")
        still, done = _calls(client)
    assert "Priya Shah no longer has the Housing skill this visit needs" in still
    assert "Closed automatically" not in done


def test_a_resident_with_no_phone_number_is_emailed_or_written_to_as_their_record_allows(client, sign_in):
    """Residents to call no longer tells a supervisor to call someone we have no number for: it gives
    the email address, or the address to write to and whether a letter arrives before the visit
    (messaging.outbox's letter rule), or says there is no way to reach them."""
    with time_machine.travel(NOW, tick=False):  # Tuesday 1 December
        sign_in("supervisor")
        world = _housing_world(officers=1)
        (priya,) = world.officers

        def visit(day: int, **customer):
            starts = at(10, day=MONDAY + timedelta(days=day))
            return AppointmentFactory(
                service=world.service,
                officer=priya,
                window_start=starts,
                customer=CustomerFactory(**customer),
            )

        by_phone = visit(0, name="Ann Phone")
        by_email = visit(0, name="Bob Email", phone="")
        visit(0, name="Cat Post", phone="", email="", address_line1="3 Mill Lane", postcode="SN10 2BB")
        visit(  # Wednesday 2 December: the post would not arrive in time
            -5, name="Dan Late", phone="", email="", address_line1="4 Mill Lane", postcode="SN10 2BB"
        )
        nothing = visit(0, name="Eve None", phone="", email="", address_line1="", postcode="")
        nothing.location_type = "hub"  # nowhere to post to
        nothing.hub = world.hub
        db.session.commit()
        _remove_skill_through_the_form(client, world, priya)

        page = client.get("/supervisor/calls").get_data(as_text=True)
        rows = {
            name: _text(row)
            for row in re.findall(r"<tr class=\"govuk-table__row\">.*?</tr>", page, re.S)
            for name in ("Ann Phone", "Bob Email", "Cat Post", "Dan Late", "Eve None")
            if name in row
        }
    assert "can do it there: call the resident" in rows["Ann Phone"]
    assert "No phone: email them at " + by_email.customer.email in rows["Bob Email"]
    assert f'href="mailto:{by_email.customer.email}"' in page
    assert (
        "can do it there: email the resident" in rows["Bob Email"]
        and "call the resident" not in rows["Bob Email"]
    )
    assert "No phone or email: write to them at Cat Post, 3 Mill Lane, Devizes, SN10 2BB." in rows["Cat Post"]
    assert "A letter posted today arrives before the visit." in rows["Cat Post"]
    assert (
        "can do it there: write to the resident" in rows["Cat Post"]
        and "call the resident" not in rows["Cat Post"]
    )
    assert (
        "A letter to Dan Late, 4 Mill Lane, Devizes, SN10 2BB would arrive after the visit."
        in rows["Dan Late"]
    )
    assert "No phone, email or postal address on their record." in rows["Eve None"]
    assert "No phone" not in rows["Ann Phone"] and by_phone.customer.name in rows["Ann Phone"]


def test_a_re_assigned_resident_no_text_or_email_reaches_is_still_to_be_told(app, client, sign_in):
    """Closing the skill's entry must not swallow the officer change's own: one entry per visit, so the
    change's 'tell the resident' stood behind it; once the skill's closes, it is listed."""
    with time_machine.travel(NOW, tick=False):
        sign_in("supervisor")
        world = _housing_world(officers=2)
        priya, colleague = world.officers
        visit = _visit(world, priya)
        visit.customer = CustomerFactory(name="Cat Post", phone="", email="")
        db.session.commit()
        _remove_skill_through_the_form(client, world, priya)
        colleague_name = colleague.name

    visit = run_the_nightly_plan(app, visit)

    assert visit.officer.name == colleague_name
    with time_machine.travel(LATER, tick=False):
        sign_in("supervisor")
        still, done = _calls(client)
    assert f"Tell the resident {colleague_name} will visit instead: no text or email reaches them" in still
    assert "No phone or email. A letter to Cat Post" in still  # Monday: too late for the post
    assert f"Re-assigned to {colleague_name}, who may do it" in done


def test_a_visit_kept_out_for_two_reasons_is_listed_again_for_the_one_that_still_holds(client, sign_in):
    """Priya lost the Housing skill and is on leave that day: one entry per visit, so it is listed for the
    skill. Giving the skill back removes that cause, not the leave: the entry closes saying so, and the
    visit is listed again at once for the leave, in its own words (not left off the list)."""
    with time_machine.travel(NOW, tick=False):
        sign_in("supervisor")
        world = _housing_world(officers=1)
        (priya,) = world.officers
        db.session.add(Absence(officer=priya, kind="leave", starts_on=MONDAY, ends_on=MONDAY))
        _visit(world, priya)
        db.session.commit()
        _remove_skill_through_the_form(client, world, priya)

        given_back = _save(client, priya, _officer_data(world, [world.skill.id]))
        assert given_back.status_code == 302

        still, done = _calls(client)
    assert "Priya Shah may do this visit again" in done
    assert "no longer has the Housing skill" not in still
    assert "Priya Shah is on annual leave and no other officer has the visit yet: re-plan the day" in still
    (entry,) = db.session.query(CallListEntry).filter(CallListEntry.open_for.is_not(None)).all()
    assert entry.source == "not_working"


def test_an_absence_entry_whose_officer_is_back_but_may_not_do_it_is_listed_again_for_that(
    app, client, sign_in
):
    """The nightly plan listed the visit as Priya is off sick; the Housing skill was taken from her since
    (the visit already listed). Removing the sickness closes that entry, and the visit is listed again
    for the skill, rather than staying listed for a sickness that is no longer recorded."""
    world, visit, absence = _off_sick_and_planned(app)
    priya_id = visit.officer_id

    with time_machine.travel(LATER, tick=False):
        sign_in("supervisor")
        world.skill = db.session.merge(world.skill)
        world.area = db.session.merge(world.area)
        priya = db.session.get(type(visit.officer), priya_id)
        _remove_skill_through_the_form(client, world, priya)
        assert "Priya Shah is off sick" in _calls(client)[0]
        _remove_absence_through_the_page(client, priya_id, absence.id)
        still, done = _calls(client)
    assert "Priya Shah is working that day again" in done
    assert "off sick" not in still
    assert (
        "Priya Shah no longer has the Housing skill it needs (Monday 7 December 2026, arriving between 10am "
        "and midday): move it, or call the resident" in still
    )
