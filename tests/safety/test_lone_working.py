"""Officers' day, warning markers that change what is offered, calendar feeds, and the safety ladder."""

from __future__ import annotations

from datetime import date, timedelta

import ics
import time_machine
from icalendar import Calendar

from app.booking.availability import search
from app.extensions import db
from app.inbound.inbound import handle
from app.models import AuditEvent, Message, SafetyAlert, SafetySession
from app.risk import risk
from app.safety.safety import run_checks
from tests.booking_helpers import MONDAY, NOW, World, at
from tests.factories import AppointmentFactory, CustomerFactory, UserFactory
from tests.pages import csrf_token, sign_out
from tests.safety_helpers import checked_in_and_asked, officer_user, on_duty, sign_in_as, supervisor_on_duty

_officer_user = officer_user
_sign_in_as = sign_in_as


def _marker(precaution="two_officers", **where):
    supervisor = UserFactory(role="supervisor")
    values = {"postcode": "SN10 1AA", "line1": "12 High Street"} | where
    return risk.add_marker(
        user=supervisor,
        category="violence",
        precaution=precaution,
        reason="Threatened an officer with a knife on 3 March",
        review_on=date(2027, 6, 1),
        source_incident="INC-4471",
        **values,
    )


def test_house_key_matches_how_people_write_addresses():
    assert risk.house_key("12 High Street") == risk.house_key("12, High St") == "12"
    assert risk.house_key("Flat 3, 14A Mill Lane") == "14A"  # the building: a flat's number comes first
    assert risk.house_key("Rose Cottage, Mill Lane") == "ROSE COTTAGE"


def test_a_marker_on_a_building_applies_to_its_flats_however_the_line_is_written():
    """A marker on 7 School Lane is found for "Flat 2, 7 School Lane" (it was keyed by the first
    number, the flat's, so writing the flat first booked a lone visit past a hub-only marker); one stored
    under that earlier key still applies to the address it was made from."""
    marker = _marker("hub_only", postcode="BA12 1QJ", line1="7 School Lane")
    db.session.flush()
    assert risk.precaution_here("BA12 1QJ", "Flat 2, 7 School Lane") == "hub_only"
    assert risk.precaution_here("BA12 1QJ", "7 School Lane") == "hub_only"
    assert risk.precaution_here("BA12 1QJ", "9 School Lane") is None
    marker.house = "2"  # as the register stored "Flat 2, 7 School Lane" before
    db.session.flush()
    assert risk.precaution_here("BA12 1QJ", "Flat 2, 7 School Lane") == "hub_only"


@time_machine.travel(NOW, tick=False)
def test_two_officer_marker_changes_what_is_offered_without_saying_why():
    world = World(officers=2)
    _marker("two_officers")
    db.session.commit()
    slots = search(world.service, world.home(), MONDAY, 1, now=NOW).slots
    assert slots and all(len(s.officer_ids) == 2 for s in slots)


@time_machine.travel(NOW, tick=False)
def test_hub_only_marker_offers_no_home_visit_and_tells_the_resident_nothing(client):
    world = World()
    _marker("hub_only")
    db.session.commit()
    result = search(world.service, world.home(), MONDAY, 1, now=NOW)
    assert result.slots == [] and result.restricted
    assert search(world.service, world.hub_place(), MONDAY, 1, now=NOW).slots  # the hub still works


@time_machine.travel(NOW, tick=False)
def test_markers_past_review_keep_applying_until_reviewed_and_are_listed():
    world = World(officers=2)
    marker = _marker("hub_only")
    marker.review_on = date(2026, 11, 30)
    db.session.commit()
    assert search(world.service, world.home(), MONDAY, 1, now=NOW).slots == []  # still hub only
    assert risk.due_for_review(date(2026, 12, 1)) == [marker]


@time_machine.travel(NOW, tick=False)
def test_person_marker_applies_at_any_address():
    world = World(officers=2)
    customer = CustomerFactory()
    _marker("two_officers", postcode="", line1="", customer=customer)
    db.session.commit()
    assert all(
        len(s.officer_ids) == 2
        for s in search(world.service, world.home(), MONDAY, 1, now=NOW, customer=customer).slots
    )


