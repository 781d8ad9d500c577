"""The database the simulation runs against: the demo county loaded when it is empty, the roster scaled
to `--officers N` (and put back afterwards), and the first simulated day."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from app.demo.load import load_demo
from app.extensions import db
from app.models import Appointment, Message, Officer, User, WorkingPattern
from app.staff.passwords import generate_password, hash_password
from app.timeutil import local_now, to_local


@dataclass
class World:
    first_day: date
    baseline_officers: int  # the county's roster before any --officers scaling (sizes the demand)
    agent_ids: list[int]
    supervisor_id: int
    deactivated: list[int] = field(default_factory=list)  # put back to active at the end
    added: list[int] = field(default_factory=list)  # officers added for --officers, retired at the end


def prepare(officers: int | None, start: date | None) -> World:
    if not db.session.scalar(select(func.count(Officer.id))):
        load_demo()
    active = list(db.session.scalars(select(Officer).where(Officer.active.is_(True)).order_by(Officer.id)))
    agents = list(db.session.scalars(select(User.id).where(User.role == "agent", User.active.is_(True))))
    supervisor = db.session.scalar(
        select(User.id).where(User.role == "supervisor", User.active.is_(True)).order_by(User.id)
    )
    if not active or not agents or supervisor is None:
        raise RuntimeError("the simulation needs officers, an agent and a supervisor (flask demo load)")
    world = World(first_day(start), len(active), agents, supervisor)
    if officers is not None:
        scale_roster(world, active, officers)
    return world


def first_day(start: date | None) -> date:
    """The Monday after both today and the last visit already in the database, unless given."""
    if start is not None:
        return start
    last = db.session.scalar(select(func.max(Appointment.window_start)))
    after = max(local_now().date(), to_local(last).date() if last else date.min)
    return after + timedelta(days=7 - after.weekday())


def first_message_id() -> int:
    return (db.session.scalar(select(func.max(Message.id))) or 0) + 1


def scale_roster(world: World, active: list[Officer], wanted: int) -> None:
    """Keep the first `wanted` officers working, or add copies of the county's officers (same skills,
    areas, base and hours) until there are that many."""
    if wanted < 1:
        raise ValueError("--officers must be at least 1")
    for officer in active[wanted:]:
        officer.active = False
        world.deactivated.append(officer.id)
    password = hash_password(generate_password())
    for n in range(len(active), wanted):
        model = active[n % len(active)]
        user = User(
            email=f"sim.officer.{n}.{world.first_day:%Y%m%d}@simulation.example",
            full_name=f"Extra {model.first_name} {n}",
            password_hash=password,
            role="officer",
        )
        officer = Officer(
            user=user,
            first_name=f"Extra{n}",
            last_name=model.last_name,
            phone=f"+4478{n:08d}",  # not a resident's number: the simulated residents' start +4479
            base_label=model.base_label,
            base_lat=model.base_lat,
            base_lng=model.base_lng,
            skills=list(model.skills),
            areas=list(model.areas),
            patterns=[
                WorkingPattern(
                    weekday=p.weekday,
                    starts=p.starts,
                    ends=p.ends,
                    break_starts=p.break_starts,
                    break_minutes=p.break_minutes,
                )
                for p in model.patterns
            ],
        )
        db.session.add(officer)
        db.session.flush()
        world.added.append(officer.id)


def restore_roster(world: World) -> None:
    """The roster as it was before --officers (the extra officers are kept, inactive, with their visits)."""
    changed = [(world.deactivated, True), (world.added, False)]
    for ids, active in changed:
        for officer in db.session.scalars(select(Officer).where(Officer.id.in_(ids))):
            officer.active = active
