"""The risk register: which precautions apply to a visit, and who may see why.

Residents are never told. Agents see only that a precaution applies. Officers see the detail for their
own visits, supervisors for all; every view of a detail is an audit event. Markers past their review
date stop applying until a supervisor reviews them.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import or_, select

from app.extensions import db
from app.models import Appointment, Customer, RiskMarker, User
from app.services import audit
from app.services.places import normalise_postcode
from app.timeutil import local_now, utcnow

STRICTNESS = ["information", "two_officers", "manager_approval", "hub_only"]


def house_key(line1: str) -> str:
    """'Flat 2, 14A High St' -> '14A'; 'Rose Cottage, Mill Lane' -> 'ROSE COTTAGE'."""
    text = (line1 or "").upper()
    number = re.search(r"\b(\d+[A-Z]?)\b", text)
    if number:
        return number.group(1)
    return re.sub(r"[^A-Z0-9 ]", "", text.split(",")[0]).strip()


def _in_force(today: date | None = None):
    today = today or local_now().date()
    return (RiskMarker.active.is_(True), RiskMarker.review_on >= today)


def markers_for(
    postcode: str = "",
    line1: str = "",
    uprn: str = "",
    customer: Customer | None = None,
    today: date | None = None,
) -> list[RiskMarker]:
    conditions = []
    normal = normalise_postcode(postcode) if postcode else None
    if normal and line1:
        conditions.append((RiskMarker.postcode == normal) & (RiskMarker.house == house_key(line1)))
    if uprn:
        conditions.append(RiskMarker.uprn == uprn)
    if customer is not None and customer.id is not None:
        conditions.append(RiskMarker.customer_id == customer.id)
    if not conditions:
        return []
    return list(db.session.scalars(select(RiskMarker).where(*_in_force(today), or_(*conditions))))


def strongest(markers: list[RiskMarker]) -> str | None:
    if not markers:
        return None
    return max((m.precaution for m in markers), key=STRICTNESS.index)


def precaution_for_appointment(appointment: Appointment) -> str | None:
    return strongest(
        markers_for(appointment.postcode, appointment.address_line1, appointment.uprn, appointment.customer)
    )


def may_see_detail(user: User, appointment: Appointment | None) -> bool:
    """Supervisors see every marker; an officer only those on their own visits; agents none."""
    if user.role in ("supervisor", "admin"):
        return True
    if user.role != "officer" or appointment is None:
        return False
    return any(
        o is not None and o.user_id == user.id for o in (appointment.officer, appointment.second_officer)
    )


def view_detail(marker: RiskMarker, user: User, appointment: Appointment | None = None) -> RiskMarker:
    """Every view of a marker's detail is recorded."""
    audit.record(
        "risk_marker_viewed",
        "risk_marker",
        marker.id,
        user=user,
        appointment=appointment.reference if appointment else None,
    )
    return marker


def add_marker(
    *,
    user: User,
    category: str,
    precaution: str,
    reason: str,
    review_on: date,
    postcode: str = "",
    line1: str = "",
    uprn: str = "",
    customer: Customer | None = None,
    source_incident: str = "",
) -> RiskMarker:
    marker = RiskMarker(
        customer=customer,
        postcode=normalise_postcode(postcode) or "" if postcode else "",
        house=house_key(line1) if line1 else "",
        uprn=uprn.strip(),
        category=category,
        precaution=precaution,
        reason=reason.strip(),
        source_incident=source_incident.strip(),
        added_by=user,
        review_on=review_on,
    )
    db.session.add(marker)
    db.session.flush()
    audit.record("risk_marker_added", "risk_marker", marker.id, user=user, precaution=precaution)
    return marker


def review(marker: RiskMarker, user: User, next_review: date, keep: bool) -> None:
    marker.review_on, marker.reviewed_at, marker.active = next_review, utcnow(), keep
    audit.record("risk_marker_reviewed", "risk_marker", marker.id, user=user, kept=keep)


def due_for_review(today: date | None = None) -> list[RiskMarker]:
    today = today or local_now().date()
    return list(
        db.session.scalars(
            select(RiskMarker)
            .where(RiskMarker.active.is_(True), RiskMarker.review_on < today)
            .order_by(RiskMarker.review_on)
        )
    )


def register(include_inactive: bool = False) -> list[RiskMarker]:
    query = select(RiskMarker).order_by(RiskMarker.review_on)
    if not include_inactive:
        query = query.where(RiskMarker.active.is_(True))
    return list(db.session.scalars(query))
