"""Messages go out once, through the real clients, to local stand-ins that behave like the real thing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import ics
import time_machine
from icalendar import Calendar
from sqlalchemy import event
from twilio.request_validator import RequestValidator

from app.booking.booking_request import CustomerDetails
from app.booking.changes import cancel, record_outcome
from app.extensions import db
from app.messaging.dispatch import MAX_ATTEMPTS, dispatch_due, replay_stuck
from app.messaging.outbox import queue_for_resident
from app.messaging.reminders import queue_due_reminders
from app.models import Message
from notifications.templates import sms_segments
from notifications.webhook import verify
from tests.booking_helpers import NOW, World, book_first_slot
from tests.factories import AppointmentFactory
from tests.standins.twilio_api import AUTH_TOKEN


def _book(world, channel="sms", email="jo@example.com", notes=""):
    appointment = book_first_slot(
        world,
        CustomerDetails(
            name="Jo Bloggs", phone="+447700900123", email=email, preferred_channel=channel, sms_consent=True
        ),
        notes=notes,
    )
    db.session.commit()
    return appointment


def _messages(**filters):
    return db.session.query(Message).filter_by(**filters).order_by(Message.id).all()


@time_machine.travel(NOW, tick=False)
def test_confirmation_sms_goes_through_the_real_twilio_client(twilio):
    world = World()
    appointment = _book(world, notes="Officer note: dog in garden")
    report = dispatch_due()
    assert report.sent == 1 and report.failed == 0
    (sent,) = twilio.messages
    (row,) = _messages(kind="confirmation")
    assert row.status == "sent" and row.provider_id == sent["sid"]
    assert sent["to"] == "+447700900123" and sent["status_callback"].endswith("/webhooks/twilio/status")
    body = sent["body"]
    assert f"{appointment.reference[:4]}-{appointment.reference[4:]}" in body
    assert "Monday 7 December" in body and sms_segments(body) <= 2
    assert "dog" not in body  # nothing staff-only reaches the resident


@time_machine.travel(NOW, tick=False)
def test_email_confirmation_carries_a_calendar_file_that_matches(smtp):
    world = World()
    appointment = _book(world, channel="email")
    assert dispatch_due().sent == 1
    (email,) = smtp.messages
    assert email["To"] == "jo@example.com" and appointment.reference[:4] in email["Subject"]
    assert "Proof of identity" in email.get_body(("plain",)).get_content()
    (attachment,) = list(email.iter_attachments())
    content = attachment.get_content()
    content = content if isinstance(content, str) else content.decode()
    calendar = Calendar.from_ical(content)
    event = calendar.walk("VEVENT")[0]
    assert str(event["uid"]) == f"{appointment.reference}@doorstep"
    assert event.decoded("dtstart").astimezone(UTC) == appointment.window_start
    assert ics.Calendar(content).events  # a second, independent parser agrees


@time_machine.travel(NOW, tick=False)
def test_crm_gets_signed_events(crm):
    world = World()
    appointment = _book(world, channel="none")
    cancel(appointment, "No longer needed")
    db.session.commit()
    assert dispatch_due().sent == 2
    events = [r["json"]["event"] for r in crm.received]
    assert events == ["appointment.booked", "appointment.cancelled"]
    first = crm.received[0]
    headers = {k.lower(): v for k, v in first["headers"].items()}
    assert verify(
        "crm-shared-secret", headers["x-doorstep-timestamp"], first["body"], headers["x-doorstep-signature"]
    )
    assert not verify(
        "wrong-secret", headers["x-doorstep-timestamp"], first["body"], headers["x-doorstep-signature"]
    )
    assert first["json"]["data"]["reference"] == appointment.reference


@time_machine.travel(NOW, tick=False)
def test_provider_trouble_is_retried_with_backoff_then_marked_failed(twilio):
    world = World()
    _book(world)
    twilio.fail_next = 100
    report = dispatch_due()
    (row,) = _messages()
    assert report.retried == 1 and row.status == "created" and row.next_attempt_at > NOW
    for _ in range(MAX_ATTEMPTS):
        row.next_attempt_at = NOW
        db.session.commit()
        dispatch_due()
    db.session.refresh(row)
    assert row.status == "technical_failure" and row.attempts == MAX_ATTEMPTS
    assert twilio.messages == []


@time_machine.travel(NOW, tick=False)
def test_a_message_stuck_in_sending_is_not_sent_twice(twilio):
    world = World()
    _book(world)
    dispatch_due()
    (row,) = _messages()
    # As if the dispatcher died after Twilio accepted the text but before recording it.
    row.status, row.provider_id, row.sending_at = "sending", "", NOW - timedelta(minutes=10)
    db.session.commit()
    assert replay_stuck() == 1
    db.session.refresh(row)
    assert row.status == "sent" and row.provider_id == twilio.messages[0]["sid"]
    dispatch_due()
    assert len(twilio.messages) == 1


def test_a_batch_the_provider_is_too_slow_for_goes_back_to_the_queue(twilio):
    """Each send starts soon after its claim (what the replay relies on): the rest of a slow batch is
    handed back and claimed afresh, and every message still goes exactly once."""
    for n in range(3):
        db.session.add(Message(kind="reply", channel="sms", recipient=f"+44770090010{n}", body=f"Text {n}"))
    db.session.commit()
    report = dispatch_due(send_within=timedelta(0))
    assert report.sent == 3 and sorted(twilio.bodies()) == ["Text 0", "Text 1", "Text 2"]
    assert [(m.status, m.attempts) for m in _messages()] == [("sent", 1)] * 3


def test_replay_waits_longer_than_any_send_can_take(twilio):
    """A replay must never overlap a send still in flight: every send starts within SEND_WITHIN of its
    claim, and every client gives up within its timeout."""
    from app.messaging.dispatch import SEND_WITHIN, STUCK_AFTER
    from app.messaging.senders import configured
    from notifications.email import SmtpEmail
    from notifications.webhook import WebhookSender

    longest = max(
        configured().sms.client.http_client.timeout,
        SmtpEmail("localhost").timeout,
        WebhookSender("https://crm.example", "secret").timeout,
    )
    assert longest > 0 and STUCK_AFTER.total_seconds() >= 2 * (SEND_WITHIN.total_seconds() + longest)


def test_reminders_come_once_and_only_in_the_day():
    world = World()
    with time_machine.travel(NOW, tick=False):
        appointment = _book(world)
    db.session.query(Message).delete()
    db.session.commit()
    sunday_early = datetime(2026, 12, 6, 7, 30, tzinfo=UTC)
    with time_machine.travel(sunday_early, tick=False):
        assert queue_due_reminders() == 0  # 7:30am: too early
    with time_machine.travel(sunday_early + timedelta(hours=2), tick=False):
        assert queue_due_reminders() == 1
        assert queue_due_reminders() == 0  # the same reminder is never queued twice
    with time_machine.travel(datetime(2026, 12, 6, 20, 30, tzinfo=UTC), tick=False):
        assert queue_due_reminders() == 0  # 8:30pm: too late
    if appointment.window_start.hour >= 10:
        with time_machine.travel(datetime(2026, 12, 7, 9, 1, tzinfo=UTC), tick=False):
            assert queue_due_reminders() == 1
    kinds = [m.kind for m in _messages()]
    assert kinds.count("reminder_day_before") == 1 and kinds.count("reminder_morning") <= 1


@time_machine.travel(NOW, tick=False)
def test_the_same_message_kind_is_queued_once_per_appointment():
    world = World()
    appointment = _book(world)
    queue_for_resident(appointment, "reminder_day_before", key_suffix="x")
    queue_for_resident(appointment, "reminder_day_before", key_suffix="x")
    db.session.commit()
    assert len(_messages(kind="reminder_day_before")) == 1


def _signed_post(client, url, form):
    full = f"https://doorstep.council.example{url}"
    signature = RequestValidator(AUTH_TOKEN).compute_signature(full, form)
    return client.post(url, data=form, headers={"X-Twilio-Signature": signature})


@time_machine.travel(NOW, tick=False)
def test_status_callbacks_update_delivery_and_forgeries_are_refused(client, twilio):
    world = World()
    _book(world)
    dispatch_due()
    (row,) = _messages()
    forged = client.post(
        "/webhooks/twilio/status",
        data={"MessageSid": row.provider_id, "MessageStatus": "failed"},
        headers={"X-Twilio-Signature": "forged"},
    )
    assert forged.status_code == 403
    db.session.refresh(row)
    assert row.status == "sent"
    ok = _signed_post(
        client, "/webhooks/twilio/status", {"MessageSid": row.provider_id, "MessageStatus": "delivered"}
    )
    assert ok.status_code == 204
    db.session.refresh(row)
    assert row.status == "delivered"


@time_machine.travel(NOW, tick=False)
def test_reply_cancel_cancels_and_confirms(client, twilio):
    world = World()
    appointment = _book(world)
    response = _signed_post(
        client,
        "/webhooks/twilio/inbound",
        {"MessageSid": "SM" + "1" * 32, "From": "+447700900123", "Body": " cancel "},
    )
    assert response.status_code == 200 and "<Response>" in response.get_data(as_text=True)
    db.session.refresh(appointment)
    assert appointment.status == "cancelled"
    assert [m.kind for m in _messages()] == ["confirmation", "cancellation"]
    # Twilio may deliver the same webhook twice: nothing happens the second time.
    _signed_post(
        client,
        "/webhooks/twilio/inbound",
        {"MessageSid": "SM" + "1" * 32, "From": "+447700900123", "Body": "CANCEL"},
    )
    assert len(_messages()) == 2


@time_machine.travel(NOW, tick=False)
def test_satisfaction_reply_is_stored_against_the_visit(client, twilio):
    world = World()
    appointment = _book(world)
    record_outcome(appointment, "completed")
    db.session.commit()
    assert "satisfaction" in [m.kind for m in _messages()]
    _signed_post(
        client,
        "/webhooks/twilio/inbound",
        {"MessageSid": "SM" + "2" * 32, "From": "+447700900123", "Body": "4"},
    )
    db.session.refresh(appointment)
    assert appointment.satisfaction_score == 4
    _signed_post(
        client,
        "/webhooks/twilio/inbound",
        {"MessageSid": "SM" + "3" * 32, "From": "+447700900123", "Body": "what time is it?"},
    )
    replies = _messages(kind="reply")
    assert "Thank you" in replies[0].body and "gone to our team" in replies[1].body  # to "Tell us"


def test_forged_inbound_changes_nothing(client, twilio):
    response = client.post(
        "/webhooks/twilio/inbound", data={"MessageSid": "SMx", "From": "+447700900123", "Body": "CANCEL"}
    )
    assert response.status_code == 403 and _messages() == []


@time_machine.travel(NOW, tick=False)
def test_staff_see_each_message_in_the_api(client, twilio, make_user):
    from app.staff.tokens import create_token

    world = World()
    appointment = _book(world)
    dispatch_due()
    secret = create_token(make_user(role="agent"))
    db.session.commit()
    data = client.get(
        f"/api/v1/appointments/{appointment.reference}/messages",
        headers={"Authorization": f"Bearer {secret}"},
    ).get_json()
    assert [(m["kind"], m["channel"], m["status"]) for m in data["messages"]] == [
        ("confirmation", "sms", "sent")
    ]
    assert data["messages"][0]["provider_id"].startswith("SM")


def _statements_during(work) -> tuple[object, int]:
    """What `work` returned, and how many SQL statements it sent (work done, not time taken)."""
    sent = []

    def count(*_args):
        sent.append(1)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        result = work()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    return result, len(sent)


def test_the_reminders_job_does_work_only_for_reminders_newly_due():
    """The job runs every 15 minutes; a visit whose reminder is already queued is skipped before it is
    rendered, so a later run costs the same few statements however many visits it has reminded, and
    a visit booked or moved since still gets its reminder, once."""
    sunday = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)  # visits on Monday 7 December get theirs today
    monday_at = [datetime(2026, 12, 7, 9 + n % 8, 0, tzinfo=UTC) for n in range(12)]
    visits = [
        AppointmentFactory(window_start=at, customer__sms_consent=True, customer__preferred_channel="sms")
        for at in monday_at[:3]
    ]
    db.session.commit()
    with time_machine.travel(sunday, tick=False):
        assert queue_due_reminders() == 3
        db.session.commit()
        queued, with_three_reminded = _statements_during(queue_due_reminders)
        assert queued == 0 and with_three_reminded <= 5  # the visits, and the keys already queued
        visits += [
            AppointmentFactory(window_start=at, customer__sms_consent=True, customer__preferred_channel="sms")
            for at in monday_at[3:]
        ]
        db.session.commit()
    with time_machine.travel(sunday + timedelta(minutes=15), tick=False):
        assert queue_due_reminders() == 9  # only the nine booked since
        db.session.commit()
        assert _statements_during(queue_due_reminders) == (0, with_three_reminded)  # twelve: the same
        visits[0].window_start += timedelta(hours=3)  # moved to later the same day: a new reminder
        visits[0].window_end += timedelta(hours=3)
        db.session.commit()
    with time_machine.travel(sunday + timedelta(minutes=30), tick=False):
        assert queue_due_reminders() == 1
        db.session.commit()
        assert queue_due_reminders() == 0
    reminders = _messages(kind="reminder_day_before")
    assert len(reminders) == 13 and len({m.dedupe_key for m in reminders}) == 13
    assert all(m.channel == "sms" for m in reminders)
