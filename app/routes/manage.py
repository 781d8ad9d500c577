"""Residents manage a booking: from the signed link, or by reference, surname and postcode."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app import i18n
from app.appointments import references
from app.appointments.links import end_sessions, ics_url, reference_named, signed_version
from app.appointments.presenters import officer_first_name, place_words, when, where
from app.appointments.references import clean_reference, format_reference
from app.booking.availability import TIMES_PER_PAGE, later_dates_from, search
from app.booking.changes import cancel, place_to_move, reschedule
from app.booking.coverage import staffed_at
from app.booking.errors import BookingRuleError, SlotUnavailable
from app.booking.resident_changes import (
    Outcome,
    change_contact,
    change_needs,
    closed_reason,
    shared_contact_reason,
)
from app.customers.names import surname_matches
from app.forms.booking import (
    CANCEL_REASON_LIMIT,
    CancelForm,
    ConfirmForm,
    ContactForm,
    FindBookingForm,
    MessageLanguageForm,
    NeedsForm,
    TimeForm,
    reminder_choices,
)
from app.i18n import current_locale
from app.inputs import day_or
from app.messaging import consent, outbox
from app.messaging.contact import display_phone
from app.messaging.language import change_language
from app.places.places import normalise_postcode
from app.staff import audit
from app.timeutil import local_now
from app.unit_of_work import unit_of_work
from app.web import resident_session
from app.web.access import public
from app.web.guards import REFERENCE_LOOKUPS, limiter
from app.web.resident_session import MANAGED
from app.web.wording import character_count, in_language

if TYPE_CHECKING:
    from app.models import Appointment

bp = Blueprint("manage", __name__, url_prefix="/manage")


def _current() -> Appointment | None:
    return resident_session.linked(MANAGED)


@bp.get("/<token>")
@public
def view(token: str):
    appointment = references.find(reference_named(token))
    version = signed_version(token, appointment) if appointment is not None else None
    if version is None:  # not one of our links (cut short, tampered with, expired), or the booking is gone
        return render_template("manage/link_expired.html", replaced=False), 404
    if version != appointment.link_version:  # staff sent a newer link: this one may have been copied
        resident_session.unlink(MANAGED)
        return render_template("manage/link_expired.html", replaced=True), 410
    resident_session.link(MANAGED, appointment)
    i18n.adopt(appointment.customer.locale)  # the link came in a text in their language
    return redirect(url_for("manage.booking"))


@bp.route("/find", methods=["GET", "POST"])
@public
@limiter.limit(REFERENCE_LOOKUPS, methods=["POST"])
def find():
    form = FindBookingForm()
    if form.validate_on_submit():
        reference = clean_reference(form.reference.data)
        postcode = normalise_postcode(form.postcode.data)
        appointment = references.find(reference)
        if (
            appointment is not None
            and surname_matches(appointment.customer.name, form.surname.data)
            and postcode in (appointment.postcode, appointment.customer.postcode)
        ):
            resident_session.link(MANAGED, appointment)
            return redirect(url_for("manage.booking"))
        with unit_of_work():
            audit.record("booking_lookup_failed", "appointment", reference)
        form.reference.errors = [
            _("We could not find a booking with those details. Check them and try again")
        ]
    return render_template("manage/find.html", form=form)


@bp.get("/booking")
@public
def booking():
    appointment = _current()
    if appointment is None:
        return redirect(url_for("manage.find"))
    return _booking_page(appointment, MessageLanguageForm(data={"locale": appointment.customer.locale}))


def _booking_page(appointment: Appointment, language_form: MessageLanguageForm, status: int = 200):
    closed = closed_reason(appointment)  # booked and not over: time, cancel and details alike
    return render_template(
        "manage/booking.html",
        appointment=appointment,
        reference=format_reference(appointment.reference),
        when=when(appointment, current_locale()),
        where=where(appointment),
        officer=officer_first_name(appointment),
        changeable=closed is None,
        closed_reason=closed,
        words=_words(appointment),  # cancelled, happened or missed: said for its place
        ics_link=ics_url(appointment, external=False),
        texts_on=appointment.customer.sms_consent and appointment.customer.phone != "",
        number_stopped=consent.number_stopped(appointment.customer.phone),
        stop_form=ConfirmForm(),
        language_form=language_form,
        message_language=in_language(appointment.customer.locale),
        reminded_by=_reminded_by(appointment),
    ), status


def _reminded_by(appointment: Appointment) -> str:
    """How they are reminded, as the question's answer reads (any place's answers: a hub booking
    made by phone may still have asked for letters)."""
    return dict(reminder_choices("home")).get(appointment.customer.preferred_channel, "")


@bp.post("/booking/language")
@public
def message_language():
    """The resident chooses the language of their texts, emails and letters (every later message)."""
    appointment = _current()
    if appointment is None:
        return redirect(url_for("manage.find"))
    form = MessageLanguageForm()
    if not form.validate_on_submit():
        return _booking_page(appointment, form, 400)
    with unit_of_work():
        changed = change_language(appointment.customer, form.locale.data, how="manage_page")
    return redirect(url_for("manage.booking", **({"language": "changed"} if changed else {})))


@bp.post("/booking/stop-texts")
@public
def stop_texts():
    """The resident withdraws consent to texts (STOP by reply does the same)."""
    appointment = _current()
    if appointment is None:
        return redirect(url_for("manage.find"))
    form = ConfirmForm()
    if form.validate_on_submit():
        with unit_of_work():
            consent.withdraw_texts(appointment.customer, how="manage_page")
    return redirect(url_for("manage.booking", texts="stopped"))


@bp.route("/booking/cancel", methods=["GET", "POST"])
@public
def cancel_booking():
    appointment = _current()
    if appointment is None:
        return redirect(url_for("manage.find"))
    if appointment.status == "cancelled" or (request.method == "GET" and closed_reason(appointment)):
        # Back, or the page opened again, after cancelling: no second "Are you sure?" nor a second
        # confirmation; the booking's page says it is cancelled (or started, or over), as for the time.
        # A cancel sent after the visit started is refused below, on the form, saying so.
        return redirect(url_for("manage.booking"))
    form = CancelForm()
    if form.validate_on_submit():
        try:
            with unit_of_work():
                cancel(appointment, form.reason.data or "", channel="web")
            return _cancelled(appointment)
        except BookingRuleError as error:
            if appointment.status == "cancelled":  # e.g. a double click: the first one cancelled it
                return _cancelled(appointment)
            form.reason.errors = [error.message]
    return render_template(
        "manage/cancel.html",
        form=form,
        appointment=appointment,
        when=when(appointment, current_locale()),
        reason_count=character_count(CANCEL_REASON_LIMIT),
    )


def _cancelled(appointment: Appointment):
    """The confirmation: what was cancelled, how we confirm it to them, and what they can do next."""
    return render_template(
        "manage/cancelled.html",
        appointment=appointment,
        reference=format_reference(appointment.reference),
        when=when(appointment, current_locale()),
        where=where(appointment),
        words=_words(appointment),
        sent_by=outbox.channels_written(appointment, "cancellation"),
    )


def _words(appointment: Appointment):
    """What the page says that depends on the place (a hub: "your appointment at Devizes community hub")."""
    return place_words(appointment, current_locale())


@bp.route("/booking/change", methods=["GET", "POST"])
@public
@limiter.limit("60 per minute")
def change_time():
    appointment = _current()
    if appointment is None:
        return redirect(url_for("manage.find"))
    if closed_reason(appointment) is not None:
        return redirect(url_for("manage.booking"))  # it says why: cancelled, started or over
    place = place_to_move(appointment)
    if not staffed_at(appointment.service, place):  # no time would ever come free: no empty calendar
        return render_template(
            "manage/not_staffed.html", appointment=appointment, when=when(appointment, current_locale())
        )
    first = day_or(request.args.get("from"), local_now().date())
    result = search(
        appointment.service,
        place,
        first,
        14,
        exclude_appointment=appointment.id,
        customer=appointment.customer,
    ).first_page(TIMES_PER_PAGE)
    form = TimeForm()
    form.slot.choices = [(s.token, "") for s in result.slots]
    if form.validate_on_submit():
        try:
            with unit_of_work():
                reschedule(appointment, form.slot.data, channel="web")
            return redirect(url_for("manage.booking", moved=1))
        except SlotUnavailable:
            form.slot.errors = [
                _("That time has just been taken. Your appointment has not changed. Choose another time")
            ]
        except BookingRuleError as error:
            form.slot.errors = [error.message]
    return render_template(
        "manage/change.html",
        form=form,
        result=result,
        appointment=appointment,
        when=when(appointment, current_locale()),
        next_from=later_dates_from(appointment.service, result),
        earlier=first > local_now().date(),
    )


@bp.route("/booking/contact", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute; 30 per hour", methods=["POST"])  # each change sends a message
def contact():
    """Their phone number, email address and how we remind them: the journey's questions and rules."""
    appointment = _current()
    if appointment is None:
        return redirect(url_for("manage.find"))
    if (closed := _closed_page(appointment, shared_contact_reason(appointment))) is not None:
        return closed
    customer = appointment.customer
    form = ContactForm(
        data={
            "phone": display_phone(customer.phone) if customer.phone else "",
            "email": customer.email,
            "preferred_channel": customer.preferred_channel,
        }
    )
    form.preferred_channel.choices = reminder_choices(appointment.location_type)
    if form.validate_on_submit():
        try:
            with unit_of_work():
                outcome = change_contact(
                    appointment,
                    form.phone.data or "",
                    form.email.data or "",
                    form.preferred_channel.data,
                    channel="web",
                )
        except BookingRuleError as error:
            if (closed := _closed_page(appointment)) is not None:
                return closed  # the visit started (or was cancelled) while the form was open
            form.phone.errors = [error.message]
        else:
            return _changed(appointment, outcome, "contact")
    return render_template("manage/contact.html", form=form), 400 if form.errors else 200


