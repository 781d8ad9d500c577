"""API bearer tokens: a random secret shown once, stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import bindparam, select, update

from app.extensions import HotRead, db
from app.models import ApiToken, User
from app.staff import audit
from app.timeutil import utcnow

TOKEN_PREFIX = "dst_"  # noqa: S105  (a label, not a secret)
# "Last used" is kept to the minute: writing it on every request would make each API request a write,
# and every request made with one token wait for the others on that token's row.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str = "") -> str:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, name=name, prefix=secret[:12], token_hash=_digest(secret)))
    return secret


@dataclass(frozen=True)
class Caller:
    """Who an API request comes from: enough to check the route's roles without loading the user."""

    user_id: int
    role: str
    token_id: int = 0
    last_use_due: bool = False  # "last used" is more than LAST_USED_RESOLUTION old: record_use() it

    @property
    def id(self) -> int:
        """The user's id: where only who acted is written (a booking's booked_by, its status event's
        actor, its audit entry), the caller stands for its user, and the user is not loaded for it."""
        return self.user_id


# Looked up on every API request, so never cached: a revoked token or a deactivated account is refused
# from the next request on, by every worker and app server.
_BEARER = HotRead(
    select(User.id, User.role, ApiToken.id, ApiToken.last_used_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(
        ApiToken.token_hash == bindparam("digest"),
        ApiToken.revoked_at.is_(None),
        User.active.is_(True),
    )
)


def caller_for_bearer(header: str) -> Caller | None:
    """The active user whose unrevoked token the Authorization header carries, else None."""
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.startswith(TOKEN_PREFIX):
        return None
    found = _BEARER.rows(digest=_digest(secret.strip()))
    if not found:
        return None
    user_id, role, token_id, last_used_at = found[0]
    due = last_used_at is None or utcnow() - last_used_at >= LAST_USED_RESOLUTION
    return Caller(user_id, role, token_id, due)


def record_use(caller: Caller) -> None:
    """Keep the token's "last used" (to the minute). Its own unit of work commits it: a request that
    only reads (a 409, a look-up) commits nothing, and would otherwise write it again every time.

    When it falls due, every request then in flight with the token sees it due (a busy client has
    dozens): one writes it; the others skip the row while it is locked (SKIP LOCKED, PostgreSQL) or
    find it already written, instead of each waiting for the one before to commit and writing it again
    (a bench run saw 23 such writes queue at once, 128 ms each)."""
    if not caller.last_use_due:
        return
    now = utcnow()
    still_due = (
        select(ApiToken.id)
        .where(
            ApiToken.id == caller.token_id,
            (ApiToken.last_used_at.is_(None)) | (ApiToken.last_used_at <= now - LAST_USED_RESOLUTION),
        )
        .with_for_update(skip_locked=True, key_share=True)  # none on SQLite, where writers queue anyway
    )
    db.session.execute(
        update(ApiToken)
        .where(ApiToken.id.in_(still_due.scalar_subquery()))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )


def user_of(caller: Caller) -> User | None:
    return db.session.get(User, caller.user_id)


def user_for_bearer(header: str) -> User | None:
    caller = caller_for_bearer(header)
    return user_of(caller) if caller is not None else None


def active_tokens() -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.revoked_at.is_(None)).order_by(ApiToken.created_at)
        )
    )


def find_token(reference: str) -> ApiToken | None:
    """By id ('7') or by the prefix shown when it was made ('dst_AbCdEfGh')."""
    reference = reference.strip()
    if reference.isascii() and reference.isdigit() and len(reference) < 10:
        return db.session.get(ApiToken, int(reference))
    return db.session.scalar(select(ApiToken).where(ApiToken.prefix == reference[:12]))


def revoke(token: ApiToken, by: User | None = None) -> None:
    """The token stops working at once (every request looks it up)."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("api_token_revoked", "api_token", token.id, user=by, owner=token.user_id)