def test_officers_day_in_order_with_warning_summary_and_logged_detail(client):
    world = World()
    user, officer = _officer_user(world)
    later = AppointmentFactory(
        service=world.service, officer=officer, window_start=at(14), planned_arrival=at(14, 20)
    )
    first = AppointmentFactory(
        service=world.service,
        officer=officer,
        window_start=at(9),
        planned_arrival=at(9, 10),
        access_needs="Uses a wheelchair",
        interpreter_language="Polish",
    )
    marker = _marker("information")
    db.session.commit()
    with time_machine.travel(at(8), tick=False):
        _sign_in_as(client, user)
        html = client.get("/officer/").get_data(as_text=True)
        detail = client.get(f"/officer/visits/{first.id}/warnings/{marker.id}")
    assert html.index(first.customer.name) < html.index(later.customer.name)
    assert "Violence or aggression: Information only" in html
    assert "knife" not in html  # the detail is one tap away
    assert "https://www.google.com/maps/dir/?api=1&amp;destination=" in html
    assert f'href="tel:{first.customer.phone}"' in html
    assert "Uses a wheelchair" in html and "Polish" in html and "Proof of identity" in html
    assert "knife" in detail.get_data(as_text=True)
    assert db.session.query(AuditEvent).filter_by(action="risk_marker_viewed", user_id=user.id).count() == 1


def test_agents_and_other_officers_never_see_marker_detail(client, sign_in):
    world = World()
    appointment = AppointmentFactory(service=world.service, officer=world.officers[0], window_start=at(10))
    marker = _marker("information")
    db.session.commit()
    sign_in("agent")
    assert client.get(f"/officer/visits/{appointment.id}/warnings/{marker.id}").status_code == 403
    sign_out(client)
    sign_in("officer")  # an officer, but not on this visit: answered as if the marker were not there
    assert client.get(f"/officer/visits/{appointment.id}/warnings/{marker.id}").status_code == 404
    assert db.session.query(AuditEvent).filter_by(action="risk_marker_viewed").count() == 0


def _act(client, appointment, action, **data):
    page = client.get("/officer/")
    return client.post(
        f"/officer/visits/{appointment.id}/{action}",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), **data},
    )


def test_the_safety_ladder_from_check_in_to_escalation(client, configure):
    configure(session_timeout_minutes=10 * 60)
    world = World()
    user, officer = _officer_user(world)
    supervisor = supervisor_on_duty()
    on_duty(UserFactory(role="supervisor", phone="+447700900889"), weekdays=[5, 6])  # weekends only
    appointment = AppointmentFactory(
        service=world.service, officer=officer, window_start=at(10), duration_minutes=45
    )
    db.session.commit()
    with time_machine.travel(at(10, 5), tick=False):
        _sign_in_as(client, user)
        _act(client, appointment, "arrived", lat="51.351", lng="-1.991")
    session = db.session.query(SafetySession).one()
    assert appointment.status == "checked_in" and session.expected_end_at == at(11, 5)  # 45 min + 15 grace
    with time_machine.travel(at(11, 4), tick=False):
        assert run_checks()["checks_sent"] == 0
    with time_machine.travel(at(11, 6), tick=False):
        assert run_checks()["checks_sent"] == 1
    check = db.session.query(Message).filter_by(kind="safety_check").one()
    assert check.recipient == officer.phone and "Reply OK" in check.body
    with time_machine.travel(at(11, 10), tick=False):
        handle("SM-ok-1", officer.phone, "ok")  # safe: look again after another grace period
        db.session.commit()
    with time_machine.travel(at(11, 26), tick=False):
        assert run_checks()["checks_sent"] == 1
    with time_machine.travel(at(11, 37), tick=False):
        assert run_checks()["escalated"] == 1
    alert = db.session.query(SafetyAlert).one()
    assert alert.kind == "overdue" and alert.officer == officer
    texts = db.session.query(Message).filter_by(kind="safety_alert").all()
    assert [t.recipient for t in texts] == [supervisor.phone]  # on duty only
    assert (
        officer.phone in texts[0].body and "12 High Street" in texts[0].body and "51.35100" in texts[0].body
    )
    actions = {e.action for e in db.session.query(AuditEvent).all()}
    assert {
        "safety_session_started",
        "safety_check_sent",
        "safety_ok_received",
        "safety_alert_raised",
    } <= actions
    with time_machine.travel(at(11, 40), tick=False):
        _act(client, appointment, "completed")
    assert session.closed_at is not None and appointment.status == "completed"


def test_help_button_and_duress_word_escalate_at_once(client):
    world = World()
    user, officer = _officer_user(world)
    supervisor_on_duty()
    appointment = AppointmentFactory(service=world.service, officer=officer, window_start=at(10))
    db.session.commit()
    with time_machine.travel(at(10, 5), tick=False):
        _sign_in_as(client, user)
        _act(client, appointment, "arrived")
        _act(client, appointment, "help")
    with time_machine.travel(at(10, 6), tick=False):
        handle("SM-duress-1", officer.phone, "RED")
        db.session.commit()
    kinds = sorted(a.kind for a in db.session.query(SafetyAlert).all())
    assert kinds == ["duress", "help"]


