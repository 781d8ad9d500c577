"""Moving a visit honours the risk register as booking it does, by the one rule
(app.booking.recheck.check_precautions): a visit to an address marked "two officers" moves only to a
time two officers can keep, and one marked "hub only" (or needing a manager's approval) moves to no
other home time, whoever moves it: the resident on their manage pages, an agent, an API caller (with a
slot found anywhere), or an absence re-plan handing it to colleagues. Residents are never told why."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine

from app.booking.availability import decode_slot
from app.booking.booking_request import CustomerDetails
from app.booking.changes import reschedule
from app.booking.errors import SlotUnavailable
from app.extensions import db
from app.models import Absence, Appointment
from app.planning.planning import PRECAUTION_NOT_MET, PlanChanged, plan_day, preview_absence, publish_replan
from tests.booking.test_manage_details import _open
from tests.booking_helpers import HOME, MONDAY, NOW, World, book_first_slot
from tests.pages import csrf_token
from tests.safety.test_lone_working import _marker

JO = CustomerDetails(name="Jo Bloggs", phone="+447700900123", preferred_channel="sms", sms_consent=True)
OFFERED = re.compile(r'name="slot" type="radio" value="([^"]+)"')


def _booked_alone(world: World) -> Appointment:
    """A home visit at 12 High Street booked with one officer, before any marker was on the address."""
    appointment = book_first_slot(world, JO)  # Monday
    db.session.commit()
    assert appointment.second_officer_id is None
    return appointment


def _where(appointment: Appointment) -> tuple:
    return (appointment.window_start, appointment.officer_id, appointment.second_officer_id)


def _officers_offered(html: str) -> list[int]:
    """How many officers each time offered on the page would send."""
    return [len(decode_slot(token).officer_ids) for token in OFFERED.findall(html)]


@time_machine.travel(NOW, tick=False)
def test_the_resident_is_offered_only_times_two_officers_keep_and_moves_to_one(client):
    world = World(officers=3)
    appointment = _booked_alone(world)
    _marker("two_officers")  # 12 High Street, SN10 1AA
    db.session.commit()
    _open(client, appointment)
    page = client.get("/manage/booking/change").get_data(as_text=True)
    offered = _officers_offered(page)
    assert offered and set(offered) == {2}, offered
    assert "two officers" not in page.lower() and "risk" not in page.lower()  # never said why
    moved = client.post(
        "/manage/booking/change", data={"csrf_token": csrf_token(page), "slot": OFFERED.findall(page)[0]}
    )
    assert moved.status_code == 302
    db.session.refresh(appointment)
    assert appointment.officer_id and appointment.second_officer_id  # two officers now go


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("precaution", ["hub_only", "manager_approval"])
def test_the_resident_is_offered_no_other_home_time_where_the_register_rules_one_out(client, precaution):
    world = World(officers=3)
    appointment = _booked_alone(world)
    before = _where(appointment)
    _open(client, appointment)
    earlier = client.get("/manage/booking/change").get_data(as_text=True)
    assert OFFERED.findall(earlier)  # times were offered before the marker
    _marker(precaution)
    db.session.commit()
    page = client.get("/manage/booking/change").get_data(as_text=True)
    assert not OFFERED.findall(page)
    assert "We cannot book a visit to this address online." in page
    assert "0300 456 0100" in page and "There are no other times free" not in page  # phone; never why
    sent = client.post(
        "/manage/booking/change",
        data={"csrf_token": csrf_token(earlier), "slot": OFFERED.findall(earlier)[0]},
    )
    assert sent.status_code == 200
    db.session.refresh(appointment)
    assert _where(appointment) == before


@time_machine.travel(NOW, tick=False)
def test_the_agent_is_offered_only_two_officer_times_even_when_choosing_an_officer(client, sign_in):
    world = World(officers=3)
    appointment = _booked_alone(world)
    _marker("two_officers")
    db.session.commit()
    sign_in("agent")
    path = f"/agent/appointments/{appointment.id}/move"
    page = client.get(path).get_data(as_text=True)
    offered = _officers_offered(page)
    assert offered and set(offered) == {2}, offered
    one = client.get(f"{path}?officer={world.officers[0].id}").get_data(as_text=True)
    assert set(_officers_offered(one)) == {2}  # an officer chosen in a link: two officers' times still
    moved = client.post(path, data={"csrf_token": csrf_token(page), "slot": OFFERED.findall(page)[0]})
    assert moved.status_code == 302
    db.session.refresh(appointment)
    assert appointment.officer_id and appointment.second_officer_id


@time_machine.travel(NOW, tick=False)
def test_the_agent_is_told_two_officers_must_go_and_chooses_no_single_officer(client, sign_in):
    """Booked for one officer before the register asked for two: the page says what applies and offers
    two officers' times, not a single-officer chooser whose choice shows no times."""
    world = World(officers=3)
    appointment = _booked_alone(world)
    sign_in("agent")
    path = f"/agent/appointments/{appointment.id}/move"
    before = client.get(path).get_data(as_text=True)
    assert 'name="officer"' in before and "two officers must go" not in before  # one officer: a chooser
    _marker("two_officers")
    db.session.commit()
    page = client.get(path).get_data(as_text=True)
    assert "A precaution applies at this address: two officers must go" in page
    assert 'name="officer"' not in page  # no single-officer chooser
    assert set(_officers_offered(page)) == {2}
    assert "two_officers" not in page and "Threatened" not in page  # agents learn only what applies


