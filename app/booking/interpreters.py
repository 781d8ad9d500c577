"""Interpreter requests: send an officer who speaks the language when one can take the visit, else put
the visit on the supervisors' call list to book an interpreter.

A resident asks for an interpreter after choosing a time, so the choice is made when they book: the
same date and window with an officer who speaks the language, if one can really get there (the usual
availability search, for that officer alone), else the officer the slot was offered with and a flag.
Officers' languages are a comma-separated list on their record ("Polish, Russian").
"""

from __future__ import annotations

from sqlalchemy import select

from app.booking import call_list
from app.booking.availability import decode_slot, search
from app.extensions import db
from app.models import Appointment, Officer, Service
from app.places.places import Place

# Names residents type for the languages officers list, in English or in the language itself.
ALIASES = {
    "polski": "polish",
    "język polski": "polish",
    "nepalese": "nepali",
    "नेपाली": "nepali",
    "panjabi": "punjabi",
    "ਪੰਜਾਬੀ": "punjabi",
    "اردو": "urdu",
    "română": "romanian",
    "romana": "romanian",
    "bsl": "british sign language",
    "sign language": "british sign language",
}


def normalise(language: str) -> str:
    """'Polish', ' polski ', 'POLISH (please)' -> 'polish'; '' when nothing was asked for."""
    name = " ".join(language.strip().lower().replace("(please)", "").split()).strip(" .,")
    return ALIASES.get(name, name)


def language_name(language: str) -> str:
    """The language's proper name, whatever was typed: 'polski' -> 'Polish', 'bsl' -> 'British Sign
    Language', 'tigrinya' -> 'Tigrinya' (for staff, who book the interpreter)."""
    words = normalise(language).split()
    return " ".join(w if w in ("or", "and") else w[:1].upper() + w[1:] for w in words)


def spoken_by(officer: Officer) -> set[str]:
    return {normalise(part) for part in (officer.languages or "").split(",") if part.strip()}


def speakers(language: str) -> set[int]:
    """Ids of active officers who speak this language."""
    wanted = normalise(language)
    if not wanted:
        return set()
    rows = db.session.scalars(select(Officer).where(Officer.active.is_(True), Officer.languages != ""))
    return {officer.id for officer in rows if wanted in spoken_by(officer)}


def prefer_speaker(slot_token: str, service: Service, place: Place, language: str) -> str:
    """The slot token to book: the same date and window with an officer who speaks the language when
    one can take it, else the token as offered. Two-officer visits keep the pair they were offered."""
    token = decode_slot(slot_token)
    able = speakers(language)
    if token is None or not able or len(token.officer_ids) != 1 or token.officer_ids[0] in able:
        return slot_token
    for officer_id in sorted(able):
        found = search(service, place, token.day, 1, officer_id=officer_id)
        for slot in found.slots:
            if slot.window == token.window and slot.officer_ids == (officer_id,):
                return slot.token
    return slot_token


def flag_if_needed(appointment: Appointment) -> None:
    """After booking or a change of officer: no officer on the visit speaks the language asked for, so
    a supervisor books an interpreter (the call list says which language)."""
    reason = interpreter_needed(appointment)
    if reason:
        call_list.add(appointment, reason, "interpreter")


def interpreter_needed(appointment: Appointment) -> str:
    """Why a supervisor must book an interpreter for this visit (an interpreter is asked for and no
    officer on it speaks the language), for the call list; "" when none is needed."""
    language = appointment.interpreter_language.strip()
    if not language or not appointment.is_active:
        return ""
    ids = (appointment.officer_id, appointment.second_officer_id)  # as changed, even before a flush
    officers = [db.session.get(Officer, officer_id) for officer_id in ids if officer_id]
    if any(normalise(language) in spoken_by(o) for o in officers):
        return ""
    name = language_name(language)
    return f"Book a {name} interpreter for this visit: no officer on it speaks {name}"
