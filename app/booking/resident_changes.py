"""What a resident changes on their booking's page besides its time: how we reach them (phone, email,
how they are reminded) and what the officer should know (access needs, an interpreter).

The answers are checked by the booking journey's own questions (app/forms/booking.py DetailsForm and the
one contact rule, app/messaging/contact.py reminder_gap) before they reach here. Each change takes the
booking's lock (app/booking/locks.py), is refused once the visit has started, happened or been
cancelled, and is recorded three ways: the audit log, the booking's history (which the officer's day
shows: app/safety/officer_day.py) and a confirmation through the outbox. A change of number or address
also redirects what is still waiting to go to the old one and tells the old one
(app/messaging/contact_change.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from app.appointments.presenters import started
from app.booking import call_list, interpreters
from app.booking.customers import check_change_allowance
from app.booking.errors import BookingRuleError, TooManyBookings
from app.booking.locks import lock_appointment
from app.config import settings
from app.extensions import db
from app.i18n import _l
from app.messaging import outbox
from app.messaging.contact import uk_phone
from app.messaging.contact_change import redirect_queued, tell_old_contact
from app.models import Appointment, AppointmentEvent, Customer, Message
from app.models.statuses import ACTIVE
from app.staff import audit
from app.timeutil import utcnow

# The note on the booking's history that the officer's day looks for.
RESIDENT_CHANGED = "Changed by the resident: "
# What staff read on that note, by field.
FIELD_NAMES = {
    "phone": "phone number",
    "email": "email address",
    "preferred_channel": "how to remind them",
    "access_needs": "access needs",
    "interpreter_language": "interpreter",
}
# Each change sends a message to the number or address now on the booking: a few a day is plenty for the
# resident, and far too few to turn a booking into a way to text someone else's phone.
CHANGES_PER_DAY = 5


@dataclass(frozen=True)
class Outcome:
    """What a change did: the fields that changed (none: nothing to do), where its confirmation went
    ({"sms": number, "email": address}) and which old numbers or addresses were told."""

    changed: tuple[str, ...] = ()
    confirmed_to: dict[str, str] = field(default_factory=dict)
    told: dict[str, str] = field(default_factory=dict)


def closed_reason(appointment: Appointment) -> str | None:
    """Why this booking's details can no longer be changed online, in the resident's words; None while
    they can (booked, and its arrival window not over)."""
    if appointment.status == "cancelled":
        return _l("This appointment has been cancelled, so there is nothing to change.")
    if appointment.status == "checked_in":
        return started(appointment)  # worded for its place (a hub: "your appointment at ...")
    if appointment.status in ("completed", "no_show") or appointment.window_end <= utcnow():
        return _l(
            "The time of this appointment has passed, so you cannot change it online. If you need to tell "
            "us something, phone %(phone)s.",
            phone=settings().contact_centre_phone,
        )
    return None


def shared_contact_reason(appointment: Appointment) -> str | None:
    """Why the resident cannot change how we contact them from this booking's link: their record's
    number and address serve their other bookings too, and a change here would send those bookings'
    messages and links to whoever holds this one link (attack of 2 December). None when this is their
    only booking to come. They phone us instead, where the caller is asked who they are."""
    others = db.session.scalar(
        select(func.count(Appointment.id)).where(
            Appointment.customer_id == appointment.customer_id,
            Appointment.id != appointment.id,
            Appointment.status.in_(ACTIVE),
            Appointment.window_end > utcnow(),
        )
    )
    if not others:
        return None
    return _l(
        "We use these contact details for your other bookings with us too, so they cannot be changed from "
        "this booking's page. Phone us on %(phone)s and we will change them for all your bookings.",
        phone=settings().contact_centre_phone,
    )


def _check_open(appointment: Appointment, field_name: str) -> None:
    reason = closed_reason(appointment)
    if reason is not None:
        raise BookingRuleError(field_name, reason)
    since = utcnow() - timedelta(days=1)
    changes = db.session.scalar(
        select(func.count(AppointmentEvent.id)).where(
            AppointmentEvent.appointment_id == appointment.id,
            AppointmentEvent.at >= since,
            AppointmentEvent.note.startswith(RESIDENT_CHANGED),
            AppointmentEvent.channel != "phone",  # told an agent (needs_told_by_phone): not online
        )
    )
    if changes >= CHANGES_PER_DAY:
        raise BookingRuleError(
            field_name,
            _l(
                "You have changed this booking's details several times today. To change them again, phone "
                "%(phone)s.",
                phone=settings().contact_centre_phone,
            ),
        )


def _record(appointment: Appointment, action: str, changed: tuple[str, ...], channel: str) -> int:
    """The audit entry (which fields, not what they now say) and the history event the officer's day
    shows; the event's id, which makes this change's messages unique in the outbox."""
    audit.record(action, "appointment", appointment.reference, channel=channel, changed=list(changed))
    event = AppointmentEvent(
        appointment=appointment,
        status=appointment.status,  # unchanged: a row of its history, as "Officer on the way" is
        channel=channel,
        note=RESIDENT_CHANGED + ", ".join(FIELD_NAMES[name] for name in changed),
    )
    db.session.add(event)
    db.session.flush()
    return event.id


def _where(messages: list[Message]) -> dict[str, str]:
    return {m.channel: m.recipient for m in messages}


def change_contact(
    appointment: Appointment, phone: str, email: str, preferred_channel: str, *, channel: str = "web"
) -> Outcome:
    """Their phone number, email address and how we remind them, for every booking on their record
    (one record per person: "tell us once"). Choosing texts is consent to texts, as when booking
    (app/booking/booking_request.py). Raises BookingRuleError at "phone" when the booking is closed
    (closed_reason) or has had its changes for the day."""
    now = {"phone": uk_phone(phone) or "", "email": email.strip(), "preferred_channel": preferred_channel}
    _take_allowance(appointment, now)  # before the booking's lock: allowances are always locked first
    lock_appointment(appointment)
    customer = appointment.customer
    db.session.refresh(customer)  # as it is now: read before the lock, another change may have won
    changed = tuple(name for name, value in now.items() if getattr(customer, name) != value)
    _check_open(appointment, "phone")
    if (shared := shared_contact_reason(appointment)) is not None:
        raise BookingRuleError("phone", shared)
    if not changed:
        return Outcome()
    before = outbox.reaches(customer)
    for name, value in now.items():
        setattr(customer, name, value)
    if preferred_channel == "sms":
        customer.sms_consent = True
    change = _record(appointment, "resident_contact_changed", changed, channel)
    redirect_queued(customer, change)
    confirmed = outbox.queue_for_resident(appointment, "contact_changed", key_suffix=f"r{change}")
    told = tell_old_contact(appointment, before, change)
    return Outcome(changed, _where(confirmed), _where(told))


def _take_allowance(appointment: Appointment, now: dict[str, str]) -> None:
    """A new number or address, or letters asked for now, uses that allowance as an online booking does
    (customers.check_change_allowance): without it, one booking's link could send our texts,
    emails and letters to any number of strangers, or free its booker's own allowance."""
    customer = appointment.customer
    # Every number and address the change writes to: a new one, and the one reminders go to, changed or
    # not (its confirmation goes there: an unchanged number was texted by changes counted by nobody).
    texted = now["preferred_channel"] == "sms"
    emailed = now["preferred_channel"] == "email"
    phone = now["phone"] if now["phone"] != customer.phone or texted else ""
    email = now["email"] if now["email"].lower() != customer.email.lower() or emailed else ""
    wants_letters = now["preferred_channel"] == "post" and customer.preferred_channel != "post"
    door = (appointment.postcode, appointment.address_line1) if wants_letters else None
    try:
        check_change_allowance(phone, email, door)
    except TooManyBookings as refused:
        raise BookingRuleError(
            "phone",
            _l(
                "We cannot send to that number, email address or address from an online change again today. "
                "Phone us on %(phone)s to change how we contact you",
                phone=settings().contact_centre_phone,
            ),
        ) from refused


