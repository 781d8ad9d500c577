"""Supervisors: safety alerts, the on-duty rota, officers' trusted phones and the risk register."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import records
from app.booking.errors import BookingRuleError
from app.forms.admin import WEEKDAYS
from app.forms.safety import DutyPeriodForm, ReviewForm, RiskMarkerForm, VisitDecisionForm, WorkPhoneForm
from app.inputs import whole_number_or_none
from app.risk import risk
from app.safety import devices, field_board, rota, safety
from app.timeutil import parse_clock, utcnow
from app.unit_of_work import unit_of_work
from app.web.access import SUPERVISORS, staff

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")


@bp.get("/field")
@staff(*SUPERVISORS)
def field():
    """Today's officers and where each visit stands; the page updates itself (field_board.js)."""
    now = utcnow()
    rows = field_board.field_today(now)
    alerts = safety.open_alerts()  # every one not yet acknowledged, newest first, as on Safety alerts
    return render_template(
        "supervisor/field.html",
        rows=rows,
        alerts=alerts,
        needs_a_look=field_board.needs_a_look(alerts, rows),
        now=now,
        nobody_on_duty=rota.nobody_on_duty(),
        fallback_phone=rota.fallback_phone(),
    )


@bp.get("/alerts")
@staff(*SUPERVISORS)
def alerts():
    return _alerts_page()


def _alerts_page(close_error: dict | None = None, status: int = 200, ack_error: dict | None = None):
    return (
        render_template(
            "supervisor/alerts.html",
            alerts=safety.open_alerts(),
            left_open=safety.sessions_left_open(),
            close_error=close_error,
            ack_error=ack_error,
            on_duty=rota.on_duty(),
            nobody_on_duty=rota.nobody_on_duty(),
            fallback_phone=rota.fallback_phone(),
            affected=len(risk.affected_visits()),
        ),
        status,
    )


@bp.post("/alerts/<int:alert_id>/acknowledge")
@staff(*SUPERVISORS)
def acknowledge(alert_id: int):
    alert = records.safety_alert(alert_id) or abort(404)
    try:
        with unit_of_work():
            safety.acknowledge(alert, current_user, request.form.get("note", ""))
    except BookingRuleError as error:
        return _alerts_page(
            status=400,
            ack_error={"alert_id": alert_id, "message": error.message, "value": request.form.get("note", "")},
        )
    flash("Alert acknowledged.", "success")
    return redirect(url_for("supervisor.alerts"))


@bp.post("/sessions/<int:session_id>/close")
@staff(*SUPERVISORS)
def close_session(session_id: int):
    """A visit the officer never checked out of, after its alert: closed once someone has spoken to them."""
    session = records.safety_session(session_id) or abort(404)
    if session not in safety.sessions_left_open():  # a page opened before a check-out or an extension
        flash(
            "That safety session is no longer waiting to be closed: the officer checked out or extended "
            "the visit, or it was closed already.",
            "info",
        )
        return redirect(url_for("supervisor.alerts"))
    try:
        with unit_of_work():
            safety.close_session(session, current_user, request.form.get("reason", ""))
    except BookingRuleError as error:
        return _alerts_page(
            {"session_id": session_id, "message": error.message, "value": request.form.get("reason", "")}, 400
        )
    flash("Safety session closed.", "success")
    return redirect(url_for("supervisor.alerts"))


# --- the on-duty rota ------------------------------------------------------------------------------


def _rota_page(form: DutyPeriodForm | None = None, phone_form: WorkPhoneForm | None = None, status=200):
    staff_list = rota.duty_staff()
    form = form or DutyPeriodForm(formdata=None)
    form.user_id.choices = [(u.id, u.full_name) for u in staff_list]
    return render_template(
        "supervisor/rota.html",
        form=form,
        phone_form=phone_form,
        staff_list=staff_list,
        periods=rota.periods(),
        on_duty=rota.on_duty(),
        nobody_on_duty=rota.nobody_on_duty(),
        fallback_phone=rota.fallback_phone(),
        weekday_names=WEEKDAYS,
    ), status


@bp.get("/rota")
@staff(*SUPERVISORS)
def rota_view():
    return _rota_page()


@bp.post("/rota")
@staff(*SUPERVISORS)
def rota_add():
    form = DutyPeriodForm()
    form.user_id.choices = [(u.id, u.full_name) for u in rota.duty_staff()]
    if form.validate_on_submit():
        try:
            with unit_of_work():
                rota.add_period(
                    records.user(form.user_id.data),
                    form.weekday.data,
                    parse_clock(form.starts.data),
                    parse_clock(form.ends.data),
                    current_user,
                )
        except rota.RotaError as error:
            getattr(form, error.field, form.user_id).errors.append(error.message)
        else:
            flash("Added to the rota.", "success")
            return redirect(url_for("supervisor.rota_view"))
    return _rota_page(form, status=400)


@bp.post("/rota/<int:period_id>/remove")
@staff(*SUPERVISORS)
def rota_remove(period_id: int):
    period = records.duty_period(period_id) or abort(404)
    with unit_of_work():
        rota.remove_period(period, current_user)
    flash("Removed from the rota.", "success")
    return redirect(url_for("supervisor.rota_view"))


