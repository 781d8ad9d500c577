"""Consent to texts: given with a booking, withdrawn by the resident (manage page), by an agent for a
caller, or by a STOP reply. The outbox reads it before writing any text (app/messaging/outbox.py).

A STOP reply is the number's owner speaking, so it binds the number, not just the records that hold it
today: it is kept (sms_opt_out) until the same number replies START, and no text goes to it meanwhile,
whoever books with it. A booking cannot undo it, not even an agent's for a verified caller: the carrier
blocks texts to a number that sent STOP until it sends START, so a tick on a form would only make texts
that fail. The caller is told to reply START."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import Appointment, Customer, Message, SmsOptOut, User
from app.staff import audit
from app.timeutil import utcnow

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT"}  # the carriers' opt-out words
START_WORDS = {"START", "UNSTOP"}


def withdraw_texts(customer: Customer, *, how: str, user: User | None = None) -> int:
    """No more texts to this customer; texts already queued and not yet sent are dropped.
    Returns how many were dropped."""
    customer.sms_consent = False
    if customer.preferred_channel == "sms":
        customer.preferred_channel = "none"
    audit.record("sms_consent_withdrawn", "customer", customer.id, user=user, how=how)
    return _drop_queued_texts([customer.id])


def stop_from(phone: str) -> list[Customer]:
    """A STOP reply: every record with that number stops getting texts."""
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SmsOptOut)
    db.session.execute(insert.values(phone=phone, at=utcnow()).on_conflict_do_nothing())  # two STOPs at once
    customers = list(db.session.scalars(select(Customer).where(Customer.phone == phone)))
    for customer in customers:
        withdraw_texts(customer, how="stop_reply")
    return customers


def start_from(phone: str) -> list[Customer]:
    """START after STOP: the resident asks for texts again."""
    db.session.execute(delete(SmsOptOut).where(SmsOptOut.phone == phone))
    customers = list(db.session.scalars(select(Customer).where(Customer.phone == phone)))
    for customer in customers:
        customer.sms_consent = True
        if customer.preferred_channel == "none":
            customer.preferred_channel = "sms"
        audit.record("sms_consent_given", "customer", customer.id, how="start_reply")
    return customers


def number_stopped(phone: str) -> bool:
    """This number replied STOP and has not replied START since: nothing may be texted to it."""
    return bool(phone) and db.session.get(SmsOptOut, phone) is not None


def _drop_queued_texts(customer_ids: list[int]) -> int:
    theirs = select(Appointment.id).where(Appointment.customer_id.in_(customer_ids))
    result = db.session.execute(
        update(Message)
        .where(
            Message.channel == "sms",
            Message.status == "created",
            Message.appointment_id.in_(theirs),
        )
        .values(status="cancelled", last_error="The resident withdrew consent to texts")
    )
    return result.rowcount or 0
