"""The on-duty rota: who receives safety escalations now, at which work mobile, and the fallback.

Supervisors and admins are on duty during their weekly periods (UK time). When nobody with a work
mobile is on duty, escalation texts go to SAFETY_FALLBACK_PHONE and the dashboards say so loudly.
The on-duty supervisors also get the daily text about risk markers past their review date.
"""

from __future__ import annotations

from datetime import date, datetime, time

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.messaging import outbox
from app.messaging.contact import uk_mobile
from app.models import DutyPeriod, User
from app.risk import risk
from app.staff import audit
from app.timeutil import local_now, to_local, utcnow

DUTY_ROLES = ("supervisor", "admin")


class RotaError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def covers(period: DutyPeriod, moment: datetime) -> bool:
    local = to_local(moment)
    weekday, clock = local.weekday(), local.time()
    if period.ends > period.starts:
        return period.weekday == weekday and period.starts <= clock < period.ends
    # Overnight: from `starts` on its weekday to `ends` the next morning.
    return (period.weekday == weekday and clock >= period.starts) or (
        (period.weekday + 1) % 7 == weekday and clock < period.ends
    )


def on_duty(at: datetime | None = None) -> list[User]:
    """Active supervisors and admins whose rota covers this moment (with or without a phone)."""
    at = at or utcnow()
    periods = db.session.scalars(
        select(DutyPeriod)
        .join(User)
        .where(User.active.is_(True), User.role.in_(DUTY_ROLES))
        .order_by(DutyPeriod.user_id)
    )
    users: dict[int, User] = {}
    for period in periods:
        if covers(period, at):
            users.setdefault(period.user_id, period.user)
    return list(users.values())


def escalation_numbers(at: datetime | None = None) -> list[tuple[User | None, str]]:
    """Who an escalation text goes to now: the on-duty staff with a work mobile, else the fallback."""
    numbers = [(user, user.phone) for user in on_duty(at) if user.phone]
    if numbers:
        return numbers
    fallback = current_app.config.get("SAFETY_FALLBACK_PHONE", "")
    return [(None, fallback)] if fallback else []


def nobody_on_duty(at: datetime | None = None) -> bool:
    return not any(user.phone for user in on_duty(at))


def duty_staff() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(DUTY_ROLES))
            .order_by(User.full_name, User.id)
        )
    )


def periods() -> list[DutyPeriod]:
    return list(
        db.session.scalars(
            select(DutyPeriod).order_by(DutyPeriod.weekday, DutyPeriod.starts, DutyPeriod.user_id)
        )
    )


def add_period(user: User, weekday: int, starts: time, ends: time, actor: User | None = None) -> DutyPeriod:
    if user.role not in DUTY_ROLES or not user.active:
        raise RotaError("user", "Only active supervisors and admins can be on duty")
    if not 0 <= weekday <= 6:
        raise RotaError("weekday", "Select a day of the week")
    if starts == ends:
        raise RotaError("ends", "The end time must be different from the start time")
    period = DutyPeriod(user=user, weekday=weekday, starts=starts, ends=ends)
    db.session.add(period)
    db.session.flush()
    audit.record(
        "duty_period_added",
        "user",
        user.id,
        user=actor,
        weekday=weekday,
        starts=starts.isoformat("minutes"),
        ends=ends.isoformat("minutes"),
    )
    return period


def remove_period(period: DutyPeriod, actor: User | None = None) -> None:
    audit.record("duty_period_removed", "user", period.user_id, user=actor, weekday=period.weekday)
    db.session.delete(period)


def set_phone(user: User, phone: str, actor: User | None = None) -> None:
    """A work mobile in E.164, or blank to remove it."""
    if phone.strip():
        number = uk_mobile(phone)
        if number is None:
            raise RotaError("phone", "Enter a UK mobile number, like 07700 900123")
    else:
        number = ""
    user.phone = number
    audit.record("work_phone_changed", "user", user.id, user=actor)


def calls_for_help(include_duty: bool = False) -> list[tuple[str, str]]:
    """Numbers an officer can ring when the app cannot raise help: 999 first, then the control room
    (the fallback), then, for a known officer, whoever is on duty."""
    calls = [("Emergency services", "999")]
    fallback = current_app.config.get("SAFETY_FALLBACK_PHONE", "")
    if fallback:
        calls.append(("Control room", fallback))
    if include_duty:
        calls.extend((f"{user.full_name} (on duty)", user.phone) for user in on_duty() if user.phone)
    return calls


def alert_reviews_due(today: date | None = None) -> int:
    """Daily: text the on-duty supervisors how many markers are past review (never what they say)."""
    today = today or local_now().date()
    due = len(risk.due_for_review(today))
    if due:
        for user, phone in escalation_numbers():
            key = f"risk-review:{today.isoformat()}:{user.id if user else 'fallback'}"
            outbox.queue_sms(
                "risk_review_due",
                phone,
                f"Doorstep: {due} warning marker(s) are past their review date. "
                "They still apply. Review them in the risk register.",
                key,
            )
    return due