def test_a_visit_not_checked_in_by_the_end_of_its_window_texts_the_officer_then_alerts():
    world = World()
    world.officers[0].phone = "+447700900777"
    supervisor = supervisor_on_duty()
    appointment = AppointmentFactory(
        service=world.service, officer=world.officers[0], window_start=at(9), window_end=at(11)
    )
    db.session.commit()
    with time_machine.travel(at(11, 10), tick=False):
        assert run_checks()["checks_sent"] == 0
    with time_machine.travel(at(11, 16), tick=False):
        assert run_checks()["checks_sent"] == 1  # a phone that went quiet is asked first
        assert run_checks()["checks_sent"] == 0  # once
    check = db.session.query(Message).filter_by(kind="safety_check").one()
    assert check.recipient == "+447700900777" and "not checked in" in check.body
    with time_machine.travel(at(11, 25), tick=False):
        assert run_checks()["not_checked_in"] == 0
    with time_machine.travel(at(11, 26), tick=False):
        assert run_checks()["not_checked_in"] == 1
        assert run_checks()["not_checked_in"] == 0  # once
    assert db.session.query(SafetyAlert).one().appointment == appointment
    assert [m.recipient for m in db.session.query(Message).filter_by(kind="safety_alert")] == [
        supervisor.phone
    ]


def test_an_ok_reply_to_a_not_arrived_check_stops_the_escalation():
    world = World()
    world.officers[0].phone = "+447700900777"
    supervisor_on_duty()
    AppointmentFactory(
        service=world.service, officer=world.officers[0], window_start=at(9), window_end=at(11)
    )
    db.session.commit()
    with time_machine.travel(at(11, 16), tick=False):
        run_checks()
    with time_machine.travel(at(11, 20), tick=False):
        assert handle("SM-ok-9", "+447700900777", "OK thanks").action == "safe"
        db.session.commit()
    with time_machine.travel(at(11, 40), tick=False):
        assert run_checks() == {"checks_sent": 0, "escalated": 0, "not_checked_in": 0}
    assert db.session.query(SafetyAlert).count() == 0


def test_officer_calendar_feed_is_private_and_revocable(client):
    world = World()
    user, officer = _officer_user(world)
    customer = CustomerFactory(name="Jo Bloggs")
    appointment = AppointmentFactory(
        service=world.service,
        officer=officer,
        customer=customer,
        window_start=NOW + timedelta(days=3),
        notes="Dog bites",
    )
    _marker("information")
    db.session.commit()
    _sign_in_as(client, user)
    page = client.get("/officer/calendar")
    html = client.post(
        "/officer/calendar", data={"csrf_token": csrf_token(page.get_data(as_text=True)), "action": "issue"}
    ).get_data(as_text=True)
    url = html.split('<code class="app-break-all">')[1].split("</code>")[0].replace("http://localhost", "")
    body = client.get(url).data
    event = Calendar.from_ical(body).walk("VEVENT")[0]
    assert str(event["uid"]) == f"{appointment.reference}-officer@doorstep"
    assert str(event.decoded("dtstart").tzinfo) == "Europe/London"
    text = body.decode()
    assert "Jo B." in text and "Bloggs" not in text and "knife" not in text and "Dog" not in text
    assert ics.Calendar(text).events
    page = client.get("/officer/calendar")
    client.post(
        "/officer/calendar", data={"csrf_token": csrf_token(page.get_data(as_text=True)), "action": "revoke"}
    )
    assert client.get(url).status_code == 404


def test_both_officers_of_a_two_officer_visit_can_check_out():
    """Found by the simulation: the second officer's check-out was refused ("already completed", the
    partner had recorded the outcome), so their safety session stayed open and kept texting them."""
    from app.safety import safety

    world = World(officers=2, two_officers=True)
    first, second = world.officers
    first.user, second.user = UserFactory(role="officer"), UserFactory(role="officer")
    visit = AppointmentFactory(
        service=world.service, officer=first, second_officer=second, window_start=at(10)
    )
    db.session.flush()
    with time_machine.travel(at(10, 5), tick=False):
        for officer in (first, second):
            safety.arrive(visit, officer, officer.user)
    with time_machine.travel(at(10, 50), tick=False):
        safety.finish(visit, first, first.user, "completed")
        safety.finish(visit, second, second.user, "completed")
    assert visit.status == "completed"
    assert safety.open_session(visit, first) is None and safety.open_session(visit, second) is None
    assert [e.status for e in visit.events].count("completed") == 1


