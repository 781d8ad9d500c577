"""What an outsider's attack on the new features found (November 2026): each test failed before its fix.

- The booking journey's "you already have this appointment" warning linked to the existing booking's
  manage page for anyone who typed the same name and phone number: a stranger who knew them got the
  address, the officer's name, and the power to cancel or move the visit.
- The same journey merged a stranger's booking into the record of whoever had that name and phone
  number, replacing their email, reminder choice and home address (and turning texts back on after
  STOP): their own bookings' reminders, with manage links, then went to the stranger's email.
- (second attack, December 2026) Even when nothing about where messages go changed, a stranger who
  knew a resident's name and email joined their record: the stranger's manage page showed the
  resident's mobile, its "stop texts" switch stopped the resident's texts, and the stranger's access
  needs, interpreter and language replaced the resident's. Public bookings now never reuse a record.
- An officer's "extend the visit" tap with a Unicode digit ("²") in the minutes was a 500, and so was a
  supervisor's work-mobile form with one in its hidden user id.
"""

from __future__ import annotations

import re

import pytest
import time_machine
from itsdangerous import URLSafeTimedSerializer

from app import create_app
from app.appointments.links import token_for
from app.booking.availability import decode_slot
from app.config import Settings
from app.extensions import db
from app.models import Address, Appointment, AuditEvent, Customer, SafetySession, WaitlistEntry
from app.staff.tokens import create_token
from tests.booking_helpers import NOW, World, at, world_with_a_street
from tests.factories import AppointmentFactory, CustomerFactory, UserFactory
from tests.pages import PageCheckingClient, csrf_token, submit_form
from tests.safety_helpers import officer_with_a_visit, sign_in_as

# What anyone may ask the public availability API for: home visits near 12 High Street on one Monday.
HOME_VISITS_ON_MONDAY = {"location_type": "home", "postcode": "SN10 1AA", "from": "2026-12-07", "days": "1"}


def _world_and_street(postcode: str = "SN10 1AB", officers: int = 2) -> tuple[World, Address]:
    world = world_with_a_street(postcode, officers=officers)
    return world, db.session.query(Address).one()


@pytest.fixture
def street() -> tuple[World, Address]:
    """Two officers, and 12 High Street, SN10 1AB in the gazetteer: (world, its address)."""
    return _world_and_street()


def _limited_app(app):
    """The app with rate limits on (the tests' app has them off), on the same database."""
    limited = create_app(
        Settings(
            secret_key="test-secret-key",
            database_url=app.config["SQLALCHEMY_DATABASE_URI"],
            ratelimit_enabled=True,
            ratelimit_storage_uri="memory://",
        ),
        testing=True,
    )
    limited.test_client_class = PageCheckingClient
    return limited


def _to_address(client, world, address, line1: str | None = None) -> None:
    """The resident journey for a home visit, up to choosing the address (or typing `line1`, "My address
    is not listed", in its postcode)."""
    client.get("/book/")
    submit_form(client, "/book/service", {"service": world.service.code})
    submit_form(client, "/book/where", {"location_type": "home"})
    submit_form(client, "/book/postcode", {"postcode": address.postcode})
    chosen = {"address": "manual", "line1": line1} if line1 is not None else {"address": str(address.id)}
    submit_form(client, "/book/address", chosen)


def _book_home_visit(
    client, world, address, window=None, name="Jo Bloggs", phone="07700 900123", line1=None, **said
):
    """The resident journey up to the check page's answer; returns (response, the slot's window)."""
    _to_address(client, world, address, line1)
    html = client.get("/book/time").get_data(as_text=True)
    tokens = re.findall(r'name="slot" type="radio" value="([^"]+)"', html)
    window_of = lambda t: (decode_slot(t).day, decode_slot(t).window)  # noqa: E731
    if window is None:
        slot = tokens[0]
    elif window == "another":  # a different time from the first one offered
        slot = next(t for t in tokens if window_of(t) != window_of(tokens[0]))
    else:
        slot = next(t for t in tokens if window_of(t) == window)
    client.post("/book/time", data={"slot": slot, "csrf_token": csrf_token(html)})
    submit_form(client, "/book/details", {"name": name, "phone": phone, "preferred_channel": "sms"} | said)
    check = client.get("/book/check").get_data(as_text=True)
    return client.post("/book/check", data={"csrf_token": csrf_token(check)}), window_of(slot)


