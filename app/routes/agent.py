"""Phone agents: find the caller, one view of the customer, book, move or cancel for them, waitlist,
and the capacity board. Keyboard-first: every action is a link or a button in reading order."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app import records
from app.appointments.presenters import when
from app.appointments.references import format_reference
from app.booking import agent, waitlist
from app.booking.availability import later_dates_from, search, token_among
from app.booking.booking import book
from app.booking.booking_request import booking_request
from app.booking.changes import cancel, place_to_move, reschedule
from app.booking.errors import (
    BookingRuleError,
    IdempotencyConflict,
    NotStaffed,
    PossibleDuplicate,
    SlotUnavailable,
)
from app.booking.waitlist_offers import how_offered
from app.catalogue.queries import all_hubs, all_services, hub_by_code, service_by_code
from app.catalogue.search import find_services
from app.config import settings
from app.forms.agent import (
    BookForm,
    CallerLanguageForm,
    ConfirmBookingForm,
    MoveForm,
    NewCallerForm,
    NoteForm,
    WaitlistForm,
    new_submission_id,
)
from app.forms.booking import CancelForm, ConfirmForm
from app.i18n import IN_ENGLISH, LANGUAGES
from app.inputs import chosen_day, day_or, whole_number_or_none
from app.kiosk import kiosk_calls
from app.messaging import consent, outbox
from app.messaging.contact import display_phone, uk_mobile
from app.messaging.language import change_language
from app.messaging.new_link import send_new_link
from app.officers.queries import all_officers
from app.places.places import (
    Place,
    customer_place,
    hub_place,
    nearest_area_id,
)
from app.staff import audit
from app.timeutil import local_now
from app.unit_of_work import unit_of_work
from app.web.access import staff

if TYPE_CHECKING:
    from app.models import Customer, Service

bp = Blueprint("agent", __name__, url_prefix="/agent")
AGENTS = ("agent", "supervisor", "admin")
SEARCH_DAYS = 14


def _customer(customer_id: int) -> Customer:
    return records.customer(customer_id) or abort(404)


def _viewed(customer: Customer, page: str) -> None:
    """Every page showing a customer's details is an audited read (by id, a trawl of ids leaves a trace):
    the booking, waiting-list, move and cancel pages as well as their own page."""
    with unit_of_work():
        agent.record_view(customer, page)


@bp.get("/")
@staff(*AGENTS)
def find():
    query = request.args.get("q", "")
    results = agent.find_callers(query) if query else []
    if query:
        with unit_of_work():
            agent.record_search(results, "find")
    return render_template("agent/find.html", query=query, results=results)


@bp.route("/callers/new", methods=["GET", "POST"])
@staff(*AGENTS)
def new_caller():
    return _caller_form(None)


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"])
@staff(*AGENTS)
def edit_caller(customer_id: int):
    return _caller_form(_customer(customer_id))


def _caller_form(customer: Customer | None):
    form = NewCallerForm(obj=_caller_values(customer) if customer and request.method == "GET" else None)
    if customer is None:  # a new caller chooses how to be reminded when the agent books
        del form.preferred_channel, form.sms_consent
    elif customer.sms_consent:
        del form.sms_consent  # given already: "Stop texts" on their page withdraws it
    matches = []
    if form.validate_on_submit():
        if customer is None and request.form.get("new_record") != "yes":
            matches = agent.existing_callers(form.data)  # offer the record they have before making another
            if matches:
                with unit_of_work():  # a look-up by name, phone or email: audited as the search is
                    agent.record_search([m.customer for m in matches], "new_caller")
                return render_template("agent/new_caller.html", form=form, customer=None, matches=matches)
        try:
            with unit_of_work():
                saved = agent.save_caller(customer, form.data, current_user._get_current_object())
        except agent.CallerDetailsError as error:
            getattr(form, error.field).errors = [str(error)]
        else:
            flash(_saved_message(saved) if customer else "Caller's record made.", "success")
            return redirect(url_for("agent.customer", customer_id=saved.customer.id))
    if customer is not None and request.method == "GET":
        with unit_of_work():
            agent.record_view(customer, "edit")
    return render_template("agent/new_caller.html", form=form, customer=customer, matches=matches)


def _saved_message(saved: agent.SavedCaller) -> str:
    said = ["Caller's details saved."]
    if saved.visits_told == 1:
        said.append("Their booked visit still to come now shows the officer what they need.")
    elif saved.visits_told:
        said.append(
            f"Their {saved.visits_told} booked visits still to come now show their officers what they need."
        )
    if saved.redirected:
        waiting = (
            "1 text or email that was"
            if saved.redirected == 1
            else f"{saved.redirected} texts or emails that were"
        )
        said.append(f"{waiting} waiting to go will now go to the new details instead.")
    return " ".join(said)


def _caller_values(customer: Customer):
    return SimpleNamespace(
        name=customer.name,
        phone=display_phone(customer.phone) if customer.phone else "",
        email=customer.email,
        line1=customer.address_line1,
        town=customer.town,
        postcode=customer.postcode,
        business_name=customer.business_name,
        business_type=customer.business_type,
        premises_line1=customer.premises_line1,
        premises_town=customer.premises_town,
        premises_postcode=customer.premises_postcode,
        access_needs=customer.access_needs,
        interpreter_language=customer.interpreter_language,
        preferred_channel=customer.preferred_channel,
    )


@bp.route("/customers/<int:customer_id>", methods=["GET", "POST"])
@staff(*AGENTS)
def customer(customer_id: int):
    customer = _customer(customer_id)
    note_form = NoteForm()
    if note_form.validate_on_submit():
        with unit_of_work():
            agent.add_note(customer, note_form.text.data, current_user)
        flash("Note saved.", "success")
        return redirect(url_for("agent.customer", customer_id=customer.id))
    with unit_of_work():
        agent.record_view(customer, "customer")
    return _customer_page(customer, note_form=note_form)


@bp.post("/customers/<int:customer_id>/language")
@staff(*AGENTS)
def caller_language(customer_id: int):
    """The caller says which language to write to them in: every later text, email and letter uses it."""
    customer = _customer(customer_id)
    form = CallerLanguageForm()
    if not form.validate_on_submit():
        return _customer_page(customer, language_form=form, status=400)
    with unit_of_work():
        changed = change_language(customer, form.locale.data, how="agent")
    if changed:
        flash(f"Language changed: we will write to the caller in {IN_ENGLISH[customer.locale]}.", "success")
    return redirect(url_for("agent.customer", customer_id=customer.id))


def _customer_page(
    customer: Customer,
    *,
    note_form: NoteForm | None = None,
    language_form: CallerLanguageForm | None = None,
    status: int = 200,
):
    appointments = agent.history(customer)
    return render_template(
        "agent/customer.html",
        customer=customer,
        appointments=appointments,
        messages=(messages := {a.id: outbox.for_appointment(a) for a in appointments}),
        # A letter posted now would arrive after the visit: "Send a letter" is not offered (as the banner
        # after booking says none is sent).
        too_soon_for_a_letter={a.id for a in appointments if not outbox.letter_in_time(a)},
        text_parts=outbox.text_parts([m for listed in messages.values() for m in listed]),
        has_mobile=bool(uk_mobile(customer.phone)),  # consent to texts matters only with a mobile
        number_stopped=consent.number_stopped(customer.phone),
        notes=agent.notes(customer),
        note_form=note_form or NoteForm(formdata=None),
        language_form=language_form or CallerLanguageForm(formdata=None, data={"locale": customer.locale}),
        precaution=agent.precaution_applies(customer),
        email_off=not settings().smtp_host,
        now=local_now(),
    ), status


def _place_choices(customer: Customer, service) -> list[tuple[str, str]]:
    choices = []
    if service is None or service.at_home:
        # Only what we hold: a caller who booked at a hub may have given a postcode alone.
        address = ", ".join(part for part in (customer.address_line1, customer.postcode) if part)
        choices.append(("home", f"Home: {address}" if address else "Home (no address recorded)"))
    if (service is None or service.at_business) and customer.premises_lat is not None:
        name = f"{customer.business_name}, " if customer.business_name else ""
        choices.append(("business", f"Business premises: {name}{customer.premises_label}"))
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
    _viewed(customer, "book")
    service = service_by_code(request.values.get("service", "")) if request.values.get("service") else None
    form = BookForm(request.args, meta={"csrf": False})
    bookable = [s for s in all_services(bookable_only=True) if not s.premises_only]
    finding = bool(request.args.get("find"))  # "Find": the list narrowed to what the caller said
    found = find_services(bookable, (form.q.data or "").strip()[:200]) if finding else bookable
    if finding:
        service = found[0] if len(found) == 1 else (service if service in found else None)
        form.service.data = service.code if service else ""
    form.service.choices = [("", "Choose a service")] + [(s.code, s.name) for s in found or bookable]
    form.place.choices = _place_choices(customer, service)
    form.officer.choices = _officer_choices(service, None)
    confirm = ConfirmBookingForm(
        preferred_channel=agent.reminder_offered(customer),
        sms_consent=customer.sms_consent,
        access_needs=customer.access_needs,
        interpreter_language=customer.interpreter_language,
        locale=customer.locale,
    )
    result = later = overlap = None
    if request.args and not finding:  # "Show free times" (or a link to later dates): check the choices
        form.validate()
        if service and (problem := agent.not_offered(service, form.place.data or "")):
            form.place.errors = [problem]  # never times at one place while the box shows another
            form.place.choices = _place_choices(customer, None)  # the box shows the place the error names
    place = _place(customer, form.place.data) if service and form.place.data and not form.errors else None
    if service and form.place.data == "home" and not form.errors and place is None:
        form.place.errors = [agent.home_not_placed(customer, service)]  # never a silent empty page
    if service and place and (problem := agent.not_staffed(service, place, _near(customer, place))):
        form.place.errors = [problem]  # nobody could ever do it there: no empty calendar, no waiting list
        place = None
    if service and place:
        form.officer.choices = _officer_choices(service, place)
        officer_id = whole_number_or_none(request.values.get("officer"))
        if officer_id is not None and str(officer_id) not in dict(form.officer.choices):
            chosen = records.officer(officer_id)
            who = chosen.name if chosen is not None else "That officer"
            form.officer.errors = [
                f"{who} cannot do {service.name} there: choose another officer, or any officer"
            ]
            place = None
    if service and place:
        officer_id = whole_number_or_none(request.values.get("officer"))
        first = day_or(request.values.get("from"), local_now().date())
        result = search(service, place, first, SEARCH_DAYS, officer_id=officer_id, customer=customer)
        later = later_dates_from(service, result)
        confirm.slot.choices = [(s.token, "") for s in result.slots]
        gap = agent.reminder_problem(customer, confirm.preferred_channel.data or "")
        if request.method == "POST" and gap:
            confirm.preferred_channel.errors = [gap]
        elif request.method == "POST" and confirm.validate_on_submit():
            try:
                with unit_of_work():
                    said = {
                        "preferred_channel": confirm.preferred_channel.data,
                        "sms_consent": bool(confirm.sms_consent.data),
                        "access_needs": confirm.access_needs.data or "",
                        "interpreter_language": confirm.interpreter_language.data or "",
                        "locale": confirm.locale.data if confirm.locale.data in LANGUAGES else None,
                    }
                    appointment = book(
                        booking_request(
                            confirm.slot.data,
                            service,
                            place,
                            channel=_channel(confirm.booked_at.data),
                            record=customer,
                            said=said,
                            booked_by=current_user._get_current_object(),
                            notes=confirm.notes.data or "",
                            idempotency=(
                                f"agent:{current_user.id}",
                                confirm.submission.data or "",
                                {"customer": customer.id, "slot": confirm.slot.data},
                            ),
                            confirmed_overlap=request.form.get("confirm_overlap") == "yes",
                        )
                    )
                    audit.record(
                        "sms_consent_recorded",
                        "customer",
                        customer.id,
                        consent=bool(confirm.sms_consent.data),
                    )
                    kiosk_calls.booked_during_call(current_user, appointment)  # the kiosk shows the ticket
                said_to_agent = agent.booked_message(appointment)
                flash(said_to_agent.text, said_to_agent.category)
                return redirect(url_for("agent.customer", customer_id=customer.id))
            except SlotUnavailable:
                confirm.slot.errors = ["That time has just gone. Choose another"]
            except PossibleDuplicate as duplicate:  # warn; the agent ticks the box and books again
                confirm.slot.errors = [duplicate.message]
                overlap = duplicate.existing
            except BookingRuleError as error:
                confirm.slot.errors = [error.message]
            except IdempotencyConflict:  # this page booked a moment ago (e.g. back, another time, Book)
                confirm.submission.data = new_submission_id()
                confirm.slot.errors = [
                    "This page has booked already. Check the caller's bookings before you book again"
                ]
    if result is not None:  # shown again after an error: the time chosen stays ticked
        confirm.slot.data = token_among(confirm.slot.data, result.slots)
    officers = {o.id: o for o in all_officers()}
    return render_template(
        "agent/book.html",
        found=found if finding else None,
        chosen_service=service,
        customer=customer,
        form=form,
        confirm=confirm,
        result=result,
        service=service,
        place=place,
        officers=officers,
        later=later,
        overlap=overlap,
    )


def _officer_choices(service: Service | None, place: Place | None) -> list[tuple[str, str]]:
    """Any officer, then only those who can do the service (there, once the place is known)."""
    return [("", "Any officer")] + [(str(o.id), o.name) for o in agent.officers_to_choose(service, place)]


def _near(customer: Customer, place: Place) -> tuple[float, float]:
    """Where "nearest" hubs are counted from: the caller's home if we can place it, else the place."""
    home = customer_place(customer)
    return (home.lat, home.lng) if home is not None else (place.lat, place.lng)


