"""Residents, agents and kiosks: bookings through the booking engine at a daily demand sized from the
county's officers, and later cancellations, moves, SMS replies and web double-clicks."""

from __future__ import annotations

import heapq
import itertools
import math
import random
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from app.booking.availability import Slot, search
from app.booking.booking import book
from app.booking.booking_request import BookingRequest, CustomerDetails
from app.booking.changes import cancel, reschedule
from app.booking.errors import BookingRuleError, SlotUnavailable
from app.catalogue.queries import all_services
from app.demo.county import FIRST_NAMES, LAST_NAMES
from app.extensions import db
from app.inbound import inbound
from app.messaging.senders import Delivery
from app.models import Address, Appointment, Customer, Hub, Service, User
from app.places.places import Place, customer_place, home_place, hub_place, nearest_area_id, nearest_hubs
from app.simulation.record import Record
from app.simulation.work import context, unit
from app.timeutil import is_working_day, local_to_utc, to_local, utcnow
from app.unit_of_work import unit_of_work

VISITS_PER_OFFICER_DAY = 4.0  # requests each working day per officer on the county's roster
CHANNELS = (("web", 0.45), ("phone", 0.40), ("kiosk", 0.15))
HOURS = {"web": (time(7), time(22)), "phone": (time(8, 30), time(17, 30)), "kiosk": (time(9), time(17))}
WEEKEND_WEB_SHARE = 0.15  # of a working day's web demand, on days the phones are closed
RETURNING = 0.3  # of requests come from a resident already on the system
CANCELS, MOVES = 0.07, 0.07  # of bookings later cancelled / moved by the resident
DOUBLE_CLICKS = 0.05  # of web confirmations sent twice
RATES_VISIT = 0.4  # of residents who reply to the satisfaction text


@dataclass(order=True)
class Event:
    at: datetime
    order: int
    kind: str = field(compare=False)
    data: dict = field(compare=False, default_factory=dict)


