"""API v1 routes: thin. Parse, call a service, answer JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, Response, jsonify, request
from pydantic import ValidationError

from app.api import schemas
from app.api.openapi import document, header, operation, query
from app.api.schemas import AppointmentIn, CancelIn, RescheduleIn, field_errors
from app.appointments import references
from app.appointments.links import calendar_link_works, ics_url, manage_url
from app.appointments.presenters import api_end, as_json, calendar_event
from app.booking.availability import next_free_day, note_public_restriction, search
from app.booking.booking import book
from app.booking.booking_request import booking_request
from app.booking.changes import cancel, reschedule
from app.booking.claims import slot_used
from app.booking.coverage import staffed_at, staffed_hubs
from app.booking.errors import BookingRuleError, IdempotencyConflict, PossibleDuplicate, SlotUnavailable
from app.catalogue.queries import all_hubs, all_services, hub_by_code, service_by_code
from app.config import settings
from app.inputs import MAX_JSON_DEPTH, BadInput, json_depth_within, parse_day, parse_number, whole_number
from app.messaging.contact import reminder_gap, uk_phone, valid_email
from app.officers.roster import first_name_read
from app.places.places import UnknownPostcode, address_place, hub_place
from app.staff import audit, scope
from app.staff.scope import BOOKING_STAFF
from app.timeutil import local_now, to_local
from app.unit_of_work import unit_of_work
from app.web.access import api, api_caller, api_user, public
from app.web.guards import csrf, limiter

if TYPE_CHECKING:
    from app.models import Appointment
from app.messaging.outbox import for_appointment
from app.staff.tokens import user_for_bearer
from notifications.calendar import build_calendar

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

PUBLIC_LIMIT = "60 per minute"
MAX_DAYS = 28


def unprocessable(errors: dict[str, list[str]]):
    return jsonify(errors=errors), 422


def _json_body(model):
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        if request.is_json and not json_depth_within(request.get_data()):
            return None, unprocessable({"body": [f"JSON may be nested at most {MAX_JSON_DEPTH} levels deep"]})
        return None, unprocessable({"body": ["Send a JSON object with Content-Type: application/json"]})
    try:
        return model.model_validate(data), None
    except ValidationError as error:
        return None, unprocessable(field_errors(error))


RATE_LIMITED = (schemas.Error, "Rate limited")
NOT_FOUND = (schemas.Error, "No appointment has that reference (that this token may see)")


@bp.get("/openapi.json")
@public
@operation("This document", {200: ({"type": "object"}, "OpenAPI document")})
def openapi():
    return jsonify(document())


@bp.get("/services")
@public
@limiter.limit(PUBLIC_LIMIT)
@operation("Bookable services", {200: (schemas.ServiceList, "Services"), 429: RATE_LIMITED})
def services():
    return jsonify(
        services=[
            {
                "code": s.code,
                "name": s.name,
                "summary": s.summary,
                "duration_minutes": s.duration_minutes,
                "places": s.places,
                "premises_only": s.premises_only,
                "signpost": s.signpost or None,
                "two_officers": s.two_officers,
                "what_to_have_ready": s.document_list,
                "notice_hours": s.notice_hours,
                "horizon_days": s.horizon_days,
            }
            for s in all_services(bookable_only=True)
        ]
    )


@bp.get("/hubs")
@public
@limiter.limit(PUBLIC_LIMIT)
@operation("Community hubs", {200: (schemas.HubList, "Hubs"), 429: RATE_LIMITED})
def hubs():
    return jsonify(
        hubs=[
            {
                "code": h.code,
                "name": h.name,
                "community_area": h.area.name,
                "address": h.address_line1,
                "town": h.town,
                "postcode": h.postcode,
                "lat": h.lat,
                "lng": h.lng,
                "has_kiosk": h.has_kiosk,
                "opening_hours": [
                    {
                        "weekday": o.weekday,
                        "opens": o.opens.strftime("%H:%M"),
                        "closes": o.closes.strftime("%H:%M"),
                    }
                    for o in h.opening_hours
                ],
            }
            for h in all_hubs(active_only=True)
        ]
    )


def _float(name: str, errors: dict, bounds: tuple[float, float]) -> float | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        value = parse_number(raw)
    except BadInput as error:
        errors.setdefault(name, []).append(str(error))
        return None
    if not bounds[0] <= value <= bounds[1]:
        errors.setdefault(name, []).append(f"Must be from {bounds[0]} to {bounds[1]} (a place in the UK)")
        return None
    return value


def _place_from(location_type: str, args: dict, errors: dict):
    if location_type == "hub":
        hub = hub_by_code(args.get("hub") or "")
        if hub is None or not hub.active:
            errors.setdefault("hub", []).append("Give the code of an open hub (see /api/v1/hubs)")
            return None
        return hub_place(hub)
    try:
        return address_place(
            location_type,
            args.get("postcode") or "",
            line1=args.get("line1") or "",
            line2=args.get("line2") or "",
            town=args.get("town") or "",
            uprn=args.get("uprn") or "",
            lat=args.get("lat"),
            lng=args.get("lng"),
        )
    except UnknownPostcode as error:
        typed = bool(args.get("postcode"))  # else placed by lat and lng alone (availability)
        field = "lat" if error.field == "lat" or (args.get("lat") is not None and not typed) else "postcode"
        errors.setdefault(field, []).append(
            f"{error}. Phone {settings().contact_centre_phone} and an agent can place the address."
        )
        return None


def _booking_staff() -> bool:
    """A public look-up sent with a booking staff member's token. Only a request that sends a token
    costs the look-up (one indexed query); everyone else's answer leaves out how much travel each slot
    adds, which would show where booked home visits are."""
    header = request.headers.get("Authorization", "")
    if not header:
        return False
    user = user_for_bearer(header)
    return user is not None and scope.may_change(user)


@bp.get("/availability")
@public
@limiter.limit(PUBLIC_LIMIT)
@operation(
    "Slots that can be booked, least added travel first",
    {
        200: (schemas.Availability, "Slots"),
        409: (schemas.NotStaffed, "not_staffed: nobody can do the service there; the hubs that can"),
        422: (schemas.ErrorList, "Bad parameters, by name"),
        429: RATE_LIMITED,
    },
    parameters=(
        query("service", {"type": "string"}, required=True),
        query("location_type", {"type": "string", "enum": ["home", "business", "hub"]}, required=True),
        query("postcode", {"type": "string"}),
        query("lat", {"type": "number", "minimum": schemas.UK_LAT[0], "maximum": schemas.UK_LAT[1]}),
        query("lng", {"type": "number", "minimum": schemas.UK_LNG[0], "maximum": schemas.UK_LNG[1]}),
        query("hub", {"type": "string"}),
        query("from", {"type": "string", "format": "date"}),
        query("days", {"type": "integer", "minimum": 1, "maximum": MAX_DAYS}),
    ),
)
def availability():
    errors: dict[str, list[str]] = {}
    unknown = set(request.args) - {
        "service",
        "location_type",
        "postcode",
        "lat",
        "lng",
        "hub",
        "from",
        "days",
    }
    for name in sorted(unknown):
        errors[name] = ["Unknown parameter"]
    service = service_by_code(request.args.get("service", ""))
    if service is None or not service.active:
        errors.setdefault("service", []).append("Give the code of a service (see /api/v1/services)")
    location_type = request.args.get("location_type", "")
    if location_type not in ("home", "business", "hub"):
        errors.setdefault("location_type", []).append("Must be home, business or hub")
    elif service and location_type not in service.places:
        errors.setdefault("location_type", []).append(f"{service.name} is not offered there")
    lat, lng = _float("lat", errors, schemas.UK_LAT), _float("lng", errors, schemas.UK_LNG)
    try:
        first = parse_day(request.args["from"]) if request.args.get("from") else local_now().date()
    except BadInput as error:
        errors.setdefault("from", []).append(str(error))
        first = local_now().date()
    try:
        days = whole_number(request.args.get("days", 14))
        if not 1 <= days <= MAX_DAYS:
            raise BadInput
    except BadInput:
        errors.setdefault("days", []).append(f"Must be a whole number from 1 to {MAX_DAYS}")
        days = 14
    if errors:
        return unprocessable(errors)
    args = {**request.args, "lat": lat, "lng": lng}
    place = _place_from(location_type, args, errors)
    if place is None:
        return unprocessable(errors)
    if not staffed_at(service, place):
        return _not_staffed(service, place)
    result = search(service, place, first, days)
    if result.restricted:
        with unit_of_work():
            note_public_restriction(result, service, place)
    staff = _booking_staff()
    slots = [
        {
            "slot_id": s.token,
            "start": to_local(s.start).isoformat(),
            "end": to_local(api_end(s.start, s.end, service.duration_minutes)).isoformat(),
            "kind": "exact" if s.is_exact else "arrival_window",
            "rank": rank,
            **({"added_travel_minutes": round(s.added_travel / 60)} if staff else {}),
        }
        for rank, s in enumerate(result.slots, start=1)
    ]
    # Nothing free: say when the next free day is, and whether a hub would do (never why not at home).
    later = next_free_day(service, place, result.last_day) if not slots and result.last_day else None
    return jsonify(
        service=service.code,
        location_type=location_type,
        **({"hub": place.hub.code} if place.hub else {}),
        first_day=result.first_day.isoformat() if result.first_day else None,
        last_day=result.last_day.isoformat() if result.last_day else None,
        next_available=later.isoformat() if later else None,
        hub_possible=not slots and location_type != "hub" and "hub" in service.places,
        slots=slots,
    )


def _not_staffed(service, place):
    """409: no time will ever be offered there (app.booking.coverage), so no dates and no waiting list;
    the hubs that can offer the service, nearest first, and the contact centre's number instead."""
    phone = settings().contact_centre_phone
    hubs = [
        {"code": hub.code, "name": hub.name, "miles": round(miles, 1)}
        for hub, miles in staffed_hubs(service, place.lat, place.lng, besides=place.hub)
    ]
    where = f"at {place.hub.name}" if place.hub is not None else "at this address"
    message = (
        f"No officer can do {service.name} {where} at the moment, so no time will come free there and "
        "there is no waiting list for it. "
        + (f"Book at one of the hubs listed, nearest first, or phone {phone}." if hubs else f"Phone {phone}.")
    )
    field = "hub" if place.hub is not None else "location_type"
    answer = {"error": "not_staffed", "message": message, "errors": {field: [message]}}
    return jsonify(answer | {"hubs": hubs, "phone": phone}), 409