@bp.post("/rota/phone")
@staff(*SUPERVISORS)
def rota_phone():
    form = WorkPhoneForm()
    user_id = whole_number_or_none(form.user_id.data)
    user = records.user(user_id) if user_id is not None else None
    if user is None or user.role not in rota.DUTY_ROLES:
        abort(404)
    if form.validate_on_submit():
        with unit_of_work():
            rota.set_phone(user, form.phone.data or "", current_user)
        flash(f"Work mobile saved for {user.full_name}.", "success")
        return redirect(url_for("supervisor.rota_view"))
    form.phone.id = f"phone-{user.id}"
    return _rota_page(phone_form=form, status=400)


# --- officers' trusted phones ----------------------------------------------------------------------


@bp.get("/phones")
@staff(*SUPERVISORS)
def phones():
    return render_template("supervisor/phones.html", devices=devices.devices_of())


@bp.post("/phones/<int:device_id>/revoke")
@staff(*SUPERVISORS)
def revoke_phone(device_id: int):
    device = records.officer_device(device_id) or abort(404)
    with unit_of_work():
        devices.revoke(device, current_user)
    flash(f"{device.officer.name}'s phone “{device.name}” is no longer trusted.", "success")
    return redirect(url_for("supervisor.phones"))


# --- the risk register ------------------------------------------------------------------------------


@bp.get("/risk")
@staff(*SUPERVISORS)
def register():
    return render_template(
        "supervisor/risk_register.html",
        markers=risk.register(),
        due=risk.due_for_review(),
        proposed=risk.awaiting_approval(),
        affected=len(risk.affected_visits()),
    )


@bp.route("/risk/new", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def new_marker():
    form = RiskMarkerForm()
    if form.validate_on_submit():
        customer = records.customer(form.customer_id.data) if form.customer_id.data else None
        if form.customer_id.data and customer is None:
            form.customer_id.errors = ["No customer has that number"]
        else:
            with unit_of_work():
                marker = risk.add_marker(
                    user=current_user,
                    category=form.category.data,
                    precaution=form.precaution.data,
                    reason=form.reason.data,
                    review_on=form.review_on.data,
                    postcode=form.postcode.data or "",
                    line1=form.house.data or "",
                    uprn=form.uprn.data or "",
                    customer=customer,
                    source_incident=form.source_incident.data or "",
                )
                affected = risk.recheck(marker, current_user)
            flash(
                _marker_saved(
                    "Warning marker proposed. It applies now; another supervisor must approve it.", affected
                ),
                "success",
            )
            return redirect(url_for("supervisor.marker", marker_id=marker.id))
    return render_template("supervisor/risk_new.html", form=form)


def _marker_saved(message: str, affected: list) -> str:
    if affected:
        visits = "1 booked visit needs" if len(affected) == 1 else f"{len(affected)} booked visits need"
        return f"{message} {visits} a decision: see the list of affected visits."
    return message


@bp.route("/risk/<int:marker_id>", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def marker(marker_id: int):
    marker = records.risk_marker(marker_id) or abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        with unit_of_work():
            risk.review(marker, current_user, form.next_review.data, keep=form.decision.data == "keep")
            affected = risk.recheck(marker, current_user)
        flash(_marker_saved("Review recorded.", affected), "success")
        return redirect(url_for("supervisor.register"))
    with unit_of_work():
        risk.view_detail(marker, current_user)
    return render_template(
        "supervisor/risk_marker.html",
        marker=marker,
        form=form,
        affected=risk.affected_visits(marker),
        covered=risk.addresses_covered(marker),
    )


@bp.post("/risk/<int:marker_id>/<decision>")
@staff(*SUPERVISORS)
def approve_marker(marker_id: int, decision: str):
    marker = records.risk_marker(marker_id) or abort(404)
    if decision not in ("approve", "reject"):
        abort(404)
    try:
        with unit_of_work():
            (risk.approve if decision == "approve" else risk.reject)(marker, current_user)
    except risk.RiskError as error:
        flash(error.message, "error")
        return redirect(url_for("supervisor.marker", marker_id=marker.id))
    flash(
        "Marker approved." if decision == "approve" else "Marker rejected: it no longer applies.", "success"
    )
    return redirect(url_for("supervisor.register"))


@bp.get("/risk/visits")
@staff(*SUPERVISORS)
def affected_visits():
    return render_template("supervisor/risk_visits.html", visits=risk.affected_visits(), form=None)


@bp.route("/risk/visits/<int:appointment_id>/<int:marker_id>", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def decide_visit(appointment_id: int, marker_id: int):
    appointment = records.appointment(appointment_id) or abort(404)
    marker = records.risk_marker(marker_id) or abort(404)
    form = VisitDecisionForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                risk.decide(appointment, marker, form.decision.data, form.note.data or "", current_user)
        except risk.RiskError as error:
            form.decision.errors.append(error.message)
        else:
            flash("Decision recorded.", "success")
            return redirect(url_for("supervisor.affected_visits"))
    return render_template(
        "supervisor/risk_decide.html",
        appointment=appointment,
        marker=marker,
        form=form,
        problem=risk.AffectedVisit(appointment, marker).problem if marker.precaution != "information" else "",
    )


@bp.get("/risk/log")
@staff(*SUPERVISORS)
def view_log():
    return render_template("supervisor/risk_log.html", events=risk.view_log())
