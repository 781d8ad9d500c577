"""What a fresh-eyes walk of the officer's and supervisor's screens found, through the real app:
- the field board said "Nobody is late or running over" while an officer's Help alert was open;
- "No-show" could be recorded an hour before the visit's time, from any path;
- the resident's booking page showed a visit that had happened (or found nobody in) as if still to come;
- the wording: "Check out when you leave" with no Check out button, three words for a no-show."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from app.appointments.links import manage_url
from app.booking.booking_request import CustomerDetails
from app.booking.changes import record_outcome
from app.booking.errors import BookingRuleError
from app.extensions import db
from app.models import SafetyAlert
from app.safety import safety
from tests.booking_helpers import NOW, World, at, book_first_slot
from tests.factories import AppointmentFactory, HubFactory
from tests.pages import csrf_token
from tests.safety_helpers import form_fields, officer_user, sign_in_as, supervisor_on_duty


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _summary(html: str) -> str:
    found = re.search(r'<div class="govuk-error-summary".*?</div>\s*</div>', html, re.S)
    return _text(found.group(0)) if found else ""


def _tap(client, appointment, action, accept_json=False, **data):
    """A tap on the officer's day page, with the form's own hidden fields (as the phone sends them)."""
    fields = form_fields(client.get("/officer/").get_data(as_text=True), f"/visits/{appointment.id}/{action}")
    headers = {"Accept": "application/json"} if accept_json else {}
    return client.post(f"/officer/visits/{appointment.id}/{action}", data={**fields, **data}, headers=headers)


@pytest.fixture
def officer_client(app, configure):
    configure(session_timeout_minutes=30 * 24 * 60)
    world = World()
    user, officer = officer_user(world)
    officer.first_name, officer.last_name = "Aisha", "Adams"
    client = app.test_client()
    sign_in_as(client, user)
    return world, user, officer, client


# 1. The field board heads with open safety alerts and counts them -----------------------------------


def test_an_open_help_alert_heads_the_field_board_until_a_supervisor_acknowledges_it(app, officer_client):
    world, user, officer, phone = officer_client
    visit = AppointmentFactory(
        service=world.service, officer=officer, window_start=at(14, 30), window_end=at(14, 30)
    )
    supervisor = supervisor_on_duty()
    db.session.commit()
    board = app.test_client()
    sign_in_as(board, supervisor)
    with time_machine.travel(at(13, 5), tick=False):
        before = _text(board.get("/supervisor/field").get_data(as_text=True))
        assert "No open safety alerts. Nobody is late or running over." in before
        assert _tap(phone, visit, "on-my-way").status_code == 302
        fields = form_fields(phone.get("/officer/").get_data(as_text=True), "/officer/help")
        assert phone.post("/officer/help", data=fields).status_code == 200
        html = board.get("/supervisor/field").get_data(as_text=True)
    alert = db.session.query(SafetyAlert).one()
    page = _text(html)
    # At the top, before any officer's visits, with the officer, where, their phone and the alert's link.
    top = html.index('id="open-alerts"')
    assert top < html.index('id="needs-a-look"') < html.index(f'id="officer-{officer.id}"')
    assert "Open safety alert: 1" in page
    assert "Help requested Aisha Adams , raised at 1:05pm, 12 High Street, Devizes, SN10 1AA." in page
    assert f'href="/supervisor/alerts#alert-{alert.id}"' in html
    assert "Call 07700 900777" in page
    assert "1 open safety alert needs a look." in page
    assert "Aisha Adams : help requested, not yet acknowledged" in page
    assert "Nobody is late or running over" not in page
    with time_machine.travel(at(13, 10), tick=False):
        # The link's target: the alert's own card on Safety alerts, where it is acknowledged.
        alerts_page = board.get("/supervisor/alerts").get_data(as_text=True)
        assert f'id="alert-{alert.id}"' in alerts_page and "Help requested: Aisha Adams" in _text(alerts_page)
        answer = board.post(
            f"/supervisor/alerts/{alert.id}/acknowledge",
            data={"csrf_token": csrf_token(alerts_page), "note": "Rang Aisha: all fine"},
        )
        assert answer.status_code == 302
        after = _text(board.get("/supervisor/field").get_data(as_text=True))
    assert "Open safety alert" not in after and "needs a look" not in after
    assert "No open safety alerts. Nobody is late or running over." in after


def test_the_count_adds_open_alerts_to_the_visits_that_need_a_look(app, officer_client):
    """An officer who never checked in: the overdue ladder alerts, and the late visit needs a look too."""
    world, user, officer, phone = officer_client
    AppointmentFactory(
        service=world.service, officer=officer, window_start=at(9), address_line1="4 Late Close"
    )
    supervisor = supervisor_on_duty()
    db.session.commit()
    with time_machine.travel(at(10, 16), tick=False):
        assert safety.run_checks()["checks_sent"] == 1  # "you have not checked in": no answer
        db.session.commit()
    with time_machine.travel(at(10, 27), tick=False):
        assert safety.run_checks()["not_checked_in"] == 1
        db.session.commit()
        board = app.test_client()
        sign_in_as(board, supervisor)
        page = _text(board.get("/supervisor/field").get_data(as_text=True))
    assert "Not checked in Aisha Adams , raised at 10:27am, 4 Late Close" in page
    assert "1 open safety alert and 1 visit need a look." in page
    assert "Aisha Adams : not checked in, not yet acknowledged" in page
    assert "Aisha Adams : not checked in 27 minutes past the end of the arrival window, 4 Late Close" in page


def test_every_officer_s_table_has_the_same_fixed_columns(app):
    world = World(officers=2)
    for officer in world.officers:
        AppointmentFactory(service=world.service, officer=officer, window_start=at(10))
    supervisor = supervisor_on_duty()
    db.session.commit()
    board = app.test_client()
    with time_machine.travel(at(8), tick=False):
        sign_in_as(board, supervisor)
        html = board.get("/supervisor/field").get_data(as_text=True)
    heads = re.findall(r'<table class="([^"]*)">.*?(<thead.*?</thead>)', html, re.S)
    assert len(heads) == 2 and heads[0] == heads[1]  # the same columns, the same widths
    assert heads[0][0] == "govuk-table app-table--fixed"
    assert re.findall(r"app-col--(\w+)", heads[0][1]) == ["time", "now", "visit", "place"]


# 2. Nobody in: never before the visit's time, from any path ----------------------------------------


def test_nobody_in_is_refused_before_an_exact_time_visit_s_time_with_an_error_summary(officer_client):
    world, user, officer, phone = officer_client
    visit = AppointmentFactory(
        service=world.service, officer=officer, window_start=at(14, 30), window_end=at(14, 30)
    )
    db.session.commit()
    with time_machine.travel(at(13, 30), tick=False):
        assert _tap(phone, visit, "arrived").status_code == 302  # an hour early: allowed
        checked_in = _text(phone.get("/officer/").get_data(as_text=True))
        assert "Checked in. When you leave, tap Completed, Nobody in or Could not complete." in checked_in
        assert "You can record nobody in from 2:30pm, when the visit's time starts." in checked_in
        refused = _tap(phone, visit, "no-show")
        assert "#" not in refused.headers["Location"]  # the page's top, where the summary is
        page = phone.get(refused.headers["Location"]).get_data(as_text=True)
    assert "There is a problem" in _summary(page) and "You can record nobody in from 2:30pm" in _summary(page)
    db.session.refresh(visit)
    assert visit.status == "checked_in" and safety.open_session(visit, officer) is not None
    with time_machine.travel(at(14, 31), tick=False):
        assert _tap(phone, visit, "no-show").status_code == 302
        done = _text(phone.get("/officer/").get_data(as_text=True))
    db.session.refresh(visit)
    assert visit.status == "no_show" and safety.open_session(visit, officer) is None
    assert "Checked out." in done and "Nobody in" in done and "No show" not in done
    assert "You can record nobody in from" not in done


def test_a_queued_tap_is_judged_by_when_it_was_made_and_refused_plainly(officer_client):
    """The phone had no signal: "Nobody in" tapped at 2:50pm for a 3pm to 5pm visit is sent at 3:20pm.
    The queue (officer.js) shows the JSON answer's message as "Not recorded: ...": it must say why."""
    world, user, officer, phone = officer_client
    visit = AppointmentFactory(service=world.service, officer=officer, window_start=at(15), window_end=at(17))
    db.session.commit()
    with time_machine.travel(at(14, 40), tick=False):
        _tap(phone, visit, "arrived")
    with time_machine.travel(at(15, 20), tick=False):
        early = _tap(phone, visit, "no-show", accept_json=True, client_time=at(14, 50).isoformat())
        assert early.status_code == 422
        assert early.json["ok"] is False and early.json["message"] == "You can record nobody in from 3pm"
        assert early.json["errors"] == {"appointment": ["You can record nobody in from 3pm"]}
        db.session.refresh(visit)
        assert visit.status == "checked_in"
        later = _tap(phone, visit, "no-show", accept_json=True, client_time=at(15, 5).isoformat())
        assert later.json["ok"] is True
    db.session.refresh(visit)
    assert visit.status == "no_show"