@time_machine.travel(NOW, tick=False)
def test_a_stranger_typing_the_same_name_and_phone_gets_no_link_to_the_booking(app, client, street):
    world, address = street
    booked, window = _book_home_visit(client, world, address)
    assert booked.headers["Location"] == "/book/confirmation"

    stranger = app.test_client()  # another browser: knows her name and number, nothing else
    response, _ = _book_home_visit(stranger, world, address, window=window)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    # Second attack (December 2026): the warning said which service and time she had booked. A stranger
    # is told only that there may be a booking around this time.
    warning = re.search(r'(?s)id="already-booked".*?</div>', html).group(0)
    assert "You may already have a booking around this time" in warning
    assert "already have this appointment" not in warning and world.service.name not in warning
    assert "/manage/" not in html.replace('href="/manage/find"', "")  # only the find-your-booking page
    assert 'href="/manage/find"' in html
    # Nothing in the stranger's session reaches her booking either.
    assert stranger.get("/manage/booking").headers["Location"] == "/manage/find"
    assert db.session.query(Appointment).count() == 1


@time_machine.travel(NOW, tick=False)
def test_the_same_browser_booking_twice_still_gets_the_link(client, street):
    world, address = street
    _booked, window = _book_home_visit(client, world, address)
    response, _ = _book_home_visit(client, world, address, window=window)
    html = response.get_data(as_text=True)
    assert re.search(r'href="[^"]*/manage/[^"]+">See your existing booking', html)
    assert "You already have this appointment" in html  # the browser that booked it is told which
    # Check-your-answers, shown again with the warning, still says when the new booking would be.
    when = re.search(r'(?s)When\s*</dt>\s*<dd class="govuk-summary-list__value">(.*?)</dd>', html)
    assert when and "December 2026" in when.group(1), when


@time_machine.travel(NOW, tick=False)
def test_a_stranger_with_the_same_name_and_phone_cannot_rewrite_the_residents_record(app, client, street):
    world, address = street
    _booked, _window = _book_home_visit(
        client, world, address, email="jo@example.com", preferred_channel="email"
    )
    jo = db.session.query(Customer).one()
    kept = {
        c: getattr(jo, c) for c in ("email", "preferred_channel", "sms_consent", "postcode", "address_line1")
    }

    stranger = app.test_client()
    other = Address(
        uprn="100999", line1="1 Other Road", town="Devizes", postcode="SN10 1AB", lat=51.355, lng=-1.99
    )
    db.session.add(other)
    db.session.commit()
    booked, _ = _book_home_visit(
        stranger, world, other, window="another", email="evil@example.net", preferred_channel="email"
    )
    assert booked.headers["Location"] == "/book/confirmation"
    db.session.expire_all()
    assert {c: getattr(jo, c) for c in kept} == kept
    strangers = db.session.query(Appointment).filter(Appointment.customer_id != jo.id).one()
    assert strangers.customer.email == "evil@example.net"

    # Since the second attack (December 2026) no public booking reuses a record, so nothing a stranger
    # types can reach hers (test_a_stranger_with_a_residents_name_and_email_never_joins_her_record).
    assert db.session.query(Appointment).filter_by(customer_id=jo.id).count() == 1


def test_an_extension_in_odd_digits_is_refused_not_a_500(client, configure):
    configure(session_timeout_minutes=30 * 24 * 60)
    world, user, officer, appointment = officer_with_a_visit(client, window_start=at(10))
    with time_machine.travel(at(10, 5), tick=False):
        page = client.get("/officer/").get_data(as_text=True)
        client.post(f"/officer/visits/{appointment.id}/arrived", data={"csrf_token": csrf_token(page)})
        expected = db.session.query(SafetySession).one().expected_end_at
        for minutes in ("\u00b2", "\u0663\u0660", "9" * 5000):  # superscript 2, Arabic-Indic 30, huge
            response = client.post(
                f"/officer/visits/{appointment.id}/extend",
                data={"csrf_token": csrf_token(page), "minutes": minutes},
                headers={"Accept": "application/json"},
            )
            assert response.status_code == 422, minutes[:5]
            assert response.json["errors"] == {"minutes": ["Choose how much longer the visit will take"]}
    db.session.expire_all()
    assert db.session.query(SafetySession).one().expected_end_at == expected


def test_a_work_mobile_for_an_odd_user_id_is_a_404_not_a_500(client):
    me = UserFactory(role="supervisor")
    db.session.commit()
    sign_in_as(client, me)
    page = client.get("/supervisor/rota").get_data(as_text=True)
    for user_id in ("\u00b2", "9" * 30):
        response = client.post(
            "/supervisor/rota/phone",
            data={"csrf_token": csrf_token(page), "user_id": user_id, "phone": "07700 900123"},
        )
        assert response.status_code == 404, user_id


