"""A trusted work phone keeps help, check-in and check-out working after the web session idles out,
reaches nothing else, and can be switched off by the officer or a supervisor."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import time_machine

from app.extensions import db
from app.inbound.inbound import handle
from app.models import Message, OfficerDevice, SafetyAlert
from app.routes.officer_phone import COOKIE
from app.safety.devices import LIFETIME
from app.staff.staff import set_password
from tests.booking_helpers import World, at
from tests.factories import AppointmentFactory
from tests.pages import csrf_token, sign_out
from tests.safety_helpers import (
    OFFICER_PHONE,
    PASSWORD,
    SUPERVISOR_PHONE,
    form_fields,
    officer_user,
    sign_in_as,
    supervisor_on_duty,
)


def _trust_this_phone(client) -> str:
    page = client.get("/officer/phone").get_data(as_text=True)
    response = client.post("/officer/phone", data={"csrf_token": csrf_token(page), "name": "Work phone"})
    assert response.status_code == 302
    cookie = client.get_cookie(COOKIE, path="/officer")
    assert cookie is not None and cookie.http_only
    return cookie.value


def _setup(client):
    world = World()
    user, officer = officer_user(world)
    supervisor_on_duty()
    appointment = AppointmentFactory(service=world.service, officer=officer, window_start=at(10))
    db.session.commit()
    return user, officer, appointment


def test_help_after_the_web_session_idled_out_still_alerts_and_texts(client):
    user, officer, appointment = _setup(client)
    with time_machine.travel(at(9, 50), tick=False):
        sign_in_as(client, user)
        secret = _trust_this_phone(client)
        fields = form_fields(client.get("/officer/").get_data(as_text=True), "/officer/help")
    device = db.session.query(OfficerDevice).one()
    assert (
        device.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in device.token_hash
    )
    with time_machine.travel(at(11, 30), tick=False):  # an hour and forty minutes later: signed out
        assert client.get("/staff/").status_code == 302
        response = client.post("/officer/help", data={**fields, "lat": "51.3", "lng": "-1.99"})
        assert response.status_code == 200 and "Help requested" in response.get_data(as_text=True)
    alert = db.session.query(SafetyAlert).one()
    assert alert.kind == "help" and alert.officer == officer
    assert [m.recipient for m in db.session.query(Message).filter_by(kind="safety_alert")] == [
        SUPERVISOR_PHONE
    ]


def test_the_phone_reaches_only_the_officers_own_day_and_safety_actions(client):
    user, officer, appointment = _setup(client)
    with time_machine.travel(at(9, 50), tick=False):
        sign_in_as(client, user)
        _trust_this_phone(client)
        sign_out(client)
        assert f"visit-{appointment.id}" in client.get("/officer/").get_data(as_text=True)
        for url in ("/officer/calendar", "/officer/phone", "/staff/", "/agent/", "/supervisor/alerts"):
            response = client.get(url)
            assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url
        marker_url = f"/officer/visits/{appointment.id}/warnings/1"
        assert client.get(marker_url).status_code == 302


def test_a_post_without_our_form_token_is_refused_even_with_the_phones_cookie(client):
    user, officer, appointment = _setup(client)
    with time_machine.travel(at(9, 50), tick=False):
        sign_in_as(client, user)
        _trust_this_phone(client)
        sign_out(client)
        response = client.post("/officer/help", data={})  # what another site could make the phone send
    assert response.status_code == 400 and "not recorded" in response.get_data(as_text=True)
    assert db.session.query(SafetyAlert).count() == 0


def test_a_help_press_that_cannot_be_accepted_says_so_and_offers_a_call(client, configure):
    configure(safety_fallback_phone="+447700900555")
    _setup(client)
    response = client.post("/officer/help", data={}, headers={"Accept": "application/json"})
    assert response.status_code == 401 and response.json["ok"] is False
    assert {c["number"] for c in response.json["calls"]} == {"999", "+447700900555"}
    page = client.post("/officer/help", data={}).get_data(as_text=True)
    assert "it has NOT been sent" in page and 'href="tel:999"' in page


def test_help_with_nobody_to_text_says_so_plainly(client):
    world = World()
    user, officer = officer_user(world)
    db.session.commit()
    sign_in_as(client, user)
    fields = form_fields(client.get("/officer/").get_data(as_text=True), "/officer/help")
    answer = client.post("/officer/help", data=fields, headers={"Accept": "application/json"}).json
    assert answer["sent"] is False and "nobody could be texted" in answer["message"]
    assert db.session.query(SafetyAlert).count() == 1  # still on the dashboard


def test_the_officer_and_a_supervisor_can_each_switch_a_phone_off(client):
    user, officer, appointment = _setup(client)
    with time_machine.travel(at(9, 50), tick=False):
        sign_in_as(client, user)
        _trust_this_phone(client)
        page = client.get("/officer/phone").get_data(as_text=True)
        device = db.session.query(OfficerDevice).one()
        client.post(
            "/officer/phone",
            data={"csrf_token": csrf_token(page), "action": "revoke", "device_id": str(device.id)},
        )
        assert device.revoked_at is not None
        _trust_this_phone(client)  # a second phone, switched off by a supervisor
        sign_out(client)
        assert client.get("/officer/").status_code == 200
        second = db.session.query(OfficerDevice).filter(OfficerDevice.revoked_at.is_(None)).one()
        supervisor = client.application.test_client()
        sign_in_as(supervisor, _supervisor())
        page = supervisor.get("/supervisor/phones").get_data(as_text=True)
        assert officer.name in page
        supervisor.post(f"/supervisor/phones/{second.id}/revoke", data={"csrf_token": csrf_token(page)})
        assert second.revoked_at is not None
        assert client.get("/officer/").status_code == 302  # the phone no longer opens the day


def _supervisor():
    from tests.factories import UserFactory

    user = UserFactory(role="supervisor")
    db.session.commit()
    return user


def test_a_deactivated_officer_loses_the_phone_too(client):
    user, officer, appointment = _setup(client)
    sign_in_as(client, user)
    _trust_this_phone(client)
    sign_out(client)
    user.active = False
    db.session.commit()
    assert client.get("/officer/").status_code == 302


def test_a_phones_trust_ends_after_its_lifetime_even_for_a_copy_of_its_cookie(client):
    """The phone is trusted for 180 days (LIFETIME). The server held to that only through the cookie's
    max-age, which a copy of the cookie does not keep: it reached the officer's days for ever (attack
    of 2 December 2026)."""
    user, officer, appointment = _setup(client)
    with time_machine.travel(at(9), tick=False):
        sign_in_as(client, user)
        secret = _trust_this_phone(client)
        sign_out(client)
    copied = client.application.test_client()  # another browser with the cookie, and no age limit
    copied.set_cookie(COOKIE, secret, path="/officer")
    with time_machine.travel(at(9) + LIFETIME - timedelta(days=1), tick=False):
        assert copied.get("/officer/").status_code == 200
    with time_machine.travel(at(9) + LIFETIME + timedelta(days=1), tick=False):
        assert copied.get("/officer/").status_code == 302  # to the sign-in page: no longer trusted
        assert copied.get(f"/officer/visits/{appointment.id}").status_code == 302


def test_a_password_change_ends_the_phone_s_trust_with_every_session(client):
    """A reset "signs that user out everywhere": a phone trusted before it, with only its cookie, no
    longer reaches the officer's day (found by an outsider attack: it read residents' names, addresses
    and phone numbers for 180 days after the reset)."""
    user, officer, appointment = _setup(client)
    sign_in_as(client, user)
    _trust_this_phone(client)
    sign_out(client)
    assert client.get("/officer/").status_code == 200  # the phone alone, no session
    set_password(user, PASSWORD)  # the same password again: a change all the same
    db.session.commit()
    assert client.get("/officer/").status_code == 302
    assert client.get(f"/officer/visits/{appointment.id}").status_code == 302
    sign_in_as(client, user)
    _trust_this_phone(client)  # trusted again once signed in after the change
    sign_out(client)
    assert client.get("/officer/").status_code == 200


def test_help_asked_for_on_the_way_names_the_visit_the_officer_was_heading_to(client):
    """Found by a fresh-eyes walk: help pressed after "On my way" (no visit checked in yet) reached the
    supervisor as "Visit address: Unknown" with the note "Help requested (web, session)"."""
    user, officer, appointment = _setup(client)
    with time_machine.travel(at(9, 40), tick=False):
        sign_in_as(client, user)
        page = client.get("/officer/").get_data(as_text=True)
        on_way = form_fields(page, f"/officer/visits/{appointment.id}/on-my-way")
        assert client.post(f"/officer/visits/{appointment.id}/on-my-way", data=on_way).status_code == 302
        fields = form_fields(client.get("/officer/").get_data(as_text=True), "/officer/help")
        assert client.post("/officer/help", data=fields).status_code == 200
    alert = db.session.query(SafetyAlert).one()
    assert alert.appointment == appointment and alert.note == "Help requested on the officer's day page"


def test_officers_text_help_from_their_work_phone(client):
    _user, officer, appointment = _setup(client)
    with time_machine.travel(at(10, 30), tick=False):
        inbound = handle("SM-help-1", OFFICER_PHONE, "help")
        db.session.commit()
    assert inbound.action == "help"
    assert db.session.query(SafetyAlert).one().kind == "help"
    reply = db.session.query(Message).filter_by(kind="officer_reply").one()  # a staff text: never held
    assert reply.recipient == OFFICER_PHONE and "sent to the supervisor on duty" in reply.body
    with time_machine.travel(at(10, 31), tick=False):
        assert handle("SM-help-2", "+447700900123", "HELP").action == "help"  # a resident: no alert
    assert db.session.query(SafetyAlert).count() == 1


def test_the_duress_word_alerts_at_once_and_sends_nothing_back(client):
    _user, officer, appointment = _setup(client)
    with time_machine.travel(at(10, 30), tick=False):
        assert handle("SM-red-1", OFFICER_PHONE, "red").action == "duress"
        db.session.commit()
    assert db.session.query(SafetyAlert).one().kind == "duress"
    assert db.session.query(Message).filter_by(recipient=OFFICER_PHONE).count() == 0


def test_the_session_idle_timeout_is_shorter_than_the_phone(client, configure):
    """The reason for the phone: with only the web session, help after the timeout is not recorded."""
    configure(session_timeout_minutes=30)
    user, officer, appointment = _setup(client)
    with time_machine.travel(at(9, 50), tick=False):
        sign_in_as(client, user)
        fields = form_fields(client.get("/officer/").get_data(as_text=True), "/officer/help")
    with time_machine.travel(at(10, 30), tick=False):
        response = client.post("/officer/help", data=fields)
    assert response.status_code == 401 and "NOT been sent" in response.get_data(as_text=True)
