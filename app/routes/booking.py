"""The resident booking journey: one question per page, works without JavaScript."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext

from app import i18n
from app.appointments.links import ics_url, manage_url
from app.appointments.presenters import officer_first_name, when, where, window_text
from app.appointments.references import format_reference
from app.booking import waitlist as waitlists
from app.booking.availability import (
    TIMES_PER_PAGE,
    decode_slot,
    later_dates_from,
    next_free_day,
    note_public_restriction,
    same_time_at,
    search,
)
from app.booking.booking import book
from app.booking.booking_request import booking_request
from app.booking.coverage import staffed_at, staffed_hubs
from app.booking.errors import (
    BookingRuleError,
    NotStaffed,
    PossibleDuplicate,
    SlotUnavailable,
    TooManyBookings,
)
from app.booking.waitlist_offers import how_offered
from app.catalogue.queries import all_hubs, all_services, hub_by_code, service_by_code
from app.catalogue.search import find_services
from app.config import settings
from app.forms.booking import (
    AddressForm,
    ConfirmForm,
    DetailsForm,
    HubForm,
    MessageLanguageForm,
    PostcodeForm,
    ServiceForm,
    TimeForm,
    WaitlistForm,
    WhereForm,
    reminder_choices,
)
from app.i18n import catalogue_text, current_locale
from app.inputs import day_or
from app.messaging import consent, outbox
from app.messaging.contact import display_phone, uk_phone
from app.messaging.outbox import contact_centre_list
from app.places.places import (
    EXAMPLE_POSTCODE,
    addresses_for,
    hub_place,
    in_a_uk_postcode_area,
    locate_postcode,
    nearest_hubs,
    normalise_postcode,
)
from app.timeutil import at_day_seconds, local_now
from app.unit_of_work import unit_of_work
from app.web import journey, resident_session
from app.web.access import public
from app.web.guards import limiter
from app.web.kiosk_session import current_device
from app.web.resident_session import BOOKED, MANAGED

if TYPE_CHECKING:
    from app.models import Appointment

bp = Blueprint("booking", __name__, url_prefix="/book")
SEARCH_DAYS = 14
# Each booking sends texts or emails: a few a minute from one address (or kiosk) is plenty for a
# family, and far too few to flood anyone (app.booking.customers.check_public_allowance caps each number).
BOOKINGS_PER_ADDRESS = "10 per minute; 30 per hour"
PUBLIC_SEARCHES = "60 per minute"  # as the API's public look-ups (app/api/routes.py PUBLIC_LIMIT)


def _next(endpoint: str, **kwargs):
    """After an answer: back to check-your-answers when changing one, else the next question."""
    if request.args.get("change") and journey.first_missing() is None:
        return redirect(url_for("booking.check"))
    return redirect(url_for(endpoint, **kwargs))


STEP_FOR = {
    "service": "booking.choose_service",
    "location_type": "booking.where",
    "place_done": "booking.postcode",
    "slot": "booking.time",
    "name": "booking.details",
}


def _require(*keys: str):
    """Someone who jumps ahead (or whose session expired) goes back to the first unanswered question."""
    for key in keys:
        if not journey.draft().get(key):
            return redirect(url_for(STEP_FOR[key]))
    return None


@bp.get("/")
@public
def start():
    journey.reset()
    return redirect(url_for("booking.choose_service"))


def _not_a_search() -> bool:
    return not request.args.get("q")


@bp.route("/service", methods=["GET", "POST"])
@public
@limiter.limit(PUBLIC_SEARCHES, exempt_when=_not_a_search)  # anyone may search, but not without end
def choose_service():
    services = all_services(bookable_only=True)
    query = (request.args.get("q") or "").strip()[:200]
    found = find_services(services, query, catalogue_text, current_locale()) if query else services
    shown = found or services  # nothing matched: say so, and offer the whole list
    form = ServiceForm()
    # The radios are drawn from the choices (the widget merges our items into them by position), so
    # a search must narrow the choices too, or the whole list comes back around the match.
    form.service.choices = [
        (s.code, catalogue_text(s.name)) for s in (shown if request.method == "GET" else services)
    ]
    if request.method == "GET":
        form.service.data = journey.draft().get("service")
    if form.validate_on_submit():
        chosen = service_by_code(form.service.data)
        if request.form.get("start_again"):  # "Book this again": a new journey, nothing carried over
            journey.reset()  # (the language is kept: it is not part of the journey)
        if chosen.premises_only:
            return redirect(url_for("booking.signpost", code=chosen.code))
        if journey.draft().get("service") != chosen.code:
            journey.clear_from(
                "location_type",
                "slot",
                "slot_label",
                "earlier_slot",
                "place_done",
                "hub",
                "postcode",
                "line1",
                "address_id",
            )
        journey.update(service=chosen.code)
        if len(chosen.places) == 1:
            journey.update(location_type=chosen.places[0])
            return _after_place_kind(chosen.places[0])
        return _next("booking.where")
    # Back from the confirmation lands here with the journey ended: say what they have just booked, so
    # nobody books it twice thinking it did not go through (found by the afternoon walk).
    # Not once it is cancelled (or over): "you do not need to book it again" would then be untrue.
    just_booked = None if journey.draft().get("service") else resident_session.linked(BOOKED)
    if just_booked is not None and not just_booked.is_active:
        just_booked = None
    return render_template(
        "booking/service.html",
        form=form,
        services=shown,
        query=query,
        no_match=bool(query and not found),
        just_booked=just_booked,
    )


def _kiosk_hub(location_type: str) -> bool:
    device = current_device()
    return location_type == "hub" and device is not None and device.hub.active


def _after_place_kind(location_type: str):
    """At a hub's kiosk a hub appointment is at that hub: no postcode or list of hubs to go through."""
    if _kiosk_hub(location_type):
        journey.update(hub=current_device().hub.code, place_done=True)
        journey.clear_from("slot", "slot_label")
        return _next("booking.time")
    return _next("booking.postcode")


