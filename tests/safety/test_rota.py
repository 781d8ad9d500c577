"""The on-duty rota: escalations reach whoever is on duty, else the fallback, and the screens say so."""

from __future__ import annotations

from datetime import time

import time_machine

from app.extensions import db
from app.models import DutyPeriod, Message, User
from app.safety import rota
from app.safety.safety import raise_alert
from tests.booking_helpers import World, at
from tests.factories import UserFactory
from tests.pages import csrf_token
from tests.safety_helpers import on_duty

MONDAY, TUESDAY = 0, 1


def test_who_is_on_duty_follows_the_weekly_rota_across_midnight():
    day = on_duty(UserFactory(role="supervisor", phone="+447700900801"), [MONDAY], time(8), time(18))
    night = on_duty(UserFactory(role="admin", phone="+447700900802"), [MONDAY], time(18), time(8))
    on_duty(UserFactory(role="agent", phone="+447700900803"), [MONDAY])  # agents never are
    assert rota.on_duty(at(9)) == [day]
    assert rota.on_duty(at(18)) == [night]
    assert rota.on_duty(at(7, 59, day=at(0).date().replace(day=8))) == [night]  # Tuesday morning
    assert rota.on_duty(at(8, day=at(0).date().replace(day=8))) == []


def test_escalations_go_to_the_fallback_when_nobody_is_on_duty(configure):
    configure(SAFETY_FALLBACK_PHONE="+447700900555")
    world = World()
    on_duty(UserFactory(role="supervisor", phone="+447700900801"), [TUESDAY])
    db.session.commit()
    with time_machine.travel(at(10), tick=False):  # a Monday
        raise_alert("help", world.officers[0], None, None, "help:test")
    assert [m.recipient for m in db.session.query(Message).filter_by(kind="safety_alert")] == [
        "+447700900555"
    ]


def test_the_alerts_page_says_loudly_that_nobody_is_on_duty(client, sign_in):
    sign_in("supervisor")
    for url in ("/supervisor/alerts", "/supervisor/dashboard"):
        html = client.get(url).get_data(as_text=True)
        assert "Nobody is on duty" in html and 'role="alert"' in html, url


def test_supervisors_edit_the_rota_and_work_mobiles_on_screen(client, sign_in):
    me = sign_in("supervisor")
    page = client.get("/supervisor/rota").get_data(as_text=True)
    bad = client.post(
        "/supervisor/rota",
        data={
            "csrf_token": csrf_token(page),
            "user_id": str(me.id),
            "weekday": "0",
            "starts": "25:00",
            "ends": "x",
        },
    )
    assert bad.status_code == 400 and "Enter the start as a 24-hour time" in bad.get_data(as_text=True)
    good = client.post(
        "/supervisor/rota",
        data={
            "csrf_token": csrf_token(page),
            "user_id": str(me.id),
            "weekday": "0",
            "starts": "08:00",
            "ends": "18:00",
        },
    )
    assert good.status_code == 302
    period = db.session.query(DutyPeriod).one()
    assert (period.user, period.weekday, period.starts, period.ends) == (me, 0, time(8), time(18))
    wrong = client.post(
        "/supervisor/rota/phone",
        data={"csrf_token": csrf_token(page), "user_id": str(me.id), "phone": "01234"},
    )
    assert wrong.status_code == 400 and "Enter a UK mobile number" in wrong.get_data(as_text=True)
    client.post(
        "/supervisor/rota/phone",
        data={"csrf_token": csrf_token(page), "user_id": str(me.id), "phone": "07700 900123"},
    )
    assert me.phone == "+447700900123"
    with time_machine.travel(at(9), tick=False):
        assert "Nobody is on duty" not in client.get("/supervisor/rota").get_data(as_text=True)


def test_the_rota_from_the_command_line(app):
    user = UserFactory(role="admin", email="night@council.example")
    db.session.commit()
    runner = app.test_cli_runner()
    added = runner.invoke(
        args=["rota", "add", "--email", user.email, "--weekday", "0", "--starts", "18:00", "--ends", "08:00"]
    )
    assert added.exit_code == 0, added.output
    phone = runner.invoke(args=["rota", "phone", "--email", user.email, "--phone", "07700900124"])
    assert phone.exit_code == 0 and "+447700900124" in phone.output
    with time_machine.travel(at(19), tick=False):
        listing = runner.invoke(args=["rota", "list"])
    assert "Monday    18:00-08:00  night@council.example +447700900124" in listing.output
    assert "On duty now: night@council.example" in listing.output
    agent = UserFactory(role="agent")
    db.session.commit()
    refused = runner.invoke(
        args=["rota", "add", "--email", agent.email, "--weekday", "0", "--starts", "08:00", "--ends", "09:00"]
    )
    assert refused.exit_code != 0 and "Only active supervisors and admins" in refused.output


def test_the_demo_county_always_has_someone_on_duty():
    from app.demo.load import _staff

    _staff([], "a-demo-password-long-enough")
    db.session.flush()
    for hour in range(24):
        for weekday_offset in range(7):
            moment = at(hour, 15, day=at(0).date().replace(day=7 + weekday_offset))
            assert [u.phone for u in rota.on_duty(moment) if u.phone], (hour, weekday_offset)
    assert (
        db.session.query(User).filter(User.role.in_(("supervisor", "admin")), User.phone != "").count() == 2
    )
