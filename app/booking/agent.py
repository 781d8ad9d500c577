"""The phone agent's view: find the caller, one view of the customer, and where capacity is."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_, select, update

from app.appointments.references import clean_reference, format_reference
from app.booking.availability import appointments_for, officers_required, place_precaution
from app.booking.coverage import not_staffed_reason, staffed_at, staffed_hubs
from app.booking.resident_changes import needs_told_by_phone
from app.customers.names import fold
from app.extensions import db
from app.messaging import consent, outbox
from app.messaging.contact import reminder_gap, uk_mobile, uk_phone
from app.messaging.contact_change import redirect_queued
from app.models import (
    Appointment,
    Customer,
    CustomerNote,
    Officer,
    RiskMarker,
    Service,
    User,
    WaitlistEntry,
)
from app.officers.queries import all_officers
from app.officers.roster import roster
from app.officers.workdays import working_day
from app.places.places import (
    Place,
    UnknownPostcode,
    address_place,
    normalise_postcode,
    postcode_prefix,
    premises_fields,
)
from app.risk.risk import markers_for
from app.staff import audit


def record_search(found: list[Customer], page: str) -> None:
    """An agent's search of customers' records, for the audit log: which records it listed (ids) and on
    which page, never what was typed (a name, phone number or postcode the log need not hold). Call in a
    unit of work."""
    audit.record(
        "customer_search", "customer", "", page=page, results=len(found), customers=[c.id for c in found]
    )


def record_view(customer: Customer, page: str) -> None:
    """An agent's read of a customer's record (their page, or a form showing their details), audited."""
    audit.record("customer_viewed", "customer", customer.id, page=page)


def find_callers(query: str, limit: int = 25) -> list[Customer]:
    """By name, phone, postcode or booking reference."""
    text = (query or "").strip()
    if len(text) < 2:
        return []
    # Against the stored folded name: "Zofia Wisniewska" or "zofia wiśniewska" finds "Zofia Wiśniewska",
    # on PostgreSQL and SQLite alike. autoescape: '%' and '_' typed by the agent are letters, not LIKE
    # wildcards ('%%%%' is not everyone).
    conditions = []
    if len(folded := fold(text)) >= 2:  # "--" or a lone accent folds to nothing (or one letter): no name
        conditions.append(Customer.name_folded.contains(folded, autoescape=True))
    if phone := uk_phone(text):
        conditions.append(Customer.phone == phone)
    if "@" in text:  # residents who gave only an email
        conditions.append(func.lower(Customer.email) == text.lower())
    if postcode := normalise_postcode(text):
        conditions.append(Customer.postcode == postcode)
    elif prefix := postcode_prefix(text):  # 'SP1': everyone in the district
        conditions.append(Customer.postcode.startswith(prefix, autoescape=True))
    reference = clean_reference(text)
    if len(reference) == 8:  # "Jo Bloggs" is eight letters too
        # Its customer read first (the reference's unique index), then matched by id: a subquery OR-ed
        # with the name's LIKE would make PostgreSQL scan every record rather than use the name's
        # trigram index (migration 0028).
        booked = select(Appointment.customer_id).where(Appointment.reference == reference)
        if ids := list(db.session.scalars(booked)):
            conditions.append(Customer.id.in_(ids))
    if not conditions:  # or_() of nothing filters nothing: everyone (attack of 2 December)
        return []
    return list(
        db.session.scalars(select(Customer).where(or_(*conditions)).order_by(Customer.name).limit(limit))
    )


@dataclass(frozen=True)
class PossibleMatch:
    customer: Customer
    because: str  # "same phone number", "same email", "same name and postcode"


def existing_callers(data: dict, limit: int = 10) -> list[PossibleMatch]:
    """Records a "new caller" may already have: the same phone number, the same email address, or
    the same name at the same postcode. The agent is offered these before a second record is made."""
    checks = []
    if phone := uk_phone(data.get("phone")):
        checks.append((Customer.phone == phone, "same phone number"))
    if email := (data.get("email") or "").strip().lower():
        checks.append((func.lower(Customer.email) == email, "same email"))
    name, postcode = fold(data.get("name") or ""), normalise_postcode(data.get("postcode") or "")
    if name and postcode:
        checks.append(
            ((Customer.name_folded == name) & (Customer.postcode == postcode), "same name and postcode")
        )
    found: dict[int, PossibleMatch] = {}
    for condition, because in checks:
        for customer in db.session.scalars(
            select(Customer).where(condition).order_by(Customer.id).limit(limit)
        ):
            if customer.id in found:
                previous = found[customer.id]
                found[customer.id] = PossibleMatch(customer, f"{previous.because}, {because}")
            else:
                found[customer.id] = PossibleMatch(customer, because)
    return list(found.values())[:limit]


class CallerDetailsError(ValueError):
    """A detail the caller's form cannot save, with the form field it is about."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name