@bp.post("/appointments")
@api(*BOOKING_STAFF)
@operation(
    "Book a slot",
    {
        201: (schemas.Appointment, "Booked"),
        409: (
            schemas.Error,
            "slot_unavailable, idempotency_conflict, or possible_duplicate (send confirm_overlap)",
        ),
        422: (schemas.ErrorList, "Bad request body, by field"),
    },
    body=AppointmentIn,
    parameters=(header("Idempotency-Key", {"type": "string"}),),
)
def create_appointment():
    body, error = _json_body(AppointmentIn)
    if error:
        return error
    key = request.headers.get("Idempotency-Key", "").strip()[:200]
    if not key and slot_used(body.slot_id):
        return _slot_gone()  # most requests for a popular time: answered before anything is looked up
    errors: dict[str, list[str]] = {}
    service = service_by_code(body.service)
    if service is None or not service.active or service.premises_only:
        errors["service"] = ["Give the code of a bookable service"]
    phone = uk_phone(body.customer.phone) if body.customer.phone else ""
    if phone is None:
        errors["customer.phone"] = ["Enter a UK phone number, like 01380 722000 or 07700 900123"]
    if body.customer.email and not valid_email(body.customer.email):
        errors["customer.email"] = ["Enter an email address in the correct format, like name@example.com"]
    gap = reminder_gap(body.customer.preferred_channel, phone, body.customer.email)
    if gap == "phone" and phone is not None:
        errors.setdefault("customer.phone", []).append("A mobile number is needed for text reminders")
    if gap == "email":
        errors.setdefault("customer.email", []).append("An email address is needed for email reminders")
    if body.customer.preferred_channel == "post" and body.location_type == "hub":
        errors["customer.preferred_channel"] = ["Letters go to the visit's address: give one, not a hub"]
    if body.location_type == "hub" and not body.hub:
        errors["hub"] = ["Give the hub code for a hub appointment"]
    if body.location_type != "hub" and body.address is None:
        errors["address"] = ["Give the address for a home or business visit"]
    if errors:
        return unprocessable(errors)
    place_args = {"hub": body.hub} if body.location_type == "hub" else body.address.model_dump()
    place = _place_from(body.location_type, place_args, errors)
    if place is None:
        return unprocessable(
            {f"address.{k}" if k in ("postcode", "lat") else k: v for k, v in errors.items()}
        )
    caller = api_caller()  # who books: the token's user, by id (not loaded for it)
    said = body.customer.model_dump(exclude={"phone", "language"}) | {
        "phone": phone or "",
        "access_needs": body.access_needs,
        "locale": body.customer.language,  # None keeps the record's language
    }
    booking = booking_request(
        body.slot_id,
        service,
        place,
        channel="api",
        said=said,
        booked_by=caller,
        notes=body.notes,
        idempotency=(f"api:{caller.id}", key, body.model_dump()),
        confirmed_overlap=body.confirm_overlap,
    )
    try:
        with unit_of_work():
            appointment = book(booking)
            # The answer is read from the booking before the commit, which would expire it (and then
            # cost a query for each of its parts): it is what the commit stores.
            answer = _answer(appointment)
    except SlotUnavailable:
        return _slot_gone()
    except IdempotencyConflict:
        return jsonify(
            error="idempotency_conflict", message="This Idempotency-Key was used with a different request."
        ), 409
    except PossibleDuplicate as duplicate:
        return jsonify(
            error="possible_duplicate",
            message=duplicate.message,
            errors={duplicate.field: [duplicate.message]},
            existing_reference=duplicate.existing.reference,
        ), 409
    except BookingRuleError as rule:
        return unprocessable({rule.field: [rule.message]})
    return jsonify(answer), 201


