"""A slot token is used once: its claim keys are unique."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from app.booking.availability import SlotToken, decode_slot
from app.booking.errors import SlotUnavailable
from app.extensions import HotRead
from app.hot_writes import HotWrite
from app.models import Appointment, SlotClaim
from app.timeutil import utcnow


def slot_used(slot_token: str) -> bool:
    """A valid slot token that has been booked already. A busy entry point (the API) refuses such a
    request at once, before it looks anything up or waits for a lock; book() would refuse it anyway.
    Not for a request with an idempotency key: that may be the retry of the booking that used it."""
    token = decode_slot(slot_token)
    if token is None:
        return False
    keys = token.claim_keys()  # one per officer: one or two
    return bool(_CLAIMED.rows(first=keys[0], last=keys[-1]))


_claims = SlotClaim.__table__
_CLAIMED = HotRead(
    select(_claims.c.id).where(_claims.c.key.in_([bindparam("first"), bindparam("last")])).limit(1)
)


def _claim_rows(count: int) -> HotWrite:
    table = SlotClaim.__table__
    typed = {name: bindparam(name, type_=table.c[name].type) for name in ("appointment_id", "created_at")}

    def build(insert):
        rows = [{"key": bindparam(f"key{n}", type_=table.c.key.type)} | typed for n in range(count)]
        return insert(table).values(rows).on_conflict_do_nothing().returning(table.c.key)

    return HotWrite(build)


_CLAIMS = {count: _claim_rows(count) for count in (1, 2)}  # a token has one officer or two


def claim(token: SlotToken, appointment: Appointment) -> None:
    """Use the token, once: its claim keys are unique, so of two requests with it only one gets here."""
    keys = token.claim_keys()
    taken = _CLAIMS[len(keys)].rows(
        appointment_id=appointment.id, created_at=utcnow(), **{f"key{n}": key for n, key in enumerate(keys)}
    )
    if len(taken) != len(keys):
        raise SlotUnavailable("already booked")