STOPPED = (
    "This number replied STOP to our texts: ask the caller to reply START to one of them, or choose "
    "another way to remind them"
)


@dataclass(frozen=True)
class SavedCaller:
    """A caller's record as saved, and how many texts and emails still waiting were sent again to the
    number or address it now has (as a resident's own change does: app/messaging/contact_change.py)."""

    customer: Customer
    redirected: int = 0
    visits_told: int = 0  # booked visits still to come that now carry the changed access needs


def save_caller(customer: Customer | None, data: dict, user: User | None) -> SavedCaller:
    """Create or change a caller's record from the agent's form: home address, a business's own name,
    type and premises (placed on the map apart from home), and, when changing a record, how they are
    reminded (the form checks the one contact rule, reminder_gap) with their consent to texts. Texts and
    emails still waiting for a number or address the change replaced go to the new one. Raises
    CallerDetailsError."""
    channel = data.get("preferred_channel") or None
    if channel == "sms" and consent.number_stopped(uk_mobile(data.get("phone")) or ""):
        raise CallerDetailsError("preferred_channel", STOPPED)  # the carrier would block every text
    try:
        home = address_place("home", data["postcode"], line1=data["line1"], town=data.get("town") or "")
    except UnknownPostcode as error:
        raise CallerDetailsError("postcode", f"{error}. Check it with the caller") from None
    premises = None
    if (data.get("premises_line1") or "").strip():
        try:
            premises = address_place(
                "business",
                data["premises_postcode"],
                line1=data["premises_line1"],
                town=data.get("premises_town") or "",
            )
        except UnknownPostcode as error:
            raise CallerDetailsError("premises_postcode", f"{error}. Check it with the caller") from None
    created = customer is None
    if customer is None:
        customer = Customer()
        db.session.add(customer)
    needs = {
        "access_needs": (data.get("access_needs") or "").strip(),
        "interpreter_language": (data.get("interpreter_language") or "").strip(),
    }
    needs_changed = any(getattr(customer, name) != value for name, value in needs.items())
    customer.name = data["name"].strip()
    customer.phone = uk_phone(data.get("phone")) or ""
    customer.email = (data.get("email") or "").strip()
    for name, value in home.address_fields().items():
        setattr(customer, name, value)
    customer.business_name = (data.get("business_name") or "").strip()
    customer.business_type = (data.get("business_type") or "").strip()
    if premises is not None:
        for name, value in premises_fields(premises).items():
            setattr(customer, name, value)
    if customer.business_name or premises is not None:
        customer.kind = "business"
    if customer.phone and not uk_mobile(customer.phone):
        customer.sms_consent = False  # a landline cannot get texts
    consented = bool(data.get("sms_consent")) and not customer.sms_consent and uk_mobile(customer.phone)
    if consented:  # given on this form; withdrawn only with "Stop texts" (which drops queued texts)
        customer.sms_consent = True
    if channel is not None:
        customer.preferred_channel = channel  # the form checked it against the details above
    elif created or reminder_gap(customer.preferred_channel, customer.phone, customer.email):
        # A new caller is asked nothing about reminders: texts wait for the caller's consent, given when
        # the agent books (and need a mobile); until then email if they gave one, else a letter home. A
        # change that takes away the mobile or the email their reminders need does the same.
        customer.preferred_channel = reminder_without_texts(customer)
    db.session.flush()
    entry = audit.record(
        "customer_created" if created else "customer_changed", "customer", customer.id, user=user
    )
    if consented:
        audit.record("sms_consent_recorded", "customer", customer.id, user=user, consent=True)
    if created:
        for name, value in needs.items():
            setattr(customer, name, value)
        return SavedCaller(customer)
    db.session.flush()  # the audit entry's id keeps the redirected messages' keys unique
    redirected = len(redirect_queued(customer, entry.id, by="a"))
    told = needs_told_by_phone(customer, **needs) if needs_changed else 0
    return SavedCaller(customer, redirected, told)


def reminder_without_texts(customer: Customer) -> str:
    """How to remind a caller who has not agreed to texts: by email if we have one, else by letter."""
    return "email" if customer.email else "post"


