"""Data retention: personal data of past appointments goes after RETENTION_DAYS; anonymous figures stay.

What is removed: names, contact details, addresses (the location is kept only to about 1 km, enough for
reports by area), notes, access needs, message texts and inbound texts. What stays: service, dates,
channel, status, officer, satisfaction score, travel. Risk markers follow their own review dates; a
marker switched off for longer than the retention period is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select, update

from app.extensions import db
from app.models import (
    AllowanceUse,
    Appointment,
    Customer,
    CustomerNote,
    InboundMessage,
    KioskCall,
    Message,
    RiskMarker,
)
from app.staff import audit
from app.timeutil import utcnow

REMOVED = "Removed"


@dataclass
class RetentionReport:
    appointments: int = 0
    customers: int = 0
    messages: int = 0
    markers: int = 0


def run(retention_days: int, now: datetime | None = None) -> RetentionReport:
    now = now or utcnow()
    cutoff = now - timedelta(days=retention_days)
    report = RetentionReport()
    old = select(Appointment.id).where(Appointment.window_end < cutoff, Appointment.address_line1 != REMOVED)
    old_ids = list(db.session.scalars(old))
    for appointment in db.session.scalars(select(Appointment).where(Appointment.id.in_(old_ids))):
        appointment.address_line1, appointment.address_line2, appointment.uprn = REMOVED, "", ""
        appointment.lat, appointment.lng = round(appointment.lat, 2), round(appointment.lng, 2)
        appointment.notes = appointment.access_needs = appointment.interpreter_language = ""
        appointment.cancel_reason = ""
        report.appointments += 1
    report.messages = (
        db.session.execute(
            update(Message)
            .where(Message.created_at < cutoff, Message.body != "")
            .values(body="", recipient="", subject="", payload={})
        ).rowcount
        or 0
    )
    db.session.execute(
        update(InboundMessage).where(InboundMessage.received_at < cutoff).values(body="", sender="")
    )
    db.session.execute(  # kiosk call-backs' mobiles
        update(KioskCall)
        .where(KioskCall.requested_at < cutoff, KioskCall.call_back_phone != "")
        .values(call_back_phone="")
    )
    # Customers with nothing recent or upcoming: keep the row (appointments point at it), lose the person.
    recent = exists().where(Appointment.customer_id == Customer.id, Appointment.window_end >= cutoff)
    for customer in db.session.scalars(
        select(Customer).where(~recent, Customer.name != REMOVED, Customer.created_at < cutoff)
    ):
        customer.name, customer.business_name, customer.phone, customer.email = REMOVED, "", "", ""
        customer.address_line1 = customer.address_line2 = customer.uprn = customer.access_needs = ""
        customer.interpreter_language = ""
        customer.lat = round(customer.lat, 2) if customer.lat is not None else None
        customer.lng = round(customer.lng, 2) if customer.lng is not None else None
        db.session.execute(delete(CustomerNote).where(CustomerNote.customer_id == customer.id))
        report.customers += 1
    # What an online allowance counted: only the last day's uses count (app.booking.customers).
    db.session.execute(delete(AllowanceUse).where(AllowanceUse.at < now - timedelta(days=2)))
    report.markers = (
        db.session.execute(
            delete(RiskMarker).where(RiskMarker.active.is_(False), RiskMarker.reviewed_at < cutoff)
        ).rowcount
        or 0
    )
    audit.record(
        "retention_run",
        "system",
        "",
        appointments=report.appointments,
        customers=report.customers,
        messages=report.messages,
        markers=report.markers,
        retention_days=retention_days,
    )
    return report