@bp.get("/signpost/<code>")
@public
def signpost(code: str):
    service = service_by_code(code) or abort(404)
    return render_template("booking/signpost.html", service=service)


@bp.route("/where", methods=["GET", "POST"], endpoint="where")
@public
def where_step():
    service = journey.service()
    if service is None:
        return redirect(url_for("booking.choose_service"))
    form = WhereForm()
    form.location_type.choices = [(p, journey.PLACE_NAMES[p]) for p in service.places]
    if request.method == "GET":
        form.location_type.data = journey.draft().get("location_type")
    if form.validate_on_submit():
        if journey.draft().get("location_type") != form.location_type.data:
            _place_changed()
            journey.clear_from("place_done", "hub", "line1", "address_id")
        journey.update(location_type=form.location_type.data)
        if request.args.get("change") and not _kiosk_hub(form.location_type.data):
            # "Where" changed from check-your-answers: the address or hub may be what they came to change
            return redirect(url_for("booking.postcode", change=1))
        return _after_place_kind(form.location_type.data)
    return render_template("booking/where.html", form=form, service=service)


@bp.route("/postcode", methods=["GET", "POST"])
@public
@limiter.limit("30 per minute", methods=["POST"])
def postcode():
    if (redirect_to := _require("service", "location_type")) is not None:
        return redirect_to
    location_type = journey.draft()["location_type"]
    form = PostcodeForm()
    if location_type == "hub":  # the postcode finds the nearest hubs, not an address
        form.submit.label.text = _("Find hubs near me")
    if request.method == "GET":
        form.postcode.data = journey.draft().get("postcode")
    unknown = False
    if form.validate_on_submit():
        normal = normalise_postcode(form.postcode.data)
        if locate_postcode(normal) is None:
            unknown = True
            form.postcode.errors = [_postcode_not_found(normal, location_type, journey.service())]
        else:
            if journey.draft().get("postcode") != normal:
                _place_changed()
                journey.clear_from("place_done", "hub", "line1", "address_id")
            journey.update(postcode=normal)
            return redirect(
                url_for(
                    "booking.hub" if location_type == "hub" else "booking.address",
                    **({"change": 1} if request.args.get("change") else {}),
                )
            )
    return render_template(
        "booking/postcode.html",
        form=form,
        location_type=location_type,
        unknown=unknown,
        service=journey.service(),
    )