def _answer(appointment: Appointment) -> dict:
    """The booking as this token may see it: the resident's manage link (which cancels and moves)
    only for roles that may change bookings; an officer's token gets the calendar file, not the link.
    The officer's first name from the roster if this transaction read it (a booking has): no query."""
    link = manage_url(appointment) if scope.may_change(api_caller()) else ""
    return as_json(appointment, link, ics_url(appointment), first_name_read(appointment.officer_id))


def _slot_gone():
    return jsonify(
        error="slot_unavailable", message="That time has just been taken. Ask for availability again."
    ), 409


def _find(reference: str) -> Appointment | None:
    """The appointment if the caller's token may read it; otherwise, as for a wrong reference, None."""
    appointment = references.find(reference)
    if appointment is None or not scope.may_read(api_user(), appointment):
        return None
    return appointment


def _not_found():
    return jsonify(error="not_found", message="No appointment has that reference."), 404


def _conflict(reference: str, error: str, message: str):
    """409 with the booking as it is now (after whatever change won)."""
    appointment = _find(reference)
    return jsonify(
        error=error,
        message=message,
        appointment=_answer(appointment),
    ), 409


@bp.get("/appointments/<reference>")
@api()
@operation("An appointment", {200: (schemas.Appointment, "The appointment"), 404: NOT_FOUND})
def get_appointment(reference: str):
    appointment = _find(reference)
    if appointment is None:
        return _not_found()
    with unit_of_work():
        audit.record("appointment_viewed", "appointment", appointment.reference, channel="api")
        answer = _answer(appointment)
    return jsonify(answer)