REMINDER_GAPS = {
    "phone": "Texts need a mobile number: change the caller's details",
    "email": "Emails need an email address: change the caller's details",
}


def reminder_problem(customer: Customer, channel: str) -> str | None:
    """What the agent is told when the caller's record cannot carry the reminders chosen (the one
    contact rule, reminder_gap: texts need a mobile, emails an email address), or None."""
    return REMINDER_GAPS.get(reminder_gap(channel, customer.phone, customer.email) or "")


def reminder_offered(customer: Customer) -> str:
    """The reminder ticked when the agent opens the booking page: the caller's own choice when their
    record can carry it, else email if we have one, else a letter."""
    if reminder_problem(customer, customer.preferred_channel) is None:
        return customer.preferred_channel
    return reminder_without_texts(customer)


PLACE_KINDS = {"home": "at home", "business": "at business premises", "hub": "at a hub"}


WRITE_IT_DOWN = "read the reference out and ask them to write it down with the date and time"
MEND_REMINDERS = "Then set how they are reminded with Change details: no reminder would reach them either."
TOO_SOON_FOR_A_LETTER = "It is too soon for a letter to reach the caller, so none is sent"
# What the agent says instead of a message that could not be sent, while the caller is on the phone.
INSTEAD = {
    "confirmation": WRITE_IT_DOWN,
    "reschedule": "tell them the new time now and ask them to write it down",
    "cancellation": "tell them now that it is cancelled",
}
# What the caller is sent about each change: (by text or email, by letter).
SENT = {
    "confirmation": ("a confirmation", "A confirmation letter"),
    "reschedule": ("the new time", "A letter with the new time"),
    "cancellation": ("a confirmation that it is cancelled", "A letter confirming the cancellation"),
}


@dataclass(frozen=True)
class Told:
    """The agent's banner after a change, and whether the caller was sent anything about it."""

    text: str
    sent: bool

    @property
    def category(self) -> str:
        """A success banner only when something is on its way; else 'Important', so the agent does not
        tell the caller that a message is coming."""
        return "success" if self.sent else "info"


def booked_message(appointment: Appointment) -> Told:
    """The agent's banner after booking: the reference, and what the caller will (not) receive."""
    return told(appointment, "confirmation", f"Booked: reference {format_reference(appointment.reference)}.")


def told(appointment: Appointment, kind: str, done: str, written: set[str] | None = None) -> Told:
    """`done` (what the agent did), then what the caller was sent about it and how: what this change
    wrote (`written`, else outbox.channels_written for the appointment's latest change, as the resident's
    own confirmation and cancellation pages say), by the letter rule the resident's pages use
    (outbox.letter_outcome). When nothing could be sent: why, and what to do while the caller is still on
    the phone."""
    if written is None:
        written = outbox.channels_written(appointment, kind, this_change=True)
    done = f"{done} " if done else ""
    by_message, by_letter = SENT[kind]
    instead = INSTEAD[kind]
    letter = outbox.letter_outcome(appointment, written)
    if letter == "posted":
        return Told(f"{done}{by_letter} will go in the next print batch.", True)
    if letter == "too_late":
        return Told(f"{done}{TOO_SOON_FOR_A_LETTER}: {instead}.", False)
    if letter == "no_address":
        return Told(f"{done}We have no address to post a letter to, so none is sent: {instead}.", False)
    sent = " and ".join(name for channel, name in (("sms", "text"), ("email", "email")) if channel in written)
    if sent:
        return Told(f"{done}The caller will get {by_message} by {sent}.", True)
    because, fixable = unreached_because(appointment.customer)
    fix = f" {MEND_REMINDERS}" if fixable else ""
    return Told(f"{done}Nothing was sent to the caller ({because}): {instead}.{fix}", False)


def unreached_because(customer: Customer) -> tuple[str, bool]:
    """Why no text or email reaches this caller (outbox.reaches finds none), in the agent's words, and
    whether changing their details would mend it (not when they asked for no messages)."""
    channel = customer.preferred_channel
    if channel == "none":
        return "they asked for no messages", False
    gap = reminder_gap(channel, customer.phone, customer.email)
    if gap == "email":
        return "their reminders are by email, but we have no email address for them", True
    if gap == "phone":
        return "their reminders are by text, but we have no mobile number for them", True
    if channel == "sms" and consent.number_stopped(customer.phone):
        return "their number replied STOP to our texts", True
    if channel == "sms" and not customer.sms_consent:
        return "their reminders are by text, but they have not agreed to texts", True
    return "no text or email of ours reaches them", True


