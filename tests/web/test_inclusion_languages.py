"""The pages residents reach after booking or from the footer speak their language too: Tell us, the hub
pages, the equality questions, rating a visit (link and kiosk), the booking rules they can run into and
WTForms' own messages. Agents and officers asking the same questions still see English."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import time, timedelta

import pytest
import time_machine
from flask_babel import refresh

from app.booking.changes import record_outcome
from app.booking.errors import BookingRuleError
from app.customers import satisfaction
from app.extensions import db
from app.i18n import _l, gettext_for
from app.kiosk.kiosk import register
from app.models import HubOpening
from tests.booking_helpers import NOW, World
from tests.factories import AppointmentFactory, CustomerFactory
from tests.pages import csrf_token, set_up_kiosk

AFTER = NOW + timedelta(days=6, hours=8)


def _lang(html: str) -> str:
    return re.search(r'<html lang="([^"]+)"', html).group(1)


def _in(locale: str, client) -> Callable[[str], str]:
    client.get(f"/language/{locale}")
    return gettext_for(locale)


@pytest.mark.parametrize("locale", ["pl", "ne"])
def test_tell_us_speaks_the_residents_language_down_to_wtforms_own_messages(client, locale):
    _ = _in(locale, client)
    page = client.get("/tell-us").get_data(as_text=True)
    assert _lang(page) == locale
    assert _("What would you like to tell us?") in page and _("A compliment: something went well") in page
    token = csrf_token(page)
    empty = client.post("/tell-us", data={"csrf_token": token}).get_data(as_text=True)
    assert _("Select whether this is a complaint, a compliment or a comment") in empty
    assert _("Enter what you want to tell us") in empty
    forged = client.post("/tell-us", data={"csrf_token": token, "kind": "praise", "message": "Hi"})
    assert _("Not a valid choice.") in forged.get_data(as_text=True)  # WTForms' message, translated
    assert _("Not a valid choice.") != "Not a valid choice."
    sent = client.post(
        "/tell-us",
        data={"csrf_token": token, "kind": "comment", "message": "Dziękuję"},
        follow_redirects=True,
    )
    assert _("Thank you for telling us") in sent.get_data(as_text=True)


def test_the_hub_pages_in_polish_name_the_days_and_hours_in_polish(client):
    world = World()
    world.hub.opening_hours.append(HubOpening(weekday=5, opens=time(9), closes=time(12, 30)))
    db.session.commit()
    _ = _in("pl", client)
    index = client.get("/hubs/").get_data(as_text=True)
    assert _lang(index) == "pl" and _("(also open on Saturdays)") in index
    page = client.get(f"/hubs/{world.hub.code}").get_data(as_text=True)
    assert "Sobota" in page and "9:00–12:30" in page and "Niedziela" in page
    assert _("Opening hours") in page and _("What you can do here") in page


@time_machine.travel(NOW, tick=False)
def test_the_equality_questions_after_booking_are_in_nepali_and_the_agents_in_english(client, sign_in):
    world = World()
    appointment = AppointmentFactory(service=world.service, customer=CustomerFactory(), window_start=AFTER)
    db.session.commit()
    _ = _in("ne", client)
    with client.session_transaction() as session:
        session["booked_reference"] = appointment.reference
    page = client.get("/book/equality").get_data(as_text=True)
    assert _lang(page) == "ne"
    for text in ("What is your ethnic group?", "Mixed or Multiple ethnic groups", "Prefer not to say"):
        assert _(text) in page
    assert _("Skip these questions") in page
    sign_in("agent")
    by_phone = client.get(f"/agent/appointments/{appointment.id}/equality").get_data(as_text=True)
    assert _lang(by_phone) == "en" and "What is your ethnic group?" in by_phone


@time_machine.travel(AFTER, tick=False)
def test_rating_by_the_email_link_and_at_the_kiosk_in_polish(client):
    world = World()
    appointment = AppointmentFactory(
        service=world.service,
        customer=CustomerFactory(),
        window_start=AFTER - timedelta(hours=2),
        location_type="hub",
        hub=world.hub,
    )
    record_outcome(appointment, "completed")
    _device, kiosk_token = register(world.hub, "Kiosk")
    db.session.commit()
    _ = _in("pl", client)
    link = satisfaction.rating_url(appointment)
    path = link[link.index("/rate/") :]
    page = client.get(path).get_data(as_text=True)
    assert _lang(page) == "pl" and _("How was your visit?") in page and _("5: very good") in page
    missing = client.post(path, data={"csrf_token": csrf_token(page)}).get_data(as_text=True)
    assert _("Select how the visit was, from 1 (very poor) to 5 (very good)") in missing
    set_up_kiosk(client, kiosk_token)
    client.get("/language/pl")
    kiosk = client.get("/kiosk/rate").get_data(as_text=True)
    wrong = client.post(
        "/kiosk/rate", data={"csrf_token": csrf_token(kiosk), "reference": "ABCD-EFGH", "score": "4"}
    ).get_data(as_text=True)
    assert _(
        "We cannot find a visit at this hub today with that reference. Check it, or ask at the counter"
    ) in (wrong)


def test_a_booking_rule_a_resident_meets_is_in_their_language_and_english_on_the_api(app):
    error = BookingRuleError("appointment", _l("This appointment is in the past"))
    with app.test_request_context("/manage/booking"):
        from flask import session

        session["locale"] = "pl"
        refresh()
        polish = gettext_for("pl")("This appointment is in the past")
        assert error.message == polish != "This appointment is in the past"
    with app.test_request_context("/api/v1/appointments"):
        refresh()  # a real request has its own app context; this test shares one
        assert error.message == "This appointment is in the past"


# Open to anyone, but not pages residents read: staff sign-in, machine interfaces, the officer's
# offline page and calendar feed, and static files.
NOT_FOR_RESIDENTS = {"auth", "api", "webhooks", "officer", "calendar_feed", None}


def test_every_page_open_to_residents_speaks_their_language_and_no_staff_page_does(app):
    """A new public or kiosk page lands in a residents' blueprint (translated), or is named above."""
    from app.i18n import RESIDENT_BLUEPRINTS
    from app.web.access import rule_for

    untranslated, staff_translated = [], []
    for rule in app.url_map.iter_rules():
        blueprint = rule.endpoint.rsplit(".", 1)[0] if "." in rule.endpoint else None
        access = rule_for(rule.endpoint)
        if rule.endpoint == "static" or rule.endpoint.endswith(".static") or access is None:
            continue
        resident_page = access.kind in ("public", "kiosk")
        if resident_page and blueprint not in RESIDENT_BLUEPRINTS | NOT_FOR_RESIDENTS:
            untranslated.append(rule.endpoint)
        if not resident_page and blueprint in RESIDENT_BLUEPRINTS:
            staff_translated.append(rule.endpoint)
    assert untranslated == [] and staff_translated == []
