""" "Tell us": the public form (linked from every page's footer and from texts) and the staff queue."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from app import records
from app.customers import feedback
from app.forms.feedback import CloseFeedbackForm, TellUsForm
from app.staff import audit
from app.timeutil import local_now
from app.unit_of_work import unit_of_work
from app.web.access import SUPERVISORS, public, staff
from app.web.guards import limiter
from app.web.kiosk_session import current_device

bp = Blueprint("feedback", __name__)  # residents' pages, in their language (app/i18n.py)
staff_bp = Blueprint("feedback_staff", __name__)


@bp.route("/tell-us", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def tell_us():
    form = TellUsForm()
    if form.validate_on_submit():
        with unit_of_work():
            feedback.submit(
                form.kind.data,
                form.message.data,
                source="kiosk" if current_device() is not None else "web",
                reference=form.reference.data or "",
                name=form.name.data or "",
                contact=form.contact.data or "",
            )
        return redirect(url_for("feedback.thanks", kind=form.kind.data))
    return render_template("feedback/tell_us.html", form=form)


@bp.get("/tell-us/thank-you")
@public
def thanks():
    return render_template("feedback/thanks.html")


@staff_bp.get("/supervisor/tell-us")
@staff(*SUPERVISORS)
def queue():
    items = feedback.open_items()
    with unit_of_work():
        audit.record("feedback_queue_viewed", "feedback", "", items=len(items))
    return render_template(
        "feedback/queue.html",
        items=items,
        checks={f.id: feedback.reference_check(f) for f in items},
        closed=feedback.recently_closed(),
        today=local_now().date(),
    )


@staff_bp.route("/supervisor/tell-us/<int:item_id>", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def item(item_id: int):
    found = records.feedback(item_id) or abort(404)
    form = CloseFeedbackForm()
    if found.closed_at is None and form.validate_on_submit():
        with unit_of_work():
            feedback.close(found, form.outcome.data, current_user._get_current_object())
        flash(f"{found.kind.capitalize()} closed.", "success")
        return redirect(url_for("feedback_staff.queue"))
    with unit_of_work():
        audit.record("feedback_viewed", "feedback", found.id)
    return render_template(
        "feedback/item.html",
        item=found,
        form=form,
        check=feedback.reference_check(found),
    )
