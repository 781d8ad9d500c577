"""Kiosk mode at community hubs: large touch targets, plain steps, help on hand, nothing left behind."""

from __future__ import annotations

import segno
from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app import records
from app.appointments.links import external_url
from app.appointments.presenters import when, where
from app.appointments.references import format_reference
from app.booking.customers import check_change_allowance
from app.booking.errors import TooManyBookings
from app.catalogue.queries import all_hubs
from app.forms.kiosk_calls import TextBookingForm
from app.i18n import current_locale
from app.inputs import hidden_characters, whole_number_or_none
from app.kiosk import help as kiosk_help
from app.kiosk import kiosk as kiosks
from app.kiosk.kiosk_calls import phones_open
from app.messaging.contact import uk_mobile
from app.unit_of_work import unit_of_work
from app.web import kiosk_session, resident_session
from app.web.access import SUPERVISORS, kiosk, public, staff
from app.web.guards import limiter
from app.web.navigation import AGENTS
from app.web.resident_session import BOOKED

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
staff_bp = Blueprint("kiosk_staff", __name__)


@bp.route("/activate/<token>", methods=["GET", "POST"])
@public
def activate(token: str):
    """Opening the link only asks (link scanners and mail previewers fetch links and must not use it
    up); pressing the button sets this browser up as the kiosk."""
    if request.method == "GET":
        device = kiosks.device_for_link(token)
        if device is None:
            return render_template("kiosk/not_set_up.html", link_used=True), 403
        return render_template("kiosk/activate.html", device=device, token=token)
    with unit_of_work():
        device = kiosks.activate(token)
    if device is None:
        return render_template("kiosk/not_set_up.html", link_used=True), 403
    kiosk_session.sign_in(device)
    return redirect(url_for("kiosk.start"))


@bp.get("/")
@kiosk
def start():
    device = kiosk_session.current_device()
    # Promise that someone will come only when Ask for help would tell someone (kiosk_help's rule).
    someone = kiosk_help.hub_open(device.hub) and bool(
        kiosk_help.staff_mobile(device.hub) or device.hub.has_counter
    )
    return render_template("kiosk/start.html", device=device, someone_can_come=someone)


@bp.post("/help")
@kiosk
@limiter.limit("3 per minute;20 per hour")  # each press texts the hub's staff phone
def help_me():
    with unit_of_work():
        asked = kiosk_help.ask_for_help(kiosk_session.current_device())
    return render_template("kiosk/help.html", asked=asked, phones_open=phones_open())


@bp.post("/reset")
@kiosk
def reset():
    with unit_of_work():
        kiosk_session.end_call()  # a call ends with the session it belongs to
        kiosk_help.person_left(kiosk_session.current_device())  # the next person's help is theirs
    kiosk_session.reset()
    response = make_response(redirect(url_for("kiosk.start")))
    response.headers["Clear-Site-Data"] = '"cache"'  # the back button must not show the last person's pages
    return response


@bp.get("/text-size/<size>")
@kiosk
def text_size(size: str):
    session["kiosk_text"] = "large" if size == "large" else "normal"
    target = request.referrer or url_for("kiosk.start")
    return redirect(target if target.startswith(request.host_url) else url_for("kiosk.start"))


@bp.get("/ticket")
@kiosk
def ticket():
    appointment = resident_session.linked(BOOKED)
    if appointment is None:
        return redirect(url_for("kiosk.start"))
    shown = format_reference(appointment.reference)
    # segno builds the SVG itself from our reference alphabet: nothing user-typed reaches it
    title = _("QR code of reference %(reference)s", reference=shown)
    qr = Markup(segno.make(shown, error="m").svg_inline(scale=6, title=title))  # noqa: S704
    return render_template(
        "kiosk/ticket.html",
        appointment=appointment,
        reference=shown,
        qr=qr,
        when=when(appointment, current_locale()),
        where=where(appointment),
    )


