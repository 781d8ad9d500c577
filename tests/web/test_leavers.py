"""A leaver's access ends the day they leave: switching an officer off (their form) or any staff sign-in
off (/admin/users, `flask users deactivate`) ends their sessions, trusted phones, calendar feed and API
tokens, and their booked visits go to the supervisors' re-plan (the form asks first, naming them)."""

from __future__ import annotations

import re

import time_machine
from werkzeug.datastructures import MultiDict

from app.appointments.references import format_reference
from app.extensions import db
from app.models import ApiToken, AuditEvent, User
from app.officers import calendar_feed
from app.routes.officer_phone import COOKIE
from app.staff.tokens import create_token
from tests.booking_helpers import MONDAY, NOW, World, at
from tests.factories import AppointmentFactory, CustomerFactory, UserFactory
from tests.pages import csrf_token, error_summary
from tests.safety_helpers import PASSWORD, officer_user, sign_in_as
from tests.web.test_admin import _officer_data
from tests.web.test_officer_skill_removal import _confirm_form


def _officer_with_everything(client):
    """An officer signed in on `client`, with a trusted phone, a calendar feed, an API token and a
    booked visit on MONDAY. Returns what the leaver would keep using."""
    world = World()
    user, officer = officer_user(world)
    customer = CustomerFactory(name="Ada Resident")
    visit = AppointmentFactory(service=world.service, officer=officer, customer=customer, window_start=at(10))
    feed = f"/calendar/officer/{calendar_feed.issue_token(officer)}.ics"
    api_token = create_token(user, "leaver's laptop")
    db.session.commit()
    sign_in_as(client, user)
    page = client.get("/officer/phone").get_data(as_text=True)
    client.post("/officer/phone", data={"csrf_token": csrf_token(page), "name": "Work phone"})
    phone = client.application.test_client()
    phone.set_cookie(COOKIE, client.get_cookie(COOKIE, path="/officer").value, path="/officer")
    day = f"/officer/day/{MONDAY.isoformat()}"
    assert "Ada" in client.get(day).get_data(as_text=True)
    assert "Ada" in phone.get(day).get_data(as_text=True)
    assert client.application.test_client().get(feed).status_code == 200
    bearer = {"Authorization": f"Bearer {api_token}"}
    assert client.get(f"/api/v1/appointments/{visit.reference}", headers=bearer).status_code == 200
    return world, user, officer, visit, {"day": day, "phone": phone, "feed": feed, "bearer": bearer}


def _all_ended(client, user, officer, visit, kept) -> None:
    day, phone = kept["day"], kept["phone"]
    assert client.get(day).status_code == 302  # the session has ended: back to sign-in
    assert "Ada" not in phone.get(day).get_data(as_text=True)  # the trusted phone reads nothing
    assert client.application.test_client().get(kept["feed"]).status_code == 404
    answer = client.get(f"/api/v1/appointments/{visit.reference}", headers=kept["bearer"])
    assert answer.status_code == 401
    assert db.session.query(ApiToken).filter_by(user_id=user.id).one().revoked_at is not None
    db.session.refresh(officer)
    assert officer.calendar_token_hash is None and not officer.active
    again = client.application.test_client()  # and the old password no longer signs them in
    page = again.get("/sign-in").get_data(as_text=True)
    again.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert again.get(day).status_code == 302


def test_switching_an_officer_off_in_their_form_ends_all_their_access_and_offers_the_replan(client):
    with time_machine.travel(NOW, tick=False):
        world, user, officer, visit, kept = _officer_with_everything(client)
        supervisor = client.application.test_client()
        sign_in_as(supervisor, UserFactory(role="supervisor"))
        db.session.commit()
        url = f"/admin/officers/{officer.id}"
        form = _officer_data(world.area.id, world.skill.id, base_postcode="")
        del form["active"]  # the "active" box unticked
        page = supervisor.get(url).get_data(as_text=True)
        asked = supervisor.post(url, data={**form, "csrf_token": csrf_token(page)})
        # Asked first, as for a skill taken away: which booked visits it leaves, and nothing saved yet.
        html = asked.get_data(as_text=True)
        assert asked.status_code == 200 and f"Switch off {officer.name}?" in html
        assert f"{officer.name} holds 1 booked visit." in html and format_reference(visit.reference) in html
        assert "Another officer with the skill could do it." not in html  # nobody else covers it
        assert "Nobody else with the skill can do it there." in html
        db.session.refresh(officer)
        assert officer.active
        sent = _confirm_form(html, officer)
        answer = supervisor.post(url, data=MultiDict(sent))
        # Their booked visit is not silently left: the supervisor lands on the re-plan, which lists it.
        assert answer.status_code == 302 and "/supervisor/replan?officer=" in answer.headers["Location"]
        replan = supervisor.get(answer.headers["Location"]).get_data(as_text=True)
        assert "1 booked visit" in replan and "switched off" in replan
        assert "They still hold 1 booked visit: re-plan it below." in replan  # "it", not "them"
        assert "Monday 7 December 2026 (1 visit)" in replan
        _all_ended(client, user, officer, visit, kept)