@bp.route("/booking/needs", methods=["GET", "POST"])
@public
@limiter.limit("10 per minute; 30 per hour", methods=["POST"])
def needs():
    """What the officer should know: the journey's access needs and interpreter questions."""
    appointment = _current()
    if appointment is None:
        return redirect(url_for("manage.find"))
    if (closed := _closed_page(appointment)) is not None:
        return closed
    form = NeedsForm(
        data={
            "access_needs": appointment.access_needs,
            "interpreter_language": appointment.interpreter_language,
        }
    )
    if form.validate_on_submit():
        try:
            with unit_of_work():
                outcome = change_needs(
                    appointment,
                    form.access_needs.data or "",
                    form.interpreter_language.data or "",
                    channel="web",
                )
        except BookingRuleError as error:
            if (closed := _closed_page(appointment)) is not None:
                return closed
            form.access_needs.errors = [error.message]
        else:
            return _changed(appointment, outcome, "needs")
    return render_template(
        "manage/needs.html", form=form, words=_words(appointment), at_hub=appointment.hub is not None
    ), 400 if form.errors else 200


def _closed_page(appointment: Appointment, other_reason: str | None = None):
    """The visit has started, happened or been cancelled (or `other_reason`): said plainly, with nothing
    to fill in. A change sent then is refused (409); opening the page is not an error."""
    reason = closed_reason(appointment) or other_reason
    if reason is None:
        return None
    status = 409 if request.method == "POST" else 200
    return render_template("manage/closed.html", reason=reason), status