def officers_able(service: Service, place: Place) -> list[Officer]:
    """The active officers with the service's skill who cover the place's area: every officer whose free
    times a search there may offer (app.booking.availability.search), by name."""
    able = {o.id for o in roster().able(service.skill_id, place.area_id)}
    return [o for o in all_officers(active_only=True) if o.id in able]


def officers_to_move(appointment: Appointment, place: Place) -> int | None:
    """How many officers each time offered for moving the visit sends: the rule the search offers them by
    (availability.officers_required: the service, and the risk register's precaution there now, which
    may ask for two officers where one was booked). None: the register rules out another time there."""
    return officers_required(appointment.service, place_precaution(place, appointment.customer))


def officers_to_choose(service: Service | None, place: Place | None) -> list[Officer]:
    """The officers the agent's booking page offers to choose from: once a service is chosen, only the
    active officers with its skill (and, once the place is known, who cover its area: officers_able), the
    roster's rule availability offers times by; every active officer until then."""
    if service is None:
        return all_officers(active_only=True)
    if place is not None:
        return officers_able(service, place)
    able = {o.id for o in roster().able(service.skill_id, None)}
    return [o for o in all_officers(active_only=True) if o.id in able]


def not_offered(service: Service, place: str) -> str | None:
    """Why the agent cannot look for times for this service at the place chosen ("home", "business"
    or "hub:CODE"): the service's own places decide, as for every booking. None when it is offered."""
    kind = place.partition(":")[0]
    if kind in service.places:
        return None
    return f"{service.name} is not offered {PLACE_KINDS.get(kind, 'there')}"


def not_staffed(service: Service, place: Place, near: tuple[float, float]) -> str | None:
    """Why the agent is shown no times at all (app.booking.coverage: nobody could ever do it there), and
    what to offer instead, the hubs that can nearest `near` first; None when it can be staffed there."""
    if staffed_at(service, place):
        return None
    hubs = _hubs_that_can(service, place, near)
    instead = f"Offer a hub that can: {hubs}" if hubs else "Tell a supervisor"
    return (
        f"{not_staffed_reason(service, place.area_id, place.hub)}, so no time will come free here, and "
        f"the waiting list would never offer one. {instead}"
    )


def not_staffed_to_move(service: Service, place: Place, near: tuple[float, float]) -> str | None:
    """Why the agent's move page offers no times (the same rule as not_staffed): a move keeps the
    place, so what is left is a new booking at a hub that can, and cancelling this one. None when it
    can be staffed there."""
    if staffed_at(service, place):
        return None
    hubs = _hubs_that_can(service, place, near)
    instead = (
        f"For another time, book the caller at a hub that can ({hubs}), then cancel this one"
        if hubs
        else "The appointment stays as it is: tell a supervisor"
    )
    return (
        f"{not_staffed_reason(service, place.area_id, place.hub)}, so no other time will come free here. "
        f"{instead}"
    )


def _hubs_that_can(service: Service, place: Place, near: tuple[float, float]) -> str:
    """The hubs that can staff the service, nearest `near` first, for the agent to read out."""
    nearest = staffed_hubs(service, *near, besides=place.hub)
    return ", ".join(f"{hub.name} ({miles:.0f} miles)" for hub, miles in nearest)


def not_staffed_for_waitlist(service: Service, area_id: int) -> str:
    """The agent's waiting-list form, where the caller's area cannot be staffed at all."""
    return (
        f"{not_staffed_reason(service, area_id)}, so the waiting list would never offer the caller a "
        "time. Book them at a hub that offers it instead"
    )


def home_not_placed(customer: Customer, service: Service) -> str:
    """Why the agent sees no times at the caller's home: it has no position on our map (no address, or
    one the gazetteer and the postcode look-up could not place), so no visit there can be planned.
    Says what to do instead: correct the address (Change details, on the caller's page), or a hub."""
    instead = ", or choose a hub" if service.at_hub else ""
    if not (customer.address_line1 or customer.postcode):
        return f"The caller has no home address on their record. Add it with Change details{instead}"
    address = ", ".join(part for part in (customer.address_line1, customer.postcode) if part)
    return (
        f"We cannot find {address} on the map, so there are no times at home. "
        f"Check the address and postcode with the caller and correct them with Change details{instead}"
    )


