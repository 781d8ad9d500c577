"""Supervisors: safety alerts and the risk register."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import SUPERVISORS, staff
from app.extensions import db
from app.forms.safety import ReviewForm, RiskMarkerForm
from app.models import Customer, RiskMarker, SafetyAlert
from app.services import risk, safety

bp = Blueprint("supervisor", __name__, url_prefix="/supervisor")


@bp.get("/alerts")
@staff(*SUPERVISORS)
def alerts():
    return render_template("supervisor/alerts.html", alerts=safety.open_alerts())


@bp.post("/alerts/<int:alert_id>/acknowledge")
@staff(*SUPERVISORS)
def acknowledge(alert_id: int):
    alert = db.session.get(SafetyAlert, alert_id) or abort(404)
    safety.acknowledge(alert, current_user, request.form.get("note", ""))
    db.session.commit()
    flash("Alert acknowledged.", "success")
    return redirect(url_for("supervisor.alerts"))


@bp.get("/risk")
@staff(*SUPERVISORS)
def register():
    return render_template(
        "supervisor/risk_register.html", markers=risk.register(), due=risk.due_for_review()
    )


@bp.route("/risk/new", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def new_marker():
    form = RiskMarkerForm()
    if form.validate_on_submit():
        customer = db.session.get(Customer, form.customer_id.data) if form.customer_id.data else None
        if form.customer_id.data and customer is None:
            form.customer_id.errors = ["No customer has that number"]
        else:
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
            db.session.commit()
            flash("Warning marker added.", "success")
            return redirect(url_for("supervisor.marker", marker_id=marker.id))
    return render_template("supervisor/risk_new.html", form=form)


@bp.route("/risk/<int:marker_id>", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def marker(marker_id: int):
    marker = db.session.get(RiskMarker, marker_id) or abort(404)
    form = ReviewForm()
    if form.validate_on_submit():
        risk.review(marker, current_user, form.next_review.data, keep=form.decision.data == "keep")
        db.session.commit()
        flash("Review recorded.", "success")
        return redirect(url_for("supervisor.register"))
    risk.view_detail(marker, current_user)
    db.session.commit()
    return render_template("supervisor/risk_marker.html", marker=marker, form=form)
