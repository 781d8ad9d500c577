"""The demo county's roster made bookable: every skill in every area, two officers who work the same
days wherever a two-officer service is offered, and nobody with more than MAX_SKILLS skills."""

from __future__ import annotations

from app.booking.coverage import visit_hours
from app.demo.county import SERVICES
from app.models import CommunityArea, Officer, Skill
from app.officers.workdays import can_staff

MAX_SKILLS = 5  # specialists still, not everyone doing everything

Needs = dict[Skill, tuple[int, dict[int, tuple[int, int]], int]]  # officers together, hours, duration


def cover_every_area(team: list[Officer], skill_list: list[Skill], areas: list[CommunityArea]) -> None:
    """As a council staffs its services county-wide: where the spread of skills leaves an area with
    nobody for a skill (council tax at home in Trowbridge had no officer, so no times for weeks), an
    officer covering that area with the fewest skills takes it on. A skill that a two-officer service
    needs (the disabled facilities grant survey) gets two officers in each area who work the same
    days, by the rule the services page warns by (app.booking.coverage), or that service has no
    times there at all. One officer for every skill first, then the second officer where two are
    needed; where everyone covering an area has MAX_SKILLS, one of them gives up a skill that others
    cover in every area they work."""
    needs = {skill: _staffing(skill.code) for skill in skill_list}
    passes = [(skill, 1) for skill in skill_list]
    passes += [(skill, needs[skill][0]) for skill in skill_list if needs[skill][0] > 1]
    for skill, needed in passes:
        for area in areas:
            while not _staffed(team, needs, skill, area, needed):
                learner = _learner(team, needs, skill, area, needed)
                if learner is None:
                    break
                learner.skills = sorted({*learner.skills, skill}, key=lambda s: s.code)


def _staffing(skill_code: str) -> tuple[int, dict[int, tuple[int, int]], int]:
    """How many officers the skill's services need together, on which hours, for how long (the
    longest of them): two for a two-officer service, else one."""
    services = [s for s in SERVICES if s[4] == skill_code]
    needed = 2 if any(s[5] for s in services) else 1
    duration = max((s[2] for s in services), default=0) * 60
    return needed, visit_hours(duration), duration


def _staffed(team, needs: Needs, skill, area, needed: int, without: Officer | None = None) -> bool:
    _needed, hours, duration = needs[skill]
    holders = [o for o in team if o is not without and area in o.areas and skill in o.skills]
    return can_staff(holders, needed, hours, duration)


def _learner(team, needs: Needs, skill, area, needed: int) -> Officer | None:
    """Who takes the skill on: someone covering the area who makes it staffed (if one can), with the
    fewest skills; at the cap, after giving up a skill nobody misses."""
    _needed, hours, duration = needs[skill]
    holders = [o for o in team if area in o.areas and skill in o.skills]
    candidates = [o for o in team if area in o.areas and skill not in o.skills]

    def rank(o: Officer) -> tuple:
        helps = len(holders) + 1 < needed or can_staff([*holders, o], needed, hours, duration)
        return (not helps, len(o.skills), o.last_name, o.first_name)

    below_cap = [o for o in candidates if len(o.skills) < MAX_SKILLS]
    if below_cap:
        return min(below_cap, key=rank)
    for officer in sorted(candidates, key=rank):
        for spare in officer.skills:
            if all(_staffed(team, needs, spare, a, needs[spare][0], without=officer) for a in officer.areas):
                officer.skills = [s for s in officer.skills if s is not spare]
                return officer
    return None
