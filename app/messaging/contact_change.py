"""A resident changed how we reach them (on their booking's page, or an agent did for a caller): texts and
emails still waiting to go to the number or address they gave up go to the new one instead, and, after a
resident's own change, the old one is told, as banks do.

Every message is worded and addressed when it is queued (app/messaging/outbox.py), so a message queued
before the change holds the old number. Most go within a minute; the ones that wait are those held for
9am (quiet hours), those waiting to be tried again after a failure (often the very reason for the
change) and emails waiting for a mail server. A message the dispatcher has already taken ("sending")
cannot be called back. Letters are not touched: the postal address is not part of the change."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.i18n import gettext_for
from app.messaging import outbox
from app.models import Appointment, Customer, Message
from notifications import templates

NOTICE = "contact_notice"
# What queue_for_resident writes about a booking: these are redirected when still waiting.
REDIRECTED = (
    "confirmation", "cancellation", "reschedule", "officer_change", "reminder_day_before",
    "reminder_morning", "satisfaction", "new_link", "contact_changed", "needs_changed",
)  # fmt: skip
# queue_for_resident's keys: "<appointment>:<kind>:<suffix>:<channel>", ":2" for a second text; a message
# redirected before has ":r<change>" (a resident's change) or ":a<change>" (an agent's) after its suffix
# (dropped, so keys do not grow with each change).
_KEY = re.compile(r"^\d+:[a-z_]+:(.*?)(?::[ra]\d+)?:(?:sms|email)(?::\d+)?$")


def redirect_queued(customer: Customer, change: int, by: str = "r") -> list[Message]:
    """Texts and emails about this customer's bookings still waiting to go to a number or address that
    queue_for_resident would not write to now are cancelled and written again, once each, where it would:
    a reminder stays that reminder (its key begins as the reminders job looks for, so it is neither lost
    nor sent twice). `change` makes the new keys unique: a resident's change is its history event ("r"),
    an agent's its audit entry (by="a": another sequence, so another letter). The new messages."""
    theirs = select(Appointment.id).where(Appointment.customer_id == customer.id)
    waiting = db.session.scalars(
        select(Message)
        .where(
            Message.status == "created",
            Message.channel.in_(("sms", "email")),
            Message.kind.in_(REDIRECTED),
            Message.appointment_id.in_(theirs),
        )
        .order_by(Message.id)
    )
    again: dict[tuple[int, str], str] = {}
    for message in waiting:
        if outbox.reaches(customer, message.kind).get(message.channel) == message.recipient:
            continue  # still where it would go
        message.status = "cancelled"
        message.last_error = "The resident changed their contact details before it was sent"
        found = _KEY.match(message.dedupe_key or "")
        again.setdefault((message.appointment_id, message.kind), found.group(1) if found else "")
    db.session.flush()
    queued: list[Message] = []
    for (appointment_id, kind), suffix in again.items():
        appointment = db.session.get(Appointment, appointment_id)
        if kind.startswith("reminder_") and not appointment.is_active:
            continue  # nothing to remind them of any more
        queued += outbox.queue_for_resident(appointment, kind, key_suffix=f"{suffix}:{by}{change}")
    return queued


def tell_old_contact(appointment: Appointment, before: dict[str, str], change: int) -> list[Message]:
    """A short notice to each number or address we wrote to before (`before`: outbox.reaches then) that
    the resident has since replaced: not when they only chose another way to be reminded. It names the
    booking's reference and our phone number, nothing else (templates.contact_notice_sms)."""
    customer = appointment.customer
    facts = outbox.facts(appointment)
    gettext = gettext_for(customer.locale)
    told: list[Message] = []
    old_phone = before.get("sms", "")
    if old_phone and old_phone != customer.phone:
        for number, body in enumerate(templates.contact_notice_sms(facts, gettext), start=1):
            key = f"{appointment.id}:{NOTICE}:{change}:sms" + (f":{number}" if number > 1 else "")
            told.append(outbox.queue_sms(NOTICE, old_phone, body, key, appointment))
    old_email = before.get("email", "")
    if old_email and old_email.lower() != customer.email.strip().lower():
        email = templates.contact_notice_email(facts, gettext)
        key = f"{appointment.id}:{NOTICE}:{change}:email"
        told.append(outbox.queue_email(NOTICE, old_email, email, key, appointment))
    return [m for m in told if m is not None]
