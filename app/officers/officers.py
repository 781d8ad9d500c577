"""Rules for officers: skills, areas, weekly pattern, leave and sickness."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.extensions import db
from app.messaging.contact import uk_mobile
from app.models import Absence, CommunityArea, Officer, Skill, WorkingPattern
from app.officers import calendar_feed
from app.staff import audit, staff
from app.timeutil import parse_clock


class OfficerError(ValueError):
    pass


def save_officer(officer: Officer | None, data: dict) -> Officer:
    creating = officer is None
    if creating:
        officer = Officer(base_lat=data["lat"], base_lng=data["lng"])
        db.session.add(officer)
    officer.first_name = data["first_name"].strip()
    officer.last_name = data["last_name"].strip()
    officer.phone = uk_mobile(data.get("phone")) or ""  # E.164, or none
    officer.base_label = data["base_label"].strip()
    officer.languages = ", ".join(p.strip() for p in (data.get("languages") or "").split(",") if p.strip())
    officer.base_lat, officer.base_lng = data["lat"], data["lng"]
    leaving = officer.active and not data.get("active") and not creating
    officer.active = bool(data.get("active"))
    officer.skills = list(db.session.scalars(select(Skill).where(Skill.id.in_(data["skills"] or []))))
    officer.areas = list(
        db.session.scalars(select(CommunityArea).where(CommunityArea.id.in_(data["areas"] or [])))
    )
    officer.patterns.clear()
    db.session.flush()
    for weekday, day in enumerate(data["days"]):
        starts, ends = parse_clock(day["starts"]), parse_clock(day["ends"])
        if starts and ends:
            officer.patterns.append(
                WorkingPattern(
                    weekday=weekday,
                    starts=starts,
                    ends=ends,
                    break_starts=parse_clock(day["break_starts"]),
                    break_minutes=day["break_minutes"] or 0,
                )
            )
    db.session.flush()
    audit.record("officer_created" if creating else "officer_updated", "officer", officer.id)
    if leaving:
        switch_off_officer(officer)
    return officer


def switch_off_officer(officer: Officer) -> None:
    """Switching an officer off ends their access too: their sign-in, sessions, trusted phones, API
    tokens and calendar feed (app.staff.staff.switch_off). Switching them on again does not give the
    sign-in back: an admin does that at /admin/users."""
    officer.active = False
    if officer.user is not None and officer.user.active:
        staff.switch_off(officer.user)
    elif officer.calendar_token_hash is not None:
        calendar_feed.revoke(officer)


def add_absence(officer: Officer, kind: str, starts_on: date, ends_on: date, note: str = "") -> Absence:
    if ends_on < starts_on:
        raise OfficerError("The last day must be the same as or after the first day")
    for existing in officer.absences:
        if existing.starts_on <= ends_on and starts_on <= existing.ends_on:
            raise OfficerError(
                f"This overlaps an existing {existing.kind} absence "
                f"({existing.starts_on:%d/%m/%Y} to {existing.ends_on:%d/%m/%Y})"
            )
    absence = Absence(officer=officer, kind=kind, starts_on=starts_on, ends_on=ends_on, note=note)
    db.session.add(absence)
    db.session.flush()
    audit.record(
        "absence_added",
        "officer",
        officer.id,
        kind=kind,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
    )
    return absence


def remove_absence(absence: Absence) -> None:
    audit.record("absence_removed", "officer", absence.officer_id, absence_id=absence.id)
    db.session.delete(absence)