def test_an_admin_switches_a_leaver_off_and_on_at_admin_users(client):
    with time_machine.travel(NOW, tick=False):
        _world, user, officer, visit, kept = _officer_with_everything(client)
        admin = client.application.test_client()
        me = UserFactory(role="admin")
        db.session.commit()
        sign_in_as(admin, me)
        page = admin.get("/admin/users").get_data(as_text=True)
        assert user.email in page and "Switch off" in page
        asked = admin.post("/admin/users", data={"switch_off": user.id, "csrf_token": csrf_token(page)})
        assert asked.status_code == 200 and "Switch off" in asked.get_data(as_text=True)  # asked first
        said = " ".join(re.sub(r"<[^>]+>", "", asked.get_data(as_text=True)).split())
        assert "They hold 1 booked visit from now. It stays theirs until a supervisor re-plans it." in said
        assert db.session.get(User, user.id).active  # nothing ended yet
        answer = admin.post(
            "/admin/users", data={"switch_off": user.id, "confirmed": "yes", "csrf_token": csrf_token(page)}
        )
        assert answer.status_code == 302
        listed = admin.get("/admin/users").get_data(as_text=True)
        assert "Switched off" in listed and f"/supervisor/replan?officer={officer.id}" in listed
        _all_ended(client, user, officer, visit, kept)
        event = db.session.query(AuditEvent).filter_by(action="user_switched_off").one()
        assert event.user_id == me.id and event.detail["api_tokens_revoked"] == 1
        assert event.detail["phones_untrusted"] == 1 and event.detail["calendar_feed_ended"]

        answer = admin.post("/admin/users", data={"switch_on": user.id, "csrf_token": csrf_token(listed)})
        assert answer.status_code == 302
        assert db.session.get(User, user.id).active
        assert db.session.query(AuditEvent).filter_by(action="user_switched_on").count() == 1


def test_an_admin_cannot_switch_themselves_off_and_others_cannot_switch_anyone(client, sign_in):
    me = sign_in("admin")
    page = client.get("/admin/users").get_data(as_text=True)
    answer = client.post("/admin/users", data={"switch_off": me.id, "csrf_token": csrf_token(page)})
    assert answer.status_code == 200
    assert error_summary(answer.get_data(as_text=True)) == [
        "You cannot switch off your own sign-in. Ask another admin to do it"
    ]
    assert db.session.get(User, me.id).active
    assert client.post("/admin/users", data={"switch_off": me.id}).status_code == 400  # no CSRF token

    other = client.application.test_client()
    sign_in_as(other, UserFactory(role="supervisor"))
    db.session.commit()
    assert other.get("/admin/users").status_code == 403


def test_officer_pages_refuse_a_switched_off_officer_whose_session_lives_on(client):
    """Even when only the officer record is switched off (the sign-in left on), no officer page shows
    their visits."""
    with time_machine.travel(NOW, tick=False):
        world = World()
        user, officer = officer_user(world)
        ada = CustomerFactory(name="Ada Resident")
        AppointmentFactory(service=world.service, officer=officer, customer=ada, window_start=at(10))
        db.session.commit()
        sign_in_as(client, user)
        day = f"/officer/day/{MONDAY.isoformat()}"
        assert "Ada" in client.get(day).get_data(as_text=True)
        officer.active = False
        db.session.commit()
        assert "Ada" not in client.get(day).get_data(as_text=True)
        assert client.get("/officer/calendar").status_code == 200
        assert "not linked" in client.get("/officer/calendar").get_data(as_text=True)


def test_a_session_of_a_sign_in_switched_off_outside_the_app_ends(client, sign_in):
    """The session version is not the only guard: an account switched off by any means has no session."""
    user = sign_in("supervisor")
    assert client.get("/admin/services").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/admin/services").status_code == 302


def test_flask_users_deactivate_ends_access_and_says_what_is_left(app, client):
    with time_machine.travel(NOW, tick=False):
        _world, user, officer, visit, kept = _officer_with_everything(client)
        result = app.test_cli_runner().invoke(args=["users", "deactivate", "--email", user.email])
        assert result.exit_code == 0, result.output
        assert "1 API token(s) revoked" in result.output and "1 trusted phone(s)" in result.output
        assert "still hold 1 booked visit(s)" in result.output
        assert f"/supervisor/replan?officer={officer.id}" in result.output
        _all_ended(client, user, officer, visit, kept)


def test_a_password_reset_stops_the_calendar_feed_and_says_which_api_tokens_still_work(app, client):
    """Outsider attack (December 2026): an officer's calendar feed kept sending addresses after their
    password was reset. API tokens are systems' credentials and survive a reset: the command says so."""
    world = World()
    user, officer = officer_user(world)
    feed = f"/calendar/officer/{calendar_feed.issue_token(officer)}.ics"
    create_token(user, "integration")
    db.session.commit()
    assert client.get(feed).status_code == 200
    result = app.test_cli_runner().invoke(args=["users", "password", "--email", user.email])
    assert result.exit_code == 0, result.output
    assert client.get(feed).status_code == 404
    assert "still have 1 working API token(s)" in result.output and "tokens revoke" in result.output