def _postcode_not_found(postcode: str, location_type: str, service) -> str:
    """A real postcode (in a UK postcode area: SN1 1AA Swindon, BA1 1AA Bath) is outside the council's
    area, not mistyped: it is said so, with a hub where the service is offered at one. One in no
    postcode area (ZZ9 9ZZ) is a slip, whatever the service: it is said that we do not recognise it."""
    council = settings().council_name
    at_hub = "hub" in service.places
    if location_type == "hub":
        if in_a_uk_postcode_area(postcode):
            return _(
                "We cannot find that postcode in the %(council)s area. Check it, or choose a hub from the "
                "list",
                council=council,
            )
        return _("We do not recognise that postcode. Check it, or choose a hub from the list")
    if not in_a_uk_postcode_area(postcode):  # no such postcode anywhere (ZZ9 9ZZ): a typing slip
        if not at_hub:
            return _(
                "We do not recognise that postcode. Check each letter and number and enter it again, "
                "for example %(example)s",
                example=EXAMPLE_POSTCODE,
            )
        return _("We do not recognise that postcode. Check it, or book at a community hub")
    if not at_hub:  # a home-only service: no hub to offer
        return _(
            "We cannot find that postcode in the %(council)s area. Check it, or contact the council "
            "where you live",
            council=council,
        )
    return _(
        "We cannot find that postcode in the %(council)s area. Check it, book at a community hub, or "
        "contact the council where you live",
        council=council,
    )


@bp.route("/address", methods=["GET", "POST"])
@public
def address():
    if (redirect_to := _require("service", "location_type")) is not None:
        return redirect_to
    code = journey.draft().get("postcode")
    if not code:
        return redirect(url_for("booking.postcode"))
    addresses = [a for a in addresses_for(code) if a.line1]
    form = AddressForm()
    form.address.choices = [(str(a.id), a.label) for a in addresses] + [
        ("manual", _("My address is not listed"))
    ]
    form.listed = {str(a.id): a.label for a in addresses}
    draft = journey.draft()
    if request.method == "GET":  # back (or changing it from check-your-answers): the answer given
        if draft.get("address_id") and form.listed.get(str(draft["address_id"])):
            form.address.data = str(draft["address_id"])
        elif draft.get("line1") and not draft.get("address_id") or not addresses:
            form.address.data, form.line1.data = "manual", draft.get("line1", "")
    if form.validate_on_submit():
        before = (draft.get("address_id"), draft.get("line1"))
        if form.address.data == "manual":
            journey.update(address_id=None, line1=form.line1.data.strip(), place_done=True)
        else:
            chosen = next(a for a in addresses if str(a.id) == form.address.data)
            journey.update(address_id=chosen.id, line1=chosen.line1, place_done=True)
        if (journey.draft().get("address_id"), journey.draft().get("line1")) != before:
            _place_changed()  # the times were for the other address
        return _after_new_place()
    return render_template("booking/address.html", form=form, postcode=code, count=len(addresses))


@bp.route("/hub", methods=["GET", "POST"])
@public
def hub():
    if (redirect_to := _require("service", "location_type")) is not None:
        return redirect_to
    hubs = _hubs_to_offer(journey.service(), _resident_centre())
    form = HubForm()
    form.hub.choices = [(h.code, h.name) for h, _m in hubs]
    if request.method == "GET":
        form.hub.data = journey.draft().get("hub")
    if form.validate_on_submit():
        if journey.draft().get("hub") != form.hub.data:
            _place_changed()  # the times were for the other hub
        journey.update(hub=form.hub.data, place_done=True)
        return _after_new_place()
    return render_template("booking/hub.html", form=form, hubs=hubs)


def _place_changed() -> None:
    """The place changed, so the time chosen was found for another one. Changing it from
    check-your-answers, the time is set aside (`earlier_slot`) for _after_new_place to keep if the new
    place offers it too; otherwise it is forgotten, as the times page comes next anyway."""
    chosen = journey.draft().get("slot")
    if chosen and request.args.get("change"):
        journey.update(earlier_slot=chosen)
    journey.clear_from("slot", "slot_label")


def _after_new_place():
    """After the address or hub: the time chosen before keeps if the new place offers the same day and
    time (the resident changed only the place); if not, the times page says so (`earlier_slot` stays
    until they choose), never dropping it silently (found by an earlier walk)."""
    earlier = journey.draft().get("earlier_slot")
    if not earlier:
        return _next("booking.time")
    same = same_time_at(journey.service(), journey.place(), decode_slot(earlier))
    if same is None:
        return redirect(url_for("booking.time", change=1))
    journey.update(slot=same.token, slot_label=_slot_label(same.start, same.end))
    journey.clear_from("earlier_slot")
    return _next("booking.details")


def _all_hubs():
    return all_hubs(active_only=True)


