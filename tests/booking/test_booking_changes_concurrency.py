"""Changes to one booking, sent at once through the real app over HTTP, are serialised (PostgreSQL).

A `Gate` holds, from its own database connection, the lock the requests need, and lets go only once
every request is provably waiting for it (PostgreSQL reports them waiting on a lock). So each test
really overlaps its requests, every run, whatever the machine's load; which one wins is PostgreSQL's
choice, and the tests accept either.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import date, timedelta

import psycopg
import pytest
import requests
import time_machine

from app.booking.availability import decode_slot, search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.booking.locks import APPOINTMENT_LOCKS
from app.extensions import db
from app.models import Address, Appointment, AppointmentEvent, Message, OfficerDay
from app.staff.tokens import create_token
from app.timeutil import to_local
from tests.booking_helpers import MONDAY, NOW, World, api_booking
from tests.factories import UserFactory
from tests.pages import csrf_token

pytestmark = pytest.mark.postgres


def _wait_for(condition, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


class Gate:
    def __init__(self, url: str):
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        self.holder = psycopg.connect(plain)
        self.watcher = psycopg.connect(plain, autocommit=True)

    def hold_booking(self, appointment_id: int) -> None:
        self.holder.execute("SELECT pg_advisory_xact_lock(%s, %s)", (APPOINTMENT_LOCKS, appointment_id))

    def hold_officer_days(self, day) -> None:
        self.holder.execute("SELECT 1 FROM officer_day WHERE day = %s FOR UPDATE", (day,))

    def waiting(self) -> int:
        return self.watcher.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        ).fetchone()[0]

    def open_when_waiting(self, count: int) -> None:
        _wait_for(lambda: self.waiting() >= count)
        self.holder.rollback()

    def close(self) -> None:
        self.holder.close()
        self.watcher.close()


@pytest.fixture
def gate(postgres, live_server):
    gate = Gate(postgres)
    yield gate
    gate.close()


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True):
        yield


def _all_at_once(calls) -> list:
    """Run each call in its own thread, released together; their results in the order given."""
    results: list = [None] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            results[i] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    return threads, results


def _finish(threads, results) -> list:
    for t in threads:
        t.join(120)
    assert not any(isinstance(r, Exception) for r in results), results
    return results


class Api:
    def __init__(self, base: str):
        user = UserFactory(role="admin")
        self.headers = {"Authorization": f"Bearer {create_token(user, 'tests')}"}
        db.session.commit()
        self.base = base

    def post(self, path: str, body: dict, **headers) -> requests.Response:
        return requests.post(
            f"{self.base}/api/v1{path}", json=body, headers=self.headers | headers, timeout=120
        )


def _world():
    world = World(officers=2)
    db.session.add(
        Address(uprn="1", line1="12 High Street", town="Devizes", postcode="SN10 1AA", lat=51.355, lng=-1.99)
    )
    db.session.commit()
    return world


def _book(world, day, name="Jo Bloggs") -> Appointment:
    slot = search(world.service, world.home(), day, 1, now=NOW).slots[0]
    appointment = book(
        BookingRequest(
            slot_token=slot.token,
            service=world.service,
            place=world.home(),
            customer=CustomerDetails(name=name, phone="+447700900123", sms_consent=True),
        )
    )
    db.session.commit()
    return appointment


def _another_time(world, appointment) -> str:
    slots = search(world.service, world.home(), MONDAY, 14, now=NOW, exclude_appointment=appointment.id).slots
    return next(s.token for s in slots if s.start != appointment.window_start)


def _history(appointment_id: int) -> tuple[Appointment, list[str], list[str]]:
    db.session.expire_all()
    appointment = db.session.get(Appointment, appointment_id)
    events = [
        e.status
        for e in db.session.query(AppointmentEvent)
        .filter_by(appointment_id=appointment_id)
        .order_by(AppointmentEvent.id)
    ]
    messages = [
        m.kind
        for m in db.session.query(Message).filter_by(appointment_id=appointment_id).order_by(Message.id)
    ]
    return appointment, events, messages


def _working_days(count: int):
    day, days = MONDAY, []
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def _cancel_and_move(api: Api, reference: str, target: str) -> list:
    return [
        lambda: api.post(f"/appointments/{reference}/cancel", {"reason": "Not needed"}),
        lambda: api.post(f"/appointments/{reference}/reschedule", {"slot_id": target}),
    ]


def test_cancel_and_reschedule_at_once_one_wins_the_other_gets_409(clock, live_server, gate):
    world, api = _world(), Api(live_server)
    for day in _working_days(4):
        appointment = _book(world, day)
        target = _another_time(world, appointment)
        reference = appointment.reference
        gate.hold_booking(appointment.id)
        running = _all_at_once(_cancel_and_move(api, reference, target))
        gate.open_when_waiting(2)
        cancelled, moved = _finish(*running)
        assert sorted([cancelled.status_code, moved.status_code]) == [200, 409]
        final, events, messages = _history(appointment.id)
        loser = cancelled if cancelled.status_code == 409 else moved
        now = loser.json()["appointment"]
        assert now["status"] == final.status and now["start"] == to_local(final.window_start).isoformat()
        if cancelled.status_code == 200:
            assert final.status == "cancelled" and events == ["booked", "cancelled"]
            assert messages == ["confirmation", "cancellation"]
        else:
            assert final.status == "booked" and events == ["booked", "rescheduled"]
            assert messages == ["confirmation", "reschedule"]
        assert final.sequence == 1


def test_cancel_and_reschedule_never_contradict_each_other_however_they_fall(clock, postgres, live_server):
    """No gate: the requests fall as the machine schedules them. Whatever happens, the resident is
    told what really happened, in order, and nothing is lost."""
    world, api = _world(), Api(live_server)
    for day in _working_days(6):
        appointment = _book(world, day)
        target = _another_time(world, appointment)
        reference = appointment.reference
        cancelled, moved = _finish(*_all_at_once(_cancel_and_move(api, reference, target)))
        assert {cancelled.status_code, moved.status_code} <= {200, 409} and 200 in (
            cancelled.status_code,
            moved.status_code,
        )
        final, events, messages = _history(appointment.id)
        changes = [e for e in events if e != "booked"]
        assert final.sequence == len(changes) == [cancelled.status_code, moved.status_code].count(200)
        assert "cancelled" not in changes[:-1], "nothing may happen to a booking after it is cancelled"
        assert messages == ["confirmation"] + [
            {"cancelled": "cancellation", "rescheduled": "reschedule"}[c] for c in changes
        ]
        assert (final.status == "cancelled") == (cancelled.status_code == 200)


def test_eight_cancels_at_once_make_one_cancellation(clock, live_server, gate):
    world, api = _world(), Api(live_server)
    appointment = _book(world, MONDAY)
    reference = appointment.reference
    gate.hold_booking(appointment.id)
    running = _all_at_once(
        [lambda: api.post(f"/appointments/{reference}/cancel", {"reason": "Not needed"})] * 8
    )
    gate.open_when_waiting(8)
    responses = _finish(*running)
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7
    assert all(r.json()["appointment"]["status"] == "cancelled" for r in responses if r.status_code == 409)
    final, events, messages = _history(appointment.id)
    assert events == ["booked", "cancelled"] and messages == ["confirmation", "cancellation"]
    assert final.sequence == 1


def test_two_moves_at_once_never_lose_an_update(clock, live_server, gate):
    world, api = _world(), Api(live_server)
    appointment = _book(world, MONDAY)
    slots = search(world.service, world.home(), MONDAY, 14, now=NOW, exclude_appointment=appointment.id)
    first, second = [s for s in slots.slots if s.day != MONDAY][:2]
    reference = appointment.reference
    gate.hold_booking(appointment.id)
    running = _all_at_once(
        [
            lambda: api.post(f"/appointments/{reference}/reschedule", {"slot_id": first.token}),
            lambda: api.post(f"/appointments/{reference}/reschedule", {"slot_id": second.token}),
        ]
    )
    gate.open_when_waiting(2)
    responses = _finish(*running)
    assert sorted(r.status_code for r in responses) == [200, 409]
    final, events, messages = _history(appointment.id)
    won = first if responses[0].status_code == 200 else second
    assert final.window_start == won.start and final.sequence == 1
    assert events == ["booked", "rescheduled"] and messages == ["confirmation", "reschedule"]


def _sign_in(base: str, user) -> requests.Session:
    from tests.factories import PASSWORD

    session = requests.Session()
    page = session.get(f"{base}/sign-in", timeout=60).text
    response = session.post(
        f"{base}/sign-in",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page)},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302
    return session


def test_check_in_and_cancel_at_once(live_server, gate):
    """The officer taps "arrived" as the resident cancels: one wins, and the other is told."""
    from app.models import SafetySession

    with time_machine.travel(NOW, tick=True):
        world, api = _world(), Api(live_server)
        appointment = _book(world, MONDAY)
        reference, appointment_id = appointment.reference, appointment.id
        officer = appointment.officer
        user = UserFactory(role="officer")
        officer.user = user
        db.session.commit()
    with time_machine.travel(appointment.window_start, tick=True):  # the visit is due now
        officer_web = _sign_in(live_server, user)
        page = officer_web.get(f"{live_server}/officer/", timeout=60).text
        token = csrf_token(page)
        gate.hold_booking(appointment_id)
        running = _all_at_once(
            [
                lambda: officer_web.post(
                    f"{live_server}/officer/visits/{appointment_id}/arrived",
                    data={"csrf_token": token},
                    timeout=120,
                ),
                lambda: api.post(f"/appointments/{reference}/cancel", {"reason": "Not needed"}),
            ]
        )
        gate.open_when_waiting(2)
        arrived, cancelled = _finish(*running)
        final, events, messages = _history(appointment_id)
        sessions = db.session.query(SafetySession).filter_by(appointment_id=appointment_id).count()
        if cancelled.status_code == 200:
            assert final.status == "cancelled" and events == ["booked", "cancelled"] and sessions == 0
            assert "This visit is already recorded as cancelled" in arrived.text  # changes.already_recorded
        else:
            assert cancelled.status_code == 409
            assert cancelled.json()["appointment"]["status"] == "checked_in"
            assert final.status == "checked_in" and events == ["booked", "checked_in"] and sessions == 1
            assert "Checked in" in arrived.text


def test_checking_out_and_cancelling_at_once_never_brings_a_cancelled_visit_back(live_server, gate):
    """The officer taps "could not complete" as the resident cancels: the check-out waits for the
    booking's lock like every other change, so the booking ends either cancelled or open for rebooking,
    never "booked" after a cancellation; and the officer is checked out either way."""
    from app.models import SafetySession
    from app.safety import safety

    with time_machine.travel(NOW, tick=True):
        world, api = _world(), Api(live_server)
        appointment = _book(world, MONDAY)
        reference, appointment_id = appointment.reference, appointment.id
        officer = appointment.officer
        user = UserFactory(role="officer")
        officer.user = user
        db.session.commit()
    with time_machine.travel(appointment.window_start, tick=True):
        safety.arrive(appointment, officer, user)
        db.session.commit()
        officer_web = _sign_in(live_server, user)
        token = csrf_token(officer_web.get(f"{live_server}/officer/", timeout=60).text)
        gate.hold_booking(appointment_id)
        running = _all_at_once(
            [
                lambda: officer_web.post(
                    f"{live_server}/officer/visits/{appointment_id}/not-completed",
                    data={"csrf_token": token, "reason": "Nobody home"},
                    headers={"Accept": "application/json"},
                    timeout=120,
                ),
                lambda: api.post(f"/appointments/{reference}/cancel", {"reason": "Not needed"}),
            ]
        )
        gate.open_when_waiting(2)  # both wait for the booking: the check-out too
        checked_out, cancelled = _finish(*running)
        final, events, _messages = _history(appointment_id)
        session = db.session.query(SafetySession).filter_by(appointment_id=appointment_id).one()
        assert checked_out.status_code == 200 and session.closed_at is not None
        if cancelled.status_code == 200:
            assert final.status == "cancelled" and events[-1] == "cancelled"
        else:  # the check-out won; the cancel saw the booking change under it and was refused
            assert cancelled.status_code == 409 and final.status == "booked"
            assert events == ["booked", "checked_in", "booked"]


def test_the_nightly_plan_waits_for_a_change_in_flight_on_its_officer_days(app, postgres, committed):
    """The plan re-times every visit of the day, so a booking change on one of its officer-days (here
    held by another connection) makes it wait, and it plans what that change committed."""
    from app.planning.planning import plan_day
    from app.unit_of_work import unit_of_work

    with time_machine.travel(NOW, tick=True):
        world = _world()
        appointment = _book(world, MONDAY)
    day = to_local(appointment.window_start).date()
    gate, planned = Gate(postgres), {}

    def nightly():
        with app.app_context():
            try:
                with unit_of_work():
                    planned["visits"] = plan_day(day).visits
            finally:
                db.session.remove()

    try:
        gate.hold_officer_days(day)
        thread = threading.Thread(target=nightly)
        thread.start()
        gate.open_when_waiting(1)  # the plan waits for the officer-day like a booking would
        thread.join(120)
    finally:
        gate.close()
    assert planned == {"visits": 1}


def _officer_day(world, day) -> None:
    """The officer-day rows exist once anything has been booked on them (here, made directly)."""
    for officer in world.officers:
        db.session.merge(OfficerDay(officer_id=officer.id, day=day, version=0))
    db.session.commit()


def test_retries_with_one_idempotency_key_while_the_first_is_in_flight_get_its_201(clock, live_server, gate):
    world, api = _world(), Api(live_server)
    _officer_day(world, MONDAY)
    slot = search(world.service, world.home(), MONDAY, 1, now=NOW).slots[0]
    customer = {"name": "Jo Bloggs", "phone": "07700 900123", "preferred_channel": "sms", "sms_consent": True}
    body = api_booking(world, slot.token, customer=customer)
    gate.hold_officer_days(MONDAY)  # the first request books inside this lock
    running = _all_at_once([lambda: api.post("/appointments", body, **{"Idempotency-Key": "order-7"})] * 4)
    gate.open_when_waiting(4)  # one waits for the officer-day, three for the key
    responses = _finish(*running)
    assert [r.status_code for r in responses] == [201] * 4
    assert len({r.json()["reference"] for r in responses}) == 1
    assert db.session.query(Appointment).count() == 1
    assert [m.kind for m in db.session.query(Message).all()] == ["confirmation"]


def _journey_to_check(base: str, world) -> tuple[requests.Session, str, date]:
    """Walk the resident's journey to check-your-answers; the session, its CSRF token, the day chosen."""
    resident = requests.Session()

    def answer(path, data):
        page = resident.get(f"{base}{path}", timeout=60)
        assert page.status_code == 200, (path, page.status_code)
        return resident.post(
            f"{base}{path}",
            data={**data, "csrf_token": csrf_token(page.text)},
            allow_redirects=False,
            timeout=60,
        )

    answer("/book/service", {"service": world.service.code})
    answer("/book/where", {"location_type": "home"})
    answer("/book/postcode", {"postcode": "SN10 1AA"})
    address = db.session.query(Address).one()
    answer("/book/address", {"address": str(address.id)})
    html = resident.get(f"{base}/book/time", timeout=60).text
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', html).group(1)
    answer("/book/time", {"slot": slot})
    answer("/book/details", {"name": "Jo Bloggs", "phone": "07700 900123", "preferred_channel": "sms"})
    check = resident.get(f"{base}/book/check", timeout=60).text
    return resident, csrf_token(check), decode_slot(slot).day


