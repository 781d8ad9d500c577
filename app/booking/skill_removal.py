"""Taking a skill or a community area away from an officer who still holds booked visits that need it,
or switching them off.

The officer's form asks first: it names the visits that would be left with an officer who can no longer
do them (a service needing a skill they lose, or a visit in an area they stop covering: how many, the
first few with their date and reference) and whether anyone else could do each one, by the coverage rule
every channel offers times by (app.booking.coverage.staffed_without: the roster's weekly rule, with this
officer left out). Once the supervisor confirms, each of those visits goes on the supervisors' call list
("Residents to call", app.booking.call_list), where visits a plan could not keep already go, with a Move
and a Cancel; it leaves the list by itself when the visit is moved or cancelled. (The nightly plan, which
asks the same rule, would otherwise hand it to a qualified colleague or list it itself:
app/planning/planning.py.)
"""

from __future__ import annotations

from dataclasses import dataclass

from app.booking import call_list
from app.booking.changes import place_to_move
from app.booking.coverage import staffed_without
from app.models import Appointment, CommunityArea, Officer, Skill
from app.officers.queries import future_visits_needing
from app.timeutil import format_date, to_local

SHOWN = 5  # the confirm page lists this many visits, then says how many more
SOURCE = "skill_removed"
AREA_SOURCE = "area_removed"


@dataclass(frozen=True)
class LeftVisit:
    appointment: Appointment
    skill: Skill | None  # the skill it needs that the officer loses (None: not a skill they lose)
    area: CommunityArea | None  # the area it is in that they stop covering (when not a skill)
    others_can: bool  # another officer with the skill could ever do it there (the coverage rule)

    @property
    def skill_name(self) -> str:
        skill = self.skill or self.appointment.service.skill
        return skill.name if skill is not None else "the skill"


@dataclass(frozen=True)
class SkillRemoval:
    officer: Officer
    skills: tuple[Skill, ...]  # taken away, with visits needing them
    visits: tuple[LeftVisit, ...]  # soonest first
    areas: tuple[CommunityArea, ...] = ()  # taken away, with visits in them
    switch_off: bool = False  # the officer is being switched off: every visit they hold is left

    @property
    def what(self) -> str:
        """What is taken away: "Housing", "Devizes", "Housing and Devizes"."""
        return " and ".join(x.name for x in (*self.skills, *self.areas))

    @property
    def needing(self) -> str:
        """What the visits have in common: "needing Housing", "in Devizes"."""
        parts = []
        if self.skills:
            parts.append("needing " + " and ".join(s.name for s in self.skills))
        if self.areas:
            parts.append("in " + " and ".join(a.name for a in self.areas))
        return " or ".join(parts)

    @property
    def first(self) -> tuple[LeftVisit, ...]:
        return self.visits[:SHOWN]

    @property
    def more(self) -> int:
        return max(len(self.visits) - SHOWN, 0)

    @property
    def nobody_else(self) -> int:
        return sum(not v.others_can for v in self.visits)


def skills_removed(
    officer: Officer, kept_skill_ids: set[int], kept_area_ids: set[int] | None = None
) -> SkillRemoval | None:
    """What saving the officer with only these skills (and these community areas; None: the areas they
    have) would leave behind: None when no booked visit of theirs needs a skill they would lose or is in
    an area they would stop covering. Reads only."""
    removed = {s.id: s for s in officer.skills if s.id not in kept_skill_ids}
    left_areas = {a.id: a for a in officer.areas if kept_area_ids is not None and a.id not in kept_area_ids}
    left = []
    for a in future_visits_needing(officer.id, set(removed) if not left_areas else None):
        place = place_to_move(a)
        skill = removed.get(a.service.skill_id)
        area = None if skill is not None else left_areas.get(place.area_id)
        if skill is not None or area is not None:
            left.append(LeftVisit(a, skill, area, staffed_without(a.service, place, officer.id)))
    if not left:
        return None
    skills = tuple(s for s in removed.values() if any(v.skill is s for v in left))
    areas = tuple(x for x in left_areas.values() if any(v.area is x for v in left))
    return SkillRemoval(officer, skills, tuple(left), areas)


def switching_off(officer: Officer) -> SkillRemoval | None:
    """What switching the officer off would leave behind: every booked visit they hold from now on, and
    whether anyone else could do each one (None: they hold none). Reads only. Once confirmed, a leaver's
    visits go to the supervisors' re-plan (and, until then, the nightly plan's), not the call list."""
    left = tuple(
        LeftVisit(a, None, None, staffed_without(a.service, place_to_move(a), officer.id))
        for a in future_visits_needing(officer.id, None)
    )
    return SkillRemoval(officer, (), left, switch_off=True) if left else None


def reason(visit: LeftVisit, officer: Officer) -> str:
    """Why the visit is on the call list, in words a supervisor can act on."""
    when = format_date(to_local(visit.appointment.window_start).date())
    if visit.others_can:
        then = "another officer with the skill covers it: move it to them, or call the resident"
    else:
        then = "no other officer with the skill can do it there: call the resident"
    if visit.skill is None and visit.area is not None:
        return f"{officer.name} no longer covers {visit.area.name}, where this visit is ({when}); {then}"
    return f"{officer.name} no longer has the {visit.skill_name} skill this visit needs ({when}); {then}"


def hand_to_supervisors(removal: SkillRemoval) -> int:
    """After the skills or areas are taken away: each visit goes on the call list (once). Caller
    commits."""
    for visit in removal.visits:
        source = SOURCE if visit.skill is not None else AREA_SOURCE
        call_list.add(visit.appointment, reason(visit, removal.officer), source)
    return len(removal.visits)