def change_needs(
    appointment: Appointment, access_needs: str, interpreter_language: str, *, channel: str = "web"
) -> Outcome:
    """What the officer should know for this visit: its access needs and the interpreter's language (the
    resident's record keeps them too, for their next booking). A new language puts the visit on the
    supervisors' call list when no officer on it speaks it (app/booking/interpreters.py); an interpreter
    no longer needed closes the call to book one. Raises BookingRuleError at "access_needs" as
    change_contact does."""
    lock_appointment(appointment)
    now = {"access_needs": access_needs.strip(), "interpreter_language": interpreter_language.strip()}
    changed = tuple(name for name, value in now.items() if getattr(appointment, name) != value)
    _check_open(appointment, "access_needs")
    if not changed:
        return Outcome()
    change = _apply_needs(appointment, now, changed, channel)
    confirmed = outbox.queue_for_resident(appointment, "needs_changed", key_suffix=f"r{change}")
    return Outcome(changed, _where(confirmed))


def needs_told_by_phone(customer: Customer, access_needs: str, interpreter_language: str) -> int:
    """A caller told an agent what the officer should know: their record (the agent's form has set it)
    and every booked visit still to come take it, each with the history event the officer's day shows,
    as the resident's own change does (channel "phone": not counted in the resident's online changes).
    No message: the caller is on the phone. How many visits changed."""
    now = {"access_needs": access_needs, "interpreter_language": interpreter_language}
    visits = db.session.scalars(
        select(Appointment)
        .where(Appointment.customer_id == customer.id, Appointment.status == "booked")
        .where(Appointment.window_end >= utcnow())
        .order_by(Appointment.id)
    ).all()
    told = 0
    for appointment in visits:
        lock_appointment(appointment)
        changed = tuple(name for name, value in now.items() if getattr(appointment, name) != value)
        if changed and appointment.status == "booked":
            _apply_needs(appointment, now, changed, "phone")
            told += 1
    for name, value in now.items():
        setattr(customer, name, value)
    return told


def _apply_needs(
    appointment: Appointment, now: dict[str, str], changed: tuple[str, ...], channel: str
) -> int:
    """The visit and its resident's record take the new needs; a new interpreter language goes on the
    call list (interpreters.flag_if_needed), one no longer needed leaves it. The history event's id."""
    for name, value in now.items():
        setattr(appointment, name, value)
        setattr(appointment.customer, name, value)
    if "interpreter_language" in changed:
        entry = call_list.open_for(appointment)
        if entry is not None and entry.source == "interpreter":
            call_list.close(entry, None, "The resident changed the interpreter they need")
        interpreters.flag_if_needed(appointment)
    return _record(appointment, "resident_needs_changed", changed, channel)