@bp.route("/text-booking", methods=["GET", "POST"])
@kiosk
@limiter.limit("10 per minute", methods=["POST"])
def text_booking():
    """The booking just made, texted to the resident's mobile: the link is never shown on the kiosk."""
    appointment = resident_session.linked(BOOKED)
    if appointment is None:
        return redirect(url_for("kiosk.start"))
    form = TextBookingForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                if kiosks.strangers_number(appointment, form.phone.data):
                    check_change_allowance(uk_mobile(form.phone.data) or "", "", None)
                texted = kiosks.text_booking(appointment, form.phone.data)
        except (TooManyBookings, kiosks.TextedEnough) as error:  # the number's or the booking's texts used up
            form.phone.errors = [error.message]
            return render_template("kiosk/text_booking.html", form=form), 400
        if texted is None:  # the number replied STOP: nothing is sent, and the resident is told why
            return render_template("kiosk/text_booking.html", form=form, stopped=uk_mobile(form.phone.data))
        digits = "".join(c for c in form.phone.data if c.isdigit())[-3:]
        return render_template("kiosk/text_booking_sent.html", last_digits=digits)
    return render_template("kiosk/text_booking.html", form=form)


# Staff at the hubs, and admins who register kiosks ---------------------------------------------


@staff_bp.route("/staff/kiosk-help", methods=["GET", "POST"])
@staff(*AGENTS)  # those the navigation shows it to: the hubs' desks, not officers out on visits
def help_requests():
    """Open requests newest first, each with "Dealt with"; the page asks for itself again every few
    seconds with JavaScript (kiosk_help.js), and has a Refresh link without it."""
    if request.method == "POST":
        request_id = whole_number_or_none(request.form.get("request_id"))
        item = (records.kiosk_help_request(request_id) if request_id else None) or abort(404)
        with unit_of_work():
            done = kiosk_help.deal_with(item, current_user._get_current_object())
        where = f"{item.kiosk.name}, {item.kiosk.hub.name}"
        flash(f"Dealt with: {where}." if done else f"Already dealt with or closed: {where}.", "success")
        return redirect(url_for("kiosk_staff.help_requests"))
    return render_template(
        "kiosk/help_requests.html",
        requests=kiosk_help.open_requests(),
        closed=kiosk_help.recently_closed(),
        closes_after=int(kiosk_help.CLOSES_AFTER.total_seconds() // 60),
    )


@staff_bp.route("/admin/kiosks", methods=["GET", "POST"])
@staff(*SUPERVISORS)
def kiosk_devices():
    activation_url = None
    chosen_hub_id, typed_name = None, ""  # kept when the form is sent back with an error
    if request.method == "POST":
        with unit_of_work():
            if request.form.get("revoke") or request.form.get("relink"):
                device_id = whole_number_or_none(request.form.get("revoke") or request.form.get("relink"))
                device = (records.kiosk_device(device_id) if device_id else None) or abort(404)
                if request.form.get("revoke"):
                    kiosks.revoke(device)
                    flash(f"{device.name} can no longer be used.", "success")
                elif device.active:
                    activation_url = external_url("kiosk.activate", token=kiosks.new_link(device))
            else:
                hub_id = whole_number_or_none(request.form.get("hub_id"))
                hub = records.hub(hub_id) if hub_id else None
                name = (request.form.get("name") or "").strip()
                problem = None
                if hub is None or not name:
                    problem = "Choose a hub and give the kiosk a name."
                elif hidden_characters(name):
                    problem = "The kiosk's name must not include tabs, line breaks or hidden characters."
                if problem:
                    flash(problem, "error")
                    chosen_hub_id, typed_name = hub_id, name
                else:
                    _device, token = kiosks.register(hub, name)
                    activation_url = external_url("kiosk.activate", token=token)
    devices = kiosks.all_devices()
    return render_template(
        "kiosk/devices.html",
        devices=devices,
        hubs=all_hubs(),
        activation_url=activation_url,
        chosen_hub_id=chosen_hub_id,
        typed_name=typed_name,
    )
