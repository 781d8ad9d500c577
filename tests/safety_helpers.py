"""Shared steps for the lone-working tests: an officer who can sign in, a supervisor on duty."""

from __future__ import annotations

from datetime import time

import time_machine

from app.extensions import db
from app.models import Appointment, DutyPeriod, Officer, User
from tests.booking_helpers import World, at
from tests.factories import PASSWORD, AppointmentFactory, UserFactory
from tests.pages import csrf_token

OFFICER_PHONE = "+447700900777"
SUPERVISOR_PHONE = "+447700900888"


def officer_user(world, phone: str = OFFICER_PHONE):
    user = UserFactory(role="officer")
    officer = world.officers[0]
    officer.user, officer.phone = user, phone
    db.session.commit()
    return user, officer


def officer_with_a_visit(client, **visit) -> tuple[World, User, Officer, Appointment]:
    """An officer with a phone and one visit of the world's service (AppointmentFactory's `visit`
    fields; window_start at least), signed in on `client`."""
    world = World()
    user, officer = officer_user(world)
    appointment = AppointmentFactory(service=world.service, officer=officer, **visit)
    db.session.commit()
    sign_in_as(client, user)
    return world, user, officer, appointment


def checked_in_and_asked(world: World) -> tuple[User, Officer, Appointment]:
    """An officer who checked in to a 10am visit at 10:05 and was texted "are you OK?" at 11:06, when
    it should have ended: no answer yet."""
    from app.safety import safety
    from app.safety.safety import run_checks

    user, officer = officer_user(world)
    appointment = AppointmentFactory(service=world.service, officer=officer, window_start=at(10))
    db.session.commit()
    with time_machine.travel(at(10, 5), tick=False):
        safety.arrive(appointment, officer, user)
        db.session.commit()
    with time_machine.travel(at(11, 6), tick=False):
        assert run_checks()["checks_sent"] == 1
    return user, officer, appointment


def on_duty(user: User, weekdays=range(7), starts=time(0, 0), ends=time(23, 59, 59)) -> User:
    for weekday in weekdays:
        db.session.add(DutyPeriod(user=user, weekday=weekday, starts=starts, ends=ends))
    db.session.flush()
    return user


def supervisor_on_duty(phone: str = SUPERVISOR_PHONE) -> User:
    return on_duty(UserFactory(role="supervisor", phone=phone))


def sign_in_as(client, user) -> None:
    page = client.get("/sign-in")
    response = client.post(
        "/sign-in",
        data={
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    assert response.status_code == 302


def form_fields(html: str, action_fragment: str) -> dict:
    """The hidden fields of the form posting to a URL containing action_fragment (as a browser sends)."""
    import re

    for form in re.findall(r"<form[^>]*>.*?</form>", html, flags=re.S):
        if action_fragment in form:
            return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))
    raise AssertionError(f"no form posting to {action_fragment}")
