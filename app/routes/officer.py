"""The field officer's day, on a phone: visits in order, one-tap check-in and check-out, help.

The day and the safety actions are @officer_day: they work for the signed-in officer and for their
trusted work phone after the web session has idled out. The page works without JavaScript; with it,
a service worker keeps the day readable with no signal and taps queue until signal returns.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.globals import request_ctx
from flask_login import current_user

from app import records
from app.appointments.links import external_url
from app.appointments.presenters import status_label
from app.booking.errors import BookingRuleError
from app.config import settings
from app.inputs import BadInput, parse_day, parse_number, whole_number_or_none
from app.officers import calendar_feed
from app.risk.risk import may_see_detail, view_detail
from app.routes import officer_phone
from app.safety import devices, rota, safety
from app.safety.officer_day import day_for, latest_help, map_points
from app.timeutil import format_time, local_now, to_local, utcnow
from app.unit_of_work import unit_of_work
from app.web.access import officer_day, public, staff
from app.web.guards import limiter

if TYPE_CHECKING:
    from app.models import Appointment, Officer, OfficerDevice

bp = Blueprint("officer", __name__, url_prefix="/officer")
feed_bp = Blueprint("calendar_feed", __name__)
ACTIONS = {"on-my-way", "arrived", "completed", "no-show", "not-completed", "help", "extend"}
SAVING_FOR_OFFLINE = "X-Doorstep-Save"  # sent by the phone's service worker (officer/sw.js) alone


@bp.before_request
def _leave_messages_for_the_page():
    """The service worker fetching a page to save for no signal (the day, a visit, the no-signal page) is
    not the officer reading it: it takes no "Marked on your way." meant for the page the officer is about
    to see, and saves none (a race the browser tests lost on a busy machine)."""
    if request.headers.get(SAVING_FOR_OFFLINE):
        request_ctx.flashes = []  # what get_flashed_messages reads instead of the session's


def _acting() -> officer_phone.Acting:
    who = officer_phone.acting()
    if who is None:
        abort(404)  # an officer account not yet linked to an officer record
    return who


def _visit(appointment_id: int) -> Appointment:
    appointment = records.appointment(appointment_id)
    officer = _acting().officer
    if appointment is None or officer.id not in (appointment.officer_id, appointment.second_officer_id):
        abort(404)
    return appointment


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.get("/")
@officer_day
def today():
    return _day(local_now().date())


@bp.get("/day/<day>")
@officer_day
def day_view(day: str):
    try:
        chosen = parse_day(day)
    except BadInput:
        abort(404)
    return _day(chosen)


def _day(day: date):
    who = officer_phone.acting()
    if who is None:
        return render_template("officer/not_linked.html")
    cards = day_for(who.officer, day)
    return render_template(
        "officer/day.html",
        officer=who.officer,
        who=who,
        device_token=devices.form_token(who.device) if who.device else "",
        day=day,
        cards=cards,
        tomorrow=day + timedelta(days=1),
        yesterday=day - timedelta(days=1),
        is_today=day == local_now().date(),
        now=utcnow(),
        help_alert=latest_help(who.officer),
        duress_word=safety.DURESS_WORD,
        safe_word=safety.SAFE_WORD,
        help_word=safety.HELP_WORD,
        text_number=settings().twilio_from_number,
        extensions=safety.EXTENSIONS,
        calls=rota.calls_for_help(include_duty=True),
        points_json=json.dumps(map_points(who.officer, cards)),
        tile_url=settings().map_tile_url,
    )


def _position() -> tuple[float | None, float | None]:
    try:
        lat, lng = parse_number(request.form.get("lat")), parse_number(request.form.get("lng"))
    except BadInput:
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):  # also refuses nan and inf
        return None, None
    return lat, lng


def _day_url(appointment: Appointment) -> str:
    day = to_local(appointment.window_start).date()
    base = url_for("officer.today") if day == local_now().date() else url_for("officer.day_view", day=day)
    return f"{base}#visit-{appointment.id}"


def _help_result(alert, who: officer_phone.Acting):
    texted = [user.full_name if user else "the control room" for user, _phone in rota.escalation_numbers()]
    if texted:
        message = f"Help requested. Texted: {', '.join(texted)}."
    else:
        message = "Help is on the supervisors' screen, but nobody could be texted. Call now."
    calls = rota.calls_for_help(include_duty=True)
    if _wants_json():
        return jsonify(
            ok=True,
            sent=bool(texted),
            message=message,
            calls=[{"label": label, "number": number} for label, number in calls],
        )
    return render_template("officer/help_result.html", message=message, texted=texted, calls=calls)


@bp.post("/help")
@officer_day
def help_now():
    """Help from anywhere on the day page, with or without a visit in progress."""
    who = _acting()
    lat, lng = _position()
    with unit_of_work():
        alert = safety.help_now(None, who.officer, who.user, lat, lng, via=f"web, {who.via}")
    return _help_result(alert, who)


@bp.post("/visits/<int:appointment_id>/<action>")
@officer_day
def act(appointment_id: int, action: str):
    if action not in ACTIONS:
        abort(404)
    appointment, who = _visit(appointment_id), _acting()
    officer, user = who.officer, who.user
    lat, lng = _position()
    try:
        with unit_of_work():
            at = safety.tapped_at(request.form.get("client_time"), appointment)
            if action == "help":
                alert = safety.help_now(appointment, officer, user, lat, lng, via=f"web, {who.via}")
                return _help_result(alert, who)
            if action == "on-my-way":
                safety.on_my_way(appointment, officer, user)
                message = "Marked on your way."
            elif action == "arrived":
                safety.arrive(appointment, officer, user, lat, lng, at=at)
                nobody = status_label("no_show", appointment.hub)
                message = f"Checked in. When you leave, tap Completed, {nobody} or Could not complete."
            elif action == "extend":
                minutes = whole_number_or_none(request.form.get("minutes")) or 0
                session = safety.extend(appointment, officer, user, minutes)
                message = f"Visit extended. Expected to finish by {format_time(session.expected_end_at)}."
            else:
                outcome = {"completed": "completed", "no-show": "no_show", "not-completed": "not_completed"}[
                    action
                ]
                reason = request.form.get("reason", "")
                if outcome == "not_completed" and not reason.strip():
                    raise BookingRuleError("reason", "Say why the visit could not be completed")
                message = safety.finish(appointment, officer, user, outcome, reason, at=at)
    except BookingRuleError as error:
        if _wants_json():
            return jsonify(ok=False, message=error.message, errors={error.field: [error.message]}), 422
        if error.field == "reason":  # the form again, with the error at its field
            return _visit_page(appointment, who, error=error.message), 400
        flash(error.message, "error")
        # The page's top, where the error summary is: at the visit's card it sat off-screen, unseen.
        return redirect(_day_url(appointment).split("#")[0])
    flash(message, "success")  # shown when the page reloads after a background tap too
    if _wants_json():
        return jsonify(ok=True, message=message)
    return redirect(_day_url(appointment))


@bp.get("/visits/<int:appointment_id>")
@officer_day
def visit(appointment_id: int):
    return _visit_page(_visit(appointment_id), _acting())


def _visit_page(appointment: Appointment, who: devices.Acting, error: str | None = None) -> str:
    return render_template(
        "officer/visit.html",
        appointment=appointment,
        device_token=devices.form_token(who.device) if who.device else "",
        back=_day_url(appointment),
        help_alert=latest_help(who.officer),
        calls=rota.calls_for_help(include_duty=True),
        error=error,
        reason=request.form.get("reason", ""),
    )


@bp.get("/visits/<int:appointment_id>/warnings/<int:marker_id>")
@staff("officer", "supervisor", "admin")
def warning_detail(appointment_id: int, marker_id: int):
    appointment = records.appointment(appointment_id)
    marker = records.risk_marker(marker_id)
    # One answer for "not yours" and "not there", so marker and visit ids cannot be enumerated.
    if appointment is None or marker is None or not may_see_detail(current_user, appointment, marker):
        abort(404)
    with unit_of_work():
        view_detail(marker, current_user, appointment)
    return render_template(
        "officer/warning.html", marker=marker, appointment=appointment, back=_day_url(appointment)
    )


@bp.route("/phone", methods=["GET", "POST"])
@staff("officer")
def phone():
    """Trust this phone for safety actions (set up while signed in), and switch trusted phones off."""
    officer = safety.officer_for(current_user)
    if officer is None:
        return render_template("officer/not_linked.html")
    current = officer_phone.device_from_cookie()
    if request.method == "POST":
        if request.form.get("action") == "revoke":
            device = records.officer_device(request.form.get("device_id", type=int) or 0)
            if device is None or device.officer_id != officer.id:
                abort(404)
            with unit_of_work():
                devices.revoke(device, current_user)
            flash("That phone can no longer act for you.", "success")
            return redirect(url_for("officer.phone"))
        try:
            with unit_of_work():
                _device, secret = devices.register(officer, request.form.get("name", ""), current_user)
        except BookingRuleError as error:  # a hidden character, or too long: the form again, with why
            return _phone_page(officer, current, error=error.message), 400
        flash("This phone is now trusted for help, check-in and check-out.", "success")
        return officer_phone.set_cookie(make_response(redirect(url_for("officer.today"))), secret)
    return _phone_page(officer, current)


def _phone_page(officer: Officer, current: OfficerDevice | None, error: str | None = None) -> str:
    return render_template(
        "officer/phone.html",
        officer=officer,
        devices=devices.devices_of(officer),
        current=current,
        error=error,
        name=request.form.get("name", ""),
    )


@bp.get("/sw.js")
@public
def service_worker():
    """Served from /officer/ so that its scope is the officer's pages and nothing else."""
    response = make_response(render_template("officer/sw.js"))
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/offline")
@public
def offline():
    return render_template("officer/offline.html")


@bp.route("/calendar", methods=["GET", "POST"])
@staff("officer")
def calendar():
    officer = safety.officer_for(current_user)
    if officer is None:
        return render_template("officer/not_linked.html")
    feed_url = None
    if request.method == "POST":
        with unit_of_work():
            if request.form.get("action") == "revoke":
                calendar_feed.revoke(officer)
                flash("Your calendar link has been switched off.", "success")
            else:
                token = calendar_feed.issue_token(officer)
                feed_url = external_url("calendar_feed.officer_feed", token=token)
    return render_template("officer/calendar.html", officer=officer, feed_url=feed_url)


@feed_bp.get("/calendar/officer/<token>.ics")
@public
@limiter.limit("60 per minute")
def officer_feed(token: str):
    officer = calendar_feed.officer_for_token(token)
    if officer is None:
        abort(404)
    with unit_of_work():
        body = calendar_feed.feed(officer)  # audited: residents' first names and addresses
    return Response(body, mimetype="text/calendar")