KEPT_IF_BLANK = (
    "phone", "email", "access_needs", "interpreter_language", "business_name", "business_type",
    "address_line1", "address_line2", "town", "postcode", "uprn", "lat", "lng",
    "premises_line1", "premises_line2", "premises_town", "premises_postcode", "premises_uprn",
    "premises_lat", "premises_lng",
)  # fmt: skip


def duplicates_of(customer: Customer, query: str = "") -> list[Customer]:
    """Records that may be the same caller: the agent's search, or the same name, phone or email."""
    if query.strip():
        found = find_callers(query)
    else:
        same = [Customer.name_folded == fold(customer.name)]
        if customer.phone:
            same.append(Customer.phone == customer.phone)
        if customer.email:
            same.append(func.lower(Customer.email) == customer.email.lower())
        found = list(db.session.scalars(select(Customer).where(or_(*same)).order_by(Customer.id).limit(25)))
    return [c for c in found if c.id != customer.id]


def merge_callers(keep: Customer, duplicate: Customer, user: User | None) -> None:
    """One record for one person: the duplicate's bookings, notes, waiting-list places and risk
    markers move to `keep`, which takes any detail it lacks; then the duplicate is removed. Consent
    to texts survives only if neither record has it withdrawn for the same number."""
    for model in (Appointment, CustomerNote, WaitlistEntry, RiskMarker):
        db.session.execute(update(model).where(model.customer_id == duplicate.id).values(customer_id=keep.id))
    for name in KEPT_IF_BLANK:
        if getattr(keep, name) in ("", None):
            setattr(keep, name, getattr(duplicate, name))
    if keep.phone == duplicate.phone:
        keep.sms_consent = keep.sms_consent and duplicate.sms_consent
    if duplicate.kind == "business":
        keep.kind = "business"
    audit.record("customers_merged", "customer", keep.id, user=user, merged=duplicate.id)
    db.session.delete(duplicate)


def precaution_applies(customer: Customer) -> bool:
    """Agents learn only that a precaution applies, never which or why."""
    return bool(markers_for(customer.postcode, customer.address_line1, customer.uprn, customer))


def history(customer: Customer) -> list[Appointment]:
    return list(
        db.session.scalars(
            select(Appointment)
            .where(Appointment.customer_id == customer.id)
            .order_by(Appointment.window_start.desc())
        )
    )


def notes(customer: Customer) -> list[CustomerNote]:
    return list(
        db.session.scalars(
            select(CustomerNote)
            .where(CustomerNote.customer_id == customer.id)
            .order_by(CustomerNote.created_at.desc())
        )
    )


def add_note(customer: Customer, text: str, user: User) -> CustomerNote:
    note = CustomerNote(customer_id=customer.id, text=text.strip(), author=user)
    db.session.add(note)
    audit.record("customer_note_added", "customer", customer.id, user=user)
    return note


@dataclass
class OfficerCapacity:
    name: str
    working: bool
    shift_minutes: int = 0
    booked_minutes: int = 0
    visits: int = 0

    @property
    def free_minutes(self) -> int:
        return max(self.shift_minutes - self.booked_minutes, 0)


@dataclass
class AreaCapacity:
    area: str
    officers: list[OfficerCapacity] = field(default_factory=list)

    @property
    def free_minutes(self) -> int:
        return sum(o.free_minutes for o in self.officers)


def capacity_board(day: date) -> list[AreaCapacity]:
    """Booked and free officer time by community area (officers listed under their home area)."""
    officers = all_officers(active_only=True)
    booked = appointments_for([o.id for o in officers], day, day)
    minutes: dict[int, list[int]] = defaultdict(list)
    for a in booked:
        for oid in (a.officer_id, a.second_officer_id):
            if oid:
                minutes[oid].append(a.duration_minutes)
    areas: dict[str, AreaCapacity] = {}
    for officer in officers:
        home = officer.areas[0].name if officer.areas else "No area"
        wd = working_day(officer, day)
        row = OfficerCapacity(officer.name, wd is not None)
        # Counted on a day off too: an officer recorded sick keeps their visits until a re-plan moves them
        row.booked_minutes, row.visits = sum(minutes[officer.id]), len(minutes[officer.id])
        if wd is not None:
            breaks = sum(b.duration for b in wd.breaks) // 60
            row.shift_minutes = (wd.ends - wd.starts) // 60 - breaks
        areas.setdefault(home, AreaCapacity(home)).officers.append(row)
    return sorted(areas.values(), key=lambda a: a.area)