def _channel(booked_at: str | None) -> str:
    """Counter staff book on the same screen as phone agents; a kiosk video call books as kiosk."""
    channel = kiosk_calls.booking_channel(current_user)
    return "counter" if channel == "phone" and booked_at == "counter" else channel


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["GET", "POST"])
@staff(*AGENTS)
def cancel_for(appointment_id: int):
    appointment = records.appointment(appointment_id) or abort(404)
    _viewed(appointment.customer, "cancel")
    form = CancelForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                cancel(
                    appointment,
                    form.reason.data or "Cancelled by phone",
                    actor=current_user._get_current_object(),
                    channel="phone",
                )
            reference = format_reference(appointment.reference)
            said = agent.told(appointment, "cancellation", f"Cancelled {reference}.")
            flash(said.text, said.category)
            return redirect(url_for("agent.customer", customer_id=appointment.customer_id))
        except BookingRuleError as error:
            form.reason.errors = [error.message]
    return render_template("agent/cancel.html", appointment=appointment, form=form)


@bp.route("/appointments/<int:appointment_id>/move", methods=["GET", "POST"])
@staff(*AGENTS)
def move_for(appointment_id: int):
    appointment = records.appointment(appointment_id) or abort(404)
    _viewed(appointment.customer, "move")
    place = place_to_move(appointment)
    problem = agent.not_staffed_to_move(appointment.service, place, _near(appointment.customer, place))
    if problem:  # nobody could ever do it there: said, not an empty calendar
        return render_template("agent/move.html", appointment=appointment, not_staffed=problem)
    # Every officer who can do it there, as when booking: not only the one it is booked with (a move the
    # caller asks for makes a new promise; re-plans keep promises, not this). Each time names the officer
    # with least travel; the agent may choose one officer, as on the booking page, unless two go (the
    # service, a pair booked, or the risk register there now: every time offered is then for two).
    able = agent.officers_able(appointment.service, place)
    needed = agent.officers_to_move(appointment, place)
    pair = needed == 2 or appointment.second_officer_id is not None
    officer_id = whole_number_or_none(request.args.get("officer"))
    if pair or officer_id not in {o.id for o in able}:
        officer_id = None
    result = search(
        appointment.service,
        place,
        day_or(request.args.get("from"), local_now().date()),
        SEARCH_DAYS,
        exclude_appointment=appointment.id,
        customer=appointment.customer,
        officer_id=officer_id,
    )
    confirm = MoveForm()
    confirm.slot.choices = [(s.token, "") for s in result.slots]
    if confirm.validate_on_submit():
        try:
            with unit_of_work():
                reschedule(
                    appointment, confirm.slot.data, actor=current_user._get_current_object(), channel="phone"
                )
            said = agent.told(appointment, "reschedule", f"Appointment moved to {when(appointment, 'en')}.")
            flash(said.text, said.category)
            return redirect(url_for("agent.customer", customer_id=appointment.customer_id))
        except SlotUnavailable:
            confirm.slot.errors = ["That time has just gone. The appointment has not changed. Choose another"]
        except BookingRuleError as error:
            confirm.slot.errors = [error.message]
    officers = {o.id: o for o in all_officers()}
    return render_template(
        "agent/move.html",
        appointment=appointment,
        result=result,
        confirm=confirm,
        officers=officers,
        able=able,
        choose_officer=not pair and len(able) > 1,
        # booked for one officer, but the register there now asks for two: the page says so
        now_two=needed == 2 and not (appointment.service.two_officers or appointment.second_officer_id),
        officer_id=officer_id,
        later=later_dates_from(appointment.service, result),
    )


