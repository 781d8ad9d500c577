"""Supervisor and admin screens: services, hubs, officers, leave and sickness."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import records
from app.booking import live_calls
from app.booking.coverage import coverage_gaps
from app.booking.skill_removal import SkillRemoval, hand_to_supervisors, skills_removed, switching_off
from app.catalogue.catalogue import add_closure, remove_closure, save_hub, save_service
from app.catalogue.queries import all_areas, all_hubs, all_services, all_skills, hub_by_code
from app.forms.admin import AbsenceForm, ClosureForm, HubForm, OfficerForm, ServiceForm
from app.inputs import day_or, whole_number_or_none
from app.messaging.contact import display_phone
from app.officers.officers import OfficerError, add_absence, remove_absence, save_officer
from app.officers.queries import all_officers, future_visits
from app.places.places import locate_postcode, normalise_postcode
from app.planning.planning import days_to_replan
from app.safety import rota
from app.staff import staff as accounts
from app.staff import tokens
from app.timeutil import local_now
from app.unit_of_work import unit_of_work
from app.web.access import SUPERVISORS, staff

if TYPE_CHECKING:
    from app.models import Officer

bp = Blueprint("admin", __name__, url_prefix="/admin")


# Services ---------------------------------------------------------------------------------


@bp.get("/services")
@staff(*SUPERVISORS)
def services():
    gaps = coverage_gaps()
    return render_template(
        "admin/services.html",
        services=all_services(),
        coverage_gaps=gaps,
        gap_areas={gap.service.id: gap.areas for gap in gaps},
    )


@bp.route("/services/new", methods=["GET", "POST"], defaults={"service_id": None})
@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def edit_service(service_id: int | None):
    service = records.service(service_id) or abort(404) if service_id else None
    form = ServiceForm(obj=service)
    form.skill_id.choices = [(0, "No particular skill")] + [(s.id, s.name) for s in all_skills()]
    if service and not form.is_submitted():
        form.places.data = service.places
        form.skill_id.data = service.skill_id or 0
    if form.validate_on_submit():
        with unit_of_work():
            saved = save_service(service, form.data)
        flash(f"{saved.name} saved.", "success")
        return redirect(url_for("admin.services"))
    return render_template("admin/service_form.html", form=form, service=service)


# Hubs -------------------------------------------------------------------------------------


@bp.get("/hubs")
@staff(*SUPERVISORS)
def hubs():
    return render_template("admin/hubs.html", hubs=all_hubs())


@bp.route("/hubs/<int:hub_id>", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def edit_hub(hub_id: int):
    hub = records.hub(hub_id) or abort(404)
    form = HubForm(obj=hub)
    if not form.is_submitted():
        for weekday, entry in enumerate(form.hours):
            hours = hub.hours_on(weekday)
            entry.opens.data = hours.opens.strftime("%H:%M") if hours else ""
            entry.closes.data = hours.closes.strftime("%H:%M") if hours else ""
        form.staff_phone.data = display_phone(hub.staff_phone) if hub.staff_phone else ""
    if form.validate_on_submit():
        with unit_of_work():
            save_hub(hub, form.data)
        flash(f"{hub.name} saved.", "success")
        return redirect(url_for("admin.hubs"))
    return render_template("admin/hub_form.html", form=form, hub=hub)


@bp.route("/hubs/<int:hub_id>/closures", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def hub_closures(hub_id: int):
    hub = records.hub(hub_id) or abort(404)
    form = ClosureForm()
    if form.validate_on_submit():
        with unit_of_work():
            add_closure(hub, form.first_day.data, form.last_day.data, form.reason.data)
        flash(f"{hub.name} closure saved. No hub appointments are offered on those days.", "success")
        return redirect(url_for("admin.hub_closures", hub_id=hub.id))
    return render_template("admin/hub_closures.html", hub=hub, form=form, today=local_now().date())


@bp.post("/hubs/<int:hub_id>/closures/<int:closure_id>/remove")
@staff(*SUPERVISORS)
def remove_hub_closure(hub_id: int, closure_id: int):
    closure = records.hub_closure(closure_id) or abort(404)
    if closure.hub_id != hub_id:
        abort(404)
    with unit_of_work():
        remove_closure(closure)
    flash("Closure removed.", "success")
    return redirect(url_for("admin.hub_closures", hub_id=hub_id))


# API tokens -------------------------------------------------------------------------------


@bp.route("/api-tokens", methods=["GET", "POST"])
@staff("admin")
def api_tokens():
    if request.method == "POST":
        token_id = whole_number_or_none(request.form.get("revoke"))
        token = records.api_token(token_id) or abort(404)
        with unit_of_work():
            tokens.revoke(token, by=current_user._get_current_object())
        flash(f"Token {token.prefix} ({token.user.email}) no longer works.", "success")
        return redirect(url_for("admin.api_tokens"))
    return render_template("admin/api_tokens.html", tokens=tokens.active_tokens())


# Staff users ------------------------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
@staff("admin")
def users():
    """Every staff sign-in, and a switch: a leaver is switched off the day they leave."""
    error = None
    if request.method == "POST":
        switching_off = "switch_off" in request.form
        user_id = whole_number_or_none(request.form.get("switch_off" if switching_off else "switch_on"))
        user = records.user(user_id) or abort(404)
        if switching_off and request.form.get("confirmed") != "yes" and user.id != current_user.id:
            return _confirm_switch_off(user)  # one press ends everything: say what, and ask first
        try:
            with unit_of_work():
                if switching_off:
                    ended = accounts.switch_off(user, by=current_user._get_current_object())
                else:
                    accounts.switch_on(user, by=current_user._get_current_object())
        except accounts.StaffError as problem:
            error = (str(problem), user.id)
        else:
            flash(_switched_message(user, ended if switching_off else None), "success")
            return redirect(url_for("admin.users"))
    officers = {o.user_id: o for o in all_officers() if o.user_id}
    return render_template(
        "admin/users.html", users=accounts.all_staff(), officers=officers, visits=future_visits(), error=error
    )


def _confirm_switch_off(user):
    officer = next((o for o in all_officers() if o.user_id == user.id), None)
    return render_template(
        "admin/user_switch_off.html",
        user=user,
        officer=officer,
        held=future_visits().get(officer.id, 0) if officer else 0,
        on_duty=user in rota.on_duty(),
    )


def _switched_message(user, ended: accounts.Ended | None) -> str:
    if ended is None:
        return f"{user.full_name} ({user.email}) can sign in again."
    parts = [f"{user.full_name} ({user.email}) is switched off: their sessions have ended"]
    if ended.phones:
        parts.append(f"{ended.phones} trusted phone{'s' if ended.phones != 1 else ''} switched off")
    if ended.api_tokens:
        parts.append(f"{ended.api_tokens} API token{'s' if ended.api_tokens != 1 else ''} revoked")
    if ended.calendar_feed:
        parts.append("their calendar feed stopped")
    if ended.officer:
        parts.append("their officer record switched off (no new visits are offered with them)")
    return ", ".join(parts) + "."


# Officers ---------------------------------------------------------------------------------


@bp.get("/officers")
@staff(*SUPERVISORS)
def officers():
    return render_template("admin/officers.html", officers=all_officers())


def _officer_form(officer: Officer | None) -> OfficerForm:
    form = OfficerForm(obj=officer)
    form.skills.choices = [(s.id, s.name) for s in all_skills()]
    form.areas.choices = [(a.id, a.name) for a in all_areas()]
    form.base_hub.choices = [("", "Not a hub")] + [(h.code, h.name) for h in all_hubs()]
    form.needs_base = officer is None
    if officer and not form.is_submitted():
        at_hub = next((h for h in all_hubs() if (h.lat, h.lng) == (officer.base_lat, officer.base_lng)), None)
        form.base_hub.data = at_hub.code if at_hub else ""
        form.skills.data = [s.id for s in officer.skills]
        form.areas.data = [a.id for a in officer.areas]
        form.phone.data = display_phone(officer.phone) if officer.phone else ""
        for weekday, entry in enumerate(form.days):
            pattern = officer.pattern_on(weekday)
            if pattern:
                entry.starts.data = pattern.starts.strftime("%H:%M")
                entry.ends.data = pattern.ends.strftime("%H:%M")
                entry.break_starts.data = (
                    pattern.break_starts.strftime("%H:%M") if pattern.break_starts else ""
                )
                entry.break_minutes.data = pattern.break_minutes
    return form


@bp.route("/officers/new", methods=["GET", "POST"], defaults={"officer_id": None})
@bp.route("/officers/<int:officer_id>", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def edit_officer(officer_id: int | None):
    officer = records.officer(officer_id) or abort(404) if officer_id else None
    form = _officer_form(officer)
    if form.validate_on_submit() and (base := _base_of(form, officer)) is not None:
        was_active = officer is not None and officer.active
        # A skill or community area taken away from an officer who stays on, or the officer switched off:
        # say first which booked visits it would strand. Read again on confirming: what is booked then is
        # what goes on the call list (a leaver's visits go to the re-plan, below).
        removal = None
        if was_active and not form.active.data:
            removal = switching_off(officer)
        elif was_active:
            removal = skills_removed(officer, set(form.skills.data or []), set(form.areas.data or []))
        if removal is not None and request.form.get("confirmed") != "yes":
            return _confirm_skill_removal(removal)
        with unit_of_work():
            saved = save_officer(officer, form.data | {"lat": base[0], "lng": base[1]})
            handed = hand_to_supervisors(removal) if removal is not None and not removal.switch_off else 0
            # A skill or area given back, or the officer switched on: visits listed for it need no call.
            live_calls.close_resolved(current_user._get_current_object())
        if was_active and not saved.active:  # a leaver: their access has ended; their visits need moving
            held = future_visits().get(saved.id, 0)
            flash(
                f"{saved.name} is switched off: their sign-in, sessions, trusted phones, API tokens and "
                f"calendar feed no longer work. "
                + (
                    (
                        "They still hold 1 booked visit: re-plan it below."
                        if held == 1
                        else f"They still hold {held} booked visits: re-plan them below."
                    )
                    if held
                    else ""
                ),
                "success",
            )
            if held:
                return redirect(url_for("reports.replan", officer=saved.id))
        elif handed:
            flash(
                f"{saved.name} saved. {handed} booked visit{'s' if handed != 1 else ''} {removal.needing} "
                f"{'are' if handed != 1 else 'is'} on Residents to call: move or cancel with the resident.",
                "success",
            )
            return redirect(url_for("reports.calls"))
        else:
            flash(f"{saved.name} saved.", "success")
        return redirect(url_for("admin.officer_absences", officer_id=saved.id))
    return render_template("admin/officer_form.html", form=form, officer=officer)


def _confirm_skill_removal(removal: SkillRemoval):
    """The warning and the confirm step: the form's answers are sent again, as they were, with
    confirmed=yes (no JavaScript; the page's own CSRF token)."""
    answers = [(k, v) for k, v in request.form.items(multi=True) if k not in ("csrf_token", "confirmed")]
    return render_template("admin/officer_skill_removal.html", removal=removal, answers=answers)


def _base_of(form: OfficerForm, officer: Officer | None) -> tuple[float, float] | None:
    """Where the officer starts and ends: the chosen hub, the postcode's place in the gazetteer, or
    (editing, neither given) where it was. None, with the error on the form, when it cannot be placed."""
    if form.base_hub.data and (hub := hub_by_code(form.base_hub.data)) is not None:
        return hub.lat, hub.lng
    if form.base_postcode.data:
        located = locate_postcode(normalise_postcode(form.base_postcode.data) or "")
        if located is None:
            form.base_postcode.errors = ["We do not recognise that postcode: choose the hub instead"]
        return located
    return (officer.base_lat, officer.base_lng) if officer else None


@bp.route("/officers/<int:officer_id>/absences", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def officer_absences(officer_id: int):
    officer = records.officer(officer_id) or abort(404)
    form = AbsenceForm()
    if request.method == "GET" and request.args.get("day"):  # from the re-plan page: the day it showed
        form.starts_on.data = form.ends_on.data = day_or(request.args["day"], None)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                absence = add_absence(
                    officer, form.kind.data, form.starts_on.data, form.ends_on.data, form.note.data or ""
                )
        except OfficerError as error:
            form.starts_on.errors = [*form.starts_on.errors, str(error)]
        else:
            affected = days_to_replan(officer, absence.starts_on, absence.ends_on)
            if affected:  # booked visits fall in the absence: offer their re-plan at once
                visits = sum(n for _day, n in affected)
                flash(
                    f"Absence added. {visits} booked visit{'s fall' if visits != 1 else ' falls'} in it and "
                    f"need{'s' if visits == 1 else ''} another officer: check the re-plan below.",
                    "success",
                )
                return redirect(url_for("reports.replan", officer=officer.id, day=affected[0][0].isoformat()))
            flash("Absence added.", "success")
            return redirect(url_for("admin.officer_absences", officer_id=officer.id))
    today = local_now().date()
    to_replan = [
        (day, count)
        for absence in officer.absences
        if absence.ends_on >= today
        for day, count in days_to_replan(officer, max(absence.starts_on, today), absence.ends_on)
    ]
    return render_template("admin/officer_absences.html", officer=officer, form=form, to_replan=to_replan)


@bp.post("/officers/<int:officer_id>/absences/<int:absence_id>/remove")
@staff(*SUPERVISORS)
def remove_officer_absence(officer_id: int, absence_id: int):
    absence = records.absence(absence_id) or abort(404)
    if absence.officer_id != officer_id:
        abort(404)
    with unit_of_work():
        remove_absence(absence)
        live_calls.close_resolved(current_user._get_current_object())  # visits a re-plan could not keep
    flash("Absence removed.", "success")
    return redirect(url_for("admin.officer_absences", officer_id=officer_id))
