"""One owner of each commit: the unit of work.

Domain code changes the session and may flush, but never commit or roll back. Whoever owns the work (a
route for its request, a CLI command, a job in app/scheduler.py) runs it in `with unit_of_work():`,
which commits once at the end, or rolls back once if anything inside raised (and re-raises, so the
owner can show the error). Whatever a request leaves uncommitted is discarded when it ends.

A unit is never opened inside another: that would hide who commits. The two jobs that own several
units say why (app/messaging/dispatch.py: each claim and each send's result is committed on its own,
so a crash can neither lose nor double a message; app/planning/nightly.py: each day planned stays
planned).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from app.extensions import db

_OPEN = "unit_of_work_open"
_WROTE = "unit_of_work_wrote"
_READ = "unit_of_work_read_once"  # what read_once() read since the session last wrote or ended a transaction

T = TypeVar("T")


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Commit what the block did, once; on any error roll it back, once, and re-raise."""
    session = db.session()
    if session.info.get(_OPEN):
        raise RuntimeError("a unit of work is already open: its owner commits")
    session.info[_OPEN] = True
    session.info.pop(_WROTE, None)  # finish_reads() guards what the unit writes, not what came before
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.info.pop(_OPEN, None)


def finish_reads() -> None:
    """End a transaction that has only read, keeping what it read (no query to read it again); the next
    statement begins a new transaction.

    For a lock that must be its transaction's first statement (SQLite cannot turn a transaction that has
    read into one that writes once another connection has written meanwhile), and for long polls, which
    must not hold a transaction open while they wait. Inside a unit of work it refuses once the unit
    has written: committing that is the unit's job. (Anything written before the unit opened is
    committed here with the reads; outside a unit, e.g. a test driving a service directly, the caller
    owns the transaction and this ends it.)"""
    session = db.session()
    wrote = session.new or session.dirty or session.deleted or session.info.get(_WROTE)
    if wrote and session.info.get(_OPEN):
        raise RuntimeError("finish_reads() after a write: only the unit of work commits")
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


def mark_written() -> None:
    """Tell the unit of work that a statement sent past the session's events wrote
    (app/hot_writes.py), so finish_reads() refuses to commit it."""
    info = db.session().info
    info[_WROTE] = True
    info.pop(_READ, None)


def read_once(key: str, read: Callable[[], T]) -> T:
    """`read()`, sent once until the session next writes (a flush, any statement through it but a
    SELECT, a hot write) or a transaction or savepoint of it ends; until then the value first read.

    For a read that several parts of one request make and that nothing but a write changes as far as
    the request is concerned: the roster and catalogue version (app/officers/roster.py), read by the
    service and hub look-ups, the area of an address and availability in turn, is sent once. What a
    request reads before it writes is then one view, as if read at one instant; a change committed
    elsewhere meanwhile is seen from the request's first write or the end of its reads on (a booking's
    officer-day lock is a write, and finish_reads() ends the reads before it, so what the booking
    reads after its lock is read again). Pending changes are flushed first, as a query would do (the
    read must see them), unless autoflush is off."""
    session = db.session()
    if session.autoflush and (session.new or session.dirty or session.deleted):
        session.flush()  # which forgets what was read (below)
    remembered = session.info.get(_READ)
    if remembered is None:
        remembered = session.info[_READ] = {}
    elif key in remembered:
        return remembered[key]
    value = remembered[key] = read()
    return value


def remember(key: str, value: object) -> None:
    """What read_once(key, ...) would read, read just now by a statement that read other rows with it:
    read_once answers it, with no statement of its own, until the session next writes or a transaction
    or savepoint of it ends. Only for a value read by a statement sent after the session's last write."""
    session = db.session()
    session.info.setdefault(_READ, {})[key] = value


def discard() -> None:
    """Throw away what an error left outside any unit (a read that failed), so the error page can
    still use the session."""
    db.session.rollback()


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    session.info[_WROTE] = True
    session.info.pop(_READ, None)


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True
    if not state.is_select:  # text("UPDATE ...") is none of the three above, and may write
        state.session.info.pop(_READ, None)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    session.info.pop(_READ, None)  # a savepoint's end too: what it wrote may have been rolled back
    if transaction.parent is None:  # the whole transaction, not a savepoint: nothing is pending now
        session.info.pop(_WROTE, None)
