"""The supervisors' field board: where each of today's visits stands, driven through the officers' own
actions (on my way, arrive, finish) on a controlled clock."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from app.booking.changes import cancel
from app.extensions import db
from app.models import Absence, Appointment
from app.planning import planning
from app.safety import safety
from tests.booking_helpers import MONDAY, SUNDAY_EVENING, World, at
from tests.factories import AppointmentFactory, UserFactory
from tests.pages import sign_out
from tests.safety_helpers import form_fields, sign_in_as


def _visit(world: World, officer, start, **fields) -> Appointment:
    return AppointmentFactory(
        service=world.service,
        officer=officer,
        window_start=start,
        window_end=start + timedelta(hours=1),
        **fields,
    )


def _field_page(client, sign_in) -> str:
    sign_in("supervisor")
    response = client.get("/supervisor/field")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_board_shows_each_visit_s_state_and_who_needs_a_look(client, sign_in):
    world = World(officers=3)
    ann, ben, cat = world.officers
    for officer, name in zip(world.officers, ("Ann", "Ben", "Cat"), strict=True):
        officer.first_name, officer.last_name = name, "Officer"
        officer.user = UserFactory(role="officer")
    with time_machine.travel(at(8, 0, MONDAY), tick=False):
        done = _visit(world, ann, at(8, 30), address_line1="1 Done Road")
        over = _visit(world, ann, at(9, 30), address_line1="2 Over Street")
        later = _visit(world, ann, at(14, 0), address_line1="3 Later Lane")
        late = _visit(world, ben, at(9, 0), address_line1="4 Late Close")
        heading = _visit(world, cat, at(11, 0), address_line1="5 Heading Way")
        gone = _visit(world, cat, at(15, 0), address_line1="6 Cancelled Court")
        pair = _visit(world, ben, at(13, 0), second_officer=cat, address_line1="7 Pair Place")
        db.session.flush()
    with time_machine.travel(at(8, 40, MONDAY), tick=False):
        safety.arrive(done, ann, ann.user)
    with time_machine.travel(at(9, 20, MONDAY), tick=False):
        safety.finish(done, ann, ann.user, "completed")
    with time_machine.travel(at(9, 35, MONDAY), tick=False):
        safety.arrive(over, ann, ann.user)  # expected out by 9:35 + 45 min + grace = 10:35
        cancel(gone, "Resident phoned")
    with time_machine.travel(at(10, 50, MONDAY), tick=False):
        safety.on_my_way(heading, cat, cat.user)
        db.session.commit()
        html = _field_page(client, sign_in)

    page = " ".join(html.split())
    assert "2 visits need a look" in page
    assert "Ann Officer</a>: running over 15 minutes past the expected finish, 2 Over Street" in page
    assert (
        "Ben Officer</a>: not checked in 50 minutes past the end of the arrival window, 4 Late Close" in page
    )
    assert 'Ann Officer</h2> <p class="govuk-body">1 of 3 done' in page
    rows = page.split("<tr")
    assert any("1 Done Road" in r and "Completed</strong> <br>at 9:20am" in r for r in rows)
    assert any("3 Later Lane" in r and ">Booked<" in r for r in rows)
    assert any("5 Heading Way" in r and "On the way</strong> <br>at 10:50am" in r for r in rows)
    assert "6 Cancelled Court" not in page
    assert page.count("7 Pair Place") == 2  # a two-officer visit is on both officers' rows
    assert later.status == "booked" and late.status == "booked" and pair.second_officer_id == cat.id


def test_a_visit_whose_officer_is_not_working_today_needs_a_look(client, sign_in):
    """Switched off (a leaver) with a visit still booked today: nobody will come, so the board says so
    and links to the re-plan, and says when no supervisor is on duty."""
    world = World()
    (leaver,) = world.officers
    leaver.first_name, leaver.last_name = "Lee", "Leaver"
    with time_machine.travel(at(8, 0, MONDAY), tick=False):
        _visit(world, leaver, at(14, 0), address_line1="8 Left Lane")
        leaver.active = False
        db.session.commit()
        page = " ".join(_field_page(client, sign_in).split())
    assert "1 visit needs a look" in page
    assert "Lee Leaver</a>: not working today" in page and f"/supervisor/replan?officer={leaver.id}" in page
    assert any("8 Left Lane" in r and "Officer not working" in r for r in page.split("<tr"))
    assert "Nobody is on duty" in page


def test_an_officer_cannot_open_the_field_board(client, sign_in):
    sign_in("officer")
    assert client.get("/supervisor/field").status_code == 403


def test_the_officer_s_phone_and_the_board_call_a_checked_in_visit_the_same(client, sign_in):
    """One word for one state (walk finding): the officer's phone said "Checked in" and the board
    "Arrived". Both now use the lone-working flow's words: "Check in" to tap, "Checked in" once done,
    "Not checked in" when late (as the safety alert says)."""
    world = World(officers=2)
    ann, ben = world.officers
    ann.first_name, ann.last_name, ann.user = "Ann", "Officer", UserFactory(role="officer")
    ben.first_name, ben.last_name = "Ben", "Officer"
    with time_machine.travel(at(8, 0, MONDAY), tick=False):
        visit = _visit(world, ann, at(10, 0), address_line1="9 Same Word Street")
        _visit(world, ben, at(8, 0), address_line1="4 Late Close")
        db.session.commit()
    with time_machine.travel(at(10, 5, MONDAY), tick=False):
        sign_in_as(client, ann.user)
        before = client.get("/officer/").get_data(as_text=True)
        assert 'Check in<span class="govuk-visually-hidden"> for visit 1' in before
        assert "Arrived" not in before
        fields = form_fields(before, f"/visits/{visit.id}/arrived")
        assert client.post(f"/officer/visits/{visit.id}/arrived", data=fields).status_code == 302
        phone = " ".join(client.get("/officer/").get_data(as_text=True).split())
        sign_out(client)
        board = " ".join(_field_page(client, sign_in).split())
    assert "Checked in" in phone and "Arrived" not in phone
    row = next(r for r in board.split("<tr") if "9 Same Word Street" in r)
    assert "Checked in</strong> <br>at 10:05am" in row
    assert "Ben Officer</a>: not checked in 65 minutes past the end of the arrival window" in board
    assert "Arrived" not in board and "arrived" not in board.replace("arrival", "")


def test_a_home_visit_shows_its_planned_arrival_so_the_planned_order_reads_right(client, sign_in):
    """Rows are in planned order: a 9am-to-11am home visit planned for 10:50am comes after a 10am hub
    visit, and without its planned time it looked out of place (found walking the demo county)."""
    world = World()
    officer = world.officers[0]
    with time_machine.travel(at(8, 0, MONDAY), tick=False):
        at_hub = _visit(world, officer, at(10, 0), hub=world.hub, location_type="hub")
        at_hub.window_end = at_hub.planned_arrival = at(10, 0)
        home = _visit(world, officer, at(9, 0), address_line1="5 Church Lane", planned_arrival=at(10, 50))
        home.window_end = at(11, 0)
        db.session.commit()
        page = " ".join(_field_page(client, sign_in).split())
    rows = page.split("<tr")
    hub_row = next(i for i, r in enumerate(rows) if world.hub.name in r)
    home_row = next(i for i, r in enumerate(rows) if "5 Church Lane" in r)
    assert hub_row < home_row
    assert '9am to 11am<br><span class="govuk-body-s">planned 10:50am</span>' in rows[home_row]
    assert "planned" not in rows[hub_row]


def test_on_my_way_from_the_officer_a_visit_was_taken_from_does_not_say_the_new_one_is_coming(
    client, sign_in, configure
):
    """Ann tapped "On my way", then went off sick and a re-plan gave the visit to Ben: the board showed
    Ben "On the way" since Ann's tap, and Ben's phone hid his own "On my way" (found walking the
    absence re-plan of the demo county)."""
    configure(session_timeout_minutes=30 * 24 * 60)
    world = World(officers=2)
    ann, ben = world.officers
    for officer, name in zip(world.officers, ("Ann", "Ben"), strict=True):
        officer.first_name, officer.last_name = name, "Officer"
        officer.user = UserFactory(role="officer")
    with time_machine.travel(at(8, 0, MONDAY), tick=False):
        visit = _visit(world, ann, at(10, 0), address_line1="1 Taken Road")
        db.session.flush()
        safety.on_my_way(visit, ann, ann.user)
        visit.officer = ben  # what publishing the absence re-plan does to the visit
        db.session.commit()
        sign_in_as(client, ben.user)
        phone = client.get("/officer/").get_data(as_text=True)
        sign_out(client)
        page = " ".join(_field_page(client, sign_in).split())
        assert safety._heading_to(ben) is None  # his help alert does not say he is heading there
    assert 'On my way<span class="govuk-visually-hidden"> for visit 1' in phone
    row = next(r for r in page.split("<tr") if "1 Taken Road" in r)
    assert ">Booked<" in row and "On the way" not in row


def _needs_a_look_line(page: str, name: str) -> str:
    """The "needs a look" list's line for an officer, as the supervisor reads it (tags and spaces gone)."""
    found = re.search(rf'<li><a class="govuk-link" href="#officer-\d+">{name}</a>:(.*?)</li>', page, re.S)
    assert found, f"no line for {name}"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_after_a_replan_could_not_keep_it_the_board_says_the_visit_is_on_residents_to_call(client, sign_in):
    """Polish walk: after the absence re-plan was published, the absent officer's line still said "11am
    at ... is still theirs: re-plan it" for a visit the re-plan had put on Residents to call (no colleague
    could take it). The line now says nobody comes and links to the call list, not to the re-plan."""
    world = World()
    (ann,) = world.officers
    ann.first_name, ann.last_name = "Ann", "Absent"
    with time_machine.travel(SUNDAY_EVENING, tick=False):
        _visit(world, ann, at(11, 0), address_line1="1 Kept Road")
        db.session.add(Absence(officer=ann, kind="sickness", starts_on=MONDAY, ends_on=MONDAY))
        db.session.commit()
    with time_machine.travel(at(8, 0, MONDAY), tick=False):
        before = " ".join(_field_page(client, sign_in).split())
        summary = planning.replan_for_absence(ann, MONDAY, time_limit=0.5)
        assert len(summary.unassigned) == 1  # nobody else works: it goes on the call list
        after = " ".join(client.get("/supervisor/field").get_data(as_text=True).split())

    assert _needs_a_look_line(before, "Ann Absent") == (
        "not working today (switched off, absent or not their day). Nobody comes to 11am at 1 Kept Road: "
        "re-plan it"
    )
    line = _needs_a_look_line(after, "Ann Absent")
    assert line == (
        "not working today (switched off, absent or not their day). Nobody comes to 11am at 1 Kept Road: "
        "it is on Residents to call"
    )
    assert (
        "re-plan it" not in line
        and '<a class="govuk-link" href="/supervisor/calls">Residents to call' in after
    )


