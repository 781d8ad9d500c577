"""Supervisors' dashboard: the month at a glance, CSV of every table, routes on a map, re-planning."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import records
from app.appointments.presenters import place_name
from app.appointments.queries import active_on_day
from app.appointments.references import format_reference
from app.booking import call_list
from app.booking.coverage import coverage_gaps
from app.booking.errors import BookingRuleError
from app.catalogue.queries import all_areas, all_hubs, all_services, service_by_code
from app.config import settings
from app.customers import equality as monitoring
from app.inputs import FIRST_DAY, LAST_DAY, BadInput, chosen_day, month_or, parse_day, whole_number_or_none
from app.messaging import outbox
from app.officers.queries import all_officers
from app.planning import planning
from app.planning import route_map as route_map_drawing
from app.planning.planning import route_for, stops_still_planned
from app.reporting import reports
from app.safety.rota import fallback_phone, nobody_on_duty
from app.staff import audit
from app.timeutil import local_now
from app.unit_of_work import unit_of_work
from app.web.access import SUPERVISORS, staff

if TYPE_CHECKING:
    from app.models import Officer

bp = Blueprint("reports", __name__, url_prefix="/supervisor")


def _month() -> date:
    return month_or(request.args.get("month"), local_now().date().replace(day=1))


def _month_pages(month: date) -> dict[str, str]:
    """The months before and after, for the dashboard's "Previous month" and "Next month" links."""
    previous = (month - timedelta(days=1)).replace(day=1)
    following = (month + timedelta(days=32)).replace(day=1)
    return {"previous": previous.strftime("%Y-%m"), "next": following.strftime("%Y-%m")}


def _month_choices(month: date) -> list[dict]:
    """The dashboard's list of months: a year either side of the one shown, within the years we accept."""
    first = month.replace(year=month.year - 1) if month.year > FIRST_DAY.year else month.replace(month=1)
    choices, current = [], first
    while len(choices) < 25 and current <= LAST_DAY:
        choices.append({"value": current.strftime("%Y-%m"), "text": current.strftime("%B %Y")})
        current = (current + timedelta(days=32)).replace(day=1)
    return choices


@bp.get("/dashboard")
@staff(*SUPERVISORS)
def dashboard():
    """The month comes from the list of months (or the Previous and Next links); anything else is
    answered with an error summary over the month it opens on, never a guess or a 500."""
    month_error = None
    if request.args.get("month"):
        try:
            month = parse_day(f"{request.args['month'].strip()}-01")
        except BadInput:
            month_error = "Select a month from the list"
    if not request.args.get("month") or month_error:
        month = reports.opening_month(local_now().date())
    return render_template(
        "reports/dashboard.html",
        month=month,
        month_error=month_error,
        months=_month_choices(month),
        pages=_month_pages(month),
        this_month=month == local_now().date().replace(day=1),
        tables=reports.dashboard(month),
        nobody_on_duty=nobody_on_duty(),
        fallback_phone=fallback_phone(),
        emails_waiting=outbox.emails_waiting_for_a_server(),
        email_off=not settings().smtp_host,
        coverage_gaps=coverage_gaps(),
    )


@bp.get("/equality")
@staff(*SUPERVISORS)
def equality():
    """Take-up and satisfaction by group over the 12 months to the chosen one; small groups hidden."""
    month = _month()
    first = (month - timedelta(days=335)).replace(day=1)
    return render_template(
        "reports/equality.html",
        month=month,
        first=first,
        tables=monitoring.report(first, month),
        suppress_below=monitoring.SUPPRESS_BELOW,
    )