def _changed(appointment: Appointment, outcome: Outcome, what: str):
    """The confirmation page: what they now have, and how we confirmed it (and told the old number or
    address). Nothing changed (the same answers sent again): their booking's page."""
    if not outcome.changed:
        return redirect(url_for("manage.booking"))
    return render_template(
        "manage/changed.html",
        what=what,
        appointment=appointment,
        reference=format_reference(appointment.reference),
        when=when(appointment, current_locale()),
        outcome=outcome,
        reminded_by=_reminded_by(appointment),
        number_stopped=appointment.customer.preferred_channel == "sms"
        and consent.number_stopped(appointment.customer.phone),
    )


@bp.route("/signed-out", methods=["GET", "POST"])
@public
def forget():
    """ "I have finished": this session ends, and so does every copy of its cookie (someone who copied
    it, or used this browser before the next person). The resident's own link keeps working."""
    appointment = _current()
    if request.method == "POST" and appointment is not None:  # the POST passed CSRF (app/web/guards.py)
        with unit_of_work():
            end_sessions(appointment)
        # Say what happened: without it the start page reads as if something went wrong. Nothing about
        # whether the booking changed: they may have just moved it or changed their details.
        flash(
            _(
                "You have finished. To see your booking again, use the link in our text message or email, "
                "or find it with its booking reference."
            ),
            "info",
        )
    resident_session.unlink(MANAGED)  # a GET (an old bookmark) forgets only this browser's link
    return redirect(url_for("public.start"))
