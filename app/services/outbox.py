"""Queue messages in the same transaction as the change that causes them.

Kinds: confirmation, cancellation, reschedule, officer_change, reminder_day_before, reminder_morning,
satisfaction (to residents, by their preferred channel) and CRM webhook events. Residents who asked for
post, or whom no text or email can reach, get the confirmation and every change as a printed `letter`
(never a reminder: it would arrive too late); letters wait for the daily print batch
(app/services/letters.py), not the dispatcher. A dedupe key makes
each one unique per appointment and change, so a retried job or request can never queue the same message
twice.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Appointment, Message
from app.services.links import manage_url
from app.services.presenters import as_json, officer_first_name, when, where
from app.services.references import format_reference
from app.services.satisfaction import rating_url
from app.timeutil import LONDON, to_local, utcnow
from notifications import templates
from notifications.templates import AppointmentFacts

QUIET_START, QUIET_END = time(20, 0), time(9, 0)  # nothing routine between 8pm and 9am UK time
ROUTINE = {"reminder_day_before", "reminder_morning", "satisfaction"}
WEBHOOK_EVENTS = {
    "booked": "appointment.booked",
    "cancellation": "appointment.cancelled",
    "reschedule": "appointment.rescheduled",
    "officer_change": "appointment.officer_changed",
    "completed": "appointment.completed",
    "no_show": "appointment.no_show",
}


def facts(appointment: Appointment) -> AppointmentFacts:
    return AppointmentFacts(
        reference=format_reference(appointment.reference),
        service=appointment.service.name,
        when=when(appointment),
        where=where(appointment),
        officer_first_name=officer_first_name(appointment),
        documents=tuple(appointment.service.document_list),
        manage_url=manage_url(appointment),
        tell_us_url=f"{current_app.config['PUBLIC_BASE_URL']}/tell-us",
        rating_url=rating_url(appointment) if appointment.status == "completed" else "",
        council=current_app.config["COUNCIL_NAME"],
    )


def next_allowed(moment: datetime) -> datetime:
    """The same moment if it is between 9am and 8pm UK time, else the next 9am."""
    local = to_local(moment)
    if QUIET_END <= local.time() < QUIET_START:
        return moment
    day = local.date() if local.time() < QUIET_END else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_END, tzinfo=LONDON)


def _add(message: Message) -> Message | None:
    """Insert unless a message with the same dedupe key exists; never fails the caller's change."""
    if message.dedupe_key and db.session.scalar(
        select(Message.id).where(Message.dedupe_key == message.dedupe_key)
    ):
        return None
    try:
        with db.session.begin_nested():
            db.session.add(message)
        return message
    except IntegrityError:
        return None


def _resident_text(kind: str, f: AppointmentFacts) -> str:
    return {
        "confirmation": lambda: templates.confirmation_sms(f),
        "cancellation": lambda: templates.cancellation_sms(f),
        "reschedule": lambda: templates.reschedule_sms(f),
        "officer_change": lambda: templates.officer_change_sms(f),
        "reminder_day_before": lambda: templates.reminder_sms(f, morning=False),
        "reminder_morning": lambda: templates.reminder_sms(f, morning=True),
        "satisfaction": lambda: templates.satisfaction_sms(f),
    }[kind]()


LETTER_KINDS = ("confirmation", "cancellation", "reschedule", "officer_change")


def postal_address(customer) -> tuple[str, ...]:
    """Name and address for an envelope, or () when we have no address to post to."""
    lines = (customer.address_line1, customer.address_line2, customer.town, customer.postcode)
    if not (customer.address_line1 and customer.postcode):
        return ()
    return (customer.name, *(line for line in lines if line))


def wants_letters(customer) -> bool:
    """They asked for post, or chose texts or email but gave us no way to send them."""
    if customer.preferred_channel == "post":
        return True
    unreachable = not customer.phone and not customer.email
    return unreachable and customer.preferred_channel in ("sms", "email")


