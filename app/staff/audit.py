"""The audit log: who did what, when, to which record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.extensions import db
from app.models import AuditEvent, User

# Who is acting, and from which address: the web layer tells (app/web/wiring.py); a CLI command or a job has
# nobody unless it says so.
Actor = Callable[[], tuple[User | None, str]]
_actor: Actor = lambda: (None, "")  # noqa: E731


def find_actor_with(actor: Actor) -> None:
    """How to find who is acting when a record does not say (the request's user and address)."""
    global _actor
    _actor = actor


def record(
    action: str,
    object_type: str = "",
    object_id: Any = "",
    *,
    user: User | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change it describes)."""
    acting, ip = _actor()
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        user=user or acting,
        detail=detail,
        ip=ip,
    )
    db.session.add(event)
    return event
