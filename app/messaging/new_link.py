"""Staff send a resident a new link (their link was shared, forwarded or their phone was lost): every
older manage and calendar link and every resident session for the booking stop working at once, and
the new link goes by the resident's own channel, in their language."""

from __future__ import annotations

from app.appointments.links import revoke_links
from app.messaging import outbox
from app.models import Appointment, Message, User
from app.staff import audit


def send_new_link(appointment: Appointment, *, user: User) -> list[Message]:
    """Returns what was queued (nothing when no text or email reaches them: the old links end anyway,
    and they can still find the booking with its reference)."""
    revoke_links(appointment)
    queued = outbox.queue_for_resident(appointment, "new_link", key_suffix=f"v{appointment.link_version}")
    audit.record(
        "manage_link_replaced",
        "appointment",
        appointment.reference,
        user=user,
        link_version=appointment.link_version,
        sent_by=sorted({message.channel for message in queued}),
    )
    return queued