def queue_letter(appointment: Appointment, kind: str, key_suffix: str = "") -> Message | None:
    """A printed letter of this kind, for the next print batch; None without a postal address."""
    address = postal_address(appointment.customer)
    if not address or kind not in LETTER_KINDS:
        return None
    letter = templates.letter_for(kind, facts(appointment), appointment.customer.name)
    suffix = key_suffix or str(appointment.sequence)
    return _add(
        Message(
            appointment=appointment,
            kind=kind,
            channel="letter",
            recipient="\n".join(address),
            subject=letter.subject,
            body=letter.body,
            dedupe_key=f"{appointment.id}:{kind}:{suffix}:letter",
        )
    )


def queue_for_resident(appointment: Appointment, kind: str, key_suffix: str = "") -> list[Message]:
    """The message of this kind by the resident's chosen channel(s)."""
    customer = appointment.customer
    if kind in LETTER_KINDS and wants_letters(customer):
        letter = queue_letter(appointment, kind, key_suffix)
        return [letter] if letter is not None else []
    if kind == "satisfaction":
        from app.services.satisfaction import should_ask

        if not should_ask(appointment):
            return []
    texts = bool(customer.preferred_channel == "sms" and customer.phone and customer.sms_consent)
    emails = bool(customer.preferred_channel == "email" and customer.email)
    if not (texts or emails):
        return []  # no channel reaches them: nothing to write
    f = facts(appointment)
    due = utcnow()
    if kind in ROUTINE:
        due = next_allowed(due)
    suffix = key_suffix or str(appointment.sequence)
    queued = []
    if texts:
        queued.append(
            _add(
                Message(
                    appointment=appointment,
                    kind=kind,
                    channel="sms",
                    recipient=customer.phone,
                    body=_resident_text(kind, f),
                    next_attempt_at=due,
                    dedupe_key=f"{appointment.id}:{kind}:{suffix}:sms",
                )
            )
        )
    if emails:
        email = templates.email_for(kind, f)
        queued.append(
            _add(
                Message(
                    appointment=appointment,
                    kind=kind,
                    channel="email",
                    recipient=customer.email,
                    subject=email.subject,
                    body=email.body,
                    next_attempt_at=due,
                    dedupe_key=f"{appointment.id}:{kind}:{suffix}:email",
                )
            )
        )
    return [m for m in queued if m is not None]


def queue_webhook(appointment: Appointment, change: str) -> Message | None:
    if not current_app.config["CRM_WEBHOOK_URL"] or change not in WEBHOOK_EVENTS:
        return None
    event = WEBHOOK_EVENTS[change]
    data = as_json(appointment)
    data["customer"] = {
        "name": appointment.customer.name,
        "phone": appointment.customer.phone,
        "email": appointment.customer.email,
    }
    return _add(
        Message(
            appointment=appointment,
            kind=event,
            channel="webhook",
            recipient=current_app.config["CRM_WEBHOOK_URL"],
            payload=data,
            dedupe_key=f"{appointment.id}:{event}:{appointment.sequence}",
        )
    )


def appointment_changed(appointment: Appointment, change: str) -> list[Message]:
    """Called after booked / cancellation / reschedule / officer_change / completed / no_show.
    Returns what was queued for the resident (nothing when no channel reaches them)."""
    db.session.flush()
    resident_kind = {
        "booked": "confirmation",
        "cancellation": "cancellation",
        "reschedule": "reschedule",
        "officer_change": "officer_change",
        "completed": "satisfaction",
    }.get(change)
    queued = queue_for_resident(appointment, resident_kind) if resident_kind else []
    queue_webhook(appointment, change)
    return queued


def queue_reply(phone: str, body: str, appointment: Appointment | None, inbound_id: str) -> Message | None:
    return _add(
        Message(
            appointment=appointment,
            kind="reply",
            channel="sms",
            recipient=phone,
            body=body,
            dedupe_key=f"reply:{inbound_id}",
        )
    )


def queue_staff_email(kind: str, recipients: list[str], subject: str, body: str, key: str) -> list[Message]:
    """An email to council staff (not a resident): one row per address, each sent once."""
    queued = [
        _add(
            Message(
                kind=kind,
                channel="email",
                recipient=address,
                subject=subject,
                body=body,
                dedupe_key=f"{kind}:{key}:{address}"[:120],
            )
        )
        for address in recipients
    ]
    return [m for m in queued if m is not None]


def for_appointment(appointment: Appointment) -> list[Message]:
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.appointment_id == appointment.id)
            .order_by(Message.created_at, Message.id)
        )
    )
