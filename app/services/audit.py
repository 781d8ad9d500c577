"""The audit log: who did what, when, to which record."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_login import current_user

from app.extensions import db
from app.models import AuditEvent, User


def record(
    action: str,
    object_type: str = "",
    object_id: Any = "",
    *,
    user: User | None = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits with the change it describes)."""
    ip = ""
    if has_request_context():
        ip = request.remote_addr or ""
        if user is None:
            user = getattr(request, "api_user", None)
        if user is None and current_user and current_user.is_authenticated:
            user = current_user._get_current_object()
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        user=user,
        detail=detail,
        ip=ip,
    )
    db.session.add(event)
    return event
