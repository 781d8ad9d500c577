""" "Tell us": the public form, texts that are not commands, the staff queue with due dates and
outcomes, and the count on the dashboard."""

from __future__ import annotations

from datetime import date

import time_machine

from app.customers import feedback
from app.extensions import db
from app.inbound.inbound import handle
from app.models import Feedback, Message
from app.reporting.reports import dashboard
from tests.booking_helpers import NOW
from tests.factories import AppointmentFactory
from tests.pages import csrf_token


def test_every_page_links_to_tell_us_from_its_footer(client):
    for url in ("/", "/book/service", "/hubs/", "/accessibility", "/sign-in"):
        html = client.get(url).get_data(as_text=True)
        footer = html[html.index("<footer") :]
        assert 'href="/tell-us"' in footer, url


@time_machine.travel(NOW, tick=False)
def test_a_resident_complains_without_a_reference_and_it_is_due_in_10_working_days(client):
    page = client.get("/tell-us")
    token = csrf_token(page.get_data(as_text=True))
    missing = client.post("/tell-us", data={"csrf_token": token})
    html = missing.get_data(as_text=True)
    assert "govuk-error-summary" in html and "Enter what you want to tell us" in html
    assert "Error: Tell us" in html
    bad_ref = client.post(
        "/tell-us", data={"csrf_token": token, "kind": "complaint", "message": "x", "reference": "nope"}
    )
    assert "Enter the reference as it is" in bad_ref.get_data(as_text=True)
    done = client.post(
        "/tell-us",
        data={"csrf_token": token, "kind": "complaint", "message": "The officer was late", "name": "Jo"},
    )
    assert done.status_code == 302
    item = db.session.query(Feedback).one()
    assert (item.kind, item.source, item.reference) == ("complaint", "web", "")
    assert item.due_on == date(2026, 12, 15)  # 10 working days after Tuesday 1 December


@time_machine.travel(NOW, tick=False)
def test_a_text_that_is_not_a_command_lands_in_the_queue_not_a_canned_answer():
    appointment = AppointmentFactory(window_start=NOW)
    db.session.add(
        Message(
            appointment=appointment, kind="confirmation", channel="sms", recipient=appointment.customer.phone
        )
    )
    db.session.flush()
    inbound = handle("SM-tell-1", appointment.customer.phone, "The parking was hard to find")
    assert inbound.action == "told_us"
    item = db.session.query(Feedback).one()
    assert item.source == "sms" and item.reference == appointment.reference
    assert item.message == "The parking was hard to find" and item.contact == appointment.customer.phone
    reply = db.session.query(Message).filter_by(kind="reply").one()
    assert "gone to our team" in reply.body
    assert handle("SM-tell-2", appointment.customer.phone, "HELP").action == "help"  # a command
    assert db.session.query(Feedback).count() == 1


@time_machine.travel(NOW, tick=False)
def test_staff_close_an_item_with_an_outcome_and_the_dashboard_counts_them(client, sign_in):
    feedback.submit("complaint", "Nobody came", source="web")
    feedback.submit("compliment", "Lovely officer", source="web")
    db.session.commit()
    counts = {row[0]: row[1] for row in dashboard(date(2026, 12, 1))["tell_us"].rows}
    assert counts["Complaints received"] == 1 and counts["Compliments received"] == 1
    assert counts["Still open"] == 2
    sign_in("supervisor")
    queue = client.get("/supervisor/tell-us").get_data(as_text=True)
    assert "Nobody came" in queue and "15 December 2026" in queue
    item = db.session.query(Feedback).filter_by(kind="complaint").one()
    page = client.get(f"/supervisor/tell-us/{item.id}")
    token = csrf_token(page.get_data(as_text=True))
    empty = client.post(f"/supervisor/tell-us/{item.id}", data={"csrf_token": token})
    assert "Enter the outcome" in empty.get_data(as_text=True)
    done = client.post(
        f"/supervisor/tell-us/{item.id}", data={"csrf_token": token, "outcome": "Apologised, rebooked"}
    )
    assert done.status_code == 302
    assert db.session.get(Feedback, item.id).closed_at is not None
    counts = {row[0]: row[1] for row in dashboard(date(2026, 12, 1))["tell_us"].rows}
    assert counts["Still open"] == 1