def test_of_a_pair_the_board_says_the_partner_still_comes_and_a_colleague_is_needed(client, sign_in):
    """Polish walk: Alex Brown off sick, Yasmin Hall (his partner on a two-officer visit) working, and no
    colleague who may join her: the line said the visit "is still theirs", as if nobody came. It now says
    Yasmin still comes and a colleague is needed, before the re-plan (re-plan it) and after it (on the
    call list); Yasmin's own row still shows the visit as booked."""
    world = World(officers=2, two_officers=True)
    alex, yasmin = world.officers
    alex.first_name, alex.last_name = "Alex", "Brown"
    yasmin.first_name, yasmin.last_name = "Yasmin", "Hall"
    with time_machine.travel(SUNDAY_EVENING, tick=False):
        _visit(
            world,
            alex,
            at(10, 0),
            second_officer=yasmin,
            planned_arrival=at(10, 0),
            address_line1="2 Pair Road",
        )
        db.session.add(Absence(officer=alex, kind="sickness", starts_on=MONDAY, ends_on=MONDAY))
        db.session.commit()
    with time_machine.travel(at(8, 0, MONDAY), tick=False):
        before = " ".join(_field_page(client, sign_in).split())
        summary = planning.replan_for_absence(alex, MONDAY, time_limit=0.5)
        assert len(summary.unassigned) == 1  # nobody may join Yasmin
        after = " ".join(client.get("/supervisor/field").get_data(as_text=True).split())

    said = "not working today (switched off, absent or not their day). Yasmin Hall still comes to 10am at "
    assert _needs_a_look_line(before, "Alex Brown") == (
        f"{said}2 Pair Road; a colleague is needed to join them: re-plan it"
    )
    assert _needs_a_look_line(after, "Alex Brown") == (
        f"{said}2 Pair Road; a colleague is needed to join them: it is on Residents to call"
    )
    assert "1 visit needs a look" in after  # Yasmin's visit is fine: only Alex's place needs one
    yasmin_row = after.split(f'id="officer-{yasmin.id}"')[1].split("</table>")[0]
    assert "2 Pair Road" in yasmin_row and ">Booked<" in yasmin_row
