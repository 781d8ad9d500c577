"""A whole working day through the real scheduler jobs, on a controlled clock, with the Twilio stand-in.

The clock moves in 10-second steps and every job in the scheduler's list runs when its trigger fires
(`app.scheduler.due_between`), exactly as `flask scheduler run` would run it. The officer uses the
web pages (signed in, then on a trusted phone once the web session has idled out) and texts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import time_machine
from twilio.request_validator import RequestValidator

from app.extensions import db
from app.models import SafetySession, User
from app.safety.safety import GRACE, REPLY_WITHIN
from app.scheduler import due_between, run_job
from tests.booking_helpers import World, at
from tests.factories import AppointmentFactory
from tests.pages import csrf_token
from tests.safety_helpers import (
    OFFICER_PHONE,
    SUPERVISOR_PHONE,
    form_fields,
    officer_user,
    sign_in_as,
    supervisor_on_duty,
)
from tests.standins.twilio_api import AUTH_TOKEN

STEP = timedelta(seconds=10)


class Clock:
    def __init__(self, app, traveller, start: datetime):
        self.app, self.traveller, self.now = app, traveller, start

    def walk_to(self, until: datetime) -> None:
        while self.now < until:
            later = self.now + STEP
            self.traveller.move_to(later)
            for job in due_between(self.now, later):
                run_job(self.app, job)
            self.now = later


def _sent(twilio, to: str) -> list[tuple[datetime, str]]:
    return [
        (parsedate_to_datetime(m["date_created"]).astimezone(UTC), m["body"])
        for m in twilio.messages
        if m["to"] == to
    ]


def _text_in(client, body: str, sid: str):
    form = {"MessageSid": sid, "From": OFFICER_PHONE, "To": "+447700900000", "Body": body}
    url = "/webhooks/twilio/inbound"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"https://doorstep.council.example{url}", form)
    assert client.post(url, data=form, headers={"X-Twilio-Signature": signature}).status_code == 200


def test_a_day_of_lone_working_through_the_scheduler(app, client, twilio, capsys):
    world = World()
    user, officer = officer_user(world)
    supervisor_on_duty()
    first = AppointmentFactory(
        service=world.service, officer=officer, window_start=at(10), duration_minutes=45
    )
    second = AppointmentFactory(
        service=world.service, officer=officer, window_start=at(12), duration_minutes=45
    )
    db.session.commit()
    first_id, second_id = first.id, second.id

    with time_machine.travel(at(9, 40), tick=False) as traveller:
        clock = Clock(app, traveller, at(9, 40))
        sign_in_as(client, user)
        page = client.get("/officer/phone").get_data(as_text=True)
        client.post("/officer/phone", data={"csrf_token": csrf_token(page), "name": "Work phone"})
        day = client.get("/officer/").get_data(as_text=True)  # what the phone keeps for no signal
        arrive_first = form_fields(day, f"/visits/{first_id}/arrived")
        arrive_second = form_fields(day, f"/visits/{second_id}/arrived")
        help_fields = form_fields(day, "/officer/help")

        # 1. Arrives at the first visit and never checks out.
        clock.walk_to(at(10, 5))
        assert client.post(f"/officer/visits/{first_id}/arrived", data=arrive_first).status_code == 302
        expected_end = at(10, 5) + timedelta(minutes=45) + GRACE
        clock.walk_to(at(11, 40))
        asked = _sent(twilio, OFFICER_PHONE)
        escalated = _sent(twilio, SUPERVISOR_PHONE)
        assert len(asked) == 1 and "Reply OK" in asked[0][1]
        assert len(escalated) == 1 and "SAFETY ALERT (overdue)" in escalated[0][1]
        assert "12 High Street" in escalated[0][1] and OFFICER_PHONE in escalated[0][1]
        ask_delay = asked[0][0] - expected_end
        escalation_delay = escalated[0][0] - asked[0][0]
        assert timedelta(0) < ask_delay <= timedelta(minutes=1, seconds=20)
        assert REPLY_WITHIN <= escalation_delay <= REPLY_WITHIN + timedelta(minutes=1, seconds=20)

        # 2. No signal at the second visit: the tap waits on the phone and is sent 15 minutes later,
        #    long after the 30-minute web session idled out, through the trusted phone.
        clock.walk_to(at(12, 20))
        assert client.get("/staff/").status_code == 302  # signed out by now
        queued = {**arrive_second, "client_time": at(12, 5).isoformat()}
        assert client.post(f"/officer/visits/{second_id}/arrived", data=queued).status_code == 302
        session = db.session.query(SafetySession).filter_by(appointment_id=second_id).one()
        assert session.started_at == at(12, 5) and session.started_received_at == at(12, 20)

        # 3. A help press after the web session idled out: alert and text.
        clock.walk_to(at(12, 25))
        pressed = clock.now
        assert "Help requested" in client.post("/officer/help", data=help_fields).get_data(as_text=True)
        clock.walk_to(at(12, 27))
        helped = [t for t in _sent(twilio, SUPERVISOR_PHONE) if "(help)" in t[1]]
        assert len(helped) == 1
        help_delay = helped[0][0] - pressed

        # 4. The duress word by text: escalated at once, nothing sent back to the officer's phone.
        clock.walk_to(at(12, 30))
        texted = clock.now
        _text_in(client, "Red", "SM-duress-day")
        clock.walk_to(at(12, 32))
        duress = [t for t in _sent(twilio, SUPERVISOR_PHONE) if "(duress)" in t[1]]
        assert len(duress) == 1
        duress_delay = duress[0][0] - texted
        assert len(_sent(twilio, OFFICER_PHONE)) == 1  # only the morning's "Reply OK"

        # 5. Checks out of the second visit (through the phone); the rest of the day stays quiet.
        clock.walk_to(at(12, 40))
        assert client.post(f"/officer/visits/{second_id}/completed", data=arrive_second).status_code == 302
        clock.walk_to(at(13, 40))
    assert len(_sent(twilio, SUPERVISOR_PHONE)) == 3  # overdue, help, duress: each once
    assert len(_sent(twilio, OFFICER_PHONE)) == 1
    assert help_delay <= timedelta(seconds=20) and duress_delay <= timedelta(seconds=20)
    with capsys.disabled():
        print(
            f"\n[safety timings] 'Reply OK' {ask_delay.total_seconds():.0f}s after the expected finish; "
            f"escalation {escalation_delay.total_seconds():.0f}s after that "
            f"({(ask_delay + escalation_delay).total_seconds() / 60:.1f} min after the expected finish); "
            f"help text {help_delay.total_seconds():.0f}s after the press; "
            f"duress text {duress_delay.total_seconds():.0f}s after the word"
        )


def test_once_the_supervisors_are_alerted_the_officer_is_texted_no_more(app, client, twilio):
    """Regression (tidy item 4): an officer who never answered was texted "Reply OK" again for every
    later visit of the day. After the escalation the supervisors own it: later visits missed go
    straight to them, and the officer's phone stays quiet until the officer is active again."""
    world = World()
    user, officer = officer_user(world)
    supervisor_on_duty()
    visits = [
        AppointmentFactory(service=world.service, officer=officer, window_start=at(hour), duration_minutes=45)
        for hour in (10, 12, 14)
    ]
    db.session.commit()
    first_id, third_id, user_id = visits[0].id, visits[2].id, user.id

    with time_machine.travel(at(9, 40), tick=False) as traveller:
        clock = Clock(app, traveller, at(9, 40))
        sign_in_as(client, user)
        day = client.get("/officer/").get_data(as_text=True)
        arrive_first = form_fields(day, f"/visits/{first_id}/arrived")
        clock.walk_to(at(10, 5))
        assert client.post(f"/officer/visits/{first_id}/arrived", data=arrive_first).status_code == 302
        clock.walk_to(at(14, 30))  # runs over at 11:05, escalated at 11:15; misses 12:00 by 13:15
        asked = _sent(twilio, OFFICER_PHONE)
        alerts = _sent(twilio, SUPERVISOR_PHONE)
        assert [body for _, body in asked] == [
            "Doorstep: your visit has run over. Reply OK if you are safe. Reply RED if you need help now."
        ]
        assert ["(overdue)" in alerts[0][1], "(no checkin)" in alerts[1][1]] == [True, True]
        assert len(alerts) == 2
        missed_second = at(13) + GRACE
        assert timedelta(0) < alerts[1][0] - missed_second <= timedelta(minutes=1, seconds=20)  # at once

        # The officer turns up at the third visit: active again, so the ladder asks them once more.
        sign_in_as(client, db.session.get(User, user_id))  # the morning's web session has idled out
        arrive_third = form_fields(
            client.get("/officer/").get_data(as_text=True), f"/visits/{third_id}/arrived"
        )
        assert client.post(f"/officer/visits/{third_id}/arrived", data=arrive_third).status_code == 302
        clock.walk_to(at(17))
    assert len(_sent(twilio, OFFICER_PHONE)) == 2 and "run over" in _sent(twilio, OFFICER_PHONE)[1][1]
