"""Coverage: where an offered service cannot be booked because the roster cannot staff it.

A service offered at home or at a business can be booked in every community area (a visit belongs to
the area nearest it); one offered at hubs, in each open hub's area. Availability offers a time only
when enough officers with the skill who cover the area are on shift (`Roster.able`, two for a
two-officer service), so a service with nobody there, or with two officers who never work the same
days, shows "no free times" to every caller for its whole horizon while the services page still says
"Offered". This reads the same roster, week by week (app.officers.workdays.can_staff), and names
those areas for the supervisors' pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.booking.availability import ARRIVAL_WINDOWS
from app.catalogue.queries import all_areas, all_hubs, all_services
from app.models import Hub, Service
from app.officers.roster import roster
from app.officers.workdays import can_staff
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
        needed = 2 if service.two_officers else 1
        duration = service.duration_minutes * 60
        missing = []
        for area in areas:
            officers = able(service.skill_id, area.id)
            visits = (service.at_home or service.at_business) and not can_staff(
                officers, needed, visit_hours(duration), duration
            )
            at_hubs = service.at_hub and any(
                not can_staff(officers, needed, _hub_hours(hub), duration)
                for hub in hubs
                if hub.area_id == area.id
            )
            if visits or at_hubs:
                missing.append(area.name)
        if missing:
            gaps.append(CoverageGap(service, tuple(missing)))
    return gaps


def visit_hours(duration: int) -> dict[int, tuple[int, int]]:
    """An arrival up to the end of the last window, and the visit after it."""
    return {weekday: (opens, closes + duration) for weekday, (opens, closes) in VISIT_HOURS.items()}


def _hub_hours(hub: Hub) -> dict[int, tuple[int, int]]:
    return {
        weekday: (clock_seconds(hours.opens), clock_seconds(hours.closes))
        for weekday in range(7)
        if (hours := hub.hours_on(weekday)) is not None
    }