def _hubs_to_offer(service, centre) -> list:
    """The hubs to choose from, nearest first where we know where they are: those that can staff the
    service (coverage.staffed_hubs). Where none can, the nearest anyway, so the next page says so and
    gives the contact centre, rather than this one showing an empty list."""
    if centre:
        return staffed_hubs(service, *centre, limit=6) or nearest_hubs(*centre, limit=6)
    hubs = _all_hubs()
    anywhere = (hubs[0].lat, hubs[0].lng) if hubs else (0.0, 0.0)  # all of them: the order is the list's
    staffed = {h.id for h, _m in staffed_hubs(service, *anywhere, limit=None)}
    return [(h, None) for h in hubs if h.id in staffed] or [(h, None) for h in hubs]


@bp.route("/time", methods=["GET", "POST"])
@public
@limiter.limit("60 per minute")
def time():
    if (redirect_to := _require("service", "location_type", "place_done")) is not None:
        return redirect_to
    service, place = journey.service(), journey.place()
    if place is None:
        return redirect(url_for("booking.postcode"))
    if not staffed_at(service, place):  # before any date or the waiting list: none would ever come
        return _not_staffed(service, place)
    first = day_or(request.args.get("from"), local_now().date())
    exact_possible = service.exact_times and place.hub is None
    exact = exact_possible and request.args.get("exact") == "1"
    on_kiosk = current_device() is not None
    # A kiosk shows one day's times at a time: big radios in a short list, not 40 small ones to scroll.
    result = search(service, place, first, SEARCH_DAYS, exact=exact).first_page(
        1 if on_kiosk else TIMES_PER_PAGE
    )
    if result.restricted:
        with unit_of_work():
            note_public_restriction(result, service, place)
    form = TimeForm()
    form.slot.choices = [(s.token, "") for s in result.slots]
    if form.validate_on_submit():
        token = decode_slot(form.slot.data)
        if token is None:
            form.slot.errors = [_("That time is no longer available. Choose another time")]
        else:
            start = at_day_seconds(token.day, token.window[0])
            end = at_day_seconds(token.day, token.window[1])
            journey.update(slot=form.slot.data, slot_label=_slot_label(start, end))
            journey.clear_from("earlier_slot")
            return _next("booking.details")
    dead_end = not result.slots and not result.restricted and result.last_day is not None
    return render_template(
        "booking/time.html",
        form=form,
        result=result,
        service=service,
        place=place,
        later=next_free_day(service, place, result.last_day) if dead_end else None,
        other_hubs=_nearest_hubs_with_times(service, place, first) if dead_end else [],
        home_possible="home" in service.places and place.location_type == "hub",
        on_kiosk=on_kiosk,
        next_from=_iso(later_dates_from(service, result)),
        earlier=first > local_now().date(),
        exact=exact,
        exact_possible=exact_possible,
        earlier_gone=bool(journey.draft().get("earlier_slot")),  # the time chosen is not offered here
        hub_possible="hub" in service.places and place.location_type != "hub",
        phoning=bool(contact_centre_list()),
    )


def _not_staffed(service, place):
    """Nobody can do this service here (app.booking.coverage): said plainly, with what does work: the
    nearest hubs that can, a visit at home instead of a hub, or the contact centre (at a kiosk, help)."""
    centre = _resident_centre() or (place.lat, place.lng)
    hubs = staffed_hubs(service, *centre, besides=place.hub)
    return render_template(
        "booking/not_staffed.html",
        service=service,
        place=place,
        hubs=hubs,
        home_possible="home" in service.places and place.location_type == "hub",
        on_kiosk=current_device() is not None,
    )


def _resident_centre() -> tuple[float, float] | None:
    """Where the resident said they are (the postcode they gave), for "nearest" hubs."""
    return locate_postcode(journey.draft()["postcode"]) if journey.draft().get("postcode") else None


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def _nearest_hubs_with_times(service, place, first, wanted: int = 3) -> list[dict]:
    """No times here: the nearest other hubs (of the resident's six nearest) with a free time soon,
    nearest first."""
    if "hub" not in service.places:
        return []
    lat, lng = _resident_centre() or (place.lat, place.lng)
    found_hubs = []
    for hub, miles in nearest_hubs(lat, lng, limit=6):
        if place.hub is not None and hub.id == place.hub.id:
            continue
        found = search(service, hub_place(hub), first, SEARCH_DAYS).first_page(1)
        if found.slots:
            found_hubs.append({"hub": hub, "miles": miles, "day": found.slots[0].day})
            if len(found_hubs) == wanted:
                break
    return found_hubs


