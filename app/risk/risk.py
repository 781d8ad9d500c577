"""The risk register: which precautions apply to a visit, and who may see why.

Residents are never told. Agents see only that a precaution applies. Officers see a marker's detail only
when it applies to a visit they are assigned to; supervisors see all; every view of a detail is an audit
event. A new marker is proposed by one person and approved by another, and applies from the moment it is
proposed (safety first). A marker past its review date keeps applying until someone reviews it; the
review-due list and a daily text to the on-duty supervisors (app/safety/rota.py) say so. Adding or
changing a marker re-checks what is already booked: visits whose precaution is not met go on the
supervisors' list until decided.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, or_, select

from app.extensions import HotRead, db
from app.models import Address, Appointment, AuditEvent, Customer, RiskMarker, User, VisitRiskDecision
from app.models.safety import VISIT_DECISIONS
from app.models.statuses import ACTIVE
from app.places.places import addresses_for, normalise_postcode
from app.staff import audit
from app.timeutil import local_day_bounds, local_now, utcnow

STRICTNESS = ["information", "two_officers", "manager_approval", "hub_only"]


_NUMBER = re.compile(r"\b(\d+[A-Z]?)\b")
_LETTER_APART = re.compile(r"\b(\d+)[\s/-]+([A-Z])\b")  # "12 A High Street", "12-A", "12/a": 12A?


def house_key(line1: str) -> str:
    """The building's number, or its name: 'Flat 2, 14A High St' -> '14A' (the last number: a flat's
    number comes first); 'Rose Cottage, Mill Lane' -> 'ROSE COTTAGE'."""
    text = (line1 or "").upper()
    numbers = _NUMBER.findall(text)
    if numbers:
        return numbers[-1]
    return re.sub(r"[^A-Z0-9 ]", "", text.split(",")[0]).strip()


def _earlier_house_key(line1: str) -> str:
    """The key markers were stored with until 2026-12-01: the first number ('Flat 2, 7 School Lane' ->
    '2'). Still matched, so those markers keep applying (a flat's number may then also match another
    house's marker in the same postcode: a precaution too many, never one too few)."""
    numbers = _NUMBER.findall((line1 or "").upper())
    return numbers[0] if numbers else house_key(line1)


class RiskError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def markers_for(
    postcode: str = "",
    line1: str = "",
    uprn: str = "",
    customer: Customer | None = None,
) -> list[RiskMarker]:
    """Markers in force here: active ones, proposed or approved, whatever their review date."""
    here = _here(postcode, line1, uprn, customer)
    if here is None:
        return []
    rows = db.session.execute(
        select(RiskMarker, _exactly_here(bindparam("customer")), RiskMarker.uprn).where(_IN_FORCE_HERE), here
    )
    return _kept(rows, here)


def addresses_covered(marker: RiskMarker) -> list[Address]:
    """The gazetteer's addresses the marker applies to, by the rule bookings use (_here: the house key in
    the postcode, or the UPRN), so a supervisor sees "5 Avon Road, Trowbridge", not "5, BA12 4TW", and a
    mistyped number shows as no address at all. A marker on a person covers no address of its own."""
    if marker.uprn:
        return list(db.session.scalars(select(Address).where(Address.uprn == marker.uprn)))
    if not marker.postcode:
        return []
    return [
        address
        for address in addresses_for(marker.postcode)
        if marker.house and marker.house in (house_key(address.line1), _earlier_house_key(address.line1))
    ]


def precaution_here(
    postcode: str = "", line1: str = "", uprn: str = "", customer: Customer | None = None
) -> str | None:
    """strongest(markers_for(...)) without loading the markers: only their precautions are read, in one
    statement sent straight to the driver (app.extensions.HotRead). A booking asks it for every home or
    business visit; through the ORM it cost about 1 ms of a booking's CPU (bench/README.md section 3)."""
    here = _here(postcode, line1, uprn, customer)
    if here is None:
        return None
    return _strictest(_kept(_PRECAUTIONS_HERE.rows(**here), here))


def _here(postcode: str, line1: str, uprn: str, customer: Customer | None) -> dict[str, Any] | None:
    """What places a marker here (the parameters of _IN_FORCE_HERE), or None when nothing does: the
    address (postcode with the house number or name from its first line), its UPRN, the person's record.
    A part not given is None, which matches no marker."""
    normal = normalise_postcode(postcode) if postcode else None
    address = bool(normal and line1)
    here = {
        "postcode": normal if address else None,
        "house": house_key(line1) if address else None,
        "earlier_house": _earlier_house_key(line1) if address else None,
        # Read only by _kept: the house if a letter set apart from its number belongs to it
        "lettered": house_key(_LETTER_APART.sub(r"\1\2", line1.upper())) if address else None,
        "uprn": uprn or None,
        "customer": customer.id if customer is not None else None,
        # The postcode's markers are read too, and _kept decides (a UPRN sent with a typed house, made
        # up or another house's, no longer makes it a listed one: attack finding, 3 December)
        "typed_postcode": normal if address else None,
    }
    return here if any(value is not None for value in here.values()) else None


def _in_force_here(person) -> Any:
    """The one rule for which markers are in force at a place (by address, UPRN or person); `_here` gives
    its parameters, the person's record id is `person` (a parameter, or a column of the statement).

    In force means `active`, approved or not: a marker proposed and not yet approved by a second person
    already applies. Decided for officers' safety (SECURITY.md): a precaution too many until someone
    looks, never one too few while a warning waits in a queue. A rejection (`reject`) or a review that
    withdraws it sets `active` false, and it applies no more from then on."""
    return RiskMarker.active.is_(True) & or_(
        _exactly_here(person),
        # The postcode's markers, by house or by the UPRN of one of its listed houses: _kept keeps
        # those of this house, or all of them when the house is unplaced
        RiskMarker.postcode == bindparam("typed_postcode"),
        RiskMarker.uprn.in_(
            select(Address.uprn).where(Address.postcode == bindparam("typed_postcode"), Address.uprn != "")
        ),
    )


def _exactly_here(person) -> Any:
    """The marker names this house (postcode and house number or name), its UPRN or the person."""
    return or_(
        (RiskMarker.postcode == bindparam("postcode"))
        & RiskMarker.house.in_([bindparam("house"), bindparam("earlier_house")]),
        RiskMarker.uprn == bindparam("uprn"),
        RiskMarker.customer_id == person,
    )


def _kept(rows: Iterable[tuple[Any, bool | None, str | None]], here: dict[str, Any]) -> list[Any]:
    """Of (marker or precaution, names this house exactly, the marker's UPRN) rows, those in force: the
    exact ones; a marker by the UPRN of the gazetteer's house of that number or name in the postcode
    (typing "12 High St" reaches the marker placed by 12 High Street's UPRN alone); and every marker in
    the postcode when the house is unplaced: not one the gazetteer lists there, or sent with a UPRN that
    is not that house's, or "12 A High Street" where 12 and 12A are both listed. Typing "Twelve High
    Street" or "l2 High St", or sending a made-up or the neighbour's UPRN with it, no longer steps round
    the marker on 12 High Street (attack findings): a precaution too many, never one too few. A postcode
    the gazetteer does not list keeps the exact rule (it cannot tell one house from another there)."""
    rows = list(rows)
    if all(exact for _, exact, _ in rows):
        return [found for found, _, _ in rows]
    listed = addresses_for(here["typed_postcode"])
    this_house = [a for a in listed if here["house"] in (house_key(a.line1), _earlier_house_key(a.line1))]
    uprns = {a.uprn for a in this_house if a.uprn}  # the UPRNs of the house of that number or name
    lettered = here.get("lettered")  # "12 A High Street" where 12 and 12A are both listed: which?
    either = lettered not in (None, here["house"]) and any(lettered == house_key(a.line1) for a in listed)
    unplaced = bool(listed) and (not this_house or either or bool(here["uprn"]) and here["uprn"] not in uprns)
    return [found for found, exact, uprn in rows if exact or unplaced or (uprn and uprn in uprns)]


_IN_FORCE_HERE = _in_force_here(bindparam("customer"))
_PRECAUTIONS_HERE = HotRead(
    select(RiskMarker.precaution, _exactly_here(bindparam("customer")), RiskMarker.uprn).where(_IN_FORCE_HERE)
)


class PersonAndPrecaution:
    """A person's record found by a query (`person`: one id, or none) and precaution_here(...) for the
    place and that person, in one statement sent straight to the driver: a booking looks for the same
    person's record and reads the risk register one after the other, and the markers on a person are
    those on the record it then books onto (none when it is new)."""

    def __init__(self, person) -> None:
        found = select(person.scalar_subquery().label("person")).subquery("found")
        self._read = HotRead(
            select(
                found.c.person, RiskMarker.precaution, _exactly_here(found.c.person), RiskMarker.uprn
            ).select_from(found.outerjoin(RiskMarker, _in_force_here(found.c.person)))
        )

    def read(self, postcode: str, line1: str, uprn: str, **params) -> tuple[int | None, str | None]:
        """The record's id (None: no such record) and the strongest precaution; `params` are the person
        query's parameters."""
        here = _here(postcode, line1, uprn, None) or {
            "postcode": None,
            "house": None,
            "earlier_house": None,
            "uprn": None,
            "typed_postcode": None,
        }
        here.pop("customer", None)
        rows = self._read.rows(**here, **params)  # one at least (precaution NULL when no marker)
        found = [(row[1], row[2], row[3]) for row in rows if row[1] is not None]
        return rows[0][0], _strictest(_kept(found, here))


def strongest(markers: list[RiskMarker]) -> str | None:
    return _strictest(m.precaution for m in markers)


def _strictest(precautions: Iterable[str]) -> str | None:
    return max(precautions, key=STRICTNESS.index, default=None)


def precaution_for_appointment(appointment: Appointment) -> str | None:
    return strongest(markers_for_appointment(appointment))


def markers_for_appointment(appointment: Appointment) -> list[RiskMarker]:
    if appointment.location_type == "hub":
        return markers_for(customer=appointment.customer)
    return markers_for(
        appointment.postcode, appointment.address_line1, appointment.uprn, appointment.customer
    )


def may_see_detail(user: User, appointment: Appointment | None, marker: RiskMarker | None = None) -> bool:
    """Supervisors see every marker; an officer only a marker that applies to a visit they are assigned
    to; agents none."""
    if user.role in ("supervisor", "admin"):
        return True
    if user.role != "officer" or appointment is None or marker is None:
        return False
    assigned = any(
        o is not None and o.user_id == user.id for o in (appointment.officer, appointment.second_officer)
    )
    return assigned and marker in markers_for_appointment(appointment)


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
    audit.record("risk_marker_proposed", "risk_marker", marker.id, user=user, precaution=precaution)
    return marker


def approve(marker: RiskMarker, user: User) -> None:
    """A second person confirms a proposed marker (who proposed, who approved and when are kept)."""
    if not marker.proposed:
        raise RiskError("marker", "This marker is not waiting for approval")
    if marker.added_by_id == user.id:
        raise RiskError("marker", "Someone other than the person who proposed the marker must approve it")
    marker.approved_by, marker.approved_at = user, utcnow()
    audit.record("risk_marker_approved", "risk_marker", marker.id, user=user)


def reject(marker: RiskMarker, user: User) -> None:
    if not marker.proposed:
        raise RiskError("marker", "This marker is not waiting for approval")
    marker.active, marker.reviewed_by, marker.reviewed_at = False, user, utcnow()
    audit.record("risk_marker_rejected", "risk_marker", marker.id, user=user)


def review(marker: RiskMarker, user: User, next_review: date, keep: bool) -> None:
    marker.review_on, marker.reviewed_at, marker.reviewed_by, marker.active = (
        next_review,
        utcnow(),
        user,
        keep,
    )
    audit.record("risk_marker_reviewed", "risk_marker", marker.id, user=user, kept=keep)


def due_for_review(today: date | None = None) -> list[RiskMarker]:
    """Past their review date, still applying until someone reviews them."""
    today = today or local_now().date()
    return list(
        db.session.scalars(
            select(RiskMarker)
            .where(RiskMarker.active.is_(True), RiskMarker.review_on < today)
            .order_by(RiskMarker.review_on)
        )
    )


def awaiting_approval() -> list[RiskMarker]:
    return list(
        db.session.scalars(
            select(RiskMarker)
            .where(RiskMarker.active.is_(True), RiskMarker.approved_at.is_(None))
            .order_by(RiskMarker.created_at)
        )
    )


# --- what a marker means for visits already booked ---------------------------------------------------


@dataclass
class AffectedVisit:
    appointment: Appointment
    marker: RiskMarker

    @property
    def problem(self) -> str:
        return {
            "two_officers": "Needs two officers but one is booked",
            "hub_only": "Must be at a hub or office but is booked elsewhere",
            "manager_approval": "Needs a manager's approval before the visit",
        }[self.marker.precaution]


def precaution_met(appointment: Appointment, precaution: str) -> bool:
    if precaution == "two_officers":
        return appointment.second_officer_id is not None
    if precaution == "hub_only":
        return appointment.location_type == "hub"
    return precaution == "information"  # manager approval is met only by a recorded decision


def affected_visits(marker: RiskMarker | None = None) -> list[AffectedVisit]:
    """Today's and future open visits where a marker in force is not yet met nor decided."""
    today_start, _ = local_day_bounds(local_now().date())
    markers = [marker] if marker is not None else register()
    decided = {(d.appointment_id, d.marker_id) for d in db.session.scalars(select(VisitRiskDecision))}
    found = []
    for m in markers:
        if not m.active or m.precaution == "information":
            continue
        conditions = []
        if m.customer_id:
            conditions.append(Appointment.customer_id == m.customer_id)
        if m.postcode and m.house:
            conditions.append(Appointment.postcode == m.postcode)
        if m.uprn:  # and its house typed without it (markers_for_appointment decides which house)
            conditions.append(Appointment.uprn == m.uprn)
            conditions.append(
                Appointment.postcode.in_(select(Address.postcode).where(Address.uprn == m.uprn))
            )
        if not conditions:
            continue
        candidates = db.session.scalars(
            select(Appointment)
            .where(
                Appointment.status.in_(ACTIVE),
                Appointment.window_end >= today_start,
                or_(*conditions),
            )
            .order_by(Appointment.window_start)
        )
        for appointment in candidates:
            if m not in markers_for_appointment(appointment):
                continue  # same postcode, another house
            if (appointment.id, m.id) in decided or precaution_met(appointment, m.precaution):
                continue
            found.append(AffectedVisit(appointment, m))
    found.sort(key=lambda v: (v.appointment.window_start, v.appointment.id))
    return found


def recheck(marker: RiskMarker, user: User | None = None) -> list[AffectedVisit]:
    """After a marker is added or changed: which booked visits now need a supervisor's decision."""
    affected = affected_visits(marker)
    audit.record("risk_marker_rechecked", "risk_marker", marker.id, user=user, affected=len(affected))
    return affected


def decide(appointment: Appointment, marker: RiskMarker, decision: str, note: str, user: User) -> None:
    if decision not in VISIT_DECISIONS:
        raise RiskError("decision", "Select what was done about this visit")
    if decision in ("second_officer", "moved_to_hub") and not precaution_met(appointment, marker.precaution):
        raise RiskError(
            "decision",
            "The booking does not show that yet: move it to a two-officer time or a hub first",
        )
    if decision == "go_ahead" and marker.precaution == "hub_only":
        raise RiskError("decision", "A hub-only marker cannot be waived: move or cancel the visit")
    db.session.add(
        VisitRiskDecision(
            appointment=appointment, marker=marker, decision=decision, note=note.strip(), decided_by=user
        )
    )
    audit.record(
        "risk_visit_decided",
        "appointment",
        appointment.reference,
        user=user,
        marker=marker.id,
        decision=decision,
    )


def unresolved_for(appointment: Appointment) -> list[AffectedVisit]:
    """The precautions this visit still waits for (the officer's day says so, and check-in is refused)."""
    decided = set(
        db.session.scalars(
            select(VisitRiskDecision.marker_id).where(VisitRiskDecision.appointment_id == appointment.id)
        )
    )
    return [
        AffectedVisit(appointment, m)
        for m in markers_for_appointment(appointment)
        if m.precaution != "information"
        and m.id not in decided
        and not precaution_met(appointment, m.precaution)
    ]


def view_log(limit: int = 200) -> list[AuditEvent]:
    """Who read which marker's detail, newest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "risk_marker_viewed")
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )


def register(include_inactive: bool = False) -> list[RiskMarker]:
    query = select(RiskMarker).order_by(RiskMarker.review_on)
    if not include_inactive:
        query = query.where(RiskMarker.active.is_(True))
    return list(db.session.scalars(query))
