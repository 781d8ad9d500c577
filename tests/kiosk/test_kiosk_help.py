"""'Ask for help' at a kiosk: the hub's staff are texted only when someone can come, the kiosk says
what is true, staff see open requests newest first and mark them dealt with, and a request nobody
deals with is closed by its scheduler job."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine

from app.extensions import db
from app.kiosk import kiosk as kiosks
from app.models import AuditEvent, KioskHelpRequest, Message
from app.scheduler import JOBS, run_job
from tests.booking_helpers import NOW, World
from tests.factories import PASSWORD, UserFactory
from tests.pages import csrf_token, set_up_kiosk

OPEN = NOW + timedelta(hours=2)  # Tuesday 1 December 2026, 11am: the hub is open (9 to 5)
SATURDAY = datetime(2026, 12, 5, 11, 0, tzinfo=UTC)  # the test hub does not open on Saturdays


def _kiosk(app, hub, name="Reception kiosk"):
    browser = app.test_client()
    _device, token = kiosks.register(hub, name)
    db.session.commit()
    assert set_up_kiosk(browser, token).status_code == 302
    return browser


def _ask(browser) -> str:
    page = browser.get("/kiosk/").get_data(as_text=True)
    response = browser.post("/kiosk/help", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _staff(app, role="agent"):
    browser = app.test_client()
    user = UserFactory(role=role, full_name="Hana Hubworker")
    db.session.commit()
    page = browser.get("/sign-in").get_data(as_text=True)
    browser.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(page)})
    return browser


@time_machine.travel(OPEN, tick=False)
def test_while_the_hub_is_open_its_staff_are_texted_and_the_kiosk_says_so(app):
    world = World()
    world.hub.staff_phone = "+447700900600"
    kiosk = _kiosk(app, world.hub)
    html = _ask(kiosk)
    assert "Someone is coming to help you" in html and "A member of staff has been told" in html
    text = db.session.query(Message).filter_by(kind="kiosk_help").one()
    assert (text.channel, text.recipient, text.status) == (
        "sms",
        "+447700900600",
        "created",
    )  # the outbox sends it
    assert (
        world.hub.name in text.body
        and "Reception kiosk in" in text.body
        and "kiosk kiosk" not in text.body
        and "/staff/kiosk-help" in text.body
    )
    # Pressing again while waiting neither adds a request nor texts again, and still tells the truth.
    assert "A member of staff has been told" in _ask(kiosk)
    assert db.session.query(KioskHelpRequest).count() == 1
    assert db.session.query(Message).filter_by(kind="kiosk_help").count() == 1


@time_machine.travel(OPEN, tick=False)
def test_with_no_staff_phone_the_kiosk_sends_people_to_the_counter(app):
    world = World()
    world.hub.staff_phone, world.hub.has_counter = "", True
    html = _ask(_kiosk(app, world.hub))
    assert "Please ask at the counter" in html
    assert "has been told" not in html and "Someone is coming" not in html
    assert "Talk to someone" in html  # the phones are open: an adviser on the kiosk's call
    assert db.session.query(Message).filter_by(kind="kiosk_help").count() == 0
    assert db.session.query(KioskHelpRequest).one().texted_to == ""


@time_machine.travel(SATURDAY, tick=False)
def test_outside_the_hubs_hours_nobody_is_texted_and_the_kiosk_gives_the_phone_number(app):
    world = World()
    world.hub.staff_phone = "+447700900600"
    html = _ask(_kiosk(app, world.hub))
    assert "There are no staff here at the moment" in html and "0300 456 0100" in html
    assert "has been told" not in html and "ask at the counter" not in html.lower()
    assert "You can talk to an adviser now" not in html  # the phones are shut on Saturdays too
    assert db.session.query(Message).filter_by(kind="kiosk_help").count() == 0


@time_machine.travel(SATURDAY, tick=False)
def test_the_kiosk_help_page_is_translated(app):
    world = World()
    world.hub.staff_phone = ""
    kiosk = _kiosk(app, world.hub)
    kiosk.get("/language/pl?next=/kiosk/")
    html = _ask(kiosk)
    assert "There are no staff here at the moment" not in html and 'lang="pl"' in html


def test_staff_see_open_requests_newest_first_and_mark_one_dealt_with(app):
    world = World()
    world.hub.staff_phone = "+447700900600"
    with time_machine.travel(OPEN, tick=False) as clock:
        first, second = _kiosk(app, world.hub, "Front kiosk"), _kiosk(app, world.hub, "Back kiosk")
        _ask(first)
        clock.shift(timedelta(minutes=3))
        _ask(second)
        staff = _staff(app)
        html = staff.get("/staff/kiosk-help").get_data(as_text=True)
        assert "Kiosk help requests (2 waiting)" in html
        assert html.index("Back kiosk") < html.index("Front kiosk")  # newest first
        assert "Texted to 07700 900600" in html and "Refresh" in html and "kiosk_help.js" in html
        back = db.session.query(KioskHelpRequest).order_by(KioskHelpRequest.id.desc()).first()
        done = staff.post(
            "/staff/kiosk-help",
            data={"csrf_token": csrf_token(html), "request_id": back.id},
            follow_redirects=True,
        )
        html = done.get_data(as_text=True)
        assert f"Dealt with: Back kiosk, {world.hub.name}." in html
        waiting = html[html.index("Waiting for help") : html.index("Closed in the last 8 hours")]
        assert "Front kiosk" in waiting and "Back kiosk" not in waiting
        assert "dealt with by Hana Hubworker" in html
        again = staff.post("/staff/kiosk-help", data={"csrf_token": csrf_token(html), "request_id": back.id})
    assert again.status_code == 302  # a second press (another member of staff) changes nothing
    assert db.session.get(KioskHelpRequest, back.id).answered_by.full_name == "Hana Hubworker"


def test_a_request_nobody_deals_with_is_closed_by_its_job_and_shown_as_such(app):
    world = World()
    world.hub.staff_phone = "+447700900600"
    job = next(job for job in JOBS if job.id == "kiosk_help")
    with time_machine.travel(OPEN, tick=False) as clock:
        kiosk = _kiosk(app, world.hub)
        _ask(kiosk)
        clock.shift(timedelta(minutes=14))
        run_job(app, job)
        request = db.session.query(KioskHelpRequest).one()
        assert request.closed_at is None  # still within its 15 minutes
        clock.shift(timedelta(minutes=1))
        run_job(app, job)
        request = db.session.query(KioskHelpRequest).one()
        assert request.closed_at is not None and request.answered_at is None
        html = _staff(app).get("/staff/kiosk-help").get_data(as_text=True)
        assert "Nobody is waiting for help" in html and "nobody dealt with it" in html
        assert db.session.query(AuditEvent).filter_by(action="kiosk_help_unanswered").count() == 1
        # Asking again afterwards is a new request, texted again.
        clock.shift(timedelta(minutes=5))
        assert "A member of staff has been told" in _ask(kiosk)
    assert db.session.query(Message).filter_by(kind="kiosk_help").count() == 2


def test_a_supervisor_sets_a_hubs_staff_mobile_in_the_hub_form(app):
    world = World()
    staff = _staff(app, role="supervisor")
    url = f"/admin/hubs/{world.hub.id}"
    page = staff.get(url).get_data(as_text=True)
    assert "Staff mobile for kiosk help" in page
    fields = {
        "csrf_token": csrf_token(page),
        "name": world.hub.name,
        "address_line1": world.hub.address_line1,
        "town": world.hub.town,
        "postcode": world.hub.postcode,
        "lat": world.hub.lat,
        "lng": world.hub.lng,
        "has_kiosk": "y",
        "active": "y",
        **{f"hours-{d}-{f}": v for d in range(5) for f, v in (("opens", "09:00"), ("closes", "17:00"))},
    }
    wrong = staff.post(url, data={**fields, "staff_phone": "01380 722000"}).get_data(as_text=True)
    assert "govuk-error-summary" in wrong and "Enter a UK mobile number" in wrong
    assert staff.post(url, data={**fields, "staff_phone": "07700 900777"}).status_code == 302
    db.session.refresh(world.hub)
    assert world.hub.staff_phone == "+447700900777"
    assert re.search(r'value="07700 900777"', staff.get(url).get_data(as_text=True))
    assert staff.post(url, data={**fields, "staff_phone": ""}).status_code == 302
    db.session.refresh(world.hub)
    assert world.hub.staff_phone == ""


def test_help_is_asked_per_person_and_told_once_someone_can_be(app):
    """Found by re-walking: a press before the hub opened kept its request open, so a press after opening
    texted nobody; and after "Start again" the next person was told someone knew when nobody did."""
    world = World()
    world.hub.staff_phone = "+447700900600"
    before_opening = OPEN.replace(hour=8, minute=50)  # 8:50am: the hub opens at 9
    with time_machine.travel(before_opening, tick=False):
        kiosk = _kiosk(app, world.hub)
        assert "has been told" not in _ask(kiosk)
    with time_machine.travel(before_opening + timedelta(minutes=12), tick=False):
        assert "A member of staff has been told" in _ask(kiosk)
        assert db.session.query(Message).filter_by(kind="kiosk_help").count() == 1
        page = kiosk.get("/kiosk/").get_data(as_text=True)
        assert kiosk.post("/kiosk/reset", data={"csrf_token": csrf_token(page)}).status_code == 302
        assert "A member of staff has been told" in _ask(kiosk)  # the next person: told anew
    texts = db.session.query(Message).filter_by(kind="kiosk_help").count()
    assert texts == 2 and db.session.query(KioskHelpRequest).filter_by(closed_at=None).count() == 1


def test_the_start_screen_promises_someone_only_when_someone_can_come(app):
    world = World()
    world.hub.staff_phone = "+447700900600"
    with time_machine.travel(OPEN, tick=False):
        kiosk = _kiosk(app, world.hub)
        assert "someone will come to you" in kiosk.get("/kiosk/").get_data(as_text=True)
    with time_machine.travel(SATURDAY, tick=False):
        kiosk = _kiosk(app, world.hub, name="Lobby")
        page = kiosk.get("/kiosk/").get_data(as_text=True)
        assert "someone will come to you" not in page and "where to get help now" in page


def test_when_nobody_at_the_hub_can_come_the_kiosk_gives_the_councils_own_number(app, configure):
    """The fallback is the contact centre's number from the settings (CONTACT_CENTRE_PHONE), not one
    written into the page: closed, open with no staff phone and no counter, or with only a counter."""
    configure(contact_centre_phone="01225 713000")
    world = World()
    world.hub.staff_phone, world.hub.has_counter = "", False
    with time_machine.travel(SATURDAY, tick=False):
        closed = _ask(_kiosk(app, world.hub))
    with time_machine.travel(OPEN, tick=False):
        nobody = _ask(_kiosk(app, world.hub, name="Lobby"))
        world.hub.has_counter = True
        db.session.commit()
        counter = _ask(_kiosk(app, world.hub, name="Side door"))
        world.hub.staff_phone = "+447700900600"
        db.session.commit()
        told = _ask(_kiosk(app, world.hub, name="Foyer"))
    for page in (closed, nobody):
        assert "Nobody at this hub can come to the kiosk just now" in page
    for page in (closed, nobody, counter):
        assert "Phone 01225 713000, Monday to Friday, 8:30am to 5:30pm." in page and "0300" not in page
    assert "A member of staff has been told" in told and "01225 713000" not in told
