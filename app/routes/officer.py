"""The field officer's day, on a phone: visits in order, one-tap check-in and check-out, help."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import public, staff
from app.extensions import db, limiter
from app.inputs import BadInput, parse_day, parse_number
from app.models import Appointment, RiskMarker
from app.services import calendar_feed, safety
from app.services.booking import BookingRuleError
from app.services.links import external_url
from app.services.officer_day import day_for
from app.services.risk import may_see_detail, view_detail
from app.timeutil import local_now

bp = Blueprint("officer", __name__, url_prefix="/officer")
feed_bp = Blueprint("calendar_feed", __name__)
ACTIONS = {"on-my-way", "arrived", "completed", "no-show", "not-completed", "help"}


def _me():
    """The signed-in officer's record; an officer account not yet linked to one sees 404s."""
    officer = safety.officer_for(current_user)
    if officer is None:
        abort(404)
    return officer


def _visit(appointment_id: int) -> Appointment:
    appointment = db.session.get(Appointment, appointment_id)
    officer = _me()
    if appointment is None or officer.id not in (appointment.officer_id, appointment.second_officer_id):
        abort(404)
    return appointment


@bp.get("/")
@staff("officer")
def today():
    return _day(local_now().date())


@bp.get("/day/<day>")
@staff("officer")
def day_view(day: str):
    try:
        return _day(parse_day(day))
    except BadInput:
        abort(404)


def _day(day: date):
    officer = safety.officer_for(current_user)
    if officer is None:
        return render_template("officer/not_linked.html")
    return render_template(
        "officer/day.html",
        officer=officer,
        day=day,
        cards=day_for(officer, day),
        tomorrow=day + timedelta(days=1),
        yesterday=day - timedelta(days=1),
        is_today=day == local_now().date(),
    )


def _position() -> tuple[float | None, float | None]:
    try:
        return parse_number(request.form.get("lat")), parse_number(request.form.get("lng"))
    except BadInput:
        return None, None


@bp.post("/visits/<int:appointment_id>/<action>")
@staff("officer")
def act(appointment_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    appointment, officer = _visit(appointment_id), _me()
    lat, lng = _position()
    try:
        if action == "on-my-way":
            safety.on_my_way(appointment, officer, current_user)
            message = "Marked on your way."
        elif action == "arrived":
            safety.arrive(appointment, officer, current_user, lat, lng)
            message = "Checked in. Check out when you leave."
        elif action == "help":
            safety.help_now(appointment, officer, current_user, lat, lng)
            message = "Help requested. Supervisors have been alerted."
        else:
            outcome = {"completed": "completed", "no-show": "no_show", "not-completed": "not_completed"}[
                action
            ]
            reason = request.form.get("reason", "")
            if outcome == "not_completed" and not reason.strip():
                db.session.rollback()
                flash("Say why the visit could not be completed.", "error")
                return redirect(url_for("officer.visit", appointment_id=appointment.id))
            safety.finish(appointment, officer, current_user, outcome, reason)
            message = "Checked out."
        db.session.commit()
    except BookingRuleError as error:
        db.session.rollback()
        message = error.message
    flash(message, "success")
    return redirect(url_for("officer.today") + f"#visit-{appointment.id}")


@bp.get("/visits/<int:appointment_id>")
@staff("officer")
def visit(appointment_id: int):
    appointment = _visit(appointment_id)
    cards = [c for c in day_for(_me(), appointment.window_start.date()) if c.appointment.id == appointment.id]
    return render_template("officer/visit.html", appointment=appointment, card=cards[0] if cards else None)


@bp.get("/visits/<int:appointment_id>/warnings/<int:marker_id>")
@staff("officer", "supervisor", "admin")
def warning_detail(appointment_id: int, marker_id: int):
    appointment = db.session.get(Appointment, appointment_id) or abort(404)
    marker = db.session.get(RiskMarker, marker_id) or abort(404)
    if not may_see_detail(current_user, appointment):
        abort(403)
    view_detail(marker, current_user, appointment)
    db.session.commit()
    return render_template("officer/warning.html", marker=marker, appointment=appointment)


@bp.route("/calendar", methods=["GET", "POST"])
@staff("officer")
def calendar():
    officer = safety.officer_for(current_user)
    if officer is None:
        return render_template("officer/not_linked.html")
    feed_url = None
    if request.method == "POST":
        if request.form.get("action") == "revoke":
            calendar_feed.revoke(officer)
            flash("Your calendar link has been switched off.", "success")
        else:
            token = calendar_feed.issue_token(officer)
            feed_url = external_url("calendar_feed.officer_feed", token=token)
        db.session.commit()
    return render_template("officer/calendar.html", officer=officer, feed_url=feed_url)


@feed_bp.get("/calendar/officer/<token>.ics")
@public
@limiter.limit("60 per minute")
def officer_feed(token: str):
    officer = calendar_feed.officer_for_token(token)
    if officer is None:
        abort(404)
    return Response(calendar_feed.feed(officer), mimetype="text/calendar")