@bp.get("/appointments/<reference>/messages")
@api()
@operation("Messages sent about an appointment", {200: (schemas.MessageList, "Messages"), 404: NOT_FOUND})
def appointment_messages(reference: str):
    appointment = _find(reference)
    if appointment is None:
        return _not_found()
    return jsonify(
        messages=[
            {
                "id": m.id,
                "kind": m.kind,
                "channel": m.channel,
                "status": m.status,
                "provider_id": m.provider_id or None,
                "attempts": m.attempts,
                "created_at": to_local(m.created_at).isoformat(),
                "sent_at": to_local(m.sent_at).isoformat() if m.sent_at else None,
            }
            for m in for_appointment(appointment)
        ]
    )


@bp.post("/appointments/<reference>/cancel")
@api(*BOOKING_STAFF)
@operation(
    "Cancel",
    {
        200: (schemas.Appointment, "Cancelled"),
        404: NOT_FOUND,
        409: (schemas.Conflict, "Already cancelled, over or changed: its state now"),
        422: (schemas.ErrorList, "Bad body"),
    },
    body=CancelIn,
)
def cancel_appointment(reference: str):
    appointment = _find(reference)
    if appointment is None:
        return _not_found()
    body, error = _json_body(CancelIn)
    if error:
        return error
    try:
        with unit_of_work():
            cancel(appointment, body.reason, actor=api_user(), channel="api")
    except BookingRuleError as rule:
        return _conflict(reference, "cannot_cancel", rule.message)
    return jsonify(as_json(appointment))