@bp.post("/time/at-hub")
@public
def switch_to_hub():
    """'Book at the nearest hub with times instead': the same journey, at that hub."""
    form = ConfirmForm()
    hub = hub_by_code(request.form.get("hub", ""))
    if form.validate_on_submit() and hub is not None and journey.service() is not None:
        journey.update(location_type="hub", hub=hub.code, place_done=True)
        journey.clear_from("slot", "slot_label", "line1", "address_id")
        return redirect(url_for("booking.time"))
    return redirect(url_for("booking.time"))


@bp.route("/waitlist", methods=["GET", "POST"])
@public
@limiter.limit(BOOKINGS_PER_ADDRESS, methods=["POST"])
def waitlist():
    """No times soon: the resident leaves a mobile number and is texted when one comes free."""
    if (redirect_to := _require("service", "location_type", "place_done")) is not None:
        return redirect_to
    service, place = journey.service(), journey.place()
    if place is None or place.hub is not None or not staffed_at(service, place):
        return redirect(url_for("booking.time"))  # (where nobody can staff it, the time page says so)
    form = WaitlistForm()
    phoning = bool(contact_centre_list())  # offers by phone call need advisers to make the calls
    if not phoning:
        form.contact.choices = [c for c in form.contact.choices if c[0] == "text"]
    if form.validate_on_submit():
        try:
            with unit_of_work():
                entry = waitlists.join_online(
                    service,
                    place,
                    form.name.data,
                    form.phone.data,
                    form.times.data,
                    form.contact.data or "text",
                )
                how = how_offered(entry.customer)
        except TooManyBookings as error:
            form.phone.errors = [error.message]
            return render_template("booking/waitlist.html", form=form, service=service, phoning=phoning)
        except NotStaffed:  # the roster changed while they filled the form in
            return redirect(url_for("booking.time"))
        journey.reset()
        return render_template(
            "booking/waitlist_joined.html",
            entry=entry,
            service=service,
            how=how,
            phone=display_phone(entry.customer.phone),
        )
    return render_template("booking/waitlist.html", form=form, service=service, phoning=phoning)


@bp.route("/details", methods=["GET", "POST"])
@public
def details():
    if (redirect_to := _require("service", "location_type", "place_done", "slot")) is not None:
        return redirect_to
    saved = journey.draft().get("details")
    if saved and saved.get("phone"):  # kept in E.164; shown back as the resident wrote it
        saved = {**saved, "phone": display_phone(saved["phone"])}
    form = DetailsForm(data=saved or None)
    form.preferred_channel.choices = reminder_choices(journey.draft()["location_type"])
    form.for_business = journey.draft()["location_type"] == "business"
    if form.validate_on_submit():
        values = {
            k: (form.data[k] or "").strip()
            for k in (
                "name", "phone", "email", "preferred_channel", "access_needs", "interpreter_language",
                "business_name", "business_type",
            )
        }  # fmt: skip
        values["phone"] = uk_phone(values["phone"]) or ""
        if not form.for_business:
            values["business_name"] = values["business_type"] = ""
        journey.update(details=values, name=values["name"])
        return redirect(url_for("booking.check"))
    return render_template(
        "booking/details.html", form=form, at_hub=journey.draft()["location_type"] == "hub"
    )


@bp.route("/language", methods=["GET", "POST"])
@public
def language():
    """Check your answers' Change link for the language of the pages and of every message: the choice
    the links at the top of each page make, asked as a question like the other answers."""
    if (redirect_to := _require("service", "location_type", "place_done", "slot", "name")) is not None:
        return redirect_to
    form = MessageLanguageForm(data={"locale": current_locale()})
    if form.validate_on_submit():
        i18n.choose(form.locale.data)
        return redirect(url_for("booking.check"))
    return render_template("booking/language.html", form=form)