@bp.route("/customers/<int:customer_id>/merge", methods=["GET", "POST"])
@staff(*AGENTS)
def merge(customer_id: int):
    """Find records that are the same caller and merge them into this one."""
    customer = _customer(customer_id)
    if request.method == "POST":
        form = ConfirmForm()
        other = records.customer(whole_number_or_none(request.form.get("other")))
        if form.validate_on_submit() and other is not None and other.id != customer.id:
            with unit_of_work():
                agent.merge_callers(customer, other, current_user._get_current_object())
            flash(f"Merged: {other.name}'s record is now part of this one.", "success")
        return redirect(url_for("agent.customer", customer_id=customer.id))
    query = request.args.get("q", "")
    candidates = agent.duplicates_of(customer, query)
    with unit_of_work():
        agent.record_view(customer, "merge")
        agent.record_search(candidates, "merge")
    return render_template("agent/merge.html", customer=customer, query=query, candidates=candidates)


@bp.post("/customers/<int:customer_id>/stop-texts")
@staff(*AGENTS)
def stop_texts(customer_id: int):
    """The caller withdraws consent to texts: none are sent from now on, queued ones are dropped."""
    customer = _customer(customer_id)
    with unit_of_work():
        consent.withdraw_texts(customer, how="agent", user=current_user._get_current_object())
    flash("Texts stopped: the caller will not be sent text messages.", "success")
    return redirect(url_for("agent.customer", customer_id=customer.id))