def test_the_engine_refuses_nobody_in_before_the_visit_s_time_from_every_path():
    world = World()
    user, officer = officer_user(world)
    visit = AppointmentFactory(service=world.service, officer=officer, window_start=at(10), window_end=at(12))
    other_day = AppointmentFactory(
        service=world.service, officer=officer, window_start=at(10) + timedelta(days=1)
    )
    db.session.flush()
    with time_machine.travel(at(9, 59), tick=False):
        with pytest.raises(BookingRuleError, match="You can record nobody in from 10am$"):
            record_outcome(visit, "no_show", actor=user)
        with pytest.raises(BookingRuleError, match="from 10am on Tuesday 8 December"):
            record_outcome(other_day, "no_show", actor=user)
        safety.arrive(visit, officer, user)
        with pytest.raises(BookingRuleError, match="You can record nobody in from 10am"):
            safety.finish(visit, officer, user, "no_show")
        safety.finish(visit, officer, user, "not_completed", "Nobody answered; came back later")
    assert visit.status == "booked"
    with time_machine.travel(at(10), tick=False):
        record_outcome(visit, "no_show", actor=user)
    assert visit.status == "no_show"


# 3. The resident's page after the visit -----------------------------------------------------------


def _resident_page(client, appointment) -> str:
    path = re.sub(r"^https?://[^/]+", "", manage_url(appointment))
    assert client.get(path).headers["Location"] == "/manage/booking"
    return client.get("/manage/booking").get_data(as_text=True)


