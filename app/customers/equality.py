"""Equality monitoring (seeds/004 para 47-48, seeds/002 section 10): optional questions with the
harmonised categories of the 2021 Census for England, asked after booking on every channel.

The answers are stored apart from the booking: no key to the appointment or the customer, only what
reports group by. `visit_key` is an HMAC of the appointment id under the app's secret, so the app (and
nobody reading the tables) can add the visit's satisfaction score later, and the same visit cannot be
answered twice. Reports show groups in aggregate and suppress any count below SUPPRESS_BELOW."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import select

from app.appointments.presenters import rating_words
from app.config import settings
from app.extensions import db
from app.i18n import _l
from app.models import Appointment, EqualityResponse
from app.timeutil import to_local

SUPPRESS_BELOW = 5
PREFER_NOT = ("prefer_not", _l("Prefer not to say"))


@dataclass(frozen=True)
class Question:
    field: str
    text: str  # lazily translated: residents read them in their language, reports in English
    hint: str
    choices: tuple[tuple[str, str], ...]


QUESTIONS = (
    Question(
        "age_band",
        _l("What is your age?"),
        "",
        (
            ("16_24", _l("16 to 24")),
            ("25_34", _l("25 to 34")),
            ("35_49", _l("35 to 49")),
            ("50_64", _l("50 to 64")),
            ("65_74", _l("65 to 74")),
            ("75_plus", _l("75 or over")),
            PREFER_NOT,
        ),
    ),
    Question(
        "sex", _l("What is your sex?"), "", (("female", _l("Female")), ("male", _l("Male")), PREFER_NOT)
    ),
    Question(
        "disability",
        _l(
            "Do you have any physical or mental health conditions or illnesses lasting or expected to "
            "last 12 months or more?"
        ),
        "",
        (("yes", _l("Yes")), ("no", _l("No")), PREFER_NOT),
    ),
    Question(
        "ethnic_group",
        _l("What is your ethnic group?"),
        "",
        (
            ("asian", _l("Asian, Asian British or Asian Welsh")),
            ("black", _l("Black, Black British, Black Welsh, Caribbean or African")),
            ("mixed", _l("Mixed or Multiple ethnic groups")),
            ("white", _l("White")),
            ("other", _l("Other ethnic group")),
            PREFER_NOT,
        ),
    ),
    Question(
        "religion",
        _l("What is your religion?"),
        "",
        (
            ("none", _l("No religion")),
            ("christian", _l("Christian")),
            ("buddhist", _l("Buddhist")),
            ("hindu", _l("Hindu")),
            ("jewish", _l("Jewish")),
            ("muslim", _l("Muslim")),
            ("sikh", _l("Sikh")),
            ("other", _l("Any other religion")),
            PREFER_NOT,
        ),
    ),
    Question(
        "main_language_english",
        _l("Is English your main language?"),
        "",
        (("yes", _l("Yes")), ("no", _l("No")), PREFER_NOT),
    ),
)


def visit_key(appointment: Appointment) -> str:
    secret = settings().secret_key.encode()
    return hmac.new(secret, f"equality:{appointment.id}".encode(), hashlib.sha256).hexdigest()


def answered(appointment: Appointment) -> bool:
    return (
        db.session.scalar(
            select(EqualityResponse.id).where(EqualityResponse.visit_key == visit_key(appointment))
        )
        is not None
    )


def save(appointment: Appointment, answers: dict[str, str]) -> EqualityResponse | None:
    """Store the answers given (blank ones stay blank); nothing when every question was skipped or the
    visit was answered already."""
    known = {q.field: {code for code, _label in q.choices} for q in QUESTIONS}
    given = {field: value for field, value in answers.items() if field in known and value in known[field]}
    if not given or answered(appointment):
        return None
    booked = to_local(appointment.created_at).date().replace(day=1)
    response = EqualityResponse(
        month=booked,
        service_code=appointment.service.code,
        channel=appointment.channel,
        location_type=appointment.location_type,
        satisfaction_score=appointment.satisfaction_score,
        visit_key=visit_key(appointment),
        **given,
    )
    db.session.add(response)
    db.session.flush()
    return response


@dataclass(frozen=True)
class GroupRow:
    label: str
    bookings: int | None  # None: fewer than SUPPRESS_BELOW, not shown
    share: str
    rated: int | None
    average: str


def report(first_month, last_month) -> list[tuple[Question, list[GroupRow]]]:
    """Take-up (bookings by group) and satisfaction by group, per question, with small numbers hidden."""
    responses = list(
        db.session.scalars(
            select(EqualityResponse).where(
                EqualityResponse.month >= first_month, EqualityResponse.month <= last_month
            )
        )
    )
    tables = []
    for question in QUESTIONS:
        answered_this = [r for r in responses if getattr(r, question.field)]
        rows = []
        for code, label in question.choices:
            group = [r for r in answered_this if getattr(r, question.field) == code]
            scores = [r.satisfaction_score for r in group if r.satisfaction_score]
            shown = len(group) >= SUPPRESS_BELOW
            rows.append(
                GroupRow(
                    label,
                    len(group) if shown else None,
                    f"{100 * len(group) / len(answered_this):.0f}%" if shown else "",
                    len(scores) if len(scores) >= SUPPRESS_BELOW else None,
                    rating_words(sum(scores) / len(scores)) if len(scores) >= SUPPRESS_BELOW else "",
                )
            )
        tables.append((question, rows))
    return tables