@bp.post("/appointments/<int:appointment_id>/resend")
@staff(*AGENTS)
def resend(appointment_id: int):
    appointment = records.appointment(appointment_id) or abort(404)
    with unit_of_work():
        queued = outbox.queue_for_resident(
            appointment, "confirmation", key_suffix=f"resend-{local_now():%Y%m%d%H%M%S}"
        )
        audit.record("confirmation_resent", "appointment", appointment.reference)
    said = agent.told(appointment, "confirmation", "", written={message.channel for message in queued})
    flash(said.text, said.category)  # "Important" when nothing went: the agent must not promise it
    return redirect(url_for("agent.customer", customer_id=appointment.customer_id))


@bp.post("/appointments/<int:appointment_id>/new-link")
@staff(*AGENTS)
def new_link(appointment_id: int):
    """The resident's link was shared or their phone lost: end every old link and session, send a new one."""
    appointment = records.appointment(appointment_id) or abort(404)
    with unit_of_work():
        queued = send_new_link(appointment, user=current_user._get_current_object())
    channels = {message.channel for message in queued}
    how = " and ".join(name for channel, name in (("sms", "text"), ("email", "email")) if channel in channels)
    flash(
        f"Older links for {format_reference(appointment.reference)} no longer work. "
        + (
            f"A new link was sent by {how}."
            if how
            else "No link was sent: the caller has no text or email we may use. Give them the reference."
        ),
        "success" if how else "info",
    )
    return redirect(url_for("agent.customer", customer_id=appointment.customer_id))