@bp.route("/check", methods=["GET", "POST"])
@public
@limiter.limit(BOOKINGS_PER_ADDRESS, methods=["POST"])
def check():
    if (redirect_to := _require("service", "location_type", "place_done", "slot", "name")) is not None:
        return redirect_to
    d = journey.draft()
    service, place = journey.service(), journey.place()
    form = ConfirmForm()
    if form.validate_on_submit():
        values = d["details"]
        submission = journey.submission_id()
        request_ = booking_request(
            d["slot"],
            service,
            place,
            channel="kiosk" if current_device() is not None else "web",
            said=values
            | {
                "home_postcode": d.get("postcode", "") if d["location_type"] == "hub" else "",
                "locale": current_locale(),
            },
            idempotency=("web", submission, {"slot": d["slot"], "submission": submission}),
            unverified=True,
        )
        request_.confirmed_overlap = bool(request.form.get("again"))
        try:
            with unit_of_work():
                appointment = book(request_)
        except (
            PossibleDuplicate
        ) as duplicate:  # they already have a visit then: warn, book only if asked again
            # Only the browser linked to that booking is told which one it is (service, time, link):
            # anyone else may be a stranger who typed the same name and phone or email.
            twin = duplicate.existing
            linked = _booked_in_this_browser(twin)
            return render_template(
                "booking/check.html",
                form=form,
                d=d,
                service=service,
                place=place,
                place_name=journey.PLACE_NAMES[d["location_type"]],
                when_label=_when_label(d),
                twin=twin,
                twin_same=linked and twin.service_id == service.id and _same_time(twin, d["slot"]),
                twin_when=when(twin, current_locale()) if linked else "",
                twin_link=manage_url(twin) if linked else None,
            )
        except TooManyBookings as error:
            flash(error.message, "error")
            return render_template(
                "booking/check.html",
                form=form,
                d=d,
                when_label=_when_label(d),
                service=service,
                place=place,
                place_name=journey.PLACE_NAMES[d["location_type"]],
            )
        except (SlotUnavailable, BookingRuleError):
            journey.clear_from("slot", "slot_label", "submission")
            return redirect(url_for("booking.time", gone=1))
        resident_session.link(BOOKED, appointment)
        journey.reset()
        return redirect(url_for("booking.confirmation"))
    journey.submission_id()
    return render_template(
        "booking/check.html",
        form=form,
        d=d,
        when_label=_when_label(d),
        service=service,
        place=place,
        place_name=journey.PLACE_NAMES[d["location_type"]],
    )


def _when_label(d: dict) -> str:
    """The chosen time as check-your-answers shows it, in the page's language (even if the language
    changed since it was chosen)."""
    token = decode_slot(d["slot"])
    if token is None:
        return d.get("slot_label", "")
    return _slot_label(at_day_seconds(token.day, token.window[0]), at_day_seconds(token.day, token.window[1]))


def _slot_label(start, end) -> str:
    """The chosen time as check-your-answers shows it, in the page's language: as the confirmation,
    texts and the booking's page word it (window_text)."""
    return window_text(start, end, current_locale())


def _same_time(appointment: Appointment, slot: str) -> bool:
    token = decode_slot(slot)
    return token is not None and appointment.window_start == at_day_seconds(token.day, token.window[0])


def _booked_in_this_browser(appointment: Appointment) -> bool:
    """A name and phone number are no proof of being that person: only the browser that booked (or
    opened) the booking is linked to it. Anyone else is sent to find it with its reference."""
    return any(
        (linked := resident_session.linked(key)) is not None and linked.id == appointment.id
        for key in (BOOKED, MANAGED)
    )


@bp.get("/confirmation")
@public
def confirmation():
    appointment = resident_session.linked(BOOKED)
    if appointment is None:
        return redirect(url_for("booking.start"))
    if not appointment.is_active:
        # Cancelled (or over) since it was booked here: not "Appointment booked" again (found by the
        # evening walk, pressing Back after cancelling). Its own page says what became of it; a kiosk
        # starts again (it never shows a booking's page: the next person may be someone else).
        if current_device():
            return redirect(url_for("booking.start"))
        resident_session.link(MANAGED, appointment)
        return redirect(url_for("manage.booking"))
    return render_template(
        "booking/confirmation.html",
        appointment=appointment,
        reference=format_reference(appointment.reference),
        when=when(appointment, current_locale()),
        where=where(appointment),
        officer=officer_first_name(appointment),
        manage_link=None if current_device() else manage_url(appointment),  # never on a shared kiosk
        ics_link=ics_url(appointment, external=False),
        sent_to=_sent_to(appointment),
        texted="sms" in outbox.channels_written(appointment, "confirmation"),
        letter=outbox.confirmation_letter(appointment),
        number_stopped=appointment.customer.preferred_channel == "sms"
        and consent.number_stopped(appointment.customer.phone),
    )


def _sent_to(appointment: Appointment) -> str:
    """How the confirmation went, said only when one was written ('text message and email'); a
    letter is said by outbox.confirmation_letter."""
    channels = outbox.channels_written(appointment, "confirmation") - {"letter"}
    # Translators: how we sent it, ending "We have also sent it to you by ...": Polish "SMS-em", "e-mailem".
    if channels >= {"sms", "email"}:
        return pgettext("sent by", "text message and email")
    if "sms" in channels:
        return pgettext("sent by", "text message")
    return pgettext("sent by", "email") if channels else ""