class Residents:
    def __init__(self, rng: random.Random, record: Record, demand: float, agent_ids: list[int], run: str):
        self.rng, self.record, self.demand, self.agent_ids = rng, record, demand, agent_ids
        self.run = run  # tells this run's inbound texts apart from an earlier run's on the same database
        self.events: list[Event] = []
        self.order = itertools.count()
        self.inbound_ids = itertools.count(1)
        with unit():
            self.service_ids = [s.id for s in all_services(bookable_only=True) if not s.premises_only]
            self.addresses = [
                (a.id, a.lat, a.lng) for a in db.session.scalars(select(Address).order_by(Address.id))
            ]
            self.kiosk_hubs = [
                h.id for h in db.session.scalars(select(Hub).where(Hub.has_kiosk).order_by(Hub.id))
            ]
            self.customer_ids = list(db.session.scalars(select(Customer.id).order_by(Customer.id)))
            self.next_phone = len(self.customer_ids) + 1

    # The day's demand --------------------------------------------------------------------------

    def plan_day(self, day: date) -> None:
        working = is_working_day(day)
        for channel, share in CHANNELS:
            if not working and channel != "web":
                continue
            mean = self.demand * share * (1 if working else WEEKEND_WEB_SHARE)
            opens, closes = HOURS[channel]
            start, end = local_to_utc(day, opens), local_to_utc(day, closes)
            for _ in range(self._poisson(mean)):
                self._add(start + (end - start) * self.rng.random(), "book", channel=channel)

    def _poisson(self, mean: float) -> int:
        return max(0, round(self.rng.gauss(mean, math.sqrt(mean)))) if mean > 0 else 0

    def _add(self, at: datetime, kind: str, **data) -> None:
        heapq.heappush(self.events, Event(at, next(self.order), kind, data))

    def next_at(self) -> datetime | None:
        return self.events[0].at if self.events else None

    def act(self, now: datetime) -> None:
        while self.events and self.events[0].at <= now:
            event = heapq.heappop(self.events)
            with context():
                {"book": self._book, "cancel": self._cancel, "move": self._move, "text": self._text}[
                    event.kind
                ](**event.data)

    # Booking -------------------------------------------------------------------------------------

    def _book(self, channel: str) -> None:
        service = db.session.get(Service, self.rng.choice(self.service_ids))
        customer, details = self._customer()
        location_type = self.rng.choice(service.places)
        place = self._place(customer, details, location_type, channel)
        if place is None:
            return
        today = to_local(utcnow()).date()
        for _attempt in range(2):  # the time can go while they choose: they look again once
            found = search(service, place, today, service.horizon_days, customer=customer)
            if not found.slots:
                if not found.restricted:
                    self.record.days_to_first_slot.append(service.horizon_days + 1)
                return
            if _attempt == 0:
                self.record.days_to_first_slot.append((min(s.day for s in found.slots) - today).days)
            slot = self._choose(found.slots, found.suggested())
            request = BookingRequest(
                slot_token=slot.token,
                service=service,
                place=place,
                customer=details,
                channel=channel,
                booked_by=db.session.get(User, self.rng.choice(self.agent_ids))
                if channel == "phone"
                else None,
            )
            if channel == "web":
                request.idempotency_scope = "web"
                request.idempotency_key = secrets.token_urlsafe(16)
                request.request_fingerprint = {"slot": slot.token, "submission": request.idempotency_key}
            try:
                with unit_of_work():
                    appointment = book(request)
            except (SlotUnavailable, BookingRuleError):
                continue
            self.record.promise(appointment)
            self.record.booked.add(appointment.id)
            if channel == "web" and self.rng.random() < DOUBLE_CLICKS:
                self._double_click(request, appointment.id)
            self._fate(appointment)
            return

    def _double_click(self, request: BookingRequest, first_id: int) -> None:
        """The same confirmation sent again: it must answer with the same booking, not a second one."""
        try:
            with unit_of_work():
                again = book(request)
        except (SlotUnavailable, BookingRuleError) as error:
            self.record.notes.append(f"a repeated web confirmation was refused: {error}")
            return
        if again.id != first_id:
            self.record.notes.append(f"a repeated web confirmation booked twice ({first_id}, {again.id})")
            self.record.booked.add(again.id)
            self.record.promise(again)

    def _choose(self, slots: list[Slot], suggested: list[Slot]) -> Slot:
        """Half take one of the suggested times; the rest the first day that has one, at a time they like."""
        if self.rng.random() < 0.5:
            return self.rng.choice(suggested)
        first = min(s.day for s in slots)
        return self.rng.choice([s for s in slots if s.day == first])

    def _customer(self) -> tuple[Customer | None, CustomerDetails]:
        if self.customer_ids and self.rng.random() < RETURNING:
            customer = db.session.get(Customer, self.rng.choice(self.customer_ids))
            return customer, CustomerDetails(
                name=customer.name,
                phone=customer.phone,
                email=customer.email,
                preferred_channel=customer.preferred_channel,
                sms_consent=customer.sms_consent,
                kind=customer.kind,
                business_name=customer.business_name,
            )
        n, self.next_phone = self.next_phone, self.next_phone + 1
        first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
        by_email = self.rng.random() < 0.2
        return None, CustomerDetails(
            name=f"{first} {last}",
            phone=f"+4479{n:08d}",
            email=f"{first.lower()}.{last.lower()}.{n}@example.com" if by_email else "",
            preferred_channel="email" if by_email else "sms",
            sms_consent=not by_email,
        )

    def _place(
        self, customer: Customer | None, details: CustomerDetails, location_type: str, channel: str
    ) -> Place | None:
        if customer is not None and customer.lat is not None:
            lat, lng = customer.lat, customer.lng
            home = customer_place(customer, location_type)
        else:
            address = db.session.get(Address, self.rng.choice(self.addresses)[0])
            lat, lng = address.lat, address.lng
            home = home_place(
                location_type,
                lat,
                lng,
                line1=address.line1,
                town=address.town,
                postcode=address.postcode,
                uprn=address.uprn,
            )
        if location_type != "hub":
            return home
        if channel == "kiosk" and self.kiosk_hubs:
            return hub_place(db.session.get(Hub, self.rng.choice(self.kiosk_hubs)))
        return hub_place(nearest_hubs(lat, lng, 1)[0][0])

    def _fate(self, appointment: Appointment) -> None:
        """Some residents later cancel or move, at a random moment before the visit."""
        latest = appointment.window_start - timedelta(hours=2)
        now = utcnow()
        if latest <= now:
            return
        roll = self.rng.random()
        kind = "cancel" if roll < CANCELS else "move" if roll < CANCELS + MOVES else None
        if kind:
            at = now + (latest - now) * self.rng.random()
            channel = self.rng.choice(["web", "phone", "sms"] if kind == "cancel" else ["web", "phone"])
            self._add(at, kind, appointment_id=appointment.id, channel=channel)

    # Changes -----------------------------------------------------------------------------------

    def _cancel(self, appointment_id: int, channel: str) -> None:
        appointment = db.session.get(Appointment, appointment_id)
        if appointment is None or not appointment.is_active or appointment.window_start < utcnow():
            return
        customer = appointment.customer
        if channel == "sms" and customer.preferred_channel == "sms" and customer.phone:
            self._reply(customer.phone, f"CANCEL {appointment.reference}")
            return
        agent = db.session.get(User, self.rng.choice(self.agent_ids)) if channel == "phone" else None
        try:
            with unit_of_work():
                cancel(appointment, "No longer needed", actor=agent, channel="phone" if agent else "web")
        except BookingRuleError:
            pass  # changed or over meanwhile

    def _move(self, appointment_id: int, channel: str) -> None:
        appointment = db.session.get(Appointment, appointment_id)
        if appointment is None or appointment.status != "booked" or appointment.window_start < utcnow():
            return
        place = Place(
            appointment.location_type,
            appointment.lat,
            appointment.lng,
            appointment.hub.area_id if appointment.hub else _area_of(appointment),
            hub=appointment.hub,
        )
        today = to_local(utcnow()).date()
        found = search(appointment.service, place, today, 14, exclude_appointment=appointment.id)
        choices = [s for s in found.slots if s.start != appointment.window_start]
        if not choices:
            return
        slot = self.rng.choice(choices[:6])
        agent = db.session.get(User, self.rng.choice(self.agent_ids)) if channel == "phone" else None
        try:
            with unit_of_work():
                reschedule(appointment, slot.token, actor=agent, channel="phone" if agent else "web")
        except (SlotUnavailable, BookingRuleError):
            return
        self.record.promise(appointment)

    # Texts ---------------------------------------------------------------------------------------

    def on_text(self, delivery: Delivery, now: datetime) -> None:
        """A resident reads a text: some answer the satisfaction question."""
        if "Reply 1 (very poor) to 5 (very good)" in delivery.body and self.rng.random() < RATES_VISIT:
            score = self.rng.choice("34455")
            self._add(
                now + timedelta(minutes=self.rng.randint(5, 90)), "text", phone=delivery.recipient, body=score
            )

    def _text(self, phone: str, body: str) -> None:
        self._reply(phone, body)

    def _reply(self, phone: str, body: str) -> None:
        """A text from a resident, through the inbound service as Twilio's webhook hands it over."""
        with unit_of_work():
            inbound.handle(f"SIM{self.run}-{next(self.inbound_ids)}", phone, body)


def _area_of(appointment: Appointment) -> int:
    return nearest_area_id(appointment.lat, appointment.lng) or 0
