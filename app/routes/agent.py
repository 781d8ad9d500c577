"""Phone agents: find the caller, one view of the customer, book, move or cancel for them, waitlist,
and the capacity board. Keyboard-first: every action is a link or a button in reading order."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.access import staff
from app.data.catalogue import all_hubs, all_services, hub_by_code, service_by_code
from app.data.officers import all_officers
from app.extensions import db
from app.forms.agent import (
    BookForm,
    ConfirmBookingForm,
    MoveForm,
    NewCallerForm,
    NoteForm,
    WaitlistForm,
    new_submission_id,
)
from app.forms.booking import CancelForm
from app.inputs import day_or, whole_number_or_none
from app.models import Appointment, Customer
from app.services import agent, audit, kiosk_calls, outbox, waitlist
from app.services.availability import search
from app.services.booking import (
    BookingRequest,
    BookingRuleError,
    CustomerDetails,
    IdempotencyConflict,
    SlotUnavailable,
    book,
    cancel,
    reschedule,
)
from app.services.contact import uk_mobile
from app.services.places import (
    Place,
    UnknownPostcode,
    address_place,
    customer_place,
    hub_place,
    nearest_area_id,
)
from app.services.references import format_reference
from app.timeutil import local_now

bp = Blueprint("agent", __name__, url_prefix="/agent")
AGENTS = ("agent", "supervisor", "admin")
SEARCH_DAYS = 14


def _customer(customer_id: int) -> Customer:
    return db.session.get(Customer, customer_id) or abort(404)


@bp.get("/")
@staff(*AGENTS)
def find():
    query = request.args.get("q", "")
    results = agent.find_callers(query) if query else []
    if query:
        audit.record("customer_search", "customer", "", results=len(results))
        db.session.commit()
    return render_template("agent/find.html", query=query, results=results)


@bp.route("/callers/new", methods=["GET", "POST"])
@staff(*AGENTS)
def new_caller():
    form = NewCallerForm()
    if form.validate_on_submit():
        try:
            place = address_place(
                "home", form.postcode.data, line1=form.line1.data, town=form.town.data or ""
            )
        except UnknownPostcode as error:
            form.postcode.errors = [f"{error}. Check it with the caller"]
        else:
            customer = Customer(
                name=form.name.data.strip(),
                phone=uk_mobile(form.phone.data) or "",
                email=(form.email.data or "").strip(),
                **place.address_fields(),
            )
            db.session.add(customer)
            db.session.flush()
            audit.record("customer_created", "customer", customer.id, channel="phone")
            db.session.commit()
            return redirect(url_for("agent.customer", customer_id=customer.id))
    return render_template("agent/new_caller.html", form=form)


@bp.route("/customers/<int:customer_id>", methods=["GET", "POST"])
@staff(*AGENTS)
def customer(customer_id: int):
    customer = _customer(customer_id)
    note_form = NoteForm()
    if note_form.validate_on_submit():
        agent.add_note(customer, note_form.text.data, current_user)
        db.session.commit()
        flash("Note saved.", "success")
        return redirect(url_for("agent.customer", customer_id=customer.id))
    audit.record("customer_viewed", "customer", customer.id)
    db.session.commit()
    appointments = agent.history(customer)
    return render_template(
        "agent/customer.html",
        customer=customer,
        appointments=appointments,
        messages={a.id: outbox.for_appointment(a) for a in appointments},
        notes=agent.notes(customer),
        note_form=note_form,
        precaution=agent.precaution_applies(customer),
        now=local_now(),
        format_reference=format_reference,
    )


def _place_choices(customer: Customer, service) -> list[tuple[str, str]]:
    choices = []
    if service is None or service.at_home:
        choices.append(("home", f"Home: {customer.address_line1}, {customer.postcode}"))
    if service is None or service.at_business:
        choices.append(("business", f"Business premises: {customer.address_line1}, {customer.postcode}"))
    if service is None or service.at_hub:
        choices += [(f"hub:{h.code}", h.name) for h in all_hubs(active_only=True)]
    return choices


def _place(customer: Customer, value: str) -> Place | None:
    if value.startswith("hub:"):
        hub = hub_by_code(value[4:])
        return hub_place(hub) if hub else None
    return customer_place(customer, value)


@bp.route("/customers/<int:customer_id>/book", methods=["GET", "POST"])
@staff(*AGENTS)
def book_for(customer_id: int):
    """One page: pick service, place and (optionally) officer; see every free time; book."""
    customer = _customer(customer_id)
    service = service_by_code(request.values.get("service", "")) if request.values.get("service") else None
    form = BookForm(request.args, meta={"csrf": False})
    form.service.choices = [("", "Choose a service")] + [
        (s.code, s.name) for s in all_services(bookable_only=True) if not s.premises_only
    ]
    form.place.choices = _place_choices(customer, service)
    form.officer.choices = [("", "Any officer")] + [
        (str(o.id), o.name) for o in all_officers(active_only=True)
    ]
    confirm = ConfirmBookingForm(
        preferred_channel=customer.preferred_channel,
        sms_consent=customer.sms_consent,
        access_needs=customer.access_needs,
        interpreter_language=customer.interpreter_language,
    )
    result = None
    place = (
        _place(customer, request.values.get("place", "")) if service and request.values.get("place") else None
    )
    if service and place:
        officer_id = whole_number_or_none(request.values.get("officer"))
        result = search(
            service, place, local_now().date(), SEARCH_DAYS, officer_id=officer_id, customer=customer
        )
        confirm.slot.choices = [(s.token, "") for s in result.slots]
        if request.method == "POST" and confirm.validate_on_submit():
            try:
                appointment = book(
                    BookingRequest(
                        slot_token=confirm.slot.data,
                        service=service,
                        place=place,
                        channel=kiosk_calls.booking_channel(current_user),
                        booked_by=current_user._get_current_object(),
                        idempotency_scope=f"agent:{current_user.id}",
                        idempotency_key=confirm.submission.data or "",
                        request_fingerprint={"customer": customer.id, "slot": confirm.slot.data},
                        notes=confirm.notes.data or "",
                        customer=CustomerDetails(
                            name=customer.name,
                            phone=customer.phone,
                            email=customer.email,
                            preferred_channel=confirm.preferred_channel.data,
                            sms_consent=bool(confirm.sms_consent.data),
                            access_needs=confirm.access_needs.data or "",
                            interpreter_language=confirm.interpreter_language.data or "",
                        ),
                    )
                )
                audit.record(
                    "sms_consent_recorded", "customer", customer.id, consent=bool(confirm.sms_consent.data)
                )
                kiosk_calls.booked_during_call(current_user, appointment)  # the kiosk shows the ticket
                db.session.commit()
                flash(f"Booked: reference {format_reference(appointment.reference)}.", "success")
                return redirect(url_for("agent.customer", customer_id=customer.id))
            except SlotUnavailable:
                db.session.rollback()
                confirm.slot.errors = ["That time has just gone. Choose another"]
            except BookingRuleError as error:
                db.session.rollback()
                confirm.slot.errors = [error.message]
            except IdempotencyConflict:  # this page booked a moment ago (e.g. back, another time, Book)
                db.session.rollback()
                confirm.submission.data = new_submission_id()
                confirm.slot.errors = [
                    "This page has booked already. Check the caller's bookings before you book again"
                ]
    officers = {o.id: o for o in all_officers()}
    return render_template(
        "agent/book.html",
        customer=customer,
        form=form,
        confirm=confirm,
        result=result,
        service=service,
        place=place,
        officers=officers,
    )


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["GET", "POST"])
@staff(*AGENTS)
def cancel_for(appointment_id: int):
    appointment = db.session.get(Appointment, appointment_id) or abort(404)
    form = CancelForm()
    if form.validate_on_submit():
        try:
            cancel(
                appointment,
                form.reason.data or "Cancelled by phone",
                actor=current_user._get_current_object(),
                channel="phone",
            )
            db.session.commit()
            flash(f"Cancelled {format_reference(appointment.reference)}.", "success")
            return redirect(url_for("agent.customer", customer_id=appointment.customer_id))
        except BookingRuleError as error:
            db.session.rollback()
            form.reason.errors = [error.message]
    return render_template("agent/cancel.html", appointment=appointment, form=form)


@bp.route("/appointments/<int:appointment_id>/move", methods=["GET", "POST"])
@staff(*AGENTS)
def move_for(appointment_id: int):
    appointment = db.session.get(Appointment, appointment_id) or abort(404)
    place = Place(
        appointment.location_type,
        appointment.lat,
        appointment.lng,
        appointment.hub.area_id if appointment.hub else nearest_area_id(appointment.lat, appointment.lng),
        hub=appointment.hub,
    )
    result = search(
        appointment.service,
        place,
        local_now().date(),
        SEARCH_DAYS,
        exclude_appointment=appointment.id,
        customer=appointment.customer,
    )
    confirm = MoveForm()
    confirm.slot.choices = [(s.token, "") for s in result.slots]
    if confirm.validate_on_submit():
        try:
            reschedule(
                appointment, confirm.slot.data, actor=current_user._get_current_object(), channel="phone"
            )
            db.session.commit()
            flash("Appointment moved. The caller will be told the new time.", "success")
            return redirect(url_for("agent.customer", customer_id=appointment.customer_id))
        except SlotUnavailable:
            db.session.rollback()
            confirm.slot.errors = ["That time has just gone. The appointment has not changed. Choose another"]
        except BookingRuleError as error:
            db.session.rollback()
            confirm.slot.errors = [error.message]
    officers = {o.id: o for o in all_officers()}
    return render_template(
        "agent/move.html", appointment=appointment, result=result, confirm=confirm, officers=officers
    )


@bp.post("/appointments/<int:appointment_id>/resend")
@staff(*AGENTS)
def resend(appointment_id: int):
    appointment = db.session.get(Appointment, appointment_id) or abort(404)
    queued = outbox.queue_for_resident(
        appointment, "confirmation", key_suffix=f"resend-{local_now():%Y%m%d%H%M%S}"
    )
    audit.record("confirmation_resent", "appointment", appointment.reference)
    db.session.commit()
    flash("Confirmation sent again." if queued else "The caller has no way to receive messages.", "success")
    return redirect(url_for("agent.customer", customer_id=appointment.customer_id))


@bp.route("/customers/<int:customer_id>/waitlist", methods=["GET", "POST"])
@staff(*AGENTS)
def join_waitlist(customer_id: int):
    customer = _customer(customer_id)
    form = WaitlistForm()
    form.service.choices = [(s.code, s.name) for s in all_services(bookable_only=True) if not s.premises_only]
    if form.validate_on_submit():
        area_id = nearest_area_id(customer.lat, customer.lng) if customer.lat is not None else None
        if area_id is None or not customer.phone:
            form.service.errors = ["The caller needs an address we can place and a mobile number for offers"]
        else:
            waitlist.join(
                customer,
                service_by_code(form.service.data),
                area_id,
                form.earliest.data,
                form.latest.data,
                form.times.data,
                user=current_user._get_current_object(),
            )
            db.session.commit()
            flash("Added to the waiting list. We will text them if a time comes free.", "success")
            return redirect(url_for("agent.customer", customer_id=customer.id))
    return render_template("agent/waitlist.html", customer=customer, form=form)


@bp.get("/capacity")
@staff(*AGENTS)
def capacity():
    day = day_or(request.args.get("day"), local_now().date())
    return render_template("agent/capacity.html", day=day, areas=agent.capacity_board(day))