def test_a_double_clicked_confirm_shows_the_resident_their_booking(clock, live_server, gate):
    world = _world()
    resident, token, day = _journey_to_check(live_server, world)
    _officer_day(world, day)
    cookies = resident.cookies

    def click():  # both clicks carry the same session: the browser sends them before any answer
        browser = requests.Session()
        browser.cookies.update(cookies)
        return browser.post(f"{live_server}/book/check", data={"csrf_token": token}, timeout=120)

    gate.hold_officer_days(day)
    running = _all_at_once([click, click])
    gate.open_when_waiting(2)
    pages = _finish(*running)
    (appointment,) = db.session.query(Appointment).all()
    shown = f"{appointment.reference[:4]}-{appointment.reference[4:]}"
    for page in pages:
        assert page.status_code == 200 and page.url.endswith("/book/confirmation")
        assert shown in page.text and "no longer available" not in page.text


def test_a_double_clicked_agent_booking_books_once_and_both_clicks_show_it(clock, live_server, gate):
    """Two clicks on the agent's Book button, in flight together: one booking, and both answers show it
    (as for the resident's confirm), not "that time has just gone"."""
    from tests.factories import CustomerFactory

    world = _world()
    customer = CustomerFactory(lat=51.355, lng=-1.99, postcode="SN10 1AA", address_line1="12 High Street")
    agent = UserFactory(role="agent")
    db.session.commit()
    customer_id = customer.id
    agent_web = _sign_in(live_server, agent)
    url = f"{live_server}/agent/customers/{customer_id}/book?service={world.service.code}&place=home"
    page = agent_web.get(url, timeout=60).text
    slot = re.search(r'name="slot" type="radio" value="([^"]+)"', page).group(1)
    submission = re.search(r'name="submission" type="hidden" value="([^"]+)"', page)
    form = {
        "csrf_token": csrf_token(page),
        "submission": submission.group(1) if submission else "",
        "slot": slot,
        "preferred_channel": "email",
    }

    def click():
        browser = requests.Session()
        browser.cookies.update(agent_web.cookies)
        return browser.post(url, data=form, timeout=120)

    _officer_day(world, decode_slot(slot).day)
    gate.hold_officer_days(decode_slot(slot).day)
    running = _all_at_once([click, click])
    gate.open_when_waiting(2)
    pages = _finish(*running)
    (appointment,) = db.session.query(Appointment).all()
    shown = f"Booked: reference {appointment.reference[:4]}-{appointment.reference[4:]}"
    for answer in pages:
        assert answer.status_code == 200 and answer.url.endswith(f"/agent/customers/{customer_id}")
        assert shown in answer.text