def _booked_and_visited(world, outcome: str, **details):
    user, officer = officer_user(world)
    with time_machine.travel(NOW, tick=False):
        appointment = book_first_slot(
            world, CustomerDetails(name="Jo Bloggs", phone="+447700900123", sms_consent=True, **details)
        )
        db.session.commit()
    called = appointment.window_start + timedelta(minutes=10)
    with time_machine.travel(called, tick=False):
        safety.arrive(appointment, officer, user)
    with time_machine.travel(called + timedelta(minutes=5), tick=False):
        safety.finish(appointment, officer, user, outcome)
        db.session.commit()
    return appointment, called


def test_after_nobody_was_in_the_resident_is_told_when_the_officer_called_and_what_to_do(client, configure):
    configure(contact_centre_phone="01225 713000")
    appointment, called = _booked_and_visited(World(), "no_show")
    with time_machine.travel(called + timedelta(hours=3), tick=False):
        html = _resident_page(client, appointment)
    page = _text(html)
    assert "Nobody was in" in page  # the status, as a tag
    assert "Our officer called at 9:10am (Monday 7 December 2026) and nobody was in." in page
    assert "If you still need this appointment, book it again below." in page
    assert "If you have a question about this visit, phone 01225 713000 ." in page  # a tel: link
    assert "What you can do next" in page and f'value="{appointment.service.code}"' in html
    assert "Change the time" not in page and "Cancel appointment" not in page


