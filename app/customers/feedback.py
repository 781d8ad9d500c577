""" "Tell us": complaints, compliments and comments from the public form and from texts that are not
commands, worked through a staff queue with due dates and outcomes, and counted on the dashboard.

Due dates follow the council's published targets: a complaint is answered within 10 working days, a
comment or compliment acknowledged within 20."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import phonenumbers
from sqlalchemy import func, select

from app.appointments import references
from app.appointments.references import clean_reference
from app.extensions import db
from app.models import Customer, Feedback, User
from app.staff import audit
from app.timeutil import local_day_bounds, local_now, next_working_day, utcnow

WORKING_DAYS_TO_ANSWER = {"complaint": 10, "comment": 20, "compliment": 20}


def due_date(kind: str, received: date) -> date:
    day = received
    for _ in range(WORKING_DAYS_TO_ANSWER[kind]):
        day = next_working_day(day)
    return day


def submit(
    kind: str, message: str, *, source: str, reference: str = "", name: str = "", contact: str = ""
) -> Feedback:
    item = Feedback(
        kind=kind,
        source=source,
        reference=clean_reference(reference or "")[:12],
        message=message.strip()[:5000],
        name=name.strip()[:160],
        contact=contact.strip()[:254],
        due_on=due_date(kind, local_now().date()),
    )
    db.session.add(item)
    db.session.flush()
    return item


# What staff may rely on when an item quotes a booking reference. Anyone can type a reference they have
# seen (a neighbour's letter, a relative's text): only contact details that are the booking's own say the
# item comes from that booking's customer. Staff pages show which, and never the booking's details.
REFERENCE_NONE = "none"  # no reference given
REFERENCE_UNKNOWN = "unknown"  # no booking has it
REFERENCE_MATCHES = "matches"  # the phone number or email given is the booking customer's
REFERENCE_UNCONFIRMED = "unconfirmed"  # a booking has it, but the contact given is not its customer's


def _as_phone(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _is_theirs(contact: str, customer: Customer) -> bool:
    """The contact given is this customer's own email address or phone number (as typed: any spacing)."""
    contact = contact.strip()
    if not contact:
        return False
    if "@" in contact:
        return bool(customer.email) and contact.lower() == customer.email.strip().lower()
    return bool(customer.phone) and _as_phone(contact) == customer.phone


def reference_check(item: Feedback) -> str:
    """Whether the booking reference an item quotes is backed by that booking's own contact details."""
    if not item.reference:
        return REFERENCE_NONE
    appointment = references.find(item.reference)
    if appointment is None:
        return REFERENCE_UNKNOWN
    return REFERENCE_MATCHES if _is_theirs(item.contact, appointment.customer) else REFERENCE_UNCONFIRMED


def open_items() -> list[Feedback]:
    return list(
        db.session.scalars(
            select(Feedback).where(Feedback.closed_at.is_(None)).order_by(Feedback.due_on, Feedback.id)
        )
    )


def recently_closed(limit: int = 20) -> list[Feedback]:
    return list(
        db.session.scalars(
            select(Feedback)
            .where(Feedback.closed_at.is_not(None))
            .order_by(Feedback.closed_at.desc())
            .limit(limit)
        )
    )


def close(item: Feedback, outcome: str, user: User) -> None:
    item.outcome, item.closed_at, item.closed_by = outcome.strip(), utcnow(), user
    audit.record("feedback_closed", "feedback", item.id, user=user, kind=item.kind)


@dataclass(frozen=True)
class FeedbackCounts:
    open: int
    overdue: int
    received: dict[str, int]  # this month, by kind


def counts(first: date, last: date) -> FeedbackCounts:
    today = local_now().date()
    still_open = Feedback.closed_at.is_(None)
    open_count = db.session.scalar(select(func.count(Feedback.id)).where(still_open)) or 0
    overdue = (
        db.session.scalar(select(func.count(Feedback.id)).where(still_open, Feedback.due_on < today)) or 0
    )
    rows = db.session.execute(
        select(Feedback.kind, Feedback.received_at).where(
            Feedback.received_at >= _start(first), Feedback.received_at < _start(last, next_day=True)
        )
    )
    received = {kind: 0 for kind in WORKING_DAYS_TO_ANSWER}
    for kind, _at in rows:
        received[kind] = received.get(kind, 0) + 1
    return FeedbackCounts(open_count, overdue, received)


def _start(day: date, next_day: bool = False):
    start, end = local_day_bounds(day)
    return end if next_day else start