@time_machine.travel(NOW, tick=False)
def test_a_stranger_with_a_residents_name_and_email_never_joins_her_record(app, client):
    world, address = _world_and_street("SN10 1AA")
    isla = CustomerFactory(
        name="Isla Iqbal",
        email="isla@example.com",
        phone="+447700900238",
        preferred_channel="email",
        sms_consent=True,
        locale="en",
        access_needs="",
        interpreter_language="",
    )
    db.session.commit()
    kept = {c: getattr(isla, c) for c in ("sms_consent", "access_needs", "interpreter_language", "locale")}

    # The stranger gives her name and email and her address, but no phone.
    booked, _ = _book_home_visit(
        client,
        world,
        address,
        name="Isla Iqbal",
        phone="",
        email="isla@example.com",
        preferred_channel="email",
        access_needs="Ramp needed",
        interpreter_language="Nepali",
    )
    assert booked.headers["Location"] == "/book/confirmation"
    confirmation = client.get("/book/confirmation").get_data(as_text=True)
    link = re.search(r'href="[^"]*(/manage/[^"]+)"', confirmation).group(1)
    client.get(link)
    manage = client.get("/manage/booking").get_data(as_text=True)
    assert "900238" not in manage and "900 238" not in manage
    page = client.get("/manage/find").get_data(as_text=True)  # her page offers no switch; press it anyway
    client.post("/manage/booking/stop-texts", data={"csrf_token": csrf_token(page)})

    db.session.expire_all()
    assert {c: getattr(isla, c) for c in kept} == kept
    strangers = db.session.query(Appointment).one()
    assert strangers.customer_id != isla.id
    assert db.session.query(Customer).count() == 2


def _readable(token: str):
    """What anyone can read from a slot id without the key (itsdangerous' unverified load)."""
    try:
        return URLSafeTimedSerializer("not-the-key").loads_unsafe(token)[1]
    except Exception:  # noqa: BLE001 - not a signed payload at all
        return None


@time_machine.travel(NOW, tick=False)
def test_public_availability_shows_neither_added_travel_nor_whats_inside_a_slot_id(client):
    """Second attack (December 2026): the travel a slot adds, on the public API, showed where booked
    home visits were; and every slot id (also on /book/time) was signed but readable: officer ids,
    roster versions and planned arrivals."""
    world = world_with_a_street("SN10 1AA", officers=2)
    agent = UserFactory(role="agent")
    officer = UserFactory(role="officer")
    agent_token, officer_token = create_token(agent, "tests"), create_token(officer, "tests")
    db.session.commit()
    query = HOME_VISITS_ON_MONDAY | {"service": world.service.code}
    public = client.get("/api/v1/availability", query_string=query).get_json()["slots"]
    assert public and all("added_travel_minutes" not in s for s in public)
    for token in [s["slot_id"] for s in public]:
        assert _readable(token) is None
        assert decode_slot(token) is not None  # the server still reads it
    officers = client.get(
        "/api/v1/availability", query_string=query, headers={"Authorization": f"Bearer {officer_token}"}
    ).get_json()["slots"]
    assert all("added_travel_minutes" not in s for s in officers)  # officers do not book
    staff = client.get(
        "/api/v1/availability", query_string=query, headers={"Authorization": f"Bearer {agent_token}"}
    ).get_json()["slots"]
    assert staff and all(isinstance(s["added_travel_minutes"], int) for s in staff)


@time_machine.travel(NOW, tick=False)
def test_a_tampered_or_truncated_slot_id_is_refused(client):
    world = world_with_a_street("SN10 1AA")
    query = HOME_VISITS_ON_MONDAY | {"service": world.service.code}
    token = client.get("/api/v1/availability", query_string=query).json["slots"][0]
    token = token["slot_id"]
    flipped = token[:20] + ("A" if token[20] != "A" else "B") + token[21:]
    for bad in (flipped, token[:30], "", "%%%", token + "x" * 3000):
        assert decode_slot(bad) is None


@time_machine.travel(NOW, tick=False)
def test_public_bookings_for_one_phone_number_are_capped_each_day(app, client, configure, street):
    """Second attack (December 2026): 13 bookings in 34 seconds from one address, 22 texts queued to one
    number. Each number or email gets a few public bookings a day; the next one is refused, clearly."""
    configure(public_bookings_per_contact_per_day=2)
    world, address = street
    for name in ("Ann One", "Bob Two"):
        booked, _ = _book_home_visit(app.test_client(), world, address, window="another", name=name)
        assert booked.headers["Location"] == "/book/confirmation"
    refused, _ = _book_home_visit(app.test_client(), world, address, window="another", name="Cat Three")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "govuk-error-summary" in html and "as many bookings online today as we allow" in html
    assert db.session.query(Appointment).count() == 2
    # Another number still books.
    other, _ = _book_home_visit(
        client, world, address, window="another", name="Dee Four", phone="07700 900456"
    )
    assert other.headers["Location"] == "/book/confirmation"