def test_the_second_officer_can_check_out_whatever_the_first_recorded():
    """Found by the simulation: the first officer recorded no-show, the second tapped completed; the
    refusal left the second officer's safety session open, texting them for days."""
    from app.safety import safety

    world = World(officers=2, two_officers=True)
    first, second = world.officers
    first.user, second.user = UserFactory(role="officer"), UserFactory(role="officer")
    visit = AppointmentFactory(
        service=world.service, officer=first, second_officer=second, window_start=at(10)
    )
    db.session.flush()
    with time_machine.travel(at(10, 5), tick=False):
        for officer in (first, second):
            safety.arrive(visit, officer, officer.user)
    with time_machine.travel(at(10, 20), tick=False):
        safety.finish(visit, first, first.user, "no_show")
        safety.finish(visit, second, second.user, "completed")
    assert visit.status == "no_show"
    assert safety.open_session(visit, second) is None


def test_a_session_never_checked_out_stops_texting_after_a_late_ok_and_a_supervisor_closes_it(client):
    """Found by the simulation: a late OK (after the alert) moved the expected end, so the ladder texted
    the officer again every 15 minutes, day and night, and nothing let a supervisor close the session."""
    supervisor = supervisor_on_duty()
    _user, officer, _appointment = checked_in_and_asked(World())
    with time_machine.travel(at(11, 17), tick=False):
        assert run_checks()["escalated"] == 1
        db.session.commit()
    with time_machine.travel(at(14), tick=False):
        handle("SM-late-ok", officer.phone, "OK")  # hours late: the supervisors were alerted long ago
        db.session.commit()
    for hour in (14, 15, 18, 22):
        with time_machine.travel(at(hour, 30), tick=False):
            assert run_checks() == {"checks_sent": 0, "escalated": 0, "not_checked_in": 0}
    assert db.session.query(Message).filter_by(kind="safety_check").count() == 1

    session = db.session.query(SafetySession).one()
    with time_machine.travel(at(22, 45), tick=False):  # the page lists only visits past their finish
        sign_in_as(client, supervisor)
        page = client.get("/supervisor/alerts").get_data(as_text=True)
        assert "Visits never checked out of" in page and officer.name in page
        refused = client.post(
            f"/supervisor/sessions/{session.id}/close", data={"csrf_token": csrf_token(page), "reason": " "}
        )
        assert refused.status_code == 400
        assert "govuk-error-summary" in refused.get_data(as_text=True) and session.closed_at is None
        closed = client.post(
            f"/supervisor/sessions/{session.id}/close",
            data={"csrf_token": csrf_token(page), "reason": "Phoned: home safe, phone had died"},
        )
        assert closed.status_code == 302
        db.session.expire_all()
        session = db.session.get(SafetySession, session.id)
        assert session.closed_at is not None
        assert "Visits never checked out of" not in client.get("/supervisor/alerts").get_data(as_text=True)
        audit = db.session.query(AuditEvent).filter_by(action="safety_session_closed").one()
        assert audit.user_id == supervisor.id and "home safe" in str(audit.detail)
        assert all(a.acknowledged_at is not None for a in db.session.query(SafetyAlert).all())


def test_the_ladder_says_when_it_next_has_something_to_do():
    """What lets the simulated month jump between moments: the next run of run_checks that can act."""
    from app.safety import safety

    world = World()
    user, officer = _officer_user(world)
    supervisor_on_duty()
    appointment = AppointmentFactory(
        service=world.service, officer=officer, window_start=at(10), duration_minutes=45
    )
    db.session.commit()
    window_end = appointment.window_end
    assert safety.next_due(at(9)) == window_end + safety.GRACE  # not arrived by then: asked
    with time_machine.travel(at(10, 5), tick=False):
        safety.arrive(appointment, officer, user)
        assert safety.next_due(at(10, 5)) == at(11, 5)  # 45 minutes and the grace period
    with time_machine.travel(at(11, 6), tick=False):
        run_checks()
        assert safety.next_due(at(11, 6)) == at(11, 16)  # the reply time runs out
    with time_machine.travel(at(11, 17), tick=False):
        assert run_checks()["escalated"] == 1
        assert safety.next_due(at(11, 17)) is None  # alerted: nothing more until someone acts