def test_after_the_visit_the_resident_reads_that_it_has_taken_place(client, configure):
    configure(contact_centre_phone="01225 713000")
    appointment, called = _booked_and_visited(World(), "completed")
    with time_machine.travel(called + timedelta(hours=3), tick=False):
        page = _text(_resident_page(client, appointment))
    assert "Completed" in page and "This visit has taken place." in page
    assert "If you need another appointment, you can book it below." in page
    assert "phone 01225 713000" in page and "What you can do next" in page
    assert "nobody was in" not in page
    assert "The time of this appointment has passed, so you cannot change it online" not in page


def test_a_missed_hub_appointment_says_the_officer_was_there_not_that_they_called(client, configure):
    world = World()
    user, officer = officer_user(world)
    hub = HubFactory(name="Devizes community hub", area=world.area)
    visit = AppointmentFactory(
        service=world.service,
        officer=officer,
        hub=hub,
        location_type="hub",
        window_start=at(10),
        window_end=at(10),
    )
    db.session.commit()
    with time_machine.travel(at(9, 55), tick=False):
        safety.arrive(visit, officer, user)
    with time_machine.travel(at(10, 20), tick=False):
        safety.finish(visit, officer, user, "no_show")
        db.session.commit()
        page = _text(_resident_page(client, visit))
    assert "Missed" in page and "called" not in page
    told = "Our officer was at Devizes community hub for your appointment at 10am (Monday 7 December 2026), "
    assert told + "but you did not arrive." in page


def test_the_outcome_is_in_the_residents_language(client, configure):
    configure(contact_centre_phone="01225 713000")
    appointment, called = _booked_and_visited(World(), "no_show", locale="pl")
    client.get("/language/pl")
    with time_machine.travel(called + timedelta(hours=3), tick=False):
        page = _text(_resident_page(client, appointment))
    assert "Nikogo nie zastano" in page
    assert "Nasz pracownik przyszedł o 9:10" in page and "ale nikogo nie zastał." in page
    assert "zadzwoń pod numer 01225 713000" in page


# 4. One word for a no-show on the officer's, the agent's and the supervisor's pages -----------------


def test_nobody_in_is_the_one_word_on_the_officer_page_and_the_field_board(app, officer_client):
    world, user, officer, phone = officer_client
    visit = AppointmentFactory(service=world.service, officer=officer, window_start=at(10))
    db.session.commit()
    with time_machine.travel(at(10, 5), tick=False):
        _tap(phone, visit, "arrived")
        buttons = re.findall(
            r'<button class="govuk-button[^"]*"[^>]*>([^<]+)<', phone.get("/officer/").get_data(as_text=True)
        )
        assert buttons == ["Get help now", "Completed", "Nobody in", "Extend"]
    with time_machine.travel(at(10, 20), tick=False):
        _tap(phone, visit, "no-show")
        officer_page = _text(phone.get("/officer/").get_data(as_text=True))
        board = app.test_client()
        sign_in_as(board, supervisor_on_duty())
        field = _text(board.get("/supervisor/field").get_data(as_text=True))
    for page in (officer_page, field):
        assert "Nobody in" in page
        assert not re.search(r"No[- ]show", page, re.I)