@time_machine.travel(NOW, tick=False)
def test_public_bookings_by_letter_to_one_address_are_capped_each_day(app, client, configure, street):
    """Outsider attack (December 2026): with neither phone nor email there was no allowance, so anyone
    could have the council post letters, in names of their choosing, to one door as often as they
    liked. Letter bookings now have an allowance per address (postcode and first line)."""
    configure(public_letter_bookings_per_address_per_day=2)
    world, address = street
    for name in ("Ann One", "Bob Two"):
        booked, _ = _book_home_visit(
            app.test_client(), world, address, window="another", name=name, phone="", preferred_channel="post"
        )
        assert booked.headers["Location"] == "/book/confirmation"
    refused, _ = _book_home_visit(
        app.test_client(),
        world,
        address,
        window="another",
        name="Cat Three",
        phone="",
        preferred_channel="post",
    )
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert (
        "govuk-error-summary" in html and "as many bookings online today as we allow for one address" in html
    )
    assert db.session.query(Appointment).count() == 2
    # A booking answered by text to that address is not a letter: it books.
    other, _ = _book_home_visit(client, world, address, window="another", name="Dee Four")
    assert other.headers["Location"] == "/book/confirmation"


@time_machine.travel(NOW, tick=False)
def test_online_waiting_list_joins_for_one_number_are_capped_each_day(app, configure):
    configure(public_bookings_per_contact_per_day=1)
    world, address = _world_and_street(officers=1)
    answers = []
    for name in ("Ann One", "Bob Two"):
        browser = app.test_client()
        _to_address(browser, world, address)
        answers.append(
            submit_form(browser, "/book/waitlist", {"name": name, "phone": "07700 900123", "times": "any"})
        )
    assert answers[0].status_code == 200 and "govuk-error-summary" not in answers[0].get_data(as_text=True)
    assert "as many bookings online today as we allow" in answers[1].get_data(as_text=True)
    assert db.session.query(WaitlistEntry).count() == 1


def test_booking_and_waiting_list_posts_are_limited_per_address(app):
    limited = _limited_app(app)
    for url in ("/book/check", "/book/waitlist"):
        browser = limited.test_client()
        token = csrf_token(browser.get("/manage/find").get_data(as_text=True))
        statuses = [
            browser.post(
                url, data={"csrf_token": token}, environ_base={"REMOTE_ADDR": "192.0.2.7"}
            ).status_code
            for _ in range(11)
        ]
        assert statuses[:10] == [302] * 10 and statuses[10] == 429, (url, statuses)
        # Someone else, at another address, is not held up.
        assert browser.post(url, data={"csrf_token": token}).status_code == 302


def test_server_timing_is_sent_only_when_switched_on(client, configure):
    """Second attack (December 2026): every answer in every environment said how long it took."""
    assert "Server-Timing" not in client.get("/api/v1/services").headers
    configure(server_timing=True)  # the benchmarks switch it on (bench/booking_bench.py)
    assert client.get("/api/v1/services").headers["Server-Timing"].startswith("app;dur=")


def test_forged_webhook_calls_from_one_address_are_audited_once_not_each(app):
    browser = _limited_app(app).test_client()
    statuses = [
        browser.post(
            "/webhooks/twilio/status",
            data={"MessageSid": f"SM{i}", "MessageStatus": "failed"},
            headers={"X-Twilio-Signature": "forged"},
            environ_base={"REMOTE_ADDR": "192.0.2.66"},
        ).status_code
        for i in range(5)
    ]
    assert statuses == [403] * 5
    assert db.session.query(AuditEvent).filter_by(action="webhook_forged").count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_cancelled_bookings_change_page_lists_no_times(client):
    world = World(officers=1)
    visit = AppointmentFactory(
        service=world.service, officer=world.officers[0], window_start=at(10), status="cancelled"
    )
    db.session.commit()
    client.get(f"/manage/{token_for(visit)}")
    change = client.get("/manage/booking/change")
    assert change.status_code == 302 and change.headers["Location"] == "/manage/booking"
    assert "has been cancelled" in client.get("/manage/booking").get_data(as_text=True)