@bp.get("/reports/<name>.csv")
@staff(*SUPERVISORS)
def export(name: str):
    month = _month()
    if name.startswith("waits_"):
        service = service_by_code(name[len("waits_") :]) or abort(404)
        table = reports.waits(service, local_now().date())
    else:
        table = reports.dashboard(month).get(name) or abort(404)
    filename = f"{table.name}-{month:%Y-%m}.csv"
    return Response(
        reports.as_csv(table),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/waits")
@staff(*SUPERVISORS)
def waits():
    services = [s for s in all_services(bookable_only=True) if not s.premises_only]
    service = service_by_code(request.args.get("service", "")) if request.args.get("service") else None
    table = reports.waits(service, local_now().date()) if service else None
    return render_template("reports/waits.html", services=services, service=service, table=table)


@bp.get("/routes")
@staff(*SUPERVISORS)
def route_map():
    officers = all_officers(active_only=True)
    officer_id = whole_number_or_none(request.args.get("officer"))
    officer = records.officer(officer_id) if officer_id else None
    day, day_error = chosen_day(request.values, "the day")
    day = day or (None if day_error else local_now().date())
    plan = route_for(officer, day) if officer and day else None
    points = []
    stops = stops_still_planned(plan) if plan else []
    if officer and plan:
        points.append(
            {"mark": "B", "label": "Base", "lat": officer.base_lat, "lng": officer.base_lng, "time": ""}
        )
        for stop in stops:
            a = stop.appointment
            points.append(
                {
                    "mark": str(stop.position + 1),  # the number in the table below
                    "label": f"{stop.position + 1}. {a.service.name}, {place_name(a)}",
                    "lat": a.lat,
                    "lng": a.lng,
                    "time": stop.planned_arrival.isoformat(),
                }
            )
    drawing = None
    if officer and plan:
        drawing = route_map_drawing.draw(
            [(a.name, a.lat, a.lng) for a in all_areas()],
            [(h.name, h.lat, h.lng) for h in all_hubs(active_only=True)],
            [(p["lat"], p["lng"]) for p in points],
            [p["mark"] for p in points[1:]],
        )
    return render_template(
        "reports/route_map.html",
        officers=officers,
        officer=officer,
        day=day,
        day_error=day_error,
        plan=plan,
        stops=stops,
        drawing=drawing,
        points_json=json.dumps(points),
        tile_url=settings().map_tile_url,
    )


def _officer_and_day() -> tuple[Officer | None, date | None, str | None]:
    """The officer and day chosen (app.inputs.chosen_day); the third value is what is wrong with the day."""
    officer_id = whole_number_or_none(request.values.get("officer"))
    officer = records.officer(officer_id) if officer_id else None
    return officer, *chosen_day(request.values, "the day to re-plan")


def _officer_missing(officer: Officer | None) -> str:
    """'Choose' pressed with the first option, 'Choose an officer', still selected (or one not known)."""
    return "Select the officer who is off" if "officer" in request.values and officer is None else ""


@bp.route("/replan", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def replan():
    """Absence → re-plan: preview once (stored), then publish exactly that preview."""
    officer, day, day_error = _officer_and_day()
    user = current_user._get_current_object()
    error = None
    if officer and day and request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "preview":
                seconds = settings().replan_seconds
                with unit_of_work():
                    proposal = planning.preview_absence(officer, day, time_limit=seconds, user=user)
                return redirect(url_for("reports.replan", officer=officer.id, day=day, proposal=proposal.id))
            if action == "publish":
                proposal = records.replan_proposal(request.form.get("proposal", type=int) or 0)
                if proposal is None or (proposal.officer_id, proposal.day) != (officer.id, day):
                    abort(404)
                with unit_of_work():
                    planning.publish_replan(proposal, user=user)
                # No flash: the page's own "published" banner says what happened (one banner, not two).
                return redirect(url_for("reports.replan", officer=officer.id, day=day, proposal=proposal.id))
        except (planning.NotAbsent, planning.PlanChanged) as problem:
            error = (
                f"{problem}. Preview the re-plan again."
                if isinstance(problem, planning.PlanChanged)
                else str(problem)
            )
        except planning.AlreadyPublished:  # a second click: the page says by whom and when
            return redirect(url_for("reports.replan", officer=officer.id, day=day, proposal=proposal.id))
    proposal = None
    if officer and day:
        wanted = request.args.get("proposal", type=int)
        proposal = records.replan_proposal(wanted) if wanted else None
        if proposal is not None and (proposal.officer_id, proposal.day) != (officer.id, day):
            proposal = None
    preview = planning.replan_preview(proposal) if proposal else None
    if preview and preview["unplaced"]:  # residents' names and phone numbers are on the page
        with unit_of_work():
            audit.record("replan_viewed", "replan_proposal", proposal.id, residents=len(preview["unplaced"]))
    absence = officer.absent_on(day) if officer and day else None
    left = officer is not None and not officer.active  # a leaver: off every day (planning.off_on)
    today = local_now().date()
    if left:
        other_days = planning.upcoming_days_to_replan(officer, today)
    else:
        other_days = planning.days_to_replan(officer, absence.starts_on, absence.ends_on) if absence else []
    return render_template(
        "reports/replan.html",
        outcome=_published_outcome(preview) if preview else "",
        officers=all_officers(active_only=True) + ([officer] if left else []),
        officer=officer,
        day=day,
        absence=absence,
        left=left,
        other_days=other_days,
        visits=len(active_on_day(day, [officer.id])) if officer and day else 0,
        preview=preview,
        error=error,
        day_error=day_error,
        # "Choose" pressed with the first option, "Choose an officer", still selected
        officer_error=_officer_missing(officer),
        upcoming=planning.upcoming_days_to_replan(officer, today) if officer and not day else [],
    )


def _published_outcome(preview: dict) -> str:
    """What publishing this plan did (it applies exactly the preview): "1 visit moved and its resident
    told; 2 on the call list"."""
    moved, unplaced = len(preview["moves"]), len(preview["unplaced"])
    visits = "1 visit moved and its resident" if moved == 1 else f"{moved} visits moved and their residents"
    return f"{visits} told; {unplaced} on the call list"


@bp.get("/calls")
@staff(*SUPERVISORS)
def calls():
    return _calls_page()


def _calls_page(error: dict | None = None):
    entries = call_list.open_entries()
    with unit_of_work():
        audit.record("call_list_viewed", "call_list", "", entries=len(entries))  # residents' contact details
    page = render_template(
        "reports/calls.html",
        entries=entries,
        closed=call_list.recently_closed(),
        sources=call_list.SOURCES,
        reach=call_list.reach,
        advice=call_list.advice,
        outcome_label=call_list.outcome_label,
        is_to_book=call_list.is_to_book,
        error=error,
    )
    return page, 400 if error else 200


@bp.post("/calls/<int:entry_id>/done")
@staff(*SUPERVISORS)
def call_done(entry_id: int):
    entry = records.call_list_entry(entry_id) or abort(404)
    if entry.open_for is not None:
        outcome = request.form.get("outcome", "")
        try:
            with unit_of_work():
                call_list.close(entry, current_user._get_current_object(), outcome)
        except BookingRuleError as error:  # a hidden character, or too long: the list again, with why
            return _calls_page({"entry_id": entry_id, "message": error.message, "value": outcome})
    done = "Marked as done" if call_list.is_to_book(entry) else "Marked as called"
    flash(f"{done}: {format_reference(entry.appointment.reference)}.", "success")
    return redirect(url_for("reports.calls"))