def test_agents_may_not_see_the_queue(client, sign_in):
    sign_in("agent")
    assert client.get("/supervisor/tell-us").status_code == 403


def test_the_satisfaction_text_links_to_tell_us_within_two_segments():
    from notifications.templates import AppointmentFacts, satisfaction_sms, sms_segments

    facts = AppointmentFacts(
        reference="7K4M-P3QX",
        service="Council tax account and discounts",
        when="Monday 7 December 2026, arriving between 9am and 11am",
        where="12 High Street",
        tell_us_url="https://doorstep.council.example/tell-us",
        council="Wiltshire Council",
    )
    (text,) = satisfaction_sms(facts)  # a list: a text and any follow-up (here none)
    assert "https://doorstep.council.example/tell-us" in text and sms_segments(text) <= 2


def _tell_us(client, **fields):
    page = client.get("/tell-us")
    data = {"csrf_token": csrf_token(page.get_data(as_text=True)), "kind": "complaint"} | fields
    return client.post("/tell-us", data=data, follow_redirects=True)


@time_machine.travel(NOW, tick=False)
def test_a_reference_quoted_with_someone_elses_contact_is_flagged_to_staff_and_nothing_is_disclosed(
    client, sign_in
):
    """Anyone can type a reference they have seen. Staff are warned when the contact given is not the
    booking customer's (or none is given), see when it is, and no page shows the booking's own
    details to whoever wrote in."""
    booking = AppointmentFactory(
        window_start=NOW, reference="ABCD3467", customer__name="Alice Owner", customer__phone="+447700900111",
        customer__email="alice@example.com",
    )  # fmt: skip
    db.session.commit()
    ref = f"{booking.reference[:4]}-{booking.reference[4:]}"
    stranger = _tell_us(
        client, message="The officer was rude", reference=ref, name="Bob Stranger", contact="07700 900999"
    ).get_data(as_text=True)
    assert "Thank you for telling us" in stranger
    assert "Alice" not in stranger and "900111" not in stranger and "alice@" not in stranger
    _tell_us(client, message="Lovely visit", reference=ref.lower(), name="Alice", contact="07700 900111")
    _tell_us(client, message="Also me", reference=ref, contact="ALICE@example.com ")
    _tell_us(client, message="No way to reply", reference=ref)
    _tell_us(client, message="Wrong one", reference="7K4M-P3QX", contact="07700 900999")
    items = {f.message: f for f in db.session.query(Feedback)}
    assert {m: feedback.reference_check(f) for m, f in items.items()} == {
        "The officer was rude": feedback.REFERENCE_UNCONFIRMED,
        "Lovely visit": feedback.REFERENCE_MATCHES,
        "Also me": feedback.REFERENCE_MATCHES,
        "No way to reply": feedback.REFERENCE_UNCONFIRMED,
        "Wrong one": feedback.REFERENCE_UNKNOWN,
    }

    sign_in("supervisor")
    queue = client.get("/supervisor/tell-us").get_data(as_text=True)
    rows = {m: queue[queue.rindex("<tr", 0, queue.index(m)) : queue.index(m)] for m in items}
    assert "Contact not on booking" in rows["The officer was rude"]
    assert "Contact not on booking" in rows["No way to reply"]
    assert "Contact not on booking" not in rows["Lovely visit"] and "No such booking" in rows["Wrong one"]
    page = client.get(f"/supervisor/tell-us/{items['The officer was rude'].id}").get_data(as_text=True)
    assert 'id="reference-warning"' in page
    assert f"The contact details given are not the ones on booking {ref}" in page
    assert "Do not share or change anything about that booking" in page
    assert "Alice" not in page and "900111" not in page  # the booking's customer is not shown
    silent = client.get(f"/supervisor/tell-us/{items['No way to reply'].id}").get_data(as_text=True)
    assert "No contact details were given" in silent and 'id="reference-warning"' in silent
    theirs = client.get(f"/supervisor/tell-us/{items['Lovely visit'].id}").get_data(as_text=True)
    assert 'id="reference-warning"' not in theirs
    assert "the contact given is the one on this booking" in theirs
    unknown = client.get(f"/supervisor/tell-us/{items['Wrong one'].id}").get_data(as_text=True)
    assert "no booking has this reference" in unknown and 'id="reference-warning"' not in unknown
