"""Equality monitoring after booking (resident, kiosk and agent) and rating a visit on every channel
(an email link, the hub kiosk, the officer's phone). Text replies are handled in app/inbound/inbound.py."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from app import records
from app.appointments.references import clean_reference, format_reference
from app.customers import equality, satisfaction
from app.forms.inclusion import EqualityForm, KioskRatingForm, RatingForm
from app.routes import officer_phone
from app.safety import devices
from app.staff import audit
from app.unit_of_work import unit_of_work
from app.web import resident_session
from app.web.access import kiosk, officer_day, public, staff
from app.web.guards import REFERENCE_LOOKUPS, limiter
from app.web.kiosk_session import current_device
from app.web.resident_session import BOOKED

bp = Blueprint("inclusion", __name__)  # residents' pages, in their language (app/i18n.py)
staff_bp = Blueprint("inclusion_staff", __name__)  # the same questions asked by agents and officers
AGENTS = ("agent", "supervisor", "admin")


def _answers(form: EqualityForm) -> dict[str, str]:
    return {q.field: getattr(form, q.field).data or "" for q in equality.QUESTIONS}


def _booked_here():
    """The appointment this browser has just booked (kept in its session by the booking journey)."""
    return resident_session.linked(BOOKED)


@bp.route("/book/equality", methods=["GET", "POST"])
@public
def equality_after_booking():
    appointment = _booked_here()
    if appointment is None:
        return redirect(url_for("booking.start"))
    form = EqualityForm()
    if form.validate_on_submit():
        with unit_of_work():
            equality.save(appointment, _answers(form))
        return render_template("inclusion/equality_thanks.html", back=url_for("booking.confirmation"))
    return render_template(
        "inclusion/equality.html",
        form=form,
        questions=equality.QUESTIONS,
        skip=url_for("booking.confirmation"),
    )


@staff_bp.route("/agent/appointments/<int:appointment_id>/equality", methods=["GET", "POST"])
@staff(*AGENTS)
def equality_by_phone(appointment_id: int):
    appointment = records.appointment(appointment_id) or abort(404)
    back = url_for("agent.customer", customer_id=appointment.customer_id)
    if equality.answered(appointment):
        flash("The equality questions for this booking have been answered already.", "success")
        return redirect(back)
    form = EqualityForm()
    if form.validate_on_submit():
        with unit_of_work():
            equality.save(appointment, _answers(form))
        flash("Thank you: the answers are saved apart from the booking.", "success")
        return redirect(back)
    return render_template(
        "inclusion/equality.html", form=form, questions=equality.QUESTIONS, skip=back, by_phone=True
    )


def _rated(appointment, form: RatingForm, channel: str) -> bool:
    return satisfaction.record(appointment, int(form.score.data), channel, form.comment.data or "")


@bp.route("/rate/<token>", methods=["GET", "POST"])
@public
@limiter.limit("20 per hour", methods=["POST"])
def rate(token: str):
    appointment = satisfaction.appointment_from(token)
    if appointment is None or appointment.status != "completed":
        return render_template("inclusion/rate_gone.html"), 404
    if appointment.satisfaction_score is not None:
        return render_template("inclusion/rate_thanks.html", already=True)
    form = RatingForm()
    if form.validate_on_submit():
        with unit_of_work():
            _rated(appointment, form, "email")
        return render_template("inclusion/rate_thanks.html")
    return render_template("inclusion/rate.html", form=form, appointment=appointment)


@bp.route("/kiosk/rate", methods=["GET", "POST"])
@kiosk
@limiter.limit(REFERENCE_LOOKUPS, methods=["POST"])  # each is a guess at a reference: per kiosk
def rate_at_kiosk():
    form = KioskRatingForm()
    if form.validate_on_submit():
        found = satisfaction.rateable_at_hub(clean_reference(form.reference.data), current_device().hub_id)
        if found is None:
            form.reference.errors = [
                _(
                    "We cannot find a visit at this hub today with that reference. "
                    "Check it, or ask at the counter"
                )
            ]
        else:
            with unit_of_work():
                _rated(found, form, "kiosk")
            return render_template("inclusion/rate_thanks.html")
    return render_template("inclusion/rate.html", form=form, appointment=None)


@staff_bp.route("/officer/visits/<int:appointment_id>/rating", methods=["GET", "POST"])
@officer_day
def rate_by_officer(appointment_id: int):
    who = officer_phone.acting()
    appointment = records.appointment(appointment_id)
    if (
        who is None
        or appointment is None
        or who.officer.id
        not in (
            appointment.officer_id,
            appointment.second_officer_id,
        )
    ):
        abort(404)
    back = url_for("officer.today")
    form = RatingForm(meta={"csrf": False})  # officer_day checks the session or the phone's token
    if appointment.satisfaction_score is None and form.validate_on_submit():
        with unit_of_work():
            _rated(appointment, form, "officer")
            audit.record("satisfaction_asked_by_officer", "appointment", appointment.reference, user=who.user)
        flash("Thank you: the resident's answer is saved.", "success")
        return redirect(back)
    return render_template(
        "inclusion/rate_officer.html",
        form=form,
        appointment=appointment,
        reference=format_reference(appointment.reference),
        device_token=devices.form_token(who.device) if who.device else "",
        back=back,
    )
