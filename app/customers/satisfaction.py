"""Satisfaction at the point of delivery (seeds/004 para 41), on every channel: a text reply, a link in
an email, the kiosk at the hub, and the officer asking the resident on their phone, each with an
optional comment.

One answer per visit, whichever channel gives it first; once given, any question still waiting in the
outbox is withdrawn. Nobody is asked twice: not about a visit already rated, not again within
ASK_AGAIN_AFTER of the last time we asked them, and never someone who said no to messages."""

from __future__ import annotations

from datetime import timedelta

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select, update

from app.appointments.links import external_url
from app.config import settings
from app.customers.equality import visit_key
from app.extensions import db
from app.models import Appointment, Customer, EqualityResponse, Message
from app.staff import audit
from app.timeutil import utcnow

CHANNELS = {
    "sms": "Text reply",
    "email": "Email link",
    "kiosk": "Hub kiosk",
    "officer": "Asked by the officer",
}
ASK_AGAIN_AFTER = timedelta(days=90)
LINK_MAX_AGE = 14 * 24 * 3600
SALT = "doorstep-rate"


def already_asked_recently(customer: Customer, now=None) -> bool:
    now = now or utcnow()
    return (
        db.session.scalar(
            select(Message.id)
            .join(Appointment, Message.appointment_id == Appointment.id)
            .where(
                Appointment.customer_id == customer.id,
                Message.kind == "satisfaction",
                Message.created_at > now - ASK_AGAIN_AFTER,
            )
            .limit(1)
        )
        is not None
    )


def should_ask(appointment: Appointment) -> bool:
    """Ask by message only when the visit has no answer yet and the resident is happy to hear from us."""
    customer = appointment.customer
    if appointment.satisfaction_score is not None or customer.preferred_channel in ("none", "post"):
        return False
    return not already_asked_recently(customer)


def record(appointment: Appointment, score: int, channel: str, comment: str = "") -> bool:
    """Keep the first answer for a visit; False if it already had one."""
    if appointment.satisfaction_score is not None or not 1 <= score <= 5 or channel not in CHANNELS:
        return False
    appointment.satisfaction_score, appointment.satisfaction_at = score, utcnow()
    appointment.satisfaction_channel, appointment.satisfaction_comment = channel, comment.strip()[:2000]
    audit.record("satisfaction_recorded", "appointment", appointment.reference, score=score, channel=channel)
    # A question still waiting to go out is withdrawn: they have answered.
    db.session.execute(
        update(Message)
        .where(
            Message.appointment_id == appointment.id,
            Message.kind == "satisfaction",
            Message.status == "created",
        )
        .values(status="cancelled")
    )
    db.session.execute(
        update(EqualityResponse)
        .where(EqualityResponse.visit_key == visit_key(appointment))
        .values(satisfaction_score=score)
    )
    return True


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings().secret_key, salt=SALT)


def rating_url(appointment: Appointment) -> str:
    return external_url("inclusion.rate", token=_serializer().dumps(appointment.reference))


def appointment_from(token: str) -> Appointment | None:
    try:
        reference = _serializer().loads(token, max_age=LINK_MAX_AGE)
    except BadSignature:
        return None
    return db.session.scalar(select(Appointment).where(Appointment.reference == reference))


def rateable_at_hub(reference: str, hub_id: int, now=None) -> Appointment | None:
    """A visit at this hub, completed or under way in the last day, that has no answer yet (the kiosk)."""
    now = now or utcnow()
    found = db.session.scalar(select(Appointment).where(Appointment.reference == reference))
    if (
        found is None
        or found.hub_id != hub_id
        or found.status not in ("completed", "checked_in")
        or found.satisfaction_score is not None
        or not now - timedelta(days=1) <= found.window_start <= now
    ):
        return None
    return found
