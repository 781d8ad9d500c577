"""The officer's day: when check-in is allowed, where an action returns to, extending a visit, taps sent
later with their real time, who may read a marker, and markers acting on what is already booked."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import time_machine

from app.extensions import db
from app.models import AuditEvent, SafetyAlert, SafetyCheck, SafetySession
from app.officers import officers
from app.risk import risk
from app.safety import rota
from app.safety.safety import run_checks
from tests.booking_helpers import World, at
from tests.factories import AppointmentFactory, UserFactory
from tests.pages import csrf_token, sign_out
from tests.safety_helpers import (
    checked_in_and_asked,
    form_fields,
    officer_user,
    officer_with_a_visit,
    sign_in_as,
    supervisor_on_duty,
)


def _post(client, appointment, action, page_url="/officer/", accept_json=False, **data):
    page = client.get(page_url).get_data(as_text=True)
    headers = {"Accept": "application/json"} if accept_json else {}
    return client.post(
        f"/officer/visits/{appointment.id}/{action}",
        data={"csrf_token": csrf_token(page), **data},
        headers=headers,
    )


def _marker(precaution="two_officers", user=None, **where):
    values = {"postcode": "SN10 1AA", "line1": "12 High Street"} | where
    return risk.add_marker(
        user=user or UserFactory(role="supervisor"),
        category="violence",
        precaution=precaution,
        reason="Threatened an officer with a knife on 3 March",
        review_on=date(2027, 6, 1),
        **values,
    )


def test_an_officer_cannot_read_a_marker_that_does_not_apply_to_their_visit(client):
    """Regression (#14 item 7, #15 item 11): the marker id was not checked against the visit."""
    world = World()
    user, officer = officer_user(world)
    mine = AppointmentFactory(service=world.service, officer=officer, window_start=at(10))
    elsewhere = _marker("information", postcode="SP1 1AA", line1="1 Castle Street")
    here = _marker("information")
    db.session.commit()
    sign_in_as(client, user)
    not_mine = client.get(f"/officer/visits/{mine.id}/warnings/{elsewhere.id}")
    missing = client.get(f"/officer/visits/{mine.id}/warnings/{here.id + 1000}")
    # Regression (tidy item 2): 403 for an existing id and 404 for a missing one let ids be enumerated.
    assert (not_mine.status_code, missing.status_code) == (404, 404)
    # The parts that differ between any two answers: the CSP nonce, and the CSRF token (signed with a
    # timestamp, so two requests a second apart on a busy machine carry different ones).
    page = re.compile(r'nonce="[^"]*"|name="csrf_token"[^>]*value="[^"]*"')
    assert page.sub("", not_mine.get_data(as_text=True)) == page.sub("", missing.get_data(as_text=True))
    assert "knife" in client.get(f"/officer/visits/{mine.id}/warnings/{here.id}").get_data(as_text=True)
    viewed = db.session.query(AuditEvent).filter_by(action="risk_marker_viewed").all()
    assert [e.object_id for e in viewed] == [str(here.id)]


def test_check_in_only_on_the_visits_day_and_not_long_before_its_window(client, configure):
    configure(session_timeout_minutes=30 * 24 * 60)
    world, user, officer, appointment = officer_with_a_visit(client, window_start=at(10))
    with time_machine.travel(at(10) - timedelta(days=3), tick=False):
        response = _post(client, appointment, "arrived", page_url="/officer/day/2026-12-07")
        assert "You can check in to this visit from 9am on Monday 7 December" in client.get(
            response.headers["Location"]
        ).get_data(as_text=True)
    with time_machine.travel(at(8, 59), tick=False):
        assert _post(client, appointment, "arrived", accept_json=True).status_code == 422
    with time_machine.travel(at(9, 1), tick=False):
        assert _post(client, appointment, "arrived", accept_json=True).json["ok"] is True
    assert appointment.status == "checked_in"


def test_after_an_action_the_officer_returns_to_the_day_they_were_viewing(client, configure):
    configure(session_timeout_minutes=30 * 24 * 60)
    world, user, officer, later = officer_with_a_visit(client, window_start=at(10))
    with time_machine.travel(at(10) - timedelta(days=2), tick=False):
        response = _post(client, later, "on-my-way", page_url="/officer/day/2026-12-07")
    # Refused (not that day yet): the day they were viewing, at its top, where the error summary is.
    assert response.headers["Location"].endswith("/officer/day/2026-12-07")
    with time_machine.travel(at(9, 30), tick=False):
        response = _post(client, later, "on-my-way")
    assert response.headers["Location"].endswith(f"#visit-{later.id}")  # done: back at the visit's card


def test_the_phone_saving_a_page_for_no_signal_leaves_the_officer_s_message_for_them(client, configure):
    """The service worker refetches a page to save it (officer/sw.js, X-Doorstep-Save); if it came
    between a tap and the page after it, it took "Marked on your way." and the officer saw nothing."""
    configure(session_timeout_minutes=30 * 24 * 60)
    world, user, officer, later = officer_with_a_visit(client, window_start=at(10))
    with time_machine.travel(at(9, 30), tick=False):
        _post(client, later, "on-my-way")
        saved = client.get("/officer/", headers={"X-Doorstep-Save": "1"}).get_data(as_text=True)
        seen = client.get("/officer/").get_data(as_text=True)
    assert "Marked on your way" not in saved and "Marked on your way" in seen


def test_the_day_shows_expected_finish_extension_duress_word_and_a_map(client, configure):
    configure(session_timeout_minutes=30 * 24 * 60)
    world, user, officer, appointment = officer_with_a_visit(client, window_start=at(10), duration_minutes=45)
    with time_machine.travel(at(10, 5), tick=False):
        _post(client, appointment, "arrived")
        html = client.get("/officer/").get_data(as_text=True)
        assert "Expected finish" in html and "11:05am" in html  # 45 minutes and 15 of grace
        assert "<strong>RED</strong> (the duress word)" in html
        assert 'id="route-map"' in html and "12 High Street" in html
        assert _post(client, appointment, "extend", minutes="30", accept_json=True).json["ok"]
    session = db.session.query(SafetySession).one()
    assert session.expected_end_at == at(11, 35)
    with time_machine.travel(at(11, 20), tick=False):
        assert run_checks()["checks_sent"] == 0  # the extension moved the check on
    with time_machine.travel(at(11, 36), tick=False):
        assert run_checks()["checks_sent"] == 1


def test_a_tap_sent_later_keeps_its_real_time_within_sane_bounds(client, configure):
    configure(session_timeout_minutes=30 * 24 * 60)
    world, user, officer, appointment = officer_with_a_visit(client, window_start=at(10))
    with time_machine.travel(at(10, 40), tick=False):
        future = _post(client, appointment, "arrived", accept_json=True, client_time=at(10, 50).isoformat())
        assert future.status_code == 422 and "future" in future.json["message"]
        early = _post(
            client,
            appointment,
            "arrived",
            accept_json=True,
            client_time=at(10, 5, day=date(2026, 12, 6)).isoformat(),
        )
        assert early.status_code == 422 and "before the day of the visit" in early.json["message"]
        assert _post(client, appointment, "arrived", accept_json=True, client_time="soon").status_code == 422
        ok = _post(client, appointment, "arrived", accept_json=True, client_time="2026-12-07T10:05:00Z")
        assert ok.json["ok"]
    session = db.session.query(SafetySession).one()
    assert session.started_at == at(10, 5) and session.started_received_at == at(10, 40)
    assert session.expected_end_at == at(11, 5)
    with time_machine.travel(at(11), tick=False):
        _post(client, appointment, "completed", accept_json=True, client_time="2026-12-07T10:55:00Z")
    assert session.closed_at == at(10, 55) and session.closed_received_at == at(11)


def test_a_new_marker_puts_booked_visits_on_the_supervisors_list_and_warns_the_officer(
    client, sign_in, configure
):
    configure(session_timeout_minutes=30 * 24 * 60)
    world = World()
    user, officer = officer_user(world)
    supervisor_on_duty()
    appointment = AppointmentFactory(service=world.service, officer=officer, window_start=at(10))
    db.session.commit()
    with time_machine.travel(at(8), tick=False):
        proposer = sign_in("supervisor")
        page = client.get("/supervisor/risk/new").get_data(as_text=True)
        response = client.post(
            "/supervisor/risk/new",
            data={
                "csrf_token": csrf_token(page),
                "postcode": "SN10 1AA",
                "house": "12 High Street",
                "category": "violence",
                "precaution": "two_officers",
                "reason": "Threatened an officer",
                "review_on": ["1", "6", "2027"],
            },
        )
        assert response.status_code == 302
        listed = client.get("/supervisor/risk/visits").get_data(as_text=True)
        assert appointment.reference in listed and "Needs two officers but one is booked" in listed
        sign_out(client)
        sign_in_as(client, user)
        day = client.get("/officer/").get_data(as_text=True)
        assert "Needs two officers but one is booked. Do not start this visit alone" in day
    with time_machine.travel(at(10, 1), tick=False):
        _post(client, appointment, "arrived")  # never refused, but a supervisor must know at once
    assert db.session.query(SafetyAlert).filter_by(kind="precaution").one().appointment == appointment
    marker = risk.register()[0]
    assert marker.added_by == proposer and marker.proposed


def test_a_supervisors_decision_takes_a_visit_off_the_list(client, sign_in):
    world = World()
    appointment = AppointmentFactory(
        service=world.service, officer=world.officers[0], window_start=at(10) + timedelta(days=30)
    )
    marker = _marker("hub_only")
    db.session.commit()
    sign_in("supervisor")
    url = f"/supervisor/risk/visits/{appointment.id}/{marker.id}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    refused = client.post(url, data={"csrf_token": token, "decision": "go_ahead"})
    assert refused.status_code == 200 and "cannot be waived" in refused.get_data(as_text=True)
    done = client.post(url, data={"csrf_token": token, "decision": "resident_contacted", "note": "Rang"})
    assert done.status_code == 302
    assert risk.affected_visits() == []


def test_markers_are_proposed_by_one_person_and_approved_by_another(client, sign_in):
    marker = _marker("information")
    db.session.commit()
    me = sign_in("supervisor")
    marker.added_by = me
    db.session.commit()
    token = csrf_token(client.get(f"/supervisor/risk/{marker.id}").get_data(as_text=True))
    client.post(f"/supervisor/risk/{marker.id}/approve", data={"csrf_token": token})
    assert marker.proposed  # not by the proposer
    sign_out(client)
    other = sign_in("admin")
    token = csrf_token(client.get(f"/supervisor/risk/{marker.id}").get_data(as_text=True))
    assert client.post(f"/supervisor/risk/{marker.id}/approve", data={"csrf_token": token}).status_code == 302
    assert marker.approved_by == other and marker.approved_at is not None and not marker.proposed


def test_supervisors_can_read_who_viewed_which_marker(client, sign_in):
    world = World()
    user, officer = officer_user(world)
    appointment = AppointmentFactory(service=world.service, officer=officer, window_start=at(10))
    marker = _marker("information")
    db.session.commit()
    sign_in_as(client, user)
    client.get(f"/officer/visits/{appointment.id}/warnings/{marker.id}")
    sign_out(client)
    sign_in("supervisor")
    log = client.get("/supervisor/risk/log").get_data(as_text=True)
    assert user.full_name in log and appointment.reference in log and f"Marker {marker.id}" in log


def test_a_review_due_marker_is_texted_to_the_supervisor_on_duty_once_a_day():
    from app.models import Message

    marker = _marker("two_officers")
    marker.review_on = date(2026, 12, 1)
    supervisor = supervisor_on_duty()
    db.session.commit()
    with time_machine.travel(at(8), tick=False):
        assert rota.alert_reviews_due() == 1
        rota.alert_reviews_due()
    texts = db.session.query(Message).filter_by(kind="risk_review_due").all()
    assert [t.recipient for t in texts] == [supervisor.phone] and "knife" not in texts[0].body


def test_checks_are_answered_by_checking_out():
    from app.safety import safety

    user, officer, appointment = checked_in_and_asked(World())
    with time_machine.travel(at(11, 8), tick=False):
        safety.finish(appointment, officer, user, "completed")
        db.session.commit()
    with time_machine.travel(at(11, 30), tick=False):
        assert run_checks()["escalated"] == 0
    assert db.session.query(SafetyCheck).one().answered_at == at(11, 8)


def test_each_safety_form_carries_what_a_queued_tap_needs(client, configure):
    """The officer's page carries everything a queued tap needs to be accepted later."""
    configure(session_timeout_minutes=30 * 24 * 60)
    world, user, officer, appointment = officer_with_a_visit(client, window_start=at(10))
    with time_machine.travel(at(9, 30), tick=False):
        fields = form_fields(
            client.get("/officer/").get_data(as_text=True), f"/visits/{appointment.id}/arrived"
        )
    assert set(fields) >= {"csrf_token", "client_time", "lat", "lng"}


def test_a_visit_under_way_cannot_be_cancelled_and_the_officer_checks_out_safe(client, configure):
    """The resident tries to cancel while the officer is there: refused (a visit under way ends as
    completed or no-show, never cancelled under the officer's safety session); the officer's "could not
    complete" checks them out, no false alarm follows, and the booking is open to cancel again."""
    from app.booking.changes import cancel
    from app.booking.errors import BookingRuleError

    configure(session_timeout_minutes=30 * 24 * 60)
    world, user, officer, appointment = officer_with_a_visit(client, window_start=at(10))
    with time_machine.travel(at(10, 5), tick=False):
        assert _post(client, appointment, "arrived", accept_json=True).json["ok"] is True
        with pytest.raises(BookingRuleError, match="This visit has started"):
            cancel(appointment, "Sorted it out online")
        db.session.rollback()
        answer = _post(client, appointment, "not-completed", accept_json=True, reason="Nobody home")
        assert answer.json["ok"] is True
        db.session.expire_all()
        assert appointment.status == "booked"
        cancel(appointment, "Sorted it out online")
        db.session.commit()
    assert db.session.query(SafetySession).one().closed_at == at(10, 5)
    with time_machine.travel(at(12), tick=False):
        assert run_checks()["escalated"] == 0


def test_a_refused_tap_shows_an_error_summary_not_a_banner(client, configure):
    configure(session_timeout_minutes=30 * 24 * 60)
    world, user, officer, appointment = officer_with_a_visit(client, window_start=at(10))
    with time_machine.travel(at(8), tick=False):  # too early to check in
        response = _post(client, appointment, "arrived")
        # Opened at the top, where the summary is (at the visit's card it was off-screen, unseen).
        assert "#" not in response.headers["Location"]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
    summary = re.search(r'<div class="govuk-error-summary".*?</div>\s*</div>', page, re.S).group(0)
    # On the visit's own day: "today", not today's date spelled out as if it were another day.
    assert "There is a problem" in summary and "You can check in to this visit from 9am today" in summary
    assert "govuk-notification-banner" not in page
    assert re.search(r"<title>\s*Error: ", page)


def test_could_not_complete_without_a_reason_shows_the_error_at_the_field(client, configure):
    configure(session_timeout_minutes=30 * 24 * 60)
    world, user, officer, appointment = officer_with_a_visit(client, window_start=at(10))
    with time_machine.travel(at(10, 5), tick=False):
        response = _post(client, appointment, "not-completed", page_url=f"/officer/visits/{appointment.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="#reason">Say why the visit could not be completed</a>' in page
    assert 'id="reason-error"' in page and re.search(r"<title>\s*Error: ", page)
    assert appointment.status == "booked"


def test_a_marker_that_points_at_nobody_and_nowhere_is_refused(client, sign_in):
    """Blank postcode, house, UPRN and customer number: saved, it would protect no visit while the
    supervisor believed it did."""
    sign_in("supervisor")
    page = client.get("/supervisor/risk/new").get_data(as_text=True)
    response = client.post(
        "/supervisor/risk/new",
        data={
            "csrf_token": csrf_token(page),
            "category": "animals",
            "precaution": "two_officers",
            "reason": "Two large dogs",
            "review_on": ["1", "6", "2027"],
        },
    )
    html = response.get_data(as_text=True)
    assert "govuk-error-summary" in html
    assert "Give an address (postcode and house, or UPRN) or a customer record number" in html
    assert risk.register() == []
    assert "There are no warning markers" in client.get("/supervisor/risk").get_data(as_text=True)


def test_an_officer_recorded_as_away_is_told_so_on_their_day(client, configure):
    """Recorded off sick, with a visit still theirs (not yet re-planned, or one no colleague could take):
    their phone said "Today: your visits" as on any working day (found walking the absence re-plan)."""
    configure(session_timeout_minutes=30 * 24 * 60)
    world, user, officer, appointment = officer_with_a_visit(client, window_start=at(10))
    with time_machine.travel(at(8), tick=False):
        before = " ".join(client.get("/officer/").get_data(as_text=True).split())
        officers.add_absence(officer, "sickness", at(8).date(), at(8).date())
        db.session.commit()
        page = " ".join(client.get("/officer/").get_data(as_text=True).split())
        tomorrow = client.get("/officer/day/2026-12-08").get_data(as_text=True)
    assert "You are recorded as" not in before
    assert (
        "You are recorded as off sick today. The visits below are still yours until a supervisor moves "
        "them to colleagues." in page
    )
    assert f'id="visit-{appointment.id}"' in page
    assert "You are recorded as" not in tomorrow  # only on the days the absence covers
