"""What a booking or a move checks again after the lock: the slot is still the one asked for, it still
fits each officer's day (which it re-times), and the officers it gives the visit meet the risk
register's precautions there (check_precautions: every booking, move and re-assignment asks it)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, update

from app.booking.availability import (
    SlotToken,
    day_and_roster,
    hub_times,
    officers_required,
    place_precaution,
    routing_day,
)
from app.booking.customers import UNREAD
from app.booking.errors import BookingRuleError, SlotUnavailable
from app.extensions import db
from app.i18n import _l
from app.models import Appointment, Customer, Service
from app.officers.travel import pair_travel
from app.officers.workdays import working_day
from app.places.places import Place
from app.timeutil import at_day_seconds
from routing.feasibility import DayCheck


def still_fits(token: SlotToken, place: Place, duration: int, exclude: int | None = None) -> int:
    """Re-check the slot against what is booked now, and re-time each officer's other visits so their
    stored order and planned arrivals stay the ones this check relied on. Returns the new arrival."""
    arrival = token.arrival
    window = token.window if len(token.officer_ids) == 1 else (token.arrival, token.arrival)
    if place.hub is not None and tuple(token.window) not in hub_times(place.hub, token.day, duration):
        raise SlotUnavailable("hub closed then, or its hours changed")  # since the time was offered
    # Both read after the lock, in one statement: a visit or an absence committed before it is seen.
    booked, officers = day_and_roster(list(token.officer_ids), token.day, exclude=exclude)
    retimed: dict[int, datetime] = {}
    for officer_id in token.officer_ids:
        officer = officers.officer(officer_id)
        wd = working_day(officer, token.day) if officer else None
        if wd is None:
            raise SlotUnavailable("officer no longer working")
        mine = [a for a in booked if officer_id in (a.officer_id, a.second_officer_id)]
        day = routing_day(wd, mine)
        points = [place.latlng] + [s.location for s in day.stops] + [day.start]
        check = DayCheck(day, pair_travel(points))
        insertion = check.best_insertion(place.latlng, window, duration)
        if insertion is None:
            raise SlotUnavailable("no longer fits")
        starts = check.schedule(insertion.position, place.latlng, window, duration)
        by_id = {str(a.id): a for a in mine}
        others = [s for i, s in enumerate(starts) if i != insertion.position]
        for stop, start in zip(day.stops, others, strict=True):
            visit = by_id[stop.id]
            planned = at_day_seconds(token.day, start)
            if visit.second_officer_id is None and visit.planned_arrival != planned:  # a pair's is fixed
                retimed[visit.id] = planned
        if len(token.officer_ids) == 1:
            arrival = insertion.arrival
    _store_planned_arrivals(retimed)
    return arrival


def _store_planned_arrivals(arrivals: dict[int, datetime]) -> None:
    """The new planned arrivals of re-timed visits, in one statement."""
    if arrivals:
        table = Appointment.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("visit"))
            .values(planned_arrival=bindparam("arrival")),
            [{"visit": visit, "arrival": at} for visit, at in arrivals.items()],
        )


def check_token_matches(token: SlotToken, service: Service, place: Place) -> None:
    if token.service_code != service.code:
        raise BookingRuleError("service", _l("The time you chose was for a different service"))
    if token.location_type != place.location_type:
        raise BookingRuleError("location_type", _l("The time you chose was for a different kind of place"))
    if place.hub is not None and token.hub_code != place.hub.code:
        raise BookingRuleError("hub", _l("The time you chose was at a different hub"))
    if place.location_type not in service.places:
        raise BookingRuleError(
            "location_type", _l("%(service)s cannot happen at that kind of place", service=service.name)
        )


def check_precautions(
    officer_ids: Sequence[int],
    service: Service,
    place: Place,
    customer: Customer | None,
    precaution: str | None = UNREAD,
) -> None:
    """The risk register's precautions for a visit to `place` (and to `customer`) given to these
    officers, by the rule searches offer times by (availability.officers_required): a home or business
    visit the register rules out is refused (BookingRuleError, never saying why), one that needs two
    officers and gets fewer is refused as the time having gone (SlotUnavailable). Every booking, every
    move (resident, agent, API) and every re-assignment (re-plans) asks this, after its locks.
    `precaution`: place_precaution(place, customer), if read already."""
    if precaution is UNREAD:
        precaution = place_precaution(place, customer)
    needed = officers_required(service, precaution)
    if needed is None:
        raise BookingRuleError(
            "location_type",
            _l("We cannot book a visit to this address online. Book at a community hub or phone us"),
        )
    if len(set(officer_ids)) < needed:
        raise SlotUnavailable("needs two officers")


def officers_to_reassign(appointment: Appointment, place: Place) -> int | None:
    """How many officers a booked visit handed to others (a re-plan) needs, by the rule check_precautions
    applies: as many as it has (a pair stays a pair), and as many as the service and the risk register
    there ask; None when the register rules out handing it to anyone (the supervisors decide)."""
    needed = officers_required(appointment.service, place_precaution(place, appointment.customer))
    if needed is None:
        return None
    return max(needed, len({appointment.officer_id, appointment.second_officer_id} - {None}))
