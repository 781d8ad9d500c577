"""Consent to texts: given with a booking, withdrawn by the resident (manage page), by an agent for a
caller, or by a STOP reply. The outbox reads it before writing any text (app/messaging/outbox.py)."""

from __future__ import annotations

from sqlalchemy import select, update

from app.extensions import db
from app.models import Appointment, Customer, Message, User
from app.staff import audit

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
    customers = list(db.session.scalars(select(Customer).where(Customer.phone == phone)))
    for customer in customers:
        withdraw_texts(customer, how="stop_reply")
    return customers


def start_from(phone: str) -> list[Customer]:
    """START after STOP: the resident asks for texts again."""
    customers = list(db.session.scalars(select(Customer).where(Customer.phone == phone)))
    for customer in customers:
        customer.sms_consent = True
        if customer.preferred_channel == "none":
            customer.preferred_channel = "sms"
        audit.record("sms_consent_given", "customer", customer.id, how="start_reply")
    return customers


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