def test_a_hub_appointment_reads_as_one_the_resident_comes_to(app, officer_client):
    """At a hub the resident comes to the officer: no "On my way", "Did not come" rather than "Nobody
    in", and an exact time is not repeated as "4:30pm exactly (planned 4:30pm)"."""
    world, user, officer, phone = officer_client
    visit = AppointmentFactory(
        service=world.service, officer=officer, location_type="hub", hub=world.hub, window_start=at(10),
        window_end=at(10), planned_arrival=at(10),
    )  # fmt: skip
    db.session.commit()
    with time_machine.travel(at(9, 50), tick=False):
        page = phone.get("/officer/").get_data(as_text=True)
        assert "On my way" not in page and "Check in" in page
        assert "Resident due 10am" in _text(page) and "(planned" not in page and "exactly" not in page
        _tap(phone, visit, "arrived")
        assert "You can record that they did not come from 10am" in _text(phone.get("/officer/").text)
    with time_machine.travel(at(10, 20), tick=False):
        buttons = re.findall(r'<button class="govuk-button[^"]*"[^>]*>([^<]+)<', phone.get("/officer/").text)
        assert buttons == ["Get help now", "Completed", "Did not come", "Extend"]
        _tap(phone, visit, "no-show")
        officer_page = _text(phone.get("/officer/").get_data(as_text=True))
        board = app.test_client()
        sign_in_as(board, supervisor_on_duty())
        field = _text(board.get("/supervisor/field").get_data(as_text=True))
    for page in (officer_page, field):
        assert "Did not come" in page and "Nobody in" not in page


# A Help alert acknowledged mid-visit: the visit is not "never checked out of" until it is overdue -----


def test_a_live_visit_after_an_acknowledged_help_alert_is_not_offered_for_closing_until_overdue(
    app, officer_client
):
    """Found by a walk of main: once a Help alert was acknowledged, the officer's visit, still within its
    time, was listed under "Visits never checked out of" with a form to close its safety session."""
    world, _user, officer, phone = officer_client
    visit = AppointmentFactory(
        service=world.service, officer=officer, window_start=at(10), window_end=at(10), duration_minutes=45
    )
    supervisor = supervisor_on_duty()
    db.session.commit()
    board = app.test_client()
    sign_in_as(board, supervisor)
    with time_machine.travel(at(10, 5), tick=False):
        assert _tap(phone, visit, "arrived").status_code == 302  # expected to finish by 11:05 (45 + 15)
    with time_machine.travel(at(10, 20), tick=False):
        fields = form_fields(phone.get("/officer/").get_data(as_text=True), "/officer/help")
        assert phone.post("/officer/help", data=fields).status_code == 200
    alert = db.session.query(SafetyAlert).one()
    session = alert.session
    with time_machine.travel(at(10, 25), tick=False):
        alerts_page = board.get("/supervisor/alerts").get_data(as_text=True)
        acknowledged = board.post(
            f"/supervisor/alerts/{alert.id}/acknowledge",
            data={"csrf_token": csrf_token(alerts_page), "note": "Rang Aisha: dog at the door, now fine"},
        )
        assert acknowledged.status_code == 302
        page = _text(board.get("/supervisor/alerts").get_data(as_text=True))
        assert "No open alerts." in page
        assert "Visits never checked out of" not in page and "Close safety session" not in page
        # A form from an older page, sent now: the live visit's session is left open.
        stale = board.post(
            f"/supervisor/sessions/{session.id}/close",
            data={"csrf_token": csrf_token(alerts_page), "reason": "Spoke to her"},
        )
        assert stale.status_code == 302
        assert "That safety session is no longer waiting to be closed" in _text(
            board.get("/supervisor/alerts").get_data(as_text=True)
        )
    db.session.expire_all()
    assert session.closed_at is None
    with time_machine.travel(at(11, 4), tick=False):  # within its expected finish, to the minute
        assert "Visits never checked out of" not in board.get("/supervisor/alerts").get_data(as_text=True)
    with time_machine.travel(at(11, 6), tick=False):  # past it, and still not checked out
        page = _text(board.get("/supervisor/alerts").get_data(as_text=True))
        assert "Visits never checked out of" in page
        assert "Each visit below is past its expected finish, the supervisors were alerted about it" in page
        assert "Expected to finish by Monday 7 December 2026 at 11:05am" in page
        assert "Close safety session for Aisha Adams" in page