@bp.post("/appointments/<reference>/reschedule")
@api(*BOOKING_STAFF)
@operation(
    "Move to another slot",
    {
        200: (schemas.Appointment, "Moved"),
        404: NOT_FOUND,
        409: (schemas.Conflict, "Slot gone or not changeable: its state now"),
        422: (schemas.ErrorList, "Bad body"),
    },
    body=RescheduleIn,
)
def reschedule_appointment(reference: str):
    appointment = _find(reference)
    if appointment is None:
        return _not_found()
    body, error = _json_body(RescheduleIn)
    if error:
        return error
    try:
        with unit_of_work():
            reschedule(appointment, body.slot_id, actor=api_user(), channel="api")
    except SlotUnavailable:
        return _conflict(
            reference, "slot_unavailable", "That time has just been taken. Your booking has not changed."
        )
    except BookingRuleError as rule:
        return _conflict(reference, "cannot_reschedule", rule.message)
    appointment = _find(reference)
    return jsonify(_answer(appointment))


@bp.get("/appointments/<reference>/calendar.ics")
@public
@limiter.limit(PUBLIC_LIMIT)
@operation(
    "Calendar file (signed link token or bearer)",
    {200: ({"type": "string"}, "iCalendar"), 404: NOT_FOUND, 429: RATE_LIMITED},
    parameters=(query("token", {"type": "string"}),),
    media_type="text/calendar",
)
def calendar(reference: str):
    """For residents (a signed token in the link) and API clients (bearer token)."""
    appointment = references.find(reference)
    staff = user_for_bearer(request.headers.get("Authorization", ""))
    allowed = appointment is not None and (
        calendar_link_works(request.args.get("token", ""), appointment)
        or (staff is not None and scope.may_read(staff, appointment))
    )
    if not allowed:
        return _not_found()
    if staff is not None:  # staff reading a resident's name and address: audited as the JSON read is
        with unit_of_work():
            audit.record(
                "appointment_viewed", "appointment", appointment.reference, user=staff, channel="api_ics"
            )
    event = calendar_event(appointment, settings().council_name, appointment.customer.locale)
    body = build_calendar([event])
    filename = f"appointment-{appointment.reference}.ics"
    return Response(
        body, mimetype="text/calendar", headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