def test_publishing_a_replan_and_a_cancel_at_once(live_server, gate, configure):
    """The officer change from a re-plan is serialised with the resident's cancel: one wins, and the
    other changes nothing (the publish asks for a fresh preview; the cancel gets 409 and the new state)."""
    from app.models import Absence, ReplanProposal
    from app.planning.planning import preview_absence
    from tests.booking_helpers import at
    from tests.factories import AppointmentFactory, CustomerFactory

    with time_machine.travel(NOW, tick=True):
        world, api = _world(), Api(live_server)
        sick, colleague = world.officers
        visit = AppointmentFactory(
            service=world.service,
            officer=sick,
            window_start=at(10),
            customer=CustomerFactory(sms_consent=True),
        )
        db.session.add(Absence(officer=sick, kind="sickness", starts_on=MONDAY, ends_on=MONDAY))
        proposal = preview_absence(sick, MONDAY, time_limit=0.5)
        supervisor = UserFactory(role="supervisor")
        db.session.commit()
        reference, visit_id, proposal_id = visit.reference, visit.id, proposal.id
        staff = _sign_in(live_server, supervisor)
        page = staff.get(
            f"{live_server}/supervisor/replan?officer={sick.id}&day={MONDAY}&proposal={proposal_id}"
        )
        form = {
            "csrf_token": csrf_token(page.text),
            "officer": sick.id,
            "day": MONDAY.isoformat(),
            "proposal": proposal_id,
            "action": "publish",
        }
        gate.hold_booking(visit_id)
        running = _all_at_once(
            [
                lambda: staff.post(f"{live_server}/supervisor/replan", data=form, timeout=120),
                lambda: api.post(f"/appointments/{reference}/cancel", {"reason": "Not needed"}),
            ]
        )
        gate.open_when_waiting(2)
        published, cancelled = _finish(*running)
        final, events, messages = _history(visit_id)
        if cancelled.status_code == 200:
            assert "changed since the preview" in published.text
            assert final.status == "cancelled" and final.officer_id == sick.id
            assert messages == ["cancellation"]
            assert db.session.get(ReplanProposal, proposal_id).status == "previewed"
        else:
            assert cancelled.status_code == 409 and "This re-plan was published" in published.text
            assert final.status == "booked" and final.officer_id == colleague.id
            assert cancelled.json()["appointment"]["officer_first_name"] == colleague.first_name
            assert messages == ["officer_change"]
        assert final.sequence == 1 and len(events) == 1
