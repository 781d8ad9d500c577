"""`read_once`: a read several parts of a request make (the roster and catalogue version) is sent once,
and sent again as soon as the session writes, in any way, or a transaction or savepoint of it ends."""

from __future__ import annotations

import pytest
from sqlalchemy import literal, select, text

from app.booking.locks import lock_officer_days
from app.extensions import db
from app.models import Skill
from app.officers.roster import current_version
from app.unit_of_work import mark_written, read_once
from tests.booking_helpers import MONDAY, World
from tests.factories import SkillFactory


class Reads:
    """A read through the session (so in its transaction), counted."""

    def __init__(self) -> None:
        self.sent = 0

    def __call__(self) -> int:
        self.sent += db.session.scalar(select(literal(1)))
        return self.sent

    def once(self) -> int:
        return read_once("test", self)


def test_a_read_is_sent_once_while_the_session_only_reads(app):
    reads = Reads()
    db.session.execute(text("SELECT 1"))  # through the session, but not a SELECT construct: forgets
    assert reads.once() == 1
    assert db.session.scalar(select(literal(1))) == 1  # a query reads, and forgets nothing
    assert reads.once() == 1 and reads.sent == 1


@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda: (SkillFactory(), db.session.flush()), id="flush"),
        pytest.param(lambda: db.session.execute(text("UPDATE skill SET name = name")), id="text-statement"),
        pytest.param(mark_written, id="hot-write"),
        pytest.param(lambda: db.session.commit(), id="commit"),
        pytest.param(lambda: db.session.rollback(), id="rollback"),
        pytest.param(lambda: db.session.begin_nested().rollback(), id="savepoint"),
    ],
)
def test_any_write_or_the_end_of_a_transaction_sends_it_again(app, write):
    reads = Reads()
    assert reads.once() == 1
    write()
    assert reads.once() == 2


def test_pending_changes_are_flushed_first_as_a_query_would(app):
    reads = Reads()
    assert reads.once() == 1
    skill = Skill(code="welfare", name="Welfare benefits")
    db.session.add(skill)
    assert reads.once() == 2 and skill.id is not None


@pytest.mark.usefixtures("committed")
def test_a_booking_s_lock_makes_the_version_be_read_again(postgres, app):
    """What a request reads before it writes is one view; a change committed elsewhere meanwhile is
    seen once it writes: what a booking reads after its officer-day lock (an absence) is current."""
    world = World()
    db.session.commit()
    seen = current_version()
    with db.engine.begin() as other:  # another worker records an absence
        other.execute(
            text("UPDATE officer SET first_name = 'Sam' WHERE id = :o"), {"o": world.officers[0].id}
        )
    assert current_version() == seen
    lock_officer_days([(world.officers[0].id, MONDAY)])
    assert current_version() != seen
    db.session.rollback()
