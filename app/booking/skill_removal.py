"""Taking a skill away from an officer who still holds booked visits needing it.

The officer's form asks first: it names the visits that would be left with an officer who can no longer
do them (how many, the first few with their date and reference) and whether anyone else could do each
one, by the coverage rule every channel offers times by (app.booking.coverage.staffed_without: the
roster's weekly rule, with this officer left out). Once the supervisor confirms, each of those visits
goes on the supervisors' call list ("Residents to call", app.booking.call_list), where visits a plan
could not keep already go, with a Move and a Cancel; it leaves the list by itself when the visit is moved
or cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.booking import call_list
from app.booking.changes import place_to_move
from app.booking.coverage import staffed_without
from app.models import Appointment, Officer, Skill
from app.officers.queries import future_visits_needing
from app.timeutil import format_date, to_local

SHOWN = 5  # the confirm page lists this many visits, then says how many more
SOURCE = "skill_removed"


@dataclass(frozen=True)
class LeftVisit:
    appointment: Appointment
    skill: Skill
    others_can: bool  # another officer with the skill could ever do it there (the coverage rule)


@dataclass(frozen=True)
class SkillRemoval:
    officer: Officer
    skills: tuple[Skill, ...]  # taken away, with visits needing them
    visits: tuple[LeftVisit, ...]  # soonest first

    @property
    def first(self) -> tuple[LeftVisit, ...]:
        return self.visits[:SHOWN]

    @property
    def more(self) -> int:
        return max(len(self.visits) - SHOWN, 0)

    @property
    def nobody_else(self) -> int:
        return sum(not v.others_can for v in self.visits)


def skills_removed(officer: Officer, kept_skill_ids: set[int]) -> SkillRemoval | None:
    """What saving the officer with only these skills would leave behind: None when no booked visit
    of theirs needs a skill they would lose. Reads only."""
    removed = {s.id: s for s in officer.skills if s.id not in kept_skill_ids}
    visits = future_visits_needing(officer.id, set(removed))
    if not visits:
        return None
    left = tuple(
        LeftVisit(a, removed[a.service.skill_id], staffed_without(a.service, place_to_move(a), officer.id))
        for a in visits
    )
    skills = tuple(s for s in removed.values() if any(v.skill.id == s.id for v in left))
    return SkillRemoval(officer, skills, left)


def reason(visit: LeftVisit, officer: Officer) -> str:
    """Why the visit is on the call list, in words a supervisor can act on."""
    when = format_date(to_local(visit.appointment.window_start).date())
    if visit.others_can:
        then = "another officer with the skill covers it: move it to them, or call the resident"
    else:
        then = "no other officer with the skill can do it there: call the resident"
    return f"{officer.name} no longer has the {visit.skill.name} skill this visit needs ({when}); {then}"


def hand_to_supervisors(removal: SkillRemoval) -> int:
    """After the skills are taken away: each visit goes on the call list (once). Caller commits."""
    for visit in removal.visits:
        call_list.add(visit.appointment, reason(visit, removal.officer), SOURCE)
    return len(removal.visits)