@bp.post("/appointments/<int:appointment_id>/letter")
@staff(*AGENTS)
def send_letter(appointment_id: int):
    """A printed confirmation for a caller who asks for one (it goes in the next print batch)."""
    appointment = records.appointment(appointment_id) or abort(404)
    if not outbox.letter_in_time(appointment):  # the button is not offered then: a page left open
        flash(f"{agent.TOO_SOON_FOR_A_LETTER}: {agent.WRITE_IT_DOWN}.", "info")
        return redirect(url_for("agent.customer", customer_id=appointment.customer_id))
    with unit_of_work():
        letter = outbox.queue_letter(
            appointment, "confirmation", key_suffix=f"asked-{local_now():%Y%m%d%H%M%S}"
        )
        if letter is not None:
            audit.record("letter_requested", "appointment", appointment.reference)
    flash(
        "A confirmation letter will go in the next print batch."
        if letter is not None
        else "We have no postal address for this caller. Add one first.",
        "success" if letter is not None else "info",
    )
    return redirect(url_for("agent.customer", customer_id=appointment.customer_id))


@bp.route("/customers/<int:customer_id>/waitlist", methods=["GET", "POST"])
@staff(*AGENTS)
def join_waitlist(customer_id: int):
    customer = _customer(customer_id)
    _viewed(customer, "waitlist")
    form = WaitlistForm()
    form.service.choices = [(s.code, s.name) for s in all_services(bookable_only=True) if not s.premises_only]
    how = how_offered(customer)
    if form.validate_on_submit():
        area_id = nearest_area_id(customer.lat, customer.lng) if customer.lat is not None else None
        if area_id is None:
            form.service.errors = ["The caller needs an address we can place: change their details first"]
        elif how is None:
            form.service.errors = [
                "We can offer freed times only by text or a phone call (a letter would arrive after the time "
                "had gone): add a phone number to the caller's details first"
            ]
        else:
            service = service_by_code(form.service.data)
            try:
                with unit_of_work():
                    waitlist.join(
                        customer,
                        service,
                        area_id,
                        form.earliest.data,
                        form.latest.data,
                        form.times.data,
                        user=current_user._get_current_object(),
                    )
            except NotStaffed:
                form.service.errors = [agent.not_staffed_for_waitlist(service, area_id)]
            else:
                flash(f"Added to the waiting list. {_offer_promise(customer, how)}", "success")
                return redirect(url_for("agent.customer", customer_id=customer.id))
    return render_template(
        "agent/waitlist.html", customer=customer, form=form, how=how, promise=_offer_promise(customer, how)
    )


def _offer_promise(customer: Customer, how: str | None) -> str:
    """What to tell the caller about offers, truthfully for the contact we hold."""
    if how == "text":
        return f"If a time comes free we will text them at {display_phone(customer.phone)}."
    if how == "phone":
        return f"If a time comes free an adviser will phone them on {display_phone(customer.phone)}."
    return "We cannot offer them freed times: they have no phone number we can text or call."


@bp.get("/capacity")
@staff(*AGENTS)
def capacity():
    day, day_error = chosen_day(request.args, "the day")
    day = day or local_now().date()  # with an error, the summary says so over today's board
    return render_template(
        "agent/capacity.html", day=day, day_error=day_error, areas=agent.capacity_board(day)
    )
