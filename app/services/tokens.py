"""API bearer tokens: a random secret shown once, stored only as SHA-256."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from app.extensions import db
from app.models import ApiToken, User
from app.timeutil import utcnow

TOKEN_PREFIX = "dst_"  # noqa: S105  (a label, not a secret)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(user: User, name: str = "") -> str:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, name=name, prefix=secret[:12], token_hash=_digest(secret)))
    return secret


def user_for_bearer(header: str) -> User | None:
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret.strip())))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    token.last_used_at = utcnow()
    return token.user