def test_the_officer_s_phone_says_who_picked_up_their_help_alert_and_when(app, officer_client):
    """Walk finding: after pressing Help the officer never learnt whether anyone had seen it. Their day
    and visit pages (read on each load: no polling, no JavaScript needed) say it is not picked up yet,
    then who acknowledged it on Safety alerts and when."""
    world, _user, officer, phone = officer_client
    visit = AppointmentFactory(service=world.service, officer=officer, window_start=at(10), window_end=at(11))
    supervisor = supervisor_on_duty()
    supervisor.full_name = "Sam Patel"
    db.session.commit()
    board = app.test_client()
    sign_in_as(board, supervisor)
    with time_machine.travel(at(10, 5), tick=False):
        assert "pressed Help" not in _text(phone.get("/officer/").get_data(as_text=True))
        fields = form_fields(phone.get("/officer/").get_data(as_text=True), "/officer/help")
        assert phone.post("/officer/help", data=fields).status_code == 200
    with time_machine.travel(at(10, 6), tick=False):
        waiting = _text(phone.get("/officer/").get_data(as_text=True))
        assert "You pressed Help at 10:05am. No supervisor has picked it up yet" in waiting
        assert "Help alert seen by" not in waiting
    alert = db.session.query(SafetyAlert).one()
    with time_machine.travel(at(14, 5), tick=False):
        alerts_page = board.get("/supervisor/alerts").get_data(as_text=True)
        assert (
            board.post(
                f"/supervisor/alerts/{alert.id}/acknowledge",
                data={"csrf_token": csrf_token(alerts_page), "note": "Rang Aisha: all fine"},
            ).status_code
            == 302
        )
    with time_machine.travel(at(14, 6), tick=False):
        day = _text(phone.get("/officer/").get_data(as_text=True))
        visit_page = _text(phone.get(f"/officer/visits/{visit.id}").get_data(as_text=True))
        tomorrow = _text(
            phone.get(f"/officer/day/{(at(10) + timedelta(days=1)).date()}").get_data(as_text=True)
        )
    for page in (day, visit_page):
        assert "Help alert seen by Sam Patel at 2:05pm" in page
        assert "No supervisor has picked it up yet" not in page
    assert "Help alert seen" not in tomorrow  # another day's page says nothing of today's press


def test_could_not_complete_a_visit_never_checked_in_saves_without_talk_of_checking_out(officer_client):
    """A visit the officer never checked in to (the resident rang to say they are ill) offered 'Save and
    check out' and answered 'Checked out.' (found by the walk): it says 'Save' and what happens instead."""
    world, user, officer, phone = officer_client
    visit = AppointmentFactory(service=world.service, officer=officer, window_start=at(14), window_end=at(16))
    db.session.commit()
    with time_machine.travel(at(10), tick=False):
        html = phone.get(f"/officer/visits/{visit.id}").get_data(as_text=True)
        assert re.search(
            r'<button type="submit" class="govuk-button" data-module="govuk-button">\s*Save\s*</button>', html
        )
        assert "check out" not in html
        fields = form_fields(html, f"/visits/{visit.id}/not-completed")
        done = phone.post(
            f"/officer/visits/{visit.id}/not-completed", data={**fields, "reason": "Resident is ill"}
        )
        assert done.status_code == 302
        page = _text(phone.get("/officer/").get_data(as_text=True))
    assert "Saved. The visit stays open for staff to rebook." in page
    assert "Checked out" not in page
    db.session.refresh(visit)
    assert visit.status == "booked"
