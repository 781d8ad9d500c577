"""Supervisors' dashboard: the month at a glance, CSV of every table, routes on a map, re-planning."""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for

from app.access import SUPERVISORS, staff
from app.data.catalogue import all_services, service_by_code
from app.data.officers import all_officers
from app.extensions import db
from app.inputs import BadInput, day_or, month_or, parse_day, whole_number_or_none
from app.models import Officer
from app.services import reports
from app.services.planning import preview_absence, replan_for_absence, route_for
from app.timeutil import local_now

bp = Blueprint("reports", __name__, url_prefix="/supervisor")


def _month() -> date:
    return month_or(request.args.get("month"), local_now().date().replace(day=1))


@bp.get("/dashboard")
@staff(*SUPERVISORS)
def dashboard():
    from app.services.rota import nobody_on_duty

    month = _month()
    return render_template(
        "reports/dashboard.html",
        month=month,
        tables=reports.dashboard(month),
        nobody_on_duty=nobody_on_duty(),
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
    officer = db.session.get(Officer, officer_id) if officer_id else None
    day = day_or(request.args.get("day"), local_now().date())
    plan = route_for(officer, day) if officer else None
    points = []
    if officer and plan:
        points.append({"label": "Base", "lat": officer.base_lat, "lng": officer.base_lng, "time": ""})
        for stop in plan.stops:
            a = stop.appointment
            points.append(
                {
                    "label": f"{stop.position + 1}. {a.service.name}",
                    "lat": a.lat,
                    "lng": a.lng,
                    "time": stop.planned_arrival.isoformat(),
                }
            )
    return render_template(
        "reports/route_map.html",
        officers=officers,
        officer=officer,
        day=day,
        plan=plan,
        points_json=json.dumps(points),
        tile_url=current_app.config.get("MAP_TILE_URL", ""),
    )


@bp.route("/replan", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def replan():
    officers = all_officers(active_only=True)
    officer_id = whole_number_or_none(request.values.get("officer"))
    officer = db.session.get(Officer, officer_id) if officer_id else None
    try:
        day = parse_day(request.values["day"]) if request.values.get("day") else None
    except BadInput:
        day = None
    preview = None
    if officer and day and request.method == "POST" and request.form.get("confirm"):
        summary = replan_for_absence(officer, day)
        db.session.commit()
        flash(
            f"Published: {len(summary.moved)} visits moved, {len(summary.unassigned)} need a call.", "success"
        )
        return redirect(url_for("reports.replan", officer=officer.id, day=day.isoformat()))
    if officer and day:
        preview = preview_absence(officer, day)
    return render_template(
        "reports/replan.html", officers=officers, officer=officer, day=day, preview=preview
    )
