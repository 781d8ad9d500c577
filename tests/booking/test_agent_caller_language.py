"""An agent on the phone sees and sets the language a caller's messages come in, on the caller's page;
every later message uses it (checked through the outbox, as for the resident's own change)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from app.booking.booking_request import CustomerDetails
from app.extensions import db
from app.i18n import gettext_for
from app.messaging.outbox import facts, resident_texts
from app.messaging.reminders import queue_due_reminders
from app.models import Appointment, AuditEvent, Message
from tests.booking_helpers import NOW, book_first_slot, world_with_a_street
from tests.pages import csrf_token


@pytest.fixture
def appointment() -> Appointment:
    world = world_with_a_street("SN10 1AA")
    with time_machine.travel(NOW, tick=False):
        booked = book_first_slot(
            world,
            CustomerDetails(
                name="Jo Bloggs", phone="+447700900123", preferred_channel="sms", sms_consent=True
            ),
        )
    db.session.commit()
    return booked


def _language_path(appointment: Appointment) -> str:
    return f"/agent/customers/{appointment.customer_id}/language"


def test_the_agent_sets_the_callers_language_and_later_messages_use_it(client, sign_in, appointment):
    with time_machine.travel(NOW, tick=False):
        agent = sign_in("agent")
        page = client.get(f"/agent/customers/{appointment.customer_id}").get_data(as_text=True)
        # Said once, by the radios (a summary row said it again just above them).
        assert page.count("Texts, emails and letters in") == 1 and 'value="en" checked' in page
        assert 'lang="pl" for="locale-2">' in page  # each language named in itself, marked as that language
        token = csrf_token(page)
        assert client.post(_language_path(appointment), data={"locale": "pl"}).status_code == 400  # no CSRF
        refused = client.post(_language_path(appointment), data={"csrf_token": token, "locale": "xx"})
        assert refused.status_code == 400
        html = refused.get_data(as_text=True)
        assert "govuk-error-summary" in html and "Select the language to write to the caller in" in html
        assert 'href="#locale"' in html  # the summary leads to the radios
        db.session.refresh(appointment.customer)
        assert appointment.customer.locale == "en"
        done = client.post(_language_path(appointment), data={"csrf_token": token, "locale": "pl"})
        assert done.headers["Location"] == f"/agent/customers/{appointment.customer_id}"
        page = client.get(done.headers["Location"]).get_data(as_text=True)
        assert "Language changed: we will write to the caller in Polish." in page
        assert 'value="pl" checked' in page
    db.session.refresh(appointment.customer)
    assert appointment.customer.locale == "pl"
    event = db.session.query(AuditEvent).filter_by(action="language_changed").one()
    assert event.user_id == agent.id and event.detail == {"how": "agent", "was": "en", "now": "pl"}
    with time_machine.travel(datetime(2026, 12, 6, 10, 0, tzinfo=UTC), tick=False):  # the day before
        assert queue_due_reminders() == 1
        db.session.commit()
        reminder = db.session.query(Message).filter_by(kind="reminder_day_before").one()
        polish = resident_texts("reminder_day_before", facts(appointment), gettext_for("pl"))
        english = resident_texts("reminder_day_before", facts(appointment), gettext_for("en"))
    assert reminder.body == polish[0] and reminder.body != english[0]


@time_machine.travel(NOW, tick=False)
def test_the_same_language_again_changes_nothing_and_records_nothing(client, sign_in, appointment):
    sign_in("agent")
    token = csrf_token(client.get(f"/agent/customers/{appointment.customer_id}").get_data(as_text=True))
    client.post(_language_path(appointment), data={"csrf_token": token, "locale": "en"})
    page = client.get(f"/agent/customers/{appointment.customer_id}").get_data(as_text=True)
    assert "Language changed" not in page
    assert not db.session.query(AuditEvent).filter_by(action="language_changed").count()


@time_machine.travel(NOW, tick=False)
def test_an_officer_cannot_change_a_callers_language(client, sign_in, appointment):
    sign_in("officer")
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post(_language_path(appointment), data={"csrf_token": token, "locale": "pl"})
    assert response.status_code == 403
    db.session.refresh(appointment.customer)
    assert appointment.customer.locale == "en"
