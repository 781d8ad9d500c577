"""The audit log: who did what, when, to which record."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.extensions import db
from app.hot_writes import column_defaults, insert_row
from app.models import AuditEvent, User

if TYPE_CHECKING:
    from app.staff.tokens import Caller

# Who is acting, and from which address: the web layer tells (app/web/wiring.py); a CLI command or a job has
# nobody unless it says so.
Actor = Callable[[], tuple[User | None, str]]
_actor: Actor = lambda: (None, "")  # noqa: E731
_address: Callable[[], str] = lambda: ""  # noqa: E731


def find_actor_with(actor: Actor, address: Callable[[], str] | None = None) -> None:
    """How to find who is acting when a record does not say (the request's user and address), and the
    address alone, for a record that says who acted (then nobody is looked up for it)."""
    global _actor, _address
    _actor = actor
    _address = address or (lambda: actor()[1])


def record(
    action: str,
    object_type: str = "",
    object_id: Any = "",
    *,
    user: User | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change it describes)."""
    who, fields = _entry(action, object_type, object_id, user, detail)
    event = AuditEvent(user=who, **fields)
    db.session.add(event)
    return event


def record_now(
    action: str,
    object_type: str = "",
    object_id: Any = "",
    *,
    user: User | Caller | None = None,
    **detail: Any,
) -> None:
    """record(), written at once as one precompiled INSERT (app/hot_writes.py) rather than in the next
    flush: for the busiest writes (a booking). Commits or rolls back with the unit of work as well.
    Only the user's id is written, so an API caller (app.staff.tokens.Caller) will do for `user`."""
    insert_row(AuditEvent.__table__, **entry_row(action, object_type, object_id, user=user, **detail))


def entry_row(
    action: str,
    object_type: str = "",
    object_id: Any = "",
    *,
    user: User | Caller | None = None,
    **detail: Any,
) -> dict[str, Any]:
    """The audit row record_now() writes (every column but the id), for a statement that writes it with
    the change it describes (a booking on PostgreSQL)."""
    who, fields = _entry(action, object_type, object_id, user, detail)
    if who is not None and who.id is None:
        db.session.flush()  # a user added in this unit of work: its id
    return column_defaults(AuditEvent.__table__, {"user_id": who.id if who is not None else None, **fields})


def _entry(
    action: str, object_type: str, object_id: Any, user: Any, detail: dict[str, Any]
) -> tuple[Any, dict[str, Any]]:
    """Who acted (the user given, else whoever is acting) and the entry's other fields."""
    if user is None:
        user, ip = _actor()
    else:
        ip = _address()
    fields = {"action": action, "object_type": object_type, "object_id": str(object_id), "detail": detail}
    return user, fields | {"ip": ip}
