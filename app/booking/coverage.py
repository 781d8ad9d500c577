"""Coverage: where an offered service cannot be booked because the roster cannot staff it.

A service offered at home or at a business can be booked in every community area (a visit belongs to
the area nearest it); one offered at hubs, in each open hub's area. Availability offers a time only
when enough officers with the skill who cover the area are on shift (`Roster.able`, two for a
two-officer service), so a service with nobody there, or with two officers who never work the same
days, shows "no free times" to every caller for its whole horizon while the services page still says
"Offered". This reads the same roster, week by week (app.officers.workdays.can_staff), and names
those areas for the supervisors' pages.

The same rule answers every channel before it offers dates (`staffed_at`): a resident, a phone agent or
an API client asking for a service where nobody could ever do it is told so, and offered the hubs that
can (`staffed_hubs`) or the contact centre, never a calendar that stays empty or a waiting list that
never offers a time. The weekly rule, not the next few days: leave and sickness still give "no free
times" and the waiting list, as something that will end. A precaution on an address (two officers)
is not part of it: the answer never tells an address with a marker from its neighbours.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.booking.availability import ARRIVAL_WINDOWS
from app.catalogue.queries import all_areas, all_hubs, all_services
from app.extensions import db
from app.models import CommunityArea, Hub, Service
from app.officers.roster import RosterOfficer, roster
from app.officers.workdays import can_staff
from app.places.places import Place, nearest_hubs
from app.timeutil import clock_seconds

# Home and business visits: arrival inside the windows, on weekdays (availability offers no others).
VISIT_HOURS = {weekday: (ARRIVAL_WINDOWS[0][0], ARRIVAL_WINDOWS[-1][1]) for weekday in range(5)}


@dataclass(frozen=True)
class CoverageGap:
    service: Service
    areas: tuple[str, ...]  # community area names, as the catalogue orders them

    @property
    def message(self) -> str:
        who = (
            "no two officers with the skill work the same days"
            if self.service.two_officers
            else ("no officer with the skill works")
        )
        return f"{self.service.name}: {who} in {', '.join(self.areas)}"


def coverage_gaps() -> list[CoverageGap]:
    """Every offered service that some area cannot book, with those areas."""
    able = roster().able
    areas = all_areas()
    hubs = all_hubs(active_only=True)
    gaps = []
    for service in all_services(bookable_only=True):
        if service.premises_only or not service.places:
            continue
        missing = []
        for area in areas:
            officers = able(service.skill_id, area.id)
            visits = (service.at_home or service.at_business) and not _can_staff(officers, service, None)
            at_hubs = service.at_hub and any(
                not _can_staff(officers, service, hub) for hub in hubs if hub.area_id == area.id
            )
            if visits or at_hubs:
                missing.append(area.name)
        if missing:
            gaps.append(CoverageGap(service, tuple(missing)))
    return gaps


def staffed_at(service: Service, place: Place) -> bool:
    """Whether the roster can ever staff this service at this place: enough officers with the skill
    who cover its community area (two for a two-officer service) work together, by their weekly
    patterns, at visiting hours (a home or business visit) or while the hub is open (a hub's). When it
    is False no time will ever be offered there, so no channel offers dates or the waiting list."""
    if service.premises_only:
        return True  # never booked anywhere: the service is signposted, not "not staffed"
    if place.hub is None:
        return visits_staffed_in(service, place.area_id)
    return _can_staff(roster().able(service.skill_id, place.area_id), service, place.hub)


def staffed_without(service: Service, place: Place, officer_id: int) -> bool:
    """staffed_at, with one officer left out: whether anyone else could do it there (a supervisor taking
    a skill away from an officer who holds visits needing it, app/booking/skill_removal.py)."""
    if service.premises_only:
        return True
    able = [o for o in roster().able(service.skill_id, place.area_id) if o.id != officer_id]
    return _can_staff(able, service, place.hub)


def may_do(service: Service, place: Place, officer_id: int) -> bool:
    """Whether this officer may do this service at this place at all, by the rule availability offers
    times by (Roster.able): switched on, with the service's skill, covering the place's community area.
    The nightly plan asks it of every booked visit's officers (app/planning/planning.py)."""
    return bool(roster().able(service.skill_id, place.area_id, only=officer_id))


def why_may_not_do(service: Service, place: Place, officer) -> str:
    """Why may_do says no for this officer, in words for a supervisor ("is switched off", "no longer has
    the Housing skill it needs", "no longer covers Devizes"); "" when they may do it."""
    if may_do(service, place, officer.id):
        return ""
    if not officer.active:
        return "is switched off"
    if service.skill is not None and service.skill not in officer.skills:
        return f"no longer has the {service.skill.name} skill it needs"
    area = db.session.get(CommunityArea, place.area_id)
    return f"no longer covers {area.name if area else 'its area'}"


def visits_staffed_in(service: Service, area_id: int) -> bool:
    """staffed_at for a home or business visit in the community area (the waiting list's question)."""
    return _can_staff(roster().able(service.skill_id, area_id), service, None)


def staffed_hubs(
    service: Service, lat: float, lng: float, *, limit: int | None = 3, besides: Hub | None = None
) -> list[tuple[Hub, float]]:
    """The open hubs where the service can be had (offered at hubs, and staffed there), nearest to
    (lat, lng) first, with the distance in miles: what to offer instead of a place nobody can staff
    (`besides`: a hub that cannot, never offered as its own alternative)."""
    if not service.at_hub or service.premises_only:
        return []
    able = roster().able
    found = []
    for hub, miles in nearest_hubs(lat, lng, limit=None):
        if besides is not None and hub.id == besides.id:
            continue
        if _can_staff(able(service.skill_id, hub.area_id), service, hub):
            found.append((hub, miles))
            if len(found) == limit:
                break
    return found


def not_staffed_reason(service: Service, area_id: int, hub: Hub | None = None) -> str:
    """For staff (the agent's screen): why nobody can do it there, as the supervisors' warning says."""
    area = db.session.get(CommunityArea, area_id)
    where = hub.name if hub is not None else (area.name if area else "this area")
    return CoverageGap(service, (where,)).message


def _can_staff(officers: list[RosterOfficer], service: Service, hub: Hub | None) -> bool:
    """The one rule: these officers can staff a visit (hub None) or an appointment at the hub."""
    duration = service.duration_minutes * 60
    hours = visit_hours(duration) if hub is None else _hub_hours(hub)
    return can_staff(officers, 2 if service.two_officers else 1, hours, duration)


def visit_hours(duration: int) -> dict[int, tuple[int, int]]:
    """An arrival up to the end of the last window, and the visit after it."""
    return {weekday: (opens, closes + duration) for weekday, (opens, closes) in VISIT_HOURS.items()}


def _hub_hours(hub: Hub) -> dict[int, tuple[int, int]]:
    return {
        weekday: (clock_seconds(hours.opens), clock_seconds(hours.closes))
        for weekday in range(7)
        if (hours := hub.hours_on(weekday)) is not None
    }