@time_machine.travel(NOW, tick=False)
def test_the_agent_is_told_a_precaution_applies_rather_than_no_free_times(client, sign_in):
    world = World(officers=3)
    appointment = _booked_alone(world)
    _marker("hub_only")
    db.session.commit()
    sign_in("agent")
    page = client.get(f"/agent/appointments/{appointment.id}/move").get_data(as_text=True)
    assert not OFFERED.findall(page) and "No other free times" not in page
    assert "A precaution applies: this visit cannot be moved to another time at this address" in page
    assert "hub_only" not in page and "Threatened" not in page  # agents learn only that one applies


def _api_slot(client, world: World, bearer) -> str:
    """A one-officer home slot on Tuesday (another day than the visit's) found through the API by
    coordinates (no address: no marker read)."""
    query = {"service": world.service.code, "location_type": "home", "lat": HOME[0], "lng": HOME[1]}
    query |= {"from": (MONDAY + timedelta(days=1)).isoformat(), "days": "4"}
    slots = client.get("/api/v1/availability", query_string=query, headers=bearer).get_json()["slots"]
    slot_id = next(s["slot_id"] for s in slots if len(decode_slot(s["slot_id"]).officer_ids) == 1)
    return slot_id


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    ("precaution", "error"), [("two_officers", "slot_unavailable"), ("hub_only", "cannot_reschedule")]
)
def test_an_api_move_to_a_slot_found_elsewhere_is_refused(client, bearer, precaution, error):
    world = World(officers=3)
    appointment = _booked_alone(world)
    before = _where(appointment)
    _marker(precaution)
    db.session.commit()
    slot_id = _api_slot(client, world, bearer)
    answer = client.post(
        f"/api/v1/appointments/{appointment.reference}/reschedule", json={"slot_id": slot_id}, headers=bearer
    )
    assert answer.status_code == 409
    assert answer.get_json()["error"] == error
    assert "risk" not in answer.get_data(as_text=True).lower()
    db.session.refresh(appointment)
    assert _where(appointment) == before


@time_machine.travel(NOW, tick=False)
def test_a_marker_on_the_person_counts_for_a_move_as_for_a_booking(client, bearer):
    world = World(officers=3)
    appointment = _booked_alone(world)
    _marker("two_officers", postcode="", line1="", customer=appointment.customer)
    db.session.commit()
    with pytest.raises(SlotUnavailable):
        reschedule(appointment, _api_slot(client, world, bearer), channel="phone")


@time_machine.travel(NOW, tick=False)
def test_without_a_marker_the_same_move_goes_ahead(client, bearer):
    """The refusals above are the register's: the same one-officer slot moves an unmarked visit."""
    world = World(officers=3)
    appointment = _booked_alone(world)
    slot_id = _api_slot(client, world, bearer)
    answer = client.post(
        f"/api/v1/appointments/{appointment.reference}/reschedule", json={"slot_id": slot_id}, headers=bearer
    )
    assert answer.status_code == 200, answer.get_json()
    db.session.refresh(appointment)
    assert appointment.window_start.date() > MONDAY and appointment.second_officer_id is None


def _off_sick(officer) -> None:
    db.session.add(Absence(officer=officer, kind="sickness", starts_on=MONDAY, ends_on=MONDAY))
    db.session.flush()


@time_machine.travel(NOW, tick=False)
def test_a_re_plan_hands_a_two_officer_visit_only_to_two_colleagues():
    world = World(officers=2)
    appointment = _booked_alone(world)
    sick = appointment.officer
    _marker("two_officers")
    _off_sick(sick)
    proposal = preview_absence(sick, MONDAY, time_limit=0.5)
    # One colleague works that day: alone, they may not take it.
    assert proposal.plan["moves"] == []
    assert [u["appointment_id"] for u in proposal.plan["unplaced"]] == [appointment.id]


@time_machine.travel(NOW, tick=False)
def test_a_re_plan_hands_no_visit_the_register_rules_out_and_says_why_to_supervisors():
    world = World(officers=3)
    appointment = _booked_alone(world)
    sick = appointment.officer
    _marker("hub_only")
    _off_sick(sick)
    proposal = preview_absence(sick, MONDAY, time_limit=0.5)
    assert proposal.plan["moves"] == []
    (unplaced,) = proposal.plan["unplaced"]
    assert unplaced["appointment_id"] == appointment.id and PRECAUTION_NOT_MET in unplaced["reason"]


def test_the_move_refusal_is_the_booking_rule():
    """One rule: the booking module has no precaution check of its own."""
    from app.booking import booking, changes, recheck

    assert booking.check_precautions is recheck.check_precautions
    assert changes.check_precautions is recheck.check_precautions


@time_machine.travel(NOW, tick=False)
def test_the_nightly_plan_hands_a_stranded_two_officer_visit_to_no_lone_colleague():
    """The officer may no longer do it (their skill taken away): the one colleague working may not take
    a visit the register says needs two, so it is left out for the supervisors, unchanged."""
    world = World(officers=2)
    appointment = _booked_alone(world)
    officer = appointment.officer
    _marker("two_officers")
    officer.skills.remove(world.skill)
    db.session.flush()
    summary = plan_day(MONDAY, time_limit=0.3)
    assert appointment in summary.unassigned
    assert appointment.officer_id == officer.id and appointment.second_officer_id is None


@time_machine.travel(NOW, tick=False)
def test_a_re_plan_previewed_before_a_marker_is_not_published_after_it():
    world = World(officers=2)
    appointment = _booked_alone(world)
    sick = appointment.officer
    _off_sick(sick)
    proposal = preview_absence(sick, MONDAY, time_limit=0.5)
    assert [m["appointment_id"] for m in proposal.plan["moves"]] == [appointment.id]
    _marker("two_officers")
    db.session.commit()
    with pytest.raises(PlanChanged, match="risk register"):
        publish_replan(proposal)
    db.session.rollback()
    assert db.session.get(Appointment, appointment.id).officer_id == sick.id
